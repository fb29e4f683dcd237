package parse

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/wirebom/wirebom/parse/modbus"
)

type corpusFrame struct {
	name string
	ci   gopacket.CaptureInfo
	data []byte
	lt   LinkType
}

// loadCorpus reads every frame of the corpus captures in testdata.
func loadCorpus(tb testing.TB) []corpusFrame {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "corpus", "pcaps", "*"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no corpus captures: %v", err)
	}
	sort.Strings(files)
	var out []corpusFrame
	for _, fn := range files {
		f, err := os.Open(fn)
		if err != nil {
			tb.Fatal(err)
		}
		cr, err := OpenCapture(f)
		if err != nil {
			tb.Fatalf("%s: %v", fn, err)
		}
		for {
			data, ci, lt, err := cr.ReadPacket()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				tb.Fatalf("%s: %v", fn, err)
			}
			out = append(out, corpusFrame{filepath.Base(fn), ci, append([]byte(nil), data...), lt})
		}
		f.Close()
	}
	return out
}

// mixFrames is the benchmark mix: every Ethernet frame of the corpus
// (gopacket.NewPacket is given LinkTypeEthernet, as the comparison asks).
func mixFrames(tb testing.TB) []corpusFrame {
	var out []corpusFrame
	for _, f := range loadCorpus(tb) {
		if f.lt == LinkTypeEthernet {
			out = append(out, f)
		}
	}
	return out
}

// TestDecodeAllocs checks that decoding (all layers, the industrial one
// included) does not allocate in steady state, over every corpus frame.
func TestDecodeAllocs(t *testing.T) {
	frames := loadCorpus(t)
	d := NewDecoder()
	// Warm up: buffers that grow to their steady size (DNS names, DHCP
	// options, TCP options) are allocated once per Decoder.
	for _, f := range frames {
		d.DecodeCapture(f.ci, f.data, f.lt)
	}
	var failed []string
	perFile := map[string]float64{}
	for _, f := range frames {
		f := f
		n := testing.AllocsPerRun(20, func() {
			_, err := d.DecodeCapture(f.ci, f.data, f.lt)
			_ = err
		})
		if n > perFile[f.name] {
			perFile[f.name] = n
		}
	}
	for name, n := range perFile {
		if n > 0 {
			failed = append(failed, name)
			t.Logf("%s: up to %.1f allocs per Decode", name, n)
		}
	}
	// Frames whose decoder reports an error may allocate the error value
	// (fmt.Errorf in gopacket's layers and ours); the steady state of
	// well-formed traffic must be zero.
	good := 0
	var allocGood []string
	for _, f := range frames {
		if _, err := d.DecodeCapture(f.ci, f.data, f.lt); err != nil {
			continue
		}
		good++
		f := f
		if n := testing.AllocsPerRun(20, func() { d.DecodeCapture(f.ci, f.data, f.lt) }); n != 0 {
			allocGood = append(allocGood, f.name)
		}
	}
	if len(allocGood) > 0 {
		t.Errorf("%d well-formed frames allocate in Decode (files %v)", len(allocGood), allocGood)
	}
	t.Logf("%d frames, %d decode without error, all of those with 0 allocs; files with allocating error frames: %v", len(frames), good, failed)
}

// modbusDeviceIDError reports a Modbus Read Device Identification PDU that
// parse/modbus rejects: its error value is allocated (modbus.Error).
func modbusDeviceIDError(p *Packet) bool {
	if p.Proto != ProtoModbus {
		return false
	}
	a := &p.OT.Modbus
	if a.Function() != 43 || a.IsException() {
		return false
	}
	isReq, _ := modbus.IsRequest(uint16(p.TCP.SrcPort), uint16(p.TCP.DstPort))
	_, err := a.ReadDeviceID(isReq)
	return err != nil
}

// TestSummaryJSONAllocs: formatting a summary or JSON line does not
// allocate either, once buffers have grown, except for the lazily decoded
// LLDP, CDP (gopacket.NewPacket) and DNS (gopacket allocates EDNS records)
// and parse/modbus's allocated errors.
func TestSummaryJSONAllocs(t *testing.T) {
	frames := loadCorpus(t)
	d := NewDecoder()
	var e JSONEncoder
	buf := make([]byte, 0, 1<<16)
	for _, f := range frames {
		p, err := d.DecodeCapture(f.ci, f.data, f.lt)
		buf = AppendSummary(buf[:0], p, err, SummaryOptions{UTC: true})
		buf = e.AppendPacket(buf[:0], 1, p, err)
	}
	for _, f := range frames {
		p, err := d.DecodeCapture(f.ci, f.data, f.lt)
		if err != nil || p.Proto == ProtoLLDP || p.Proto == ProtoCDP || p.Proto == ProtoDNS || modbusDeviceIDError(p) {
			continue
		}
		n := testing.AllocsPerRun(10, func() {
			buf = AppendSummary(buf[:0], p, nil, SummaryOptions{UTC: true})
			buf = e.AppendPacket(buf[:0], 1, p, nil)
		})
		if n != 0 {
			t.Errorf("%s: %q: %.1f allocs", f.name, AppendSummary(nil, p, nil, SummaryOptions{UTC: true}), n)
			return
		}
	}
}

// BenchmarkDecode compares our Decoder with gopacket.NewPacket on the same
// frames (every Ethernet frame of the corpus, in order), per packet. Besides
// ns/op (wall) it reports cpu-ns/op, the CPU time of the process (GC included).
func BenchmarkDecode(b *testing.B) {
	frames := mixFrames(b)
	var bytes int64
	for _, f := range frames {
		bytes += int64(len(f.data))
	}
	avg := bytes / int64(len(frames))
	run := func(b *testing.B, decode func(f *corpusFrame)) {
		lockThread()
		defer unlockThread()
		b.ReportAllocs()
		b.SetBytes(avg)
		start := threadCPU()
		n := 0
		for i := 0; b.Loop(); i++ {
			decode(&frames[i%len(frames)])
			n++
		}
		if cpu := threadCPU() - start; cpu > 0 && n > 0 {
			b.ReportMetric(float64(cpu)/float64(n), "cpu-ns/op")
		}
	}
	b.Run("wirebom", func(b *testing.B) {
		d := NewDecoder()
		run(b, func(f *corpusFrame) { d.DecodeCapture(f.ci, f.data, f.lt) })
	})
	b.Run("gopacket-NewPacket", func(b *testing.B) {
		run(b, func(f *corpusFrame) {
			p := gopacket.NewPacket(f.data, layers.LinkTypeEthernet, gopacket.Default)
			_ = p.Layers()
		})
	})
	b.Run("gopacket-DecodingLayerParser", func(b *testing.B) {
		// gopacket's own zero-copy path with the same common layers, no
		// industrial layer: the floor our Decoder builds on.
		var (
			eth layers.Ethernet
			d1q layers.Dot1Q
			arp layers.ARP
			ip4 layers.IPv4
			ip6 layers.IPv6
			tcp layers.TCP
			udp layers.UDP
		)
		p := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &eth, &d1q, &arp, &ip4, &ip6, &tcp, &udp)
		p.IgnoreUnsupported = true
		decoded := make([]gopacket.LayerType, 0, 8)
		run(b, func(f *corpusFrame) { p.DecodeLayers(f.data, &decoded) })
	})
}
