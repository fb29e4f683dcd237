package s7comm

import (
	"errors"
	"testing"

	"github.com/wirebom/wirebom/internal/corpustest"
)

var corpus = []string{
	"s7comm_szl_ident_snap7",
	"s7comm_reading_plc_status",
	"s7comm_plus_sll",
	"s7_1200_hmi_s7plus",
}

// s7Fields renders the TPKTs of one payload as tshark's cotp and s7comm fields.
func s7Fields(t *testing.T, num int, payload []byte, ra *SZLReassembler) (cotp, s7 corpustest.Fields, plus int) {
	cotp, s7 = corpustest.Fields{}, corpustest.Fields{}
	it := Split(payload)
	var p Packet
	for it.Next(&p) {
		if err := it.PacketErr(); err != nil {
			t.Errorf("frame %d: %v", num, err)
		}
		cotp.Add("pdu_type", p.COTP.Type())
		cotp.Add("tpkt_length", p.TPKT.Length)
		switch p.Protocol {
		case ProtoS7Plus:
			plus++
			continue
		case ProtoNone:
			continue
		}
		h := p.Header
		s7.Add("protocol_id", h.ProtocolID)
		s7.Add("rosctr", uint8(h.ROSCTR))
		s7.Add("pdu_ref", h.PDURef)
		if h.HasError() {
			s7.Add("error_class", h.ErrorClass)
			s7.Add("error_code", h.ErrorCode)
		}
		if f, ok := p.Function(); ok {
			s7.Add("function", f)
		}
		if h.ROSCTR != UserData {
			continue
		}
		u, err := p.UserData()
		if err != nil {
			t.Errorf("frame %d: %v", num, err)
			continue
		}
		s7.Add("userdata_type", u.Type)
		s7.Add("userdata_funcgroup", u.FunctionGroup)
		s7.Add("userdata_subfunc", u.SubFunction)
		var szl SZL
		if u.Type == UDResponse {
			// tshark reassembles fragmented responses and shows the SZL on
			// the last fragment.
			pl, complete, err := ra.Add(&u)
			if err != nil {
				t.Errorf("frame %d: %v", num, err)
			}
			if !complete {
				continue
			}
			if szl, err = ParseSZL(pl, true); err != nil {
				t.Errorf("frame %d: %v", num, err)
				continue
			}
		} else {
			szl, err = u.SZL()
			if errors.Is(err, ErrWrongPDU) || errors.Is(err, ErrNoData) {
				continue
			}
			if err != nil {
				t.Errorf("frame %d: %v", num, err)
				continue
			}
		}
		s7.Add("szl_id", szl.ID)
		s7.Add("szl_index", szl.Index)
		recs := szl.Records()
		for {
			r, ok := recs.Next()
			if !ok {
				break
			}
			switch {
			case IsModuleIdentification(szl.ID):
				m, err := ParseModuleID(r)
				if err != nil {
					t.Errorf("frame %d: %v", num, err)
					continue
				}
				s7.Add("szl_0011_order_number", m.OrderNumber)
				s7.Add("szl_0011_module_type", m.ModuleType)
				s7.Add("szl_0011_version", m.Version)
			case IsComponentIdentification(szl.ID):
				c, err := ParseComponentID(r)
				if err != nil {
					t.Errorf("frame %d: %v", num, err)
					continue
				}
				switch c.Index {
				case CompPLCName:
					s7.Add("szl_001c_plc_name", c.Text)
				case CompModuleName:
					s7.Add("szl_001c_module_name", c.Text)
				case CompSerialNumber:
					s7.Add("szl_001c_serial", c.Text)
				case CompModuleTypeName:
					s7.Add("szl_001c_module_type_name", c.Text)
				}
			}
		}
	}
	if it.Err() != nil {
		t.Errorf("frame %d: %v", num, it.Err())
	}
	return cotp, s7, plus
}

// TestConformanceOracle compares every cotp and s7comm field of the corpus
// captures with tshark's, and counts the S7comm-Plus PDUs that tshark 4.0
// cannot dissect (they show as cotp only).
func TestConformanceOracle(t *testing.T) {
	for _, name := range corpus {
		t.Run(name, func(t *testing.T) {
			oracle := corpustest.LoadOracle(t, name)
			checked, inOracle, plus := 0, 0, 0
			reassemblers := map[[2]uint16]*SZLReassembler{}
			for _, rec := range oracle {
				if rec.Group(t, "cotp") != nil {
					inOracle++
				}
			}
			for _, cf := range corpustest.ReadCapture(t, name+".pcap") {
				want := oracle[cf.Num].Group(t, "cotp")
				wantS7 := oracle[cf.Num].Group(t, "s7comm")
				if cf.Proto != 6 || len(cf.L4) == 0 || (cf.SrcPort != Port && cf.DstPort != Port) {
					if want != nil {
						t.Errorf("frame %d: oracle has cotp, we see no ISO-on-TCP payload", cf.Num)
					}
					continue
				}
				if want == nil && oracle[cf.Num].PayloadWithheld() {
					continue
				}
				flow := [2]uint16{cf.SrcPort, cf.DstPort}
				if reassemblers[flow] == nil {
					reassemblers[flow] = new(SZLReassembler)
				}
				if want == nil {
					// Not TPKT for tshark either (e.g. 1-byte keep-alives): we
					// must not find one.
					if it := Split(cf.L4); it.Next(new(Packet)) {
						t.Errorf("frame %d: oracle has no cotp, we decode a TPKT", cf.Num)
					}
					continue
				}
				cotp, s7, n := s7Fields(t, cf.Num, cf.L4, reassemblers[flow])
				plus += n
				corpustest.CompareGroup(t, cf.Num, want, cotp)
				if wantS7 == nil {
					wantS7 = map[string][]any{}
				}
				corpustest.CompareGroup(t, cf.Num, wantS7, s7)
				checked++
			}
			if checked != inOracle || checked == 0 {
				t.Fatalf("checked %d frames, oracle has %d with cotp", checked, inOracle)
			}
			t.Logf("%d frames, %d S7comm-Plus PDUs", checked, plus)
			if (name == "s7_1200_hmi_s7plus" || name == "s7comm_plus_sll") && plus == 0 {
				t.Error("no S7comm-Plus PDU recognised")
			}
		})
	}
}

func payload(t testing.TB, name string, num int) []byte {
	t.Helper()
	for _, cf := range corpustest.ReadCapture(t, name+".pcap") {
		if cf.Num == num {
			return cf.L4
		}
	}
	t.Fatalf("%s: no frame %d", name, num)
	return nil
}

// TestConnectionSetup checks the COTP connection request of snap7 frame 4
// (CR, TSAPs 0x0100 and 0x0101, TPDU size 0x0a) and the setup communication
// job of frame 8 (PDU length 480).
func TestConnectionSetup(t *testing.T) {
	p, err := Parse(payload(t, "s7comm_szl_ident_snap7", 4))
	if err != nil {
		t.Fatal(err)
	}
	if p.COTP.PDUType != COTPCR || p.Protocol != ProtoNone || p.COTP.SrcRef != 1 {
		t.Errorf("%+v", p.COTP)
	}
	calling, ok1 := p.COTP.Param(0xC1)
	called, ok2 := p.COTP.Param(0xC2)
	size, ok3 := p.COTP.Param(0xC0)
	if !ok1 || !ok2 || !ok3 || string(calling) != "\x01\x00" || string(called) != "\x01\x01" || string(size) != "\x0a" {
		t.Errorf("params %x %x %x", calling, called, size)
	}
	p, err = Parse(payload(t, "s7comm_szl_ident_snap7", 8))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := p.SetupCommunication()
	if err != nil || sc.PDULength != 480 || sc.MaxAmQCalling != 1 || sc.MaxAmQCalled != 1 {
		t.Errorf("%+v %v", sc, err)
	}
}

// TestComponentIdentification checks index 9 (manufacturer/profile ids) of
// the SZL 0x001C response in snap7 frame 13, which the oracle does not carry:
// bytes 00 2a f6 00 00 01 of the record.
func TestComponentIdentification(t *testing.T) {
	p, err := Parse(payload(t, "s7comm_szl_ident_snap7", 13))
	if err != nil {
		t.Fatal(err)
	}
	u, err := p.UserData()
	if err != nil {
		t.Fatal(err)
	}
	s, err := u.SZL()
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != 0x1c || s.RecordLen != 34 || s.RecordCount != 10 || u.ReturnCode != 0xff || !u.HasExt || u.LastDataUnit != 0 {
		t.Fatalf("%+v %+v", s, u)
	}
	recs := s.Records()
	n := 0
	for {
		r, ok := recs.Next()
		if !ok {
			break
		}
		n++
		c, err := ParseComponentID(r)
		if err != nil {
			t.Fatal(err)
		}
		if c.Index == CompManufacturer && (c.ManufacturerID != 0x2a || c.ProfileID != 0xf600 || c.ProfileSpecificType != 1) {
			t.Errorf("index 9: %+v", c)
		}
		if c.Index == CompCopyright && string(c.Text) != "Original Siemens Equipment" {
			t.Errorf("copyright %q", c.Text)
		}
	}
	if n != 10 {
		t.Errorf("%d records", n)
	}
}

// TestS7PlusFraming checks every S7comm-Plus PDU of the two S7-1200/1500
// captures: 4-byte header, DataLength bytes, 4-byte trailer with the same
// version (tshark 4.0 has no S7comm-Plus dissector, so this is checked
// against the bytes: the TPKT length must account for all of them).
func TestS7PlusFraming(t *testing.T) {
	versions := map[uint8]int{}
	for _, name := range []string{"s7_1200_hmi_s7plus", "s7comm_plus_sll"} {
		for _, cf := range corpustest.ReadCapture(t, name+".pcap") {
			it := Split(cf.L4)
			var p Packet
			for it.Next(&p) {
				if p.Protocol != ProtoS7Plus {
					continue
				}
				h, err := p.S7Plus()
				if err != nil {
					t.Fatalf("%s frame %d: %v", name, cf.Num, err)
				}
				if !h.HasTrailer || int(h.DataLength) != len(h.Data) || 4+len(h.Data)+4 != len(p.Payload) ||
					int(p.TPKT.Length) != 4+1+int(p.COTP.Length)+len(p.Payload) {
					t.Errorf("%s frame %d: %+v payload %d", name, cf.Num, h, len(p.Payload))
				}
				versions[h.Version]++
			}
		}
	}
	if versions[1] == 0 || versions[2] == 0 || versions[3] == 0 {
		t.Errorf("versions seen: %v", versions)
	}
}

func TestS7Plus(t *testing.T) {
	// First S7comm-Plus PDU of s7_1200_hmi_s7plus.
	for _, cf := range corpustest.ReadCapture(t, "s7_1200_hmi_s7plus.pcap") {
		if len(cf.L4) == 0 {
			continue
		}
		p, err := Parse(cf.L4)
		if err != nil {
			t.Fatalf("frame %d: %v", cf.Num, err)
		}
		if p.Protocol == ProtoS7Plus {
			if p.Payload[0] != 0x72 || p.COTP.PDUType != COTPDT {
				t.Errorf("%+v", p)
			}
			if _, err := p.UserData(); !errors.Is(err, ErrWrongPDU) {
				t.Errorf("userdata on S7+: %v", err)
			}
			return
		}
	}
	t.Fatal("no S7comm-Plus PDU")
}

func TestErrors(t *testing.T) {
	good := payload(t, "s7comm_szl_ident_snap7", 11)
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrTooShort},
		{"not tpkt", append([]byte{4}, good[1:]...), ErrNotTPKT},
		{"truncated", good[:60], ErrTruncated},
		{"tiny tpkt length", []byte{3, 0, 0, 3, 2, 0xf0, 0x80}, ErrBadLength},
		{"not s7", []byte{3, 0, 0, 9, 2, 0xf0, 0x80, 0x99, 0}, ErrNotS7},
		{"COTP LI beyond TPKT", []byte{3, 0, 0, 9, 0x40, 0xf0, 0x80, 0x32, 0}, ErrBadLength},
		{"S7 header short", []byte{3, 0, 0, 12, 2, 0xf0, 0x80, 0x32, 1, 0, 0, 0}, ErrTooShort},
	}
	for _, tc := range tests {
		if _, err := Parse(tc.b); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	// Parameter length pointing past the PDU.
	bad := append([]byte(nil), good...)
	bad[7+6], bad[7+7] = 0xff, 0xff
	if _, err := Parse(bad); !errors.Is(err, ErrBadLength) {
		t.Errorf("param length: %v", err)
	}
	// Hostile SZL record count: iteration stops at the data end.
	bad = append([]byte(nil), good...)
	p, err := Parse(bad)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := p.UserData()
	s, _ := u.SZL()
	s.RecordCount = 0xffff
	recs := s.Records()
	n := 0
	for {
		if _, ok := recs.Next(); !ok {
			break
		}
		n++
	}
	if n != 4 {
		t.Errorf("records with hostile count: %d", n)
	}
	if _, err := ParseModuleID(make([]byte, 10)); !errors.Is(err, ErrTooShort) {
		t.Errorf("short record: %v", err)
	}
}

// walk decodes everything decodable in b; used by tests and the fuzzer.
func walk(b []byte) int {
	n := 0
	it := Split(b)
	var p Packet
	for it.Next(&p) {
		n++
		p.COTP.Param(0xC1)
		_, _ = p.S7Plus()
		p.Function()
		_, _ = p.SetupCommunication()
		p.ItemCount()
		u, err := p.UserData()
		if err != nil {
			continue
		}
		s, err := u.SZL()
		if err != nil {
			continue
		}
		recs := s.Records()
		for {
			r, ok := recs.Next()
			if !ok {
				break
			}
			_, _ = ParseModuleID(r)
			_, _ = ParseComponentID(r)
		}
	}
	return n
}

func TestTruncations(t *testing.T) {
	for _, name := range corpus[:2] {
		for _, cf := range corpustest.ReadCapture(t, name+".pcap") {
			for n := 0; n <= len(cf.L4); n++ {
				walk(cf.L4[:n])
			}
			for i := range cf.L4 {
				c := append([]byte(nil), cf.L4...)
				c[i] ^= 0xff
				walk(c)
			}
		}
	}
}

// decodeIdent decodes a full SZL response down to its records.
func decodeIdent(b []byte) int {
	var p Packet
	if p.Decode(b) != nil {
		return 0
	}
	u, err := p.UserData()
	if err != nil {
		return 0
	}
	s, err := u.SZL()
	if err != nil {
		return 0
	}
	n := 0
	recs := s.Records()
	var c ComponentID
	for {
		r, ok := recs.Next()
		if !ok {
			return n
		}
		if c.Decode(r) == nil {
			n += len(c.Text)
		}
	}
}

func TestZeroAllocs(t *testing.T) {
	b := payload(t, "s7comm_szl_ident_snap7", 13)
	if decodeIdent(b) == 0 {
		t.Fatal("nothing decoded")
	}
	if a := testing.AllocsPerRun(200, func() { decodeIdent(b) }); a != 0 {
		t.Errorf("allocs %v", a)
	}
}

func FuzzS7comm(f *testing.F) {
	for _, name := range corpus {
		for i, cf := range corpustest.ReadCapture(f, name+".pcap") {
			if len(cf.L4) > 0 && i < 80 {
				f.Add(cf.L4)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Packet
		if err := p.Decode(b); err == nil && p.Protocol == ProtoS7 {
			if len(p.Param) != int(p.Header.ParamLength) || len(p.Data) != int(p.Header.DataLength) {
				t.Fatalf("param %d/%d data %d/%d", len(p.Param), p.Header.ParamLength, len(p.Data), p.Header.DataLength)
			}
		}
		walk(b)
	})
}

// BenchmarkS7comm decodes the SZL 0x001C response of s7comm_szl_ident_snap7
// frame 13 (TPKT, COTP, S7 header, userdata, SZL and its 10 records).
func BenchmarkS7comm(b *testing.B) {
	data := payload(b, "s7comm_szl_ident_snap7", 13)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		decodeIdent(data)
	}
}

// TestCommonErrorsDoNotAllocate: other ISO-on-TCP protocols (MMS), split
// TPKTs and fragmented SZL responses are ordinary traffic.
func TestCommonErrorsDoNotAllocate(t *testing.T) {
	mms := []byte{3, 0, 0, 11, 2, 0xf0, 0x80, 0x0d, 0x01, 0x02, 0x03} // COTP DT carrying an ISO session PDU
	frag := payload(t, "s7comm_reading_plc_status", 69)
	var p Packet
	allocs := testing.AllocsPerRun(100, func() {
		if !errors.Is(p.Decode(mms), ErrNotS7) || !errors.Is(p.Decode(frag[:50]), ErrTruncated) {
			t.Fatal("want ErrNotS7 / ErrTruncated")
		}
		if err := p.Decode(frag); err != nil {
			t.Fatal(err)
		}
		u, err := p.UserData()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := u.SZL(); !errors.Is(err, ErrFragment) {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("allocs %v", allocs)
	}
}
