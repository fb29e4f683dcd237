// Package observe turns packets decoded by package parse into asset
// observations: what each packet says about the devices involved (package
// asset's documentation lists what each protocol contributes).
//
// It sits between package parse (decoding) and package asset (folding) so
// that neither imports the other.
package observe

import (
	"net/netip"
	"strings"

	"github.com/wirebom/wirebom/parse"
	"github.com/wirebom/wirebom/parse/asset"
	"github.com/wirebom/wirebom/parse/iec104"
	"github.com/wirebom/wirebom/parse/pndcp"
)

// Ports of the protocols recognised here by port (parse dispatches them
// too, but the producer decodes their payload itself).
const (
	portS7   = 102
	portENIP = 44818
)

// maxObs bounds the observations of one packet (the sender, a DHCP
// client or DCP Set target, DNS answers); more DNS answers are ignored.
const maxObs = 16

// Producer turns decoded packets into observations. It keeps the little
// state a protocol needs across packets (S7 SZL responses split over
// several PDUs) and reuses its buffers: the observations returned by Packet
// are valid until the next call. A Producer is for one goroutine at a time;
// the zero value is ready to use.
type Producer struct {
	n     int
	b     [maxObs]builder
	spare builder // absorbs observations beyond maxObs
	out   []asset.Observation
	s7    s7State
	dcp   pndcp.Identity
}

// builder fills one observation; its slices are reused from packet to
// packet.
type builder struct {
	o     asset.Observation
	ips   []asset.IPClaim
	names []asset.Name
	ids   []asset.Field
}

// New returns a Producer.
func New() *Producer { return &Producer{} }

// Fold produces the observations of p and folds them into t.
func (pr *Producer) Fold(t *asset.Table, p *parse.Packet) {
	for _, o := range pr.Packet(p) {
		t.Observe(o)
	}
}

func (pr *Producer) start(o asset.Observation) *builder {
	b := &pr.spare
	if pr.n < maxObs {
		b = &pr.b[pr.n]
		pr.n++
	}
	b.o = o
	b.ips, b.names, b.ids = b.ips[:0], b.names[:0], b.ids[:0]
	return b
}

func (b *builder) ip(a netip.Addr, ev asset.Evidence, src asset.Protocol) {
	a = a.Unmap()
	if !a.IsValid() || a.IsUnspecified() || a.IsMulticast() {
		return
	}
	if a.Is4() && a.As4() == [4]byte{255, 255, 255, 255} {
		return
	}
	b.ips = append(b.ips, asset.IPClaim{Addr: a, Evidence: ev, Source: src})
}

// clean drops the NUL padding of a fixed-size wire field; other bytes,
// spaces included, are kept as sent (a NameOfStation "plc " is not "plc").
func clean(v []byte) string {
	return strings.TrimRight(string(v), "\x00")
}

// trimmed is clean for fields padded with spaces by definition (S7 order
// numbers and names, 20-32 characters wide).
func trimmed(v []byte) []byte {
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == 0) {
		v = v[:len(v)-1]
	}
	for len(v) > 0 && v[0] == ' ' {
		v = v[1:]
	}
	return v
}

func (b *builder) name(v []byte, src asset.Protocol) {
	if s := clean(v); s != "" {
		b.names = append(b.names, asset.Name{Value: s, Source: src})
	}
}

func (b *builder) text(k asset.Key, src asset.Protocol, v []byte) {
	if s := clean(v); s != "" {
		b.ids = append(b.ids, asset.Text(k, src, s))
	}
}

func (b *builder) str(k asset.Key, src asset.Protocol, s string) {
	if s = strings.TrimSpace(s); s != "" {
		b.ids = append(b.ids, asset.Text(k, src, s))
	}
}

func (b *builder) num(k asset.Key, src asset.Protocol, n uint64) {
	b.ids = append(b.ids, asset.Number(k, src, n))
}

// srcMAC returns the frame's source MAC (Ethernet, or a Linux cooked
// capture's 6-byte link address), zero if none.
func srcMAC(p *parse.Packet) asset.MAC {
	switch {
	case p.Ethernet != nil:
		m, _ := asset.MACFrom(p.Ethernet.SrcMAC)
		return m
	case p.SLL != nil && p.SLL.AddrLen == 6:
		m, _ := asset.MACFrom(p.SLL.Addr[:6])
		return m
	}
	return asset.MAC{}
}

func dstMAC(p *parse.Packet) asset.MAC {
	if p.Ethernet != nil {
		m, _ := asset.MACFrom(p.Ethernet.DstMAC)
		return m
	}
	return asset.MAC{}
}

// pkt is what the protocol handlers need to know about the packet.
type pkt struct {
	p            *parse.Packet
	base         asset.Observation // time, VLAN; no MAC, no counts
	srcIP, dstIP netip.Addr
	sport, dport uint16
	tcp          bool
	self         *builder
	pr           *Producer
}

// about starts an observation about another device than the sender.
func (k *pkt) about(mac asset.MAC) *builder {
	o := k.base
	o.MAC = mac
	return k.pr.start(o)
}

// Packet returns what p says about devices: the observation about its
// sender first, then any about third parties (a DHCP client, the target
// of a DCP Set, the holders of DNS answers). The result and everything in
// it is valid until the next call.
func (pr *Producer) Packet(p *parse.Packet) []asset.Observation {
	pr.n = 0
	pr.out = pr.out[:0]
	if p == nil || (p.Ethernet == nil && p.SLL == nil) {
		return nil
	}
	mac := srcMAC(p)
	if mac.IsMulticast() {
		return nil // never a device's own address
	}
	k := pkt{p: p, pr: pr}
	k.base.Time = p.Info.Timestamp
	if n := len(p.VLANs); n > 0 {
		k.base.VLAN = p.VLANs[n-1].ID
	}
	o := k.base
	o.MAC = mac
	o.Packets, o.Bytes = 1, uint64(p.Info.Length)
	b := pr.start(o)
	k.self = b
	switch {
	case p.IPv4 != nil:
		k.srcIP, _ = netip.AddrFromSlice(p.IPv4.SrcIP)
		k.dstIP, _ = netip.AddrFromSlice(p.IPv4.DstIP)
		b.o.Protocol = asset.ProtoIPv4
	case p.IPv6 != nil:
		k.srcIP, _ = netip.AddrFromSlice(p.IPv6.SrcIP)
		k.dstIP, _ = netip.AddrFromSlice(p.IPv6.DstIP)
		b.o.Protocol = asset.ProtoIPv6
	}
	b.ip(k.srcIP, asset.EvidenceWeak, b.o.Protocol)
	switch {
	case p.TCP != nil:
		k.sport, k.dport, k.tcp = uint16(p.TCP.SrcPort), uint16(p.TCP.DstPort), true
	case p.UDP != nil:
		k.sport, k.dport = uint16(p.UDP.SrcPort), uint16(p.UDP.DstPort)
	}

	switch {
	case p.ARP != nil:
		k.arp()
	case p.Proto == parse.ProtoDNS:
		k.dns()
	case p.Proto == parse.ProtoDHCP && p.DHCPv4 != nil:
		k.dhcp()
	case p.Proto == parse.ProtoLLDP:
		k.lldp()
	case p.Proto == parse.ProtoCDP:
		k.cdp()
	case p.Proto == parse.ProtoPNDCP:
		k.pndcp()
	case p.Proto == parse.ProtoPNRT:
		b.o.Protocol = asset.ProtoPNRT
	case p.Proto == parse.ProtoModbus:
		k.modbus()
	case p.Proto == parse.ProtoDNP3:
		k.dnp3()
	case p.Proto == parse.ProtoIEC104:
		b.o.Protocol = asset.ProtoIEC104
		switch {
		case k.sport == iec104.Port:
			b.o.Role = asset.RoleIEC104Controlled
			if a := &p.OT.IEC104; a.HasASDU {
				b.num(asset.KeyStationAddr, asset.ProtoIEC104, uint64(a.ASDU.CommonAddr))
			}
		case k.dport == iec104.Port:
			b.o.Role = asset.RoleIEC104Controlling
		}
	case p.Proto == parse.ProtoBACnet:
		k.bacnet()
	case len(p.Payload) > 0 && (k.sport == portENIP || k.dport == portENIP):
		k.enip()
	case p.Proto == parse.ProtoENIP:
		b.o.Protocol = asset.ProtoENIP // implicit (class 1) I/O on UDP 2222
	case k.tcp && len(p.Payload) > 0 && (k.sport == portS7 || k.dport == portS7):
		k.s7()
	}
	for i := 0; i < pr.n; i++ {
		b := &pr.b[i]
		b.o.IPs, b.o.Names, b.o.Identity = b.ips, b.names, b.ids
		pr.out = append(pr.out, b.o)
	}
	return pr.out
}
