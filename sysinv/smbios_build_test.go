package sysinv

import "encoding/binary"

// This file builds SMBIOS tables and dump files for the tests, laid out per
// DSP0134 (structure header, formatted area, string set) and the
// `dmidecode --dump-bin` format (entry point at 0, table at 0x20).

// at places v (uint8, uint16, uint32, uint64 or []byte, little-endian) at
// offset off of a structure's formatted area, header included.
type at struct {
	off int
	v   any
}

// area returns an n-byte formatted area (header included; the header bytes
// are filled in by tableBuilder.add) with the given fields set.
func area(n int, fields ...at) []byte {
	b := make([]byte, n)
	for _, f := range fields {
		switch v := f.v.(type) {
		case int:
			if v < 0 || v > 0xff {
				panic("area: int field beyond a byte; use uint16/uint32")
			}
			b[f.off] = byte(v)
		case uint8:
			b[f.off] = v
		case uint16:
			binary.LittleEndian.PutUint16(b[f.off:], v)
		case uint32:
			binary.LittleEndian.PutUint32(b[f.off:], v)
		case uint64:
			binary.LittleEndian.PutUint64(b[f.off:], v)
		case []byte:
			copy(b[f.off:], v)
		case string:
			copy(b[f.off:], v)
		default:
			panic("area: unsupported field type")
		}
	}
	return b
}

// tableBuilder appends structures to a structure table.
type tableBuilder struct {
	b      []byte
	handle uint16
}

// add appends a structure of type typ with formatted area f (from area; its
// first four bytes are overwritten with the header) and the given strings.
func (tb *tableBuilder) add(typ byte, f []byte, strs ...string) *tableBuilder {
	f[0], f[1] = typ, byte(len(f))
	binary.LittleEndian.PutUint16(f[2:], tb.handle)
	tb.handle++
	tb.b = append(tb.b, f...)
	for _, s := range strs {
		tb.b = append(tb.b, s...)
		tb.b = append(tb.b, 0)
	}
	if len(strs) == 0 {
		tb.b = append(tb.b, 0)
	}
	tb.b = append(tb.b, 0)
	return tb
}

// end appends the end-of-table structure and returns the table.
func (tb *tableBuilder) end() []byte {
	tb.add(127, area(4))
	return tb.b
}

// checksum sets b[i] so that the bytes of b sum to zero.
func fixChecksum(b []byte, i int) {
	b[i] = 0
	var sum byte
	for _, c := range b {
		sum += c
	}
	b[i] = -sum
}

// entry3 returns an SMBIOS 3 (_SM3_) entry point for a table of n bytes at 0x20.
func entry3(major, minor, doc byte, n int) []byte {
	e := make([]byte, 0x18)
	copy(e, "_SM3_")
	e[6], e[7], e[8], e[9], e[10] = 0x18, major, minor, doc, 1
	binary.LittleEndian.PutUint32(e[0x0c:], uint32(n))
	binary.LittleEndian.PutUint64(e[0x10:], 0x20)
	fixChecksum(e, 5)
	return e
}

// entry2 returns an SMBIOS 2.x (_SM_) entry point for a table of n bytes
// holding count structures at 0x20.
func entry2(major, minor byte, n, count int) []byte {
	e := make([]byte, 0x1f)
	copy(e, "_SM_")
	e[5], e[6], e[7] = 0x1f, major, minor
	copy(e[0x10:], "_DMI_")
	binary.LittleEndian.PutUint16(e[0x16:], uint16(n))
	binary.LittleEndian.PutUint32(e[0x18:], 0x20)
	binary.LittleEndian.PutUint16(e[0x1c:], uint16(count))
	e[0x1e] = major<<4 | minor&0x0f
	fixChecksum(e[0x10:], 5)
	fixChecksum(e, 4)
	return e
}

// dumpBin lays out entry and table as `dmidecode --dump-bin` does.
func dumpBin(entry, table []byte) []byte {
	out := make([]byte, 0x20, 0x20+len(table))
	copy(out, entry)
	return append(out, table...)
}
