package parse

import (
	"strconv"

	"github.com/gopacket/gopacket/layers"
)

// SummaryOptions tune AppendSummary.
type SummaryOptions struct {
	// Link prints the MAC addresses of IP packets too (tcpdump -e); they
	// are always printed for packets without an IP layer.
	Link bool
	// MaxText bounds each string from the wire (names, descriptions);
	// longer ones are cut with a "...(+N bytes)" marker. 0 means 64.
	MaxText int
	// UTC prints timestamps in UTC instead of local time.
	UTC bool
}

// AppendSummary appends a one-line, tcpdump-like description of p (no
// newline), including the industrial layer, e.g.
//
//	12:00:00.000001 00:0e:8c:01:02:03 > 01:0e:cf:00:00:00, vlan 0, PN-DCP Identify Response name="plc-1" vendor=0x002a device=0x010e
//
// decodeErr, the error Decode returned, is shown at the end in brackets.
// Strings from the wire are quoted and escaped (see AppendText).
func AppendSummary(dst []byte, p *Packet, decodeErr error, o SummaryOptions) []byte {
	if o.MaxText <= 0 {
		o.MaxText = 64
	}
	ts := p.Info.Timestamp
	if o.UTC {
		ts = ts.UTC()
	}
	dst = ts.AppendFormat(dst, "15:04:05.000000")
	dst = append(dst, ' ')
	ip := p.IPv4 != nil || p.IPv6 != nil
	if e := p.Ethernet; e != nil && (!ip || o.Link) {
		dst = appendMAC(dst, e.SrcMAC)
		dst = append(dst, " > "...)
		dst = appendMAC(dst, e.DstMAC)
		dst = append(dst, ", "...)
		if e.EthernetType == layers.EthernetTypeLLC {
			dst = append(dst, "802.3 length "...)
			dst = strconv.AppendUint(dst, uint64(e.Length), 10)
			dst = append(dst, ", "...)
		}
	}
	if s := p.SLL; s != nil && (!ip || o.Link) {
		dst = append(dst, "sll "...)
		dst = appendMAC(dst, s.Addr)
		dst = append(dst, ", "...)
	}
	for _, v := range p.VLANs {
		if v.TPID == 0x88a8 {
			dst = append(dst, "s-vlan "...)
		} else {
			dst = append(dst, "vlan "...)
		}
		dst = strconv.AppendUint(dst, uint64(v.ID), 10)
		if v.Priority != 0 {
			dst = append(dst, " p "...)
			dst = strconv.AppendUint(dst, uint64(v.Priority), 10)
		}
		dst = append(dst, ", "...)
	}
	switch {
	case p.ARP != nil:
		dst = appendARP(dst, p.ARP)
	case p.IPv4 != nil || p.IPv6 != nil:
		dst = appendIPSummary(dst, p, o)
	case p.Proto == ProtoLLDP:
		dst = appendLLDPSummary(dst, p, o)
	case p.Proto == ProtoCDP:
		dst = appendCDPSummary(dst, p, o)
	case p.Proto.IsOT():
		dst = appendOTSummary(dst, p, o)
	case p.LLC != nil:
		dst = append(dst, "LLC dsap 0x"...)
		dst = appendHexN(dst, uint64(p.LLC.DSAP), 2)
		dst = append(dst, " ssap 0x"...)
		dst = appendHexN(dst, uint64(p.LLC.SSAP), 2)
	case p.Ethernet != nil || p.SLL != nil:
		dst = append(dst, "ethertype 0x"...)
		dst = appendHexN(dst, uint64(p.EtherType), 4)
	}
	dst = append(dst, ", length "...)
	dst = strconv.AppendInt(dst, int64(p.Info.Length), 10)
	if decodeErr != nil {
		dst = append(dst, " ["...)
		dst = append(dst, decodeErr.Error()...)
		dst = append(dst, ']')
	}
	return dst
}

func appendARP(dst []byte, a *layers.ARP) []byte {
	dst = append(dst, "ARP, "...)
	ok := a.ProtAddressSize == 4 && a.HwAddressSize == 6
	switch {
	case a.Operation == layers.ARPRequest && ok:
		dst = append(dst, "Request who-has "...)
		dst = appendIP(dst, a.DstProtAddress)
		dst = append(dst, " tell "...)
		dst = appendIP(dst, a.SourceProtAddress)
	case a.Operation == layers.ARPReply && ok:
		dst = append(dst, "Reply "...)
		dst = appendIP(dst, a.SourceProtAddress)
		dst = append(dst, " is-at "...)
		dst = appendMAC(dst, a.SourceHwAddress)
	default:
		dst = append(dst, "opcode "...)
		dst = strconv.AppendUint(dst, uint64(a.Operation), 10)
	}
	return dst
}

func appendHostPort(dst, ip []byte, port uint16, withPort bool) []byte {
	dst = appendIP(dst, ip)
	if withPort {
		dst = append(dst, '.')
		dst = strconv.AppendUint(dst, uint64(port), 10)
	}
	return dst
}

func appendIPSummary(dst []byte, p *Packet, o SummaryOptions) []byte {
	var src, dstIP []byte
	if p.IPv4 != nil {
		dst = append(dst, "IP "...)
		src, dstIP = p.IPv4.SrcIP, p.IPv4.DstIP
	} else {
		dst = append(dst, "IP6 "...)
		src, dstIP = p.IPv6.SrcIP, p.IPv6.DstIP
	}
	var sp, dp uint16
	ports := false
	switch {
	case p.TCP != nil:
		sp, dp, ports = uint16(p.TCP.SrcPort), uint16(p.TCP.DstPort), true
	case p.UDP != nil:
		sp, dp, ports = uint16(p.UDP.SrcPort), uint16(p.UDP.DstPort), true
	}
	dst = appendHostPort(dst, src, sp, ports)
	dst = append(dst, " > "...)
	dst = appendHostPort(dst, dstIP, dp, ports)
	dst = append(dst, ": "...)
	switch {
	case p.TCP != nil:
		dst = append(dst, "TCP ["...)
		dst = appendTCPFlags(dst, p.TCP)
		dst = append(dst, "] seq "...)
		dst = strconv.AppendUint(dst, uint64(p.TCP.Seq), 10)
		if p.TCP.ACK {
			dst = append(dst, " ack "...)
			dst = strconv.AppendUint(dst, uint64(p.TCP.Ack), 10)
		}
		dst = append(dst, " len "...)
		dst = strconv.AppendInt(dst, int64(len(p.TCP.Payload)), 10)
	case p.UDP != nil:
		dst = append(dst, "UDP len "...)
		dst = strconv.AppendInt(dst, int64(len(p.UDP.Payload)), 10)
	case p.ICMPv4 != nil:
		dst = append(dst, "ICMP type "...)
		dst = strconv.AppendUint(dst, uint64(p.ICMPv4.TypeCode.Type()), 10)
		dst = append(dst, " code "...)
		dst = strconv.AppendUint(dst, uint64(p.ICMPv4.TypeCode.Code()), 10)
	case p.ICMPv6 != nil:
		dst = append(dst, "ICMP6 type "...)
		dst = strconv.AppendUint(dst, uint64(p.ICMPv6.TypeCode.Type()), 10)
		dst = append(dst, " code "...)
		dst = strconv.AppendUint(dst, uint64(p.ICMPv6.TypeCode.Code()), 10)
	default:
		dst = append(dst, "proto "...)
		if p.IPv4 != nil {
			dst = strconv.AppendUint(dst, uint64(p.IPv4.Protocol), 10)
		} else {
			dst = strconv.AppendUint(dst, uint64(p.IPv6.NextHeader), 10)
		}
	}
	switch {
	case p.Proto == ProtoDNS:
		if dns, err := p.DNS(); dns != nil {
			dst = appendDNSSummary(dst, dns, o)
		} else if err != nil {
			dst = append(dst, ", DNS (undecodable)"...)
		}
	case p.DHCPv4 != nil:
		dst = appendDHCPSummary(dst, p.DHCPv4, o)
	case p.Proto.IsOT():
		dst = append(dst, ", "...)
		dst = appendOTSummary(dst, p, o)
	}
	return dst
}

func appendTCPFlags(dst []byte, t *layers.TCP) []byte {
	n := len(dst)
	for _, f := range [...]struct {
		on bool
		c  byte
	}{{t.FIN, 'F'}, {t.SYN, 'S'}, {t.RST, 'R'}, {t.PSH, 'P'}, {t.URG, 'U'}, {t.ECE, 'E'}, {t.CWR, 'W'}, {t.ACK, '.'}} {
		if f.on {
			dst = append(dst, f.c)
		}
	}
	if len(dst) == n {
		dst = append(dst, "none"...)
	}
	return dst
}

func appendDNSSummary(dst []byte, d *layers.DNS, o SummaryOptions) []byte {
	dst = append(dst, ", DNS "...)
	if d.QR {
		dst = append(dst, "response"...)
	} else {
		dst = append(dst, "query"...)
	}
	dst = append(dst, " id 0x"...)
	dst = appendHexN(dst, uint64(d.ID), 4)
	if len(d.Questions) > 0 {
		q := &d.Questions[0]
		dst = append(dst, ' ')
		dst = append(dst, q.Type.String()...)
		dst = append(dst, "? "...)
		dst = AppendText(dst, q.Name, o.MaxText)
		if len(d.Questions) > 1 {
			dst = append(dst, " (+"...)
			dst = strconv.AppendInt(dst, int64(len(d.Questions)-1), 10)
			dst = append(dst, " more)"...)
		}
	}
	for i := range d.Answers {
		if i == 4 {
			dst = append(dst, " ..."...)
			break
		}
		rr := &d.Answers[i]
		switch {
		case (rr.Type == layers.DNSTypeA || rr.Type == layers.DNSTypeAAAA) && rr.IP != nil:
			dst = append(dst, ' ')
			dst = append(dst, rr.Type.String()...)
			dst = append(dst, ' ')
			dst = appendIP(dst, rr.IP)
		default:
			dst = append(dst, ' ')
			dst = append(dst, rr.Type.String()...)
		}
	}
	return dst
}

var dhcpMsgNames = [...]string{1: "Discover", 2: "Offer", 3: "Request", 4: "Decline", 5: "ACK", 6: "NAK", 7: "Release", 8: "Inform"}

func appendDHCPSummary(dst []byte, d *layers.DHCPv4, o SummaryOptions) []byte {
	dst = append(dst, ", DHCP"...)
	for i := range d.Options {
		opt := &d.Options[i]
		switch opt.Type {
		case layers.DHCPOptMessageType:
			if len(opt.Data) == 1 {
				if int(opt.Data[0]) < len(dhcpMsgNames) && dhcpMsgNames[opt.Data[0]] != "" {
					dst = append(dst, ' ')
					dst = append(dst, dhcpMsgNames[opt.Data[0]]...)
				} else {
					dst = append(dst, " type "...)
					dst = strconv.AppendUint(dst, uint64(opt.Data[0]), 10)
				}
			}
		}
	}
	if len(d.ClientHWAddr) == 6 {
		dst = append(dst, " chaddr "...)
		dst = appendMAC(dst, d.ClientHWAddr)
	}
	if y := d.YourClientIP; len(y) == 4 && (y[0]|y[1]|y[2]|y[3]) != 0 {
		dst = append(dst, " yiaddr "...)
		dst = appendIP(dst, y)
	}
	for i := range d.Options {
		opt := &d.Options[i]
		switch opt.Type {
		case layers.DHCPOptHostname:
			dst = append(dst, " hostname="...)
			dst = AppendText(dst, opt.Data, o.MaxText)
		case layers.DHCPOptClassID:
			dst = append(dst, " vendor-class="...)
			dst = AppendText(dst, opt.Data, o.MaxText)
		case layers.DHCPOptRequestIP:
			if len(opt.Data) == 4 {
				dst = append(dst, " requested "...)
				dst = appendIP(dst, opt.Data)
			}
		}
	}
	return dst
}

func appendLLDPSummary(dst []byte, p *Packet, o SummaryOptions) []byte {
	dst = append(dst, "LLDP"...)
	l, _, err := p.LLDP()
	if l == nil {
		if err != nil {
			dst = append(dst, " (undecodable)"...)
		}
		return dst
	}
	dst = append(dst, " chassis "...)
	if l.ChassisID.Subtype == layers.LLDPChassisIDSubTypeMACAddr && len(l.ChassisID.ID) == 6 {
		dst = appendMAC(dst, l.ChassisID.ID)
	} else {
		dst = AppendText(dst, l.ChassisID.ID, o.MaxText)
	}
	dst = append(dst, " port "...)
	if l.PortID.Subtype == layers.LLDPPortIDSubtypeMACAddr && len(l.PortID.ID) == 6 {
		dst = appendMAC(dst, l.PortID.ID)
	} else {
		dst = AppendText(dst, l.PortID.ID, o.MaxText)
	}
	dst = append(dst, " ttl "...)
	dst = strconv.AppendUint(dst, uint64(l.TTL), 10)
	for _, v := range l.Values {
		switch v.Type {
		case layers.LLDPTLVSysName:
			dst = append(dst, " name="...)
			dst = AppendText(dst, v.Value, o.MaxText)
		case layers.LLDPTLVSysDescription:
			dst = append(dst, " desc="...)
			dst = AppendText(dst, v.Value, o.MaxText)
		case layers.LLDPTLVMgmtAddress:
			if len(v.Value) >= 6 && v.Value[0] == 5 && v.Value[1] == 1 {
				dst = append(dst, " mgmt "...)
				dst = appendIP(dst, v.Value[2:6])
			}
		}
	}
	return dst
}

func appendCDPSummary(dst []byte, p *Packet, o SummaryOptions) []byte {
	dst = append(dst, "CDP"...)
	c, _ := p.CDP()
	if c == nil {
		return append(dst, " (undecodable)"...)
	}
	dst = append(dst, " device="...)
	dst = AppendText(dst, []byte(c.DeviceID), o.MaxText)
	dst = append(dst, " port="...)
	dst = AppendText(dst, []byte(c.PortID), o.MaxText)
	if c.Platform != "" {
		dst = append(dst, " platform="...)
		dst = AppendText(dst, []byte(c.Platform), o.MaxText)
	}
	for _, a := range c.Addresses {
		dst = append(dst, " addr "...)
		dst = append(dst, a.String()...)
	}
	return dst
}
