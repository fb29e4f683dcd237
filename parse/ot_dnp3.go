package parse

import (
	"strconv"

	"github.com/wirebom/wirebom/parse/dnp3"
)

// decodeDNP3 decodes the link frames of the payload; OT.DNP3 is the first,
// OT.Count how many were found.
func (d *Decoder) decodeDNP3(p *Packet) error {
	p.path.push(protoDNP3)
	f := &p.OT.DNP3
	err := f.Decode(p.Payload)
	if len(f.Raw) < dnp3.HeaderLen && err != nil {
		return otError(p, "dnp3", err)
	}
	p.Proto = ProtoDNP3
	p.OT.Count = 1
	it := &d.ot.dnp3It
	it.Reset(p.Payload[len(f.Raw):])
	for it.Next() {
		p.OT.Count++
		if err == nil {
			err = it.Err()
		}
	}
	if err == nil {
		err = it.Err()
	}
	if err != nil {
		return otError(p, "dnp3", err)
	}
	return nil
}

// dnp3Fields reports each link frame (and its transport and application
// headers) as tshark's dnp3 fields.
func (p *Packet) dnp3Fields(s FieldSink) {
	const g = "dnp3"
	it := &p.dec.ot.dnp3It
	it.Reset(p.Payload)
	for it.Next() {
		f := it.Frame()
		if len(f.Raw) < dnp3.HeaderLen || f.Length < dnp3.MinLength {
			continue
		}
		s.Field(g, "start", Uint(uint16(dnp3.Start)))
		s.Field(g, "len", Uint(f.Length))
		s.Field(g, "ctl", Uint(f.Control))
		s.Field(g, "dir", Bool(f.Dir))
		s.Field(g, "prm", Bool(f.Prm))
		if f.Prm {
			s.Field(g, "prifunc", Uint(f.Func))
		} else {
			s.Field(g, "secfunc", Uint(f.Func))
		}
		s.Field(g, "dst", Uint(f.Dst))
		s.Field(g, "src", Uint(f.Src))
		if !f.HasTransport {
			continue
		}
		s.Field(g, "tr_fin", Bool(f.Transport.FIN))
		s.Field(g, "tr_fir", Bool(f.Transport.FIR))
		s.Field(g, "tr_seq", Uint(f.Transport.Seq))
		if f.HasApp {
			s.Field(g, "al_seq", Uint(f.App.Seq))
			s.Field(g, "al_func", Uint(f.App.Func))
			if f.App.HasIIN {
				s.Field(g, "al_iin", Uint(f.App.IIN))
			}
			if f.App.HasObject {
				s.Field(g, "al_obj", Uint(f.App.Object.Obj()))
			}
		}
	}
}

// appendDNP3Summary appends e.g. `DNP3 3 > 4 master prm func 4 app Read
// (1) obj 60.2`.
func appendDNP3Summary(dst []byte, p *Packet) []byte {
	f := &p.OT.DNP3
	dst = append(dst, "DNP3 "...)
	dst = strconv.AppendUint(dst, uint64(f.Src), 10)
	dst = append(dst, " > "...)
	dst = strconv.AppendUint(dst, uint64(f.Dst), 10)
	if f.Dir {
		dst = append(dst, " from-master"...)
	} else {
		dst = append(dst, " from-outstation"...)
	}
	if f.Prm {
		dst = append(dst, " pri func "...)
	} else {
		dst = append(dst, " sec func "...)
	}
	dst = strconv.AppendUint(dst, uint64(f.Func), 10)
	if f.HasApp {
		dst = append(dst, " app func "...)
		dst = strconv.AppendUint(dst, uint64(f.App.Func), 10)
		dst = append(dst, " seq "...)
		dst = strconv.AppendUint(dst, uint64(f.App.Seq), 10)
		if f.App.HasIIN {
			dst = append(dst, " iin 0x"...)
			dst = appendHexN(dst, uint64(f.App.IIN), 4)
		}
		if f.App.HasObject {
			dst = append(dst, " obj g"...)
			dst = strconv.AppendUint(dst, uint64(f.App.Object.Group), 10)
			dst = append(dst, 'v')
			dst = strconv.AppendUint(dst, uint64(f.App.Object.Variation), 10)
		}
	} else if f.HasTransport {
		dst = append(dst, " segment seq "...)
		dst = strconv.AppendUint(dst, uint64(f.Transport.Seq), 10)
	}
	if p.OT.Count > 1 {
		dst = append(dst, " (+"...)
		dst = strconv.AppendInt(dst, int64(p.OT.Count-1), 10)
		dst = append(dst, " frames)"...)
	}
	return dst
}
