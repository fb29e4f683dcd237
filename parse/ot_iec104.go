package parse

import (
	"strconv"

	"github.com/wirebom/wirebom/parse/iec104"
)

// decodeIEC104 decodes the APDUs of the segment (skipping garbage before a
// start byte); OT.IEC104 is the first, OT.Count how many were found.
func (d *Decoder) decodeIEC104(p *Packet) error {
	p.path.push(protoIEC104)
	it := &d.ot.iecIt
	it.Resync = true
	it.Reset(p.Payload)
	var err error
	for it.Next() {
		if p.OT.Count == 0 {
			p.OT.IEC104 = *it.APDU()
			if p.OT.IEC104.HasASDU {
				p.path.push(protoIECASDU)
			}
		}
		p.OT.Count++
		if err == nil {
			err = it.Err()
		}
	}
	if err == nil {
		err = it.Err()
	}
	if p.OT.Count > 0 {
		p.Proto = ProtoIEC104
	}
	if err != nil {
		return otError(p, "iec60870_104", err)
	}
	return nil
}

// iec104Fields reports every APDU as tshark's iec104 fields.
func (p *Packet) iec104Fields(s FieldSink) {
	const g = "iec104"
	it := &p.dec.ot.iecIt
	it.Resync = true
	it.Reset(p.Payload)
	for it.Next() {
		a := it.APDU()
		s.Field(g, "apdu_len", Uint(a.Length))
		if a.Length < iec104.MinAPDULen || len(a.Raw) < 6 {
			continue
		}
		s.Field(g, "type", Uint(a.Format))
		switch a.Format {
		case iec104.FormatI:
			s.Field(g, "tx", Uint(a.SendSeq))
			s.Field(g, "rx", Uint(a.RecvSeq))
		case iec104.FormatS:
			s.Field(g, "rx", Uint(a.RecvSeq))
		case iec104.FormatU:
			s.Field(g, "utype", Uint(a.UFunc))
		}
		if !a.HasASDU {
			continue
		}
		as := &a.ASDU
		s.Field(g, "type_id", Uint(as.TypeID))
		s.Field(g, "sq", Bool(as.SQ))
		s.Field(g, "num_ix", Uint(as.NumObjects))
		s.Field(g, "cause_tx", Uint(as.Cause))
		s.Field(g, "negative", Bool(as.Negative))
		s.Field(g, "test", Bool(as.Test))
		s.Field(g, "originator", Uint(as.Originator))
		s.Field(g, "common_addr", Uint(as.CommonAddr))
		ioas := as.IOAs()
		for v, ok := ioas.Next(); ok; v, ok = ioas.Next() {
			s.Field(g, "ioa", Uint(v))
		}
	}
}

// appendIEC104Summary appends e.g. `IEC104 I tx 3 rx 5 type 13 cot 3 ca 1
// ioa 1001 n 4` or `IEC104 U STARTDT act`.
func appendIEC104Summary(dst []byte, p *Packet) []byte {
	a := &p.OT.IEC104
	dst = append(dst, "IEC104 "...)
	dst = append(dst, a.Format.String()...)
	switch a.Format {
	case iec104.FormatI:
		dst = append(dst, " tx "...)
		dst = strconv.AppendUint(dst, uint64(a.SendSeq), 10)
		dst = append(dst, " rx "...)
		dst = strconv.AppendUint(dst, uint64(a.RecvSeq), 10)
		if a.HasASDU {
			as := &a.ASDU
			dst = append(dst, " type "...)
			dst = strconv.AppendUint(dst, uint64(as.TypeID), 10)
			dst = append(dst, " cot "...)
			dst = strconv.AppendUint(dst, uint64(as.Cause), 10)
			if as.Negative {
				dst = append(dst, " neg"...)
			}
			if as.Test {
				dst = append(dst, " test"...)
			}
			dst = append(dst, " ca "...)
			dst = strconv.AppendUint(dst, uint64(as.CommonAddr), 10)
			dst = append(dst, " ioa "...)
			dst = strconv.AppendUint(dst, uint64(as.IOA), 10)
			dst = append(dst, " n "...)
			dst = strconv.AppendUint(dst, uint64(as.NumObjects), 10)
		}
	case iec104.FormatS:
		dst = append(dst, " rx "...)
		dst = strconv.AppendUint(dst, uint64(a.RecvSeq), 10)
	case iec104.FormatU:
		dst = append(dst, ' ')
		dst = append(dst, a.UFunc.String()...)
	}
	if p.OT.Count > 1 {
		dst = append(dst, " (+"...)
		dst = strconv.AppendInt(dst, int64(p.OT.Count-1), 10)
		dst = append(dst, " APDUs)"...)
	}
	return dst
}
