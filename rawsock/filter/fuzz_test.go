package filter

import (
	"errors"
	"strconv"
	"testing"

	"golang.org/x/net/bpf"
)

// FuzzCompile checks that no expression makes the compiler panic, and that
// every program it produces is valid classic BPF: it assembles, has at most
// 4096 instructions, only jumps forward inside the program, ends in a
// return, and runs in the VM.
func FuzzCompile(f *testing.F) {
	for _, e := range equivExprs {
		f.Add(e, uint8(0))
	}
	for _, e := range acceptanceExprs {
		f.Add(e, uint8(1))
	}
	f.Add("vlan and vlan 100 and tcp port 502", uint8(2))
	f.Add("tcp[((tcp[12] & 0xf0) >> 2):2] = 0x4745", uint8(3))
	f.Add("ip6 and udp port 5000 or ip broadcast", uint8(4))
	f.Add("ip6 multicast or tcp[13] = 2", uint8(5))
	frames := [][]byte{
		{},
		make([]byte, 14),
		liveFrame([][2]uint16{{0x8100, 100}}, 6, 1),
		liveFrame(nil, 17, 2),
	}
	f.Fuzz(func(t *testing.T, expr string, mode uint8) {
		opts := Options{}
		switch mode % 6 {
		case 1:
			opts.LinkType = LinkTypeLinuxSLL
		case 4:
			opts.LinkType = LinkTypeRaw
		case 5:
			opts.LinkType = LinkTypeNull
		case 2:
			opts.LiveVLANOffload = true
		case 3:
			opts.Snaplen = 96
			opts.Netmask = 0xffffff00
		}
		p, err := Compile(expr, opts)
		if err != nil {
			return
		}
		raw, err := p.Assemble()
		if err != nil {
			t.Fatalf("%q: Assemble: %v", expr, err)
		}
		if len(raw) == 0 || len(raw) > maxInsns {
			t.Fatalf("%q: %d instructions", expr, len(raw))
		}
		for i, r := range raw {
			if r.Op&0x07 != 0x05 { // not a jump
				continue
			}
			var targets []int
			if r.Op&0xf0 == 0x00 {
				targets = []int{i + 1 + int(r.K)}
			} else {
				targets = []int{i + 1 + int(r.Jt), i + 1 + int(r.Jf)}
			}
			for _, tg := range targets {
				if tg >= len(raw) {
					t.Fatalf("%q: instruction %d jumps to %d, past the end (%d)", expr, i, tg, len(raw))
				}
			}
		}
		if _, ok := p.Instructions[len(p.Instructions)-1].(bpf.RetConstant); !ok {
			t.Fatalf("%q: program does not end in a return", expr)
		}
		m, err := NewMatcher(p)
		if opts.LiveVLANOffload && err == ErrLiveOnly {
			return
		}
		if err != nil {
			t.Fatalf("%q: NewMatcher: %v", expr, err)
		}
		for _, fr := range frames {
			m.Match(fr)
			m.MatchLen(fr, len(fr)+100)
		}
		// The optimizer must not change the verdict on frames long enough
		// for every load (it may on truncated frames, as libpcap's does).
		if mode%4 == 2 || !boundedLoads(p.Instructions) {
			return
		}
		opts.NoOptimize = true
		q, err := Compile(expr, opts)
		if errors.Is(err, ErrTooComplex) {
			return // the unoptimized program may exceed the limit
		}
		if err != nil {
			t.Fatalf("%q: compiles optimized but not unoptimized: %v", expr, err)
		}
		mq, err := NewMatcher(q)
		if err != nil {
			t.Fatalf("%q: NewMatcher (unoptimized): %v", expr, err)
		}
		for i, fr := range longFrames {
			if got, want := m.Match(fr), mq.Match(fr); got != want {
				t.Fatalf("%q on long frame %d: optimized %v, unoptimized %v", expr, i, got, want)
			}
		}
	})
}

// longFrames are test frames padded to 64 KiB, so that loads at any offset
// below that succeed.
var longFrames = func() [][]byte {
	var out [][]byte
	for _, f := range [][]byte{
		liveFrame([][2]uint16{{0x8100, 100}}, 6, 1),
		liveFrame(nil, 17, 2),
		liveFrame(nil, 6, 3),
		liveFrame([][2]uint16{{0x88a8, 10}, {0x8100, 20}}, 17, 4),
	} {
		b := make([]byte, 65536)
		copy(b, f)
		for i := len(f); i < len(b); i++ {
			b[i] = byte(i * 31)
		}
		out = append(out, b)
	}
	return out
}()

// boundedLoads reports whether every load of prog reads below 60000 bytes
// (no computed index, no large constant offset).
func boundedLoads(prog []bpf.Instruction) bool {
	for _, in := range prog {
		switch in := in.(type) {
		case bpf.TAX:
			return false
		case bpf.LoadAbsolute:
			if in.Off >= 60000 {
				return false
			}
		case bpf.LoadIndirect:
			if in.Off >= 60000 {
				return false
			}
		case bpf.LoadMemShift:
			if in.Off >= 60000 {
				return false
			}
		}
	}
	return true
}

func TestMatcherWireLength(t *testing.T) {
	frame := liveFrame(nil, 6, 1) // 12+2+20+20+8 = 62 bytes
	for _, c := range []struct {
		expr    string
		wireLen int
		want    bool
	}{
		{"greater 100", 62, false},
		{"greater 100", 1500, true},
		{"less 100", 1500, false},
		{"len = 62", 62, true},
		{"len = 1000", 1000, true},
		{"tcp port 502 and len > 500", 1000, true},
		{"ether[1000] = 0", 2000, false}, // past the captured bytes
	} {
		p, err := Compile(c.expr, Options{})
		if err != nil {
			t.Fatal(err)
		}
		m, err := NewMatcher(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.MatchLen(frame, c.wireLen); got != c.want {
			t.Errorf("%q on %d captured of %d bytes: got %v, want %v", c.expr, len(frame), c.wireLen, got, c.want)
		}
	}
	// An empty filter keeps everything, even a frame with no captured bytes
	// (the VM would otherwise clip its return value to zero).
	p, err := Compile("", Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMatcher(p)
	if err != nil {
		t.Fatal(err)
	}
	if !m.MatchLen(nil, 60) || !m.Match(frame) {
		t.Error("empty filter must keep every packet")
	}
}

func TestLongJumpsAreSplit(t *testing.T) {
	// Enough ports that the jumps to the returns exceed 255 instructions.
	expr := "port 1"
	for i := 2; i <= 20; i++ {
		expr += " or port " + strconv.Itoa(i)
	}
	p, err := Compile(expr, Options{NoOptimize: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Instructions) < 300 {
		t.Fatalf("only %d instructions", len(p.Instructions))
	}
	if _, err := p.Assemble(); err != nil {
		t.Fatal(err)
	}
	m, err := NewMatcher(p)
	if err != nil {
		t.Fatal(err)
	}
	if m.Match(liveFrame(nil, 6, 1)) { // port 502
		t.Error("port 502 matched ports 1-20")
	}
	f := liveFrame(nil, 17, 1)
	f[36], f[37] = 0, 20 // UDP destination port 20
	if !m.Match(f) {
		t.Error("port 20 not matched")
	}
}
