package sysinv

import (
	"os"
	"testing"
)

// BenchmarkSMBIOSDecode decodes a real SMBIOS 3.1.1 table (Lenovo, 3.3 KB,
// 69 structures) from entry point and table to the facts Collect reports.
// docs/perf/smbios.md compares it with u-root's parser, which it replaced.
func BenchmarkSMBIOSDecode(b *testing.B) {
	d, err := os.ReadFile(smbiosTestdataPath("smbios_table.bin"))
	if err != nil {
		b.Fatal(err)
	}
	entry, table, err := SplitDumpBin(d)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(table)))
	b.ReportAllocs()
	for b.Loop() {
		var s SMBIOS
		decodeSMBIOS(&s, entry, table)
	}
}
