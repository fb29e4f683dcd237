package dnp3

import (
	"encoding/binary"
	"errors"
)

// ErrUnknownObject means an object block's data size cannot be derived
// (a group/variation whose size this package does not know), so the
// objects after it cannot be located. It is not a protocol error.
var ErrUnknownObject = errors.New("dnp3: object size unknown")

// ErrBadQualifier means an object header uses a reserved range specifier
// code (0xA, 0xC-0xF); the header is still returned by ObjectIter.
var ErrBadQualifier = errors.New("dnp3: reserved qualifier range code")

// Object is one object block: its header and the data of all its objects
// (prefixes included), a view into the fragment.
type Object struct {
	Header ObjectHeader
	Data   []byte
}

// ObjectIter walks the object blocks of an application fragment without
// allocating. Function codes whose objects carry no data (READ, the freeze
// functions, enable/disable unsolicited, assign class) are walked as
// headers only.
//
//	it := f.App.ObjectIter()
//	for it.Next() { o := it.Object() ... }
//	if err := it.Err(); err != nil { ... }
type ObjectIter struct {
	b          []byte
	off        int
	headerOnly bool
	obj        Object
	err        error
}

// ObjectIter returns an iterator over the object blocks of a.
func (a *App) ObjectIter() ObjectIter {
	return ObjectIter{b: a.Objects, headerOnly: headerOnlyFunc(a.Func)}
}

func headerOnlyFunc(fc uint8) bool {
	switch fc {
	case FuncRead, 7, 8, 9, 10, 20, 21, 22:
		return true
	}
	return false
}

// Next decodes the next object block and reports whether there was one.
func (it *ObjectIter) Next() bool {
	if it.err != nil || it.off >= len(it.b) {
		return false
	}
	var a App
	_, _, err := a.decodeObjectHeader(it.b, it.off)
	if err != nil {
		it.err = err
		if errors.Is(err, ErrBadQualifier) {
			// Group, variation and qualifier are known: return the
			// header, then stop.
			it.obj = Object{Header: a.Object}
			it.off = len(it.b)
			return true
		}
		return false
	}
	h := a.Object
	it.off += 3 + rangeLen(h.RangeCode())
	start := it.off
	if !it.headerOnly {
		n, err := objectDataLen(h, it.b[it.off:])
		if err != nil {
			// Return the header with the rest of the fragment as its
			// data, then stop.
			it.err = err
			it.obj = Object{Header: h, Data: it.b[start:]}
			it.off = len(it.b)
			return true
		}
		it.off += n
	}
	it.obj = Object{Header: h, Data: it.b[start:it.off]}
	return true
}

// Object returns the block decoded by the last Next.
func (it *ObjectIter) Object() Object { return it.obj }

// Err returns the error that stopped iteration: nil at the end of the
// fragment, ErrUnknownObject or ErrBadLength (object data runs past the
// end) after returning that block's header with the rest of the fragment as
// Data, ErrBadQualifier after returning that header, or ErrBadLength when an
// object header itself is cut short.
func (it *ObjectIter) Err() error { return it.err }

func rangeLen(rc uint8) int {
	switch rc {
	case 0, 3:
		return 2
	case 1, 4:
		return 4
	case 2, 5:
		return 8
	case 7, 0xb:
		return 1
	case 8:
		return 2
	case 9:
		return 4
	}
	return 0
}

// objectDataLen returns the octets occupied by the objects of block h at
// the start of b.
func objectDataLen(h ObjectHeader, b []byte) (int, error) {
	rc := h.RangeCode()
	if rc == 6 {
		return 0, nil // all objects: no data
	}
	count := uint64(h.Count)
	if rc <= 5 {
		if h.Stop < h.Start {
			// An empty (inverted) range: no objects, as Wireshark reads it.
			return 0, nil
		}
		count = uint64(h.Stop) - uint64(h.Start) + 1
	}
	prefix := h.PrefixCode()
	var prefixLen int
	switch prefix {
	case 0:
	case 1, 4:
		prefixLen = 1
	case 2, 5:
		prefixLen = 2
	case 3, 6:
		prefixLen = 4
	default:
		return 0, ErrBadLength
	}
	if prefix >= 4 {
		// Size prefix: each object is its size field then that many octets.
		off := 0
		for i := uint64(0); i < count; i++ {
			if off+prefixLen > len(b) {
				return 0, ErrBadLength
			}
			var sz uint64
			switch prefixLen {
			case 1:
				sz = uint64(b[off])
			case 2:
				sz = uint64(binary.LittleEndian.Uint16(b[off:]))
			default:
				sz = uint64(binary.LittleEndian.Uint32(b[off:]))
			}
			if sz > uint64(len(b)-off-prefixLen) {
				return 0, ErrBadLength
			}
			off += prefixLen + int(sz)
		}
		return off, nil
	}
	size, bits := objectSize(h.Group, h.Variation)
	switch {
	case h.Group == 0 && h.Variation < 254:
		// Device attribute: data type, length, value.
		off := 0
		for i := uint64(0); i < count; i++ {
			if off+prefixLen+2 > len(b) {
				return 0, ErrBadLength
			}
			l := int(b[off+prefixLen+1])
			off += prefixLen + 2 + l
			if off > len(b) {
				return 0, ErrBadLength
			}
		}
		return off, nil
	case bits > 0:
		if prefix != 0 {
			return 0, ErrUnknownObject
		}
		n := (count*uint64(bits) + 7) / 8
		if n > uint64(len(b)) {
			return 0, ErrBadLength
		}
		return int(n), nil
	case size >= 0:
		n := count * uint64(prefixLen+size)
		if n > uint64(len(b)) {
			return 0, ErrBadLength
		}
		return int(n), nil
	}
	return 0, ErrUnknownObject
}

// objectSize returns the size in octets of one object of the given group
// and variation, or bits per point for packed variations, or (-1, 0) when
// unknown. Sizes are from IEEE 1815-2012 Annex A.
func objectSize(g, v uint8) (size int, bits int) {
	switch g {
	case 1:
		switch v {
		case 1:
			return 0, 1
		case 2:
			return 1, 0
		}
	case 3:
		switch v {
		case 1:
			return 0, 2
		case 2:
			return 1, 0
		}
	case 10:
		switch v {
		case 1:
			return 0, 1
		case 2:
			return 1, 0
		}
	case 12:
		switch v {
		case 1, 2:
			return 11, 0
		case 3:
			return 0, 1
		}
	case 60:
		if v >= 1 && v <= 4 {
			return 0, 0
		}
	case 80:
		if v == 1 {
			return 0, 1
		}
	case 110, 111, 112, 113:
		return int(v), 0 // octet strings: the variation is the length
	}
	if int(g) < len(sizeTable) && int(v) < len(sizeTable[g]) && sizeTable[g][v] > 0 {
		return int(sizeTable[g][v]), 0
	}
	return -1, 0
}

// sizeTable[group][variation] = octets per object (0 = unknown).
var sizeTable = [53][16]uint8{
	2:  {1: 1, 2: 7, 3: 3},
	4:  {1: 1, 2: 7, 3: 3},
	11: {1: 1, 2: 7},
	13: {1: 1, 2: 7},
	20: {1: 5, 2: 3, 3: 5, 4: 3, 5: 4, 6: 2, 7: 4, 8: 2},
	21: {1: 5, 2: 3, 3: 5, 4: 3, 5: 11, 6: 9, 7: 11, 8: 9, 9: 4, 10: 2, 11: 4, 12: 2},
	22: {1: 5, 2: 3, 3: 5, 4: 3, 5: 11, 6: 9, 7: 11, 8: 9},
	23: {1: 5, 2: 3, 3: 5, 4: 3, 5: 11, 6: 9, 7: 11, 8: 9},
	30: {1: 5, 2: 3, 3: 4, 4: 2, 5: 5, 6: 9},
	31: {1: 5, 2: 3, 3: 11, 4: 9, 5: 4, 6: 2, 7: 5, 8: 9},
	32: {1: 5, 2: 3, 3: 11, 4: 9, 5: 5, 6: 9, 7: 11, 8: 15},
	33: {1: 5, 2: 3, 3: 11, 4: 9, 5: 5, 6: 9, 7: 11, 8: 15},
	34: {1: 2, 2: 4, 3: 4},
	40: {1: 5, 2: 3, 3: 5, 4: 9},
	41: {1: 5, 2: 3, 3: 5, 4: 9},
	42: {1: 5, 2: 3, 3: 11, 4: 9, 5: 5, 6: 9, 7: 11, 8: 15},
	43: {1: 5, 2: 3, 3: 11, 4: 9, 5: 5, 6: 9, 7: 11, 8: 15},
	50: {1: 6, 2: 10, 3: 6, 4: 11},
	51: {1: 6, 2: 6},
	52: {1: 2, 2: 2},
}

// Device attribute variations of group 0 that identify a device.
const (
	AttrSoftwareVersion = 242
	AttrHardwareVersion = 243
	AttrUserLocation    = 245
	AttrUserID          = 246
	AttrUserName        = 247
	AttrSerialNumber    = 248
	AttrProductName     = 250 // product name and model
	AttrManufacturer    = 252
)

// DeviceAttribute returns the data type code and value of the first
// object of a group 0 (device attribute) block whose objects have no
// prefix; for string attributes (data type 1, VSTR) value is the text.
func DeviceAttribute(o Object) (dataType uint8, value []byte, ok bool) {
	if o.Header.Group != 0 || o.Header.PrefixCode() != 0 || len(o.Data) < 2 {
		return 0, nil, false
	}
	l := int(o.Data[1])
	if 2+l > len(o.Data) {
		return 0, nil, false
	}
	return o.Data[0], o.Data[2 : 2+l], true
}
