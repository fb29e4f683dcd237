package bacnet

import (
	"encoding/binary"
	"unicode/utf8"
)

// Application tag numbers (ASHRAE 135 clause 20.2.1.4).
const (
	TagNull            = 0
	TagBoolean         = 1
	TagUnsigned        = 2
	TagSigned          = 3
	TagReal            = 4
	TagDouble          = 5
	TagOctetString     = 6
	TagCharacterString = 7
	TagBitString       = 8
	TagEnumerated      = 9
	TagDate            = 10
	TagTime            = 11
	TagObjectID        = 12
)

// Character set codes: the first octet of a CharacterString.
const (
	CharsetUTF8     = 0 // ANSI X3.4 / UTF-8
	CharsetDBCS     = 1 // IBM/Microsoft DBCS
	CharsetJISX0208 = 2
	CharsetUCS4     = 3
	CharsetUCS2     = 4
	CharsetISO88591 = 5
)

// Tag is one BACnet tag: an application or context tag with its value
// octets, or an opening or closing tag (context class, no value).
type Tag struct {
	Number  uint8 // tag number (0-254; 15+ use the extended form)
	Context bool  // context-specific class (else application)
	Opening bool  // opening tag (context, LVT 6)
	Closing bool  // closing tag (context, LVT 7)
	// Length is the value length; for an application Boolean it is the
	// value itself (0 or 1) and Data is empty.
	Length uint32
	// Data is the value octets, a view into the input.
	Data []byte
}

// ReadTag decodes the tag at the start of b and returns it with the number
// of octets it occupies (header and value). Errors: ErrTooShort when b ends
// inside the tag, ErrBadTag for a reserved encoding (tag number 255,
// application tag with LVT 6/7). Lengths are bounds-checked against b.
func ReadTag(b []byte) (Tag, int, error) {
	var t Tag
	if len(b) == 0 {
		return t, 0, ErrTooShort
	}
	h := b[0]
	n := 1
	t.Number = h >> 4
	t.Context = h&0x08 != 0
	lvt := uint32(h & 0x07)
	if t.Number == 15 {
		if len(b) < 2 {
			return t, 0, ErrTooShort
		}
		if b[1] == 255 {
			return t, 0, ErrBadTag
		}
		t.Number = b[1]
		n = 2
	}
	if t.Context && (lvt == 6 || lvt == 7) {
		t.Opening, t.Closing = lvt == 6, lvt == 7
		return t, n, nil
	}
	if !t.Context && t.Number == TagBoolean {
		if lvt > 1 {
			return t, 0, ErrBadTag
		}
		t.Length = lvt
		return t, n, nil
	}
	if !t.Context && lvt > 5 {
		return t, 0, ErrBadTag
	}
	if lvt == 5 {
		if len(b) < n+1 {
			return t, 0, ErrTooShort
		}
		lvt = uint32(b[n])
		n++
		switch lvt {
		case 254:
			if len(b) < n+2 {
				return t, 0, ErrTooShort
			}
			lvt = uint32(binary.BigEndian.Uint16(b[n:]))
			n += 2
		case 255:
			if len(b) < n+4 {
				return t, 0, ErrTooShort
			}
			lvt = binary.BigEndian.Uint32(b[n:])
			n += 4
		}
	}
	if uint64(lvt) > uint64(len(b)-n) {
		return t, 0, ErrTooShort
	}
	t.Length = lvt
	t.Data = b[n : n+int(lvt)]
	return t, n + int(lvt), nil
}

// IsApp reports whether t is an application tag with the given number.
func (t Tag) IsApp(number uint8) bool {
	return !t.Context && !t.Opening && !t.Closing && t.Number == number
}

// IsContext reports whether t is a context tag with a value and the given
// number.
func (t Tag) IsContext(number uint8) bool {
	return t.Context && !t.Opening && !t.Closing && t.Number == number
}

// Unsigned returns the value as an unsigned integer (Unsigned, Enumerated
// or a context tag holding one); ok is false when it has 0 or more than 4
// octets.
func (t Tag) Unsigned() (v uint32, ok bool) {
	if len(t.Data) == 0 || len(t.Data) > 4 {
		return 0, false
	}
	for _, x := range t.Data {
		v = v<<8 | uint32(x)
	}
	return v, true
}

// ObjectID returns the value as an object identifier; ok is false unless
// it has exactly 4 octets.
func (t Tag) ObjectID() (ObjectID, bool) {
	if len(t.Data) != 4 {
		return 0, false
	}
	return ObjectID(binary.BigEndian.Uint32(t.Data)), true
}

// CharString returns the character set and the encoded octets of a
// CharacterString value (views into the input); ok is false when t is not
// an application CharacterString or is empty.
func (t Tag) CharString() (charset uint8, s []byte, ok bool) {
	if !t.IsApp(TagCharacterString) || len(t.Data) == 0 {
		return 0, nil, false
	}
	return t.Data[0], t.Data[1:], true
}

// AppendUTF8 appends s, encoded in the given BACnet character set, to dst as
// UTF-8 and returns the extended slice. UTF-8/ANSI and ISO 8859-1 are
// converted exactly, UCS-2 and UCS-4 big-endian per code unit; invalid or
// unsupported input (DBCS, JIS) is replaced by U+FFFD per octet. It does
// not allocate when dst has room.
func AppendUTF8(dst []byte, charset uint8, s []byte) []byte {
	switch charset {
	case CharsetUTF8:
		for len(s) > 0 {
			r, n := utf8.DecodeRune(s)
			dst = utf8.AppendRune(dst, r)
			s = s[n:]
		}
	case CharsetISO88591:
		for _, c := range s {
			dst = utf8.AppendRune(dst, rune(c))
		}
	case CharsetUCS2:
		for ; len(s) >= 2; s = s[2:] {
			dst = utf8.AppendRune(dst, rune(binary.BigEndian.Uint16(s)))
		}
		if len(s) == 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		}
	case CharsetUCS4:
		for ; len(s) >= 4; s = s[4:] {
			dst = utf8.AppendRune(dst, rune(binary.BigEndian.Uint32(s)))
		}
		for range s {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		}
	default:
		for range s {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		}
	}
	return dst
}

// ObjectID is a BACnet object identifier: a 10-bit object type and a 22-bit
// instance number.
type ObjectID uint32

// Type returns the object type (oracle object_type); 8 is device.
func (o ObjectID) Type() uint16 { return uint16(o >> 22) }

// Instance returns the instance number (oracle instance_number).
func (o ObjectID) Instance() uint32 { return uint32(o) & 0x3fffff }

// ObjectTypeDevice is the object type of a device object.
const ObjectTypeDevice = 8

// TagReader walks a sequence of tags without allocating.
//
//	r := bacnet.TagReader{Data: p.APDU.Body}
//	for r.Next() { t := r.Tag() ... }
//	if r.Err() != nil { ... }
type TagReader struct {
	// Data is the remaining input; set it before the first Next.
	Data []byte
	tag  Tag
	off  int
	err  error
}

// Next decodes the next tag and reports whether there was one.
func (r *TagReader) Next() bool {
	if r.err != nil || r.off >= len(r.Data) {
		return false
	}
	t, n, err := ReadTag(r.Data[r.off:])
	if err != nil {
		r.err = err
		return false
	}
	r.tag = t
	r.off += n
	return true
}

// Tag returns the tag decoded by the last Next.
func (r *TagReader) Tag() Tag { return r.tag }

// Offset is the offset in Data of the next undecoded octet.
func (r *TagReader) Offset() int { return r.off }

// Err returns the error that stopped the reader, or nil at a clean end.
func (r *TagReader) Err() error { return r.err }
