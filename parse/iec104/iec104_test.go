package iec104

import (
	"errors"
	"testing"

	"github.com/wirebom/wirebom/internal/corpustest"
)

// Frames from iec104_testdissect.pcap / iec104_javarmi_misc.pcap (hex as
// shown by tcpdump -X), with the values tshark reports for them.
var (
	// javarmi frame 17: I(2,1) M_SP_NA_1 SQ=1, 10 elements from IOA 10010,
	// COT 20 (interrogated by station), OA 1, CA 37133.
	frameSQ = []byte{0x68, 0x17, 0x04, 0x00, 0x02, 0x00, 0x01, 0x8a, 0x14, 0x01, 0x0d, 0x91,
		0x1a, 0x27, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	// STARTDT act.
	frameStartDT = []byte{0x68, 0x04, 0x07, 0x00, 0x00, 0x00}
	// S frame, N(R)=2.
	frameS = []byte{0x68, 0x04, 0x01, 0x00, 0x04, 0x00}
)

func TestDecodeKnown(t *testing.T) {
	var a APDU
	if err := a.Decode(frameSQ); err != nil {
		t.Fatal(err)
	}
	if a.Format != FormatI || a.SendSeq != 2 || a.RecvSeq != 1 || !a.HasASDU {
		t.Fatalf("APCI %+v", a)
	}
	s := a.ASDU
	if s.TypeID != 1 || !s.SQ || s.NumObjects != 10 || s.Cause != 20 || s.Originator != 1 || s.CommonAddr != 37133 || s.IOA != 10010 {
		t.Fatalf("ASDU %+v", s)
	}
	it := s.IOAs()
	var last uint32
	n := 0
	for v, ok := it.Next(); ok; v, ok = it.Next() {
		last = v
		n++
	}
	if n != 10 || last != 10019 {
		t.Fatalf("IOAs: n=%d last=%d", n, last)
	}
	if err := a.Decode(frameStartDT); err != nil || a.Format != FormatU || a.UFunc != StartDTAct || a.UFunc.String() != "STARTDT act" {
		t.Fatalf("U: %v %+v", err, a)
	}
	if err := a.Decode(frameS); err != nil || a.Format != FormatS || a.RecvSeq != 2 {
		t.Fatalf("S: %v %+v", err, a)
	}
}

func TestIterSeveralAPDUs(t *testing.T) {
	var seg []byte
	seg = append(seg, frameStartDT...)
	seg = append(seg, frameSQ...)
	seg = append(seg, frameS...)
	var it Iter
	it.Reset(seg)
	var formats []Format
	for it.Next() {
		if it.Err() != nil {
			t.Fatal(it.Err())
		}
		formats = append(formats, it.APDU().Format)
	}
	if it.Err() != nil || len(formats) != 3 || formats[0] != FormatU || formats[1] != FormatI || formats[2] != FormatS {
		t.Fatalf("formats %v err %v", formats, it.Err())
	}
	// A truncated last APDU is reported with its offset.
	it.Reset(seg[:len(seg)-2])
	n := 0
	for it.Next() {
		n++
	}
	var e *Error
	if n != 3 || !errors.Is(it.Err(), ErrTooShort) || !errors.As(it.Err(), &e) || e.Offset != len(seg)-2 {
		t.Fatalf("n=%d err=%v", n, it.Err())
	}
}

func TestCorrupt(t *testing.T) {
	var a APDU
	// Every truncation of a valid frame fails with ErrTooShort.
	for _, f := range [][]byte{frameSQ, frameStartDT, frameS} {
		for i := 0; i < len(f); i++ {
			if err := a.Decode(f[:i]); !errors.Is(err, ErrTooShort) {
				t.Errorf("len %d of %x: got %v", i, f, err)
			}
		}
	}
	cases := []struct {
		b    []byte
		want error
	}{
		{[]byte{0x68, 0x03, 0x07, 0, 0}, ErrBadLength},                                  // length < 4
		{[]byte{0x68, 0xff, 0x00, 0, 0, 0}, ErrBadLength},                               // length > 253
		{[]byte{0x68, 0x05, 0x07, 0, 0, 0, 0}, ErrBadLength},                            // U frame with payload
		{[]byte{0x68, 0x04, 0x00, 0, 0, 0}, ErrBadLength},                               // I frame without ASDU
		{[]byte{0x68, 0x06, 0x00, 0, 0, 0, 1, 1}, ErrBadLength},                         // ASDU shorter than header
		{[]byte{0x68, 0x0e, 0, 0, 0, 0, 1, 0x05, 6, 0, 1, 0, 0, 0, 0, 0}, ErrBadLength}, // 5 objects, room for 1
		{[]byte{0x69, 0x04, 0x07, 0, 0, 0}, ErrBadStart},
	}
	for _, c := range cases {
		if err := a.Decode(c.b); !errors.Is(err, c.want) {
			t.Errorf("%x: got %v want %v", c.b, err, c.want)
		}
	}
}

func TestZeroAllocs(t *testing.T) {
	var seg []byte
	seg = append(seg, frameStartDT...)
	seg = append(seg, frameSQ...)
	bad := []byte{0x68, 0x03, 0x07, 0, 0}
	var it Iter
	var a APDU
	allocs := testing.AllocsPerRun(100, func() {
		it.Reset(seg)
		for it.Next() {
			s := it.APDU().ASDU.IOAs()
			for _, ok := s.Next(); ok; _, ok = s.Next() {
			}
		}
		_ = a.Decode(bad)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per run", allocs)
	}
}

func BenchmarkDecodeI(b *testing.B) {
	var a APDU
	b.ReportAllocs()
	b.SetBytes(int64(len(frameSQ)))
	for b.Loop() {
		if err := a.Decode(frameSQ); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIterCorpus(b *testing.B) {
	var payloads [][]byte
	var total int64
	for _, name := range corpusFiles {
		for _, fr := range corpustest.ReadSegments(b, name) {
			if fr.Proto == 6 && (fr.SrcPort == Port || fr.DstPort == Port) && len(fr.Payload) > 0 {
				payloads = append(payloads, fr.Payload)
				total += int64(len(fr.Payload))
			}
		}
	}
	var it Iter
	it.Resync = true
	b.ReportAllocs()
	b.SetBytes(total)
	for b.Loop() {
		for _, p := range payloads {
			it.Reset(p)
			for it.Next() {
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(payloads)), "ns/payload")
}

func FuzzIEC104(f *testing.F) {
	for _, name := range corpusFiles {
		for _, fr := range corpustest.ReadSegments(f, name) {
			if fr.Proto == 6 && len(fr.Payload) > 0 {
				f.Add(fr.Payload)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var a APDU
		err := a.Decode(b)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > len(b) {
				t.Fatalf("untyped or out-of-range error %v", err)
			}
		} else if len(a.Raw) != 2+int(a.Length) {
			t.Fatalf("Raw %d octets, length %d", len(a.Raw), a.Length)
		}
		if a.HasASDU {
			it := a.ASDU.IOAs()
			n := 0
			for _, ok := it.Next(); ok; _, ok = it.Next() {
				n++
			}
			if n > int(a.ASDU.NumObjects) {
				t.Fatalf("%d IOAs for %d objects", n, a.ASDU.NumObjects)
			}
		}
		for _, resync := range []bool{false, true} {
			var it Iter
			it.Resync = resync
			it.Reset(b)
			prev := -1
			for it.Next() {
				if it.Offset() <= prev {
					t.Fatal("iterator did not advance")
				}
				prev = it.Offset()
			}
		}
	})
}

// BenchmarkEndToEnd reads the corpus pcaps from memory with pcapgo, strips
// Ethernet/IP/TCP and decodes every IEC 104 APDU: the same work as
// `tshark -r FILE -T fields -e iec60870_104.apdulen ...` minus printing.
func BenchmarkEndToEnd(b *testing.B) {
	imgs := corpustest.PcapImages(b, corpusFiles)
	var it Iter
	it.Resync = true
	frames := 0
	b.ReportAllocs()
	for b.Loop() {
		for _, img := range imgs {
			frames += corpustest.EachSegment(b, img, func(fr corpustest.Segment) {
				if fr.Proto == 6 && (fr.SrcPort == Port || fr.DstPort == Port) {
					it.Reset(fr.Payload)
					for it.Next() {
					}
				}
			})
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(frames), "ns/frame")
}
