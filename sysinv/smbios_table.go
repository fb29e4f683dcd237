package sysinv

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// This file decodes the SMBIOS entry point and structure table as DMTF
// DSP0134 lays them out. It builds on every GOOS: Linux hands us the kernel's
// copy (/sys/firmware/dmi/tables), Windows GetSystemFirmwareTable('RSMB'),
// and `dmidecode --dump-bin` files come from anywhere. Nothing here trusts a
// length or an index without checking it against the bytes it has.

// ErrNoEntryPoint is returned when data does not start with an SMBIOS entry
// point ("_SM_", "_SM3_" or the legacy "_DMI_").
var ErrNoEntryPoint = errors.New("no SMBIOS entry point")

// ErrShortEntryPoint is returned when an entry point is cut short.
var ErrShortEntryPoint = errors.New("SMBIOS entry point truncated")

// EntryPoint is a decoded SMBIOS entry point structure (DSP0134 5.2).
type EntryPoint struct {
	// Anchor is "_SM_" (SMBIOS 2.1+, 32-bit), "_SM3_" (SMBIOS 3, 64-bit) or
	// "_DMI_" (legacy DMI 2.0 intermediate entry point).
	Anchor string
	// Major, Minor and DocRev are the SMBIOS version the table follows
	// (DocRev only in SMBIOS 3 entry points). Known firmware mistakes
	// (2.33 for 2.3, 2.51 for 2.6) are corrected and noted in Problems.
	Major, Minor, DocRev uint8
	// Length is the entry point's own length in bytes.
	Length int
	// TableAddress is where the structure table starts: a physical address
	// in firmware, an offset in a `dmidecode --dump-bin` file.
	TableAddress uint64
	// TableLength is the exact table length (2.x) or its maximum size (3.x).
	TableLength uint32
	// NumStructures is the structure count stated by 2.x entry points (0 in 3.x).
	NumStructures uint16
	// Problems lists checksum and length anomalies. dmidecode refuses such
	// entry points; we decode the table anyway and report them as warnings.
	Problems []string
}

// Version returns the SMBIOS version as dmidecode prints it: "3.2.0" for
// SMBIOS 3 entry points, "2.7" before.
func (e *EntryPoint) Version() string {
	if e.Anchor == "_SM3_" {
		return fmt.Sprintf("%d.%d.%d", e.Major, e.Minor, e.DocRev)
	}
	return fmt.Sprintf("%d.%d", e.Major, e.Minor)
}

// atLeast reports whether the table's version is major.minor or later.
func (e *EntryPoint) atLeast(major, minor uint8) bool {
	return e.Major > major || e.Major == major && e.Minor >= minor
}

// ParseEntryPoint decodes an SMBIOS entry point at the start of b. A bad
// checksum or an odd length is not fatal: it is noted in Problems.
func ParseEntryPoint(b []byte) (*EntryPoint, error) {
	switch {
	case bytes.HasPrefix(b, []byte("_SM3_")):
		// DSP0134 5.2.2: 18h bytes.
		if len(b) < 0x18 {
			return nil, fmt.Errorf("%w: %d bytes of the 24-byte _SM3_ structure", ErrShortEntryPoint, len(b))
		}
		e := &EntryPoint{Anchor: "_SM3_", Length: int(b[6]), Major: b[7], Minor: b[8], DocRev: b[9],
			TableLength:  binary.LittleEndian.Uint32(b[0x0c:]),
			TableAddress: binary.LittleEndian.Uint64(b[0x10:])}
		e.checkLength(0x18, len(b))
		e.checksum("entry point", b[:min(max(e.Length, 0x18), len(b))])
		return e, nil
	case bytes.HasPrefix(b, []byte("_SM_")):
		// DSP0134 5.2.1: 1Fh bytes, an intermediate "_DMI_" anchor at 10h.
		if len(b) < 0x1f {
			return nil, fmt.Errorf("%w: %d bytes of the 31-byte _SM_ structure", ErrShortEntryPoint, len(b))
		}
		e := &EntryPoint{Anchor: "_SM_", Length: int(b[5]), Major: b[6], Minor: b[7]}
		e.legacy(b[0x10:0x1f])
		// Some SMBIOS 2.1 firmware states 1Eh for 1Fh (dmidecode accepts it too).
		if e.Length != 0x1e {
			e.checkLength(0x1f, len(b))
		}
		e.checksum("entry point", b[:min(max(e.Length, 0x1e), len(b))])
		e.fixVersion()
		return e, nil
	case bytes.HasPrefix(b, []byte("_DMI_")):
		if len(b) < 0x0f {
			return nil, fmt.Errorf("%w: %d bytes of the 15-byte _DMI_ structure", ErrShortEntryPoint, len(b))
		}
		e := &EntryPoint{Anchor: "_DMI_", Length: 0x0f}
		e.legacy(b[:0x0f])
		e.Major, e.Minor = b[0x0e]>>4, b[0x0e]&0x0f
		return e, nil
	}
	return nil, ErrNoEntryPoint
}

// legacy reads the 15-byte "_DMI_" (intermediate) entry point.
func (e *EntryPoint) legacy(d []byte) {
	if string(d[:5]) != "_DMI_" {
		e.Problems = append(e.Problems, fmt.Sprintf("intermediate anchor %q, want \"_DMI_\"", d[:5]))
	}
	e.checksum("intermediate entry point", d)
	e.TableLength = uint32(binary.LittleEndian.Uint16(d[6:]))
	e.TableAddress = uint64(binary.LittleEndian.Uint32(d[8:]))
	e.NumStructures = binary.LittleEndian.Uint16(d[12:])
}

func (e *EntryPoint) checkLength(want, have int) {
	switch {
	case e.Length < want:
		e.Problems = append(e.Problems, fmt.Sprintf("%s entry point states a length of %d bytes, the specification %d", e.Anchor, e.Length, want))
	case e.Length > have:
		e.Problems = append(e.Problems, fmt.Sprintf("%s entry point states a length of %d bytes, only %d present", e.Anchor, e.Length, have))
	}
}

func (e *EntryPoint) checksum(what string, d []byte) {
	var sum byte
	for _, c := range d {
		sum += c
	}
	if sum != 0 {
		e.Problems = append(e.Problems, fmt.Sprintf("%s checksum wrong (the %d bytes sum to 0x%02x, not 0)", what, len(d), sum))
	}
}

// fixVersion corrects the version numbers some firmware gets wrong, as
// dmidecode and the Linux kernel do.
func (e *EntryPoint) fixVersion() {
	switch {
	case e.Major == 2 && e.Minor == 0x1f, e.Major == 2 && e.Minor == 0x21:
		e.Problems = append(e.Problems, fmt.Sprintf("SMBIOS version 2.%d fixed up to 2.3", e.Minor))
		e.Minor = 3
	case e.Major == 2 && e.Minor == 0x33:
		e.Problems = append(e.Problems, "SMBIOS version 2.51 fixed up to 2.6")
		e.Minor = 6
	}
}

// Structure is one SMBIOS structure: its formatted area (header included)
// and its string set. Accessors return zero values for offsets beyond the
// formatted area instead of failing, so callers check Length first where
// the specification makes a field optional.
type Structure struct {
	// Type is the structure type (0 BIOS, 1 system, ... 127 end of table).
	Type uint8
	// Handle identifies the structure within the table.
	Handle uint16
	// Formatted is the formatted area, header included; its length is the
	// header's Length byte.
	Formatted []byte
	// Strings is the string set; string number i is Strings[i-1].
	Strings []string
}

// Len is the length of the formatted area.
func (s *Structure) Len() int { return len(s.Formatted) }

// has reports whether the formatted area covers n bytes at off.
func (s *Structure) has(off, n int) bool { return off >= 0 && off+n <= len(s.Formatted) }

// U8 returns the byte at off (0 beyond the formatted area).
func (s *Structure) U8(off int) uint8 {
	if !s.has(off, 1) {
		return 0
	}
	return s.Formatted[off]
}

// U16 returns the little-endian word at off (0 beyond the formatted area).
func (s *Structure) U16(off int) uint16 {
	if !s.has(off, 2) {
		return 0
	}
	return binary.LittleEndian.Uint16(s.Formatted[off:])
}

// U32 returns the little-endian double word at off (0 beyond the formatted area).
func (s *Structure) U32(off int) uint32 {
	if !s.has(off, 4) {
		return 0
	}
	return binary.LittleEndian.Uint32(s.Formatted[off:])
}

// U64 returns the little-endian quad word at off (0 beyond the formatted area).
func (s *Structure) U64(off int) uint64 {
	if !s.has(off, 8) {
		return 0
	}
	return binary.LittleEndian.Uint64(s.Formatted[off:])
}

// StringAt returns the string whose number is stored at off. ok is false
// when the number points past the string set; a number of 0 (no string) or
// an offset beyond the formatted area give "" and true.
func (s *Structure) StringAt(off int) (str string, ok bool) {
	return s.String(int(s.U8(off)))
}

// String returns string number i (1-based). ok is false when i is beyond
// the string set; i == 0 means "no string" and gives "" and true.
func (s *Structure) String(i int) (str string, ok bool) {
	if i == 0 {
		return "", true
	}
	if i < 0 || i > len(s.Strings) {
		return "", false
	}
	return s.Strings[i-1], true
}

// StructureError reports a structure table that cannot be walked further.
type StructureError struct {
	// Offset is where the damaged structure starts in the table.
	Offset int
	// Index is the number of structures decoded before it.
	Index int
	// Reason says what is wrong.
	Reason string
}

func (e *StructureError) Error() string {
	return fmt.Sprintf("structure %d at offset 0x%x: %s", e.Index, e.Offset, e.Reason)
}

// ParseStructures walks a structure table: a 4-byte header (type, length,
// handle), the formatted area of that length, then a string set of
// NUL-terminated strings ended by an extra NUL (two NULs when empty). The
// walk stops after the end-of-table structure (type 127) or at the end of
// the data. A damaged structure ends the walk with a *StructureError and
// the structures before it.
func ParseStructures(table []byte) ([]Structure, error) {
	var out []Structure
	off := 0
	for off < len(table) {
		rest := table[off:]
		fail := func(format string, args ...any) ([]Structure, error) {
			return out, &StructureError{Offset: off, Index: len(out), Reason: fmt.Sprintf(format, args...)}
		}
		if len(rest) < 4 {
			if allZero(rest) {
				break // padding after a table without an end-of-table structure
			}
			return fail("%d bytes left, a header needs 4", len(rest))
		}
		n := int(rest[1])
		if n < 4 {
			return fail("type %d states a length of %d, less than its own 4-byte header", rest[0], n)
		}
		if n > len(rest) {
			return fail("type %d states a length of %d, only %d bytes left", rest[0], n, len(rest))
		}
		// The string set ends at the first double NUL after the formatted area.
		end := bytes.Index(rest[n:], []byte{0, 0})
		if end < 0 {
			return fail("type %d: string set not terminated by a double NUL before the end of the table", rest[0])
		}
		st := Structure{Type: rest[0], Handle: binary.LittleEndian.Uint16(rest[2:]), Formatted: rest[:n:n]}
		if end > 0 {
			for s := range bytes.SplitSeq(rest[n:n+end], []byte{0}) {
				st.Strings = append(st.Strings, printable(s))
			}
		}
		out = append(out, st)
		off += n + end + 2
		if st.Type == 127 {
			break
		}
	}
	return out, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// printable returns s with control characters replaced by '.', as dmidecode
// prints strings.
func printable(s []byte) string {
	for _, c := range s {
		if c < 32 || c == 127 {
			t := bytes.Clone(s)
			for i, c := range t {
				if c < 32 || c == 127 {
					t[i] = '.'
				}
			}
			return string(t)
		}
	}
	return string(s)
}

// SplitDumpBin splits a `dmidecode --dump-bin` file into its entry point and
// structure table. dmidecode writes the entry point at offset 0 and the table
// at the address the rewritten entry point names (0x20). A table that runs
// past the end of the file is cut at the end of the file.
func SplitDumpBin(data []byte) (entry, table []byte, err error) {
	ep, err := ParseEntryPoint(data)
	if err != nil {
		return nil, nil, err
	}
	entry = data[:minEntryLen(ep.Anchor)]
	addr, size := ep.TableAddress, uint64(ep.TableLength)
	if addr >= uint64(len(data)) {
		return nil, nil, fmt.Errorf("table address 0x%x beyond the %d-byte file", addr, len(data))
	}
	if addr < uint64(len(entry)) {
		return nil, nil, fmt.Errorf("table address 0x%x inside the %d-byte entry point", addr, len(entry))
	}
	end := addr + size
	if end > uint64(len(data)) || size == 0 {
		end = uint64(len(data))
	}
	return entry, data[addr:end], nil
}

// minEntryLen is the specified length of each kind of entry point.
func minEntryLen(anchor string) int {
	switch anchor {
	case "_SM3_":
		return 0x18
	case "_SM_":
		return 0x1f
	}
	return 0x0f
}
