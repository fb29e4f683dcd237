//go:build ignore

// wine-prng-dll writes a tiny bcryptprimitives.dll for Wine prefixes whose
// Wine (8.x, Debian bookworm) lacks it. Go 1.24+ Windows programs load
// ProcessPrng from bcryptprimitives.dll at start-up (Windows 10 has it)
// and abort without it. The DLL holds no code: its one export,
// ProcessPrng, is a forwarder to advapi32.SystemFunction036 (RtlGenRandom),
// which fills a buffer with random bytes the same way and returns non-zero
// in the low byte on success, all the Go runtime checks.
//
// Usage: go run scripts/wine-prng-dll.go $WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll
package main

import (
	"encoding/binary"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run scripts/wine-prng-dll.go OUT.dll")
		os.Exit(2)
	}
	if err := os.WriteFile(os.Args[1], dll(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// dll lays out a PE32+ DLL (PE/COFF specification): DOS stub header, PE
// signature, COFF header, optional header, one read-only section holding
// the export directory.
func dll() []byte {
	const (
		fileAlign = 0x200
		sectAlign = 0x1000
		sectRVA   = 0x1000
		imageBase = 0x7ff7e0000000
	)
	le := binary.LittleEndian

	// Export section, laid out at RVA sectRVA.
	sec := make([]byte, 0x28) // IMAGE_EXPORT_DIRECTORY
	put32 := func(b []byte, v uint32) []byte { return le.AppendUint32(b, v) }
	eat := len(sec)
	sec = put32(sec, 0) // AddressOfFunctions[0]: forwarder string RVA, set below
	enpt := len(sec)
	sec = put32(sec, 0) // AddressOfNames[0]
	ords := len(sec)
	sec = le.AppendUint16(sec, 0) // AddressOfNameOrdinals[0]
	dllName := len(sec)
	sec = append(sec, "bcryptprimitives.dll\x00"...)
	fnName := len(sec)
	sec = append(sec, "ProcessPrng\x00"...)
	fwd := len(sec)
	sec = append(sec, "advapi32.SystemFunction036\x00"...)
	le.PutUint32(sec[eat:], uint32(sectRVA+fwd))
	le.PutUint32(sec[enpt:], uint32(sectRVA+fnName))
	ed := sec[:0x28]
	le.PutUint32(ed[12:], uint32(sectRVA+dllName)) // Name
	le.PutUint32(ed[16:], 1)                       // Base
	le.PutUint32(ed[20:], 1)                       // NumberOfFunctions
	le.PutUint32(ed[24:], 1)                       // NumberOfNames
	le.PutUint32(ed[28:], uint32(sectRVA+eat))     // AddressOfFunctions
	le.PutUint32(ed[32:], uint32(sectRVA+enpt))    // AddressOfNames
	le.PutUint32(ed[36:], uint32(sectRVA+ords))    // AddressOfNameOrdinals
	exportSize := uint32(len(sec))                 // covers the forwarder string: that makes it a forwarder

	h := make([]byte, fileAlign)
	copy(h, "MZ")
	le.PutUint32(h[0x3c:], 0x40) // e_lfanew
	copy(h[0x40:], "PE\x00\x00")
	coff := h[0x44:]
	le.PutUint16(coff[0:], 0x8664) // AMD64
	le.PutUint16(coff[2:], 1)      // one section
	le.PutUint16(coff[16:], 240)   // SizeOfOptionalHeader (PE32+, 16 directories)
	le.PutUint16(coff[18:], 0x2022)
	opt := h[0x58:]
	le.PutUint16(opt[0:], 0x20b) // PE32+
	le.PutUint32(opt[8:], fileAlign)
	le.PutUint32(opt[20:], sectRVA) // BaseOfCode
	le.PutUint64(opt[24:], imageBase)
	le.PutUint32(opt[32:], sectAlign)
	le.PutUint32(opt[36:], fileAlign)
	le.PutUint16(opt[40:], 6) // OS version 6.0
	le.PutUint16(opt[48:], 6) // subsystem version 6.0
	le.PutUint32(opt[56:], sectRVA+sectAlign)
	le.PutUint32(opt[60:], fileAlign) // SizeOfHeaders
	le.PutUint16(opt[68:], 3)         // console subsystem
	le.PutUint16(opt[70:], 0x0100)    // NX compatible
	le.PutUint64(opt[72:], 0x100000)
	le.PutUint64(opt[80:], 0x1000)
	le.PutUint64(opt[88:], 0x100000)
	le.PutUint64(opt[96:], 0x1000)
	le.PutUint32(opt[108:], 16)         // NumberOfRvaAndSizes
	le.PutUint32(opt[112:], sectRVA)    // export directory RVA
	le.PutUint32(opt[116:], exportSize) // and size
	sh := h[0x58+240:]
	copy(sh, ".rdata")
	le.PutUint32(sh[8:], uint32(len(sec)))
	le.PutUint32(sh[12:], sectRVA)
	le.PutUint32(sh[16:], fileAlign)
	le.PutUint32(sh[20:], fileAlign)
	le.PutUint32(sh[36:], 0x40000040) // initialized data, readable

	body := make([]byte, fileAlign)
	copy(body, sec)
	return append(h, body...)
}
