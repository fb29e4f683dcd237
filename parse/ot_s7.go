package parse

import (
	"errors"
	"strconv"

	"github.com/wirebom/wirebom/parse/s7comm"
)

// decodeS7 decodes the TPKTs of an ISO-on-TCP segment (port 102): OT.S7 is
// the first, OT.Count how many. Proto is ProtoS7comm when one carries
// S7comm, ProtoCOTP otherwise (connection setup, S7comm-Plus).
func (d *Decoder) decodeS7(p *Packet) error {
	p.path.push(protoTPKT)
	it := s7comm.Split(p.Payload)
	m := &d.ot.s7Scratch
	s7 := false
	var perr error
	p.OT.s7szl = p.OT.s7szl[:0]
	for it.Next(m) {
		if p.OT.Count == 0 {
			p.OT.S7 = *m
		}
		p.OT.Count++
		s7 = s7 || m.Protocol == s7comm.ProtoS7
		if perr == nil {
			perr = it.PacketErr()
		}
		d.reassembleSZL(p, m)
	}
	if p.OT.Count == 0 {
		// A TPKT continued in the next segment still shows its headers.
		if errors.Is(it.Err(), s7comm.ErrTruncated) && m.COTP.PDUType != 0 {
			p.OT.S7 = *m
			p.OT.Count = 1
			p.path.push(protoCOTP)
			p.Proto = ProtoCOTP
		}
		return otError(p, "tpkt", it.Err())
	}
	p.path.push(protoCOTP)
	p.Proto = ProtoCOTP
	if s7 {
		p.path.push(protoS7comm)
		p.Proto = ProtoS7comm
	}
	if perr == nil {
		perr = it.Err()
	}
	if perr != nil {
		return otError(p, "cotp", perr)
	}
	return nil
}

// s7Fields reports the TPKTs of the segment as tshark's cotp and s7comm
// fields. Read-SZL responses split over several PDUs show their SZL on the
// last fragment, reassembled (as Wireshark does).
func (p *Packet) s7Fields(s FieldSink) {
	it := s7comm.Split(p.Payload)
	m := &p.dec.ot.s7Scratch
	nresp := 0
	for it.Next(m) {
		s.Field("cotp", "pdu_type", Uint(m.COTP.Type()))
		s.Field("cotp", "tpkt_length", Uint(m.TPKT.Length))
		if m.Protocol != s7comm.ProtoS7 {
			continue
		}
		const g = "s7comm"
		h := &m.Header
		s.Field(g, "protocol_id", Uint(h.ProtocolID))
		s.Field(g, "rosctr", Uint(h.ROSCTR))
		s.Field(g, "pdu_ref", Uint(h.PDURef))
		if h.HasError() {
			s.Field(g, "error_class", Uint(h.ErrorClass))
			s.Field(g, "error_code", Uint(h.ErrorCode))
		}
		if f, ok := m.Function(); ok {
			s.Field(g, "function", Uint(f))
		}
		if h.ROSCTR != s7comm.UserData {
			continue
		}
		u, err := m.UserData()
		if err != nil {
			continue
		}
		s.Field(g, "userdata_type", Uint(u.Type))
		s.Field(g, "userdata_funcgroup", Uint(u.FunctionGroup))
		s.Field(g, "userdata_subfunc", Uint(u.SubFunction))
		var szl s7comm.SZL
		if u.Type == s7comm.UDResponse {
			// Read-SZL responses went through the connection's
			// reassembler in Decode; use its result, in order.
			if u.FunctionGroup != s7comm.FGCPU || u.SubFunction != s7comm.SubReadSZL || nresp >= len(p.OT.s7szl) {
				continue
			}
			r := p.OT.s7szl[nresp]
			nresp++
			if !r.complete {
				continue
			}
			if szl, err = s7comm.ParseSZL(r.payload, true); err != nil {
				continue
			}
		} else if !isSZLRead(&u) {
			continue
		} else if szl, err = u.SZL(); err != nil {
			continue
		}
		s.Field(g, "szl_id", Uint(szl.ID))
		s.Field(g, "szl_index", Uint(szl.Index))
		recs := szl.Records()
		for {
			r, ok := recs.Next()
			if !ok {
				break
			}
			switch {
			case s7comm.IsModuleIdentification(szl.ID):
				if mi, err := s7comm.ParseModuleID(r); err == nil {
					s.Field(g, "szl_0011_order_number", Str(mi.OrderNumber))
					s.Field(g, "szl_0011_module_type", Uint(mi.ModuleType))
					s.Field(g, "szl_0011_version", Uint(mi.Version))
				}
			case s7comm.IsComponentIdentification(szl.ID):
				c, err := s7comm.ParseComponentID(r)
				if err != nil {
					continue
				}
				switch c.Index {
				case s7comm.CompPLCName:
					s.Field(g, "szl_001c_plc_name", Str(c.Text))
				case s7comm.CompModuleName:
					s.Field(g, "szl_001c_module_name", Str(c.Text))
				case s7comm.CompSerialNumber:
					s.Field(g, "szl_001c_serial", Str(c.Text))
				case s7comm.CompModuleTypeName:
					s.Field(g, "szl_001c_module_type_name", Str(c.Text))
				}
			}
		}
	}
}

var cotpNames = [16]string{1: "ED", 2: "EA", 5: "RJ", 6: "AK", 7: "ER", 8: "DR", 12: "DC", 13: "CC", 14: "CR", 15: "DT"}

var s7FuncNames = map[uint8]string{
	0x00: "CPU services", 0x04: "Read Var", 0x05: "Write Var", 0x1a: "Request Download",
	0x1b: "Download Block", 0x1c: "Download Ended", 0x1d: "Start Upload", 0x1e: "Upload",
	0x1f: "End Upload", 0x28: "PI Service", 0x29: "PLC Stop", 0xf0: "Setup Communication",
}

var s7ROSCTRNames = [8]string{1: "Job", 2: "Ack", 3: "Ack-Data", 7: "Userdata"}

// appendS7Summary appends e.g. `COTP DT S7comm Job Read Var pdu-ref 5` or
// `COTP DT S7comm Userdata SZL 0x001c index 0x0000` or `COTP CR`.
func appendS7Summary(dst []byte, p *Packet, o SummaryOptions) []byte {
	m := &p.OT.S7
	dst = append(dst, "COTP "...)
	if t := m.COTP.Type(); cotpNames[t&15] != "" {
		dst = append(dst, cotpNames[t&15]...)
	} else {
		dst = append(dst, "type "...)
		dst = strconv.AppendUint(dst, uint64(t), 10)
	}
	switch m.Protocol {
	case s7comm.ProtoS7Plus:
		dst = append(dst, " S7comm-Plus"...)
	case s7comm.ProtoS7:
		h := &m.Header
		dst = append(dst, " S7comm "...)
		if int(h.ROSCTR) < len(s7ROSCTRNames) && s7ROSCTRNames[h.ROSCTR] != "" {
			dst = append(dst, s7ROSCTRNames[h.ROSCTR]...)
		} else {
			dst = append(dst, "rosctr "...)
			dst = strconv.AppendUint(dst, uint64(h.ROSCTR), 10)
		}
		if f, ok := m.Function(); ok {
			dst = append(dst, ' ')
			if n, ok := s7FuncNames[f]; ok {
				dst = append(dst, n...)
			} else {
				dst = append(dst, "function 0x"...)
				dst = appendHexN(dst, uint64(f), 2)
			}
		}
		dst = append(dst, " pdu-ref "...)
		dst = strconv.AppendUint(dst, uint64(h.PDURef), 10)
		if h.HasError() && (h.ErrorClass != 0 || h.ErrorCode != 0) {
			dst = append(dst, " error 0x"...)
			dst = appendHexN(dst, uint64(h.ErrorClass), 2)
			dst = appendHexN(dst, uint64(h.ErrorCode), 2)
		}
		if h.ROSCTR == s7comm.UserData {
			if u, err := m.UserData(); err == nil {
				if szl, ok := firstSZL(p, &u); ok {
					dst = append(dst, " SZL 0x"...)
					dst = appendHexN(dst, uint64(szl.ID), 4)
					dst = append(dst, " index 0x"...)
					dst = appendHexN(dst, uint64(szl.Index), 4)
					recs := szl.Records()
					for r, ok := recs.Next(); ok; r, ok = recs.Next() {
						if s7comm.IsModuleIdentification(szl.ID) {
							if mi, err := s7comm.ParseModuleID(r); err == nil && mi.Index == 1 {
								dst = append(dst, " order="...)
								dst = AppendText(dst, mi.OrderNumber, o.MaxText)
							}
						} else if s7comm.IsComponentIdentification(szl.ID) {
							if c, err := s7comm.ParseComponentID(r); err == nil && c.Index == s7comm.CompPLCName {
								dst = append(dst, " name="...)
								dst = AppendText(dst, c.Text, o.MaxText)
							}
						}
					}
				} else {
					dst = append(dst, " group "...)
					dst = strconv.AppendUint(dst, uint64(u.FunctionGroup), 10)
					dst = append(dst, " sub "...)
					dst = strconv.AppendUint(dst, uint64(u.SubFunction), 10)
				}
			}
		}
	}
	if p.OT.Count > 1 {
		dst = append(dst, " (+"...)
		dst = strconv.AppendInt(dst, int64(p.OT.Count-1), 10)
		dst = append(dst, " TPKTs)"...)
	}
	return dst
}

// szlResult is what the connection's SZL reassembler returned for one
// read-SZL response PDU of the packet.
type szlResult struct {
	payload  []byte // a view into the frame or the reassembler
	complete bool
}

// maxSZLFlows is how many TCP connections a Decoder reassembles read-SZL
// responses for at once (8 KiB each); the least recently used is reused.
const maxSZLFlows = 4

type szlFlow struct {
	key  [36]byte
	used uint64
	r    s7comm.SZLReassembler
}

// reassembleSZL feeds a read-SZL response PDU to its connection's
// reassembler and records the result in the Packet.
func (d *Decoder) reassembleSZL(p *Packet, m *s7comm.Packet) {
	if m.Protocol != s7comm.ProtoS7 || m.Header.ROSCTR != s7comm.UserData || len(p.OT.s7szl) == cap(p.OT.s7szl) {
		return
	}
	u, err := m.UserData()
	if err != nil || u.Type != s7comm.UDResponse || u.FunctionGroup != s7comm.FGCPU || u.SubFunction != s7comm.SubReadSZL {
		return
	}
	var key [36]byte
	switch {
	case p.IPv4 != nil:
		copy(key[0:16], p.IPv4.SrcIP)
		copy(key[16:32], p.IPv4.DstIP)
	case p.IPv6 != nil:
		copy(key[0:16], p.IPv6.SrcIP)
		copy(key[16:32], p.IPv6.DstIP)
	}
	key[32], key[33] = byte(p.TCP.SrcPort>>8), byte(p.TCP.SrcPort)
	key[34], key[35] = byte(p.TCP.DstPort>>8), byte(p.TCP.DstPort)
	d.ot.szlClock++
	var f *szlFlow
	for i := range d.ot.szlFlows {
		c := &d.ot.szlFlows[i]
		if c.used != 0 && c.key == key {
			f = c
			break
		}
		if f == nil || c.used < f.used {
			f = c
		}
	}
	if f.key != key || f.used == 0 {
		f.key, f.r = key, s7comm.SZLReassembler{}
	}
	f.used = d.ot.szlClock
	payload, complete, _ := f.r.Add(&u)
	p.OT.s7szl = append(p.OT.s7szl, szlResult{payload, complete})
}

// isSZLRead reports whether u is a read-SZL PDU with data (the check
// UserDataPDU.SZL makes, without building an error value).
func isSZLRead(u *s7comm.UserDataPDU) bool {
	return u.FunctionGroup == s7comm.FGCPU && u.SubFunction == s7comm.SubReadSZL &&
		u.ReturnCode == 0xff && len(u.Payload) > 0
}

// firstSZL returns the SZL of the packet's first TPKT, u: for a response
// the reassembler's result, for a request its own data.
func firstSZL(p *Packet, u *s7comm.UserDataPDU) (s7comm.SZL, bool) {
	if !isSZLRead(u) {
		return s7comm.SZL{}, false
	}
	if u.Type == s7comm.UDResponse {
		if len(p.OT.s7szl) == 0 || !p.OT.s7szl[0].complete {
			return s7comm.SZL{}, false
		}
		szl, err := s7comm.ParseSZL(p.OT.s7szl[0].payload, true)
		return szl, err == nil
	}
	szl, err := u.SZL()
	return szl, err == nil
}
