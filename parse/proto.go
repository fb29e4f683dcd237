package parse

// Proto names the deepest protocol identified in a packet.
type Proto uint8

// Protocols a Packet can carry, common first, industrial after ProtoPNRT.
const (
	ProtoNone Proto = iota
	ProtoARP
	ProtoIPv4
	ProtoIPv6
	ProtoTCP
	ProtoUDP
	ProtoICMP
	ProtoICMPv6
	ProtoDNS
	ProtoDHCP
	ProtoLLDP
	ProtoCDP
	ProtoPNRT   // PROFINET real-time (cyclic data, alarms)
	ProtoPNDCP  // PROFINET Discovery and Configuration Protocol
	ProtoModbus // Modbus/TCP
	ProtoENIP   // EtherNet/IP (and CIP inside it)
	ProtoCOTP   // ISO transport over TCP (TPKT/COTP) without S7comm
	ProtoS7comm // S7comm over TPKT/COTP
	ProtoBACnet // BACnet/IP
	ProtoDNP3
	ProtoIEC104 // IEC 60870-5-104
)

var protoNames = [...]string{
	ProtoNone: "", ProtoARP: "ARP", ProtoIPv4: "IP", ProtoIPv6: "IP6", ProtoTCP: "TCP",
	ProtoUDP: "UDP", ProtoICMP: "ICMP", ProtoICMPv6: "ICMP6", ProtoDNS: "DNS", ProtoDHCP: "DHCP",
	ProtoLLDP: "LLDP", ProtoCDP: "CDP", ProtoPNRT: "PN-RT", ProtoPNDCP: "PN-DCP",
	ProtoModbus: "Modbus", ProtoENIP: "ENIP", ProtoCOTP: "COTP", ProtoS7comm: "S7comm",
	ProtoBACnet: "BACnet", ProtoDNP3: "DNP3", ProtoIEC104: "IEC104",
}

// String returns the protocol's short display name ("Modbus", "PN-DCP").
func (p Proto) String() string {
	if int(p) < len(protoNames) {
		return protoNames[p]
	}
	return "proto?"
}

// IsOT reports whether p is an industrial protocol.
func (p Proto) IsOT() bool { return p >= ProtoPNRT }

// pathElem is one element of a protocol path, named as Wireshark names its
// protocols (frame.protocols, tshark -z io,phs).
type pathElem uint8

const (
	protoNil pathElem = iota
	protoEth
	protoSLL
	protoEthertype
	protoVLAN
	protoIEEE8021ad
	protoLLC
	protoARP
	protoIP
	protoIPv6
	protoTCP
	protoUDP
	protoICMP
	protoICMPv6
	protoDNS
	protoMDNS
	protoDHCP
	protoLLDP
	protoCDP
	protoPNRT
	protoPNDCP
	protoMBTCP
	protoModbus
	protoENIP
	protoCIP
	protoTPKT
	protoCOTP
	protoS7comm
	protoBVLC
	protoBACnet
	protoBACapp
	protoDNP3
	protoIEC104
	protoIECASDU
	protoData
	protoRaw
	protoNull
	numPathElems
)

var pathNames = [numPathElems]string{
	protoNil: "?", protoEth: "eth", protoSLL: "sll", protoEthertype: "ethertype", protoVLAN: "vlan",
	protoIEEE8021ad: "ieee8021ad", protoLLC: "llc", protoARP: "arp", protoIP: "ip", protoIPv6: "ipv6",
	protoTCP: "tcp", protoUDP: "udp", protoICMP: "icmp", protoICMPv6: "icmpv6", protoDNS: "dns",
	protoMDNS: "mdns", protoDHCP: "dhcp", protoLLDP: "lldp", protoCDP: "cdp", protoPNRT: "pn_rt",
	protoPNDCP: "pn_dcp", protoMBTCP: "mbtcp", protoModbus: "modbus", protoENIP: "enip", protoCIP: "cip",
	protoTPKT: "tpkt", protoCOTP: "cotp", protoS7comm: "s7comm", protoBVLC: "bvlc", protoBACnet: "bacnet",
	protoBACapp: "bacapp", protoDNP3: "dnp3", protoIEC104: "iec60870_104", protoIECASDU: "iec60870_asdu",
	protoData: "data", protoRaw: "raw", protoNull: "null",
}

func (e pathElem) String() string {
	if e < numPathElems {
		return pathNames[e]
	}
	return "?"
}

// maxPath bounds the depth of a protocol path; deeper elements are dropped.
const maxPath = 16

// protoPath is a packet's protocol path, fixed-size so that it can key a
// map without allocating.
type protoPath struct {
	elems [maxPath]pathElem
	n     uint8
}

func (p *protoPath) push(e pathElem) {
	if int(p.n) < maxPath {
		p.elems[p.n] = e
		p.n++
	}
}

func (p *protoPath) last() pathElem {
	if p.n == 0 {
		return protoNil
	}
	return p.elems[p.n-1]
}

// appendTo appends the path as "eth:ethertype:ip:tcp".
func (p *protoPath) appendTo(dst []byte) []byte {
	for i := 0; i < int(p.n); i++ {
		if i > 0 {
			dst = append(dst, ':')
		}
		dst = append(dst, p.elems[i].String()...)
	}
	return dst
}

// appendPhs appends the path without the "ethertype" elements, as tshark's
// protocol hierarchy statistics show it.
func (p *protoPath) appendPhs(dst []byte) []byte {
	first := true
	for i := 0; i < int(p.n); i++ {
		if p.elems[i] == protoEthertype {
			continue
		}
		if !first {
			dst = append(dst, ':')
		}
		first = false
		dst = append(dst, p.elems[i].String()...)
	}
	return dst
}

// Protocols returns the packet's protocol path in Wireshark's
// frame.protocols notation, e.g. "eth:ethertype:ip:tcp:mbtcp:modbus".
func (p *Packet) Protocols() string { return string(p.path.appendTo(nil)) }

// AppendProtocols appends Protocols() to dst without allocating.
func (p *Packet) AppendProtocols(dst []byte) []byte { return p.path.appendTo(dst) }
