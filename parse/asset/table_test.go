package asset

import (
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func mac(s string) MAC {
	hw, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	m, _ := MACFrom(hw)
	return m
}

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

func find(t *testing.T, r Report, m string) Asset {
	t.Helper()
	for _, a := range r.Assets {
		if a.MAC == m {
			return a
		}
	}
	t.Fatalf("asset %s not in report (%d assets)", m, len(r.Assets))
	return Asset{}
}

func TestMACString(t *testing.T) {
	m := MAC{0x08, 0x00, 0x06, 0x93, 0xcf, 0x32}
	if got := m.String(); got != "08:00:06:93:cf:32" {
		t.Errorf("String = %q", got)
	}
	if m.IsLocal() || m.IsMulticast() || m.IsZero() {
		t.Error("flags wrong for a universal unicast MAC")
	}
	if !(MAC{0x02}).IsLocal() || !(MAC{0x01, 0x0e, 0xcf}).IsMulticast() {
		t.Error("U/L or I/G bit not detected")
	}
	if _, ok := MACFrom([]byte{1, 2, 3}); ok {
		t.Error("MACFrom accepted 3 bytes")
	}
}

func TestMerge(t *testing.T) {
	tb := NewTable()
	m := mac("08:00:06:93:cf:32")
	tb.Observe(Observation{
		Time: t0.Add(2 * time.Second), MAC: m, Packets: 1, Bytes: 60, Protocol: ProtoARP,
		IPs: []IPClaim{{Addr: ip("192.168.0.6"), Evidence: EvidenceStrong, Source: ProtoARP}},
	})
	tb.Observe(Observation{
		Time: t0, MAC: m, Packets: 1, Bytes: 100, Protocol: ProtoPNDCP, Role: RoleDCPDevice,
		IPs:   []IPClaim{{Addr: ip("192.168.0.6"), Evidence: EvidenceStrong, Source: ProtoPNDCP}},
		Names: []Name{{Value: "X208-BORD", Source: ProtoPNDCP}},
		Identity: []Field{
			Number(KeyVendorID, ProtoPNDCP, 0x2a), Number(KeyDeviceID, ProtoPNDCP, 0x0a01),
			Text(KeyTypeOfStation, ProtoPNDCP, "INC"), Number(KeyDeviceRole, ProtoPNDCP, 1),
		},
	})
	// Same facts again, later: no duplicates, times widen.
	tb.Observe(Observation{
		Time: t0.Add(5 * time.Second), MAC: m, Packets: 1, Bytes: 100, Protocol: ProtoPNDCP, Role: RoleDCPDevice,
		Names:    []Name{{Value: "X208-BORD", Source: ProtoPNDCP}},
		Identity: []Field{Number(KeyVendorID, ProtoPNDCP, 0x2a)},
	})
	r := tb.Report()
	if len(r.Assets) != 1 || tb.Len() != 1 {
		t.Fatalf("%d assets, want 1", len(r.Assets))
	}
	a := r.Assets[0]
	if a.Packets != 3 || a.Bytes != 260 {
		t.Errorf("packets/bytes = %d/%d, want 3/260", a.Packets, a.Bytes)
	}
	if !a.FirstSeen.Equal(t0) || !a.LastSeen.Equal(t0.Add(5*time.Second)) {
		t.Errorf("seen %v..%v", a.FirstSeen, a.LastSeen)
	}
	if !reflect.DeepEqual(a.Protocols, []string{"arp", "pn-dcp"}) {
		t.Errorf("protocols %v", a.Protocols)
	}
	if !reflect.DeepEqual(a.Roles, []string{"dcp-device"}) {
		t.Errorf("roles %v", a.Roles)
	}
	// oui.csv: MA-L,080006,SIEMENS AG,...
	if a.Vendor != "SIEMENS AG" {
		t.Errorf("vendor %q", a.Vendor)
	}
	if len(a.IPs) != 1 || a.IPs[0].IP != "192.168.0.6" || a.IPs[0].Evidence != "strong" ||
		!reflect.DeepEqual(a.IPs[0].Sources, []string{"arp", "pn-dcp"}) {
		t.Errorf("ips %+v", a.IPs)
	}
	if len(a.Names) != 1 || a.Names[0].Name != "X208-BORD" || !a.Names[0].LastSeen.Equal(t0.Add(5*time.Second)) {
		t.Errorf("names %+v", a.Names)
	}
	want := map[string][2]string{
		"vendor_id":       {"0x002a", "Siemens AG"},
		"device_id":       {"0x0a01", ""},
		"type_of_station": {"INC", ""},
		"device_role":     {"0x01", "IO-Device"},
	}
	if len(a.Identity) != len(want) {
		t.Errorf("identity %+v", a.Identity)
	}
	for _, f := range a.Identity {
		if w, ok := want[f.Key]; !ok || f.Value != w[0] || f.Meaning != w[1] || f.Source != "pn-dcp" {
			t.Errorf("fact %+v, want %v", f, w)
		}
	}
	if len(r.Conflicts) != 0 {
		t.Errorf("conflicts %+v", r.Conflicts)
	}
}

func TestIPConflictStrongOnly(t *testing.T) {
	tb := NewTable()
	a, b := mac("00:1b:1b:00:00:01"), mac("00:1b:1b:00:00:02")
	victim := ip("10.0.0.5")
	tb.Observe(Observation{Time: t0, MAC: a, Protocol: ProtoARP,
		IPs: []IPClaim{{Addr: victim, Evidence: EvidenceStrong, Source: ProtoARP}}})
	// b sources traffic from the same IP: weak, no conflict yet.
	tb.Observe(Observation{Time: t0, MAC: b, Protocol: ProtoModbus,
		IPs: []IPClaim{{Addr: victim, Source: ProtoIPv4}}})
	r := tb.Report()
	if len(r.Conflicts) != 0 {
		t.Fatalf("weak evidence raised a conflict: %+v", r.Conflicts)
	}
	if ipb := find(t, r, b.String()).IPs; len(ipb) != 1 || !ipb[0].Routed {
		t.Errorf("weak IP held strongly by another MAC should be routed: %+v", ipb)
	}
	// b now answers ARP for it: ARP spoofing.
	tb.Observe(Observation{Time: t0.Add(time.Second), MAC: b, Protocol: ProtoARP,
		IPs: []IPClaim{{Addr: victim, Evidence: EvidenceStrong, Source: ProtoARP}}})
	r = tb.Report()
	if len(r.Conflicts) != 1 {
		t.Fatalf("conflicts %+v", r.Conflicts)
	}
	c := r.Conflicts[0]
	if c.Kind != "ip" || c.Value != "10.0.0.5" || len(c.Claims) != 2 ||
		c.Claims[0].MAC != a.String() || c.Claims[1].MAC != b.String() {
		t.Errorf("conflict %+v", c)
	}
}

func TestRouterManyWeakIPs(t *testing.T) {
	tb := NewTable()
	gw := mac("00:00:0c:11:22:33") // Cisco OUI
	tb.Observe(Observation{Time: t0, MAC: gw, Protocol: ProtoARP,
		IPs: []IPClaim{{Addr: ip("10.0.0.1"), Evidence: EvidenceStrong, Source: ProtoARP}}})
	for i := 0; i < 6; i++ {
		tb.Observe(Observation{Time: t0, MAC: gw, Protocol: ProtoModbus, Role: RoleModbusServer,
			IPs: []IPClaim{{Addr: netip.AddrFrom4([4]byte{172, 16, 0, byte(i + 1)}), Source: ProtoIPv4}}})
	}
	// A DNS answer for a routed address must not name the router.
	tb.Observe(Observation{ByIP: true, Time: t0, Protocol: ProtoDNS,
		IPs: []IPClaim{{Addr: ip("172.16.0.3"), Source: ProtoDNS}}, Names: []Name{{Value: "remote-plc", Source: ProtoDNS}}})
	tb.Observe(Observation{ByIP: true, Time: t0, Protocol: ProtoDNS,
		IPs: []IPClaim{{Addr: ip("10.0.0.1"), Source: ProtoDNS}}, Names: []Name{{Value: "gw.plant", Source: ProtoDNS}}})
	r := tb.Report()
	a := find(t, r, gw.String())
	if !reflect.DeepEqual(a.Roles, []string{"modbus-server", "router"}) {
		t.Errorf("roles %v", a.Roles)
	}
	routed := 0
	for _, x := range a.IPs {
		if x.Routed {
			routed++
		}
	}
	if routed != 6 || a.IPs[0].IP != "10.0.0.1" || a.IPs[0].Routed {
		t.Errorf("ips %+v", a.IPs)
	}
	if len(a.Names) != 1 || a.Names[0].Name != "gw.plant" || a.Names[0].Source != "dns" {
		t.Errorf("names %+v", a.Names)
	}
	if len(r.Conflicts) != 0 {
		t.Errorf("conflicts %+v", r.Conflicts)
	}
	if ipSummary(a) != "10.0.0.1 (+6 routed)" {
		t.Errorf("ipSummary %q", ipSummary(a))
	}
}

func TestNameOfStationConflict(t *testing.T) {
	tb := NewTable()
	a, b := mac("00:1b:1b:35:84:10"), mac("00:1b:1b:35:84:07")
	for _, m := range []MAC{a, b} {
		tb.Observe(Observation{Time: t0, MAC: m, Protocol: ProtoPNDCP, Role: RoleDCPDevice,
			Names: []Name{{Value: "pn-io", Source: ProtoPNDCP}}})
		// The same LLDP system name on two devices is not a conflict.
		tb.Observe(Observation{Time: t0, MAC: m, Protocol: ProtoLLDP,
			Names: []Name{{Value: "switch", Source: ProtoLLDP}}})
	}
	r := tb.Report()
	if len(r.Conflicts) != 1 || r.Conflicts[0].Kind != "name_of_station" || r.Conflicts[0].Value != "pn-io" ||
		len(r.Conflicts[0].Claims) != 2 {
		t.Fatalf("conflicts %+v", r.Conflicts)
	}
	// DCP names come first.
	if n := find(t, r, a.String()).Names; len(n) != 2 || n[0].Source != "pn-dcp" {
		t.Errorf("names %+v", n)
	}
}

func TestRolesAndVLANs(t *testing.T) {
	tb := NewTable()
	m := mac("00:1d:9c:00:00:01")
	for _, o := range []Observation{
		{MAC: m, Protocol: ProtoENIP, Role: RoleENIPAdapter, VLAN: 10},
		{MAC: m, Protocol: ProtoModbus, Role: RoleModbusServer, VLAN: 10},
		{MAC: m, Protocol: ProtoModbus, Role: RoleModbusServer, VLAN: 0x2000 | 20}, // PCP bits ignored
	} {
		tb.Observe(o)
	}
	a := tb.Report().Assets[0]
	if !reflect.DeepEqual(a.Roles, []string{"enip-adapter", "modbus-server"}) ||
		!reflect.DeepEqual(a.VLANs, []int{10, 20}) ||
		!reflect.DeepEqual(a.Protocols, []string{"enip", "modbus"}) {
		t.Errorf("roles %v vlans %v protocols %v", a.Roles, a.VLANs, a.Protocols)
	}
	if !a.FirstSeen.IsZero() {
		t.Errorf("first seen %v from observations without time", a.FirstSeen)
	}
	if a.Vendor != "Rockwell Automation" { // oui.csv: MA-L,001D9C,Rockwell Automation
		t.Errorf("vendor %q", a.Vendor)
	}
}

func TestZeroMACKeyedByIP(t *testing.T) {
	tb := NewTable()
	tb.Observe(Observation{Time: t0, Protocol: ProtoS7comm, Role: RoleS7PLC,
		IPs:      []IPClaim{{Addr: ip("172.17.0.2"), Source: ProtoIPv4}},
		Identity: []Field{Text(KeyOrderNumber, ProtoS7comm, "6ES7 315-2EH14-0AB0")}})
	tb.Observe(Observation{Time: t0, Protocol: ProtoS7comm, Role: RoleS7Client,
		IPs: []IPClaim{{Addr: ip("172.17.0.3"), Source: ProtoIPv4}}})
	tb.Observe(Observation{Time: t0, Protocol: ProtoS7comm}) // nothing to key by: dropped
	r := tb.Report()
	if len(r.Assets) != 2 || r.Assets[0].MAC != "" || r.Assets[0].IPs[0].IP != "172.17.0.2" || r.Dropped != 1 {
		t.Fatalf("%+v", r)
	}
	if r.Assets[0].Vendor != "" {
		t.Errorf("vendor for no MAC: %q", r.Assets[0].Vendor)
	}
}

func TestLocalAndMulticastNoVendor(t *testing.T) {
	tb := NewTable()
	// 0a:0c:c2:ac:00:66 from profinet_lldp_arp.pcap: U/L bit set.
	tb.Observe(Observation{MAC: mac("0a:0c:c2:ac:00:66")})
	tb.Observe(Observation{MAC: mac("01:0e:cf:00:00:00")})
	r := tb.Report()
	for _, a := range r.Assets {
		if a.Vendor != "" {
			t.Errorf("%s: vendor %q", a.MAC, a.Vendor)
		}
	}
	if r.Assets[0].MAC != "01:0e:cf:00:00:00" || !r.Assets[0].Multicast ||
		!r.Assets[1].LocallyAdministered || r.Assets[1].Multicast {
		t.Errorf("%+v", r.Assets)
	}
}

func TestLimits(t *testing.T) {
	tb := NewTableLimits(Limits{MaxAssets: 2, MaxNames: 1, MaxValueLen: 4})
	for i := 0; i < 5; i++ {
		tb.Observe(Observation{MAC: MAC{0, 0, 0, 0, 0, byte(i + 1)},
			Names: []Name{{Value: "abcdefgh", Source: ProtoLLDP}, {Value: "other", Source: ProtoLLDP}}})
	}
	r := tb.Report()
	if len(r.Assets) != 2 || r.Dropped != 3+2 {
		t.Errorf("%d assets, %d dropped", len(r.Assets), r.Dropped)
	}
	if n := r.Assets[0].Names; len(n) != 1 || n[0].Name != "abcd" {
		t.Errorf("names %+v", n)
	}
}

func TestFormatNum(t *testing.T) {
	// Values from enip_listidentity_nmap.pcap frame 7 as tshark -V shows
	// them: "Revision: 4.03" (bytes 04 03; enip.lir.revision 1027 =
	// 0x0403), "Serial Number: 0x00524d8e" (5393806).
	cases := []struct {
		k    Key
		src  Protocol
		n    uint64
		want string
	}{
		{KeyRevision, ProtoENIP, 0x0403, "4.03"},
		{KeySerial, ProtoENIP, 5393806, "0x00524d8e"},
		{KeyVendorID, ProtoENIP, 1, "1"},
		{KeyVendorID, ProtoPNDCP, 42, "0x002a"},
		{KeyDeviceInst, ProtoBACnet, 101, "101"},
	}
	for _, c := range cases {
		if got := formatNum(c.k, c.src, c.n); got != c.want {
			t.Errorf("formatNum(%s,%s,%d) = %q, want %q", c.k, c.src, c.n, got, c.want)
		}
	}
	if VendorName(ProtoENIP, 1) != "Rockwell Automation/Allen-Bradley" || VendorName(ProtoPNDCP, 0x2a) != "Siemens AG" {
		t.Error("vendor tables")
	}
}

// TestConcurrentObserve folds from several goroutines while reports are
// taken (run with -race); every packet must be counted once.
func TestConcurrentObserve(t *testing.T) {
	tb := NewTable()
	const workers, per = 4, 500
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 20; i++ {
			_ = tb.Report()
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < per; i++ {
				tb.Observe(Observation{Time: t0.Add(time.Duration(i)), MAC: MAC{0, 0x1b, 0x1b, 0, 0, byte(i % 7)}, Packets: 1,
					Protocol: ProtoARP, IPs: []IPClaim{{Addr: netip.AddrFrom4([4]byte{10, 0, 0, byte(i % 7)}), Evidence: EvidenceStrong, Source: ProtoARP}},
					Names: []Name{{Value: fmt.Sprintf("w%d", w), Source: ProtoLLDP}}})
			}
		}(w)
	}
	wg.Wait()
	<-done
	r := tb.Report()
	var n uint64
	for _, a := range r.Assets {
		n += a.Packets
		if len(a.Names) != workers {
			t.Errorf("%s: %d names", a.MAC, len(a.Names))
		}
	}
	if len(r.Assets) != 7 || n != workers*per || len(r.Conflicts) != 0 {
		t.Errorf("%d assets, %d packets, %d conflicts", len(r.Assets), n, len(r.Conflicts))
	}
}

// TestIPv6HostNotRouter: a host with an IPv4 address, a link-local and
// several global IPv6 addresses (privacy extensions) is not a router.
func TestIPv6HostNotRouter(t *testing.T) {
	tb := NewTable()
	m := mac("f8:b1:56:e1:dc:99")
	for _, a := range []string{"10.10.10.80", "fe80::3581:db52:5ee8:1", "2001:db8::1", "2001:db8::2", "2001:db8::3",
		"2001:db8::4", "2001:db8::5", "2001:db8::6"} {
		tb.Observe(Observation{MAC: m, IPs: []IPClaim{{Addr: ip(a), Source: ProtoIPv6}}})
	}
	a := tb.Report().Assets[0]
	if len(a.Roles) != 0 {
		t.Errorf("roles %v", a.Roles)
	}
	for _, x := range a.IPs {
		if x.Routed {
			t.Errorf("%s marked routed", x.IP)
		}
	}
}

func TestStringBudget(t *testing.T) {
	tb := NewTableLimits(Limits{MaxStringBytes: 10})
	tb.Observe(Observation{MAC: MAC{0, 1, 2, 3, 4, 5}, Names: []Name{{Value: "12345678", Source: ProtoLLDP}, {Value: "abcdefgh", Source: ProtoLLDP}},
		Identity: []Field{Text(KeySerial, ProtoENIP, "xyz"), Number(KeyVendorID, ProtoENIP, 1)}})
	r := tb.Report()
	a := r.Assets[0]
	if len(a.Names) != 1 || len(a.Identity) != 1 || a.Identity[0].Key != "vendor_id" || r.Dropped != 2 {
		t.Errorf("names %+v identity %+v dropped %d", a.Names, a.Identity, r.Dropped)
	}
}
