// Package s7comm decodes Siemens S7 communication ("S7comm", protocol id
// 0x32) carried in ISO-on-TCP: TPKT (RFC 1006) and COTP (ISO 8073) on TCP
// port 102. It decodes the S7 header, the parameter function code, userdata
// parameters, and the SZL (system status list) reads that identify a PLC:
// module identification (SZL 0x0011) and component identification (SZL
// 0x001C). S7comm-Plus (protocol id 0x72, S7-1200/1500 TIA traffic) is
// recognised and reported as such ([ProtoS7Plus], [Packet.S7Plus] for its
// version and length), not dissected.
//
// Decoding never allocates: byte fields are views into the input. Entry
// points: [Packet.Decode] (or [Split] for several TPKTs per segment), then
// [Packet.Function], [Packet.SetupCommunication], [Packet.UserData] and
// [UserDataPDU.SZL]; records come from [SZL.Records] and are decoded with
// [ParseModuleID] and [ParseComponentID]. SZL responses longer than one PDU
// (an S7-300 answers SZL 0x001C in two) are put back together by an
// [SZLReassembler] kept per connection, as Wireshark does.
//
// Field correspondence with Wireshark (tshark field names, see the corpus
// README field map):
//
//	Packet.TPKT.Length       tpkt.length
//	Packet.COTP.Type()       cotp.type (PDU type >> 4: 15 DT, 14 CR, 13 CC, 8 DR)
//	Header.ProtocolID        s7comm.header.protid
//	Header.ROSCTR            s7comm.header.rosctr
//	Header.PDURef            s7comm.header.pduref
//	Header.ErrorClass/Code   s7comm.header.errcls / errcod (ack, ack_data)
//	Packet.Function()        s7comm.param.func (job, ack_data)
//	UserData.Type            s7comm.param.userdata.type (4 request, 8 response, 0 push)
//	UserData.FunctionGroup   s7comm.param.userdata.funcgroup
//	UserData.SubFunction     s7comm.param.userdata.subfunc
//	SZL.ID, SZL.Index        s7comm.data.userdata.szl_id / szl_index
//	ModuleID.OrderNumber     s7comm.szl.xy11.0001.anz
//	ModuleID.ModuleType      s7comm.szl.xy11.0001.bgtyp
//	ModuleID.Version         s7comm.szl.xy11.0001.ausbg
//	ComponentID.Text         s7comm.szl.001c.0001.name (index 1, PLC name),
//	                         .0002.name (2, module name), .0005.serialn (5,
//	                         serial number), .0007.cputypname (7, module type name)
package s7comm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Port is the ISO-on-TCP port.
const Port = 102

// Errors returned by the decoder; test with errors.Is.
var (
	// ErrTooShort: the input ends before a header or field it needs.
	ErrTooShort = errors.New("s7comm: too short")
	// ErrTruncated: the TPKT length runs past the end of the input (the PDU
	// continues in the next TCP segment). It wraps ErrTooShort; TPKT and,
	// when present, COTP fields are valid.
	ErrTruncated = fmt.Errorf("%w: TPKT continues beyond input", ErrTooShort)
	// ErrNotTPKT: the first byte is not TPKT version 3.
	ErrNotTPKT = errors.New("s7comm: not TPKT version 3")
	// ErrBadLength: a length field is inconsistent with its container.
	ErrBadLength = errors.New("s7comm: bad length")
	// ErrNotS7: the COTP data does not start with an S7 protocol id (0x32 or 0x72).
	ErrNotS7 = errors.New("s7comm: not S7 communication")
	// ErrWrongPDU: an accessor was called on a PDU of another kind.
	ErrWrongPDU = errors.New("s7comm: wrong PDU kind")
	// ErrNoData: a userdata PDU carries no data (return code other than
	// 0xFF success, e.g. 0x0A "object does not exist", or a request for the
	// next fragment).
	ErrNoData = errors.New("s7comm: userdata without data")
	// ErrFragment: a userdata response is one fragment of a longer one
	// (LastDataUnit != 0, or a continuation): feed it to an [SZLReassembler].
	ErrFragment = errors.New("s7comm: fragment of a longer userdata response")
	// ErrTooLong: a reassembled response exceeds MaxSZLLen.
	ErrTooLong = errors.New("s7comm: reassembled response too long")
)

// Error is a decoding error with the byte offset (from the start of the
// TPKT, or of the record/data given) where it was found. It wraps one of
// the sentinel errors.
//
// The conditions met in ordinary traffic are returned as bare sentinels,
// without allocating: ErrTooShort for an input shorter than a TPKT header,
// ErrTruncated, ErrNotTPKT, ErrNotS7 (other ISO-on-TCP users of port 102,
// such as IEC 61850 MMS), ErrWrongPDU, ErrNoData and ErrFragment.
// Corruption (bad lengths inside a complete TPKT) comes as *Error.
type Error struct {
	Offset int
	What   string
	Err    error
}

func (e *Error) Error() string { return fmt.Sprintf("%v: %s at offset %d", e.Err, e.What, e.Offset) }

// Unwrap returns the sentinel error.
func (e *Error) Unwrap() error { return e.Err }

// TPKT is the RFC 1006 header.
type TPKT struct {
	Version uint8  // 3
	Length  uint16 // whole TPKT including this 4-byte header
}

// COTP PDU type codes (high nibble of the PDU type byte).
const (
	COTPED uint8 = 0x10 // expedited data
	COTPEA uint8 = 0x20 // expedited data acknowledgement
	COTPRJ uint8 = 0x50 // reject
	COTPAK uint8 = 0x60 // data acknowledgement
	COTPER uint8 = 0x70 // TPDU error
	COTPDR uint8 = 0x80 // disconnect request
	COTPDC uint8 = 0xC0 // disconnect confirm
	COTPCC uint8 = 0xD0 // connection confirm
	COTPCR uint8 = 0xE0 // connection request
	COTPDT uint8 = 0xF0 // data
)

// COTP is the ISO 8073 transport header (class 0 as used by ISO-on-TCP).
type COTP struct {
	Length  uint8 // length indicator: header bytes after this one
	PDUType uint8 // PDU type byte with the credit nibble masked off (COTPDT, ...)
	// DT and ED:
	TPDUNumber uint8
	EOT        bool // last data unit of a TSDU
	// CR, CC, DR, DC:
	DstRef, SrcRef uint16
	Class          uint8  // CR/CC: class and options byte
	Reason         uint8  // DR: disconnect reason
	Params         []byte // CR/CC/DR: view of the variable part (TSAPs, TPDU size)
}

// Type returns the PDU type as Wireshark's cotp.type shows it (PDUType >> 4).
func (c *COTP) Type() uint8 { return c.PDUType >> 4 }

// Param returns the value of the variable-part parameter with the given
// code (0xC0 TPDU size, 0xC1 calling TSAP, 0xC2 called TSAP), as a view.
func (c *COTP) Param(code uint8) ([]byte, bool) {
	p := c.Params
	for len(p) >= 2 {
		n := int(p[1])
		if 2+n > len(p) {
			return nil, false
		}
		if p[0] == code {
			return p[2 : 2+n : 2+n], true
		}
		p = p[2+n:]
	}
	return nil, false
}

// Protocol tells what the COTP data carries.
type Protocol uint8

// Protocols carried in COTP data.
const (
	ProtoNone   Protocol = iota // no COTP data (connection setup, empty DT)
	ProtoS7                     // S7comm, protocol id 0x32
	ProtoS7Plus                 // S7comm-Plus, protocol id 0x72 (not dissected)
)

// Protocol ids: the first byte of the COTP data.
const (
	ProtocolIDS7     = 0x32
	ProtocolIDS7Plus = 0x72
)

// ROSCTR is the S7 message type (s7comm.header.rosctr).
type ROSCTR uint8

// S7 message types.
const (
	Job      ROSCTR = 1
	Ack      ROSCTR = 2
	AckData  ROSCTR = 3
	UserData ROSCTR = 7
)

// Header is the S7comm header.
type Header struct {
	ProtocolID  uint8 // 0x32
	ROSCTR      ROSCTR
	Reserved    uint16
	PDURef      uint16
	ParamLength uint16
	DataLength  uint16
	// Ack and AckData only:
	ErrorClass uint8
	ErrorCode  uint8
}

// HasError reports whether the header carries an error class and code.
func (h *Header) HasError() bool { return h.ROSCTR == Ack || h.ROSCTR == AckData }

// Packet is one TPKT with its COTP header and, for S7comm, the S7 header.
type Packet struct {
	TPKT     TPKT
	COTP     COTP
	Payload  []byte   // view of the COTP user data (S7 PDU)
	Protocol Protocol // what Payload carries
	Header   Header   // valid when Protocol == ProtoS7
	Param    []byte   // view of the S7 parameter part
	Data     []byte   // view of the S7 data part
}

// Parse decodes the first TPKT of b.
func Parse(b []byte) (Packet, error) {
	var p Packet
	err := p.Decode(b)
	return p, err
}

// Decode decodes the first TPKT of b (a TCP payload from or to port 102)
// into p. Bytes after the TPKT are ignored (see [Packet.Size] and [Split]).
// S7comm-Plus data sets Protocol to ProtoS7Plus with no error; other COTP data
// returns ErrNotS7.
func (p *Packet) Decode(b []byte) error {
	*p = Packet{}
	if len(b) < 4 {
		return ErrTooShort
	}
	if b[0] != 3 {
		return ErrNotTPKT
	}
	p.TPKT = TPKT{Version: b[0], Length: binary.BigEndian.Uint16(b[2:])}
	if p.TPKT.Length < 7 {
		return &Error{Offset: 2, What: "TPKT length", Err: ErrBadLength}
	}
	var trunc error
	end := int(p.TPKT.Length)
	if end > len(b) {
		trunc = ErrTruncated
		end = len(b)
	}
	t := b[:end:end]
	if len(t) < 6 {
		return trunc
	}
	li := int(t[4])
	c := &p.COTP
	c.Length = t[4]
	c.PDUType = t[5] & 0xF0
	if 5+li > end && trunc == nil {
		return &Error{Offset: 4, What: "COTP length indicator", Err: ErrBadLength}
	}
	if 5+li > len(t) {
		return trunc
	}
	hdr := t[5 : 5+li]
	switch c.PDUType {
	case COTPDT, COTPED:
		if li < 2 {
			return &Error{Offset: 4, What: "COTP DT length indicator", Err: ErrBadLength}
		}
		c.TPDUNumber = hdr[1] & 0x7F
		c.EOT = hdr[1]&0x80 != 0
	case COTPCR, COTPCC, COTPDR, COTPDC:
		if li < 6 {
			return &Error{Offset: 4, What: "COTP connection length indicator", Err: ErrBadLength}
		}
		c.DstRef = binary.BigEndian.Uint16(hdr[1:])
		c.SrcRef = binary.BigEndian.Uint16(hdr[3:])
		if c.PDUType == COTPDR {
			c.Reason = hdr[5]
		} else if c.PDUType != COTPDC {
			c.Class = hdr[5]
		}
		if c.PDUType != COTPDC {
			c.Params = hdr[6:]
		}
		return trunc
	default:
		return trunc
	}
	p.Payload = t[5+li:]
	if len(p.Payload) == 0 {
		return trunc
	}
	switch p.Payload[0] {
	case ProtocolIDS7:
		p.Protocol = ProtoS7
	case ProtocolIDS7Plus:
		p.Protocol = ProtoS7Plus
		return trunc
	default:
		return ErrNotS7
	}
	if at, what, err := p.decodeS7(); err != nil && trunc == nil {
		return &Error{Offset: 5 + li + at, What: what, Err: err}
	}
	return trunc
}

// decodeS7 decodes the S7 header; on failure it returns where and what,
// without allocating (Decode builds the *Error only when it reports it).
func (p *Packet) decodeS7() (at int, what string, err error) {
	s := p.Payload
	h := &p.Header
	if len(s) < 10 {
		return len(s), "S7 header", ErrTooShort
	}
	h.ProtocolID = s[0]
	h.ROSCTR = ROSCTR(s[1])
	h.Reserved = binary.BigEndian.Uint16(s[2:])
	h.PDURef = binary.BigEndian.Uint16(s[4:])
	h.ParamLength = binary.BigEndian.Uint16(s[6:])
	h.DataLength = binary.BigEndian.Uint16(s[8:])
	n := 10
	if h.HasError() {
		if len(s) < 12 {
			return len(s), "S7 ack header", ErrTooShort
		}
		h.ErrorClass, h.ErrorCode = s[10], s[11]
		n = 12
	}
	pe := n + int(h.ParamLength)
	de := pe + int(h.DataLength)
	if de > len(s) {
		return 6, "S7 parameter/data length", ErrBadLength
	}
	p.Param = s[n:pe:pe]
	p.Data = s[pe:de:de]
	return 0, "", nil
}

// Size returns the bytes the TPKT occupies (its Length field).
func (p *Packet) Size() int { return int(p.TPKT.Length) }

// Packets iterates over the TPKTs of one TCP payload.
type Packets struct {
	rest []byte
	off  int
	err  error
	last error
}

// Split returns an iterator over the TPKTs packed back to back in b.
func Split(b []byte) Packets { return Packets{rest: b} }

// Next decodes the next TPKT into p and reports whether it could step over
// it. A TPKT whose content fails to decode (ErrNotS7, ErrBadLength inside
// COTP/S7) is still returned, with the error in PacketErr; the iteration
// stops only on a broken TPKT framing (see Err).
func (it *Packets) Next(p *Packet) bool {
	if len(it.rest) == 0 || it.err != nil {
		return false
	}
	err := p.Decode(it.rest)
	it.last = err
	if err != nil && (p.TPKT.Version != 3 || p.TPKT.Length < 7 || int(p.TPKT.Length) > len(it.rest)) {
		var e *Error
		if errors.As(err, &e) {
			e.Offset += it.off
		}
		it.err, it.rest = err, nil
		return false
	}
	n := p.Size()
	it.rest, it.off = it.rest[n:], it.off+n
	return true
}

// PacketErr returns the decoding error of the TPKT last returned by Next
// (nil when it decoded cleanly).
func (it *Packets) PacketErr() error { return it.last }

// Err returns the framing error that stopped the iteration, if any.
func (it *Packets) Err() error { return it.err }

// S7PlusHeader is the outer frame of an S7comm-Plus PDU: protocol id 0x72,
// protocol version, data length, data, and (when the PDU is not split over
// several COTP data units) a 4-byte trailer repeating id and version. The
// data itself (opcodes, objects, integrity parts) is not decoded.
type S7PlusHeader struct {
	Version    uint8 // 1 (S7-1200 early firmware), 2, 3 (integrity-protected)
	DataLength uint16
	Data       []byte // view of DataLength bytes (fewer if the PDU continues)
	HasTrailer bool   // the 0x72 version 0x0000 trailer follows Data
}

// S7Plus decodes the outer S7comm-Plus header of a ProtoS7Plus packet.
func (p *Packet) S7Plus() (S7PlusHeader, error) {
	var h S7PlusHeader
	if p.Protocol != ProtoS7Plus {
		return h, ErrWrongPDU
	}
	d := p.Payload
	if len(d) < 4 {
		return h, &Error{Offset: len(d), What: "S7comm-Plus header", Err: ErrTooShort}
	}
	h.Version = d[1]
	h.DataLength = binary.BigEndian.Uint16(d[2:])
	end := 4 + int(h.DataLength)
	if end > len(d) {
		end = len(d)
	}
	h.Data = d[4:end:end]
	t := d[end:]
	h.HasTrailer = len(t) >= 4 && t[0] == ProtocolIDS7Plus && t[1] == h.Version
	return h, nil
}

// Function returns the parameter function code of a Job or AckData PDU
// (0xF0 setup communication, 0x04 read var, 0x05 write var, 0x1A-0x1F block
// transfer, 0x28 PI service, 0x29 PLC stop).
func (p *Packet) Function() (uint8, bool) {
	if p.Protocol != ProtoS7 || (p.Header.ROSCTR != Job && p.Header.ROSCTR != AckData) || len(p.Param) == 0 {
		return 0, false
	}
	return p.Param[0], true
}

// Function codes of Job/AckData parameters.
const (
	FuncCPUServices uint8 = 0x00
	FuncSetupComm   uint8 = 0xF0
	FuncReadVar     uint8 = 0x04
	FuncWriteVar    uint8 = 0x05
	FuncRequestDown uint8 = 0x1A
	FuncDownloadBlk uint8 = 0x1B
	FuncDownloadEnd uint8 = 0x1C
	FuncStartUpload uint8 = 0x1D
	FuncUpload      uint8 = 0x1E
	FuncEndUpload   uint8 = 0x1F
	FuncPIService   uint8 = 0x28
	FuncPLCStop     uint8 = 0x29
)

// SetupComm is the parameter of a Setup Communication job or ack.
type SetupComm struct {
	MaxAmQCalling uint16
	MaxAmQCalled  uint16
	PDULength     uint16
}

// SetupCommunication decodes a Setup Communication parameter.
func (p *Packet) SetupCommunication() (SetupComm, error) {
	var s SetupComm
	if f, ok := p.Function(); !ok || f != FuncSetupComm {
		return s, ErrWrongPDU
	}
	if len(p.Param) < 8 {
		return s, &Error{Offset: len(p.Param), What: "setup communication parameter", Err: ErrTooShort}
	}
	s.MaxAmQCalling = binary.BigEndian.Uint16(p.Param[2:])
	s.MaxAmQCalled = binary.BigEndian.Uint16(p.Param[4:])
	s.PDULength = binary.BigEndian.Uint16(p.Param[6:])
	return s, nil
}

// ItemCount returns the item count of a read/write var parameter.
func (p *Packet) ItemCount() (uint8, bool) {
	f, ok := p.Function()
	if !ok || (f != FuncReadVar && f != FuncWriteVar) || len(p.Param) < 2 {
		return 0, false
	}
	return p.Param[1], true
}

// Userdata types (s7comm.param.userdata.type).
const (
	UDPush     uint8 = 0
	UDRequest  uint8 = 4
	UDResponse uint8 = 8
)

// Userdata function groups (s7comm.param.userdata.funcgroup).
const (
	FGProgrammer uint8 = 1
	FGCyclic     uint8 = 2
	FGBlock      uint8 = 3
	FGCPU        uint8 = 4 // CPU functions: SZL reads (subfunction 1)
	FGSecurity   uint8 = 5
	FGPBC        uint8 = 6
	FGTime       uint8 = 7
	FGNCProg     uint8 = 0xF
)

// SubReadSZL is the CPU-function subfunction that reads an SZL.
const SubReadSZL uint8 = 1

// UserDataPDU is the decoded parameter and data header of a userdata PDU.
type UserDataPDU struct {
	Method        uint8 // 0x11 request, 0x12 response
	Type          uint8 // UDRequest, UDResponse, UDPush
	FunctionGroup uint8
	SubFunction   uint8
	Sequence      uint8
	// Present when the parameter is 12 bytes long (responses):
	HasExt       bool
	DataUnitRef  uint8
	LastDataUnit uint8 // 0 = last, else more data units follow
	ErrorCode    uint16
	// Data part header:
	ReturnCode    uint8  // 0xFF success
	TransportSize uint8  // 0x09 octet string
	DataLength    uint16 // bytes of Payload as announced
	Payload       []byte // view
}

// UserData decodes the parameter and data header of a userdata PDU.
func (p *Packet) UserData() (UserDataPDU, error) {
	var u UserDataPDU
	if p.Protocol != ProtoS7 || p.Header.ROSCTR != UserData {
		return u, ErrWrongPDU
	}
	q := p.Param
	if len(q) < 8 {
		return u, &Error{Offset: len(q), What: "userdata parameter", Err: ErrTooShort}
	}
	plen := int(q[3]) // length of what follows this byte
	if 4+plen > len(q) || plen < 4 {
		return u, &Error{Offset: 3, What: "userdata parameter length", Err: ErrBadLength}
	}
	u.Method = q[4]
	u.Type = q[5] >> 4
	u.FunctionGroup = q[5] & 0x0F
	u.SubFunction = q[6]
	u.Sequence = q[7]
	if plen >= 8 {
		u.HasExt = true
		u.DataUnitRef = q[8]
		u.LastDataUnit = q[9]
		u.ErrorCode = binary.BigEndian.Uint16(q[10:])
	}
	d := p.Data
	if len(d) < 4 {
		return u, &Error{Offset: len(d), What: "userdata data header", Err: ErrTooShort}
	}
	u.ReturnCode = d[0]
	u.TransportSize = d[1]
	u.DataLength = binary.BigEndian.Uint16(d[2:])
	end := 4 + int(u.DataLength)
	if end > len(d) {
		return u, &Error{Offset: 2, What: "userdata data length", Err: ErrBadLength}
	}
	u.Payload = d[4:end:end]
	return u, nil
}

// SZL is a read-SZL request or response.
type SZL struct {
	IsResponse  bool
	ID          uint16 // SZL-ID
	Index       uint16
	RecordLen   uint16 // response: bytes per record
	RecordCount uint16 // response: number of records
	records     []byte
}

// SZL decodes the SZL-ID and index of a read-SZL request or response (CPU
// functions, subfunction 1), and the record list of a successful response.
// A response split over several PDUs returns ErrFragment (use an
// [SZLReassembler]); one without data returns ErrNoData.
func (u *UserDataPDU) SZL() (SZL, error) {
	if u.FunctionGroup != FGCPU || u.SubFunction != SubReadSZL {
		return SZL{}, ErrWrongPDU
	}
	if u.ReturnCode != 0xFF || len(u.Payload) == 0 {
		return SZL{}, ErrNoData
	}
	if u.Type == UDResponse && u.HasExt && u.LastDataUnit != 0 {
		return SZL{}, ErrFragment
	}
	return ParseSZL(u.Payload, u.Type == UDResponse)
}

// ParseSZL decodes read-SZL data (the userdata payload of one PDU, or a
// payload put together by an [SZLReassembler]).
func ParseSZL(d []byte, isResponse bool) (SZL, error) {
	var s SZL
	if len(d) < 4 {
		return s, &Error{Offset: len(d), What: "SZL id/index", Err: ErrTooShort}
	}
	s.ID = binary.BigEndian.Uint16(d)
	s.Index = binary.BigEndian.Uint16(d[2:])
	s.IsResponse = isResponse
	if !isResponse {
		return s, nil
	}
	if len(d) < 8 {
		return s, &Error{Offset: len(d), What: "SZL partial list header", Err: ErrTooShort}
	}
	s.RecordLen = binary.BigEndian.Uint16(d[4:])
	s.RecordCount = binary.BigEndian.Uint16(d[6:])
	s.records = d[8:]
	return s, nil
}

// MaxSZLLen bounds a reassembled read-SZL response (an S7-400 answers
// SZL 0x0011 or 0x001C in well under 2 KiB).
const MaxSZLLen = 8192

// SZLReassembler puts fragmented read-SZL responses back together, the way
// Wireshark does. Keep one per TCP connection direction (server to client);
// the zero value is ready. It owns a fixed buffer, so it never allocates.
type SZLReassembler struct {
	buf    [MaxSZLLen]byte
	n      int
	ref    uint8
	active bool
}

// Add feeds one userdata PDU. For a read-SZL response that is complete in
// one PDU it returns that PDU's payload; for the last fragment of a split
// response it returns the reassembled payload (a view into r, valid until
// the next Add). Pass the result to ParseSZL(payload, true). complete is
// false while fragments are pending and for PDUs that are not read-SZL
// responses.
func (r *SZLReassembler) Add(u *UserDataPDU) (payload []byte, complete bool, err error) {
	if u.FunctionGroup != FGCPU || u.SubFunction != SubReadSZL || u.Type != UDResponse {
		return nil, false, nil
	}
	if u.ReturnCode != 0xFF {
		r.active = false
		return nil, false, nil
	}
	more := u.HasExt && u.LastDataUnit != 0
	if !r.active || !u.HasExt || u.DataUnitRef != r.ref {
		r.active = false
		if !more {
			return u.Payload, true, nil
		}
		r.n, r.ref, r.active = 0, u.DataUnitRef, true
	}
	if r.n+len(u.Payload) > len(r.buf) {
		r.active = false
		return nil, false, &Error{Offset: r.n, What: "SZL reassembly", Err: ErrTooLong}
	}
	r.n += copy(r.buf[r.n:], u.Payload)
	if more {
		return nil, false, nil
	}
	r.active = false
	return r.buf[:r.n:r.n], true, nil
}

// Records iterates over the records of an SZL response.
type Records struct {
	rest []byte
	size int
	left int
}

// Records returns an iterator over the records present in the response (a
// response split over several data units yields those of this PDU only).
func (s *SZL) Records() Records {
	if s.RecordLen == 0 {
		return Records{}
	}
	return Records{rest: s.records, size: int(s.RecordLen), left: int(s.RecordCount)}
}

// Next returns the next record (a view of RecordLen bytes); false at the end.
func (it *Records) Next() ([]byte, bool) {
	if it.left == 0 || it.size == 0 || len(it.rest) < it.size {
		return nil, false
	}
	r := it.rest[:it.size:it.size]
	it.rest = it.rest[it.size:]
	it.left--
	return r, true
}

// IsModuleIdentification reports whether SZL id carries module
// identification records (0x0011 family: 0x0011, 0x0111, 0x0F11 header only).
func IsModuleIdentification(id uint16) bool { return id&0xFF == 0x11 }

// IsComponentIdentification reports whether SZL id carries component
// identification records (0x001C family: 0x001C, 0x011C, 0x021C, 0x031C).
func IsComponentIdentification(id uint16) bool { return id&0xFF == 0x1C }

// ModuleID is one module identification record (SZL 0x0011 / 0x0111).
type ModuleID struct {
	Index       uint16 // 1 module, 6 basic hardware, 7 basic firmware, 0x81.. firmware extensions
	OrderNumber []byte // MLFB, 20 characters as sent (view)
	ModuleType  uint16 // BGTyp
	Version     uint16 // Ausbg: version (hardware/firmware per index)
	Ausbe       uint16 // Ausbe: release
}

const moduleIDLen = 28

// ParseModuleID decodes a module identification record.
func ParseModuleID(rec []byte) (ModuleID, error) {
	var m ModuleID
	err := m.Decode(rec)
	return m, err
}

// Decode decodes a module identification record into m.
func (m *ModuleID) Decode(rec []byte) error {
	if len(rec) < moduleIDLen {
		*m = ModuleID{}
		return &Error{Offset: len(rec), What: "module identification record", Err: ErrTooShort}
	}
	m.Index = binary.BigEndian.Uint16(rec)
	m.OrderNumber = rec[2:22:22]
	m.ModuleType = binary.BigEndian.Uint16(rec[22:])
	m.Version = binary.BigEndian.Uint16(rec[24:])
	m.Ausbe = binary.BigEndian.Uint16(rec[26:])
	return nil
}

// Component identification indexes (SZL 0x001C).
const (
	CompPLCName         uint16 = 1 // name of the automation system
	CompModuleName      uint16 = 2
	CompPlantID         uint16 = 3 // plant designation
	CompCopyright       uint16 = 4
	CompSerialNumber    uint16 = 5
	CompModuleTypeName  uint16 = 7
	CompMemoryCardSN    uint16 = 8
	CompManufacturer    uint16 = 9 // manufacturer and profile ids
	CompOEM             uint16 = 10
	CompLocation        uint16 = 11
	componentRecordBody        = 32
)

// ComponentID is one component identification record (SZL 0x001C).
type ComponentID struct {
	Index uint16
	// Text is the index's character field cut at the first NUL (PLC name,
	// module name, serial number, ...), nil for the non-text indexes 9 and 10.
	Text []byte
	// Index 9 only:
	ManufacturerID, ProfileID, ProfileSpecificType uint16
	Raw                                            []byte // the 32 bytes after the index
}

// textLen is the character field length of each text index.
func textLen(index uint16) int {
	switch index {
	case CompPLCName, CompModuleName, CompSerialNumber:
		return 24
	case CompCopyright:
		return 26
	case CompPlantID, CompModuleTypeName, CompMemoryCardSN, CompLocation:
		return 32
	}
	return 0
}

// ParseComponentID decodes a component identification record.
func ParseComponentID(rec []byte) (ComponentID, error) {
	var c ComponentID
	err := c.Decode(rec)
	return c, err
}

// Decode decodes a component identification record into c.
func (c *ComponentID) Decode(rec []byte) error {
	c.Text, c.ManufacturerID, c.ProfileID, c.ProfileSpecificType = nil, 0, 0, 0
	if len(rec) < 2+componentRecordBody {
		c.Index, c.Raw = 0, nil
		return &Error{Offset: len(rec), What: "component identification record", Err: ErrTooShort}
	}
	c.Index = binary.BigEndian.Uint16(rec)
	c.Raw = rec[2 : 2+componentRecordBody : 2+componentRecordBody]
	if n := textLen(c.Index); n > 0 {
		t := c.Raw[:n:n]
		if i := bytes.IndexByte(t, 0); i >= 0 {
			t = t[:i:i]
		}
		c.Text = t
	}
	if c.Index == CompManufacturer {
		c.ManufacturerID = binary.BigEndian.Uint16(c.Raw)
		c.ProfileID = binary.BigEndian.Uint16(c.Raw[2:])
		c.ProfileSpecificType = binary.BigEndian.Uint16(c.Raw[4:])
	}
	return nil
}
