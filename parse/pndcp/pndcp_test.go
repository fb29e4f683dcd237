package pndcp

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/wirebom/wirebom/internal/corpustest"
)

var corpus = []string{
	"pn_dcp_change_ip_x208",
	"pn_dcp_ident_req_multicast",
	"pn_dcp_vlan_odd_name",
}

func suboptKey(o Option) string {
	switch o {
	case OptionIP:
		return "suboption_ip"
	case OptionDevice:
		return "suboption_device"
	case OptionDHCP:
		return "suboption_dhcp"
	case OptionControl:
		return "suboption_control"
	case OptionDeviceInitiative:
		return "suboption_deviceinitiative"
	case OptionAll:
		return "suboption_all"
	}
	if o.IsManufacturer() {
		return "suboption_manuf"
	}
	return "suboption_other"
}

// dcpFields renders a decoded frame the way tshark's pn_dcp fields list it
// (see the corpus README quirks: DeviceOptions pairs share option/suboption
// fields, the IP block's BlockInfo is ip_block_info).
func dcpFields(t *testing.T, f *Frame) corpustest.Fields {
	out := corpustest.Fields{}
	out.Add("service_id", uint8(f.ServiceID))
	out.Add("service_type", uint8(f.ServiceType))
	out.Add("xid", f.Xid)
	if f.ServiceID == ServiceIdentify && f.ServiceType == TypeRequest {
		out.Add("response_delay", f.ResponseDelay)
	}
	out.Add("data_length", f.DataLength)
	it := f.Blocks()
	var b Block
	for it.Next(&b) {
		out.Add("option", uint8(b.Option))
		out.Add(suboptKey(b.Option), b.Suboption)
		if f.kind == kindSelector {
			continue
		}
		out.Add("block_length", b.Length)
		if b.HasInfo {
			switch {
			case f.kind == kindQualifier:
				out.Add("block_qualifier", b.Info)
			case b.Option == OptionIP:
				out.Add("ip_block_info", b.Info)
			default:
				out.Add("block_info", b.Info)
			}
		}
		switch {
		case b.is(OptionDevice, SubDeviceNameOfStation):
			out.Add("name_of_station", b.Text())
		case b.is(OptionDevice, SubDeviceVendor):
			out.Add("type_of_station", b.Text())
		case b.is(OptionDevice, SubDeviceAliasName):
			out.Add("alias_name", b.Text())
		case b.is(OptionDevice, SubDeviceID):
			v, d, err := b.DeviceID()
			if err != nil {
				t.Fatal(err)
			}
			out.Add("vendor_id", v)
			out.Add("device_id", d)
		case b.is(OptionDevice, SubDeviceOEMDeviceID):
			v, d, err := b.OEMDeviceID()
			if err != nil {
				t.Fatal(err)
			}
			out.Add("oem_vendor_id", v)
			out.Add("oem_device_id", d)
		case b.is(OptionDevice, SubDeviceRole):
			r, err := b.DeviceRole()
			if err != nil {
				t.Fatal(err)
			}
			out.Add("device_role", r)
		case b.is(OptionDevice, SubDeviceInstance):
			h, l, err := b.DeviceInstance()
			if err != nil {
				t.Fatal(err)
			}
			out.Add("device_instance", h)
			out.Add("device_instance", l)
		case b.is(OptionDevice, SubDeviceOptions):
			ps, err := b.DeviceOptions()
			if err != nil {
				t.Fatal(err)
			}
			for {
				p, ok := ps.Next()
				if !ok {
					break
				}
				out.Add("option", uint8(p.Option))
				out.Add(suboptKey(p.Option), p.Suboption)
			}
		case b.Option == OptionIP && (b.Suboption == SubIPParameter || b.Suboption == SubIPFullSuite):
			p, err := b.IPParameter()
			if err != nil {
				t.Fatal(err)
			}
			out.Add("ip", p.IP.String())
			out.Add("netmask", p.Netmask.String())
			out.Add("gateway", p.Gateway.String())
		case b.is(OptionControl, SubControlResponse):
			o, s, e, err := b.ControlResponse()
			if err != nil {
				t.Fatal(err)
			}
			out.Add("control_option", uint8(o))
			out.Add(suboptKey(o), s)
			out.Add("block_error", e)
		case b.is(OptionDeviceInitiative, SubDeviceInitiative):
			v, err := b.DeviceInitiative()
			if err != nil {
				t.Fatal(err)
			}
			out.Add("device_initiative", v)
		}
	}
	if err := it.Err(); err != nil {
		t.Errorf("blocks: %v", err)
	}
	return out
}

// TestConformanceOracle decodes every DCP frame of the corpus captures and
// compares all pn_dcp fields with tshark's.
func TestConformanceOracle(t *testing.T) {
	for _, name := range corpus {
		t.Run(name, func(t *testing.T) {
			oracle := corpustest.LoadOracle(t, name)
			seen := 0
			for _, cf := range corpustest.ReadCapture(t, name+".pcap") {
				want := oracle[cf.Num].Group(t, "pn_dcp")
				if cf.EtherType != EtherType {
					if want != nil {
						t.Errorf("frame %d: oracle has pn_dcp, we do not see EtherType 0x8892", cf.Num)
					}
					continue
				}
				var f Frame
				err := f.Decode(cf.L3)
				if want == nil {
					if err == nil {
						t.Errorf("frame %d: decoded, oracle has no pn_dcp", cf.Num)
					}
					continue
				}
				if err != nil {
					t.Errorf("frame %d: %v", cf.Num, err)
					continue
				}
				rt := oracle[cf.Num].Group(t, "pn_rt")
				if len(rt["frame_id"]) != 1 || rt["frame_id"][0] != float64(f.FrameID) {
					t.Errorf("frame %d: FrameID %#x, oracle %v", cf.Num, f.FrameID, rt["frame_id"])
				}
				corpustest.CompareGroup(t, cf.Num, want, dcpFields(t, &f))
				seen++
			}
			if seen == 0 {
				t.Fatal("no DCP frame checked")
			}
		})
	}
}

func frameBytes(t testing.TB, name string, num int) []byte {
	t.Helper()
	for _, cf := range corpustest.ReadCapture(t, name) {
		if cf.Num == num {
			return cf.L3
		}
	}
	t.Fatalf("%s: no frame %d", name, num)
	return nil
}

// TestListMatchesIterator checks that the index built by Decode and the
// Blocks iterator agree on every corpus frame, and on frames cut short.
func TestListMatchesIterator(t *testing.T) {
	for _, name := range corpus {
		for _, cf := range corpustest.ReadCapture(t, name+".pcap") {
			if cf.EtherType != EtherType {
				continue
			}
			for cut := len(cf.L3); cut >= HeaderLen; cut -= 7 {
				b := append([]byte(nil), cf.L3[:cut]...)
				if cut < len(cf.L3) && len(b) > HeaderLen+1 {
					n := len(b) - HeaderLen
					b[10], b[11] = byte(n>>8), byte(n) // keep DataLength consistent
				}
				var f Frame
				derr := f.Decode(b)
				it := f.Blocks()
				var walked []Block
				var blk Block
				for it.Next(&blk) {
					walked = append(walked, blk)
				}
				list := make([]Block, f.NumBlocks())
				for i := range list {
					list[i] = f.Block(i)
				}
				if len(list) != len(walked) || (derr == nil) != (it.Err() == nil) {
					t.Fatalf("%s frame %d cut %d: list %d blocks (%v), iterator %d (%v)", name, cf.Num, cut, len(list), derr, len(walked), it.Err())
				}
				for i := range list {
					a, w := list[i], walked[i]
					if a.Option != w.Option || a.Suboption != w.Suboption || a.Length != w.Length || a.HasInfo != w.HasInfo ||
						a.Info != w.Info || a.Offset != w.Offset || string(a.Value) != string(w.Value) {
						t.Fatalf("%s frame %d block %d: %+v vs %+v", name, cf.Num, i, a, w)
					}
				}
			}
		}
	}
}

// TestOverflow builds a frame with more blocks than MaxIndexed.
func TestOverflow(t *testing.T) {
	b := []byte{0xfe, 0xfe, 5, 0, 0, 0, 0, 1, 0, 1, 0, 0}
	for i := 0; i < MaxIndexed+5; i++ {
		b = append(b, 2, 2, 0, 1, 'a', 0)
	}
	n := len(b) - HeaderLen
	b[10], b[11] = byte(n>>8), byte(n)
	var f Frame
	if err := f.Decode(b); err != nil {
		t.Fatal(err)
	}
	if !f.Overflow || f.NumBlocks() != MaxIndexed {
		t.Fatalf("overflow %v list %d", f.Overflow, f.NumBlocks())
	}
	it := f.Blocks()
	count := 0
	for it.Next(new(Block)) {
		count++
	}
	if count != MaxIndexed+5 || it.Err() != nil {
		t.Errorf("iterator %d %v", count, it.Err())
	}
	var id Identity
	if err := f.Identity(&id); err != nil || string(id.NameOfStation) != "a" {
		t.Errorf("identity %q %v", id.NameOfStation, err)
	}
}

// TestIdentity checks the asset view of an Identify response against the
// values tshark shows for pn_dcp_change_ip_x208 frame 2.
func TestIdentity(t *testing.T) {
	var f Frame
	if err := f.Decode(frameBytes(t, "pn_dcp_change_ip_x208.pcap", 2)); err != nil {
		t.Fatal(err)
	}
	var id Identity
	if err := f.Identity(&id); err != nil {
		t.Fatal(err)
	}
	if string(id.NameOfStation) != "X208-BORD" || string(id.TypeOfStation) != "INC" {
		t.Errorf("names: %q %q", id.NameOfStation, id.TypeOfStation)
	}
	if !id.HasDeviceID || id.VendorID != 42 || id.DeviceID != 2561 {
		t.Errorf("device id: %+v", id)
	}
	if !id.HasRole || id.Role != RoleIODevice {
		t.Errorf("role: %d", id.Role)
	}
	if !id.HasIP || id.IP.IP != netip.MustParseAddr("192.168.0.6") || id.IPBlockInfo != 1 ||
		id.IP.Netmask != netip.MustParseAddr("255.255.255.0") || id.IP.Gateway != netip.MustParseAddr("192.168.0.1") {
		t.Errorf("ip: %+v info %d", id.IP, id.IPBlockInfo)
	}
	if f.FrameID != FrameIDIdentifyResponse || !f.IsResponse() {
		t.Errorf("frame id %#x", f.FrameID)
	}
}

// TestSyntheticBlocks covers blocks absent from the corpus, built from the
// layouts in IEC 61158-6-10 (and Wireshark's packet-pn-dcp.c).
func TestSyntheticBlocks(t *testing.T) {
	b := []byte{
		0xfe, 0xff, 5, 1, 0, 0, 0, 7, 0, 0, 0, 0, // header, length patched below
		2, 6, 0, 5, 0, 0, 'a', 'b', 'c', 0, // AliasName "abc" (odd) + pad
		2, 7, 0, 4, 0, 0, 0x01, 0x02, // DeviceInstance high 1 low 2
		2, 8, 0, 6, 0, 0, 0x00, 0x2a, 0x01, 0x05, // OEM vendor 0x2a device 0x105
		6, 1, 0, 4, 0, 0, 0, 1, // DeviceInitiative 1
		1, 1, 0, 8, 0, 0, 0, 0x0e, 0x8c, 1, 2, 3, // MAC
		1, 3, 0, 30, 0, 2, 10, 0, 0, 1, 255, 0, 0, 0, 10, 0, 0, 254, 8, 8, 8, 8, 8, 8, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, // full suite
		0x81, 1, 0, 3, 0, 0, 0x55, 0, // manufacturer specific, odd + pad
	}
	n := len(b) - HeaderLen
	b[10], b[11] = byte(n>>8), byte(n)
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	var id Identity
	if err := f.Identity(&id); err != nil {
		t.Fatal(err)
	}
	if string(id.AliasName) != "abc" || !id.HasInstance || id.InstanceHigh != 1 || id.InstanceLow != 2 ||
		!id.HasOEMDeviceID || id.OEMVendorID != 0x2a || id.OEMDeviceID != 0x105 ||
		!id.HasInitiative || id.DeviceInitiative != 1 || string(id.MAC) != "\x00\x0e\x8c\x01\x02\x03" ||
		!id.HasIP || id.IPBlockInfo != 2 || id.IP.IP != netip.MustParseAddr("10.0.0.1") ||
		id.IP.DNS[0] != netip.MustParseAddr("8.8.8.8") || id.IP.DNS[1] != netip.MustParseAddr("8.8.4.4") ||
		string(id.ManufacturerBytes) != "\x55" {
		t.Errorf("identity: %+v", id)
	}
	// Get request: selectors only.
	g := []byte{0xfe, 0xfd, 3, 0, 0, 0, 0, 1, 0, 0, 0, 4, 2, 2, 1, 2}
	f, err = Parse(g)
	if err != nil {
		t.Fatal(err)
	}
	it := f.Blocks()
	var got []OptionPair
	var blk Block
	for it.Next(&blk) {
		got = append(got, OptionPair{blk.Option, blk.Suboption})
	}
	if it.Err() != nil || len(got) != 2 || got[0] != (OptionPair{OptionDevice, 2}) || got[1] != (OptionPair{OptionIP, 2}) {
		t.Errorf("selectors %v %v", got, it.Err())
	}
}

func TestErrors(t *testing.T) {
	good := frameBytes(t, "pn_dcp_change_ip_x208.pcap", 2)
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrTooShort},
		{"header only part", good[:11], ErrTooShort},
		{"not dcp", append([]byte{0x80, 0x00}, good[2:]...), ErrUnknownFrameID},
		{"data length beyond input", good[:50], ErrBadLength},
	}
	for _, tc := range tests {
		_, err := Parse(tc.b)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	// Block length pointing beyond DCPDataLength.
	bad := append([]byte(nil), good...)
	bad[HeaderLen+2], bad[HeaderLen+3] = 0xff, 0xff
	f, err := Parse(bad)
	if !errors.Is(err, ErrBadLength) || f.Xid != 0x01000001 || f.NumBlocks() != 0 {
		t.Fatalf("huge block length: %v, xid %#x, %d blocks", err, f.Xid, f.NumBlocks())
	}
	it := f.Blocks()
	if it.Next(new(Block)) || !errors.Is(it.Err(), ErrBadLength) {
		t.Errorf("huge block length: %v", it.Err())
	}
	var e *Error
	if !errors.As(it.Err(), &e) || e.Offset != HeaderLen+2 {
		t.Errorf("offset: %+v", e)
	}
	// Typed accessor on the wrong block, and short typed content.
	blk := Block{Option: OptionDevice, Suboption: SubDeviceID, Value: []byte{1, 2}}
	if _, _, err := blk.DeviceID(); !errors.Is(err, ErrBadLength) {
		t.Errorf("short device id: %v", err)
	}
	if _, err := blk.IPParameter(); !errors.Is(err, ErrWrongBlock) {
		t.Errorf("wrong block: %v", err)
	}
}

// TestTruncations cuts a real frame at every length: never a panic, and an
// error or a consistent prefix every time.
func TestTruncations(t *testing.T) {
	for _, name := range corpus {
		for _, cf := range corpustest.ReadCapture(t, name+".pcap") {
			if cf.EtherType != EtherType {
				continue
			}
			for n := 0; n <= len(cf.L3); n++ {
				walk(cf.L3[:n])
			}
			// Corrupt every byte in turn.
			for i := range cf.L3 {
				c := append([]byte(nil), cf.L3...)
				c[i] ^= 0xff
				walk(c)
			}
		}
	}
}

// walk decodes b and every typed block accessor; used by tests and the fuzzer.
func walk(b []byte) int {
	var f Frame
	if f.Decode(b) != nil {
		return 0
	}
	var id Identity
	_ = f.Identity(&id)
	n := 0
	it := f.Blocks()
	var blk Block
	for it.Next(&blk) {
		n++
		_, _ = blk.MAC()
		_, _ = blk.IPParameter()
		_, _, _ = blk.DeviceID()
		_, _, _ = blk.OEMDeviceID()
		_, _ = blk.DeviceRole()
		_, _, _ = blk.DeviceInstance()
		_, _ = blk.DeviceInitiative()
		_, _, _, _ = blk.ControlResponse()
		if ps, err := blk.DeviceOptions(); err == nil {
			for {
				if _, ok := ps.Next(); !ok {
					break
				}
			}
		}
	}
	return n
}

func TestZeroAllocs(t *testing.T) {
	b := frameBytes(t, "pn_dcp_change_ip_x208.pcap", 2)
	var f Frame
	var id Identity
	allocs := testing.AllocsPerRun(200, func() {
		if err := f.Decode(b); err != nil {
			t.Fatal(err)
		}
		it := f.Blocks()
		var blk Block
		for it.Next(&blk) {
		}
		if err := f.Identity(&id); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("allocs per decode: %v", allocs)
	}
}

func FuzzProfinetDCP(f *testing.F) {
	for _, name := range corpus {
		for _, cf := range corpustest.ReadCapture(f, name+".pcap") {
			if cf.EtherType == EtherType {
				f.Add(cf.L3)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var fr Frame
		derr := fr.Decode(b)
		if fr.Data == nil {
			return
		}
		if len(fr.Data) != int(fr.DataLength) {
			t.Fatalf("data view %d != DataLength %d", len(fr.Data), fr.DataLength)
		}
		// The index and the iterator must agree block for block.
		it := fr.Blocks()
		i := 0
		var blk Block
		for it.Next(&blk) {
			if blk.Offset+len(blk.Value) > len(fr.Data) {
				t.Fatalf("block value beyond data")
			}
			if i < fr.NumBlocks() {
				x := fr.Block(i)
				if x.Option != blk.Option || x.Suboption != blk.Suboption || x.Length != blk.Length ||
					x.HasInfo != blk.HasInfo || x.Info != blk.Info || x.Offset != blk.Offset || string(x.Value) != string(blk.Value) {
					t.Fatalf("block %d: index %+v, iterator %+v", i, x, blk)
				}
			}
			i++
		}
		if !fr.Overflow && ((derr == nil) != (it.Err() == nil) || i != fr.NumBlocks()) {
			t.Fatalf("decode %v / iterator %v, %d vs %d blocks", derr, it.Err(), fr.NumBlocks(), i)
		}
		walk(b)
	})
}

// BenchmarkProfinetDCP decodes the header of pn_dcp_change_ip_x208.pcap frame 2
// (Identify response, 106 bytes from the FrameID) and iterates every block.
func BenchmarkProfinetDCP(b *testing.B) {
	data := frameBytes(b, "pn_dcp_change_ip_x208.pcap", 2)
	if len(data) != 106 {
		b.Fatalf("frame is %d bytes", len(data))
	}
	var f Frame
	want := 0
	if err := f.Decode(data); err != nil {
		b.Fatal(err)
	}
	for i := range f.NumBlocks() {
		want += len(f.Block(i).Value)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		if err := f.Decode(data); err != nil {
			b.Fatal(err)
		}
		for i := range f.NumBlocks() {
			n += len(f.Block(i).Value)
		}
	}
	if n != want*b.N {
		b.Fatalf("walked %d value bytes", n)
	}
}

// BenchmarkProfinetDCPIterator is BenchmarkProfinetDCP through the unbounded
// Blocks iterator instead of the index Decode builds.
func BenchmarkProfinetDCPIterator(b *testing.B) {
	data := frameBytes(b, "pn_dcp_change_ip_x208.pcap", 2)
	var f Frame
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := f.Decode(data); err != nil {
			b.Fatal(err)
		}
		it := f.Blocks()
		var blk Block
		for it.Next(&blk) {
		}
	}
}

// BenchmarkProfinetDCPIdentity is BenchmarkProfinetDCP plus the typed decoding
// of every block into an Identity (what asset discovery uses).
func BenchmarkProfinetDCPIdentity(b *testing.B) {
	data := frameBytes(b, "pn_dcp_change_ip_x208.pcap", 2)
	var f Frame
	var id Identity
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := f.Decode(data); err != nil {
			b.Fatal(err)
		}
		if err := f.Identity(&id); err != nil {
			b.Fatal(err)
		}
	}
}

var sink int

// BenchmarkProfinetDCPBaselineSum sums the 106 bytes of the same frame: a
// reference for the cost of one plain pass over the input on the machine at
// hand, so that BenchmarkProfinetDCP can be read on a loaded or slow host.
func BenchmarkProfinetDCPBaselineSum(b *testing.B) {
	data := frameBytes(b, "pn_dcp_change_ip_x208.pcap", 2)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := 0
		for _, v := range data {
			s += int(v)
		}
		sink += s
	}
}

// TestWrongBlockDoesNotAllocate: probing a block with the wrong accessor is
// not an error worth an allocation.
func TestWrongBlockDoesNotAllocate(t *testing.T) {
	blk := Block{Option: OptionIP, Suboption: SubIPParameter, Value: make([]byte, 12)}
	allocs := testing.AllocsPerRun(100, func() {
		if _, _, err := blk.DeviceID(); err != ErrWrongBlock {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("allocs %v", allocs)
	}
}

// randomFrame builds a DCP frame from r: well-formed blocks of every kind
// and size class (short, odd without padding at the end, 256 bytes and
// more, Control/Response), then sometimes a cut or a corrupted byte.
func randomFrame(r *rand.Rand) []byte {
	ids := []uint16{FrameIDHello, FrameIDGetSet, FrameIDIdentifyRequest, FrameIDIdentifyResponse}
	b := []byte{0, 0, 0, 0, 1, 2, 3, 4, 0, 1, 0, 0}
	binary.BigEndian.PutUint16(b, ids[r.IntN(len(ids))])
	b[2] = []byte{3, 4, 5, 6, 9}[r.IntN(5)]
	b[3] = []byte{0, 0, 1, 5}[r.IntN(4)]
	lengths := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 13, 28, 255, 256, 300}
	for range r.IntN(45) {
		opt, sub := byte(r.IntN(8)), byte(r.IntN(8))
		if r.IntN(4) == 0 {
			opt, sub = byte(OptionControl), SubControlResponse
		}
		n := lengths[r.IntN(len(lengths))]
		b = append(b, opt, sub, byte(n>>8), byte(n))
		for range n {
			b = append(b, byte(r.IntN(256)))
		}
		if n&1 == 1 {
			b = append(b, 0)
		}
	}
	if len(b) > HeaderLen && b[len(b)-1] == 0 && r.IntN(3) == 0 {
		b = b[:len(b)-1] // no padding after the last odd block
	}
	n := len(b) - HeaderLen
	b[10], b[11] = byte(n>>8), byte(n)
	switch r.IntN(4) {
	case 0:
		b = b[:r.IntN(len(b)+1)]
	case 1:
		if len(b) > HeaderLen {
			b[HeaderLen+r.IntN(len(b)-HeaderLen)] ^= byte(1 + r.IntN(255))
		}
	}
	return b
}

// TestIndexMatchesIteratorRandom checks the index built by Decode against
// the Blocks iterator, block for block and error for error, on random
// frames that exercise both of Decode's loops.
func TestIndexMatchesIteratorRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var f Frame
	var blk Block
	for iter := range 20000 {
		b := randomFrame(r)
		derr := f.Decode(b)
		it := f.Blocks()
		i := 0
		for it.Next(&blk) {
			if i < f.NumBlocks() {
				x := f.Block(i)
				if x.Option != blk.Option || x.Suboption != blk.Suboption || x.Length != blk.Length ||
					x.HasInfo != blk.HasInfo || x.Info != blk.Info || x.Offset != blk.Offset || string(x.Value) != string(blk.Value) {
					t.Fatalf("frame %d block %d: index %+v, iterator %+v", iter, i, x, blk)
				}
			}
			i++
		}
		if f.Overflow {
			if f.NumBlocks() != MaxIndexed || derr != nil || i < MaxIndexed {
				t.Fatalf("frame %d: overflow with %d blocks, %v, iterator %d", iter, f.NumBlocks(), derr, i)
			}
			continue
		}
		if i != f.NumBlocks() {
			t.Fatalf("frame %d: index %d blocks, iterator %d", iter, f.NumBlocks(), i)
		}
		if f.Data == nil {
			continue
		}
		var de, ie *Error
		if (derr == nil) != (it.Err() == nil) ||
			derr != nil && (!errors.As(derr, &de) || !errors.As(it.Err(), &ie) || de.Offset != ie.Offset || de.Err != ie.Err) {
			t.Fatalf("frame %d: Decode %v, iterator %v", iter, derr, it.Err())
		}
	}
}

// TestReusedFrameMatchesFresh decodes a sequence of random frames into one
// Frame and checks that each result (header, Data, error, every indexed
// block, Overflow and the Blocks iterator) is the same as decoding the
// frame into a new Frame: Decode does not reset the index before it
// starts, so nothing from an earlier frame may show through.
func TestReusedFrameMatchesFresh(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var reused Frame
	for iter := range 20000 {
		b := randomFrame(r)
		switch r.IntN(8) {
		case 0:
			b = b[:r.IntN(HeaderLen)] // shorter than the header
		case 1:
			if len(b) >= HeaderLen {
				b[10], b[11] = 0, 0 // DataLength 0
			}
		}
		rerr := reused.Decode(b)
		fresh, ferr := Parse(b)
		if (rerr == nil) != (ferr == nil) || rerr != nil && rerr.Error() != ferr.Error() {
			t.Fatalf("frame %d: reused %v, fresh %v", iter, rerr, ferr)
		}
		if reused.FrameID != fresh.FrameID || reused.ServiceID != fresh.ServiceID || reused.ServiceType != fresh.ServiceType ||
			reused.Xid != fresh.Xid || reused.ResponseDelay != fresh.ResponseDelay || reused.DataLength != fresh.DataLength ||
			reused.Overflow != fresh.Overflow || reused.NumBlocks() != fresh.NumBlocks() || reused.kind != fresh.kind ||
			(reused.Data == nil) != (fresh.Data == nil) || string(reused.Data) != string(fresh.Data) ||
			cap(reused.Data) != cap(fresh.Data) {
			t.Fatalf("frame %d: reused %+v, fresh %+v", iter, reused, fresh)
		}
		for i := range fresh.NumBlocks() {
			x, y := reused.Block(i), fresh.Block(i)
			if x.Option != y.Option || x.Suboption != y.Suboption || x.Length != y.Length || x.HasInfo != y.HasInfo ||
				x.Info != y.Info || x.Offset != y.Offset || string(x.Value) != string(y.Value) || cap(x.Value) != len(x.Value) {
				t.Fatalf("frame %d block %d: reused %+v, fresh %+v", iter, i, x, y)
			}
		}
		var xb, yb Block
		xi, yi := reused.Blocks(), fresh.Blocks()
		for {
			xok, yok := xi.Next(&xb), yi.Next(&yb)
			if xok != yok || xb.Offset != yb.Offset || xb.Length != yb.Length || string(xb.Value) != string(yb.Value) {
				t.Fatalf("frame %d: iterators differ: %+v %v, %+v %v", iter, xb, xok, yb, yok)
			}
			if !xok {
				break
			}
		}
	}
}

// TestFastLoopEdges decodes frames whose blocks sit on the edges of
// Decode's first loop: lengths around 256 (the first loop takes blocks of
// up to 255 bytes), zero-length and odd blocks, the last 8 bytes of Data,
// and exactly MaxIndexed blocks with and without one more, each cut at
// every length, and compares the index and the errors with the Blocks
// iterator.
func TestFastLoopEdges(t *testing.T) {
	frame := func(lengths ...int) []byte {
		b := []byte{0xfe, 0xff, 5, 1, 0, 0, 0, 1, 0, 0, 0, 0}
		for i, n := range lengths {
			b = append(b, byte(2), byte(i), byte(n>>8), byte(n))
			for j := range n {
				b = append(b, byte(j*7+i))
			}
			if n&1 == 1 {
				b = append(b, 0)
			}
		}
		binary.BigEndian.PutUint16(b[10:], uint16(len(b)-HeaderLen))
		return b
	}
	var cases [][]int
	for _, n := range []int{0, 1, 2, 3, 4, 5, 254, 255, 256, 257, 511, 512, 4000} {
		cases = append(cases, []int{n}, []int{n, 2}, []int{2, n, 3}, []int{6, 6, n})
	}
	for _, count := range []int{MaxIndexed - 1, MaxIndexed, MaxIndexed + 1, MaxIndexed + 5} {
		for _, n := range []int{0, 2, 3} {
			c := make([]int, count)
			for i := range c {
				c[i] = n
			}
			cases = append(cases, c)
		}
	}
	var f Frame
	for ci, c := range cases {
		full := frame(c...)
		// Every cut, with DataLength saying where it is: the blocks end
		// anywhere in a header, a BlockInfo, a value or a padding byte.
		for cut := len(full); cut >= HeaderLen; cut-- {
			b := append([]byte(nil), full[:cut]...)
			binary.BigEndian.PutUint16(b[10:], uint16(cut-HeaderLen))
			err := f.Decode(b)
			it := f.Blocks()
			var blk Block
			i, end := 0, -1 // end: where the block after the last indexed one starts
			for it.Next(&blk) {
				if i < f.NumBlocks() {
					x := f.Block(i)
					if x.Option != blk.Option || x.Suboption != blk.Suboption || x.Length != blk.Length || x.HasInfo != blk.HasInfo ||
						x.Info != blk.Info || x.Offset != blk.Offset || string(x.Value) != string(blk.Value) {
						t.Fatalf("case %d cut %d block %d: index %+v, iterator %+v", ci, cut, i, x, blk)
					}
				}
				i++
				if i == MaxIndexed {
					end = blk.Offset + 4 + int(blk.Length) + int(blk.Length&1)
				}
			}
			wantOverflow := end >= 0 && end < cut-HeaderLen
			if f.Overflow != wantOverflow || f.NumBlocks() != min(i, MaxIndexed) {
				t.Fatalf("case %d cut %d: %d blocks indexed, overflow %v, iterator %d", ci, cut, f.NumBlocks(), f.Overflow, i)
			}
			if cut == len(full) && (err != nil || it.Err() != nil || i != len(c)) {
				t.Fatalf("case %d: %v, %v, %d blocks of %d", ci, err, it.Err(), i, len(c))
			}
			if !f.Overflow {
				var de, ie *Error
				if (err == nil) != (it.Err() == nil) ||
					err != nil && (!errors.As(err, &de) || !errors.As(it.Err(), &ie) || de.Offset != ie.Offset || de.Err != ie.Err) {
					t.Fatalf("case %d cut %d: Decode %v, iterator %v", ci, cut, err, it.Err())
				}
			}
		}
	}
}

// TestLastFastBlockEnd covers the test Decode makes once after its fast
// loop: whether the last block it indexed ends within DataLength. Frames of
// 1 to 8 blocks (so that the last block falls on each position of the
// loop's three-block round) get a DataLength that covers all their bytes
// or 1 to 3 bytes fewer: without the padding byte of a last odd-length
// block (valid), or cutting the last block (an error). The index and the
// error must match the Blocks iterator's.
func TestLastFastBlockEnd(t *testing.T) {
	var f Frame
	for count := 1; count <= 8; count++ {
		for _, last := range []int{2, 3, 4, 5, 6, 9, 10, 60, 61} {
			b := []byte{0xfe, 0xff, 5, 1, 0, 0, 0, 1, 0, 0, 0, 0}
			for i := range count {
				n := 6
				if i == count-1 {
					n = last
				}
				b = append(b, 2, byte(i+1), byte(n>>8), byte(n))
				for j := range n {
					b = append(b, byte(i*16+j))
				}
				if n&1 == 1 {
					b = append(b, 0) // padding
				}
			}
			// A few bytes after DataLength, as Ethernet padding would be.
			full := len(b) - HeaderLen
			b = append(b, 0xee, 0xee, 0xee, 0xee)
			for short := range 4 {
				dl := full - short
				binary.BigEndian.PutUint16(b[10:], uint16(dl))
				err := f.Decode(b)
				it := f.Blocks()
				var blk Block
				i := 0
				for it.Next(&blk) {
					if i >= f.NumBlocks() {
						t.Fatalf("%d blocks, last %d, DataLength %d: block %d not indexed", count, last, dl, i)
					}
					x := f.Block(i)
					if x.Option != blk.Option || x.Suboption != blk.Suboption || x.Length != blk.Length ||
						x.HasInfo != blk.HasInfo || x.Info != blk.Info || x.Offset != blk.Offset ||
						string(x.Value) != string(blk.Value) || cap(x.Value) != len(x.Value) {
						t.Fatalf("%d blocks, last %d, DataLength %d, block %d: index %+v, iterator %+v", count, last, dl, i, x, blk)
					}
					i++
				}
				if i != f.NumBlocks() || f.Overflow {
					t.Fatalf("%d blocks, last %d, DataLength %d: index %d blocks (overflow %v), iterator %d",
						count, last, dl, f.NumBlocks(), f.Overflow, i)
				}
				var de, ie *Error
				if (err == nil) != (it.Err() == nil) ||
					err != nil && (!errors.As(err, &de) || !errors.As(it.Err(), &ie) || de.Offset != ie.Offset || de.Err != ie.Err) {
					t.Fatalf("%d blocks, last %d, DataLength %d: Decode %v, iterator %v", count, last, dl, err, it.Err())
				}
				// Only the full DataLength, or one missing padding byte, is valid.
				if valid := short == 0 || short == 1 && last&1 == 1; (err == nil) != valid {
					t.Fatalf("%d blocks, last %d, DataLength %d: error %v", count, last, dl, err)
				}
			}
		}
	}
}
