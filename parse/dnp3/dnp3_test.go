package dnp3

import (
	"errors"
	"testing"

	"github.com/wirebom/wirebom/internal/corpustest"
)

// firstPayload returns the first non-empty DNP3 payload of a corpus file.
func payloadOf(t testing.TB, name string, frame int) []byte {
	t.Helper()
	for _, fr := range corpustest.ReadSegments(t, name) {
		if fr.Num == frame {
			return fr.Payload
		}
	}
	t.Fatalf("%s: no frame %d", name, frame)
	return nil
}

func TestCRCKnownValue(t *testing.T) {
	// Link header of dnp3_read_and_response frame 4 (tcpdump -X:
	// 0564 14c4 0a00 0100 | 8fed): the CRC octets as sent, little-endian.
	hdr := []byte{0x05, 0x64, 0x14, 0xc4, 0x0a, 0x00, 0x01, 0x00}
	if got := CRC(hdr); got != 0xed8f {
		t.Fatalf("CRC = %#04x, want 0xed8f", got)
	}
	// Data block of the same frame: c0c0 013c 0206 3c03 063c 0406 3c01 06 | 8a51.
	blk := []byte{0xc0, 0xc0, 0x01, 0x3c, 0x02, 0x06, 0x3c, 0x03, 0x06, 0x3c, 0x04, 0x06, 0x3c, 0x01, 0x06}
	if got := CRC(blk); got != 0x518a {
		t.Fatalf("block CRC = %#04x, want 0x518a", got)
	}
}

func TestDecodeRealFrames(t *testing.T) {
	// dnp3_read_and_response frame 4: a class 0123 READ, length 20, one
	// 15-octet data block.
	p := payloadOf(t, "dnp3_read_and_response", 4)
	var f Frame
	if err := f.Decode(p); err != nil {
		t.Fatal(err)
	}
	if len(f.Raw) != len(p) || len(f.UserData) != int(f.Length)-MinLength || !f.HasApp || f.App.Func != FuncRead {
		t.Fatalf("%+v", f)
	}
	if o := f.App.Object; o.Group != 60 || o.Variation != 2 || o.RangeCode() != 6 {
		t.Fatalf("object %+v", o)
	}
	// dnp3_unsolicited_and_confirm frame 4: unsolicited null response with IIN.
	p = payloadOf(t, "dnp3_unsolicited_and_confirm", 4)
	if err := f.Decode(p); err != nil {
		t.Fatal(err)
	}
	if !f.App.UNS || !f.App.HasIIN || f.App.Func != FuncUnsolicitedResponse || f.HasApp && f.App.HasObject {
		t.Fatalf("%+v", f.App)
	}
}

func TestCRCErrorKeepsFields(t *testing.T) {
	p := append([]byte(nil), payloadOf(t, "dnp3_read_and_response", 4)...)
	var f Frame
	p[12] ^= 0xff // inside the first data block
	err := f.Decode(p)
	var e *Error
	if !errors.Is(err, ErrBadCRC) || !errors.As(err, &e) || e.Offset != 10+15 {
		t.Fatalf("got %v", err)
	}
	if f.Dst != 10 || f.Src != 1 || !f.HasTransport {
		t.Fatalf("fields lost on CRC error: %+v", f)
	}
	p[12] ^= 0xff
	p[4] ^= 1 // destination: header CRC
	if err := f.Decode(p); !errors.Is(err, ErrBadCRC) || f.Dst != 11 || !f.HasApp {
		t.Fatalf("header CRC: %v %+v", err, f)
	}
}

func TestCorrupt(t *testing.T) {
	p := payloadOf(t, "dnp3_read_and_response", 4)
	var f Frame
	for i := 0; i < len(p); i++ {
		if err := f.Decode(p[:i]); !errors.Is(err, ErrTooShort) {
			t.Errorf("truncated to %d: %v", i, err)
		}
	}
	bad := append([]byte(nil), p[:10]...)
	bad[2] = 4
	if err := f.Decode(bad); !errors.Is(err, ErrBadLength) {
		t.Errorf("length 4: %v", err)
	}
	if err := f.Decode([]byte{0x05, 0x65, 5, 0, 0, 0, 0, 0, 0, 0}); !errors.Is(err, ErrBadStart) {
		t.Errorf("start: %v", err)
	}
	var a App
	for _, c := range [][]byte{{0xc0}, {0xc0, 0x81, 0}, {0xc0, 1, 60}, {0xc0, 1, 1, 2, 0x01, 0}} {
		if err := a.Decode(c); !errors.Is(err, ErrBadLength) {
			t.Errorf("app %x: %v", c, err)
		}
	}
	if err := a.Decode([]byte{0xc0, 1, 60, 2, 0x0f}); !errors.Is(err, ErrBadQualifier) || !a.HasObject {
		t.Errorf("reserved range code: %v", err)
	}
	// Object counts that claim more data than the fragment holds.
	for _, c := range [][]byte{
		{0xc0, 0x81, 0, 0, 30, 1, 0x09, 0xff, 0xff, 0xff, 0xff, 1, 2, 3},   // g30v1, 4G objects
		{0xc0, 0x81, 0, 0, 1, 1, 0x02, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}, // packed, 4G points
		{0xc0, 0x81, 0, 0, 70, 5, 0x5b, 0x01, 0xff, 0xff},                  // size prefix 0xffff
	} {
		if err := a.Decode(c); err != nil {
			t.Fatalf("%x: %v", c, err)
		}
		it := a.ObjectIter()
		for it.Next() {
		}
		if !errors.Is(it.Err(), ErrBadLength) {
			t.Errorf("%x: walk %v", c, it.Err())
		}
	}
}

func TestIterSeveralFrames(t *testing.T) {
	a := payloadOf(t, "dnp3_read_and_response", 4)
	b := payloadOf(t, "dnp3_unsolicited_and_confirm", 4)
	seg := append(append(append([]byte(nil), a...), b...), a[:7]...)
	var it Iter
	it.Reset(seg)
	var n int
	var lastErr error
	for it.Next() {
		n++
		lastErr = it.Err()
	}
	if n != 3 || !errors.Is(lastErr, ErrTooShort) {
		t.Fatalf("n=%d last=%v", n, lastErr)
	}
	var e *Error
	if !errors.As(lastErr, &e) || e.Offset != len(a)+len(b)+7 {
		t.Fatalf("offset %v", lastErr)
	}
}

func TestZeroAllocs(t *testing.T) {
	p := payloadOf(t, "dnp3_read_and_response", 6) // 255-octet first segment
	bad := append([]byte(nil), p...)
	bad[20] ^= 1
	var it Iter
	var f Frame
	allocs := testing.AllocsPerRun(100, func() {
		it.Reset(p)
		for it.Next() {
		}
		_ = f.Decode(bad)
		oi := f.App.ObjectIter()
		for oi.Next() {
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations", allocs)
	}
}

func BenchmarkDecodeMaxFrame(b *testing.B) {
	p := payloadOf(b, "dnp3_read_and_response", 6)
	var f Frame
	b.ReportAllocs()
	b.SetBytes(int64(WireLen(255)))
	for b.Loop() {
		if err := f.Decode(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIterCorpus(b *testing.B) {
	var payloads [][]byte
	var total int64
	for _, name := range corpusFiles {
		for _, fr := range corpustest.ReadSegments(b, name) {
			if (fr.SrcPort == Port || fr.DstPort == Port) && len(fr.Payload) > 0 {
				payloads = append(payloads, fr.Payload)
				total += int64(len(fr.Payload))
			}
		}
	}
	var it Iter
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

func FuzzDNP3(f *testing.F) {
	for _, name := range corpusFiles {
		for _, fr := range corpustest.ReadSegments(f, name) {
			if len(fr.Payload) > 0 {
				f.Add(fr.Payload)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if CRC(b) != crcBitwise(b) {
			t.Fatal("CRC differs from the bitwise reference")
		}
		var fr Frame
		err := fr.Decode(b)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > len(b) {
				t.Fatalf("bad error %v", err)
			}
		}
		if len(fr.UserData) > MaxUserData || len(fr.Raw) > len(b) {
			t.Fatalf("sizes: user %d raw %d", len(fr.UserData), len(fr.Raw))
		}
		if err == nil && len(fr.Raw) != WireLen(fr.Length) {
			t.Fatalf("Raw %d, WireLen %d", len(fr.Raw), WireLen(fr.Length))
		}
		var a App
		_ = a.Decode(b)
		oi := a.ObjectIter()
		walked := 0
		for oi.Next() {
			o := oi.Object()
			_, _, _ = DeviceAttribute(o)
			walked += len(o.Data) + 3
			if walked > len(b)+3*len(b) {
				t.Fatal("object walk did not terminate")
			}
		}
		var it Iter
		var r Reassembler
		it.Reset(b)
		prev := -1
		for it.Next() {
			if it.Offset() <= prev {
				t.Fatal("iterator did not advance")
			}
			prev = it.Offset()
			if frag, _ := r.Add(it.Frame()); len(frag) > MaxFragment {
				t.Fatal("fragment longer than MaxFragment")
			}
		}
	})
}

// TestReassembledObjects joins the transport payloads of
// dnp3_read_and_response frames 6 (FIR) and 8 (FIN), as a caller doing
// transport reassembly would, and checks every object header against the
// al_obj tshark reports on frame 8.
func TestReassembledObjects(t *testing.T) {
	var frag []byte
	var f Frame
	for _, n := range []int{6, 8} {
		if err := f.Decode(payloadOf(t, "dnp3_read_and_response", n)); err != nil {
			t.Fatalf("frame %d: %v", n, err)
		}
		frag = append(frag, f.UserData[1:]...)
	}
	var a App
	if err := a.Decode(frag); err != nil {
		t.Fatal(err)
	}
	rec := corpustest.ReadOracle(t, "dnp3_read_and_response")[8].Group(t, "dnp3")
	var want []int64
	for _, v := range rec["al_obj"] {
		n, _ := corpustest.Num(v)
		want = append(want, n)
	}
	var got []int64
	it := a.ObjectIter()
	for it.Next() {
		got = append(got, int64(it.Object().Header.Obj()))
	}
	if it.Err() != nil || len(got) != len(want) {
		t.Fatalf("got %v (err %v), want %v", got, it.Err(), want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if a.Func != FuncResponse || !a.HasIIN {
		t.Fatalf("%+v", a)
	}
}

func TestDeviceAttributes(t *testing.T) {
	// Response (IEEE 1815 clause 11.9 / Annex A g0): g0v252 manufacturer
	// "ACME" and g0v250 product "RTU-1", VSTR (data type 1), qualifier 0x00
	// with start = stop = 0, then g1v2 (2 points, 1 octet each).
	frag := []byte{0xc0, 0x81, 0x00, 0x00,
		0x00, 0xfc, 0x00, 0x00, 0x00, 0x01, 0x04, 'A', 'C', 'M', 'E',
		0x00, 0xfa, 0x00, 0x00, 0x00, 0x01, 0x05, 'R', 'T', 'U', '-', '1',
		0x01, 0x02, 0x00, 0x00, 0x01, 0x81, 0x01}
	var a App
	if err := a.Decode(frag); err != nil {
		t.Fatal(err)
	}
	it := a.ObjectIter()
	var names []string
	var last Object
	for it.Next() {
		o := it.Object()
		if dt, v, ok := DeviceAttribute(o); ok && dt == 1 {
			names = append(names, string(v))
		}
		last = o
	}
	if it.Err() != nil || len(names) != 2 || names[0] != "ACME" || names[1] != "RTU-1" {
		t.Fatalf("names %q err %v", names, it.Err())
	}
	if last.Header.Group != 1 || len(last.Data) != 2 {
		t.Fatalf("last %+v", last)
	}
	// Cut the fragment inside the second attribute: the walk returns the
	// header and stops with ErrBadLength.
	_ = a.Decode(frag[:20])
	it = a.ObjectIter()
	n := 0
	for it.Next() {
		n++
	}
	if n != 2 || !errors.Is(it.Err(), ErrBadLength) {
		t.Fatalf("n=%d err=%v", n, it.Err())
	}
}

// BenchmarkEndToEnd reads the corpus pcaps from memory with pcapgo, strips
// Ethernet/IP/TCP/UDP and decodes every DNP3 frame and its object headers:
// the same work as `tshark -r FILE -T fields -e dnp3.len ...` minus printing.
func BenchmarkEndToEnd(b *testing.B) {
	imgs := corpustest.PcapImages(b, corpusFiles)
	var it Iter
	frames := 0
	b.ReportAllocs()
	for b.Loop() {
		for _, img := range imgs {
			frames += corpustest.EachSegment(b, img, func(fr corpustest.Segment) {
				if fr.SrcPort == Port || fr.DstPort == Port {
					it.Reset(fr.Payload)
					for it.Next() {
						oi := it.Frame().App.ObjectIter()
						for oi.Next() {
						}
					}
				}
			})
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(frames), "ns/frame")
}

// buildFrame encodes a link frame with correct CRCs (CRC itself is checked
// against captured frames in TestCRCKnownValue).
func buildFrame(ctl uint8, dst, src uint16, user []byte) []byte {
	b := []byte{0x05, 0x64, byte(5 + len(user)), ctl, byte(dst), byte(dst >> 8), byte(src), byte(src >> 8)}
	c := CRC(b)
	b = append(b, byte(c), byte(c>>8))
	for len(user) > 0 {
		n := min(16, len(user))
		c := CRC(user[:n])
		b = append(b, user[:n]...)
		b = append(b, byte(c), byte(c>>8))
		user = user[n:]
	}
	return b
}

func TestAppErrorOffset(t *testing.T) {
	// Transport, app control, READ, then an object header cut after group
	// and variation: the error offset is on the wire (header CRC skipped).
	user := []byte{0xc0, 0xc0, 0x01, 0x3c, 0x02}
	b := buildFrame(0xc4, 10, 1, user)
	var f Frame
	err := f.Decode(b)
	var e *Error
	if !errors.Is(err, ErrBadLength) || !errors.As(err, &e) || !f.HasApp {
		t.Fatalf("%v", err)
	}
	if e.Offset >= len(b) || b[e.Offset] != 0x3c {
		t.Fatalf("offset %d does not point at the cut object header (% x)", e.Offset, b)
	}
}

func TestReassembler(t *testing.T) {
	var r Reassembler
	var f Frame
	seg := func(tr byte, data ...byte) *Frame {
		if err := f.Decode(buildFrame(0x44, 1, 10, append([]byte{tr}, data...))); err != nil {
			t.Fatal(err)
		}
		return &f
	}
	// FIR seq 62, middle seq 63, FIN seq 0 (sequence wraps modulo 64).
	if frag, err := r.Add(seg(0x40|62, 0xc0, 0x81)); frag != nil || err != nil {
		t.Fatal(frag, err)
	}
	if frag, err := r.Add(seg(63, 0, 0)); frag != nil || err != nil {
		t.Fatal(frag, err)
	}
	frag, err := r.Add(seg(0x80, 60, 1, 6)) // FIN, seq 0
	if err != nil || string(frag) != string([]byte{0xc0, 0x81, 0, 0, 60, 1, 6}) {
		t.Fatalf("% x %v", frag, err)
	}
	// A gap drops the partial fragment.
	_, _ = r.Add(seg(0x40|5, 1))
	if _, err := r.Add(seg(0x80|7, 2)); !errors.Is(err, ErrSequence) {
		t.Fatalf("gap: %v", err)
	}
	if _, err := r.Add(seg(0x80|8, 2)); !errors.Is(err, ErrSequence) {
		t.Fatalf("after reset: %v", err)
	}
	// Too long: 20 full segments of 249 octets.
	big := make([]byte, 249)
	_, _ = r.Add(seg(0x40, big...)) // FIR, seq 0
	var last error
	for i := 1; i < 20 && last == nil; i++ {
		_, last = r.Add(seg(byte(i), big...))
	}
	if !errors.Is(last, ErrFragmentTooLong) {
		t.Fatalf("too long: %v", last)
	}
	first := buildFrame(0x44, 1, 10, []byte{0x40 | 1, 0xc0, 1})
	second := buildFrame(0x44, 1, 10, []byte{0x80 | 2, 60, 1, 6})
	var f1, f2 Frame
	if f1.Decode(first) != nil || f2.Decode(second) != nil {
		t.Fatal("build")
	}
	allocs := testing.AllocsPerRun(50, func() {
		_, _ = r.Add(&f1)
		_, _ = r.Add(&f2)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations", allocs)
	}
}

// crcBitwise is the textbook bit-at-a-time DNP3 CRC, the reference for the
// table-driven CRC.
func crcBitwise(b []byte) uint16 {
	var c uint16
	for _, x := range b {
		c ^= uint16(x)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0xa6bc
			} else {
				c >>= 1
			}
		}
	}
	return ^c
}

func TestCRCMatchesBitwise(t *testing.T) {
	b := make([]byte, 300)
	for i := range b {
		b[i] = byte(i*131 + 7)
	}
	for n := 0; n <= len(b); n++ {
		for _, off := range []int{0, 1, 5} {
			if off > n {
				continue
			}
			if got, want := CRC(b[off:n]), crcBitwise(b[off:n]); got != want {
				t.Fatalf("b[%d:%d]: %#04x want %#04x", off, n, got, want)
			}
		}
	}
}

func BenchmarkCRC250(b *testing.B) {
	buf := make([]byte, 250)
	b.SetBytes(250)
	for b.Loop() {
		_ = CRC(buf)
	}
}
