// Command gen writes the synthetic captures of rawsock/filter/testdata
// (gen_*.pcap): frames chosen to exercise every pcap-filter primitive
// (VLAN and QinQ, MPLS, IPv6 extension headers, IP fragments, TCP flags,
// ICMP types, ARP/RARP, SCTP, broadcast and multicast, truncated frames).
// Run it through scripts/gen-filter-testdata.sh.
package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

var (
	macA  = net.HardwareAddr{0x00, 0x1b, 0x1b, 0x01, 0x02, 0x03} // Siemens OUI
	macB  = net.HardwareAddr{0x00, 0x0e, 0x8c, 0x0a, 0x0b, 0x0c}
	bcast = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	mcast = net.HardwareAddr{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}
	ip6mc = net.HardwareAddr{0x33, 0x33, 0xff, 0x00, 0x00, 0x05}
	stpMC = net.HardwareAddr{0x01, 0x80, 0xc2, 0x00, 0x00, 0x00}
)

type frame struct {
	data    []byte
	wireLen int
}

func ser(ls ...gopacket.SerializableLayer) []byte {
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	for _, l := range ls {
		if n, ok := l.(interface {
			SetNetworkLayerForChecksum(gopacket.NetworkLayer) error
		}); ok {
			for _, m := range ls {
				if nl, ok := m.(gopacket.NetworkLayer); ok {
					_ = n.SetNetworkLayerForChecksum(nl)
				}
			}
		}
	}
	if err := gopacket.SerializeLayers(buf, opts, ls...); err != nil {
		panic(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

func eth(src, dst net.HardwareAddr, et layers.EthernetType) *layers.Ethernet {
	return &layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: et}
}

func ip4(src, dst string, proto layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: proto, SrcIP: net.ParseIP(src).To4(), DstIP: net.ParseIP(dst).To4(), Id: 0x1234}
}

func ip6(src, dst string, nh layers.IPProtocol) *layers.IPv6 {
	return &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: nh, SrcIP: net.ParseIP(src), DstIP: net.ParseIP(dst)}
}

func tcp(sp, dp int, flags string) *layers.TCP {
	t := &layers.TCP{SrcPort: layers.TCPPort(sp), DstPort: layers.TCPPort(dp), Seq: 1000, Ack: 2000, Window: 8192}
	for _, f := range flags {
		switch f {
		case 'S':
			t.SYN = true
		case 'A':
			t.ACK = true
		case 'F':
			t.FIN = true
		case 'R':
			t.RST = true
		case 'P':
			t.PSH = true
		case 'U':
			t.URG = true
		case 'E':
			t.ECE = true
		case 'C':
			t.CWR = true
		}
	}
	return t
}

func udp(sp, dp int) *layers.UDP {
	return &layers.UDP{SrcPort: layers.UDPPort(sp), DstPort: layers.UDPPort(dp)}
}

func pl(n int) gopacket.Payload {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + 3)
	}
	return b
}

func vlanTag(id uint16, next layers.EthernetType, tpid layers.EthernetType) []byte {
	b := make([]byte, 4)
	binary.BigEndian.PutUint16(b, id&0x0fff|3<<13)
	binary.BigEndian.PutUint16(b[2:], uint16(next))
	_ = tpid
	return b
}

// tagged builds dst, src, then TPID/TCI pairs, then the EtherType and payload.
func tagged(src, dst net.HardwareAddr, tags [][2]uint16, et uint16, payload []byte) []byte {
	b := append([]byte{}, dst...)
	b = append(b, src...)
	for _, t := range tags {
		b = binary.BigEndian.AppendUint16(b, t[0])
		b = binary.BigEndian.AppendUint16(b, t[1]|5<<13)
	}
	b = binary.BigEndian.AppendUint16(b, et)
	return append(b, payload...)
}

func mplsLabel(label uint32, bos bool, ttl byte) []byte {
	v := label<<12 | uint32(ttl)
	if bos {
		v |= 1 << 8
	}
	return binary.BigEndian.AppendUint32(nil, v)
}

// l3 returns the bytes after the Ethernet header of a serialized frame.
func l3(ls ...gopacket.SerializableLayer) []byte {
	full := ser(append([]gopacket.SerializableLayer{eth(macA, macB, layers.EthernetTypeIPv4)}, ls...)...)
	return full[14:]
}

func sctpPacket(sp, dp uint16) []byte {
	b := binary.BigEndian.AppendUint16(nil, sp)
	b = binary.BigEndian.AppendUint16(b, dp)
	b = append(b, 0, 0, 0, 1, 0, 0, 0, 0) // vtag, checksum
	b = append(b, 0, 3, 0, 16)            // DATA chunk header
	return append(b, pl(12)...)
}

func mixed() []frame {
	var fs []frame
	add := func(b []byte) { fs = append(fs, frame{b, len(b)}) }
	e4 := func() *layers.Ethernet { return eth(macA, macB, layers.EthernetTypeIPv4) }
	e6 := func() *layers.Ethernet { return eth(macA, macB, layers.EthernetTypeIPv6) }
	// TCP flag combinations and ports.
	for i, f := range []string{"S", "SA", "A", "PA", "FA", "R", "RA", "UA", "SEC", "F", ""} {
		ports := [][2]int{{50000, 502}, {502, 50000}, {1025, 80}, {443, 40000}, {22, 3333}, {20000, 20001}, {102, 49152}, {44818, 2222}, {8080, 503}, {500, 501}, {65535, 0}}
		add(ser(e4(), ip4("10.0.0.5", "10.0.0.6", layers.IPProtocolTCP), tcp(ports[i][0], ports[i][1], f), pl(i*3)))
	}
	add(ser(e4(), ip4("192.168.1.10", "10.0.0.5", layers.IPProtocolTCP), tcp(34567, 502, "PA"), pl(12)))
	add(ser(e4(), ip4("172.16.0.1", "192.168.1.200", layers.IPProtocolTCP), tcp(80, 34567, "A"), pl(100)))
	// UDP.
	for _, pp := range [][2]int{{53000, 53}, {53, 53000}, {47808, 47808}, {161, 3000}, {2222, 44818}, {5353, 5353}, {502, 502}, {123, 123}, {67, 68}} {
		add(ser(e4(), ip4("10.0.0.6", "10.0.0.7", layers.IPProtocolUDP), udp(pp[0], pp[1]), pl(20)))
	}
	// ICMP.
	for _, tc := range [][2]uint8{{8, 0}, {0, 0}, {3, 3}, {11, 0}, {5, 1}, {13, 0}} {
		add(ser(e4(), ip4("10.0.0.5", "10.0.0.1", layers.IPProtocolICMPv4),
			&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(tc[0], tc[1]), Id: 1, Seq: 1}, pl(8)))
	}
	// IPv4 fragments: first fragment carries the TCP header; the second
	// one's payload starts with bytes that look like port 502.
	{
		ip := ip4("10.0.0.5", "10.0.0.9", layers.IPProtocolTCP)
		ip.Flags = layers.IPv4MoreFragments
		add(ser(e4(), ip, tcp(40000, 502, "PA"), pl(16)))
		ip2 := ip4("10.0.0.5", "10.0.0.9", layers.IPProtocolTCP)
		ip2.FragOffset = 5
		add(ser(e4(), ip2, gopacket.Payload(append([]byte{0x01, 0xf6, 0x01, 0xf6}, pl(20)...))))
		ip3 := ip4("10.0.0.5", "10.0.0.9", layers.IPProtocolUDP)
		ip3.FragOffset = 185
		add(ser(e4(), ip3, gopacket.Payload(append([]byte{0x00, 0x35, 0x00, 0x35}, pl(20)...))))
	}
	// IPv4 with options (IHL 6).
	{
		ip := ip4("10.0.0.8", "10.0.0.5", layers.IPProtocolTCP)
		ip.Options = []layers.IPv4Option{{OptionType: 1}, {OptionType: 1}, {OptionType: 1}, {OptionType: 0}}
		add(ser(e4(), ip, tcp(2404, 3000, "PA"), pl(6)))
	}
	// IGMP, PIM, GRE as raw IP payloads.
	add(ser(eth(macA, mcast, layers.EthernetTypeIPv4), ip4("10.0.0.5", "224.0.0.22", layers.IPProtocolIGMP), pl(8)))
	add(ser(eth(macA, mcast, layers.EthernetTypeIPv4), ip4("10.0.0.5", "224.0.0.13", 103), pl(12)))
	add(ser(e4(), ip4("10.0.0.5", "10.0.0.6", layers.IPProtocolGRE), pl(12)))
	// IPv4 multicast and broadcast UDP.
	add(ser(eth(macA, mcast, layers.EthernetTypeIPv4), ip4("10.0.0.5", "224.0.0.251", layers.IPProtocolUDP), udp(5353, 5353), pl(30)))
	add(ser(eth(macA, bcast, layers.EthernetTypeIPv4), ip4("10.0.0.5", "255.255.255.255", layers.IPProtocolUDP), udp(68, 67), pl(30)))
	add(ser(eth(macA, bcast, layers.EthernetTypeIPv4), ip4("10.0.0.5", "10.0.0.255", layers.IPProtocolUDP), udp(137, 137), pl(30)))
	// SCTP over IPv4 and IPv6.
	add(ser(e4(), ip4("10.0.0.5", "10.0.0.6", layers.IPProtocolSCTP), gopacket.Payload(sctpPacket(2905, 2905))))
	add(ser(e6(), ip6("2001:db8::5", "2001:db8::6", layers.IPProtocolSCTP), gopacket.Payload(sctpPacket(36412, 80))))
	// IPv6.
	add(ser(e6(), ip6("2001:db8::5", "2001:db8::6", layers.IPProtocolTCP), tcp(50001, 502, "S"), pl(0)))
	add(ser(e6(), ip6("fe80::1", "2001:db8::5", layers.IPProtocolTCP), tcp(443, 50002, "PA"), pl(40)))
	add(ser(e6(), ip6("2001:db8::7", "2001:db8::5", layers.IPProtocolUDP), udp(546, 547), pl(10)))
	add(ser(e6(), ip6("2001:db8::5", "2001:db8::1", layers.IPProtocolICMPv6),
		&layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(128, 0)}, pl(8)))
	add(ser(e6(), ip6("2001:db8::1", "2001:db8::5", layers.IPProtocolICMPv6),
		&layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(129, 0)}, pl(8)))
	add(ser(eth(macA, ip6mc, layers.EthernetTypeIPv6), ip6("fe80::1", "ff02::1:ff00:5", layers.IPProtocolICMPv6),
		&layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(135, 0)}, pl(20)))
	// IPv6 hop-by-hop header then UDP; fragment header then UDP/TCP.
	{
		u := ser(eth(macA, macB, layers.EthernetTypeIPv6), ip6("2001:db8::5", "2001:db8::6", layers.IPProtocolUDP), udp(5000, 53), pl(12))[54:]
		hbh := append([]byte{17, 0, 1, 4, 0, 0, 0, 0}, u...)
		add(ser(e6(), ip6("2001:db8::5", "2001:db8::6", layers.IPProtocolIPv6HopByHop), gopacket.Payload(hbh)))
		frag := append([]byte{17, 0, 0, 1, 0, 0, 0, 42}, u...)
		add(ser(e6(), ip6("2001:db8::5", "2001:db8::6", layers.IPProtocolIPv6Fragment), gopacket.Payload(frag)))
		t := ser(eth(macA, macB, layers.EthernetTypeIPv6), ip6("2001:db8::5", "2001:db8::6", layers.IPProtocolTCP), tcp(40000, 80, "S"))[54:]
		frag2 := append([]byte{6, 0, 0, 0, 0, 0, 0, 43}, t...)
		add(ser(e6(), ip6("2001:db8::6", "2001:db8::5", layers.IPProtocolIPv6Fragment), gopacket.Payload(frag2)))
	}
	// ARP and RARP.
	arp := func(op uint16, sha net.HardwareAddr, spa string, tpa string) *layers.ARP {
		return &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
			Operation: op, SourceHwAddress: sha, SourceProtAddress: net.ParseIP(spa).To4(),
			DstHwAddress: make(net.HardwareAddr, 6), DstProtAddress: net.ParseIP(tpa).To4()}
	}
	add(ser(eth(macA, bcast, layers.EthernetTypeARP), arp(1, macA, "10.0.0.5", "10.0.0.1")))
	add(ser(eth(macB, macA, layers.EthernetTypeARP), arp(2, macB, "10.0.0.1", "10.0.0.5")))
	add(ser(eth(macA, bcast, 0x8035), arp(3, macA, "0.0.0.0", "0.0.0.0")))
	// LLDP, PROFINET and an 802.3/LLC (STP) frame.
	add(ser(eth(macA, net.HardwareAddr{0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e}, layers.EthernetTypeLinkLayerDiscovery), pl(40)))
	add(ser(eth(macA, macB, 0x8892), pl(40)))
	{
		stp := append([]byte{0x42, 0x42, 0x03}, pl(35)...)
		b := append(append(append([]byte{}, stpMC...), macA...), byte(len(stp)>>8), byte(len(stp)))
		add(append(b, stp...))
	}
	// VLAN 802.1Q, QinQ (0x88a8 and 0x9100 outer), VLAN + IPv6 and ARP.
	tcp502 := l3(ip4("10.0.0.5", "10.0.0.6", layers.IPProtocolTCP), tcp(50000, 502, "PA"), pl(8))
	udp53 := l3(ip4("10.0.0.7", "10.0.0.5", layers.IPProtocolUDP), udp(53, 5353), pl(8))
	add(tagged(macA, macB, [][2]uint16{{0x8100, 100}}, 0x0800, tcp502))
	add(tagged(macA, macB, [][2]uint16{{0x8100, 200}}, 0x0800, udp53))
	add(tagged(macA, bcast, [][2]uint16{{0x8100, 200}}, 0x0806, ser(eth(macA, bcast, layers.EthernetTypeARP), arp(1, macA, "10.0.0.5", "10.0.0.1"))[14:]))
	add(tagged(macA, macB, [][2]uint16{{0x88a8, 10}, {0x8100, 20}}, 0x0800, tcp502))
	add(tagged(macA, macB, [][2]uint16{{0x88a8, 10}, {0x8100, 100}}, 0x0800, udp53))
	add(tagged(macA, macB, [][2]uint16{{0x9100, 30}, {0x8100, 100}}, 0x0800, tcp502))
	add(tagged(macA, macB, [][2]uint16{{0x8100, 0}}, 0x0800, tcp502))
	add(tagged(macA, macB, [][2]uint16{{0x8100, 4095}}, 0x86dd, ser(e6(), ip6("2001:db8::5", "2001:db8::6", layers.IPProtocolTCP), tcp(50001, 502, "S"))[14:]))
	add(tagged(macA, macB, [][2]uint16{{0x8100, 100}}, 0x8847, append(mplsLabel(16, true, 64), tcp502...)))
	// MPLS: one label, two labels, MPLS + IPv6.
	add(tagged(macA, macB, nil, 0x8847, append(mplsLabel(5, true, 64), tcp502...)))
	add(tagged(macA, macB, nil, 0x8847, append(append(mplsLabel(5, false, 64), mplsLabel(6, true, 64)...), udp53...)))
	add(tagged(macA, macB, nil, 0x8847, append(mplsLabel(1048575, true, 64), ser(e6(), ip6("2001:db8::5", "2001:db8::6", layers.IPProtocolUDP), udp(1, 53), pl(4))[14:]...)))
	// Truncated captures (caplen < wire length) and runts.
	for _, n := range []int{60, 40, 34, 20, 14, 13, 6} {
		full := ser(e4(), ip4("10.0.0.5", "10.0.0.6", layers.IPProtocolTCP), tcp(40001, 502, "PA"), pl(300))
		fs = append(fs, frame{full[:n], len(full)})
	}
	full := ser(e6(), ip6("2001:db8::5", "2001:db8::6", layers.IPProtocolUDP), udp(40001, 53), pl(1400))
	fs = append(fs, frame{full[:96], len(full)})
	return fs
}

// sll rewrites untagged Ethernet frames as Linux cooked (SLL) frames: a
// 16-byte header with packet type, ARPHRD_ETHER, the source address and
// the protocol (0x0004 for 802.2 LLC frames), then the payload.
func sll(fs []frame) []frame {
	var out []frame
	for i, fr := range fs {
		if len(fr.data) < 14 {
			continue
		}
		et := binary.BigEndian.Uint16(fr.data[12:])
		if et == 0x8100 || et == 0x88a8 || et == 0x9100 {
			continue
		}
		if et <= 1500 {
			et = 0x0004
		}
		h := make([]byte, 16)
		pkttype := uint16(i % 5) // host, broadcast, multicast, otherhost, outgoing
		binary.BigEndian.PutUint16(h[0:], pkttype)
		binary.BigEndian.PutUint16(h[2:], 1)
		binary.BigEndian.PutUint16(h[4:], 6)
		copy(h[6:], fr.data[6:12])
		binary.BigEndian.PutUint16(h[14:], et)
		out = append(out, frame{append(h, fr.data[14:]...), fr.wireLen + 2})
	}
	return out
}

func write(path string, fs []frame) error {
	return writeLT(path, fs, layers.LinkTypeEthernet)
}

func writeLT(path string, fs []frame, lt layers.LinkType) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(65535, lt); err != nil {
		return err
	}
	t := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, fr := range fs {
		ci := gopacket.CaptureInfo{Timestamp: t.Add(time.Duration(i) * time.Millisecond), CaptureLength: len(fr.data), Length: fr.wireLen}
		if err := w.WritePacket(ci, fr.data); err != nil {
			return err
		}
	}
	return nil
}

func main() {
	dir := "rawsock/filter/testdata"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	fs := mixed()
	if err := write(filepath.Join(dir, "gen_mixed.pcap"), fs); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cooked := sll(fs)
	if err := writeLT(filepath.Join(dir, "gen_sll.pcap"), cooked, layers.LinkTypeLinuxSLL); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d Ethernet and %d Linux cooked frames\n", len(fs), len(cooked))
}
