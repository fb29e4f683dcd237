package enip

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/wirebom/wirebom/internal/corpustest"
)

var corpus = []string{
	"enip_listidentity_nmap.pcap",
	"enip_cip_example.pcap",
	"enip_vlan_set_attribute.pcapng",
}

func oracleName(capture string) string {
	for i := len(capture) - 1; i >= 0; i-- {
		if capture[i] == '.' {
			return capture[:i]
		}
	}
	return capture
}

// cipFields adds the cip fields of m (and of its embedded services) the way
// tshark lists them.
func cipFields(out corpustest.Fields, m *Message) {
	out.Add("service", m.Service)
	if !m.IsResponse && m.Path.HasClass {
		out.Add("class", m.Path.Class)
	}
	if m.IsResponse {
		out.Add("general_status", m.GeneralStatus)
	}
	emb := m.Embedded()
	var in Message
	for emb.Next(&in) {
		cipFields(out, &in)
	}
}

// enipFields renders one payload as tshark's enip and cip fields.
func enipFields(t *testing.T, cf corpustest.Frame) (enip, cip corpustest.Fields) {
	enip, cip = corpustest.Fields{}, corpustest.Fields{}
	if cf.Proto == 17 && (cf.SrcPort == PortIO || cf.DstPort == PortIO) {
		items, err := CPF(cf.L4)
		if err != nil {
			t.Errorf("frame %d: %v", cf.Num, err)
			return
		}
		var it Item
		for items.Next(&it) {
			enip.Add("cpf_typeid", uint16(it.TypeID))
		}
		if items.Err() != nil {
			t.Errorf("frame %d: %v", cf.Num, items.Err())
		}
		return
	}
	pk := Split(cf.L4)
	var p Packet
	for pk.Next(&p) {
		enip.Add("command", uint16(p.Command))
		enip.Add("length", p.Length)
		enip.Add("session", p.Session)
		enip.Add("status", p.Status)
		_, items, err := p.Items()
		if errors.Is(err, ErrNoCPF) {
			continue
		}
		if err != nil {
			t.Errorf("frame %d: %v", cf.Num, err)
			continue
		}
		var it Item
		for items.Next(&it) {
			enip.Add("cpf_typeid", uint16(it.TypeID))
			switch it.TypeID {
			case ItemListIdentity:
				id, err := it.Identity()
				if err != nil {
					t.Errorf("frame %d: %v", cf.Num, err)
					continue
				}
				enip.Add("vendor_id", id.VendorID)
				enip.Add("device_type", id.DeviceType)
				enip.Add("product_code", id.ProductCode)
				enip.Add("revision", id.Revision())
				enip.Add("device_status", id.Status)
				enip.Add("serial", id.SerialNumber)
				enip.Add("product_name", id.ProductName)
				enip.Add("state", id.State)
			case ItemUnconnectedData, ItemConnectedData:
				var m Message
				if _, err := it.CIP(&m); err != nil {
					t.Errorf("frame %d: CIP: %v", cf.Num, err)
					continue
				}
				cipFields(cip, &m)
			}
		}
		if items.Err() != nil {
			t.Errorf("frame %d: %v", cf.Num, items.Err())
		}
	}
	if pk.Err() != nil {
		t.Errorf("frame %d: %v", cf.Num, pk.Err())
	}
	return enip, cip
}

func isENIP(cf corpustest.Frame) bool {
	if len(cf.L4) == 0 {
		return false
	}
	switch cf.Proto {
	case 6:
		return cf.SrcPort == Port || cf.DstPort == Port
	case 17:
		return cf.SrcPort == Port || cf.DstPort == Port || cf.SrcPort == PortIO || cf.DstPort == PortIO
	}
	return false
}

// TestConformanceOracle compares every enip and cip field of the corpus
// captures with tshark's. Exception: tshark shows cip.class on replies by
// matching them to their request; the reply bytes carry no class, so that
// field is dropped from replies before comparing.
func TestConformanceOracle(t *testing.T) {
	for _, capName := range corpus {
		name := oracleName(capName)
		t.Run(name, func(t *testing.T) {
			oracle := corpustest.LoadOracle(t, name)
			checked, inOracle := 0, 0
			for _, rec := range oracle {
				if rec.Group(t, "enip") != nil {
					inOracle++
				}
			}
			for _, cf := range corpustest.ReadCapture(t, capName) {
				want := oracle[cf.Num].Group(t, "enip")
				wantCIP := oracle[cf.Num].Group(t, "cip")
				if !isENIP(cf) {
					if want != nil {
						t.Errorf("frame %d: oracle has enip, we see no EtherNet/IP payload", cf.Num)
					}
					continue
				}
				gotENIP, gotCIP := enipFields(t, cf)
				if want == nil {
					t.Errorf("frame %d: oracle has no enip", cf.Num)
					continue
				}
				corpustest.CompareGroup(t, cf.Num, want, gotENIP)
				if wantCIP != nil && len(wantCIP["general_status"]) > 0 {
					delete(wantCIP, "class")
				}
				if wantCIP == nil {
					wantCIP = map[string][]any{}
				}
				corpustest.CompareGroup(t, cf.Num, wantCIP, gotCIP)
				checked++
			}
			if checked != inOracle || checked == 0 {
				t.Fatalf("checked %d frames, oracle has %d with enip", checked, inOracle)
			}
		})
	}
}

func frameL4(t testing.TB, capName string, num int) []byte {
	t.Helper()
	for _, cf := range corpustest.ReadCapture(t, capName) {
		if cf.Num == num {
			return cf.L4
		}
	}
	t.Fatalf("%s: no frame %d", capName, num)
	return nil
}

// TestListIdentity checks the ListIdentity reply of enip_listidentity_nmap
// frame 7 (tshark: 1756-ENBT/A, vendor 1, type 12, code 58, rev 4.3,
// serial 5393806, state 3), plus the socket address, which the oracle does
// not carry (checked against the capture's IP source, 192.168.1.x).
func TestListIdentity(t *testing.T) {
	p, err := Parse(frameL4(t, "enip_listidentity_nmap.pcap", 7))
	if err != nil {
		t.Fatal(err)
	}
	if p.Command != CmdListIdentity {
		t.Fatalf("command %v", p.Command)
	}
	_, items, err := p.Items()
	if err != nil {
		t.Fatal(err)
	}
	var it Item
	if !items.Next(&it) {
		t.Fatal(items.Err())
	}
	id, err := it.Identity()
	if err != nil {
		t.Fatal(err)
	}
	if string(id.ProductName) != "1756-ENBT/A" || id.RevisionMajor != 4 || id.RevisionMinor != 3 ||
		id.VendorID != 1 || id.SerialNumber != 5393806 || id.SocketPort != Port || id.SocketFamily != 2 {
		t.Errorf("%+v", id)
	}
	var src netip.Addr
	for _, cf := range corpustest.ReadCapture(t, "enip_listidentity_nmap.pcap") {
		if cf.Num == 7 {
			ip := cf.L3[12:16]
			src = netip.AddrFrom4([4]byte{ip[0], ip[1], ip[2], ip[3]})
		}
	}
	if id.SocketAddr != src {
		t.Errorf("socket addr %v, IP source %v", id.SocketAddr, src)
	}
}

func TestPaths(t *testing.T) {
	tests := []struct {
		name string
		p    []byte
		want Path
		err  error
	}{
		{"8-bit class/instance/attr", []byte{0x20, 0x01, 0x24, 0x01, 0x30, 0x07}, Path{Class: 1, Instance: 1, Attribute: 7, HasClass: true, HasInstance: true, HasAttribute: true}, nil},
		{"16-bit class", []byte{0x21, 0x00, 0x34, 0x12, 0x25, 0x00, 0x02, 0x01}, Path{Class: 0x1234, Instance: 0x102, HasClass: true, HasInstance: true}, nil},
		{"port then class", []byte{0x01, 0x00, 0x20, 0x06, 0x24, 0x01}, Path{Class: 6, Instance: 1, HasClass: true, HasInstance: true}, nil},
		{"symbol", []byte{0x91, 0x03, 'T', 'a', 'g', 0x00}, Path{Symbol: []byte("Tag")}, nil},
		{"truncated 16-bit", []byte{0x21, 0x00, 0x34}, Path{}, ErrBadPath},
		{"symbol overruns", []byte{0x91, 0x09, 'T'}, Path{}, ErrBadPath},
		{"reserved segment", []byte{0xE0, 0x00}, Path{}, ErrBadPath},
	}
	for _, tc := range tests {
		got, err := ParsePath(tc.p)
		if !errors.Is(err, tc.err) {
			t.Errorf("%s: err %v", tc.name, err)
			continue
		}
		if err == nil && (got.Class != tc.want.Class || got.Instance != tc.want.Instance || got.Attribute != tc.want.Attribute ||
			got.HasClass != tc.want.HasClass || string(got.Symbol) != string(tc.want.Symbol)) {
			t.Errorf("%s: %+v", tc.name, got)
		}
	}
}

// TestUnconnectedSend uses a Get Attribute All to the Identity object routed
// through backplane slot 0, laid out as in CIP Vol 1 3-5.6.2.
func TestUnconnectedSend(t *testing.T) {
	b := []byte{
		0x52, 0x02, 0x20, 0x06, 0x24, 0x01, // Unconnected Send to Connection Manager
		0x07, 0xe9, 0x06, 0x00, // priority/tick, timeout ticks, message size 6
		0x01, 0x02, 0x20, 0x01, 0x24, 0x01, // Get Attributes All, Identity instance 1
		0x01, 0x00, 0x01, 0x00, // route path: 1 word, reserved, port 1 slot 0
	}
	m, err := ParseMessage(b)
	if err != nil {
		t.Fatal(err)
	}
	var in Message
	route, err := m.UnconnectedSend(&in)
	if err != nil {
		t.Fatal(err)
	}
	if in.Service != SvcGetAttributesAll || in.Path.Class != ClassIdentity || string(route) != "\x01\x00" {
		t.Errorf("%+v %x", in, route)
	}
	b[8] = 0x40 // message size beyond the data
	m, _ = ParseMessage(b)
	if _, err := m.UnconnectedSend(&in); !errors.Is(err, ErrBadLength) {
		t.Errorf("hostile size: %v", err)
	}
}

func TestErrors(t *testing.T) {
	good := frameL4(t, "enip_listidentity_nmap.pcap", 7)
	if _, err := Parse(good[:10]); !errors.Is(err, ErrTooShort) {
		t.Errorf("short: %v", err)
	}
	if _, err := Parse(good[:40]); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated: %v", err)
	}
	bad := append([]byte(nil), good...)
	bad[HeaderLen+4] = 0xff // item length
	p, err := Parse(bad)
	if err != nil {
		t.Fatal(err)
	}
	_, items, _ := p.Items()
	if items.Next(new(Item)) || !errors.Is(items.Err(), ErrBadLength) {
		t.Errorf("item length: %v", items.Err())
	}
	bad = append([]byte(nil), good...)
	bad[HeaderLen+6+32] = 0xff // product name length
	p, _ = Parse(bad)
	_, items, _ = p.Items()
	var it Item
	items.Next(&it)
	if _, err := it.Identity(); !errors.Is(err, ErrBadLength) {
		t.Errorf("name length: %v", err)
	}
	if _, err := ParseMessage([]byte{0x0e, 0x09, 0x20}); !errors.Is(err, ErrBadLength) {
		t.Errorf("path size: %v", err)
	}
	if _, err := ParseMessage([]byte{0x8e, 0x00, 0x00, 0x05}); !errors.Is(err, ErrBadLength) {
		t.Errorf("ext status size: %v", err)
	}
	reg := Packet{Header: Header{Command: CmdRegisterSession}}
	if _, _, err := reg.Items(); !errors.Is(err, ErrNoCPF) {
		t.Errorf("no cpf: %v", err)
	}
}

// walk decodes everything decodable in b; used by tests and the fuzzer.
func walk(b []byte) int {
	n := 0
	visit := func(items Items) {
		var it Item
		for items.Next(&it) {
			n++
			_, _ = it.Identity()
			_, _, _ = it.ConnectionID()
			var m, in Message
			if _, err := it.CIP(&m); err == nil {
				_, _ = m.UnconnectedSend(&in)
				emb := m.Embedded()
				for emb.Next(&in) {
					n++
				}
			}
		}
	}
	if items, err := CPF(b); err == nil {
		visit(items)
	}
	pk := Split(b)
	var p Packet
	for pk.Next(&p) {
		n++
		if _, items, err := p.Items(); err == nil {
			visit(items)
		}
	}
	return n
}

func TestTruncations(t *testing.T) {
	for _, capName := range corpus {
		for i, cf := range corpustest.ReadCapture(t, capName) {
			if !isENIP(cf) || i > 120 {
				continue
			}
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

func benchFrame(t testing.TB) []byte {
	// enip_cip_example.pcap frame 2: SendUnitData, Multiple Service Packet
	// with 11 Get Attribute List requests.
	return frameL4(t, "enip_cip_example.pcap", 2)
}

func decodeAll(b []byte) int {
	n := 0
	pk := Split(b)
	var p Packet
	var m, in Message
	for pk.Next(&p) {
		_, items, err := p.Items()
		if err != nil {
			continue
		}
		var it Item
		for items.Next(&it) {
			if it.TypeID != ItemConnectedData && it.TypeID != ItemUnconnectedData {
				continue
			}
			if _, err := it.CIP(&m); err == nil {
				n++
				emb := m.Embedded()
				for emb.Next(&in) {
					n++
				}
			}
		}
	}
	return n
}

func TestZeroAllocs(t *testing.T) {
	b := benchFrame(t)
	if decodeAll(b) != 12 {
		t.Fatalf("decoded %d CIP messages", decodeAll(b))
	}
	if a := testing.AllocsPerRun(200, func() { decodeAll(b) }); a != 0 {
		t.Errorf("allocs %v", a)
	}
}

func FuzzENIP(f *testing.F) {
	for _, capName := range corpus {
		for i, cf := range corpustest.ReadCapture(f, capName) {
			if isENIP(cf) && i < 60 {
				f.Add(cf.L4)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pk := Split(b)
		var p Packet
		for pk.Next(&p) {
			if len(p.Data) != int(p.Length) {
				t.Fatalf("data %d, length %d", len(p.Data), p.Length)
			}
		}
		walk(b)
	})
}

// BenchmarkENIP decodes enip_cip_example.pcap frame 2: encapsulation header,
// CPF items, and the CIP Multiple Service Packet with its 11 embedded requests.
func BenchmarkENIP(b *testing.B) {
	data := benchFrame(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		decodeAll(data)
	}
}

// BenchmarkENIPTop decodes the encapsulation header, CPF items and the
// top-level CIP message of enip_cip_example.pcap frame 2, without the
// embedded services: the work gopacket's layers do (BenchmarkENIPGopacket).
func BenchmarkENIPTop(b *testing.B) {
	data := benchFrame(b)
	var p Packet
	var m Message
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := p.Decode(data); err != nil {
			b.Fatal(err)
		}
		_, items, err := p.Items()
		if err != nil {
			b.Fatal(err)
		}
		var it Item
		for items.Next(&it) {
			if it.TypeID == ItemConnectedData {
				if _, err := it.CIP(&m); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

// BenchmarkENIPGopacket decodes the same frame with the peer, gopacket's
// layers.ENIP and layers.CIP (top-level CIP message only).
func BenchmarkENIPGopacket(b *testing.B) {
	data := benchFrame(b)
	var e layers.ENIP
	var c layers.CIP
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := e.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
			b.Fatal(err)
		}
		if err := c.DecodeFromBytes(e.Payload, gopacket.NilDecodeFeedback); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCommonErrorsDoNotAllocate: commands without CPF, probing item types
// and split messages are ordinary traffic.
func TestCommonErrorsDoNotAllocate(t *testing.T) {
	good := frameL4(t, "enip_listidentity_nmap.pcap", 7)
	reg := Packet{Header: Header{Command: CmdRegisterSession}}
	var p Packet
	var it Item
	var m Message
	allocs := testing.AllocsPerRun(100, func() {
		if _, _, err := reg.Items(); err != ErrNoCPF {
			t.Fatal(err)
		}
		if p.Decode(good[:10]) != ErrTooShort || p.Decode(good[:40]) != ErrTruncated {
			t.Fatal("want ErrTooShort / ErrTruncated")
		}
		it.TypeID = ItemNullAddress
		if _, err := it.Identity(); err != ErrWrongItem {
			t.Fatal(err)
		}
		if _, err := it.CIP(&m); err != ErrWrongItem {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("allocs %v", allocs)
	}
}
