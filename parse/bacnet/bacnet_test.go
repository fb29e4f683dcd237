package bacnet

import (
	"errors"
	"testing"

	"github.com/wirebom/wirebom/internal/corpustest"
)

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

// TestReadPropertyStrings checks the character strings of the nmap
// bacnet-info exchange. Expected text and character set are tshark 4.0.17's
// text tree (`tshark -r bacnet_nmap_info.pcap -V`: "vendor-name: ISO 10646
// UCS-2 'JCI'", "firmware-revision: ... '5.1.0.4400'", "model-name: ...
// 'MS-NAE4510-2'", "application-software-version: ... ”"), which the JSON
// oracle lacks (corpus README quirk); the oracle's object_name gives
// "KBRNAE".
func TestReadPropertyStrings(t *testing.T) {
	cases := []struct {
		frame int
		prop  uint32
		want  string
	}{
		{8, PropVendorName, "JCI"},
		{10, PropFirmwareRevision, "5.1.0.4400"},
		{12, PropApplicationSoftwareVersion, ""},
		{14, PropObjectName, "KBRNAE"},
		{16, PropModelName, "MS-NAE4510-2"},
	}
	var p Packet
	buf := make([]byte, 0, 64)
	for _, c := range cases {
		if err := p.Decode(payloadOf(t, "bacnet_nmap_info", c.frame)); err != nil {
			t.Fatalf("frame %d: %v", c.frame, err)
		}
		rp := p.ReadProperty
		if !p.HasReadProperty || p.APDU.Type != ComplexACK || rp.Property != c.prop || !rp.HasValue {
			t.Fatalf("frame %d: %+v", c.frame, rp)
		}
		if rp.Object.Type() != ObjectTypeDevice || rp.Object.Instance() != 4194303 {
			t.Errorf("frame %d: object %d:%d", c.frame, rp.Object.Type(), rp.Object.Instance())
		}
		cs, s, ok := rp.Value.CharString()
		if !ok || cs != CharsetUCS2 {
			t.Fatalf("frame %d: charset %d ok %v", c.frame, cs, ok)
		}
		if got := string(AppendUTF8(buf[:0], cs, s)); got != c.want {
			t.Errorf("frame %d: %q, want %q", c.frame, got, c.want)
		}
	}
	// Frame 6: vendor-identifier 5 as an Unsigned.
	if err := p.Decode(payloadOf(t, "bacnet_nmap_info", 6)); err != nil {
		t.Fatal(err)
	}
	if v, ok := p.ReadProperty.Value.Unsigned(); !ok || v != 5 || !p.ReadProperty.Value.IsApp(TagUnsigned) {
		t.Fatalf("vendor id %d %v", v, ok)
	}
}

func TestIAmWhoIsError(t *testing.T) {
	var p Packet
	// bacnet_error_reject_abort: find I-Am, Who-Is and Error frames by type.
	var sawIAm, sawWhoIs, sawErr bool
	for _, fr := range corpustest.ReadSegments(t, "bacnet_error_reject_abort") {
		if err := p.Decode(fr.Payload); err != nil {
			continue
		}
		switch {
		case p.HasIAm:
			sawIAm = true
			// tshark: object_type 8, instance 101, vendor_identifier 1337.
			if p.IAm.Device.Type() != 8 || p.IAm.Device.Instance() != 101 || p.IAm.VendorID != 1337 {
				t.Errorf("I-Am %+v", p.IAm)
			}
		case p.HasWhoIs:
			sawWhoIs = true
		case p.HasError:
			sawErr = true
			if p.Error.Class != 5 || p.Error.Code != 26 {
				t.Errorf("error %+v", p.Error)
			}
		}
	}
	if !sawIAm || !sawWhoIs || !sawErr {
		t.Fatalf("I-Am %v Who-Is %v Error %v", sawIAm, sawWhoIs, sawErr)
	}
	// Who-Is with a range, 0..4194303 (built by hand per clause 16.10).
	who := []byte{0x81, 0x0b, 0x00, 0x10, 0x01, 0x00, 0x10, 0x08, 0x09, 0x00, 0x1b, 0x3f, 0xff, 0xff}
	who[3] = byte(len(who))
	if err := p.Decode(who); err != nil || !p.WhoIs.HasRange || p.WhoIs.Low != 0 || p.WhoIs.High != 4194303 {
		t.Fatalf("Who-Is range: %v %+v", err, p.WhoIs)
	}
	// Who-Has devices 1..100 for object device,5 (clause 16.9, tags [0] [1] [2]).
	wh := []byte{0x81, 0x0b, 0x00, 0x00, 0x01, 0x00, 0x10, 0x07, 0x09, 0x01, 0x19, 0x64, 0x2c, 0x02, 0x00, 0x00, 0x05}
	wh[3] = byte(len(wh))
	if err := p.Decode(wh); err != nil || !p.HasWhoHas || !p.WhoHas.HasRange || p.WhoHas.High != 100 ||
		!p.WhoHas.HasObject || p.WhoHas.Object.Type() != ObjectTypeDevice || p.WhoHas.Object.Instance() != 5 {
		t.Fatalf("Who-Has: %v %+v", err, p.WhoHas)
	}
}

func TestReadTag(t *testing.T) {
	cases := []struct {
		in   []byte
		want Tag
		n    int
		err  error
	}{
		{[]byte{0x21, 0x05}, Tag{Number: 2, Length: 1, Data: []byte{5}}, 2, nil},
		{[]byte{0x11}, Tag{Number: 1, Length: 1}, 1, nil}, // Boolean TRUE
		{[]byte{0x3e}, Tag{Number: 3, Context: true, Opening: true}, 1, nil},
		{[]byte{0xfe, 0x20}, Tag{Number: 32, Context: true, Opening: true}, 2, nil}, // extended tag number
		{[]byte{0x75, 0x02, 0x00, 'A'}, Tag{Number: 7, Length: 2, Data: []byte{0, 'A'}}, 4, nil},
		{append([]byte{0x65, 0xfe, 0x01, 0x00}, make([]byte, 256)...), Tag{Number: 6, Length: 256, Data: make([]byte, 256)}, 260, nil},
		{[]byte{0x65, 0xff, 0xff, 0xff, 0xff, 0xff, 0}, Tag{}, 0, ErrTooShort}, // 4 GiB claimed
		{[]byte{0x75, 0x09, 0x00}, Tag{}, 0, ErrTooShort},
		{[]byte{0xf1, 0xff}, Tag{}, 0, ErrBadTag},
		{[]byte{0x26}, Tag{}, 0, ErrBadTag}, // application tag with LVT 6
		{[]byte{0x12}, Tag{}, 0, ErrBadTag}, // Boolean 2
		{[]byte{0xf5}, Tag{}, 0, ErrTooShort},
	}
	for _, c := range cases {
		got, n, err := ReadTag(c.in)
		if !errors.Is(err, c.err) {
			t.Errorf("%x: err %v want %v", c.in[:min(len(c.in), 8)], err, c.err)
			continue
		}
		if err != nil {
			continue
		}
		if n != c.n || got.Number != c.want.Number || got.Context != c.want.Context || got.Opening != c.want.Opening ||
			got.Length != c.want.Length || len(got.Data) != len(c.want.Data) {
			t.Errorf("%x: got %+v n=%d", c.in[:min(len(c.in), 8)], got, n)
		}
	}
}

func TestAppendUTF8(t *testing.T) {
	cases := []struct {
		cs   uint8
		in   []byte
		want string
	}{
		{CharsetUTF8, []byte("Z\xc3\xa9"), "Zé"},
		{CharsetISO88591, []byte{'Z', 0xe9}, "Zé"},
		{CharsetUCS2, []byte{0, 'Z', 0, 0xe9, 0}, "Zé\uFFFD"},
		{CharsetUCS4, []byte{0, 0, 0, 'Z', 1}, "Z\uFFFD"},
		{CharsetDBCS, []byte{1, 2}, "\uFFFD\uFFFD"},
		{CharsetUTF8, []byte{0xff}, "\uFFFD"},
	}
	for _, c := range cases {
		if got := string(AppendUTF8(nil, c.cs, c.in)); got != c.want {
			t.Errorf("%d %x: %q want %q", c.cs, c.in, got, c.want)
		}
	}
}

func TestCorrupt(t *testing.T) {
	var p Packet
	// Every truncation of every corpus message is an error, never a panic;
	// the BVLC length then exceeds the input, so it is ErrTooShort.
	for _, name := range corpusFiles {
		for _, fr := range corpustest.ReadSegments(t, name) {
			b := fr.Payload
			if fr.Proto != 17 || len(b) < 4 {
				continue
			}
			for i := 0; i < len(b); i++ {
				if err := p.Decode(b[:i]); !errors.Is(err, ErrTooShort) {
					t.Fatalf("%s frame %d cut to %d: %v", name, fr.Num, i, err)
				}
			}
		}
	}
	bad := []struct {
		b    []byte
		want error
	}{
		{[]byte{0x82, 0x0a, 0, 4}, ErrBadType},
		{[]byte{0x81, 0x0a, 0, 3}, ErrBadLength},
		{[]byte{0x81, 0x0a, 0, 6, 2, 0}, ErrBadType},                           // NPDU version 2
		{[]byte{0x81, 0x0a, 0, 10, 1, 0x20, 0xff, 0xff, 9, 0}, ErrBadLength},   // DLEN 9 past the end
		{[]byte{0x81, 0x0a, 0, 10, 1, 0x08, 0x00, 0x01, 200, 0}, ErrBadLength}, // SLEN 200
		{[]byte{0x81, 0x0a, 0, 7, 1, 0, 0x80}, ErrBadType},                     // APDU type 8
		// I-Am whose object identifier claims 0xFFFFFFFF octets.
		{[]byte{0x81, 0x0a, 0, 14, 1, 0, 0x10, 0, 0xc5, 0xff, 0xff, 0xff, 0xff, 0xff}, ErrTooShort},
		// ReadProperty-ACK without closing tag.
		{[]byte{0x81, 0x0a, 0, 20, 1, 0, 0x30, 1, 12, 0x0c, 2, 0, 0, 1, 0x19, 0x4d, 0x3e, 0x71, 0x00, 0x2e}, ErrTooShort},
		// Error PDU whose class is a REAL.
		{[]byte{0x81, 0x0a, 0, 15, 1, 0, 0x50, 1, 12, 0x44, 0, 0, 0, 0, 0x91}, ErrBadTag},
	}
	for _, c := range bad {
		err := p.Decode(c.b)
		var e *Error
		if !errors.Is(err, c.want) || !errors.As(err, &e) || e.Offset < 0 || e.Offset > len(c.b) {
			t.Errorf("%x: %v, want %v", c.b, err, c.want)
		}
	}
}

func TestZeroAllocs(t *testing.T) {
	ok := payloadOf(t, "bacnet_nmap_info", 16)
	bad := append([]byte(nil), ok...)
	bad = bad[:len(bad)-1]
	bad[3]--
	var p Packet
	buf := make([]byte, 0, 64)
	var q Packet
	allocs := testing.AllocsPerRun(100, func() {
		if q.Decode(rpmACK) == nil {
			it := q.Properties()
			for it.Next() {
			}
		}
		if p.Decode(ok) == nil {
			cs, s, _ := p.ReadProperty.Value.CharString()
			buf = AppendUTF8(buf[:0], cs, s)
		}
		_ = p.Decode(bad)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations", allocs)
	}
	if string(buf) != "MS-NAE4510-2" {
		t.Fatalf("%q", buf)
	}
}

func BenchmarkDecodeReadPropertyACK(b *testing.B) {
	m := payloadOf(b, "bacnet_nmap_info", 16)
	var p Packet
	b.ReportAllocs()
	b.SetBytes(int64(len(m)))
	for b.Loop() {
		if err := p.Decode(m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeCorpus(b *testing.B) {
	var msgs [][]byte
	var total int64
	for _, name := range corpusFiles {
		for _, fr := range corpustest.ReadSegments(b, name) {
			if fr.Proto == 17 && len(fr.Payload) > 0 {
				msgs = append(msgs, fr.Payload)
				total += int64(len(fr.Payload))
			}
		}
	}
	var p Packet
	b.ReportAllocs()
	b.SetBytes(total)
	for b.Loop() {
		for _, m := range msgs {
			_ = p.Decode(m)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(msgs)), "ns/msg")
}

func BenchmarkReadPropertyMultipleACK(b *testing.B) {
	var p Packet
	b.ReportAllocs()
	b.SetBytes(int64(len(rpmACK)))
	for b.Loop() {
		if err := p.Decode(rpmACK); err != nil {
			b.Fatal(err)
		}
		it := p.Properties()
		for it.Next() {
		}
	}
}

func FuzzBACnet(f *testing.F) {
	f.Add(rpmACK)
	for _, name := range corpusFiles {
		for _, fr := range corpustest.ReadSegments(f, name) {
			if fr.Proto == 17 && len(fr.Payload) > 0 {
				f.Add(fr.Payload)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Packet
		if err := p.Decode(b); err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > len(b) {
				t.Fatalf("bad error %v", err)
			}
		}
		if p.HasReadProperty && p.ReadProperty.HasValue {
			if cs, s, ok := p.ReadProperty.Value.CharString(); ok {
				_ = AppendUTF8(nil, cs, s)
			}
		}
		props := p.Properties()
		for n := 0; props.Next(); n++ {
			if n > len(b) {
				t.Fatal("property walk did not terminate")
			}
		}
		_ = p.DecodeNPDU(b)
		r := TagReader{Data: b}
		prev := -1
		for r.Next() {
			if r.Offset() <= prev || r.Offset() > len(b) {
				t.Fatal("tag reader did not advance or overran")
			}
			prev = r.Offset()
		}
	})
}

// rpmACK is a ReadPropertyMultiple-ACK encoded by hand from ASHRAE 135
// clauses 15.7.1.1 and 20.2 (in the manner of the Annex F.3.7 example):
// AI 16 present-value 72.3 and reliability 0, then device 5 vendor-name
// "ACME" and model-name -> error (property 2, unknown-property 32).
var rpmACK = func() []byte {
	apdu := []byte{0x30, 0x07, 0x0e,
		0x0c, 0x00, 0x00, 0x00, 0x10, 0x1e,
		0x29, 0x55, 0x4e, 0x44, 0x42, 0x90, 0x99, 0x9a, 0x4f,
		0x29, 0x67, 0x4e, 0x91, 0x00, 0x4f,
		0x1f,
		0x0c, 0x02, 0x00, 0x00, 0x05, 0x1e,
		0x29, 0x79, 0x4e, 0x75, 0x05, 0x00, 'A', 'C', 'M', 'E', 0x4f,
		0x29, 0x46, 0x5e, 0x91, 0x02, 0x91, 0x20, 0x5f,
		0x1f}
	b := append([]byte{0x81, 0x0a, 0, 0, 0x01, 0x00}, apdu...)
	b[3] = byte(len(b))
	return b
}()

func TestReadPropertyMultipleACK(t *testing.T) {
	var p Packet
	if err := p.Decode(rpmACK); err != nil {
		t.Fatal(err)
	}
	type row struct {
		first    bool
		obj      ObjectID
		prop     uint32
		hasValue bool
		tag      uint8
		hasErr   bool
	}
	want := []row{
		{true, 16, 85, true, TagReal, false},
		{false, 16, 103, true, TagEnumerated, false},
		{true, 8<<22 | 5, 121, true, TagCharacterString, false},
		{false, 8<<22 | 5, 70, false, 0, true},
	}
	it := p.Properties()
	var got []row
	var vendor string
	for it.Next() {
		r := it.Ref()
		got = append(got, row{r.First, r.Object, r.Property, r.HasValue, r.Value.Number, r.HasError})
		if cs, s, ok := r.Value.CharString(); ok && r.Property == PropVendorName {
			vendor = string(AppendUTF8(nil, cs, s))
		}
		if r.HasError && (r.Error.Class != 2 || r.Error.Code != 32) {
			t.Errorf("error %+v", r.Error)
		}
	}
	if it.Err() != nil || len(got) != len(want) || vendor != "ACME" {
		t.Fatalf("got %+v err %v vendor %q", got, it.Err(), vendor)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: got %+v want %+v", i, got[i], want[i])
		}
	}
	// Every truncation inside the APDU makes the walk fail, except at the
	// two boundaries where what remains is itself well-formed: no results
	// (cut at 9) and the first object's results only (cut at 31).
	for i := 8; i < len(rpmACK); i++ {
		if i == 9 || i == 31 {
			continue
		}
		b := append([]byte(nil), rpmACK[:i]...)
		b[3] = byte(len(b))
		if p.Decode(b) != nil {
			continue
		}
		it := p.Properties()
		for it.Next() {
		}
		if it.Err() == nil {
			t.Errorf("cut at %d: no error", i)
		}
	}
}

// BenchmarkEndToEnd reads the corpus pcaps from memory with pcapgo, strips
// Ethernet/IP/UDP and decodes every BACnet/IP message and its property
// references: the same work as `tshark -r FILE -T fields -e bvlc.type ...`
// minus printing.
func BenchmarkEndToEnd(b *testing.B) {
	imgs := corpustest.PcapImages(b, corpusFiles)
	var p Packet
	frames := 0
	b.ReportAllocs()
	for b.Loop() {
		for _, img := range imgs {
			frames += corpustest.EachSegment(b, img, func(fr corpustest.Segment) {
				if fr.Proto == 17 && (fr.SrcPort == Port || fr.DstPort == Port) {
					if p.Decode(fr.Payload) == nil {
						it := p.Properties()
						for it.Next() {
						}
					}
				}
			})
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(frames), "ns/frame")
}
