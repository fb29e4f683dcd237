package parse

import (
	"strconv"

	"github.com/wirebom/wirebom/parse/enip"
)

// decodeENIP decodes EtherNet/IP: encapsulation messages on port 44818
// (OT.ENIP is the first, OT.Count how many), or a bare CPF of I/O
// messaging on UDP 2222 (OT.ENIPIO set).
func (d *Decoder) decodeENIP(p *Packet) error {
	p.path.push(protoENIP)
	if p.UDP != nil && enip.IsIO(uint16(p.UDP.SrcPort), uint16(p.UDP.DstPort)) &&
		uint16(p.UDP.SrcPort) != enip.Port && uint16(p.UDP.DstPort) != enip.Port {
		items, err := enip.CPF(p.Payload)
		if err != nil {
			return otError(p, "enip", err)
		}
		p.OT.ENIPIO = true
		p.Proto = ProtoENIP
		var item enip.Item
		for items.Next(&item) {
			p.OT.Count++
		}
		if err := items.Err(); err != nil {
			return otError(p, "enip", err)
		}
		return nil
	}
	p.OT.ENIPIO = false
	it := enip.Split(p.Payload)
	m := &d.ot.enipScratch
	cip := false
	for it.Next(m) {
		if p.OT.Count == 0 {
			p.OT.ENIP = *m
		}
		p.OT.Count++
		if !cip && (m.Command == enip.CmdSendRRData || m.Command == enip.CmdSendUnitData) {
			if _, items, err := m.Items(); err == nil {
				var item enip.Item
				for items.Next(&item) {
					if item.TypeID == enip.ItemUnconnectedData || item.TypeID == enip.ItemConnectedData {
						cip = true
					}
				}
			}
		}
	}
	if p.OT.Count == 0 {
		return otError(p, "enip", it.Err())
	}
	p.Proto = ProtoENIP
	if cip {
		p.path.push(protoCIP)
	}
	if err := it.Err(); err != nil {
		return otError(p, "enip", err)
	}
	return nil
}

// enipFields reports the encapsulation messages as tshark's enip fields and
// their CIP messages as the cip group.
func (p *Packet) enipFields(s FieldSink) {
	const g = "enip"
	if p.OT.ENIPIO {
		items, err := enip.CPF(p.Payload)
		if err != nil {
			return
		}
		var item enip.Item
		for items.Next(&item) {
			s.Field(g, "cpf_typeid", Uint(item.TypeID))
		}
		return
	}
	it := enip.Split(p.Payload)
	m := &p.dec.ot.enipScratch
	for it.Next(m) {
		s.Field(g, "command", Uint(m.Command))
		s.Field(g, "length", Uint(m.Length))
		s.Field(g, "session", Uint(m.Session))
		s.Field(g, "status", Uint(m.Status))
		switch m.Command {
		case enip.CmdSendRRData, enip.CmdSendUnitData, enip.CmdListIdentity, enip.CmdListServices, enip.CmdListInterfaces:
		default:
			continue
		}
		_, items, err := m.Items()
		if err != nil {
			continue
		}
		var item enip.Item
		for items.Next(&item) {
			s.Field(g, "cpf_typeid", Uint(item.TypeID))
			switch item.TypeID {
			case enip.ItemListIdentity:
				id, err := item.Identity()
				if err != nil {
					continue
				}
				s.Field(g, "vendor_id", Uint(id.VendorID))
				s.Field(g, "device_type", Uint(id.DeviceType))
				s.Field(g, "product_code", Uint(id.ProductCode))
				s.Field(g, "revision", Uint(id.Revision()))
				s.Field(g, "device_status", Uint(id.Status))
				s.Field(g, "serial", Uint(id.SerialNumber))
				s.Field(g, "product_name", Str(id.ProductName))
				s.Field(g, "state", Uint(id.State))
			case enip.ItemUnconnectedData, enip.ItemConnectedData:
				var cm enip.Message
				if _, err := item.CIP(&cm); err == nil {
					cipFields(s, &cm, 0)
				}
			}
		}
	}
}

// cipFields reports a CIP message and, for a Multiple Service Packet, the
// messages it bundles.
func cipFields(s FieldSink, m *enip.Message, depth int) {
	s.Field("cip", "service", Uint(m.Service))
	if !m.IsResponse && m.Path.HasClass {
		s.Field("cip", "class", Uint(m.Path.Class))
	}
	if m.IsResponse {
		s.Field("cip", "general_status", Uint(m.GeneralStatus))
	}
	if depth >= 4 {
		return
	}
	emb := m.Embedded()
	var in enip.Message
	for emb.Next(&in) {
		cipFields(s, &in, depth+1)
	}
}

var cipServiceNames = map[uint8]string{
	0x01: "Get Attributes All", 0x03: "Get Attribute List", 0x04: "Set Attribute List", 0x05: "Reset",
	0x0A: "Multiple Service Packet", 0x0E: "Get Attribute Single", 0x10: "Set Attribute Single",
	0x4C: "Read Tag", 0x4D: "Write Tag", 0x4E: "Forward Close", 0x52: "Unconnected Send",
	0x54: "Forward Open", 0x5B: "Large Forward Open",
}

// appendENIPSummary appends e.g. `ENIP ListIdentity vendor 1 type 12
// product 58 rev 4.3 serial 0x00524d8e name="1756-ENBT/A"` or `ENIP
// SendRRData session 0x12345678 CIP Get Attribute Single class 0x01`.
func appendENIPSummary(dst []byte, p *Packet, o SummaryOptions) []byte {
	if p.OT.ENIPIO {
		dst = append(dst, "ENIP I/O items "...)
		return strconv.AppendInt(dst, int64(p.OT.Count), 10)
	}
	m := &p.OT.ENIP
	dst = append(dst, "ENIP "...)
	dst = append(dst, m.Command.String()...)
	if m.Session != 0 {
		dst = append(dst, " session 0x"...)
		dst = appendHexN(dst, uint64(m.Session), 8)
	}
	if m.Status != 0 {
		dst = append(dst, " status 0x"...)
		dst = appendHexN(dst, uint64(m.Status), 8)
	}
	switch m.Command {
	case enip.CmdSendRRData, enip.CmdSendUnitData, enip.CmdListIdentity:
	default:
		return dst
	}
	_, items, err := m.Items()
	if err != nil {
		return dst
	}
	var item enip.Item
	for items.Next(&item) {
		switch item.TypeID {
		case enip.ItemListIdentity:
			id, err := item.Identity()
			if err != nil {
				continue
			}
			dst = append(dst, " vendor "...)
			dst = strconv.AppendUint(dst, uint64(id.VendorID), 10)
			dst = append(dst, " type "...)
			dst = strconv.AppendUint(dst, uint64(id.DeviceType), 10)
			dst = append(dst, " product "...)
			dst = strconv.AppendUint(dst, uint64(id.ProductCode), 10)
			dst = append(dst, " rev "...)
			dst = strconv.AppendUint(dst, uint64(id.RevisionMajor), 10)
			dst = append(dst, '.')
			dst = strconv.AppendUint(dst, uint64(id.RevisionMinor), 10)
			dst = append(dst, " serial 0x"...)
			dst = appendHexN(dst, uint64(id.SerialNumber), 8)
			dst = append(dst, " name="...)
			dst = AppendText(dst, id.ProductName, o.MaxText)
		case enip.ItemUnconnectedData, enip.ItemConnectedData:
			var cm enip.Message
			if _, err := item.CIP(&cm); err != nil {
				continue
			}
			dst = append(dst, " CIP "...)
			if name, ok := cipServiceNames[cm.Service]; ok {
				dst = append(dst, name...)
			} else {
				dst = append(dst, "service 0x"...)
				dst = appendHexN(dst, uint64(cm.Service), 2)
			}
			if cm.IsResponse {
				dst = append(dst, " reply status 0x"...)
				dst = appendHexN(dst, uint64(cm.GeneralStatus), 2)
			} else if cm.Path.HasClass {
				dst = append(dst, " class 0x"...)
				dst = appendHexN(dst, uint64(cm.Path.Class), 2)
			}
		}
	}
	return dst
}
