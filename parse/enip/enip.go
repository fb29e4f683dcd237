// Package enip decodes EtherNet/IP (ODVA Volume 2) encapsulation messages,
// their Common Packet Format (CPF) items, ListIdentity replies and the CIP
// message header (service, request path, general status) carried in
// SendRRData/SendUnitData, without allocating: byte fields are views into the
// input.
//
// Explicit messaging runs on TCP (and UDP for ListIdentity) port 44818 and
// starts with the 24-byte encapsulation header: use [Packet.Decode] or
// [Split]. Class 0/1 I/O runs on UDP port 2222 and is a bare CPF without an
// encapsulation header: use [CPF] (see [IsIO]).
//
// Entry points: [Split] or [Packet.Decode]; [Packet.Items] for the CPF items
// ([Items.Next] into a caller-owned [Item]); [Item.Identity] for ListIdentity
// replies; [Item.CIP] for the CIP message of a data item, then
// [Message.Embedded] (Multiple Service Packet) and [Message.UnconnectedSend].
//
// Field correspondence with Wireshark (tshark field names, see the corpus
// README field map):
//
//	Header.Command        enip.command
//	Header.Length         enip.length
//	Header.Session        enip.session
//	Header.Status         enip.status
//	Item.TypeID           enip.cpf.typeid
//	Identity.VendorID     enip.lir.vendor
//	Identity.DeviceType   enip.lir.devtype
//	Identity.ProductCode  enip.lir.prodcode
//	Identity.Revision()   enip.lir.revision (major<<8 + minor)
//	Identity.Status       enip.lir.status
//	Identity.SerialNumber enip.lir.serial
//	Identity.ProductName  enip.lir.name
//	Identity.State        enip.lir.state
//	Message.Service       cip.sc (response bit masked off)
//	Message.Path.Class    cip.class (requests; Wireshark also shows it on
//	                      replies by matching the request, which bytes alone cannot)
//	Message.GeneralStatus cip.genstat
package enip

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// Ports used by EtherNet/IP.
const (
	Port   = 44818 // explicit messaging, TCP and UDP
	PortIO = 2222  // implicit (I/O) messaging, UDP
)

// IsIO reports whether a UDP datagram between these ports is EtherNet/IP
// implicit (I/O) messaging: a bare CPF, decoded with [CPF]. Its connected
// data item holds the I/O data (sequence count, optional run/idle header,
// application data), which this package does not interpret.
func IsIO(srcPort, dstPort uint16) bool { return srcPort == PortIO || dstPort == PortIO }

// HeaderLen is the length of the encapsulation header.
const HeaderLen = 24

// Command is an encapsulation command (enip.command).
type Command uint16

// Encapsulation commands.
const (
	CmdNOP               Command = 0x0000
	CmdListServices      Command = 0x0004
	CmdListIdentity      Command = 0x0063
	CmdListInterfaces    Command = 0x0064
	CmdRegisterSession   Command = 0x0065
	CmdUnRegisterSession Command = 0x0066
	CmdSendRRData        Command = 0x006F
	CmdSendUnitData      Command = 0x0070
	CmdIndicateStatus    Command = 0x0072
	CmdCancel            Command = 0x0073
)

// String returns the command name.
func (c Command) String() string {
	switch c {
	case CmdNOP:
		return "NOP"
	case CmdListServices:
		return "ListServices"
	case CmdListIdentity:
		return "ListIdentity"
	case CmdListInterfaces:
		return "ListInterfaces"
	case CmdRegisterSession:
		return "RegisterSession"
	case CmdUnRegisterSession:
		return "UnRegisterSession"
	case CmdSendRRData:
		return "SendRRData"
	case CmdSendUnitData:
		return "SendUnitData"
	case CmdIndicateStatus:
		return "IndicateStatus"
	case CmdCancel:
		return "Cancel"
	}
	return fmt.Sprintf("Command(%#04x)", uint16(c))
}

// Known reports whether c is one of the commands above.
func (c Command) Known() bool {
	switch c {
	case CmdNOP, CmdListServices, CmdListIdentity, CmdListInterfaces, CmdRegisterSession,
		CmdUnRegisterSession, CmdSendRRData, CmdSendUnitData, CmdIndicateStatus, CmdCancel:
		return true
	}
	return false
}

// ItemType is a CPF item type id (enip.cpf.typeid).
type ItemType uint16

// CPF item types.
const (
	ItemNullAddress      ItemType = 0x0000
	ItemListIdentity     ItemType = 0x000C
	ItemConnectedAddress ItemType = 0x00A1 // connection id
	ItemConnectedData    ItemType = 0x00B1 // sequence count + CIP (or I/O data)
	ItemUnconnectedData  ItemType = 0x00B2 // CIP
	ItemListServices     ItemType = 0x0100
	ItemSockaddrOT       ItemType = 0x8000
	ItemSockaddrTO       ItemType = 0x8001
	ItemSequencedAddress ItemType = 0x8002 // connection id + sequence number
)

// Errors returned by the decoder; test with errors.Is.
var (
	// ErrTooShort: the input ends before a header, item or field it needs.
	ErrTooShort = errors.New("enip: too short")
	// ErrTruncated: the encapsulation Length runs past the end of the input
	// (the message continues in the next TCP segment). It wraps ErrTooShort;
	// the header is valid and Data holds the bytes present.
	ErrTruncated = fmt.Errorf("%w: message continues beyond input", ErrTooShort)
	// ErrBadLength: a length or count field does not fit its container.
	ErrBadLength = errors.New("enip: bad length")
	// ErrNoCPF: the command carries no Common Packet Format.
	ErrNoCPF = errors.New("enip: command has no CPF")
	// ErrWrongItem: a typed accessor was called on an item of another type.
	ErrWrongItem = errors.New("enip: wrong CPF item type")
)

// Error is a decoding error with the byte offset where it was found (from
// the start of the input given to the function that returned it). It wraps
// one of the sentinel errors.
//
// The conditions met in ordinary traffic are returned as bare sentinels,
// without allocating: ErrTooShort for an input shorter than the
// encapsulation header, ErrTruncated, ErrNoCPF, ErrWrongItem and
// ErrWrongService. Corruption (bad lengths, paths) comes as *Error.
type Error struct {
	Offset int
	What   string
	Err    error
}

func (e *Error) Error() string { return fmt.Sprintf("%v: %s at offset %d", e.Err, e.What, e.Offset) }

// Unwrap returns the sentinel error.
func (e *Error) Unwrap() error { return e.Err }

// Header is the encapsulation header (all fields little-endian on the wire).
type Header struct {
	Command       Command
	Length        uint16 // bytes of command-specific data after the header
	Session       uint32 // session handle
	Status        uint32 // 0 = success
	SenderContext [8]byte
	Options       uint32
}

// Packet is one encapsulation message.
type Packet struct {
	Header
	// Data is a view of the command-specific data (Length bytes, fewer when
	// Decode returns ErrTruncated).
	Data []byte
}

// Parse decodes the first encapsulation message of b.
func Parse(b []byte) (Packet, error) {
	var p Packet
	err := p.Decode(b)
	return p, err
}

// Decode decodes the first encapsulation message of b into p. Bytes after it
// are ignored (see [Packet.Size] and [Split]).
func (p *Packet) Decode(b []byte) error {
	if len(b) < HeaderLen {
		*p = Packet{}
		return ErrTooShort
	}
	p.Command = Command(binary.LittleEndian.Uint16(b))
	p.Length = binary.LittleEndian.Uint16(b[2:])
	p.Session = binary.LittleEndian.Uint32(b[4:])
	p.Status = binary.LittleEndian.Uint32(b[8:])
	copy(p.SenderContext[:], b[12:20])
	p.Options = binary.LittleEndian.Uint32(b[20:])
	end := HeaderLen + int(p.Length)
	if end > len(b) {
		p.Data = b[HeaderLen:len(b):len(b)]
		return ErrTruncated
	}
	p.Data = b[HeaderLen:end:end]
	return nil
}

// Size returns the bytes the message occupies: HeaderLen + Length.
func (p *Packet) Size() int { return HeaderLen + int(p.Length) }

// Packets iterates over the encapsulation messages of one TCP payload.
type Packets struct {
	rest []byte
	off  int
	err  error
}

// Split returns an iterator over the messages packed back to back in b.
func Split(b []byte) Packets { return Packets{rest: b} }

// Next decodes the next message into p and reports whether it did; false at
// the end or on an error (see Err; on ErrTruncated p holds the partial message).
func (it *Packets) Next(p *Packet) bool {
	if len(it.rest) == 0 || it.err != nil {
		return false
	}
	if err := p.Decode(it.rest); err != nil {
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

// Err returns the error that stopped the iteration, if any.
func (it *Packets) Err() error { return it.err }

// SendData holds the fixed part of SendRRData and SendUnitData.
type SendData struct {
	InterfaceHandle uint32 // 0 for CIP
	Timeout         uint16
}

// Items returns the CPF items of p: for SendRRData and SendUnitData after
// their interface handle and timeout (returned in sd), for ListIdentity,
// ListServices and ListInterfaces replies directly. A request without data
// (ListIdentity request) yields an empty iterator. Other commands return
// ErrNoCPF.
func (p *Packet) Items() (sd SendData, items Items, err error) {
	d := p.Data
	switch p.Command {
	case CmdSendRRData, CmdSendUnitData:
		if len(d) < 6 {
			return sd, Items{}, &Error{Offset: HeaderLen + len(d), What: "interface handle/timeout", Err: ErrTooShort}
		}
		sd.InterfaceHandle = binary.LittleEndian.Uint32(d)
		sd.Timeout = binary.LittleEndian.Uint16(d[4:])
		items, err = cpfAt(d[6:], HeaderLen+6)
		return sd, items, err
	case CmdListIdentity, CmdListServices, CmdListInterfaces:
		if len(d) == 0 {
			return sd, Items{}, nil
		}
		items, err = cpfAt(d, HeaderLen)
		return sd, items, err
	}
	return sd, Items{}, ErrNoCPF
}

// CPF returns an iterator over a bare Common Packet Format, as carried by
// I/O datagrams on UDP port 2222.
func CPF(b []byte) (Items, error) { return cpfAt(b, 0) }

func cpfAt(b []byte, base int) (Items, error) {
	if len(b) < 2 {
		return Items{}, &Error{Offset: base + len(b), What: "CPF item count", Err: ErrTooShort}
	}
	return Items{rest: b[2:], off: base + 2, left: int(binary.LittleEndian.Uint16(b)), count: binary.LittleEndian.Uint16(b)}, nil
}

// Items iterates over CPF items. The zero value yields nothing.
type Items struct {
	rest  []byte
	off   int
	left  int
	count uint16
	err   error
}

// Count returns the item count announced by the CPF.
func (it *Items) Count() uint16 { return it.count }

// Item is one CPF item.
type Item struct {
	TypeID ItemType
	Data   []byte // view of the item's Length bytes
	Offset int    // offset of the item header in the decoded input
}

// Next decodes the next item into item and reports whether there was one;
// false after Count items or on an error (see Err).
func (it *Items) Next(item *Item) bool {
	if it.left == 0 || it.err != nil {
		return false
	}
	if len(it.rest) < 4 {
		it.err = &Error{Offset: it.off, What: "CPF item header", Err: ErrTooShort}
		return false
	}
	n := int(binary.LittleEndian.Uint16(it.rest[2:]))
	if 4+n > len(it.rest) {
		it.err = &Error{Offset: it.off + 2, What: "CPF item length", Err: ErrBadLength}
		return false
	}
	item.TypeID, item.Data, item.Offset = ItemType(binary.LittleEndian.Uint16(it.rest)), it.rest[4:4+n:4+n], it.off
	it.rest, it.off, it.left = it.rest[4+n:], it.off+4+n, it.left-1
	return true
}

// Err returns the error that stopped the iteration, if any.
func (it *Items) Err() error { return it.err }

// ConnectionID returns the connection id of a connected address item
// (0x00A1) or of a sequenced address item (0x8002, whose sequence number is
// returned too).
func (i *Item) ConnectionID() (connID, seq uint32, err error) {
	switch i.TypeID {
	case ItemConnectedAddress:
		if len(i.Data) < 4 {
			return 0, 0, &Error{Offset: i.Offset + 4, What: "connection id", Err: ErrTooShort}
		}
		return binary.LittleEndian.Uint32(i.Data), 0, nil
	case ItemSequencedAddress:
		if len(i.Data) < 8 {
			return 0, 0, &Error{Offset: i.Offset + 4, What: "sequenced address", Err: ErrTooShort}
		}
		return binary.LittleEndian.Uint32(i.Data), binary.LittleEndian.Uint32(i.Data[4:]), nil
	}
	return 0, 0, ErrWrongItem
}

// Identity is the content of a ListIdentity reply item (0x000C).
type Identity struct {
	ProtocolVersion uint16
	// Socket address as sent (big-endian on the wire): family, port, address.
	SocketFamily  uint16
	SocketPort    uint16
	SocketAddr    netip.Addr
	VendorID      uint16
	DeviceType    uint16
	ProductCode   uint16
	RevisionMajor uint8
	RevisionMinor uint8
	Status        uint16
	SerialNumber  uint32
	ProductName   []byte // view
	State         uint8
}

// Revision returns the revision as Wireshark's enip.lir.revision shows it:
// major in the high byte, minor in the low byte.
func (id *Identity) Revision() uint16 { return uint16(id.RevisionMajor)<<8 | uint16(id.RevisionMinor) }

const identityFixed = 2 + 16 + 2 + 2 + 2 + 2 + 2 + 4 + 1 // up to the product name length

// Identity decodes a ListIdentity item.
func (i *Item) Identity() (Identity, error) {
	var id Identity
	if i.TypeID != ItemListIdentity {
		return id, ErrWrongItem
	}
	d := i.Data
	if len(d) < identityFixed {
		return id, &Error{Offset: i.Offset + 4 + len(d), What: "ListIdentity item", Err: ErrTooShort}
	}
	id.ProtocolVersion = binary.LittleEndian.Uint16(d)
	id.SocketFamily = binary.BigEndian.Uint16(d[2:])
	id.SocketPort = binary.BigEndian.Uint16(d[4:])
	id.SocketAddr = netip.AddrFrom4([4]byte{d[6], d[7], d[8], d[9]})
	id.VendorID = binary.LittleEndian.Uint16(d[18:])
	id.DeviceType = binary.LittleEndian.Uint16(d[20:])
	id.ProductCode = binary.LittleEndian.Uint16(d[22:])
	id.RevisionMajor, id.RevisionMinor = d[24], d[25]
	id.Status = binary.LittleEndian.Uint16(d[26:])
	id.SerialNumber = binary.LittleEndian.Uint32(d[28:])
	n := int(d[32])
	if identityFixed+n+1 > len(d) {
		return id, &Error{Offset: i.Offset + 4 + 32, What: "product name length", Err: ErrBadLength}
	}
	id.ProductName = d[identityFixed : identityFixed+n : identityFixed+n]
	id.State = d[identityFixed+n]
	return id, nil
}

// CIP decodes the CIP message of an unconnected data item (0x00B2) or of a
// connected data item (0x00B1, after its 2-byte sequence count, returned as
// seq) into m.
func (i *Item) CIP(m *Message) (seq uint16, err error) {
	switch i.TypeID {
	case ItemUnconnectedData:
		return 0, m.Decode(i.Data)
	case ItemConnectedData:
		if len(i.Data) < 2 {
			return 0, &Error{Offset: i.Offset + 4, What: "sequence count", Err: ErrTooShort}
		}
		return binary.LittleEndian.Uint16(i.Data), m.Decode(i.Data[2:])
	}
	return 0, ErrWrongItem
}
