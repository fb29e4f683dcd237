// Package dnp3 decodes DNP3 (IEEE 1815; TCP or UDP port 20000) link-layer
// frames: the link header (start 0x0564, length, control with DIR, PRM,
// FCB/FCV or DFC and the function code, destination, source) with its CRC,
// the user data de-blocked from its 16-octet CRC-protected blocks, the
// transport header (FIN, FIR, sequence) and, when the transport segment is a
// whole application fragment (FIR and FIN both set), the application header
// (control with FIR/FIN/CON/UNS/SEQ, function code, IIN for responses) and
// the object headers (group, variation, qualifier, range) with their data
// extents, walked by [App.ObjectIter] for the object sizes of IEEE 1815
// Annex A; [DeviceAttribute] reads group 0 device attributes (vendor,
// product, versions, serial number) for asset inventory.
//
// Decoding never allocates: [Frame.Decode] fills a caller-owned struct,
// de-blocking user data into a fixed array inside it, and [Iter] walks the
// several link frames a TCP segment may carry. CRC failures are reported as
// ErrBadCRC while the header and data are still returned.
//
// Field map to the Wireshark oracle (tshark 4.0, corpus README "dnp3" group):
//
//	start    dnp3.start        Start (always 0x0564 = 1380 after a successful decode)
//	len      dnp3.len          Frame.Length
//	ctl      dnp3.ctl          Frame.Control
//	dir      dnp3.ctl.dir      Frame.Dir
//	prm      dnp3.ctl.prm      Frame.Prm
//	prifunc  dnp3.ctl.prifunc  Frame.Func when Prm
//	secfunc  dnp3.ctl.secfunc  Frame.Func when !Prm
//	dst      dnp3.dst          Frame.Dst
//	src      dnp3.src          Frame.Src
//	tr_fin   dnp3.tr.fin       Frame.Transport.FIN
//	tr_fir   dnp3.tr.fir       Frame.Transport.FIR
//	tr_seq   dnp3.tr.seq       Frame.Transport.Seq
//	al_seq   dnp3.al.seq       Frame.App.Seq
//	al_func  dnp3.al.func      Frame.App.Func
//	al_iin   dnp3.al.iin       Frame.App.IIN (IIN1<<8 | IIN2)
//	al_obj   dnp3.al.obj       ObjectHeader.Obj() (group<<8 | variation) of each block
//	                           from Frame.App.ObjectIter(); Frame.App.Object is the first
//
// Wireshark reports al_* on the frame that completes transport reassembly.
// Frame decodes the application header itself only for single-segment
// fragments (FIR and FIN in the same frame); for longer fragments keep one
// [Reassembler] per direction of each association and pass the fragment it
// returns to [App.Decode].
//
// Not decoded: point values and time stamps inside object data (left as
// views in Object.Data), objects after one whose size is not known (file
// transfer g70, authentication g120, data sets) and secure authentication.
package dnp3

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Port is the registered TCP and UDP port of DNP3.
const Port = 20000

// Start is the two start octets 0x05 0x64 read big-endian (tshark dnp3.start).
const Start = 0x0564

// Sizes of the link layer.
const (
	HeaderLen   = 10  // start(2) length control dst(2) src(2) crc(2)
	MinLength   = 5   // smallest length octet: control, dst, src
	MaxUserData = 250 // user data octets in one frame (length 255)
	blockLen    = 16  // data octets per CRC block
)

// Sentinel errors; errors returned by this package wrap one of them.
var (
	// ErrTooShort means the input ends inside the frame.
	ErrTooShort = errors.New("dnp3: truncated")
	// ErrBadStart means the frame does not begin with 0x05 0x64.
	ErrBadStart = errors.New("dnp3: bad start octets")
	// ErrBadLength means the length octet is below 5, an application
	// fragment is too short for its header or an object header, or object
	// data runs past the end of the fragment.
	ErrBadLength = errors.New("dnp3: bad length")
	// ErrBadCRC means the header CRC or a data block CRC does not match.
	// The frame's fields are still decoded.
	ErrBadCRC = errors.New("dnp3: bad CRC")
)

// Error gives the offset at which decoding failed. It is owned by the
// decoder that returned it and is overwritten by that decoder's next call:
// inspect it before decoding again, or copy the struct.
type Error struct {
	Offset int    // octet offset from the start of the input
	What   string // the field being decoded
	Err    error  // one of the package's sentinel errors
}

// Error formats the sentinel, the field and the offset.
func (e *Error) Error() string {
	return fmt.Sprintf("%v: %s at offset %d", e.Err, e.What, e.Offset)
}

// Unwrap returns the sentinel error.
func (e *Error) Unwrap() error { return e.Err }

// Link-layer function codes (Frame.Func).
const (
	PriResetLinkStates     = 0
	PriTestLinkStates      = 2
	PriConfirmedUserData   = 3
	PriUnconfirmedUserData = 4
	PriRequestLinkStatus   = 9
	SecAck                 = 0
	SecNack                = 1
	SecLinkStatus          = 11
	SecNotSupported        = 15
)

// Frame is one DNP3 link-layer frame. Reuse one value for many Decode calls.
type Frame struct {
	Length  uint8 // length octet: control + addresses + user data (oracle len)
	Control uint8 // control octet (oracle ctl)
	Dir     bool  // DIR: sent by the master (oracle dir)
	Prm     bool  // PRM: primary (initiating) station (oracle prm)
	FCB     bool  // frame count bit (primary frames)
	FCV     bool  // frame count valid (primary) or DFC, data flow control (secondary)
	Func    uint8 // link function code, low 4 bits of Control (oracle prifunc/secfunc)
	Dst     uint16
	Src     uint16
	// HeaderCRC is the CRC octets of the header as sent.
	HeaderCRC uint16
	// Raw is the link frame as on the wire (CRCs included), a view into the
	// input; len(Raw) octets were consumed.
	Raw []byte
	// UserData is the frame's user data with the block CRCs removed. It is a
	// view into the Frame itself and is overwritten by the next Decode.
	UserData []byte

	// HasTransport is true when there is user data; Transport is its first
	// octet.
	HasTransport bool
	Transport    Transport
	// HasApp is true when the segment is a whole fragment (FIR and FIN)
	// whose application header decoded; App describes it. An error in the
	// first object header is reported by Decode with HasApp still true.
	HasApp bool
	App    App

	buf [MaxUserData]byte
	err Error
}

// Transport is the one-octet transport header.
type Transport struct {
	FIN bool  // final segment (oracle tr_fin)
	FIR bool  // first segment (oracle tr_fir)
	Seq uint8 // sequence number 0..63 (oracle tr_seq)
}

// Application function codes (App.Func) most used in discovery.
const (
	FuncConfirm              = 0
	FuncRead                 = 1
	FuncWrite                = 2
	FuncColdRestart          = 13
	FuncResponse             = 129
	FuncUnsolicitedResponse  = 130
	FuncAuthenticateResponse = 131
)

// App is an application-layer header and its first object header.
type App struct {
	Control uint8 // application control octet
	FIR     bool
	FIN     bool
	CON     bool  // confirmation requested
	UNS     bool  // unsolicited
	Seq     uint8 // sequence number 0..15 (oracle al_seq)
	Func    uint8 // function code (oracle al_func)
	// HasIIN is true for responses (function codes 129-131), which carry
	// the internal indications.
	HasIIN bool
	IIN    uint16 // IIN1<<8 | IIN2 (oracle al_iin)
	// HasObject is true when group, variation and qualifier of a first
	// object header follow the header (its range may still be invalid, in
	// which case decoding returned ErrBadLength or ErrBadQualifier).
	HasObject bool
	Object    ObjectHeader
	// Objects is everything after the application header (object headers
	// and data), a view into the decoded fragment.
	Objects []byte
}

// ObjectHeader is the header of one object block.
type ObjectHeader struct {
	Group     uint8
	Variation uint8
	Qualifier uint8 // prefix code (bits 4-6) and range specifier (bits 0-3)
	// Start and Stop are the range for range specifiers 0-5; Count is the
	// object count for specifiers 7-9 and 0xB (Stop-Start+1 for 0-5).
	Start, Stop, Count uint32
}

// Obj returns the header as tshark's dnp3.al.obj: group<<8 | variation.
func (o ObjectHeader) Obj() uint16 { return uint16(o.Group)<<8 | uint16(o.Variation) }

// RangeCode returns the range specifier code (qualifier bits 0-3).
func (o ObjectHeader) RangeCode() uint8 { return o.Qualifier & 0x0f }

// PrefixCode returns the object prefix code (qualifier bits 4-6).
func (o ObjectHeader) PrefixCode() uint8 { return o.Qualifier >> 4 & 7 }

// WireLen returns the number of octets a frame of the given length octet
// occupies on the wire, CRCs included, or 0 if length is below MinLength.
func WireLen(length uint8) int {
	if length < MinLength {
		return 0
	}
	data := int(length) - MinLength
	return HeaderLen + data + 2*((data+blockLen-1)/blockLen)
}

// Decode decodes the link frame at the start of b. On ErrBadCRC every field
// is still filled; on ErrTooShort the header fields present are filled.
func (f *Frame) Decode(b []byte) error {
	f.reset()
	if len(b) < 2 {
		f.Raw = b
		return f.fail(len(b), "start", ErrTooShort)
	}
	if b[0] != 0x05 || b[1] != 0x64 {
		return f.fail(0, "start", ErrBadStart)
	}
	if len(b) < HeaderLen {
		f.Raw = b
		return f.fail(len(b), "link header", ErrTooShort)
	}
	f.Length = b[2]
	f.Control = b[3]
	f.Dir = f.Control&0x80 != 0
	f.Prm = f.Control&0x40 != 0
	f.FCB = f.Control&0x20 != 0
	f.FCV = f.Control&0x10 != 0
	f.Func = f.Control & 0x0f
	f.Dst = binary.LittleEndian.Uint16(b[4:])
	f.Src = binary.LittleEndian.Uint16(b[6:])
	f.HeaderCRC = binary.LittleEndian.Uint16(b[8:])
	if f.Length < MinLength {
		f.Raw = b[:HeaderLen]
		return f.fail(2, "length", ErrBadLength)
	}
	var crcErr error
	if CRC(b[:8]) != f.HeaderCRC {
		crcErr = f.fail(8, "header CRC", ErrBadCRC)
	}
	wire := WireLen(f.Length)
	if wire > len(b) {
		f.Raw = b
		return f.fail(len(b), "user data", ErrTooShort)
	}
	f.Raw = b[:wire]
	n := 0
	for off := HeaderLen; off < wire; {
		end := min(off+blockLen, wire-2)
		blk := b[off:end]
		if CRC(blk) != binary.LittleEndian.Uint16(b[end:]) && crcErr == nil {
			crcErr = f.fail(end, "data block CRC", ErrBadCRC)
		}
		n += copy(f.buf[n:], blk)
		off = end + 2
	}
	f.UserData = f.buf[:n]
	if n == 0 {
		return crcErr
	}
	t := f.UserData[0]
	f.HasTransport = true
	f.Transport = Transport{FIN: t&0x80 != 0, FIR: t&0x40 != 0, Seq: t & 0x3f}
	if f.Transport.FIR && f.Transport.FIN {
		off, what, err := f.App.decode(f.UserData[1:])
		f.HasApp = off >= 2 || err == nil
		if err != nil && crcErr == nil {
			// Map the offset in the de-blocked user data to the wire.
			u := off + 1
			crcErr = f.fail(HeaderLen+u+2*(u/blockLen), what, err)
		}
	}
	return crcErr
}

func (f *Frame) reset() {
	f.Length, f.Control, f.Dir, f.Prm, f.FCB, f.FCV, f.Func = 0, 0, false, false, false, false, 0
	f.Dst, f.Src, f.HeaderCRC, f.Raw, f.UserData = 0, 0, 0, nil, nil
	f.HasTransport, f.Transport, f.HasApp, f.App = false, Transport{}, false, App{}
}

func (f *Frame) fail(off int, what string, err error) error {
	f.err = Error{Offset: off, What: what, Err: err}
	return &f.err
}

// Decode decodes an application fragment (the transport payload of a
// single-segment fragment, or the reassembled payloads of several). The
// returned error is a sentinel (no offset context) because App has no
// error storage; App.Objects and App.Object are views into b.
func (a *App) Decode(b []byte) error {
	_, _, err := a.decode(b)
	return err
}

func (a *App) decode(b []byte) (int, string, error) {
	*a = App{}
	if len(b) < 2 {
		return 0, "application header", ErrBadLength
	}
	a.Control = b[0]
	a.FIR = b[0]&0x80 != 0
	a.FIN = b[0]&0x40 != 0
	a.CON = b[0]&0x20 != 0
	a.UNS = b[0]&0x10 != 0
	a.Seq = b[0] & 0x0f
	a.Func = b[1]
	off := 2
	if a.Func >= FuncResponse && a.Func <= FuncAuthenticateResponse {
		if len(b) < 4 {
			return 2, "application IIN", ErrBadLength
		}
		a.HasIIN = true
		a.IIN = binary.BigEndian.Uint16(b[2:])
		off = 4
	}
	a.Objects = b[off:]
	if len(a.Objects) == 0 {
		return 0, "", nil
	}
	return a.decodeObjectHeader(b, off)
}

// decodeObjectHeader decodes the object header at b[off:] into a.Object.
func (a *App) decodeObjectHeader(b []byte, off int) (int, string, error) {
	if len(b)-off < 3 {
		return off, "object header", ErrBadLength
	}
	o := &a.Object
	*o = ObjectHeader{Group: b[off], Variation: b[off+1], Qualifier: b[off+2]}
	a.HasObject = true
	rc := o.RangeCode()
	if rc == 0xa || rc > 0xb {
		return off + 2, "qualifier range code", ErrBadQualifier
	}
	r := b[off+3:]
	if len(r) < rangeLen(rc) {
		return off + 3, "object range", ErrBadLength
	}
	switch rc {
	case 0, 3:
		o.Start, o.Stop = uint32(r[0]), uint32(r[1])
	case 1, 4:
		o.Start, o.Stop = uint32(binary.LittleEndian.Uint16(r)), uint32(binary.LittleEndian.Uint16(r[2:]))
	case 2, 5:
		o.Start, o.Stop = binary.LittleEndian.Uint32(r), binary.LittleEndian.Uint32(r[4:])
	case 7, 0xb:
		o.Count = uint32(r[0])
	case 8:
		o.Count = uint32(binary.LittleEndian.Uint16(r))
	case 9:
		o.Count = binary.LittleEndian.Uint32(r)
	}
	if rc <= 5 && o.Stop >= o.Start {
		o.Count = o.Stop - o.Start + 1
	}
	return 0, "", nil
}

// Iter walks the link frames of one TCP payload or UDP datagram.
//
//	var it dnp3.Iter
//	it.Reset(payload)
//	for it.Next() {
//		f := it.Frame() // it.Err() tells whether this frame had an error
//	}
type Iter struct {
	b     []byte
	off   int
	stop  bool
	frame Frame
	err   error
}

// Reset starts iterating over b.
func (it *Iter) Reset(b []byte) {
	it.b, it.off, it.stop, it.err = b, 0, false, nil
}

// Next decodes the next frame and reports whether there was one. A frame
// that decoded with an error (a CRC error, a short application fragment) is
// still returned, with Err set; iteration stops after a frame whose framing
// is lost (bad start, bad length, truncated).
func (it *Iter) Next() bool {
	if it.stop {
		return false
	}
	it.err = nil
	if it.off >= len(it.b) {
		return false
	}
	err := it.frame.Decode(it.b[it.off:])
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.Offset += it.off
		}
		it.err = err
		switch {
		case errors.Is(err, ErrBadStart):
			it.stop = true
			return false
		case errors.Is(err, ErrTooShort), it.frame.Length < MinLength:
			it.stop = true
			it.off = len(it.b)
			return true
		}
	}
	it.off += len(it.frame.Raw)
	return true
}

// Frame returns the frame decoded by the last Next; it is overwritten by
// the next call.
func (it *Iter) Frame() *Frame { return &it.frame }

// Offset is the offset of the next undecoded octet.
func (it *Iter) Offset() int { return it.off }

// Err returns the error of the frame returned by the last Next or, once Next
// has returned false, the error that stopped iteration (nil at a clean end).
// Offsets are relative to the slice given to Reset.
func (it *Iter) Err() error { return it.err }

// CRC computes the DNP3 CRC-16 (polynomial 0x3D65, reflected, complemented)
// of b, as stored little-endian after each header and data block.
func CRC(b []byte) uint16 {
	var c uint16
	for len(b) >= 8 {
		c = crcTables[7][b[0]^byte(c)] ^ crcTables[6][b[1]^byte(c>>8)] ^
			crcTables[5][b[2]] ^ crcTables[4][b[3]] ^ crcTables[3][b[4]] ^
			crcTables[2][b[5]] ^ crcTables[1][b[6]] ^ crcTables[0][b[7]]
		b = b[8:]
	}
	for _, x := range b {
		c = c>>8 ^ crcTables[0][byte(c)^x]
	}
	return ^c
}

// crcTables[0] is the byte-at-a-time table; crcTables[k] advances a byte
// through k further zero octets, for slicing-by-8.
var crcTables = func() (t [8][256]uint16) {
	for i := range t[0] {
		c := uint16(i)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0xa6bc
			} else {
				c >>= 1
			}
		}
		t[0][i] = c
	}
	for k := 1; k < 8; k++ {
		for i := range t[k] {
			p := t[k-1][i]
			t[k][i] = p>>8 ^ t[0][byte(p)]
		}
	}
	return t
}()
