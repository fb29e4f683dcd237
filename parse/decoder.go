// Package parse decodes captured frames without copying them: the common
// stack (Ethernet, Linux cooked capture, 802.1Q/802.1ad, ARP, IPv4, IPv6,
// TCP, UDP, ICMP, DNS, DHCPv4, LLDP, CDP) through gopacket's layers and one
// reused DecodingLayerParser per Decoder, then the industrial payload
// (PROFINET, Modbus/TCP, EtherNet/IP, S7comm, BACnet/IP, DNP3, IEC 104)
// through the decoders in parse's subpackages.
//
// A Decoder is not safe for concurrent use: give each worker its own. The
// Packet it returns, and every slice in it, is a view into the frame and
// into the Decoder's buffers, valid until the next call to Decode.
package parse

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// LinkType is the link-layer header type of a frame (pcap LINKTYPE_ values).
type LinkType = layers.LinkType

// Link types Decode accepts.
const (
	LinkTypeEthernet = layers.LinkTypeEthernet // LINKTYPE_ETHERNET (1)
	LinkTypeLinuxSLL = layers.LinkTypeLinuxSLL // LINKTYPE_LINUX_SLL (113), Linux cooked capture v1
	// LinkTypeRaw is LINKTYPE_RAW (101): a bare IPv4 or IPv6 packet (Linux
	// tun and WireGuard interfaces).
	LinkTypeRaw = layers.LinkTypeRaw
	// LinkTypeNull is LINKTYPE_NULL (0): BSD loopback, a 4-byte address
	// family in the capturing host's byte order, then the IP packet
	// (Npcap's loopback adapter).
	LinkTypeNull = layers.LinkTypeNull
)

// MaxVLANs is the number of stacked 802.1Q/802.1ad tags a Packet records;
// deeper tags are decoded but not recorded.
const MaxVLANs = 4

// Errors callers branch on; Decode wraps them in a *DecodeError.
var (
	// ErrUnsupportedLinkType: Decode was given a link type it does not know.
	ErrUnsupportedLinkType = errors.New("unsupported link type")
	// ErrTruncated: a header or PDU runs past the end of the captured bytes.
	ErrTruncated = errors.New("truncated")
	// ErrMalformed: a header or PDU is inconsistent with its own fields.
	ErrMalformed = errors.New("malformed")
)

// DecodeError reports which layer of a frame could not be decoded. The
// layers before it are valid in the Packet. errors.Is(err, ErrTruncated)
// (or ErrMalformed, ErrUnsupportedLinkType) tells the kind; errors.As
// reaches the underlying decoder's error (*modbus.Error, ...). Decode
// returns a DecodeError owned by the Decoder, valid until its next call, so
// that decoding stays allocation-free for damaged traffic too.
type DecodeError struct {
	Layer string // protocol name, as in protocol paths ("ip", "mbtcp")
	Kind  error  // ErrTruncated, ErrMalformed or ErrUnsupportedLinkType
	Err   error  // underlying error, or nil
}

// Error returns "layer: underlying error", or "layer: kind" when there is
// no underlying error.
func (e *DecodeError) Error() string {
	if e.Err == nil {
		return e.Layer + ": " + e.Kind.Error()
	}
	return e.Layer + ": " + e.Err.Error()
}

// Unwrap returns the kind and the underlying error.
func (e *DecodeError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// VLAN is one 802.1Q (TPID 0x8100) or 802.1ad (TPID 0x88a8) tag.
type VLAN struct {
	TPID         uint16 // tag protocol identifier: 0x8100, 0x88a8 (or 0x9100)
	ID           uint16 // VLAN identifier (12 bits)
	Priority     uint8  // PCP (3 bits)
	DropEligible bool   // DEI bit
}

// Packet is one decoded frame. Pointers to layers are nil when the layer is
// absent; they point into the Decoder, and slices point into the frame.
type Packet struct {
	// Info is the capture metadata (timestamp, captured and original
	// length), as given to DecodeCapture; Decode sets both lengths to
	// len(Data) and a zero timestamp.
	Info gopacket.CaptureInfo
	// Data is the whole frame.
	Data []byte
	// LinkType is the link-layer header type Data starts with.
	LinkType LinkType

	Ethernet *layers.Ethernet
	SLL      *layers.LinuxSLL
	VLANs    []VLAN       // outer first; a view into the Decoder
	LLC      *layers.LLC  // 802.3 frames
	SNAP     *layers.SNAP // 802.3 frames with SNAP (CDP)
	ARP      *layers.ARP
	IPv4     *layers.IPv4
	IPv6     *layers.IPv6
	TCP      *layers.TCP
	UDP      *layers.UDP
	ICMPv4   *layers.ICMPv4
	ICMPv6   *layers.ICMPv6
	DHCPv4   *layers.DHCPv4 // UDP 67/68
	// DNS (UDP 53/5353), LLDP and CDP are decoded on first use: see the
	// methods DNS, LLDP and CDP.

	// EtherType is the innermost EtherType (after VLAN tags); 0 for 802.3
	// length frames.
	EtherType layers.EthernetType

	// Payload is what follows the deepest decoded common layer: the TCP or
	// UDP payload, or the EtherType payload of L2 protocols (PROFINET, LLDP).
	Payload []byte

	// Proto is the deepest protocol identified, industrial or not
	// (ProtoModbus, ProtoLLDP, ProtoTCP ...).
	Proto Proto

	// OT holds the decoded industrial protocol: the field matching Proto.
	OT OT

	// AppErr is the error of the application-layer decoder (DHCP or an
	// industrial protocol), if it failed; the layers below are still
	// valid. Decode also returns it (a *DecodeError).
	AppErr error

	lazy  lazyL2 // DNS, LLDP and CDP, decoded on first use
	path  protoPath
	dec   *Decoder
	flags uint8
}

const (
	flagTruncated uint8 = 1 << iota
	flagRecovered
)

// Recovered reports whether decoding this packet panicked inside a decoder
// and was stopped (the error says where). It is a bug to report.
func (p *Packet) Recovered() bool { return p.flags&flagRecovered != 0 }

// Truncated reports whether a layer ran past the captured bytes (a snaplen
// shorter than the frame).
func (p *Packet) Truncated() bool { return p.flags&flagTruncated != 0 }

// Decoder decodes frames. The zero value is not usable: call NewDecoder.
// A Decoder is for one goroutine at a time.
type Decoder struct {
	eth    layers.Ethernet
	sll    layers.LinuxSLL
	vlan   vlanStack
	llc    layers.LLC
	snap   layers.SNAP
	arp    layers.ARP
	ip4    layers.IPv4
	ip6    layers.IPv6
	ip6ext layers.IPv6ExtensionSkipper
	tcp    tcpLayer
	udp    udpLayer
	icmp4  layers.ICMPv4
	icmp6  layers.ICMPv6
	dns    layers.DNS
	dhcp   layers.DHCPv4

	ethParser *gopacket.DecodingLayerParser
	sllParser *gopacket.DecodingLayerParser
	ip4Parser *gopacket.DecodingLayerParser // RAW and NULL frames
	ip6Parser *gopacket.DecodingLayerParser
	decoded   []gopacket.LayerType

	ot   otDecoders
	pkt  Packet
	derr DecodeError
}

// NewDecoder returns a Decoder with its parsers and buffers allocated.
func NewDecoder() *Decoder {
	d := &Decoder{decoded: make([]gopacket.LayerType, 0, 16)}
	common := []gopacket.DecodingLayer{
		&d.vlan, &d.llc, &d.snap, &d.arp, &d.ip4, &d.ip6, &d.ip6ext,
		&d.tcp, &d.udp, &d.icmp4, &d.icmp6,
	}
	// DecodingLayerSparse (an array indexed by LayerType) is gopacket's
	// fastest container; our layer types are all small numbers.
	newParser := func(t gopacket.LayerType, first gopacket.DecodingLayer) *gopacket.DecodingLayerParser {
		p := gopacket.NewDecodingLayerParser(t)
		var c gopacket.DecodingLayerContainer = gopacket.DecodingLayerSparse(nil)
		c = c.Put(first)
		for _, l := range common {
			c = c.Put(l)
		}
		p.SetDecodingLayerContainer(c)
		return p
	}
	d.ethParser = newParser(layers.LayerTypeEthernet, &d.eth)
	d.sllParser = newParser(layers.LayerTypeLinuxSLL, &d.sll)
	d.ip4Parser = newParser(layers.LayerTypeIPv4, &d.ip4)
	d.ip6Parser = newParser(layers.LayerTypeIPv6, &d.ip6)
	for _, p := range []*gopacket.DecodingLayerParser{d.ethParser, d.sllParser, d.ip4Parser, d.ip6Parser} {
		// An unknown next layer (PROFINET, an unknown port) is where the
		// common stack ends, not an error. Panics are recovered below,
		// without DecodingLayerParser's deferred closure per call.
		p.IgnoreUnsupported = true
		p.IgnorePanic = true
	}
	d.vlan.outer = func() layers.EthernetType {
		if d.pkt.LinkType == LinkTypeLinuxSLL {
			return d.sll.EthernetType
		}
		return d.eth.EthernetType
	}
	d.pkt.dec = d
	d.pkt.OT.s7szl = d.pkt.OT.s7szlBuf[:0]
	return d
}

// Decode decodes frame, which starts with a header of link type lt. The
// returned Packet is owned by the Decoder and valid until the next call.
// On error the Packet holds every layer decoded before the failing one, and
// the error is a *DecodeError.
func (d *Decoder) Decode(frame []byte, lt LinkType) (*Packet, error) {
	return d.DecodeCapture(gopacket.CaptureInfo{CaptureLength: len(frame), Length: len(frame)}, frame, lt)
}

// DecodeCapture is Decode with the frame's capture metadata, kept in
// Packet.Info for summaries, JSON and statistics.
func (d *Decoder) DecodeCapture(ci gopacket.CaptureInfo, frame []byte, lt LinkType) (p *Packet, err error) {
	p = &d.pkt
	p.reset()
	p.Info = ci
	p.Data = frame
	p.LinkType = lt
	defer func() {
		// gopacket's layers and ours are written not to panic; this is the
		// last line of defence for a long-running capture.
		if r := recover(); r != nil {
			p.flags |= flagRecovered
			err = d.fail(p.path.last().String(), ErrMalformed, fmt.Errorf("decoder panic: %v", r))
		}
	}()
	var parser *gopacket.DecodingLayerParser
	switch lt {
	case LinkTypeEthernet:
		parser = d.ethParser
	case LinkTypeLinuxSLL:
		parser = d.sllParser
	case LinkTypeRaw:
		p.path.push(protoRaw)
		parser = d.ipParser(frame, 0)
	case LinkTypeNull:
		p.path.push(protoNull)
		if len(frame) < 4 {
			p.flags |= flagTruncated
			return p, d.fail("null", ErrTruncated, nil)
		}
		parser = d.ipParser(frame[4:], nullFamily(frame))
		frame = frame[4:]
	default:
		return p, d.fail("frame", ErrUnsupportedLinkType, nil)
	}
	if parser == nil {
		p.Payload = frame
		return p, d.fail("frame", ErrUnsupportedLinkType, nil)
	}
	d.vlan.n = 0
	d.decoded = d.decoded[:0]
	perr := parser.DecodeLayers(frame, &d.decoded)
	if parser.Truncated {
		p.flags |= flagTruncated
	}
	d.collect(p)
	if perr != nil {
		kind := ErrMalformed
		if parser.Truncated {
			kind = ErrTruncated
		}
		return p, d.fail(nextLayerName(p), kind, perr)
	}
	if len(d.decoded) == 0 {
		return p, d.fail("frame", ErrTruncated, nil)
	}
	if err := d.dispatch(p); err != nil {
		return p, err
	}
	return p, nil
}

// ipParser picks the parser for a bare IP packet: by the BSD address
// family when there is one (NULL framing), else by the IP version nibble.
// It returns nil for anything else.
func (d *Decoder) ipParser(pkt []byte, family uint32) *gopacket.DecodingLayerParser {
	switch family {
	case 2: // AF_INET everywhere
		return d.ip4Parser
	case 10, 23, 24, 28, 30: // AF_INET6: Linux, Windows, NetBSD/OpenBSD, FreeBSD, macOS
		return d.ip6Parser
	}
	if len(pkt) > 0 {
		switch pkt[0] >> 4 {
		case 4:
			return d.ip4Parser
		case 6:
			return d.ip6Parser
		}
	}
	return nil
}

// nullFamily reads the address family of a NULL frame, written in the
// capturing host's byte order: a family is a small number, so whichever
// order gives one is the right one.
func nullFamily(frame []byte) uint32 {
	if f := binary.LittleEndian.Uint32(frame); f <= 0xffff {
		return f
	}
	return binary.BigEndian.Uint32(frame)
}

// tcpLayer and udpLayer end the DecodingLayerParser's walk at the
// transport layer: dispatch picks the application decoder by port itself,
// which spares gopacket's port-to-layer-type lookups.
type tcpLayer struct{ layers.TCP }
type udpLayer struct{ layers.UDP }

func (*tcpLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypePayload }
func (*udpLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypePayload }

// fail fills in the Decoder's DecodeError and returns it.
func (d *Decoder) fail(layer string, kind, err error) error {
	d.derr = DecodeError{Layer: layer, Kind: kind, Err: err}
	return &d.derr
}

// reset clears what the previous packet left. The OT structs are not
// cleared (they are large): each is valid only for its Proto and is
// written by its decoder before Proto is set.
func (p *Packet) reset() {
	p.Ethernet, p.SLL, p.VLANs, p.LLC, p.SNAP, p.ARP = nil, nil, nil, nil, nil, nil
	p.IPv4, p.IPv6, p.TCP, p.UDP, p.ICMPv4, p.ICMPv6, p.DHCPv4 = nil, nil, nil, nil, nil, nil, nil
	p.EtherType, p.Payload, p.Proto, p.AppErr = 0, nil, ProtoNone, nil
	p.OT.Count = 0
	p.OT.PNRT = PNRT{}
	p.lazy = lazyL2{}
	p.path.n = 0
	p.flags = 0
}

// collect points the Packet at the layers DecodeLayers filled in, and
// builds the protocol path.
func (d *Decoder) collect(p *Packet) {
	vi := 0
	for _, t := range d.decoded {
		switch t {
		case layers.LayerTypeEthernet:
			p.Ethernet = &d.eth
			p.path.push(protoEth)
			if d.eth.EthernetType == layers.EthernetTypeLLC {
				p.Payload = d.eth.Payload
			} else {
				p.EtherType = d.eth.EthernetType
				p.path.push(protoEthertype)
				p.Payload = d.eth.Payload
			}
		case layers.LayerTypeLinuxSLL:
			p.SLL = &d.sll
			p.path.push(protoSLL)
			if d.sll.EthernetType != layers.LinuxSLL2EthernetTypeLLC {
				p.EtherType = d.sll.EthernetType
				p.path.push(protoEthertype)
			}
			p.Payload = d.sll.Payload
		case layers.LayerTypeDot1Q:
			// Filled in below from the tag stack.
		case layers.LayerTypeLLC:
			p.LLC = &d.llc
			p.path.push(protoLLC)
			p.Payload = d.llc.Payload
		case layers.LayerTypeSNAP:
			p.SNAP = &d.snap
			p.Payload = d.snap.Payload
		case layers.LayerTypeARP:
			p.ARP = &d.arp
			p.path.push(protoARP)
			p.Proto = ProtoARP
		case layers.LayerTypeIPv4:
			p.IPv4 = &d.ip4
			p.path.push(protoIP)
			p.Proto = ProtoIPv4
			p.Payload = d.ip4.Payload
		case layers.LayerTypeIPv6:
			p.IPv6 = &d.ip6
			p.path.push(protoIPv6)
			p.Proto = ProtoIPv6
			p.Payload = d.ip6.Payload
		case layers.LayerTypeTCP:
			p.TCP = &d.tcp.TCP
			p.path.push(protoTCP)
			p.Proto = ProtoTCP
			p.Payload = d.tcp.Payload
		case layers.LayerTypeUDP:
			p.UDP = &d.udp.UDP
			p.path.push(protoUDP)
			p.Proto = ProtoUDP
			p.Payload = d.udp.Payload
		case layers.LayerTypeICMPv4:
			p.ICMPv4 = &d.icmp4
			p.path.push(protoICMP)
			p.Proto = ProtoICMP
			p.Payload = d.icmp4.Payload
		case layers.LayerTypeICMPv6:
			p.ICMPv6 = &d.icmp6
			p.path.push(protoICMPv6)
			p.Proto = ProtoICMPv6
			p.Payload = d.icmp6.Payload
		}
		if t == layers.LayerTypeDot1Q {
			// One entry per tag in d.decoded, in order; tags deeper than
			// MaxVLANs share the scratch slot, which holds the deepest.
			tag := &d.vlan.tags[min(vi, MaxVLANs)]
			if tag.tpid == uint16(layers.EthernetTypeQinQ) {
				p.path.push(protoIEEE8021ad)
			} else {
				p.path.push(protoVLAN)
			}
			vi++
			p.VLANs = d.vlan.view[:min(vi, MaxVLANs)]
			if tag.Type >= 0x600 {
				p.EtherType = tag.Type
				p.path.push(protoEthertype)
			} else {
				p.EtherType = 0
			}
			p.Payload = tag.Payload
		}
	}
}

// nextLayerName names the layer after the last decoded one, for errors.
func nextLayerName(p *Packet) string {
	switch {
	case p.TCP != nil || p.UDP != nil:
		return p.path.last().String()
	case p.IPv4 != nil || p.IPv6 != nil:
		return "transport"
	case p.Ethernet != nil || p.SLL != nil:
		return "network"
	}
	return "link"
}
