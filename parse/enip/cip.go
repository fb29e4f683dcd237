package enip

import (
	"encoding/binary"
	"errors"
)

// CIP service codes (cip.sc) common in explicit messaging.
const (
	SvcGetAttributesAll      uint8 = 0x01
	SvcGetAttributeList      uint8 = 0x03
	SvcSetAttributeList      uint8 = 0x04
	SvcReset                 uint8 = 0x05
	SvcMultipleServicePacket uint8 = 0x0A
	SvcGetAttributeSingle    uint8 = 0x0E
	SvcSetAttributeSingle    uint8 = 0x10
	SvcForwardClose          uint8 = 0x4E
	SvcUnconnectedSend       uint8 = 0x52
	SvcForwardOpen           uint8 = 0x54
	SvcLargeForwardOpen      uint8 = 0x5B
)

// CIP class ids (cip.class) useful for asset discovery.
const (
	ClassIdentity          uint32 = 0x01
	ClassMessageRouter     uint32 = 0x02
	ClassConnectionManager uint32 = 0x06
	ClassTCPIPInterface    uint32 = 0xF5
	ClassEthernetLink      uint32 = 0xF6
)

// ResponseBit is set in the service code of a reply.
const ResponseBit = 0x80

// Errors of the CIP layer; test with errors.Is.
var (
	// ErrBadPath: a request path (EPATH) segment is malformed or unknown.
	ErrBadPath = errors.New("enip: bad CIP path")
	// ErrWrongService: a service-specific accessor was called on another service.
	ErrWrongService = errors.New("enip: wrong CIP service")
)

// Message is a CIP message router request or reply header.
type Message struct {
	Service    uint8 // service code, response bit masked off
	IsResponse bool
	// Request only:
	RawPath []byte // view of the request path (path size words)
	Path    Path   // the logical segments of RawPath
	// Reply only:
	GeneralStatus uint8  // 0 = success
	ExtStatus     []byte // view of the additional status words
	// Data is a view of the request or reply data after the path / status.
	Data []byte
}

// Path holds the logical segments of a request path. Has* tell which were
// present; the first of each kind wins (a path routed through ports keeps
// the segments addressed to the final object).
type Path struct {
	Class, Instance, Attribute, ConnectionPoint             uint32
	HasClass, HasInstance, HasAttribute, HasConnectionPoint bool
	Symbol                                                  []byte // ANSI extended symbol segment (tag name), view
}

// ParseMessage decodes a CIP message.
func ParseMessage(b []byte) (Message, error) {
	var m Message
	err := m.Decode(b)
	return m, err
}

// Decode decodes a CIP message router request or reply from b into m.
func (m *Message) Decode(b []byte) error {
	m.RawPath, m.ExtStatus, m.Data, m.GeneralStatus = nil, nil, nil, 0
	m.Path = Path{}
	if len(b) < 2 {
		m.Service, m.IsResponse = 0, false
		return &Error{Offset: len(b), What: "CIP header", Err: ErrTooShort}
	}
	m.Service = b[0] &^ ResponseBit
	m.IsResponse = b[0]&ResponseBit != 0
	if m.IsResponse {
		if len(b) < 4 {
			return &Error{Offset: len(b), What: "CIP reply header", Err: ErrTooShort}
		}
		m.GeneralStatus = b[2]
		n := 4 + 2*int(b[3])
		if n > len(b) {
			return &Error{Offset: 3, What: "additional status size", Err: ErrBadLength}
		}
		m.ExtStatus = b[4:n:n]
		m.Data = b[n:]
		return nil
	}
	n := 2 + 2*int(b[1])
	if n > len(b) {
		return &Error{Offset: 1, What: "request path size", Err: ErrBadLength}
	}
	m.RawPath = b[2:n:n]
	m.Data = b[n:]
	err := parsePath(m.RawPath, &m.Path)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Offset += 2
		}
	}
	return err
}

// ParsePath decodes the logical segments of an EPATH (padded format).
func ParsePath(p []byte) (Path, error) {
	var out Path
	err := parsePath(p, &out)
	return out, err
}

func parsePath(p []byte, out *Path) error {
	off := 0
	for off < len(p) {
		seg := p[off]
		switch seg & 0xE0 {
		case 0x00: // port segment
			n := 2
			if seg&0x10 != 0 { // extended link address
				if off+1 >= len(p) {
					return &Error{Offset: off, What: "port segment", Err: ErrBadPath}
				}
				n = 2 + int(p[off+1])
			}
			if seg&0x0F == 0x0F {
				n += 2
			}
			n += n & 1
			if off+n > len(p) {
				return &Error{Offset: off, What: "port segment", Err: ErrBadPath}
			}
			off += n
		case 0x20: // logical segment
			ltype := (seg >> 2) & 7
			var v uint32
			var n int
			if ltype == 5 { // special: electronic key, format byte + 8 bytes
				n = 10
			} else {
				switch seg & 3 {
				case 0:
					if off+2 > len(p) {
						return &Error{Offset: off, What: "logical segment", Err: ErrBadPath}
					}
					v, n = uint32(p[off+1]), 2
				case 1:
					if off+4 > len(p) {
						return &Error{Offset: off, What: "logical segment", Err: ErrBadPath}
					}
					v, n = uint32(binary.LittleEndian.Uint16(p[off+2:])), 4
				case 2:
					if off+6 > len(p) {
						return &Error{Offset: off, What: "logical segment", Err: ErrBadPath}
					}
					v, n = binary.LittleEndian.Uint32(p[off+2:]), 6
				default:
					return &Error{Offset: off, What: "logical segment format", Err: ErrBadPath}
				}
			}
			if off+n > len(p) {
				return &Error{Offset: off, What: "logical segment", Err: ErrBadPath}
			}
			switch ltype {
			case 0:
				if !out.HasClass {
					out.Class, out.HasClass = v, true
				}
			case 1:
				if !out.HasInstance {
					out.Instance, out.HasInstance = v, true
				}
			case 3:
				if !out.HasConnectionPoint {
					out.ConnectionPoint, out.HasConnectionPoint = v, true
				}
			case 4:
				if !out.HasAttribute {
					out.Attribute, out.HasAttribute = v, true
				}
			}
			off += n
		case 0x40: // network segment
			n := 2
			if seg == 0x50 { // extended network segment: length in words
				if off+2 > len(p) {
					return &Error{Offset: off, What: "network segment", Err: ErrBadPath}
				}
				n = 2 + 2*int(p[off+1])
			}
			if off+n > len(p) {
				return &Error{Offset: off, What: "network segment", Err: ErrBadPath}
			}
			off += n
		case 0x60: // symbolic segment
			n := 1 + int(seg&0x1F)
			n += n & 1
			if seg&0x1F == 0 || off+n > len(p) {
				return &Error{Offset: off, What: "symbolic segment", Err: ErrBadPath}
			}
			off += n
		case 0x80: // data segment
			if off+2 > len(p) {
				return &Error{Offset: off, What: "data segment", Err: ErrBadPath}
			}
			switch seg {
			case 0x80: // simple data: word count
				n := 2 + 2*int(p[off+1])
				if off+n > len(p) {
					return &Error{Offset: off, What: "data segment", Err: ErrBadPath}
				}
				off += n
			case 0x91: // ANSI extended symbol
				l := int(p[off+1])
				n := 2 + l + l&1
				if off+n > len(p) {
					return &Error{Offset: off, What: "symbol segment", Err: ErrBadPath}
				}
				if out.Symbol == nil {
					out.Symbol = p[off+2 : off+2+l : off+2+l]
				}
				off += n
			default:
				return &Error{Offset: off, What: "data segment type", Err: ErrBadPath}
			}
		default:
			return &Error{Offset: off, What: "segment type", Err: ErrBadPath}
		}
	}
	return nil
}

// Embedded iterates over the services of a Multiple Service Packet request
// or reply. The zero value yields nothing.
type Embedded struct {
	data []byte // from the service count
	i, n int
	err  error
}

// Embedded returns an iterator over the messages bundled in a Multiple
// Service Packet (service 0x0A) request or reply. Other messages yield
// nothing. A failed reply (non-zero general status other than 0x1E,
// "embedded service error") carries no list and yields nothing.
func (m *Message) Embedded() Embedded {
	if m.Service != SvcMultipleServicePacket || len(m.Data) < 2 {
		return Embedded{}
	}
	if m.IsResponse && m.GeneralStatus != 0 && m.GeneralStatus != 0x1E {
		return Embedded{}
	}
	return Embedded{data: m.Data, n: int(binary.LittleEndian.Uint16(m.Data))}
}

// Next decodes the next embedded message into m; false at the end or on an
// error (see Err).
func (it *Embedded) Next(m *Message) bool {
	if it.i >= it.n || it.err != nil {
		return false
	}
	idx := 2 + 2*it.i
	if idx+2 > len(it.data) {
		it.err = &Error{Offset: idx, What: "service offset table", Err: ErrBadLength}
		return false
	}
	start := int(binary.LittleEndian.Uint16(it.data[idx:]))
	end := len(it.data)
	if it.i+1 < it.n && idx+4 <= len(it.data) {
		end = int(binary.LittleEndian.Uint16(it.data[idx+2:]))
	}
	if start < 2+2*it.n || start > end || end > len(it.data) {
		it.err = &Error{Offset: idx, What: "service offset", Err: ErrBadLength}
		return false
	}
	it.i++
	if err := m.Decode(it.data[start:end:end]); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Offset += start
		}
		it.err = err
		return false
	}
	return true
}

// Err returns the error that stopped the iteration, if any.
func (it *Embedded) Err() error { return it.err }

// UnconnectedSend decodes the message embedded in an Unconnected Send request
// (service 0x52 to the Connection Manager) into inner, and returns a view of
// the route path.
func (m *Message) UnconnectedSend(inner *Message) (route []byte, err error) {
	if m.IsResponse || m.Service != SvcUnconnectedSend {
		return nil, ErrWrongService
	}
	d := m.Data
	if len(d) < 4 {
		return nil, &Error{Offset: len(d), What: "unconnected send", Err: ErrTooShort}
	}
	n := int(binary.LittleEndian.Uint16(d[2:]))
	if 4+n > len(d) {
		return nil, &Error{Offset: 2, What: "embedded message size", Err: ErrBadLength}
	}
	if err := inner.Decode(d[4 : 4+n : 4+n]); err != nil {
		return nil, err
	}
	ro := 4 + n + n&1 // pad byte after an odd-sized message
	if ro > len(d) {
		return nil, &Error{Offset: ro, What: "route path", Err: ErrTooShort}
	}
	r := d[ro:]
	if len(r) < 2 || 2+2*int(r[0]) > len(r) {
		return nil, &Error{Offset: 4 + n, What: "route path", Err: ErrBadLength}
	}
	return r[2 : 2+2*int(r[0])], nil
}
