package parse

import (
	"errors"
	"strconv"

	"github.com/wirebom/wirebom/parse/modbus"
)

// decodeModbus decodes every Modbus/TCP ADU of the segment; OT.Modbus is
// the first, OT.Count how many decoded.
func (d *Decoder) decodeModbus(p *Packet) error {
	p.path.push(protoMBTCP)
	it := modbus.Split(p.Payload)
	a := &p.OT.Modbus
	for it.Next(&d.ot.mbScratch) {
		if p.OT.Count == 0 {
			*a = d.ot.mbScratch
		}
		p.OT.Count++
	}
	if p.OT.Count == 0 {
		// A truncated first ADU still has its header (as Wireshark shows
		// it with reassembly off).
		if errors.Is(it.Err(), modbus.ErrTruncated) {
			*a = d.ot.mbScratch
			p.path.push(protoModbus)
			p.Proto = ProtoModbus
			p.OT.Count = 1
		}
		return otError(p, "mbtcp", it.Err())
	}
	p.path.push(protoModbus)
	p.Proto = ProtoModbus
	if err := it.Err(); err != nil {
		return otError(p, "mbtcp", err)
	}
	return nil
}

// modbusFields reports every ADU of the segment, as tshark's mbtcp and
// modbus fields.
func (p *Packet) modbusFields(s FieldSink) {
	const g = "modbus"
	isReq, _ := modbus.IsRequest(uint16(p.TCP.SrcPort), uint16(p.TCP.DstPort))
	it := modbus.Split(p.Payload)
	a := &p.dec.ot.mbScratch
	for {
		ok := it.Next(a)
		if !ok && !errors.Is(it.Err(), modbus.ErrTruncated) {
			break
		}
		s.Field(g, "trans_id", Uint(a.TransactionID))
		s.Field(g, "prot_id", Uint(a.ProtocolID))
		s.Field(g, "len", Uint(a.Length))
		s.Field(g, "unit_id", Uint(a.UnitID))
		if len(a.PDU) > 0 {
			s.Field(g, "func_code", Uint(a.Function()))
		}
		if c, ok := a.ExceptionCode(); ok {
			s.Field(g, "exception_code", Uint(c))
		}
		if a.Function() == modbus.FuncEncapsulatedInterface && !a.IsException() && len(a.Data()) > 0 {
			s.Field(g, "mei", Uint(a.Data()[0]))
			if dv, err := a.ReadDeviceID(isReq); err == nil {
				s.Field(g, "read_device_id", Uint(dv.ReadDeviceIDCode))
				if isReq {
					s.Field(g, "object_id", Uint(dv.ObjectID))
				}
				objs := dv.Objects()
				var o modbus.Object
				for objs.Next(&o) {
					s.Field(g, "object_id", Uint(o.ID))
					s.Field(g, "object_str_value", Str(o.Value))
				}
			}
		}
		if !ok {
			break
		}
	}
}

var modbusFuncNames = [...]string{
	1: "Read Coils", 2: "Read Discrete Inputs", 3: "Read Holding Registers", 4: "Read Input Registers",
	5: "Write Single Coil", 6: "Write Single Register", 7: "Read Exception Status", 8: "Diagnostics",
	11: "Get Comm Event Counter", 12: "Get Comm Event Log", 15: "Write Multiple Coils",
	16: "Write Multiple Registers", 17: "Report Server ID", 20: "Read File Record",
	21: "Write File Record", 22: "Mask Write Register", 23: "Read/Write Registers",
	24: "Read FIFO Queue", 43: "Encapsulated Interface",
}

// appendModbusSummary appends e.g. `Modbus request tid 7 unit 1 Read
// Holding Registers (3)` and the count of further ADUs.
func appendModbusSummary(dst []byte, p *Packet) []byte {
	a := &p.OT.Modbus
	dst = append(dst, "Modbus"...)
	if p.TCP != nil {
		if isReq, ok := modbus.IsRequest(uint16(p.TCP.SrcPort), uint16(p.TCP.DstPort)); ok {
			if isReq {
				dst = append(dst, " request"...)
			} else {
				dst = append(dst, " response"...)
			}
		}
	}
	dst = append(dst, " tid "...)
	dst = strconv.AppendUint(dst, uint64(a.TransactionID), 10)
	dst = append(dst, " unit "...)
	dst = strconv.AppendUint(dst, uint64(a.UnitID), 10)
	if len(a.PDU) > 0 {
		fc := a.Function()
		dst = append(dst, ' ')
		if int(fc) < len(modbusFuncNames) && modbusFuncNames[fc] != "" {
			dst = append(dst, modbusFuncNames[fc]...)
			dst = append(dst, " ("...)
			dst = strconv.AppendUint(dst, uint64(fc), 10)
			dst = append(dst, ')')
		} else {
			dst = append(dst, "func "...)
			dst = strconv.AppendUint(dst, uint64(fc), 10)
		}
		if c, ok := a.ExceptionCode(); ok {
			dst = append(dst, " exception "...)
			dst = strconv.AppendUint(dst, uint64(c), 10)
		}
	}
	if p.OT.Count > 1 {
		dst = append(dst, " (+"...)
		dst = strconv.AppendInt(dst, int64(p.OT.Count-1), 10)
		dst = append(dst, " ADUs)"...)
	}
	return dst
}
