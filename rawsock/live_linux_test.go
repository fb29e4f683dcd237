//go:build linux

package rawsock

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/wirebom/wirebom/internal/netns"
)

func openIn(t *testing.T, ns, link string, cfg Config) Source {
	t.Helper()
	var src Source
	err := netns.Do(ns, func() (err error) {
		src, err = Open(link, cfg)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

func TestLiveCaptureEveryFrame(t *testing.T) {
	p := netns.New(t)
	src := openIn(t, p.NSA, p.LinkA, Config{})
	if !src.Ring() {
		t.Fatal("expected a TPACKET_V3 ring")
	}
	inj := injectorIn(t, p)

	const total = 100000
	sendErr := make(chan error, 1)
	go func() {
		for i := uint32(0); i < total; i++ {
			f, _ := netns.NumberedFrame(i)
			if err := inj.Send(f); err != nil {
				sendErr <- err
				return
			}
		}
		sendErr <- nil
	}()

	var b Batch
	next := uint32(0)
	tagged := map[uint16]int{}
	for next < total {
		if err := src.ReadBatch(&b); err != nil {
			t.Fatal(err)
		}
		for _, f := range b.Frames {
			seq, ok := netns.SeqOf(f.Data)
			if !ok {
				t.Fatalf("foreign frame on the test link: %x", f.Data[:min(len(f.Data), 32)])
			}
			if seq != next {
				t.Fatalf("frame %d arrived when %d was expected (lost or reordered)", seq, next)
			}
			want, vid := netns.NumberedFrame(seq)
			if !bytes.Equal(f.Data, want) {
				t.Fatalf("frame %d bytes differ:\n got %x\nwant %x", seq, f.Data[:min(32, len(f.Data))], want[:min(32, len(want))])
			}
			if f.HasVLAN != (vid != 0) || f.VLAN != vid || f.Length != len(want) {
				t.Fatalf("frame %d: VLAN %v/%d length %d, want %d/%d", seq, f.HasVLAN, f.VLAN, f.Length, vid, len(want))
			}
			tagged[vid]++
			next++
		}
		b.Release()
	}
	if err := <-sendErr; err != nil {
		t.Fatal(err)
	}
	st, err := src.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Dropped != 0 || st.Captured != total || st.Received != total || st.CorruptBlocks != 0 {
		t.Fatalf("stats %+v, want %d received and captured, none dropped", st, total)
	}
	if len(tagged) != 5 {
		t.Fatalf("VLAN IDs seen: %v", tagged)
	}
}

// injectorIn opens an injector on p's second namespace, closed when the
// test ends.
func injectorIn(t *testing.T, p *netns.Pair) *netns.Injector {
	t.Helper()
	inj, err := netns.NewInjector(p.NSB, p.LinkB)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inj.Close() })
	return inj
}

// sendNumbered injects numbered frames 0 to n-1 from p's second namespace.
func sendNumbered(p *netns.Pair, n uint32) error {
	inj, err := netns.NewInjector(p.NSB, p.LinkB)
	if err != nil {
		return err
	}
	defer inj.Close()
	for i := uint32(0); i < n; i++ {
		f, _ := netns.NumberedFrame(i)
		if err := inj.Send(f); err != nil {
			return err
		}
	}
	return nil
}

// TestLiveRecords captures numbered frames through ReadRecords (the direct
// path of a capture that only writes a file), with a limit, into pcap and
// pcapng, and reads the files back with pcapgo: every frame up to the
// limit, in order, byte for byte, with its VLAN tag back in place.
func TestLiveRecords(t *testing.T) {
	for _, format := range []FileFormat{FormatPcap, FormatPcapng} {
		t.Run([]string{"pcap", "pcapng"}[format], func(t *testing.T) {
			p := netns.New(t)
			src := openIn(t, p.NSA, p.LinkA, Config{})
			rr, ok := src.(RecordReader)
			if !ok {
				t.Fatalf("%T is not a RecordReader", src)
			}
			const sent, limit = 20000, 15000
			// Sent while the test reads, as a sender would, and checked
			// after reading: the test reads only limit frames.
			sent2 := make(chan struct{})
			go func() {
				defer close(sent2)
				if err := sendNumbered(p, sent); err != nil {
					t.Error(err)
				}
			}()
			defer func() { <-sent2 }()
			var file bytes.Buffer
			w, err := NewWriter(&file, format, LinkTypeEthernet, DefaultSnaplen)
			if err != nil {
				t.Fatal(err)
			}
			var wire uint64
			for got := 0; got < limit; {
				n, b, err := rr.ReadRecords(w, limit-got)
				if err != nil {
					t.Fatal(err)
				}
				got, wire = got+n, wire+b
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			_, _, wires, data := readBack(t, file.Bytes(), format)
			if len(data) != limit {
				t.Fatalf("%d frames in the file, want %d", len(data), limit)
			}
			var wantWire uint64
			for i, d := range data {
				want, _ := netns.NumberedFrame(uint32(i))
				if !bytes.Equal(d, want) || wires[i] != len(want) {
					t.Fatalf("frame %d (wire length %d) differs:\n got %x\nwant %x", i, wires[i], d[:min(32, len(d))], want[:min(32, len(want))])
				}
				wantWire += uint64(len(want))
			}
			if wire != wantWire {
				t.Fatalf("ReadRecords counted %d bytes on the wire, the frames have %d", wire, wantWire)
			}
			if st, _ := src.Stats(); st.Captured < limit || st.CorruptBlocks != 0 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

// TestLiveBehind sends ~20 MB while nobody reads, then reads it all, by
// batches and by records: the first blocks must say the reader is
// MaxBehind blocks behind (Batch.Behind, RecordReader.Behind), and the
// block that says nothing waits behind it must come after every block the
// kernel had handed over before the reading began.
func TestLiveBehind(t *testing.T) {
	reads := map[string]func(src Source) (frames, behind int){
		"batches": func(src Source) (int, int) {
			var b Batch
			if err := src.ReadBatch(&b); err != nil {
				t.Fatal(err)
			}
			defer b.Release()
			return len(b.Frames), b.Behind
		},
		"records": func(src Source) (int, int) {
			w, err := NewWriter(io.Discard, FormatPcap, LinkTypeEthernet, DefaultSnaplen)
			if err != nil {
				t.Fatal(err)
			}
			rr := src.(RecordReader)
			n, _, err := rr.ReadRecords(w, 0)
			if err != nil {
				t.Fatal(err)
			}
			return n, rr.Behind()
		},
	}
	for name, read := range reads {
		t.Run(name, func(t *testing.T) {
			p := netns.New(t)
			src := openIn(t, p.NSA, p.LinkA, Config{})
			const total = 25000 // ~800 bytes each: ~80 blocks of 256 KiB
			if err := sendNumbered(p, total); err != nil {
				t.Fatal(err)
			}
			h, ok := src.(*ringHandle)
			if !ok {
				t.Fatalf("%T is not the ring", src)
			}
			ready := waitRetired(t, h, total/2)
			// Read until a block says nothing waits behind it.
			var behind []int
			frames := 0
			for len(behind) == 0 || behind[len(behind)-1] > 0 {
				n, b := read(src)
				frames += n
				behind = append(behind, b)
			}
			if frames < ready {
				t.Fatalf("%d frames read when a block said nothing waits behind it, %d were ready before reading", frames, ready)
			}
			if len(behind) < MaxBehind+2 || behind[0] != MaxBehind {
				st, _ := src.Stats()
				t.Fatalf("Behind of the %d blocks: %v (want %d first; stats %+v)", len(behind), behind, MaxBehind, st)
			}
			for i := 1; i < len(behind); i++ {
				if behind[i] > behind[i-1] && behind[i-1] < MaxBehind {
					t.Fatalf("Behind grew while nothing was sent: %v", behind)
				}
			}
		})
	}
}

// waitRetired waits until the kernel has handed over blocks holding at
// least n frames from the next one to read on (frames sent may still be
// crossing the veth) and returns how many they hold. It fails the test
// after 30 s.
func waitRetired(t *testing.T, h *ringHandle, n int) int {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		h.mu.Lock()
		got := 0
		for i := 0; i < h.nblocks; i++ {
			blk := h.block((h.next + i) % h.nblocks)
			if blockStatus(blk)&tpStatusUser == 0 {
				break
			}
			got += int(binary.LittleEndian.Uint32(blk[bdNumPkts:]))
		}
		h.mu.Unlock()
		if got >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s the kernel has handed over blocks with %d of the %d frames sent", got, n)
		}
	}
}

// TestLiveStatsAccumulate checks that counters survive the kernel's
// reset-on-read: two reads with traffic in between add up.
func TestLiveStatsAccumulate(t *testing.T) {
	p := netns.New(t)
	src := openIn(t, p.NSA, p.LinkA, Config{})
	inj := injectorIn(t, p)
	var b Batch
	read := func(n uint32, from uint32) {
		for i := from; i < from+n; i++ {
			f, _ := netns.NumberedFrame(i)
			if err := inj.Send(f); err != nil {
				t.Fatal(err)
			}
		}
		for got := uint32(0); got < n; {
			if err := src.ReadBatch(&b); err != nil {
				t.Fatal(err)
			}
			got += uint32(len(b.Frames))
			b.Release()
		}
	}
	read(300, 0)
	s1, _ := src.Stats()
	read(200, 300)
	s2, _ := src.Stats()
	if s1.Received != 300 || s2.Received != 500 {
		t.Fatalf("received after first read %d (want 300), after second %d (want 500)", s1.Received, s2.Received)
	}
	src.Close()
	s3, _ := src.Stats()
	if s3.Received != 500 {
		t.Fatalf("stats after Close: %+v", s3)
	}
}

func TestLiveFanoutUnion(t *testing.T) {
	p := netns.New(t)
	const workers, total = 2, 20000
	srcs := make([]Source, workers)
	for i := range srcs {
		srcs[i] = openIn(t, p.NSA, p.LinkA, Config{FanoutGroup: 0x5eed, FanoutMode: FanoutLB})
	}
	inj := injectorIn(t, p)

	var mu sync.Mutex
	seen := make([]int, total)
	perWorker := make([]int, workers)
	count := 0
	done := make(chan struct{})
	var wg sync.WaitGroup
	for w, src := range srcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b Batch
			for {
				if err := src.ReadBatch(&b); err != nil {
					if !errors.Is(err, ErrClosed) {
						t.Error(err)
					}
					return
				}
				mu.Lock()
				for _, f := range b.Frames {
					if seq, ok := netns.SeqOf(f.Data); ok && seq < total {
						seen[seq]++
						perWorker[w]++
						count++
					}
				}
				if count == total {
					close(done)
				}
				mu.Unlock()
				b.Release()
			}
		}()
	}
	for i := uint32(0); i < total; i++ {
		f, _ := netns.NumberedFrame(i)
		if err := inj.Send(f); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-done:
	case <-time.After(time.Minute): // a bound on a hang, not a timing assertion
		t.Error("not every frame arrived")
	}
	var sum Stats
	for _, s := range srcs {
		s.Close()
		st, _ := s.Stats()
		sum = sum.Add(st)
	}
	wg.Wait()
	if sum.Dropped != 0 {
		t.Fatalf("kernel dropped frames: %+v", sum)
	}
	for seq, n := range seen {
		if n != 1 {
			t.Fatalf("frame %d captured %d times across the fanout group", seq, n)
		}
	}
	for w, n := range perWorker {
		if n == 0 {
			t.Fatalf("worker %d got nothing: fanout did not spread the load (%v)", w, perWorker)
		}
	}
}

// TestLiveCloseUnblocks fails by hanging if Close does not wake a reader
// parked on an idle link.
func TestLiveCloseUnblocks(t *testing.T) {
	p := netns.New(t)
	src := openIn(t, p.NSA, p.LinkA, Config{})
	errc := make(chan error, 1)
	go func() {
		var b Batch
		errc <- src.ReadBatch(&b)
	}()
	time.Sleep(50 * time.Millisecond) // let the reader park; correctness does not depend on it
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Fatalf("ReadBatch after Close: %v, want ErrClosed", err)
	}
}

// TestLiveInterfaceGone deletes the veth under a running capture.
func TestLiveInterfaceGone(t *testing.T) {
	p := netns.New(t)
	src := openIn(t, p.NSA, p.LinkA, Config{})
	errc := make(chan error, 1)
	go func() {
		var b Batch
		for {
			if err := src.ReadBatch(&b); err != nil {
				errc <- err
				return
			}
			b.Release()
		}
	}()
	if out, err := netns.Command(p.NSA, "ip", "link", "del", p.LinkA).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if err := <-errc; !errors.Is(err, ErrInterfaceGone) {
		t.Fatalf("ReadBatch after the link was deleted: %v, want ErrInterfaceGone", err)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open("no-such-if0", Config{}); !errors.Is(err, ErrNoSuchInterface) {
		t.Fatalf("unknown interface: %v", err)
	}
	p := netns.New(t)
	if out, err := netns.Command(p.NSA, "ip", "link", "set", p.LinkA, "down").CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	err := netns.Do(p.NSA, func() error { _, err := Open(p.LinkA, Config{}); return err })
	if !errors.Is(err, ErrInterfaceDown) {
		t.Fatalf("down interface: %v", err)
	}
}

// numberedIPv4 is a UDP/IPv4 packet (10.9.0.1:4000 > 10.9.0.2:5000) whose
// payload carries seq, with valid checksums.
func numberedIPv4(t *testing.T, seq uint32) []byte {
	t.Helper()
	ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: layers.IPProtocolUDP,
		SrcIP: net.IPv4(10, 9, 0, 1).To4(), DstIP: net.IPv4(10, 9, 0, 2).To4()}
	udp := &layers.UDP{SrcPort: 4000, DstPort: 5000}
	if err := udp.SetNetworkLayerForChecksum(ip); err != nil {
		t.Fatal(err)
	}
	payload := binary.BigEndian.AppendUint32([]byte("wirebom-tun-"), seq)
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ip, udp, gopacket.Payload(payload)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestLiveTun: a tun interface carries bare IP packets; the ring hands them
// over as they were written, under LINKTYPE_RAW.
func TestLiveTun(t *testing.T) {
	p := netns.New(t)
	tun := netns.NewTun(t, p.NSA, "wbtun0", 0)
	for _, noRing := range []bool{false, true} {
		var lt LinkType
		if err := netns.Do(p.NSA, func() (err error) { lt, err = InterfaceLinkType("wbtun0"); return err }); err != nil || lt != LinkTypeRaw {
			t.Fatalf("InterfaceLinkType(tun) = %v, %v; want RAW", lt, err)
		}
		src := openIn(t, p.NSA, "wbtun0", Config{NoRing: noRing, RetireTimeout: time.Millisecond})
		if src.LinkType() != LinkTypeRaw || src.Ring() == noRing {
			t.Fatalf("tun (NoRing %v): link type %v, ring %v", noRing, src.LinkType(), src.Ring())
		}
		const total = 200
		for i := uint32(0); i < total; i++ {
			if _, err := tun.Write(numberedIPv4(t, i)); err != nil {
				t.Fatal(err)
			}
		}
		var b Batch
		next := uint32(0)
		for next < total {
			if err := src.ReadBatch(&b); err != nil {
				t.Fatal(err)
			}
			for _, f := range b.Frames {
				want := numberedIPv4(t, next)
				if !bytes.Equal(f.Data, want) || f.Length != len(want) || f.HasVLAN {
					t.Fatalf("packet %d (NoRing %v):\n got %x (length %d, vlan %v)\nwant %x", next, noRing, f.Data, f.Length, f.HasVLAN, want)
				}
				next++
			}
			b.Release()
		}
		src.Close()
	}
}

// TestOpenRefusesOtherFraming: a hardware type whose framing wirebom does
// not know (here PPP, set on a tun with TUNSETLINK) must not be captured
// under a wrong link type.
func TestOpenRefusesOtherFraming(t *testing.T) {
	p := netns.New(t)
	const arphrdPPP = 512
	netns.NewTun(t, p.NSA, "wbppp0", arphrdPPP)
	var lterr error
	err := netns.Do(p.NSA, func() error {
		_, lterr = InterfaceLinkType("wbppp0")
		s, err := Open("wbppp0", Config{})
		if err == nil {
			s.Close()
		}
		return err
	})
	for _, e := range []error{err, lterr} {
		var he *HardwareTypeError
		if !errors.Is(e, ErrNotSupported) || !errors.As(e, &he) || he.Type != arphrdPPP ||
			!strings.Contains(e.Error(), "wbppp0 has hardware type 512") || strings.Contains(e.Error(), ErrNotSupported.Error()) {
			t.Fatalf("Open(ppp) = %v, want a HardwareTypeError naming the interface and type, not claiming the OS is unsupported", e)
		}
	}
}

// TestLiveFallback captures through the plain packet socket used where no
// ring can be set up.
func TestLiveFallback(t *testing.T) {
	p := netns.New(t)
	src := openIn(t, p.NSA, p.LinkA, Config{NoRing: true})
	if src.Ring() {
		t.Fatal("NoRing gave a ring")
	}
	inj := injectorIn(t, p)
	const total = 500
	go func() {
		for i := uint32(0); i < total; i++ {
			f, _ := netns.NumberedFrame(i)
			if err := inj.Send(f); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	// Hold every batch until the end: each must keep its own bytes.
	var held []*Batch
	for len(held) < total {
		b := new(Batch)
		if err := src.ReadBatch(b); err != nil {
			t.Fatal(err)
		}
		held = append(held, b)
	}
	for i, b := range held {
		seq, ok := netns.SeqOf(b.Frames[0].Data)
		if !ok || seq != uint32(i) {
			t.Fatalf("batch %d holds frame %d (ok=%v): buffers were reused while lent", i, seq, ok)
		}
		b.Release()
	}
}

// TestLiveLoopbackOnce checks that a datagram over loopback is captured
// once, not twice (outgoing and incoming), with the ring and the fallback.
func TestLiveLoopbackOnce(t *testing.T) {
	p := netns.New(t)
	for _, noRing := range []bool{false, true} {
		src := openIn(t, p.NSA, "lo", Config{NoRing: noRing})
		err := netns.Do(p.NSA, func() error {
			// A listener, so that no ICMP port unreachable comes back.
			l, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			defer l.Close()
			c, err := net.Dial("udp", l.LocalAddr().String())
			if err != nil {
				return err
			}
			defer c.Close()
			_, err = c.Write([]byte("wirebom loopback test"))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond) // let the block timeout pass; counted below, not timed
		src.Close()
		st, _ := src.Stats()
		if st.Received != 1 {
			t.Fatalf("noRing=%v: loopback datagram received %d times, want once", noRing, st.Received)
		}
	}
}

// TestLiveRingRidesOutStalledReader: frames at 500/s, each retire period
// closing a block with a few frames in it, for 2 s in which nobody reads.
// The default ring must keep them all: at rates where blocks close on the
// timer, not full, it holds blocks × timeout of traffic (256 × 12 ms with
// the defaults; 128 × 8 ms = 1 s before, when half of these were lost).
func TestLiveRingRidesOutStalledReader(t *testing.T) {
	p := netns.New(t)
	src := openIn(t, p.NSA, p.LinkA, Config{})
	inj := injectorIn(t, p)
	const rate, stall = 500, 2 * time.Second
	sent := 0
	// Paced by the clock, not by a count: a slow sender must not stretch
	// the stall beyond 2 s.
	for start := time.Now(); time.Since(start) < stall; sent++ {
		time.Sleep(time.Until(start.Add(time.Duration(sent) * time.Second / rate)))
		f, _ := netns.NumberedFrame(uint32(sent))
		if err := inj.Send(f); err != nil {
			t.Fatal(err)
		}
	}
	st, err := src.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Dropped != 0 || st.Received == 0 {
		t.Fatalf("%d frames sent over %v with nobody reading: the kernel received %d and dropped %d", sent, stall, st.Received, st.Dropped)
	}
}
