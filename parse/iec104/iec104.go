// Package iec104 decodes IEC 60870-5-104 (TCP port 2404) APDUs: the APCI
// (start byte 0x68, APDU length, four control octets giving the I, S or U
// format, send/receive sequence numbers and the U function) and, for
// I-format APDUs, the ASDU header (type identification, SQ, number of
// objects, cause of transmission with the P/N and test bits, originator
// address, common address) and the information object addresses.
//
// Decoding never allocates and never copies: [APDU.Decode] fills a
// caller-owned struct whose byte fields are views into the input, and
// [Iter] walks the several APDUs a TCP segment may carry.
//
// Field map to the Wireshark oracle (tshark 4.0, corpus README "iec104" group):
//
//	apdu_len    iec60870_104.apdulen  APDU.Length
//	type        iec60870_104.type     APDU.Format (0 I, 1 S, 3 U)
//	utype       iec60870_104.utype    APDU.UFunc (U format only)
//	tx          iec60870_104.tx       APDU.SendSeq (I format only)
//	rx          iec60870_104.rx       APDU.RecvSeq (I and S formats)
//	type_id     iec60870_asdu.typeid  ASDU.TypeID
//	sq          iec60870_asdu.sq      ASDU.SQ
//	num_ix      iec60870_asdu.numix   ASDU.NumObjects
//	cause_tx    iec60870_asdu.causetx ASDU.Cause
//	negative    iec60870_asdu.nega    ASDU.Negative
//	test        iec60870_asdu.test    ASDU.Test
//	originator  iec60870_asdu.oa      ASDU.Originator
//	common_addr iec60870_asdu.addr    ASDU.CommonAddr
//	ioa         iec60870_asdu.ioa     ASDU.IOA (first), ASDU.IOAs (all)
//
// Not decoded: information element values (measured values, time tags,
// commands), the IEC 62351-5 secure authentication ASDUs (types 81-95) beyond
// their header, and reassembly of APDUs split across TCP segments (a caller
// that reassembles the stream can feed the joined bytes to [Iter]).
package iec104

import (
	"errors"
	"fmt"
)

// Port is the registered TCP port of IEC 60870-5-104.
const Port = 2404

// StartByte is the first octet of every APCI.
const StartByte = 0x68

// MinAPDULen and MaxAPDULen bound the APDU length octet (the number of octets
// after the length octet: four control octets plus the ASDU).
const (
	MinAPDULen = 4
	MaxAPDULen = 253
)

// Sentinel errors; the errors returned by this package wrap one of them
// (test with errors.Is).
var (
	// ErrTooShort means the input ends before the structure being decoded
	// (for example a TCP segment that carries only part of an APDU).
	ErrTooShort = errors.New("iec104: truncated")
	// ErrBadStart means the first octet is not the 0x68 start byte.
	ErrBadStart = errors.New("iec104: bad start byte")
	// ErrBadLength means a length field contradicts the format: an APDU
	// length outside 4..253, an S/U frame longer than 4, or an ASDU shorter
	// than its fixed header or than its objects require.
	ErrBadLength = errors.New("iec104: bad length")
)

// Error gives the offset (from the start of the slice passed to Decode or to
// Iter.Reset) at which decoding failed. It is owned by the decoder that
// returned it and is overwritten by that decoder's next call: inspect it
// (errors.Is, Error()) before decoding again, or copy the struct.
type Error struct {
	Offset int    // octet offset of the offending field
	What   string // the field being decoded
	Err    error  // one of the package's sentinel errors
}

// Error formats the sentinel, the field and the offset.
func (e *Error) Error() string {
	return fmt.Sprintf("%v: %s at offset %d", e.Err, e.What, e.Offset)
}

// Unwrap returns the sentinel error.
func (e *Error) Unwrap() error { return e.Err }

// Format is the APCI frame format, numbered as Wireshark's iec60870_104.type.
type Format uint8

// APCI formats.
const (
	FormatI Format = 0 // information transfer (numbered, carries an ASDU)
	FormatS Format = 1 // numbered supervisory (acknowledgement)
	FormatU Format = 3 // unnumbered control (STARTDT, STOPDT, TESTFR)
)

// String returns "I", "S" or "U".
func (f Format) String() string {
	switch f {
	case FormatI:
		return "I"
	case FormatS:
		return "S"
	case FormatU:
		return "U"
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

// UFunction is the U-format function bit set: the control octet's bits 2..7
// shifted right by two, as Wireshark's iec60870_104.utype.
type UFunction uint8

// U-format functions.
const (
	StartDTAct UFunction = 0x01
	StartDTCon UFunction = 0x02
	StopDTAct  UFunction = 0x04
	StopDTCon  UFunction = 0x08
	TestFRAct  UFunction = 0x10
	TestFRCon  UFunction = 0x20
)

// String returns the IEC 60870-5-104 name, e.g. "STARTDT act".
func (u UFunction) String() string {
	switch u {
	case StartDTAct:
		return "STARTDT act"
	case StartDTCon:
		return "STARTDT con"
	case StopDTAct:
		return "STOPDT act"
	case StopDTCon:
		return "STOPDT con"
	case TestFRAct:
		return "TESTFR act"
	case TestFRCon:
		return "TESTFR con"
	}
	return fmt.Sprintf("UFunction(%#x)", uint8(u))
}

// APDU is one decoded APCI plus, for I-format frames, its ASDU header.
// Reuse one value for many Decode calls; it holds no allocations of its own.
type APDU struct {
	Length  uint8   // APDU length octet (oracle apdu_len)
	Format  Format  // I, S or U (oracle type)
	Control [4]byte // the four control octets as sent
	SendSeq uint16  // N(S), I format only (oracle tx)
	RecvSeq uint16  // N(R), I and S formats (oracle rx)
	UFunc   UFunction
	// HasASDU is true when the APDU is I format and its ASDU header
	// (and first information object address) decoded.
	HasASDU bool
	ASDU    ASDU
	// Raw is the whole APDU (start byte to last ASDU octet) as a view into
	// the input; len(Raw) octets were consumed. When the input is truncated,
	// Raw holds what was available.
	Raw []byte

	err Error
}

// ASDU is the data unit identifier of an ASDU and a view of its information
// objects, with the IEC 104 field sizes (2-octet cause of transmission,
// 2-octet common address, 3-octet information object address).
type ASDU struct {
	TypeID     uint8  // type identification (oracle type_id)
	SQ         bool   // structure qualifier: one IOA, consecutive elements (oracle sq)
	NumObjects uint8  // number of objects or elements, 0..127 (oracle num_ix)
	Cause      uint8  // cause of transmission, 6 bits (oracle cause_tx)
	Negative   bool   // P/N bit (oracle negative)
	Test       bool   // T bit (oracle test)
	Originator uint8  // originator address (oracle originator)
	CommonAddr uint16 // common address of ASDU (oracle common_addr)
	IOA        uint32 // first information object address (oracle ioa[0])
	// Objects is the information object part (from the first IOA to the end
	// of the ASDU) as a view into the input.
	Objects []byte
}

const (
	asduHeaderLen = 6 // type, VSQ, COT(2), CA(2)
	ioaLen        = 3
)

// Decode decodes the APDU at the start of b, which must begin with the start
// byte. On error the fields decoded before the failure are kept (for example
// Length of a truncated APDU, or the APCI of an I frame whose ASDU is short)
// and the error wraps ErrTooShort, ErrBadStart or ErrBadLength.
func (a *APDU) Decode(b []byte) error {
	*a = APDU{err: a.err}
	if len(b) < 2 {
		a.Raw = b
		return a.fail(len(b), "APCI", ErrTooShort)
	}
	if b[0] != StartByte {
		return a.fail(0, "start byte", ErrBadStart)
	}
	a.Length = b[1]
	end := 2 + int(a.Length)
	if end > len(b) {
		a.Raw = b
	} else {
		a.Raw = b[:end]
	}
	if a.Length < MinAPDULen {
		return a.fail(1, "APDU length", ErrBadLength)
	}
	if len(b) < 6 {
		return a.fail(len(b), "control field", ErrTooShort)
	}
	copy(a.Control[:], b[2:6])
	c0 := b[2]
	switch {
	case c0&1 == 0:
		a.Format = FormatI
		a.SendSeq = uint16(b[2])>>1 | uint16(b[3])<<7
		a.RecvSeq = uint16(b[4])>>1 | uint16(b[5])<<7
	case c0&3 == 1:
		a.Format = FormatS
		a.RecvSeq = uint16(b[4])>>1 | uint16(b[5])<<7
	default:
		a.Format = FormatU
		a.UFunc = UFunction(c0 >> 2)
	}
	if a.Length > MaxAPDULen {
		return a.fail(1, "APDU length", ErrBadLength)
	}
	if a.Format != FormatI {
		if a.Length != MinAPDULen {
			return a.fail(1, "APDU length of S/U frame", ErrBadLength)
		}
		return nil
	}
	if a.Length == MinAPDULen {
		// An I frame without an ASDU is malformed per the standard, but
		// Wireshark shows it silently; report it as a length error.
		return a.fail(1, "APDU length of I frame", ErrBadLength)
	}
	if end > len(b) {
		return a.fail(len(b), "ASDU", ErrTooShort)
	}
	if off, what, err := a.ASDU.decode(b[6:end]); err != nil {
		return a.fail(6+off, what, err)
	}
	a.HasASDU = true
	return nil
}

func (a *APDU) fail(off int, what string, err error) error {
	a.err = Error{Offset: off, What: what, Err: err}
	return &a.err
}

// decode fills s from an ASDU of exactly len(b) octets. It returns the
// offset and name of a failing field.
func (s *ASDU) decode(b []byte) (int, string, error) {
	*s = ASDU{}
	if len(b) < asduHeaderLen+ioaLen {
		return 0, "ASDU header", ErrBadLength
	}
	s.TypeID = b[0]
	s.SQ = b[1]&0x80 != 0
	s.NumObjects = b[1] & 0x7f
	s.Cause = b[2] & 0x3f
	s.Negative = b[2]&0x40 != 0
	s.Test = b[2]&0x80 != 0
	s.Originator = b[3]
	s.CommonAddr = uint16(b[4]) | uint16(b[5])<<8
	s.IOA = ioa(b[6:])
	s.Objects = b[asduHeaderLen:]
	if el := ElementLen(s.TypeID); el >= 0 {
		n := int(s.NumObjects)
		want := ioaLen + n*el
		if !s.SQ {
			want = n * (ioaLen + el)
		}
		if n > 0 && len(s.Objects) < want {
			return asduHeaderLen, "information objects", ErrBadLength
		}
	}
	return 0, "", nil
}

func ioa(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
}

// ElementLen returns the size in octets of one information element (without
// its IOA) of the given type identification, or -1 when the type is not one
// this package knows the fixed size of. Sizes follow IEC 60870-5-101/104
// clause 7.3 (CP24Time2a = 3 octets, CP56Time2a = 7 octets).
func ElementLen(typeID uint8) int {
	if int(typeID) < len(elementLen) {
		return int(elementLen[typeID]) - 1
	}
	return -1
}

// elementLen holds size+1 per type id (0 = unknown).
var elementLen = [128]int8{
	1: 1 + 1, 2: 1 + 4, 3: 1 + 1, 4: 1 + 4, 5: 2 + 1, 6: 2 + 4, 7: 5 + 1, 8: 5 + 4,
	9: 3 + 1, 10: 3 + 4, 11: 3 + 1, 12: 3 + 4, 13: 5 + 1, 14: 5 + 4, 15: 5 + 1, 16: 5 + 4,
	17: 6 + 1, 18: 7 + 1, 19: 7 + 1, 20: 5 + 1, 21: 2 + 1,
	30: 1 + 8, 31: 1 + 8, 32: 2 + 8, 33: 5 + 8, 34: 3 + 8, 35: 3 + 8, 36: 5 + 8, 37: 5 + 8,
	38: 3 + 8, 39: 4 + 8, 40: 4 + 8,
	45: 1 + 1, 46: 1 + 1, 47: 1 + 1, 48: 3 + 1, 49: 3 + 1, 50: 5 + 1, 51: 4 + 1,
	58: 1 + 8, 59: 1 + 8, 60: 1 + 8, 61: 3 + 8, 62: 3 + 8, 63: 5 + 8, 64: 4 + 8,
	70:  1 + 1,
	100: 1 + 1, 101: 1 + 1, 102: 0 + 1, 103: 7 + 1, 104: 2 + 1, 105: 1 + 1, 106: 2 + 1, 107: 9 + 1,
	110: 3 + 1, 111: 3 + 1, 112: 5 + 1, 113: 1 + 1,
}

// IOAs returns an iterator over the information object addresses of the
// ASDU: for SQ=1 the first address and its successors, for SQ=0 the address
// in front of each object. It stops early when the element size of the type
// is unknown (SQ=0 with several objects) or the objects run out.
func (s *ASDU) IOAs() IOAIter {
	return IOAIter{objs: s.Objects, n: int(s.NumObjects), sq: s.SQ, el: ElementLen(s.TypeID), first: s.IOA}
}

// IOAIter walks information object addresses without allocating.
type IOAIter struct {
	objs  []byte
	n, i  int
	sq    bool
	el    int
	first uint32
	off   int
}

// Next returns the next address and true, or 0 and false at the end.
func (it *IOAIter) Next() (uint32, bool) {
	if it.i >= it.n || len(it.objs) < ioaLen {
		return 0, false
	}
	if it.sq {
		v := (it.first + uint32(it.i)) & 0xffffff
		it.i++
		return v, true
	}
	if it.i > 0 && it.el < 0 {
		return 0, false
	}
	if it.off+ioaLen > len(it.objs) {
		return 0, false
	}
	v := ioa(it.objs[it.off:])
	it.off += ioaLen + max(it.el, 0)
	it.i++
	return v, true
}

// Iter walks the APDUs of one TCP payload. Set Resync to skip octets before
// a start byte the way Wireshark does (it then reports them in Skipped)
// instead of stopping with ErrBadStart.
//
//	var it iec104.Iter
//	it.Reset(payload)
//	for it.Next() {
//		a := it.APDU()
//		...
//	}
//	if err := it.Err(); err != nil { ... }
type Iter struct {
	// Resync makes Next search for the next start byte instead of failing
	// when an APDU does not begin where the previous one ended.
	Resync bool

	b       []byte
	off     int
	skipped int
	stop    bool
	apdu    APDU
	err     error
}

// Reset starts iterating over b, keeping Resync.
func (it *Iter) Reset(b []byte) {
	it.b, it.off, it.skipped, it.stop, it.err = b, 0, 0, false, nil
}

// Next decodes the next APDU and reports whether there was one. When the
// APDU decoded with an error, Next still returns true and Err returns that
// error; iteration continues after an APDU whose length octet delimits it
// and stops after a truncated APDU or one whose framing is lost.
func (it *Iter) Next() bool {
	if it.stop {
		return false
	}
	it.err = nil
	if it.off >= len(it.b) {
		return false
	}
	rest := it.b[it.off:]
	it.skipped = 0
	if it.Resync && rest[0] != StartByte {
		i := 0
		for i < len(rest) && rest[i] != StartByte {
			i++
		}
		it.skipped = i
		it.off += i
		if i == len(rest) {
			it.stop = true
			return false
		}
		rest = rest[i:]
	}
	err := it.apdu.Decode(rest)
	if err != nil {
		it.err = it.offsetErr(err)
		if errors.Is(err, ErrBadStart) {
			it.stop = true
			return false
		}
		if errors.Is(err, ErrTooShort) || it.apdu.Length < MinAPDULen || it.apdu.Length > MaxAPDULen {
			it.stop = true
			it.off = len(it.b)
			return true
		}
	}
	it.off += len(it.apdu.Raw)
	return true
}

func (it *Iter) offsetErr(err error) error {
	if e, ok := err.(*Error); ok {
		e.Offset += it.off
	}
	return err
}

// APDU returns the APDU decoded by the last successful Next. It is
// overwritten by the next call.
func (it *Iter) APDU() *APDU { return &it.apdu }

// Skipped is the number of octets skipped before the current APDU (only
// with Resync).
func (it *Iter) Skipped() int { return it.skipped }

// Offset is the offset of the next undecoded octet.
func (it *Iter) Offset() int { return it.off }

// Err returns the error of the APDU returned by the last Next or, once Next
// has returned false, the error that stopped iteration (nil at a clean end). Offsets in it are
// relative to the slice given to Reset.
func (it *Iter) Err() error { return it.err }
