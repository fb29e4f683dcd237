package parse

import (
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// lazyL2 holds LLDP and CDP, which gopacket decodes only through
// gopacket.NewPacket (they are not DecodingLayers) and which allocate; they
// are decoded on first use, so the hot path stays allocation-free.
type lazyL2 struct {
	done     bool
	err      error
	lldp     *layers.LinkLayerDiscovery
	lldpInfo *layers.LinkLayerDiscoveryInfo
	cdp      *layers.CiscoDiscoveryInfo
	cdpRaw   *layers.CiscoDiscovery

	dnsDone bool
	dnsErr  error
}

// DNS decodes the packet's DNS or mDNS message (UDP port 53 or 5353) on
// first call; it is nil when Proto is not ProtoDNS or the message does not
// decode. Lazy because gopacket's DNS layer allocates for EDNS records.
func (p *Packet) DNS() (*layers.DNS, error) {
	if p.Proto != ProtoDNS {
		return nil, nil
	}
	d := p.dec
	if !p.lazy.dnsDone {
		p.lazy.dnsDone = true
		if err := d.dns.DecodeFromBytes(p.Payload, nopFeedback{}); err != nil {
			p.lazy.dnsErr = &DecodeError{Layer: p.path.last().String(), Kind: ErrMalformed, Err: err}
		}
	}
	if p.lazy.dnsErr != nil {
		return nil, p.lazy.dnsErr
	}
	return &d.dns, nil
}

// LLDP decodes the packet's LLDPDU (on first call; later calls return the
// same result). Both results are nil when Proto is not ProtoLLDP.
func (p *Packet) LLDP() (*layers.LinkLayerDiscovery, *layers.LinkLayerDiscoveryInfo, error) {
	if p.Proto != ProtoLLDP {
		return nil, nil, nil
	}
	p.decodeLazy()
	return p.lazy.lldp, p.lazy.lldpInfo, p.lazy.err
}

// CDP decodes the packet's CDP message (on first call). It is nil when
// Proto is not ProtoCDP.
func (p *Packet) CDP() (*layers.CiscoDiscoveryInfo, error) {
	if p.Proto != ProtoCDP {
		return nil, nil
	}
	p.decodeLazy()
	return p.lazy.cdp, p.lazy.err
}

func (p *Packet) decodeLazy() {
	if p.lazy.done {
		return
	}
	p.lazy.done = true
	var first gopacket.LayerType
	switch p.Proto {
	case ProtoLLDP:
		first = layers.LayerTypeLinkLayerDiscovery
	case ProtoCDP:
		first = layers.LayerTypeCiscoDiscovery
	default:
		return
	}
	gp := gopacket.NewPacket(p.Payload, first, gopacket.DecodeOptions{NoCopy: true, Lazy: false})
	for _, l := range gp.Layers() {
		switch l := l.(type) {
		case *layers.LinkLayerDiscovery:
			p.lazy.lldp = l
		case *layers.LinkLayerDiscoveryInfo:
			p.lazy.lldpInfo = l
		case *layers.CiscoDiscovery:
			p.lazy.cdpRaw = l
		case *layers.CiscoDiscoveryInfo:
			p.lazy.cdp = l
		}
	}
	if el := gp.ErrorLayer(); el != nil {
		err := el.Error()
		kind := ErrMalformed
		if gp.Metadata().Truncated {
			kind = ErrTruncated
		}
		p.lazy.err = &DecodeError{Layer: p.path.last().String(), Kind: kind, Err: err}
	} else if p.lazy.lldp == nil && p.lazy.cdp == nil {
		p.lazy.err = &DecodeError{Layer: p.path.last().String(), Kind: ErrMalformed, Err: errors.New("no PDU decoded")}
	}
}
