//go:build linux

package winfacts_test

import (
	"encoding/binary"
	"os"
	"testing"

	"github.com/u-root/u-root/pkg/smbios"

	"github.com/wirebom/wirebom/sysinv/winfacts"
)

// rsmb wraps a table the way GetSystemFirmwareTable('RSMB') returns it.
func rsmb(major, minor byte, table []byte) []byte {
	raw := make([]byte, 8, 8+len(table))
	raw[1], raw[2] = major, minor
	binary.LittleEndian.PutUint32(raw[4:], uint32(len(table)))
	return append(raw, table...)
}

// splitDump splits a dump-bin image as dmidecode --from-dump does: the entry
// point at 0 names the table's address in the file.
func splitDump(t *testing.T, dump []byte) (entry, table []byte) {
	t.Helper()
	e32, e64, err := smbios.ParseEntry(dump[:0x20])
	if err != nil {
		t.Fatalf("u-root rejects the entry point: %v", err)
	}
	var addr, n uint64
	if e32 != nil {
		entry, addr, n = dump[:0x1f], uint64(e32.StructTableAddr), uint64(e32.StructTableLength)
	} else {
		entry, addr, n = dump[:0x18], e64.StructTableAddr, uint64(e64.StructMaxSize)
	}
	if addr+n > uint64(len(dump)) {
		t.Fatalf("table at 0x%x+%d beyond the %d-byte dump", addr, n, len(dump))
	}
	return entry, dump[addr : addr+n]
}

// The real firmware table of sysinv's live fixture (SMBIOS 2.7) goes through
// RSMBToDumpBin and must come out of u-root's parser as the firmware's own
// entry point describes it.
func TestRSMBRealTable(t *testing.T) {
	const dir = "../testdata/roots/live/sys/firmware/dmi/tables/"
	table, err := os.ReadFile(dir + "DMI")
	if err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile(dir + "smbios_entry_point")
	if err != nil {
		t.Fatal(err)
	}
	var fw smbios.Entry32
	if err := fw.UnmarshalBinary(orig); err != nil {
		t.Fatal(err)
	}
	dump, err := winfacts.RSMBToDumpBin(rsmb(fw.SMBIOSMajorVersion, fw.SMBIOSMinorVersion, table))
	if err != nil {
		t.Fatal(err)
	}
	entry, tab := splitDump(t, dump)
	if string(tab) != string(table) {
		t.Fatal("table changed on the way")
	}
	var e smbios.Entry32
	if err := e.UnmarshalBinary(entry); err != nil {
		t.Fatalf("u-root rejects the entry point: %v", err)
	}
	if e.SMBIOSMajorVersion != fw.SMBIOSMajorVersion || e.SMBIOSMinorVersion != fw.SMBIOSMinorVersion ||
		e.StructTableLength != fw.StructTableLength || e.NumberOfStructs != fw.NumberOfStructs ||
		e.StructMaxSize != fw.StructMaxSize || e.BCDRevision != fw.BCDRevision {
		t.Errorf("entry point %+v differs from the firmware's %+v", e, fw)
	}
	n := 0
	for data := tab; len(data) > 0; n++ {
		tb, rest, err := smbios.ParseTable(data)
		if tb != nil && tb.Type == smbios.TableTypeEndOfTable {
			n++ // u-root reports the end-of-table structure as an error
			break
		}
		if err != nil {
			t.Fatalf("structure %d: %v", n, err)
		}
		data = rest
	}
	if n != int(fw.NumberOfStructs) {
		t.Errorf("u-root parsed %d structures, firmware says %d", n, fw.NumberOfStructs)
	}
}

func TestRSMBVersion3(t *testing.T) {
	table := []byte{127, 4, 0xff, 0xfe, 0, 0}
	dump, err := winfacts.RSMBToDumpBin(rsmb(3, 4, table))
	if err != nil {
		t.Fatal(err)
	}
	entry, tab := splitDump(t, dump)
	e32, e64, err := smbios.ParseEntry(entry)
	if err != nil || e32 != nil || e64 == nil {
		t.Fatalf("ParseEntry: %v %v %v", e32, e64, err)
	}
	if e64.SMBIOSMajorVersion != 3 || e64.SMBIOSMinorVersion != 4 || e64.StructMaxSize != uint32(len(table)) || string(tab) != string(table) {
		t.Errorf("entry %+v, table % x", e64, tab)
	}
}
