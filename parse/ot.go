package parse

import "strconv"

func (p *Packet) otSubFields(s FieldSink) {
	switch p.Proto {
	case ProtoPNDCP:
		p.pndcpFields(s)
	case ProtoModbus:
		p.modbusFields(s)
	case ProtoDNP3:
		p.dnp3Fields(s)
	case ProtoIEC104:
		p.iec104Fields(s)
	case ProtoBACnet:
		p.bacnetFields(s)
	case ProtoENIP:
		p.enipFields(s)
	case ProtoS7comm, ProtoCOTP:
		p.s7Fields(s)
	}
}

func appendOTSummary(dst []byte, p *Packet, o SummaryOptions) []byte {
	switch p.Proto {
	case ProtoPNDCP:
		return appendPNDCPSummary(dst, p, o)
	case ProtoModbus:
		return appendModbusSummary(dst, p)
	case ProtoDNP3:
		return appendDNP3Summary(dst, p)
	case ProtoIEC104:
		return appendIEC104Summary(dst, p)
	case ProtoBACnet:
		return appendBACnetSummary(dst, p, o)
	case ProtoENIP:
		return appendENIPSummary(dst, p, o)
	case ProtoS7comm, ProtoCOTP:
		return appendS7Summary(dst, p, o)
	}
	dst = append(dst, p.Proto.String()...)
	if p.Proto == ProtoPNRT {
		rt := &p.OT.PNRT
		dst = append(dst, " frame-id 0x"...)
		dst = appendHexN(dst, uint64(rt.FrameID), 4)
		if rt.Cyclic {
			dst = append(dst, " cycle "...)
			dst = strconv.AppendUint(dst, uint64(rt.CycleCounter), 10)
			dst = append(dst, " data-status 0x"...)
			dst = appendHexN(dst, uint64(rt.DataStatus), 2)
			dst = append(dst, " transfer-status 0x"...)
			dst = appendHexN(dst, uint64(rt.TransferStatus), 2)
		}
	}
	return dst
}
