package modbus

import (
	"errors"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/wirebom/wirebom/internal/corpustest"
)

var corpus = []string{
	"modbus_test_data_part1",
	"modbus_test_data_part2",
	"modbus_small_zeek",
	"modbus_fuzz72_zeek",
	"modbus_gopacket_testdata",
}

// mbFields renders the ADUs of one payload as tshark's mbtcp/modbus fields.
// It mirrors Wireshark's acceptance: an ADU with an unknown function code ends
// the dissection of the segment.
func mbFields(t *testing.T, payload []byte, isRequest bool) (corpustest.Fields, int) {
	out := corpustest.Fields{}
	it := Split(payload)
	var a ADU
	n := 0
	for {
		ok := it.Next(&a)
		if !ok {
			if !errors.Is(it.Err(), ErrTruncated) {
				break
			}
			// Wireshark (reassembly off) shows the header of a truncated ADU.
		}
		n++
		out.Add("trans_id", a.TransactionID)
		out.Add("prot_id", a.ProtocolID)
		out.Add("len", a.Length)
		out.Add("unit_id", a.UnitID)
		out.Add("func_code", a.Function())
		if c, ok := a.ExceptionCode(); ok {
			out.Add("exception_code", c)
		}
		if a.Function() == FuncEncapsulatedInterface && !a.IsException() && len(a.Data()) > 0 {
			out.Add("mei", a.Data()[0])
			if d, err := a.ReadDeviceID(isRequest); err == nil {
				out.Add("read_device_id", d.ReadDeviceIDCode)
				if isRequest {
					out.Add("object_id", d.ObjectID)
				}
				objs := d.Objects()
				var o Object
				for objs.Next(&o) {
					out.Add("object_id", o.ID)
					out.Add("object_str_value", o.Value)
				}
			}
		}
		if !ok {
			break
		}
	}
	return out, n
}

// TestConformanceOracle compares every Modbus field of the corpus captures
// with tshark's.
func TestConformanceOracle(t *testing.T) {
	for _, name := range corpus {
		t.Run(name, func(t *testing.T) {
			oracle := corpustest.LoadOracle(t, name)
			checked := 0
			for _, cf := range corpustest.ReadCapture(t, name+".pcap") {
				want := oracle[cf.Num].Group(t, "modbus")
				isReq, dirOK := IsRequest(cf.SrcPort, cf.DstPort)
				if cf.Proto != 6 || len(cf.L4) == 0 || !dirOK {
					if want != nil {
						t.Errorf("frame %d: oracle has modbus, we see no Modbus/TCP payload", cf.Num)
					}
					continue
				}
				got, n := mbFields(t, cf.L4, isReq)
				if want == nil {
					if n > 0 && !oracle[cf.Num].PayloadWithheld() {
						t.Errorf("frame %d: we decode %d ADUs %v, oracle has none", cf.Num, n, got)
					}
					continue
				}
				corpustest.CompareGroup(t, cf.Num, want, got)
				checked++
			}
			inOracle := 0
			for _, rec := range oracle {
				if rec.Group(t, "modbus") != nil {
					inOracle++
				}
			}
			if checked == 0 || checked != inOracle {
				t.Fatalf("checked %d frames, oracle has %d with modbus", checked, inOracle)
			}
		})
	}
}

func TestDeviceIDRequest(t *testing.T) {
	// modbus_test_data_part1.pcap frame 32: 43/14 read device id 3, object 1
	// (tshark: mei 14, read_device_id 3, object_id 1).
	var pl []byte
	for _, cf := range corpustest.ReadCapture(t, "modbus_test_data_part1.pcap") {
		if cf.Num == 32 {
			pl = cf.L4
		}
	}
	a, err := Parse(pl)
	if err != nil {
		t.Fatal(err)
	}
	d, err := a.ReadDeviceID(true)
	if err != nil {
		t.Fatal(err)
	}
	if d.MEIType != 14 || d.ReadDeviceIDCode != DeviceIDExtended || d.ObjectID != 1 || a.UnitID != 10 {
		t.Errorf("%+v", d)
	}
}

// TestDeviceIDResponse uses a response built from the example in the Modbus
// Application Protocol v1.1b3, section 6.21 (MEI 14, objects 0-2).
func TestDeviceIDResponse(t *testing.T) {
	b := []byte{
		0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0xff, // MBAP, length patched
		0x2b, 0x0e, 0x01, 0x01, 0x00, 0x00, 0x03,
		0x00, 0x16, 'C', 'o', 'm', 'p', 'a', 'n', 'y', ' ', 'i', 'd', 'e', 'n', 't', 'i', 'f', 'i', 'c', 'a', 't', 'i', 'o', 'n',
		0x01, 0x0d, 'P', 'r', 'o', 'd', 'u', 'c', 't', ' ', 'c', 'o', 'd', 'e', ' ',
		0x02, 0x05, 'V', '2', '.', '1', '1',
	}
	b[5] = byte(len(b) - 6)
	a, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	d, err := a.ReadDeviceID(false)
	if err != nil {
		t.Fatal(err)
	}
	if d.ReadDeviceIDCode != 1 || d.ConformityLevel != 1 || d.MoreFollows || d.NextObjectID != 0 || d.NumObjects != 3 {
		t.Errorf("%+v", d)
	}
	want := []string{"Company identification", "Product code ", "V2.11"}
	it := d.Objects()
	i := 0
	var o Object
	for it.Next(&o) {
		if int(o.ID) != i || string(o.Value) != want[i] {
			t.Errorf("object %d: %d %q", i, o.ID, o.Value)
		}
		i++
	}
	if i != 3 || it.Err() != nil {
		t.Errorf("objects %d %v", i, it.Err())
	}
	// More follows, and a lying object length.
	b[11] = 0xff
	b[12] = 3
	b[15] = 0xff
	a, _ = Parse(b)
	d, err = a.ReadDeviceID(false)
	if err != nil || !d.MoreFollows || d.NextObjectID != 3 {
		t.Fatalf("%+v %v", d, err)
	}
	it = d.Objects()
	if it.Next(&o) || !errors.Is(it.Err(), ErrTooShort) {
		t.Errorf("hostile object length: %v", it.Err())
	}
}

func TestSplitSeveral(t *testing.T) {
	one := []byte{0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 10}
	two := []byte{0, 2, 0, 0, 0, 3, 1, 0x83, 2}
	b := append(append(append([]byte{}, one...), two...), 0, 3, 0, 0, 0, 6, 1, 3) // third truncated
	it := Split(b)
	var a ADU
	if !it.Next(&a) || a.TransactionID != 1 || a.Function() != 3 {
		t.Fatalf("first %+v", a)
	}
	if r, ok := a.Range(true); !ok || r.Address != 0 || r.Quantity != 10 {
		t.Errorf("range %+v", r)
	}
	if !it.Next(&a) || a.TransactionID != 2 || !a.IsException() || a.Function() != 3 {
		t.Fatalf("second %+v", a)
	}
	if c, ok := a.ExceptionCode(); !ok || c != 2 {
		t.Errorf("exception %d", c)
	}
	if it.Next(&a) || !errors.Is(it.Err(), ErrTruncated) || a.TransactionID != 3 {
		t.Fatalf("third: %v %+v", it.Err(), a)
	}
	if it.Offset() != len(one)+len(two) {
		t.Errorf("truncated ADU at offset %d", it.Offset())
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		b    []byte
		want error
	}{
		{nil, ErrTooShort},
		{[]byte{0, 1, 0, 0, 0, 6, 1}, ErrTooShort},
		{[]byte{0, 1, 0, 1, 0, 6, 1, 3, 0, 0, 0, 1}, ErrBadProtocolID},
		{[]byte{0, 1, 0, 0, 0, 1, 1, 3}, ErrBadLength},
		{[]byte{0, 1, 0, 0, 0xff, 0xff, 1, 3}, ErrTruncated},
	}
	for _, tc := range tests {
		if _, err := Parse(tc.b); !errors.Is(err, tc.want) {
			t.Errorf("% x: %v, want %v", tc.b, err, tc.want)
		}
	}
	a, _ := Parse([]byte{0, 1, 0, 0, 0, 2, 1, 43})
	if _, err := a.ReadDeviceID(true); !errors.Is(err, ErrTooShort) {
		t.Errorf("short MEI: %v", err)
	}
	a, _ = Parse([]byte{0, 1, 0, 0, 0, 3, 1, 43, 13})
	if _, err := a.ReadDeviceID(true); !errors.Is(err, ErrNotDeviceID) {
		t.Errorf("CANopen: %v", err)
	}
}

// walk decodes everything decodable in b in both directions.
func walk(b []byte) int {
	n := 0
	for _, req := range []bool{true, false} {
		it := Split(b)
		var a ADU
		for it.Next(&a) {
			n++
			a.ExceptionCode()
			a.Range(req)
			if d, err := a.ReadDeviceID(req); err == nil {
				objs := d.Objects()
				var o Object
				for objs.Next(&o) {
				}
			}
		}
	}
	return n
}

func TestTruncations(t *testing.T) {
	for _, name := range corpus {
		for _, cf := range corpustest.ReadCapture(t, name+".pcap") {
			for n := 0; n <= len(cf.L4); n++ {
				walk(cf.L4[:n])
			}
		}
	}
}

func realPayload(t testing.TB) []byte {
	for _, cf := range corpustest.ReadCapture(t, "modbus_test_data_part2.pcap") {
		if cf.DstPort == Port && len(cf.L4) >= 12 {
			return cf.L4
		}
	}
	t.Fatal("no payload")
	return nil
}

func TestZeroAllocs(t *testing.T) {
	pl := realPayload(t)
	allocs := testing.AllocsPerRun(200, func() {
		it := Split(pl)
		var a ADU
		for it.Next(&a) {
			a.Function()
		}
		if it.Err() != nil {
			t.Fatal(it.Err())
		}
	})
	if allocs != 0 {
		t.Errorf("allocs %v", allocs)
	}
}

func FuzzModbus(f *testing.F) {
	for _, name := range corpus {
		for _, cf := range corpustest.ReadCapture(f, name+".pcap") {
			if len(cf.L4) > 0 {
				f.Add(cf.L4)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		it := Split(b)
		var a ADU
		total := 0
		for it.Next(&a) {
			if len(a.PDU) != int(a.Length)-1 {
				t.Fatalf("PDU %d bytes, Length %d", len(a.PDU), a.Length)
			}
			total += a.Size()
		}
		if total > len(b) {
			t.Fatalf("consumed %d of %d", total, len(b))
		}
		walk(b)
	})
}

// BenchmarkModbus splits and decodes a real request payload
// (modbus_test_data_part2.pcap, first request with a full ADU).
func BenchmarkModbus(b *testing.B) {
	pl := realPayload(b)
	b.SetBytes(int64(len(pl)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		it := Split(pl)
		var a ADU
		for it.Next(&a) {
			_ = a.Function()
		}
	}
}

// BenchmarkModbusGopacket decodes the same payload as BenchmarkModbus with
// the peer, gopacket's layers.Modbus (MBAP + function code, no iteration).
func BenchmarkModbusGopacket(b *testing.B) {
	pl := realPayload(b)
	var m layers.Modbus
	b.SetBytes(int64(len(pl)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := m.DecodeFromBytes(pl, gopacket.NilDecodeFeedback); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkModbusDecode decodes the one ADU of the same payload with
// ADU.Decode: the same work as BenchmarkModbusGopacket.
func BenchmarkModbusDecode(b *testing.B) {
	pl := realPayload(b)
	var a ADU
	b.SetBytes(int64(len(pl)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := a.Decode(pl); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCommonErrorsDoNotAllocate: short segments, truncated ADUs and
// rejected device identification PDUs are ordinary traffic.
func TestCommonErrorsDoNotAllocate(t *testing.T) {
	canopen := []byte{0, 1, 0, 0, 0, 3, 1, 43, 13}
	trunc := []byte{0, 1, 0, 0, 0, 6, 1, 3, 0}
	var a ADU
	allocs := testing.AllocsPerRun(100, func() {
		if a.Decode(trunc[:5]) == nil || a.Decode(trunc) == nil {
			t.Fatal("no error")
		}
		if a.Decode(canopen) != nil {
			t.Fatal("canopen")
		}
		if _, err := a.ReadDeviceID(true); err == nil {
			t.Fatal("no error")
		}
	})
	if allocs != 0 {
		t.Errorf("allocs %v", allocs)
	}
}
