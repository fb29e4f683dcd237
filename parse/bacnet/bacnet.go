// Package bacnet decodes BACnet/IP (UDP port 47808) messages: the BVLC
// (Annex J virtual link control), the NPDU (network layer: control, DNET,
// DADR, SNET, SADR, hop count, network-layer message type), the APDU header
// (PDU type, invoke ID, service choice, segmentation fields, max APDU) and
// the services an asset inventory needs: I-Am, Who-Is, I-Have, Who-Has,
// ReadProperty request
// and ReadProperty-ACK (with the property value, e.g. a vendor-name,
// model-name, firmware-revision, application-software-version or
// object-name character string), ReadPropertyMultiple request and ACK
// (through [Packet.Properties], which walks ReadProperty too, so one loop
// serves both), and Error (class and code). BACnet tags are decoded
// generically ([ReadTag], [TagReader]) so callers can walk any other
// service's parameters; [AppendUTF8] turns a CharacterString (UTF-8,
// ISO 8859-1, UCS-2, UCS-4) into UTF-8 in a caller buffer.
//
// Decoding never allocates and never copies: [Packet.Decode] fills a
// caller-owned struct whose byte fields are views into the input.
//
// Field map to the Wireshark oracle (tshark 4.0, corpus README "bacnet" group):
//
//	bvlc_type           bvlc.type                  BVLC.Type
//	bvlc_function       bvlc.function              BVLC.Function
//	bvlc_length         bvlc.length                BVLC.HeaderLen() (NOT the wire length field, BVLC.Length)
//	npdu_control        bacnet.control             NPDU.Control
//	dnet                bacnet.dnet                NPDU.DNET (when NPDU.HasDNET)
//	snet                bacnet.snet                NPDU.SNET (when NPDU.HasSNET)
//	nl_message_type     bacnet.mesgtyp             NPDU.MessageType (when NPDU.NetworkMessage)
//	apdu_type           bacapp.type                APDU.Type
//	confirmed_service   bacapp.confirmed_service   APDU.Service (confirmed request, simple/complex ACK, error)
//	unconfirmed_service bacapp.unconfirmed_service APDU.Service (unconfirmed request)
//	invoke_id           bacapp.invoke_id           APDU.InvokeID (when APDU.HasInvokeID)
//	max_apdu            bacapp.max_adpu_size       APDU.MaxAPDU (confirmed request; the 4-bit code)
//	error_class         bacapp.error_class         Packet.Error.Class (ErrorInfo)
//	error_code          bacapp.error_code          Packet.Error.Code
//	object_type         bacapp.objectType          IAm.Device.Type(), IHave.Device/Object, WhoHas.Object,
//	                                               PropertyRef.Object.Type() (when First), ObjectID values
//	instance_number     bacapp.instance_number     IAm.Device.Instance(), PropertyRef.Object.Instance()
//	property_identifier bacapp.property_identifier PropertyRef.Property (ReadProperty.Property)
//	vendor_identifier   bacapp.vendor_identifier   IAm.VendorID
//	object_name         bacapp.object_name         PropertyRef.Value.CharString() when Property is 77,
//	                                               IHave.Name, WhoHas.Name (with their Charset)
//
// tshark 4.0 shows other character-string values (vendor-name 121,
// model-name 70, firmware-revision 44, application-software-version 12)
// only as text, not as fields; PropertyRef.Value.CharString() returns them.
//
// Not decoded: BACnet/IPv6 (BVLC type 0x82), BACnet Secure Connect, BDT/FDT
// entries, segment reassembly (the parameters of segmented messages are left
// in APDU.Body), services other than those above (their parameters
// are in APDU.Body), and property values beyond the first (all are in
// PropertyRef.Values for a TagReader).
package bacnet

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Port is the registered UDP port of BACnet/IP (0xBAC0).
const Port = 47808

// BVLC types.
const (
	BVLCTypeIPv4 = 0x81 // BACnet/IP, Annex J
	BVLCTypeIPv6 = 0x82 // BACnet/IPv6, Annex U (not decoded)
)

// BVLC functions (BACnet/IP).
const (
	BVLCResult                       = 0x00
	BVLCWriteBDT                     = 0x01
	BVLCReadBDT                      = 0x02
	BVLCReadBDTAck                   = 0x03
	BVLCForwardedNPDU                = 0x04
	BVLCRegisterForeignDevice        = 0x05
	BVLCReadFDT                      = 0x06
	BVLCReadFDTAck                   = 0x07
	BVLCDeleteFDTEntry               = 0x08
	BVLCDistributeBroadcastToNetwork = 0x09
	BVLCOriginalUnicastNPDU          = 0x0a
	BVLCOriginalBroadcastNPDU        = 0x0b
	BVLCSecureBVLL                   = 0x0c
)

// PDUType is the APDU type (high nibble of the first APDU octet).
type PDUType uint8

// APDU types.
const (
	ConfirmedRequest   PDUType = 0
	UnconfirmedRequest PDUType = 1
	SimpleACK          PDUType = 2
	ComplexACK         PDUType = 3
	SegmentACK         PDUType = 4
	ErrorPDU           PDUType = 5
	RejectPDU          PDUType = 6
	AbortPDU           PDUType = 7
)

// String returns the ASHRAE 135 name of the PDU type.
func (t PDUType) String() string {
	switch t {
	case ConfirmedRequest:
		return "Confirmed-REQ"
	case UnconfirmedRequest:
		return "Unconfirmed-REQ"
	case SimpleACK:
		return "SimpleACK"
	case ComplexACK:
		return "ComplexACK"
	case SegmentACK:
		return "SegmentACK"
	case ErrorPDU:
		return "Error"
	case RejectPDU:
		return "Reject"
	case AbortPDU:
		return "Abort"
	}
	return fmt.Sprintf("PDUType(%d)", uint8(t))
}

// Service choices decoded by this package.
const (
	ServiceReadProperty         = 12 // confirmed
	ServiceReadPropertyMultiple = 14 // confirmed (parameters left in APDU.Body)
	ServiceIAm                  = 0  // unconfirmed
	ServiceIHave                = 1  // unconfirmed
	ServiceWhoHas               = 7  // unconfirmed
	ServiceWhoIs                = 8  // unconfirmed
)

// Property identifiers an inventory reads from a device object.
const (
	PropApplicationSoftwareVersion = 12
	PropFirmwareRevision           = 44
	PropModelName                  = 70
	PropObjectIdentifier           = 75
	PropObjectName                 = 77
	PropVendorIdentifier           = 120
	PropVendorName                 = 121
)

// Sentinel errors; errors returned by this package wrap one of them.
var (
	// ErrTooShort means the input ends inside a header or tag.
	ErrTooShort = errors.New("bacnet: truncated")
	// ErrBadType means an unsupported BVLC type or NPDU version.
	ErrBadType = errors.New("bacnet: unsupported BVLC type or NPDU version")
	// ErrBadLength means a length field is impossible (BVLC length below
	// its header, address length beyond the NPDU).
	ErrBadLength = errors.New("bacnet: bad length")
	// ErrBadTag means a reserved tag encoding or a tag other than the
	// service's syntax requires.
	ErrBadTag = errors.New("bacnet: bad tag")
)

// Error gives the offset (from the start of the input) at which decoding
// failed. It is owned by the Packet that returned it and is overwritten by
// that Packet's next Decode: inspect it before decoding again, or copy it.
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

// BVLC is the BACnet/IP virtual link control header.
type BVLC struct {
	Type     uint8  // 0x81 (oracle bvlc_type)
	Function uint8  // oracle bvlc_function
	Length   uint16 // BVLC length field: the whole message, header included
	// Origin is the B/IP address (4-octet IPv4 address, 2-octet port) of
	// the original sender of a Forwarded-NPDU, a view into the input.
	Origin []byte
	// Result is the result code of a BVLC-Result.
	Result uint16
}

// HeaderLen returns what Wireshark shows as bvlc.length: the BVLC header
// length before the NPDU (4, or 10 for Forwarded-NPDU), or the whole
// message length for functions that carry no NPDU (0x00-0x08 except 0x04).
func (v *BVLC) HeaderLen() int {
	switch {
	case v.Function > 0x08:
		return 4
	case v.Function == BVLCForwardedNPDU:
		return 10
	}
	return int(v.Length)
}

// HasNPDU reports whether the function carries an NPDU.
func (v *BVLC) HasNPDU() bool {
	switch v.Function {
	case BVLCForwardedNPDU, BVLCDistributeBroadcastToNetwork, BVLCOriginalUnicastNPDU, BVLCOriginalBroadcastNPDU:
		return true
	}
	return false
}

// NPDU is the network-layer header.
type NPDU struct {
	Version uint8 // protocol version, 1
	Control uint8 // control octet (oracle npdu_control)
	// NetworkMessage is control bit 7: the NPDU carries a network-layer
	// message (MessageType) instead of an APDU.
	NetworkMessage bool
	// ExpectingReply is control bit 2.
	ExpectingReply bool
	// Priority is control bits 0-1 (0 normal .. 3 life safety).
	Priority uint8
	HasDNET  bool
	DNET     uint16 // destination network (oracle dnet); 0xFFFF = global broadcast
	DADR     []byte // destination MAC (empty = broadcast), a view
	HopCount uint8
	HasSNET  bool
	SNET     uint16 // source network (oracle snet)
	SADR     []byte // source MAC, a view
	// MessageType is the network-layer message type (oracle nl_message_type).
	MessageType uint8
	// VendorID is set for proprietary message types (0x80-0xFF).
	VendorID uint16
	// Payload is the rest: the APDU, or the network message parameters.
	Payload []byte
}

// APDU is the application-layer header.
type APDU struct {
	Type PDUType // oracle apdu_type
	// Flags is the low nibble of the first octet: SEG 0x08, MOR 0x04,
	// SA 0x02 in requests; NAK 0x02, SRV 0x01 in SegmentACK; SRV 0x01 in Abort.
	Flags uint8
	// MaxSegments and MaxAPDU are the 3- and 4-bit codes of a confirmed
	// request (MaxAPDU is oracle max_apdu; 5 means 1476 octets).
	MaxSegments uint8
	MaxAPDU     uint8
	HasInvokeID bool
	InvokeID    uint8 // oracle invoke_id
	// SequenceNumber and WindowSize are present in segmented requests and
	// complex ACKs and in SegmentACKs.
	SequenceNumber uint8
	WindowSize     uint8
	HasService     bool
	// Service is the service choice (oracle confirmed_service or
	// unconfirmed_service depending on Type).
	Service uint8
	// Reason is the reject or abort reason.
	Reason uint8
	// Body is the service parameters, a view into the input.
	Body []byte
}

// Segmented reports the SEG flag of a confirmed request or complex ACK.
func (a *APDU) Segmented() bool {
	return (a.Type == ConfirmedRequest || a.Type == ComplexACK) && a.Flags&0x08 != 0
}

// MaxAPDULen converts the MaxAPDU code to octets (0 for reserved codes).
func (a *APDU) MaxAPDULen() int {
	switch a.MaxAPDU {
	case 0:
		return 50
	case 1:
		return 128
	case 2:
		return 206
	case 3:
		return 480
	case 4:
		return 1024
	case 5:
		return 1476
	}
	return 0
}

// IAm is the I-Am service (unconfirmed service 0).
type IAm struct {
	Device       ObjectID // oracle object_type / instance_number
	MaxAPDU      uint32   // max APDU length accepted, octets
	Segmentation uint8    // 0 both, 1 transmit, 2 receive, 3 none
	VendorID     uint16   // oracle vendor_identifier
}

// WhoIs is the Who-Is service (unconfirmed service 8).
type WhoIs struct {
	HasRange  bool
	Low, High uint32 // device instance range limits
}

// IHave is the I-Have service (unconfirmed service 1): a device announcing
// that it holds an object.
type IHave struct {
	Device  ObjectID // oracle object_type[0] / instance_number[0]
	Object  ObjectID // oracle object_type[1] / instance_number[1]
	Charset uint8    // character set of Name
	Name    []byte   // object name, encoded in Charset (oracle object_name)
}

// WhoHas is the Who-Has service (unconfirmed service 7): a search by
// object identifier or by object name, optionally within a device range.
type WhoHas struct {
	HasRange  bool
	Low, High uint32 // device instance range limits
	// Exactly one of HasObject and HasName is true.
	HasObject bool
	Object    ObjectID
	HasName   bool
	Charset   uint8
	Name      []byte // oracle object_name
}

// ReadProperty is a ReadProperty request or, in a complex ACK, a
// ReadProperty-ACK.
type ReadProperty struct {
	Object   ObjectID // oracle object_type[0] / instance_number[0]
	Property uint32   // oracle property_identifier
	HasIndex bool
	Index    uint32 // property array index
	// HasValue is true for an ACK whose first value decoded; Value is that
	// application-tagged value (see Tag.CharString, Tag.Unsigned,
	// Tag.ObjectID). Values is every tag between the opening and closing
	// tag 3, a view for callers that need list or constructed values.
	HasValue bool
	Value    Tag
	Values   []byte
}

// ErrorInfo is the error class and code of an Error PDU.
type ErrorInfo struct {
	Class uint32 // oracle error_class
	Code  uint32 // oracle error_code
}

// Packet is one decoded BACnet/IP message. Reuse one value for many Decode
// calls. The Has* flags say which parts decoded.
type Packet struct {
	BVLC    BVLC
	HasNPDU bool
	NPDU    NPDU
	HasAPDU bool
	APDU    APDU

	HasIAm          bool
	IAm             IAm
	HasWhoIs        bool
	WhoIs           WhoIs
	HasIHave        bool
	IHave           IHave
	HasWhoHas       bool
	WhoHas          WhoHas
	HasReadProperty bool
	ReadProperty    ReadProperty
	HasError        bool
	Error           ErrorInfo

	err Error
}

// Decode decodes a BACnet/IP message (a UDP payload starting with the
// BVLC). On error the parts decoded before the failure are kept.
func (p *Packet) Decode(b []byte) error {
	p.reset()
	if len(b) < 4 {
		return p.fail(len(b), "BVLC header", ErrTooShort)
	}
	v := &p.BVLC
	v.Type, v.Function, v.Length = b[0], b[1], binary.BigEndian.Uint16(b[2:])
	if v.Type != BVLCTypeIPv4 {
		return p.fail(0, "BVLC type", ErrBadType)
	}
	if v.Length < 4 {
		return p.fail(2, "BVLC length", ErrBadLength)
	}
	if int(v.Length) > len(b) {
		return p.fail(len(b), "BVLC message", ErrTooShort)
	}
	b = b[:v.Length]
	off := 4
	switch v.Function {
	case BVLCResult:
		if len(b) < 6 {
			return p.fail(len(b), "BVLC result code", ErrTooShort)
		}
		v.Result = binary.BigEndian.Uint16(b[4:])
	case BVLCForwardedNPDU:
		if len(b) < 10 {
			return p.fail(len(b), "BVLC origin address", ErrTooShort)
		}
		v.Origin = b[4:10]
		off = 10
	}
	if !v.HasNPDU() {
		return nil
	}
	return p.decodeNPDU(b, off)
}

// DecodeNPDU decodes a message that starts at the NPDU (BACnet over
// Ethernet/LLC, MS/TP or a caller that stripped the BVLC). The BVLC is left
// zero.
func (p *Packet) DecodeNPDU(b []byte) error {
	p.reset()
	return p.decodeNPDU(b, 0)
}

func (p *Packet) reset() {
	err := p.err
	*p = Packet{}
	p.err = err
}

func (p *Packet) fail(off int, what string, err error) error {
	p.err = Error{Offset: off, What: what, Err: err}
	return &p.err
}

func (p *Packet) decodeNPDU(b []byte, off int) error {
	n := &p.NPDU
	if len(b) < off+2 {
		return p.fail(len(b), "NPDU header", ErrTooShort)
	}
	n.Version, n.Control = b[off], b[off+1]
	if n.Version != 1 {
		return p.fail(off, "NPDU version", ErrBadType)
	}
	c := n.Control
	n.NetworkMessage = c&0x80 != 0
	n.ExpectingReply = c&0x04 != 0
	n.Priority = c & 0x03
	off += 2
	if c&0x20 != 0 {
		if len(b) < off+3 {
			return p.fail(len(b), "DNET", ErrTooShort)
		}
		n.HasDNET = true
		n.DNET = binary.BigEndian.Uint16(b[off:])
		dlen := int(b[off+2])
		off += 3
		if len(b) < off+dlen {
			return p.fail(off-1, "DLEN", ErrBadLength)
		}
		n.DADR = b[off : off+dlen]
		off += dlen
	}
	if c&0x08 != 0 {
		if len(b) < off+3 {
			return p.fail(len(b), "SNET", ErrTooShort)
		}
		n.HasSNET = true
		n.SNET = binary.BigEndian.Uint16(b[off:])
		slen := int(b[off+2])
		off += 3
		if len(b) < off+slen {
			return p.fail(off-1, "SLEN", ErrBadLength)
		}
		n.SADR = b[off : off+slen]
		off += slen
	}
	if n.HasDNET {
		if len(b) < off+1 {
			return p.fail(len(b), "hop count", ErrTooShort)
		}
		n.HopCount = b[off]
		off++
	}
	if n.NetworkMessage {
		if len(b) < off+1 {
			return p.fail(len(b), "network message type", ErrTooShort)
		}
		n.MessageType = b[off]
		off++
		if n.MessageType >= 0x80 {
			if len(b) < off+2 {
				return p.fail(len(b), "vendor ID", ErrTooShort)
			}
			n.VendorID = binary.BigEndian.Uint16(b[off:])
			off += 2
		}
		n.Payload = b[off:]
		p.HasNPDU = true
		return nil
	}
	n.Payload = b[off:]
	p.HasNPDU = true
	if len(n.Payload) == 0 {
		return nil
	}
	return p.decodeAPDU(b, off)
}

func (p *Packet) decodeAPDU(b []byte, off int) error {
	a := &p.APDU
	start := off
	need := func(k int) bool { return len(b) >= off+k }
	a.Type = PDUType(b[off] >> 4)
	a.Flags = b[off] & 0x0f
	off++
	switch a.Type {
	case ConfirmedRequest:
		if !need(2) {
			return p.fail(len(b), "confirmed request header", ErrTooShort)
		}
		a.MaxSegments = b[off] >> 4 & 0x07
		a.MaxAPDU = b[off] & 0x0f
		a.HasInvokeID, a.InvokeID = true, b[off+1]
		off += 2
		if a.Flags&0x08 != 0 {
			if !need(2) {
				return p.fail(len(b), "segment header", ErrTooShort)
			}
			a.SequenceNumber, a.WindowSize = b[off], b[off+1]
			off += 2
		}
		if !need(1) {
			return p.fail(len(b), "service choice", ErrTooShort)
		}
		a.HasService, a.Service = true, b[off]
		off++
	case UnconfirmedRequest:
		if !need(1) {
			return p.fail(len(b), "service choice", ErrTooShort)
		}
		a.HasService, a.Service = true, b[off]
		off++
	case SimpleACK:
		if !need(2) {
			return p.fail(len(b), "simple ACK", ErrTooShort)
		}
		a.HasInvokeID, a.InvokeID = true, b[off]
		a.HasService, a.Service = true, b[off+1]
		off += 2
	case ComplexACK:
		if !need(1) {
			return p.fail(len(b), "invoke ID", ErrTooShort)
		}
		a.HasInvokeID, a.InvokeID = true, b[off]
		off++
		if a.Flags&0x08 != 0 {
			if !need(2) {
				return p.fail(len(b), "segment header", ErrTooShort)
			}
			a.SequenceNumber, a.WindowSize = b[off], b[off+1]
			off += 2
		}
		if !need(1) {
			return p.fail(len(b), "service choice", ErrTooShort)
		}
		a.HasService, a.Service = true, b[off]
		off++
	case SegmentACK:
		if !need(3) {
			return p.fail(len(b), "segment ACK", ErrTooShort)
		}
		a.HasInvokeID, a.InvokeID = true, b[off]
		a.SequenceNumber, a.WindowSize = b[off+1], b[off+2]
		off += 3
	case ErrorPDU:
		if !need(2) {
			return p.fail(len(b), "error header", ErrTooShort)
		}
		a.HasInvokeID, a.InvokeID = true, b[off]
		a.HasService, a.Service = true, b[off+1]
		off += 2
	case RejectPDU, AbortPDU:
		if !need(2) {
			return p.fail(len(b), "reject/abort header", ErrTooShort)
		}
		a.HasInvokeID, a.InvokeID = true, b[off]
		a.Reason = b[off+1]
		off += 2
	default:
		return p.fail(start, "APDU type", ErrBadType)
	}
	a.Body = b[off:]
	p.HasAPDU = true
	if a.Segmented() {
		return nil // parameters span segments; Body holds this segment's part
	}
	var err error
	var what string
	var rel int
	switch {
	case a.Type == UnconfirmedRequest && a.Service == ServiceIAm:
		rel, what, err = p.IAm.decode(a.Body)
		p.HasIAm = err == nil
	case a.Type == UnconfirmedRequest && a.Service == ServiceWhoIs:
		rel, what, err = p.WhoIs.decode(a.Body)
		p.HasWhoIs = err == nil
	case a.Type == UnconfirmedRequest && a.Service == ServiceIHave:
		rel, what, err = p.IHave.decode(a.Body)
		p.HasIHave = err == nil
	case a.Type == UnconfirmedRequest && a.Service == ServiceWhoHas:
		rel, what, err = p.WhoHas.decode(a.Body)
		p.HasWhoHas = err == nil
	case (a.Type == ConfirmedRequest || a.Type == ComplexACK) && a.Service == ServiceReadProperty:
		rel, what, err = p.ReadProperty.decode(a.Body, a.Type == ComplexACK)
		p.HasReadProperty = err == nil
	case a.Type == ErrorPDU:
		rel, what, err = p.Error.decode(a.Body)
		p.HasError = err == nil
	}
	if err != nil {
		return p.fail(off+rel, what, err)
	}
	return nil
}

// expectTag reads one tag at b[*off:] and checks its class and number.
func expectTag(b []byte, off *int, context bool, number uint8) (Tag, error) {
	t, n, err := ReadTag(b[*off:])
	if err != nil {
		return t, err
	}
	if t.Opening || t.Closing || t.Context != context || t.Number != number {
		return t, ErrBadTag
	}
	*off += n
	return t, nil
}

func (s *IAm) decode(b []byte) (int, string, error) {
	*s = IAm{}
	off := 0
	t, err := expectTag(b, &off, false, TagObjectID)
	if err != nil {
		return off, "I-Am device identifier", err
	}
	id, ok := t.ObjectID()
	if !ok {
		return off, "I-Am device identifier", ErrBadLength
	}
	s.Device = id
	if t, err = expectTag(b, &off, false, TagUnsigned); err != nil {
		return off, "I-Am max APDU", err
	}
	if s.MaxAPDU, ok = t.Unsigned(); !ok {
		return off, "I-Am max APDU", ErrBadLength
	}
	if t, err = expectTag(b, &off, false, TagEnumerated); err != nil {
		return off, "I-Am segmentation", err
	}
	v, ok := t.Unsigned()
	if !ok || v > 255 {
		return off, "I-Am segmentation", ErrBadLength
	}
	s.Segmentation = uint8(v)
	if t, err = expectTag(b, &off, false, TagUnsigned); err != nil {
		return off, "I-Am vendor ID", err
	}
	if v, ok = t.Unsigned(); !ok || v > 0xffff {
		return off, "I-Am vendor ID", ErrBadLength
	}
	s.VendorID = uint16(v)
	return 0, "", nil
}

func (s *WhoIs) decode(b []byte) (int, string, error) {
	*s = WhoIs{}
	if len(b) == 0 {
		return 0, "", nil
	}
	off := 0
	t, err := expectTag(b, &off, true, 0)
	if err != nil {
		return off, "Who-Is low limit", err
	}
	var ok bool
	if s.Low, ok = t.Unsigned(); !ok {
		return off, "Who-Is low limit", ErrBadLength
	}
	if t, err = expectTag(b, &off, true, 1); err != nil {
		return off, "Who-Is high limit", err
	}
	if s.High, ok = t.Unsigned(); !ok {
		return off, "Who-Is high limit", ErrBadLength
	}
	s.HasRange = true
	return 0, "", nil
}

func (s *IHave) decode(b []byte) (int, string, error) {
	*s = IHave{}
	off := 0
	t, err := expectTag(b, &off, false, TagObjectID)
	if err != nil {
		return off, "I-Have device identifier", err
	}
	var ok bool
	if s.Device, ok = t.ObjectID(); !ok {
		return off, "I-Have device identifier", ErrBadLength
	}
	if t, err = expectTag(b, &off, false, TagObjectID); err != nil {
		return off, "I-Have object identifier", err
	}
	if s.Object, ok = t.ObjectID(); !ok {
		return off, "I-Have object identifier", ErrBadLength
	}
	if t, err = expectTag(b, &off, false, TagCharacterString); err != nil {
		return off, "I-Have object name", err
	}
	if len(t.Data) == 0 {
		return off, "I-Have object name", ErrBadLength
	}
	s.Charset, s.Name = t.Data[0], t.Data[1:]
	return 0, "", nil
}

func (s *WhoHas) decode(b []byte) (int, string, error) {
	*s = WhoHas{}
	off := 0
	t, n, err := ReadTag(b)
	if err != nil {
		return 0, "Who-Has", err
	}
	var ok bool
	if t.IsContext(0) {
		if s.Low, ok = t.Unsigned(); !ok {
			return 0, "Who-Has low limit", ErrBadLength
		}
		off = n
		if t, err = expectTag(b, &off, true, 1); err != nil {
			return off, "Who-Has high limit", err
		}
		if s.High, ok = t.Unsigned(); !ok {
			return off, "Who-Has high limit", ErrBadLength
		}
		s.HasRange = true
		if t, _, err = ReadTag(b[off:]); err != nil {
			return off, "Who-Has object", err
		}
	}
	switch {
	case t.IsContext(2):
		if s.Object, ok = t.ObjectID(); !ok {
			return off, "Who-Has object identifier", ErrBadLength
		}
		s.HasObject = true
	case t.IsContext(3) && len(t.Data) > 0:
		s.Charset, s.Name, s.HasName = t.Data[0], t.Data[1:], true
	default:
		return off, "Who-Has object", ErrBadTag
	}
	return 0, "", nil
}

func (s *ReadProperty) decode(b []byte, ack bool) (int, string, error) {
	*s = ReadProperty{}
	off := 0
	t, err := expectTag(b, &off, true, 0)
	if err != nil {
		return off, "object identifier", err
	}
	id, ok := t.ObjectID()
	if !ok {
		return off, "object identifier", ErrBadLength
	}
	s.Object = id
	if t, err = expectTag(b, &off, true, 1); err != nil {
		return off, "property identifier", err
	}
	if s.Property, ok = t.Unsigned(); !ok {
		return off, "property identifier", ErrBadLength
	}
	if off < len(b) {
		t, n, err := ReadTag(b[off:])
		if err != nil {
			return off, "property array index", err
		}
		if t.IsContext(2) {
			if s.Index, ok = t.Unsigned(); !ok {
				return off, "property array index", ErrBadLength
			}
			s.HasIndex = true
			off += n
		}
	}
	if !ack {
		return 0, "", nil
	}
	// Property value: opening tag 3, values, closing tag 3.
	t, n, err := ReadTag(b[off:])
	if err != nil {
		return off, "property value", err
	}
	if !t.Opening || t.Number != 3 {
		return off, "property value opening tag", ErrBadTag
	}
	off += n
	start, depth := off, 0
	for {
		t, n, err := ReadTag(b[off:])
		if err != nil {
			return off, "property value", err
		}
		switch {
		case t.Opening:
			depth++
		case t.Closing && depth == 0:
			if t.Number != 3 {
				return off, "property value closing tag", ErrBadTag
			}
			s.Values = b[start:off]
			return 0, "", nil
		case t.Closing:
			depth--
		case !s.HasValue && depth == 0 && !t.Context:
			s.Value, s.HasValue = t, true
		}
		off += n
	}
}

func (s *ErrorInfo) decode(b []byte) (int, string, error) {
	*s = ErrorInfo{}
	// Error class and code are the first two application Enumerated values;
	// some services wrap them in a context opening tag (e.g. [0]).
	var r TagReader
	r.Data = b
	got := 0
	for got < 2 && r.Next() {
		t := r.Tag()
		if t.Opening || t.Closing {
			continue
		}
		if !t.IsApp(TagEnumerated) {
			return r.Offset(), "error class/code", ErrBadTag
		}
		v, ok := t.Unsigned()
		if !ok {
			return r.Offset(), "error class/code", ErrBadLength
		}
		if got == 0 {
			s.Class = v
		} else {
			s.Code = v
		}
		got++
	}
	if r.Err() != nil {
		return r.Offset(), "error class/code", r.Err()
	}
	if got < 2 {
		return len(b), "error class/code", ErrTooShort
	}
	return 0, "", nil
}
