package sysinv

import (
	"os"
	"testing"
)

// FuzzSMBIOS feeds bytes to the SMBIOS decoder three ways: as a structure
// table behind valid SMBIOS 3.3 and 2.5 entry points (so mutations reach the
// structure decoders instead of dying on the entry point), as a whole
// `dmidecode --dump-bin` image, and as an entry point. Nothing may panic,
// and the structure walk must stay inside the data it was given.
func FuzzSMBIOS(f *testing.F) {
	for _, n := range []string{"smbios_table.bin", "satellite_pro_l70_testdata.bin"} {
		b, err := os.ReadFile(smbiosTestdataPath(n))
		if err != nil {
			f.Fatal(err)
		}
		_, table, err := SplitDumpBin(b)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(table)
		f.Add(b)
	}
	f.Add(versionFieldsDump())
	e3, e2 := entry3(3, 3, 0, 0), entry2(2, 5, 0, 0)
	f.Fuzz(func(t *testing.T, data []byte) {
		structs, err := ParseStructures(data)
		used := 0
		for _, st := range structs {
			if st.Len() < 4 || int(st.Formatted[1]) != st.Len() {
				t.Fatalf("structure with a %d-byte formatted area, header says %d", st.Len(), st.Formatted[1])
			}
			// formatted area, strings with their NULs, the set's final NUL
			used += st.Len() + 1
			if len(st.Strings) == 0 {
				used++
			}
			for _, s := range st.Strings {
				used += len(s) + 1
			}
		}
		if used > len(data) || (err != nil && used == len(data)) {
			t.Fatalf("structures cover %d bytes of %d", used, len(data))
		}
		for _, e := range [][]byte{e3, e2} {
			s := DecodeSMBIOS(e, data)
			if s.Status == "" {
				t.Fatal("no status")
			}
			for _, o := range s.OEMStrings {
				if o == "" {
					t.Fatal("empty OEM string")
				}
			}
		}
		if s := DecodeDumpBin(data); s.Status == "" {
			t.Fatal("no status")
		}
		if ep, err := ParseEntryPoint(data); err == nil && ep.Version() == "" {
			t.Fatal("entry point without a version")
		}
	})
}
