package parse

import (
	"encoding/binary"
	"errors"

	"github.com/gopacket/gopacket/layers"

	"github.com/wirebom/wirebom/parse/bacnet"
	"github.com/wirebom/wirebom/parse/dnp3"
	"github.com/wirebom/wirebom/parse/enip"
	"github.com/wirebom/wirebom/parse/iec104"
	"github.com/wirebom/wirebom/parse/modbus"
	"github.com/wirebom/wirebom/parse/pndcp"
	"github.com/wirebom/wirebom/parse/s7comm"
)

// Well-known ports and EtherTypes of the protocols Decode dispatches to.
const (
	etherTypeProfinet = 0x8892
	etherTypeLLDP     = 0x88cc

	portDNS        = 53
	portMDNS       = 5353
	portDHCPServer = 67
	portDHCPClient = 68
	portISOTSAP    = 102 // TPKT/COTP: S7comm
	portModbus     = 502
	portIEC104     = 2404
	portENIPIO     = 2222
	portDNP3       = 20000
	portENIP       = 44818
	portBACnet     = 47808

	ciscoOUI     = 0x00000c
	snapTypeCDP  = 0x2000
	pnDCPFirstID = 0xfefc
)

// OT is the decoded industrial protocol of a packet; the field matching
// Packet.Proto is valid.
type OT struct {
	PNRT   PNRT          // ProtoPNRT, and the FrameID of ProtoPNDCP
	PNDCP  pndcp.Frame   // ProtoPNDCP
	Modbus modbus.ADU    // ProtoModbus: the first ADU of the segment
	DNP3   dnp3.Frame    // ProtoDNP3: the first link frame
	IEC104 iec104.APDU   // ProtoIEC104: the first APDU
	BACnet bacnet.Packet // ProtoBACnet
	ENIP   enip.Packet   // ProtoENIP: the first encapsulation message
	// ENIPIO is set for EtherNet/IP I/O messaging (UDP 2222): a bare CPF
	// in Packet.Payload, no encapsulation header (OT.ENIP is not valid).
	ENIPIO bool
	S7     s7comm.Packet // ProtoS7comm, ProtoCOTP: the first TPKT

	s7szl    []szlResult // read-SZL responses of the segment, in order
	s7szlBuf [4]szlResult
	// Count is the number of PDUs found in the payload (Modbus ADUs, DNP3
	// frames, IEC 104 APDUs); Packet.Fields reports all of them.
	Count int
}

// PNRT is the PROFINET real-time header: the FrameID, and for cyclic
// frames the APDU status at the end of the frame.
type PNRT struct {
	FrameID uint16
	// Cyclic is set for cyclic data frames (FrameID 0x0100-0xfbff), which
	// end with the APDU status below.
	Cyclic         bool
	CycleCounter   uint16
	DataStatus     uint8
	TransferStatus uint8
	// Data is the payload after the FrameID (without the APDU status for
	// cyclic frames).
	Data []byte
}

// otDecoders holds per-Decoder state of the industrial decoders.
type otDecoders struct {
	dcpID       pndcp.Identity // scratch for summaries
	mbScratch   modbus.ADU
	dnp3It      dnp3.Iter
	iecIt       iec104.Iter
	bacText     []byte
	enipScratch enip.Packet
	s7Scratch   s7comm.Packet
	szlFlows    [maxSZLFlows]szlFlow
	szlClock    uint64
}

// otKind tells whether a subpackage decoder's error means truncated input.
func otKind(err error) error {
	if isTooShort(err) {
		return ErrTruncated
	}
	return ErrMalformed
}

func isTooShort(err error) bool {
	return errors.Is(err, pndcp.ErrTooShort) || errors.Is(err, modbus.ErrTooShort) ||
		errors.Is(err, dnp3.ErrTooShort) || errors.Is(err, iec104.ErrTooShort) ||
		errors.Is(err, bacnet.ErrTooShort) || errors.Is(err, enip.ErrTooShort) ||
		errors.Is(err, s7comm.ErrTooShort)
}

// dispatch decodes what follows the common stack.
func (d *Decoder) dispatch(p *Packet) error {
	switch {
	case p.TCP != nil:
		return d.dispatchTCP(p, uint16(p.TCP.SrcPort), uint16(p.TCP.DstPort))
	case p.UDP != nil:
		return d.dispatchUDP(p, uint16(p.UDP.SrcPort), uint16(p.UDP.DstPort))
	case p.IPv4 != nil || p.IPv6 != nil || p.ARP != nil:
		return nil
	case p.SNAP != nil:
		if p.SNAP.OrganizationalCode[0] == 0 && p.SNAP.OrganizationalCode[1] == 0 && p.SNAP.OrganizationalCode[2] == 0x0c && p.SNAP.Type == snapTypeCDP {
			p.Proto = ProtoCDP
			p.path.push(protoCDP)
		}
		return nil
	}
	switch p.EtherType {
	case etherTypeProfinet:
		return d.decodeProfinet(p)
	case etherTypeLLDP:
		p.Proto = ProtoLLDP
		p.path.push(protoLLDP)
	}
	return nil
}

// portIs reports whether either port is want.
func portIs(src, dst, want uint16) bool { return src == want || dst == want }

func (d *Decoder) dispatchTCP(p *Packet, src, dst uint16) error {
	if len(p.Payload) == 0 {
		return nil
	}
	switch {
	case portIs(src, dst, portModbus):
		return d.decodeModbus(p)
	case portIs(src, dst, portENIP):
		return d.decodeENIP(p)
	case portIs(src, dst, portISOTSAP):
		return d.decodeS7(p)
	case portIs(src, dst, portDNP3):
		return d.decodeDNP3(p)
	case portIs(src, dst, portIEC104):
		return d.decodeIEC104(p)
	}
	p.path.push(protoData)
	return nil
}

func (d *Decoder) dispatchUDP(p *Packet, src, dst uint16) error {
	if len(p.Payload) == 0 {
		return nil
	}
	switch {
	case portIs(src, dst, portDNS) || portIs(src, dst, portMDNS):
		return d.decodeDNS(p, portIs(src, dst, portMDNS))
	case portIs(src, dst, portDHCPServer) || portIs(src, dst, portDHCPClient):
		return d.decodeDHCP(p)
	case portIs(src, dst, portENIP) || portIs(src, dst, portENIPIO):
		return d.decodeENIP(p)
	case portIs(src, dst, portBACnet):
		return d.decodeBACnet(p)
	case portIs(src, dst, portDNP3):
		return d.decodeDNP3(p)
	}
	p.path.push(protoData)
	return nil
}

// appError records the failure of an application-layer decoder.
func appError(p *Packet, layer string, kind, err error) error {
	e := p.dec.fail(layer, kind, err)
	p.AppErr = e
	return e
}

// otError records the failure of an industrial decoder.
func otError(p *Packet, layer string, err error) error {
	return appError(p, layer, otKind(err), err)
}

// decodeDNS marks a DNS or mDNS message; Packet.DNS decodes it on first
// use (gopacket's DNS layer allocates for EDNS OPT records).
func (d *Decoder) decodeDNS(p *Packet, mdns bool) error {
	if mdns {
		p.path.push(protoMDNS)
	} else {
		p.path.push(protoDNS)
	}
	p.Proto = ProtoDNS
	return nil
}

func (d *Decoder) decodeDHCP(p *Packet) error {
	p.path.push(protoDHCP)
	if err := d.dhcp.DecodeFromBytes(p.Payload, nopFeedback{}); err != nil {
		return appError(p, "dhcp", ErrMalformed, err)
	}
	p.DHCPv4 = &d.dhcp
	p.Proto = ProtoDHCP
	return nil
}

// decodeProfinet decodes the PROFINET RT header and, for FrameIDs
// 0xfefc-0xfeff, DCP.
func (d *Decoder) decodeProfinet(p *Packet) error {
	p.path.push(protoPNRT)
	b := p.Payload
	if len(b) < 2 {
		return appError(p, "pn_rt", ErrTruncated, nil)
	}
	rt := &p.OT.PNRT
	rt.FrameID = binary.BigEndian.Uint16(b)
	rt.Data = b[2:]
	p.Proto = ProtoPNRT
	if rt.FrameID >= pnDCPFirstID {
		return d.decodePNDCP(p)
	}
	if rt.FrameID >= 0x0100 && rt.FrameID < 0xfc00 {
		if len(rt.Data) < 4 {
			return appError(p, "pn_rt", ErrTruncated, nil)
		}
		n := len(rt.Data) - 4
		st := rt.Data[n:]
		rt.Cyclic = true
		rt.CycleCounter = binary.BigEndian.Uint16(st)
		rt.DataStatus = st[2]
		rt.TransferStatus = st[3]
		rt.Data = rt.Data[:n]
	}
	return nil
}

// nopFeedback is a gopacket.DecodeFeedback that ignores truncation (the
// error says it).
type nopFeedback struct{}

func (nopFeedback) SetTruncated() {}

var _ = layers.LayerTypeDNS
