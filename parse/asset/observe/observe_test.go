package observe

import (
	"net"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/wirebom/wirebom/parse"
	"github.com/wirebom/wirebom/parse/asset"
)

// TestDCPIdentifyRequestNamesNobody: in pn_dcp_ident_req_multicast.pcap,
// fourteen Identify requests filter on a NameOfStation (tshark shows it in
// pn_dcp.suboption_device_nameofstation); two different MACs ask for
// "pn-io". The name is the device sought, not the sender's: no names, no
// NameOfStation conflict, role dcp-controller.
func TestDCPIdentifyRequestNamesNobody(t *testing.T) {
	r := fold(t, filepath.Join("..", "testdata", "pn_dcp_ident_req_multicast.pcap"))
	if len(r.Assets) != 11 { // distinct eth_src in the oracle
		t.Errorf("%d assets", len(r.Assets))
	}
	for _, a := range r.Assets {
		if len(a.Names) != 0 || !slices.Equal(a.Roles, []string{"dcp-controller"}) {
			t.Errorf("%s: names %+v roles %v", a.MAC, a.Names, a.Roles)
		}
	}
	if len(r.Conflicts) != 0 {
		t.Errorf("conflicts %+v", r.Conflicts)
	}
}

func arpFrame(t *testing.T, op uint16, srcMAC string, srcIP string, dstIP string) []byte {
	t.Helper()
	hw, _ := net.ParseMAC(srcMAC)
	eth := layers.Ethernet{SrcMAC: hw, DstMAC: net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, EthernetType: layers.EthernetTypeARP}
	arp := layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
		Operation: op, SourceHwAddress: hw, SourceProtAddress: net.ParseIP(srcIP).To4(),
		DstHwAddress: make([]byte, 6), DstProtAddress: net.ParseIP(dstIP).To4()}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true}, &eth, &arp); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestARPSpoofConflict: the gateway announces 192.168.0.1, then another
// MAC sends gratuitous ARP replies for the same address (arpspoof's
// pattern). The report lists the IP conflict with both MACs.
func TestARPSpoofConflict(t *testing.T) {
	frames := [][]byte{
		arpFrame(t, layers.ARPRequest, "00:1b:1b:17:f8:82", "192.168.0.1", "192.168.0.20"),
		arpFrame(t, layers.ARPReply, "00:0c:29:ba:09:ea", "192.168.0.1", "192.168.0.20"),
		arpFrame(t, layers.ARPRequest, "00:0c:29:ba:09:ea", "0.0.0.0", "192.168.0.7"), // probe: no claim
	}
	dec, pr, tb := parse.NewDecoder(), New(), asset.NewTable()
	for i, fr := range frames {
		ci := gopacket.CaptureInfo{Timestamp: time.Unix(1700000000+int64(i), 0), CaptureLength: len(fr), Length: len(fr)}
		p, err := dec.DecodeCapture(ci, fr, parse.LinkTypeEthernet)
		if err != nil {
			t.Fatal(err)
		}
		pr.Fold(tb, p)
	}
	r := tb.Report()
	if len(r.Conflicts) != 1 {
		t.Fatalf("conflicts %+v", r.Conflicts)
	}
	c := r.Conflicts[0]
	if c.Kind != "ip" || c.Value != "192.168.0.1" || len(c.Claims) != 2 ||
		c.Claims[0].MAC != "00:0c:29:ba:09:ea" || c.Claims[1].MAC != "00:1b:1b:17:f8:82" || c.Claims[0].Source != "arp" {
		t.Errorf("conflict %+v", c)
	}
	for _, a := range r.Assets {
		if len(a.IPs) != 1 || a.IPs[0].IP != "192.168.0.1" {
			t.Errorf("%s: ips %+v", a.MAC, a.IPs)
		}
	}
}
