package parse

import (
	"bytes"

	"github.com/gopacket/gopacket/layers"
)

// Kind is the type of a field Value.
type Kind uint8

// Field value kinds.
const (
	KindUint   Kind = iota + 1 // Value.Num
	KindBool                   // Value.Num != 0
	KindString                 // Value.Bytes, from the wire: may be anything
	KindHex                    // Value.Bytes, shown as lowercase hex
	KindMAC                    // Value.Bytes (6), shown as 00:11:22:33:44:55
	KindIP                     // Value.Bytes (4 or 16), shown as 192.0.2.1 or 2001:db8::1
)

// Value is one decoded field value; Bytes views the frame.
type Value struct {
	Kind  Kind
	Num   uint64
	Bytes []byte
}

// Uint, Bool, Str, Hex, MAC and IP build Values.
func Uint[T ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~int](v T) Value {
	return Value{Kind: KindUint, Num: uint64(v)}
}

// Bool returns a boolean Value.
func Bool(b bool) Value {
	if b {
		return Value{Kind: KindBool, Num: 1}
	}
	return Value{Kind: KindBool}
}

// Str returns a string Value of wire bytes.
func Str(b []byte) Value { return Value{Kind: KindString, Bytes: b} }

// Hex returns a Value shown as hex.
func Hex(b []byte) Value { return Value{Kind: KindHex, Bytes: b} }

// MAC returns a MAC-address Value.
func MAC(b []byte) Value { return Value{Kind: KindMAC, Bytes: b} }

// IP returns an IPv4 or IPv6 address Value.
func IP(b []byte) Value { return Value{Kind: KindIP, Bytes: b} }

// FieldSink receives a packet's fields from Packet.Fields.
type FieldSink interface {
	// Field is called once per field occurrence, in packet order. group
	// is "" for frame-level fields (one value each) and a protocol group
	// ("arp", "pn_dcp", "modbus" ...) otherwise, where a key may repeat.
	// The names are those of the tshark oracle (testdata/corpus/README.md).
	Field(group, key string, v Value)
}

// Fields reports every decoded field of the packet to s, with the key
// names of the Wireshark oracle. Calling it decodes LLDP and CDP lazily.
func (p *Packet) Fields(s FieldSink) {
	p.frameFields(s)
	if a := p.ARP; a != nil {
		s.Field("arp", "opcode", Uint(a.Operation))
		if a.HwAddressSize == 6 && a.ProtAddressSize == 4 {
			s.Field("arp", "src_mac", MAC(a.SourceHwAddress))
			s.Field("arp", "src_ip", IP(a.SourceProtAddress))
			s.Field("arp", "dst_mac", MAC(a.DstHwAddress))
			s.Field("arp", "dst_ip", IP(a.DstProtAddress))
		}
	}
	if c := p.ICMPv4; c != nil {
		s.Field("icmp", "type", Uint(c.TypeCode.Type()))
		s.Field("icmp", "code", Uint(c.TypeCode.Code()))
	}
	if c := p.ICMPv6; c != nil {
		s.Field("icmpv6", "type", Uint(c.TypeCode.Type()))
		s.Field("icmpv6", "code", Uint(c.TypeCode.Code()))
	}
	if dns, _ := p.DNS(); dns != nil {
		p.dnsFields(s, dns)
	}
	if p.DHCPv4 != nil {
		p.dhcpFields(s)
	}
	switch p.Proto {
	case ProtoLLDP:
		p.lldpFields(s)
	case ProtoCDP:
		p.cdpFields(s)
	}
	p.otFields(s)
}

func (p *Packet) frameFields(s FieldSink) {
	s.Field("", "cap_len", Uint(p.Info.CaptureLength))
	s.Field("", "len", Uint(p.Info.Length))
	if e := p.Ethernet; e != nil {
		s.Field("", "eth_src", MAC(e.SrcMAC))
		s.Field("", "eth_dst", MAC(e.DstMAC))
		if e.EthernetType == layers.EthernetTypeLLC {
			s.Field("", "eth_len", Uint(e.Length))
		} else {
			s.Field("", "eth_type", Uint(e.EthernetType))
			if p.EtherType != 0 {
				s.Field("", "ethertype", Uint(p.EtherType))
			}
		}
	}
	if ip := p.IPv4; ip != nil {
		s.Field("", "ip_src", IP(ip.SrcIP))
		s.Field("", "ip_dst", IP(ip.DstIP))
		s.Field("", "ip_proto", Uint(ip.Protocol))
	}
	if ip := p.IPv6; ip != nil {
		s.Field("", "ipv6_src", IP(ip.SrcIP))
		s.Field("", "ipv6_dst", IP(ip.DstIP))
		s.Field("", "ipv6_nxt", Uint(ip.NextHeader))
	}
	if t := p.TCP; t != nil {
		s.Field("", "tcp_srcport", Uint(t.SrcPort))
		s.Field("", "tcp_dstport", Uint(t.DstPort))
		s.Field("", "tcp_len", Uint(len(t.Payload)))
	}
	if u := p.UDP; u != nil {
		s.Field("", "udp_srcport", Uint(u.SrcPort))
		s.Field("", "udp_dstport", Uint(u.DstPort))
	}
	for _, v := range p.VLANs {
		s.Field("", "vlan_ids", Uint(v.ID))
	}
}

func (p *Packet) dnsFields(s FieldSink, d *layers.DNS) {
	s.Field("dns", "id", Uint(d.ID))
	s.Field("dns", "response", Bool(d.QR))
	for i := range d.Questions {
		q := &d.Questions[i]
		s.Field("dns", "qname", Str(q.Name))
		s.Field("dns", "qtype", Uint(q.Type))
	}
	for _, sec := range [...][]layers.DNSResourceRecord{d.Answers, d.Authorities, d.Additionals} {
		for i := range sec {
			rr := &sec[i]
			switch {
			case rr.Type == layers.DNSTypeA && len(rr.IP) == 4:
				s.Field("dns", "a", IP(rr.IP))
			case rr.Type == layers.DNSTypeAAAA && len(rr.IP) == 16:
				s.Field("dns", "aaaa", IP(rr.IP))
			}
		}
	}
}

func (p *Packet) dhcpFields(s FieldSink) {
	d := p.DHCPv4
	for i := range d.Options {
		if o := &d.Options[i]; o.Type == layers.DHCPOptMessageType && len(o.Data) == 1 {
			s.Field("dhcp", "msg_type", Uint(o.Data[0]))
		}
	}
	if d.HardwareType == layers.LinkTypeEthernet && len(d.ClientHWAddr) == 6 {
		s.Field("dhcp", "client_mac", MAC(d.ClientHWAddr))
	}
	s.Field("dhcp", "yiaddr", IP(d.YourClientIP))
	for i := range d.Options {
		o := &d.Options[i]
		switch o.Type {
		case layers.DHCPOptHostname:
			s.Field("dhcp", "hostname", Str(o.Data))
		case layers.DHCPOptClassID:
			s.Field("dhcp", "vendor_class", Str(o.Data))
		case layers.DHCPOptRequestIP:
			if len(o.Data) == 4 {
				s.Field("dhcp", "requested_ip", IP(o.Data))
			}
		case layers.DHCPOptServerID:
			if len(o.Data) == 4 {
				s.Field("dhcp", "server_id", IP(o.Data))
			}
		}
	}
}

// printable reports whether b is non-empty printable ASCII.
func printable(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

func (p *Packet) lldpFields(s FieldSink) {
	l, info, _ := p.LLDP()
	if l == nil {
		return
	}
	s.Field("lldp", "chassis_subtype", Uint(l.ChassisID.Subtype))
	switch id := l.ChassisID.ID; {
	case l.ChassisID.Subtype == layers.LLDPChassisIDSubTypeMACAddr && len(id) == 6:
		s.Field("lldp", "chassis_id_mac", MAC(id))
	case l.ChassisID.Subtype == layers.LLDPChassisIDSubTypeNetworkAddr && len(id) == 5 && id[0] == 1:
		s.Field("lldp", "chassis_id_ip4", IP(id[1:]))
	default:
		s.Field("lldp", "chassis_id", Hex(id))
		if printable(id) {
			s.Field("lldp", "chassis_id_text", Str(id))
		}
	}
	s.Field("lldp", "port_subtype", Uint(l.PortID.Subtype))
	if l.PortID.Subtype == layers.LLDPPortIDSubtypeMACAddr && len(l.PortID.ID) == 6 {
		s.Field("lldp", "port_id_mac", MAC(l.PortID.ID))
	} else {
		s.Field("lldp", "port_id", Str(l.PortID.ID))
	}
	s.Field("lldp", "ttl", Uint(l.TTL))
	if info == nil {
		return
	}
	for _, v := range l.Values {
		switch v.Type {
		case layers.LLDPTLVSysName:
			s.Field("lldp", "system_name", Str(v.Value))
		case layers.LLDPTLVSysDescription:
			s.Field("lldp", "system_desc", Str(v.Value))
		case layers.LLDPTLVSysCapabilities:
			if len(v.Value) >= 2 {
				s.Field("lldp", "system_cap", Uint(uint16(v.Value[0])<<8|uint16(v.Value[1])))
			}
		case layers.LLDPTLVMgmtAddress:
			// Address string length, subtype, address.
			if len(v.Value) >= 6 && v.Value[0] == 5 && v.Value[1] == 1 {
				s.Field("lldp", "mgmt_ip4", IP(v.Value[2:6]))
			}
		case layers.LLDPTLVOrgSpecific:
			// OUI 00:0e:cf is PROFINET.
			if len(v.Value) >= 4 && v.Value[0] == 0x00 && v.Value[1] == 0x0e && v.Value[2] == 0xcf {
				s.Field("lldp", "pn_subtype", Uint(v.Value[3]))
				if v.Value[3] == 5 && len(v.Value) >= 10 {
					s.Field("lldp", "pn_chassis_mac", MAC(v.Value[4:10]))
				}
			}
		}
	}
}

func (p *Packet) cdpFields(s FieldSink) {
	c, _ := p.CDP()
	if c == nil {
		return
	}
	if c.DeviceID != "" {
		s.Field("cdp", "device_id", Str([]byte(c.DeviceID)))
	}
	if c.PortID != "" {
		s.Field("cdp", "port_id", Str([]byte(c.PortID)))
	}
	if c.Platform != "" {
		s.Field("cdp", "platform", Str([]byte(c.Platform)))
	}
	if c.Version != "" {
		// Wireshark shows the version TLV one line per item.
		for line := range bytes.SplitSeq([]byte(c.Version), []byte{'\n'}) {
			s.Field("cdp", "software_version", Str(line))
		}
	}
	if c.NativeVLAN != 0 {
		s.Field("cdp", "native_vlan", Uint(c.NativeVLAN))
	}
	if raw := p.lazy.cdpRaw; raw != nil {
		for _, v := range raw.Values {
			if v.Type == layers.CDPTLVCapabilities && len(v.Value) == 4 {
				s.Field("cdp", "capabilities", Uint(uint32(v.Value[0])<<24|uint32(v.Value[1])<<16|uint32(v.Value[2])<<8|uint32(v.Value[3])))
			}
		}
	}
	for _, a := range c.Addresses {
		if ip4 := a.To4(); ip4 != nil {
			s.Field("cdp", "address_ip4", IP(ip4))
		}
	}
	for _, a := range c.MgmtAddresses {
		if ip4 := a.To4(); ip4 != nil {
			s.Field("cdp", "address_ip4", IP(ip4))
		}
	}
}

// otFields reports the industrial protocol's fields.
func (p *Packet) otFields(s FieldSink) {
	switch p.Proto {
	case ProtoPNRT, ProtoPNDCP:
		rt := &p.OT.PNRT
		s.Field("pn_rt", "frame_id", Uint(rt.FrameID))
		if rt.Cyclic {
			s.Field("pn_rt", "cycle_counter", Uint(rt.CycleCounter))
			s.Field("pn_rt", "transfer_status", Uint(rt.TransferStatus))
		}
	}
	p.otSubFields(s)
}
