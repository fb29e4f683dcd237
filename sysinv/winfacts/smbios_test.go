package winfacts_test

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"testing"

	"github.com/wirebom/wirebom/sysinv"
	"github.com/wirebom/wirebom/sysinv/winfacts"
)

// rsmb wraps a table the way GetSystemFirmwareTable('RSMB') returns it.
func rsmb(major, minor byte, table []byte) []byte {
	raw := make([]byte, 8, 8+len(table))
	raw[1], raw[2] = major, minor
	binary.LittleEndian.PutUint32(raw[4:], uint32(len(table)))
	return append(raw, table...)
}

// splitDump splits a dump-bin image as dmidecode --from-dump does (the entry
// point at 0 names the table's address in the file) and checks that the
// entry point it made is sound.
func splitDump(t *testing.T, dump []byte) (*sysinv.EntryPoint, []byte) {
	t.Helper()
	entry, table, err := sysinv.SplitDumpBin(dump)
	if err != nil {
		t.Fatalf("SplitDumpBin: %v", err)
	}
	ep, err := sysinv.ParseEntryPoint(entry)
	if err != nil {
		t.Fatalf("entry point rejected: %v", err)
	}
	if len(ep.Problems) != 0 {
		t.Errorf("entry point problems: %q", ep.Problems)
	}
	return ep, table
}

// The real firmware table of sysinv's live fixture (SMBIOS 2.7) goes through
// RSMBToDumpBin and must come out of sysinv's decoder as the firmware's own
// entry point describes it, and decode to the same facts.
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
	fw, err := sysinv.ParseEntryPoint(orig)
	if err != nil || fw.Anchor != "_SM_" {
		t.Fatalf("firmware entry point %+v: %v", fw, err)
	}
	dump, err := winfacts.RSMBToDumpBin(rsmb(fw.Major, fw.Minor, table))
	if err != nil {
		t.Fatal(err)
	}
	e, tab := splitDump(t, dump)
	if string(tab) != string(table) {
		t.Fatal("table changed on the way")
	}
	// Maximum structure size (08h) and BCD revision (1Eh) of the 2.1 entry point.
	if e.Anchor != fw.Anchor || e.Major != fw.Major || e.Minor != fw.Minor || e.TableLength != fw.TableLength ||
		e.NumStructures != fw.NumStructures || string(dump[0x08:0x0a]) != string(orig[0x08:0x0a]) || dump[0x1e] != orig[0x1e] {
		t.Errorf("entry point %+v differs from the firmware's %+v", e, fw)
	}
	structs, err := sysinv.ParseStructures(tab)
	if err != nil || len(structs) != int(fw.NumStructures) {
		t.Errorf("parsed %d structures (%v), firmware says %d", len(structs), err, fw.NumStructures)
	}
	want, _ := json.Marshal(sysinv.DecodeSMBIOS(orig, table))
	got, _ := json.Marshal(sysinv.DecodeDumpBin(dump))
	if string(got) != string(want) {
		t.Errorf("decoded through RSMB:\n%s\nstraight from the firmware tables:\n%s", got, want)
	}
}

func TestRSMBVersion3(t *testing.T) {
	table := []byte{127, 4, 0xff, 0xfe, 0, 0}
	dump, err := winfacts.RSMBToDumpBin(rsmb(3, 4, table))
	if err != nil {
		t.Fatal(err)
	}
	e, tab := splitDump(t, dump)
	if e.Anchor != "_SM3_" || e.Major != 3 || e.Minor != 4 || e.TableLength != uint32(len(table)) || string(tab) != string(table) {
		t.Errorf("entry %+v, table % x", e, tab)
	}
}
