package parse

import (
	"strconv"

	"github.com/wirebom/wirebom/parse/bacnet"
)

// decodeBACnet decodes a BACnet/IP message into OT.BACnet.
func (d *Decoder) decodeBACnet(p *Packet) error {
	p.path.push(protoBVLC)
	b := &p.OT.BACnet
	err := b.Decode(p.Payload)
	if b.BVLC.Type != bacnet.BVLCTypeIPv4 {
		return otError(p, "bvlc", err)
	}
	p.Proto = ProtoBACnet
	if b.HasNPDU {
		p.path.push(protoBACnet)
	}
	if b.HasAPDU {
		p.path.push(protoBACapp)
	}
	if err != nil {
		return otError(p, "bacnet", err)
	}
	return nil
}

// bacnetFields reports the message as tshark's bvlc, bacnet and bacapp
// fields.
func (p *Packet) bacnetFields(s FieldSink) {
	const g = "bacnet"
	b := &p.OT.BACnet
	s.Field(g, "bvlc_type", Uint(b.BVLC.Type))
	s.Field(g, "bvlc_function", Uint(b.BVLC.Function))
	s.Field(g, "bvlc_length", Uint(b.BVLC.HeaderLen()))
	if b.HasNPDU {
		n := &b.NPDU
		s.Field(g, "npdu_control", Uint(n.Control))
		if n.HasDNET {
			s.Field(g, "dnet", Uint(n.DNET))
		}
		if n.HasSNET {
			s.Field(g, "snet", Uint(n.SNET))
		}
		if n.NetworkMessage {
			s.Field(g, "nl_message_type", Uint(n.MessageType))
		}
	}
	if b.HasAPDU {
		a := &b.APDU
		s.Field(g, "apdu_type", Uint(a.Type))
		if a.HasService {
			if a.Type == bacnet.UnconfirmedRequest {
				s.Field(g, "unconfirmed_service", Uint(a.Service))
			} else {
				s.Field(g, "confirmed_service", Uint(a.Service))
			}
		}
		if a.HasInvokeID {
			s.Field(g, "invoke_id", Uint(a.InvokeID))
		}
		if a.Type == bacnet.ConfirmedRequest {
			s.Field(g, "max_apdu", Uint(a.MaxAPDU))
		}
	}
	if b.HasError {
		s.Field(g, "error_class", Uint(b.Error.Class))
		s.Field(g, "error_code", Uint(b.Error.Code))
	}
	if b.HasIAm {
		s.Field(g, "object_type", Uint(b.IAm.Device.Type()))
		s.Field(g, "instance_number", Uint(b.IAm.Device.Instance()))
		s.Field(g, "vendor_identifier", Uint(b.IAm.VendorID))
	}
	if b.HasReadProperty {
		rp := &b.ReadProperty
		s.Field(g, "object_type", Uint(rp.Object.Type()))
		s.Field(g, "instance_number", Uint(rp.Object.Instance()))
		s.Field(g, "property_identifier", Uint(rp.Property))
		if rp.HasValue {
			if id, ok := rp.Value.ObjectID(); ok && rp.Value.IsApp(bacnet.TagObjectID) {
				s.Field(g, "object_type", Uint(id.Type()))
				s.Field(g, "instance_number", Uint(id.Instance()))
			}
			if cs, str, ok := rp.Value.CharString(); ok && rp.Property == bacnet.PropObjectName {
				buf := &p.dec.ot.bacText
				*buf = bacnet.AppendUTF8((*buf)[:0], cs, str)
				s.Field(g, "object_name", Str(*buf))
			}
		}
	}
}

var bacnetUnconfirmedNames = [...]string{0: "I-Am", 1: "I-Have", 2: "COV-Notification", 3: "Event-Notification",
	4: "Private-Transfer", 5: "Text-Message", 6: "Time-Synchronization", 7: "Who-Has", 8: "Who-Is", 9: "UTC-Time-Synchronization"}

// appendBACnetSummary appends e.g. `BACnet Unconfirmed-REQ I-Am device 1234
// vendor 5` or `BACnet Confirmed-REQ service 12 invoke 3 readProperty
// device,1234 prop 121`.
func appendBACnetSummary(dst []byte, p *Packet, o SummaryOptions) []byte {
	b := &p.OT.BACnet
	dst = append(dst, "BACnet bvlc 0x"...)
	dst = appendHexN(dst, uint64(b.BVLC.Function), 2)
	if b.HasNPDU && b.NPDU.NetworkMessage {
		dst = append(dst, " network message 0x"...)
		dst = appendHexN(dst, uint64(b.NPDU.MessageType), 2)
	}
	if !b.HasAPDU {
		return dst
	}
	a := &b.APDU
	dst = append(dst, ' ')
	dst = append(dst, a.Type.String()...)
	if a.HasService {
		if a.Type == bacnet.UnconfirmedRequest && int(a.Service) < len(bacnetUnconfirmedNames) {
			dst = append(dst, ' ')
			dst = append(dst, bacnetUnconfirmedNames[a.Service]...)
		} else {
			dst = append(dst, " service "...)
			dst = strconv.AppendUint(dst, uint64(a.Service), 10)
		}
	}
	if a.HasInvokeID {
		dst = append(dst, " invoke "...)
		dst = strconv.AppendUint(dst, uint64(a.InvokeID), 10)
	}
	switch {
	case b.HasIAm:
		dst = append(dst, " device "...)
		dst = strconv.AppendUint(dst, uint64(b.IAm.Device.Instance()), 10)
		dst = append(dst, " vendor "...)
		dst = strconv.AppendUint(dst, uint64(b.IAm.VendorID), 10)
	case b.HasReadProperty:
		rp := &b.ReadProperty
		dst = append(dst, " object "...)
		dst = strconv.AppendUint(dst, uint64(rp.Object.Type()), 10)
		dst = append(dst, ':')
		dst = strconv.AppendUint(dst, uint64(rp.Object.Instance()), 10)
		dst = append(dst, " property "...)
		dst = strconv.AppendUint(dst, uint64(rp.Property), 10)
		if rp.HasValue {
			if _, str, ok := rp.Value.CharString(); ok {
				dst = append(dst, " value="...)
				dst = AppendText(dst, str, o.MaxText)
			} else if v, ok := rp.Value.Unsigned(); ok {
				dst = append(dst, " value="...)
				dst = strconv.AppendUint(dst, uint64(v), 10)
			}
		}
	case b.HasError:
		dst = append(dst, " error class "...)
		dst = strconv.AppendUint(dst, uint64(b.Error.Class), 10)
		dst = append(dst, " code "...)
		dst = strconv.AppendUint(dst, uint64(b.Error.Code), 10)
	}
	return dst
}
