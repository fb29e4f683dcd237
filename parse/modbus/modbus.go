// Package modbus decodes Modbus/TCP application data units (MBAP header plus
// PDU) from TCP payloads, several per segment, without allocating: byte
// fields are views into the input.
//
// The direction of a Modbus PDU cannot always be told from its bytes (a Read
// Holding Registers request and response share a function code), so the
// helpers that need it take an isRequest hint; [IsRequest] derives it from the
// TCP ports as Wireshark does.
//
// Field correspondence with Wireshark (tshark field names, see the corpus
// README field map):
//
//	ADU.TransactionID    mbtcp.trans_id
//	ADU.ProtocolID       mbtcp.prot_id
//	ADU.Length           mbtcp.len
//	ADU.UnitID           mbtcp.unit_id
//	ADU.Function()       modbus.func_code (exception bit masked off)
//	ADU.ExceptionCode()  modbus.exception_code (present only for exceptions)
//	DeviceID.MEIType     modbus.mei
//	DeviceID.ReadDeviceIDCode  modbus.read_device_id
//	DeviceID.ObjectID    modbus.object_id (request: the object asked for)
//	Object.ID            modbus.object_id (response objects)
//	Object.Value         modbus.object_str_value
package modbus

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Port is the registered Modbus/TCP port.
const Port = 502

// MBAPLen is the length of the MBAP header (including the unit identifier).
const MBAPLen = 7

// MaxLength is the largest MBAP Length allowed by the specification (unit id
// plus a 253-byte PDU). Decode does not enforce it (Wireshark does not
// either); compare with it to flag oversized ADUs.
const MaxLength = 254

// Function codes (public, Modbus Application Protocol v1.1b3).
const (
	FuncReadCoils              uint8 = 1
	FuncReadDiscreteInputs     uint8 = 2
	FuncReadHoldingRegisters   uint8 = 3
	FuncReadInputRegisters     uint8 = 4
	FuncWriteSingleCoil        uint8 = 5
	FuncWriteSingleRegister    uint8 = 6
	FuncReadExceptionStatus    uint8 = 7
	FuncDiagnostics            uint8 = 8
	FuncGetCommEventCounter    uint8 = 11
	FuncGetCommEventLog        uint8 = 12
	FuncWriteMultipleCoils     uint8 = 15
	FuncWriteMultipleRegisters uint8 = 16
	FuncReportServerID         uint8 = 17
	FuncReadFileRecord         uint8 = 20
	FuncWriteFileRecord        uint8 = 21
	FuncMaskWriteRegister      uint8 = 22
	FuncReadWriteRegisters     uint8 = 23
	FuncReadFIFOQueue          uint8 = 24
	FuncEncapsulatedInterface  uint8 = 43 // MEI transport (Read Device Identification, CANopen)
)

// ExceptionBit is set in the function code of an exception response.
const ExceptionBit = 0x80

// MEI types of function 43.
const (
	MEICANopen      uint8 = 13
	MEIReadDeviceID uint8 = 14
)

// KnownFunction reports whether fc (exception bit masked off) is one of the
// public function codes above. Decode accepts any function code (as
// Wireshark does); this helps a caller judge how plausible a stream is.
func KnownFunction(fc uint8) bool {
	switch fc & 0x7F {
	case 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 15, 16, 17, 20, 21, 22, 23, 24, 43:
		return true
	}
	return false
}

// IsRequest tells the direction of a segment from its TCP ports: true when the
// destination is port 502 and the source is not, false when the source is
// 502 and the destination is not. ok is false when it cannot be told.
func IsRequest(srcPort, dstPort uint16) (isRequest, ok bool) {
	switch {
	case dstPort == Port && srcPort != Port:
		return true, true
	case srcPort == Port && dstPort != Port:
		return false, true
	}
	return false, false
}

// Errors returned by the decoder; test with errors.Is.
var (
	// ErrTooShort: fewer bytes than an MBAP header, or than a PDU needs.
	ErrTooShort = errors.New("modbus: too short")
	// ErrTruncated: the ADU's Length runs past the end of the input (a PDU
	// continued in the next TCP segment). It wraps ErrTooShort. The header
	// fields are valid and PDU holds the bytes present.
	ErrTruncated = fmt.Errorf("%w: ADU continues beyond input", ErrTooShort)
	// ErrBadLength: the MBAP Length is below 2 (unit id + function code).
	ErrBadLength = errors.New("modbus: bad MBAP length")
	// ErrBadProtocolID: the MBAP protocol identifier is not 0 (not Modbus).
	ErrBadProtocolID = errors.New("modbus: protocol identifier not 0")
	// ErrNotDeviceID: the PDU is not a Read Device Identification (43/14).
	ErrNotDeviceID = errors.New("modbus: not a read device identification PDU")
)

// Error is a decoding error with the byte offset (from the start of the
// decoded input) where it was found. It wraps one of the sentinel errors.
//
// The conditions met in ordinary traffic are returned as bare sentinels,
// without allocating: ErrTooShort for a segment shorter than an MBAP header,
// ErrTruncated, and every error of ReadDeviceID. ErrBadProtocolID and
// ErrBadLength (not Modbus, or corrupt) come as *Error.
type Error struct {
	Offset int
	What   string
	Err    error
}

func (e *Error) Error() string { return fmt.Sprintf("%v: %s at offset %d", e.Err, e.What, e.Offset) }

// Unwrap returns the sentinel error.
func (e *Error) Unwrap() error { return e.Err }

// ADU is one Modbus/TCP application data unit.
type ADU struct {
	TransactionID uint16
	ProtocolID    uint16 // always 0 after a successful Decode
	Length        uint16 // MBAP length: unit id + PDU bytes
	UnitID        uint8
	// PDU is a view of the function code and data (Length-1 bytes, fewer
	// when Decode returns ErrTruncated).
	PDU []byte
}

// Parse decodes the first ADU of b.
func Parse(b []byte) (ADU, error) {
	var a ADU
	err := a.Decode(b)
	return a, err
}

// Decode decodes the first ADU of b into a. Bytes after the ADU are ignored
// (see [ADU.Size] and [Split] for several ADUs per segment).
func (a *ADU) Decode(b []byte) error {
	if len(b) < MBAPLen+1 {
		*a = ADU{}
		return ErrTooShort
	}
	a.TransactionID = binary.BigEndian.Uint16(b)
	a.ProtocolID = binary.BigEndian.Uint16(b[2:])
	a.Length = binary.BigEndian.Uint16(b[4:])
	a.UnitID = b[6]
	a.PDU = nil
	if a.ProtocolID != 0 {
		return &Error{Offset: 2, What: "protocol id", Err: ErrBadProtocolID}
	}
	if a.Length < 2 {
		return &Error{Offset: 4, What: "length", Err: ErrBadLength}
	}
	end := 6 + int(a.Length)
	if end > len(b) {
		a.PDU = b[MBAPLen:len(b):len(b)]
		return ErrTruncated
	}
	a.PDU = b[MBAPLen:end:end]
	return nil
}

// Size returns the number of bytes the ADU occupies: 6 + Length.
func (a *ADU) Size() int { return 6 + int(a.Length) }

// FunctionCode returns the raw function code byte (exception bit included),
// or 0 if the PDU is empty.
func (a *ADU) FunctionCode() uint8 {
	if len(a.PDU) == 0 {
		return 0
	}
	return a.PDU[0]
}

// Function returns the function code with the exception bit masked off
// (modbus.func_code).
func (a *ADU) Function() uint8 { return a.FunctionCode() &^ ExceptionBit }

// IsException reports whether the ADU is an exception response.
func (a *ADU) IsException() bool { return a.FunctionCode()&ExceptionBit != 0 }

// ExceptionCode returns the exception code of an exception response; ok is
// false for other ADUs or when the code byte is missing.
func (a *ADU) ExceptionCode() (code uint8, ok bool) {
	if !a.IsException() || len(a.PDU) < 2 {
		return 0, false
	}
	return a.PDU[1], true
}

// Data returns a view of the PDU after the function code.
func (a *ADU) Data() []byte {
	if len(a.PDU) == 0 {
		return nil
	}
	return a.PDU[1:]
}

// ADUs iterates over the ADUs of one TCP payload. The zero value yields
// nothing.
type ADUs struct {
	rest []byte
	off  int
	err  error
}

// Split returns an iterator over the ADUs packed back to back in b.
func Split(b []byte) ADUs { return ADUs{rest: b} }

// Next decodes the next ADU into a and reports whether it did. At the end of
// the input, or on an error (then Err is non-nil), it returns false. On
// ErrTruncated a holds the partial ADU.
func (it *ADUs) Next(a *ADU) bool {
	b := it.rest
	if len(b) == 0 || it.err != nil {
		return false
	}
	// Fast path for a well-formed, complete ADU; anything else goes through
	// Decode for its error.
	if len(b) >= MBAPLen+1 && b[2] == 0 && b[3] == 0 {
		l := int(b[4])<<8 | int(b[5])
		if end := 6 + l; l >= 2 && end <= len(b) {
			a.TransactionID, a.ProtocolID, a.Length, a.UnitID = uint16(b[0])<<8|uint16(b[1]), 0, uint16(l), b[6]
			a.PDU = b[MBAPLen:end:end]
			it.rest, it.off = b[end:], it.off+end
			return true
		}
	}
	if err := a.Decode(b); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Offset += it.off
		}
		it.err, it.rest = err, nil
		return false
	}
	n := a.Size()
	it.rest, it.off = it.rest[n:], it.off+n
	return true
}

// Offset returns the offset in the original input of the next ADU.
func (it *ADUs) Offset() int { return it.off }

// Err returns the error that stopped the iteration, if any.
func (it *ADUs) Err() error { return it.err }

// RegisterRange is the start address and quantity of a read or write request
// (functions 1-4, 15, 16) or the address and value of a single write (5, 6).
type RegisterRange struct {
	Address  uint16
	Quantity uint16 // for functions 5 and 6: the value written
}

// Range returns the address range of a request for functions 1-6, 15 and 16;
// ok is false for other functions, exceptions, responses and short PDUs.
func (a *ADU) Range(isRequest bool) (r RegisterRange, ok bool) {
	d := a.Data()
	if a.IsException() || len(d) < 4 {
		return r, false
	}
	switch a.Function() {
	case 1, 2, 3, 4, 15, 16:
		if !isRequest {
			return r, false
		}
	case 5, 6:
		// request and response echo address and value
	default:
		return r, false
	}
	return RegisterRange{binary.BigEndian.Uint16(d), binary.BigEndian.Uint16(d[2:])}, true
}

// Read Device ID codes (modbus.read_device_id).
const (
	DeviceIDBasic    uint8 = 1
	DeviceIDRegular  uint8 = 2
	DeviceIDExtended uint8 = 3
	DeviceIDSpecific uint8 = 4
)

// Standard object ids of Read Device Identification.
const (
	ObjectVendorName          uint8 = 0
	ObjectProductCode         uint8 = 1
	ObjectMajorMinorRevision  uint8 = 2
	ObjectVendorURL           uint8 = 3
	ObjectProductName         uint8 = 4
	ObjectModelName           uint8 = 5
	ObjectUserApplicationName uint8 = 6
)

// DeviceID is a Read Device Identification (function 43, MEI type 14)
// request or response.
type DeviceID struct {
	IsRequest        bool
	MEIType          uint8 // 14
	ReadDeviceIDCode uint8 // 1 basic, 2 regular, 3 extended, 4 one specific object
	ObjectID         uint8 // request: first/only object asked for
	// Response only:
	ConformityLevel uint8
	MoreFollows     bool  // 0xFF on the wire: ask again from NextObjectID
	NextObjectID    uint8 // where the next request should start
	NumObjects      uint8 // number of objects announced
	objects         []byte
}

// ReadDeviceID decodes a Read Device Identification PDU. isRequest is the
// direction (see [IsRequest]): both directions start with the same bytes.
func (a *ADU) ReadDeviceID(isRequest bool) (DeviceID, error) {
	var d DeviceID
	if a.Function() != FuncEncapsulatedInterface || a.IsException() {
		return d, ErrNotDeviceID
	}
	p := a.Data()
	if len(p) < 1 {
		return d, ErrTooShort
	}
	d.IsRequest = isRequest
	d.MEIType = p[0]
	if d.MEIType != MEIReadDeviceID {
		return d, ErrNotDeviceID
	}
	if isRequest {
		if len(p) < 3 {
			return d, ErrTooShort
		}
		d.ReadDeviceIDCode, d.ObjectID = p[1], p[2]
		return d, nil
	}
	if len(p) < 6 {
		return d, ErrTooShort
	}
	d.ReadDeviceIDCode = p[1]
	d.ConformityLevel = p[2]
	d.MoreFollows = p[3] == 0xFF
	d.NextObjectID = p[4]
	d.NumObjects = p[5]
	d.objects = p[6:]
	return d, nil
}

// Object is one object of a Read Device Identification response.
type Object struct {
	ID    uint8
	Value []byte // view; ASCII for the standard objects
}

// Objects iterates over the objects of a response.
type Objects struct {
	rest []byte
	left int
	err  error
}

// Objects returns an iterator over the objects of a response (none for a
// request).
func (d *DeviceID) Objects() Objects {
	if d.IsRequest {
		return Objects{}
	}
	return Objects{rest: d.objects, left: int(d.NumObjects)}
}

// Next decodes the next object into o and reports whether there was one;
// false after NumObjects objects or on an error (see Err).
func (it *Objects) Next(o *Object) bool {
	if it.left == 0 || it.err != nil {
		return false
	}
	if len(it.rest) < 2 {
		it.err = ErrTooShort
		return false
	}
	n := int(it.rest[1])
	if 2+n > len(it.rest) {
		it.err = fmt.Errorf("object %#x length %d: %w", it.rest[0], n, ErrTooShort)
		return false
	}
	o.ID, o.Value = it.rest[0], it.rest[2:2+n:2+n]
	it.rest = it.rest[2+n:]
	it.left--
	return true
}

// Err returns the error that stopped the iteration, if any.
func (it *Objects) Err() error { return it.err }
