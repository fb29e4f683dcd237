package sysinv

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestParseStructuresHostile walks damaged tables: the walk must stop at the
// damage with a *StructureError naming its offset, keep what came before,
// and never read past the data.
func TestParseStructuresHostile(t *testing.T) {
	good := func() *tableBuilder {
		tb := &tableBuilder{}
		return tb.add(1, area(8, at{4, 1}), "Acme")
	}
	goodLen := len(good().b) // 8 + "Acme\0" + "\0"
	for _, tc := range []struct {
		name   string
		table  []byte
		n      int // structures decoded
		errOff int // -1: no error
	}{
		{"length below its own header", append(good().b, 2, 3, 0, 0, 0, 0), 1, goodLen},
		{"length zero", append(good().b, 2, 0, 0, 0, 0, 0), 1, goodLen},
		{"length beyond the table", append(good().b, 2, 0xff, 0, 0, 0, 0, 0, 0), 1, goodLen},
		{"string set without double NUL", append(good().b, 2, 4, 0, 0, 'a', 'b', 0), 1, goodLen},
		{"string set cut", append(good().b, 2, 4, 0, 0, 'a', 'b'), 1, goodLen},
		{"formatted area without any NUL after it", append(good().b, 2, 4, 0, 0), 1, goodLen},
		{"three stray bytes", append(good().b, 2, 4, 0), 1, goodLen},
		{"zero padding after the last structure", append(good().b, 0, 0, 0), 1, -1},
		{"garbage after end of table", append(good().end(), 0xff, 0xff, 0xff, 0xff, 0xff), 2, -1},
		{"empty", nil, 0, -1},
		{"only a header", []byte{1, 4, 0, 0}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			structs, err := ParseStructures(tc.table)
			if len(structs) != tc.n {
				t.Errorf("%d structures, want %d", len(structs), tc.n)
			}
			var se *StructureError
			switch {
			case tc.errOff < 0 && err != nil:
				t.Errorf("unexpected error %v", err)
			case tc.errOff >= 0 && !errors.As(err, &se):
				t.Errorf("error %v, want a *StructureError", err)
			case tc.errOff >= 0 && (se.Offset != tc.errOff || se.Index != tc.n):
				t.Errorf("error at offset %d index %d, want %d and %d (%v)", se.Offset, se.Index, tc.errOff, tc.n, se)
			}
			for _, s := range structs {
				if s.Len() < 4 || int(s.Formatted[1]) != s.Len() {
					t.Errorf("structure %+v: formatted area does not match its header", s)
				}
			}
		})
	}
}

// TestParseStructuresStrings: the string set ends at the first double NUL;
// control characters print as '.' (as dmidecode prints them).
func TestParseStructuresStrings(t *testing.T) {
	tb := &tableBuilder{}
	tb.add(1, area(8), "one", "t\x01wo\x7f", "three")
	tb.add(2, area(8))
	structs, err := ParseStructures(tb.end())
	if err != nil || len(structs) != 3 {
		t.Fatalf("%d structures, %v", len(structs), err)
	}
	if got := structs[0].Strings; !slices.Equal(got, []string{"one", "t.wo.", "three"}) {
		t.Errorf("strings %q", got)
	}
	if structs[1].Strings != nil || structs[1].Handle != 1 || structs[2].Type != 127 {
		t.Errorf("second %+v third %+v", structs[1], structs[2])
	}
}

// TestStructureAccessors: offsets and string numbers beyond the structure
// give zero values, never a panic.
func TestStructureAccessors(t *testing.T) {
	s := Structure{Formatted: []byte{1, 6, 0, 0, 2, 0xff}, Strings: []string{"a"}}
	if s.U8(5) != 0xff || s.U8(6) != 0 || s.U8(-1) != 0 || s.U16(4) != 0xff02 || s.U16(5) != 0 ||
		s.U32(3) != 0 || s.U64(0) != 0 {
		t.Errorf("integer accessors beyond the formatted area")
	}
	for _, tc := range []struct {
		i    int
		want string
		ok   bool
	}{{0, "", true}, {1, "a", true}, {2, "", false}, {255, "", false}, {-1, "", false}} {
		if got, ok := s.String(tc.i); got != tc.want || ok != tc.ok {
			t.Errorf("String(%d) = %q %v", tc.i, got, ok)
		}
	}
	if got, ok := s.StringAt(4); got != "" || ok { // holds 2: one string only
		t.Errorf("StringAt(4) = %q %v", got, ok)
	}
	if got, ok := s.StringAt(40); got != "" || !ok { // beyond the area: no string
		t.Errorf("StringAt(40) = %q %v", got, ok)
	}
}

// TestEntryPoints decodes each kind of entry point, and damaged ones.
func TestEntryPoints(t *testing.T) {
	e := entry2(2, 0x33, 100, 5) // 2.51: firmware meant 2.6
	fixChecksum(e[0x10:], 5)
	fixChecksum(e, 4)
	ep, err := ParseEntryPoint(e)
	if err != nil || ep.Version() != "2.6" || ep.TableLength != 100 || ep.NumStructures != 5 || ep.TableAddress != 0x20 || len(ep.Problems) != 1 {
		t.Errorf("2.51 entry point: %+v %v", ep, err)
	}
	ep, err = ParseEntryPoint(entry3(3, 2, 1, 4096))
	if err != nil || ep.Version() != "3.2.1" || ep.TableLength != 4096 || len(ep.Problems) != 0 {
		t.Errorf("3.2.1 entry point: %+v %v", ep, err)
	}
	legacy := append([]byte("_DMI_"), make([]byte, 10)...)
	legacy[0x0e] = 0x21
	fixChecksum(legacy, 5)
	ep, err = ParseEntryPoint(legacy)
	if err != nil || ep.Version() != "2.1" || len(ep.Problems) != 0 {
		t.Errorf("_DMI_ entry point: %+v %v", ep, err)
	}

	bad := entry3(3, 0, 0, 10)
	bad[5]++
	ep, err = ParseEntryPoint(bad)
	if err != nil || len(ep.Problems) != 1 || !strings.Contains(ep.Problems[0], "checksum") {
		t.Errorf("bad checksum: %+v %v", ep, err)
	}
	bad = entry2(2, 7, 10, 1)
	bad[0x11] = 'X' // intermediate anchor and its checksum
	ep, err = ParseEntryPoint(bad)
	if err != nil || len(ep.Problems) != 3 {
		t.Errorf("bad intermediate anchor: %+v %v", ep, err)
	}
	bad = entry3(3, 0, 0, 10)
	bad[6] = 0xff
	fixChecksum(bad, 5)
	if ep, err = ParseEntryPoint(bad); err != nil || len(ep.Problems) != 1 { // the length; the checksum covers the bytes present
		t.Errorf("huge entry point length: %+v %v", ep, err)
	}
	for _, b := range [][]byte{entry3(3, 0, 0, 1)[:0x17], entry2(2, 8, 1, 1)[:0x1e], []byte("_DMI_")} {
		if _, err := ParseEntryPoint(b); !errors.Is(err, ErrShortEntryPoint) {
			t.Errorf("%q: %v, want ErrShortEntryPoint", b, err)
		}
	}
	if _, err := ParseEntryPoint([]byte("RSDT PTR and more")); !errors.Is(err, ErrNoEntryPoint) {
		t.Errorf("no anchor: %v", err)
	}
}

// TestSplitDumpBinHostile: addresses and lengths from the entry point are
// checked against the file.
func TestSplitDumpBinHostile(t *testing.T) {
	table := (&tableBuilder{}).end()
	dump := dumpBin(entry3(3, 0, 0, len(table)), table)
	if _, tab, err := SplitDumpBin(dump); err != nil || string(tab) != string(table) {
		t.Fatalf("good dump: %v % x", err, tab)
	}
	long := dumpBin(entry3(3, 0, 0, 1<<30), table)
	if _, tab, err := SplitDumpBin(long); err != nil || len(tab) != len(table) {
		t.Errorf("table longer than the file: %v, %d bytes", err, len(tab))
	}
	far := slices.Clone(dump)
	far[0x10+4] = 1 // address 0x1_0000_0020
	fixChecksum(far[:0x18], 5)
	if _, _, err := SplitDumpBin(far); err == nil {
		t.Error("table address beyond the file accepted")
	}
	inside := slices.Clone(dump)
	inside[0x10] = 4
	fixChecksum(inside[:0x18], 5)
	if _, _, err := SplitDumpBin(inside); err == nil {
		t.Error("table address inside the entry point accepted")
	}
	if _, _, err := SplitDumpBin(dump[:0x10]); !errors.Is(err, ErrShortEntryPoint) {
		t.Errorf("cut entry point: %v", err)
	}
}

// TestDecodeSMBIOSHostile decodes damaged tables through the collector's
// decoder: what is sound is kept, the rest is warned about or unknown.
func TestDecodeSMBIOSHostile(t *testing.T) {
	decode := func(entry, table []byte) SMBIOS { return DecodeSMBIOS(entry, table) }
	e3 := entry3(3, 3, 0, 0)

	t.Run("bad string index", func(t *testing.T) {
		tb := &tableBuilder{}
		tb.add(1, area(0x1b, at{4, 1}, at{5, 2}, at{7, 9}, at{0x18, 6}), "Acme", "Box")
		s := decode(e3, tb.end())
		if s.System == nil || s.System.Manufacturer != "Acme" || s.System.ProductName != "Box" || s.System.SerialNumber != "" {
			t.Fatalf("system %+v", s.System)
		}
		if s.Status != StatusPartial || len(s.Unknown) != 2 || s.Unknown[0].Field != "System.SerialNumber" || !strings.Contains(s.Unknown[0].Reason, "string 9 of 2") {
			t.Errorf("status %s unknown %+v", s.Status, s.Unknown)
		}
		if s.System.WakeupType != "Power Switch" {
			t.Errorf("wake-up type %q", s.System.WakeupType)
		}
	})
	t.Run("structures shorter than the specification", func(t *testing.T) {
		tb := &tableBuilder{}
		tb.add(4, area(0x10, at{4, 1}), "CPU0")
		tb.add(17, area(0x12))
		tb.add(43, area(0x1e))
		tb.add(0, area(0x11))
		tb.add(1, area(7))
		s := decode(e3, tb.end())
		if len(s.Processors)+len(s.MemoryDevices)+len(s.TPMs) != 0 || s.BIOS != nil || s.System != nil || len(s.Warnings) != 5 {
			t.Errorf("decoded %+v", s)
		}
	})
	t.Run("damage after good structures", func(t *testing.T) {
		tb := &tableBuilder{}
		tb.add(2, area(0x0f, at{4, 1}, at{0x0d, 0x0a}), "Board Inc")
		table := append(tb.b, 17, 0xfe, 0, 0, 1, 2, 3)
		s := decode(e3, table)
		if s.Status != StatusPartial || len(s.Baseboards) != 1 || s.Baseboards[0].BoardType != "Motherboard" || len(s.Warnings) != 1 {
			t.Errorf("decoded %+v", s)
		}
	})
	t.Run("bad entry point checksum", func(t *testing.T) {
		e := slices.Clone(e3)
		e[5] ^= 0x55
		s := decode(e, (&tableBuilder{}).add(1, area(8, at{4, 1}), "Acme").end())
		if s.System == nil || s.System.Manufacturer != "Acme" || s.Version != "3.3.0" || len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0].Msg, "checksum") {
			t.Errorf("decoded %+v", s)
		}
	})
	t.Run("no entry point", func(t *testing.T) {
		if s := decode(e3[:10], (&tableBuilder{}).end()); s.Status != StatusUnknown {
			t.Errorf("decoded %+v", s)
		}
	})
	t.Run("empty table", func(t *testing.T) {
		if s := decode(e3, nil); s.Status != StatusUnknown || !strings.Contains(s.Reason, "empty") {
			t.Errorf("decoded %+v", s)
		}
	})
	t.Run("OEM strings announced but missing", func(t *testing.T) {
		s := decode(e3, (&tableBuilder{}).add(11, area(5, at{4, 4}), "a", " ", "c").end())
		if !slices.Equal(s.OEMStrings, []string{"a", "c"}) || len(s.Warnings) != 1 {
			t.Errorf("OEM strings %q warnings %+v", s.OEMStrings, s.Warnings)
		}
	})
	t.Run("chassis SKU offset beyond the structure", func(t *testing.T) {
		// 255 contained elements of 255 bytes: the SKU would sit far past the area.
		s := decode(e3, (&tableBuilder{}).add(3, area(0x16, at{5, 0x17}, at{0x13, 0xff}, at{0x14, 0xff}, at{0x15, 1}), "SKU").end())
		if len(s.Chassis) != 1 || s.Chassis[0].SKUNumber != "" || s.Chassis[0].Type != "Rack Mount Chassis" {
			t.Errorf("chassis %+v", s.Chassis)
		}
	})
}

// TestSMBIOSVersionFields: optional fields follow the structure length, and
// the size, speed, count and ROM size encodings follow DSP0134. Expected
// values are worked out from the specification text quoted with each case.
func TestSMBIOSVersionFields(t *testing.T) {
	s := DecodeDumpBin(versionFieldsDump())
	if s.Status == StatusUnknown {
		t.Fatalf("%s: %s", s.Status, s.Reason)
	}
	// 7.18.5 Size: bit 15 set means KiB; 7FFFh with a 2.7 structure means
	// Extended Size (MiB, bits 30:0); FFFFh unknown; before 2.7 (length < 22h)
	// 7FFFh is simply 32767 MiB.
	wantMem := []struct {
		size       uint64
		speed, cfg int
	}{
		{32767 << 20, 0, 0},    // 2.3 structure (1Bh bytes): no configured speed
		{64 << 30, 2400, 2133}, // 2.7, Extended Size 10000h MiB
		{512 << 10, 0, 0},      // 8200h: 512 KiB
		{0, 0, 0},              // FFFFh: unknown
		{16 << 30, 8800, 8000}, // 3.3 (5Ch bytes): FFFFh -> Extended Speed, Extended Configured Memory Speed
		{8 << 30, 0, 0},        // FFFFh in a 2.8 structure: reserved, unknown
		{4 << 30, 0, 0},        // 58h bytes: not a 3.3 structure, FFFFh unknown as in dmidecode
	}
	if len(s.MemoryDevices) != len(wantMem) {
		t.Fatalf("%d memory devices", len(s.MemoryDevices))
	}
	for i, w := range wantMem {
		m := s.MemoryDevices[i]
		if m.SizeBytes != w.size || m.SpeedMTs != w.speed || m.ConfiguredSpeedMTs != w.cfg {
			t.Errorf("memory device %d: size %d speed %d/%d, want %d %d/%d", i, m.SizeBytes, m.SpeedMTs, m.ConfiguredSpeedMTs, w.size, w.speed, w.cfg)
		}
	}
	if !slices.ContainsFunc(s.Unknown, func(u Unknown) bool { return u.Field == "MemoryDevices[D3].SizeBytes" }) {
		t.Errorf("unknown size not recorded: %+v", s.Unknown)
	}
	// 7.5: Core Count FFh means see Core Count 2 (3.0, 2Ah) when present.
	wantCPU := []struct {
		cores, enabled, threads int
		serial, family          string
	}{
		{0, 0, 0, "", "Core i7"},         // 2.0 structure (1Ah bytes): no 2.3/2.5 fields
		{255, 255, 255, "S1", "Core i7"}, // 2.5 structure: FFh stays 255
		{300, 290, 600, "S2", "Core i5"}, // 3.0 structure: the 16-bit counts; family FEh -> Family 2
	}
	if len(s.Processors) != len(wantCPU) {
		t.Fatalf("%d processors", len(s.Processors))
	}
	for i, w := range wantCPU {
		p := s.Processors[i]
		if p.CoreCount != w.cores || p.CoreEnabled != w.enabled || p.ThreadCount != w.threads || p.SerialNumber != w.serial || p.Family != w.family {
			t.Errorf("processor %d: %+v, want %+v", i, p, w)
		}
	}
	// 7.1: ROM Size (n+1)*64K; FFh -> Extended BIOS ROM Size (3.1): bits 15:14 00 MiB, 01 GiB.
	if s.BIOS == nil || s.BIOS.ROMSizeBytes != 2<<30 || s.BIOS.BIOSRelease != "1.2" || s.BIOS.ECRelease != "" {
		t.Errorf("BIOS %+v", s.BIOS)
	}
	// 7.2.1: SMBIOS 2.6+ encodes the first three UUID fields little-endian.
	if s.System == nil || s.System.UUID != "33221100-5544-7766-8899-aabbccddeeff" {
		t.Errorf("system %+v", s.System)
	}

	// The same table with a 2.5 entry point: UUID bytes in order.
	_, table, err := SplitDumpBin(versionFieldsDump())
	if err != nil {
		t.Fatal(err)
	}
	old := DecodeSMBIOS(entry2(2, 5, len(table), 0), table)
	if old.System == nil || old.System.UUID != "00112233-4455-6677-8899-aabbccddeeff" || old.Version != "2.5" {
		t.Errorf("2.5 system %+v", old.System)
	}
}

// versionFieldsDump builds the dump TestSMBIOSVersionFields and
// TestSMBIOSVersionFieldsAgainstDmidecode decode.
func versionFieldsDump() []byte {
	tb := &tableBuilder{}
	uuid := []byte{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}
	tb.add(0, area(0x1a, at{4, 1}, at{5, 2}, at{8, 3}, at{9, 0xff}, at{0x14, 1}, at{0x15, 2}, at{0x16, 0xff}, at{0x17, 0xff}, at{0x18, uint16(0x4002)}),
		"Vendor", "1.0", "01/02/2024")
	tb.add(1, area(0x1b, at{4, 1}, at{8, uuid}, at{0x18, 6}), "Maker")
	mem := func(n int, loc string, fields ...at) {
		fields = append([]at{{0x10, 1}, {0x0e, 0x09}, {0x12, 0x1a}}, fields...)
		tb.add(17, area(n, fields...), loc)
	}
	mem(0x1b, "D0", at{0x0c, uint16(0x7fff)})
	mem(0x22, "D1", at{0x0c, uint16(0x7fff)}, at{0x1c, uint32(0x10000)}, at{0x15, uint16(2400)}, at{0x20, uint16(2133)})
	mem(0x1b, "D2", at{0x0c, uint16(0x8200)})
	mem(0x1b, "D3", at{0x0c, uint16(0xffff)})
	mem(0x5c, "D4", at{0x0c, uint16(16 << 10)}, at{0x15, uint16(0xffff)}, at{0x54, uint32(8800)}, at{0x20, uint16(0xffff)}, at{0x58, uint32(8000)})
	mem(0x28, "D5", at{0x0c, uint16(8 << 10)}, at{0x15, uint16(0xffff)}, at{0x20, uint16(0xffff)})
	mem(0x58, "D6", at{0x0c, uint16(4 << 10)}, at{0x15, uint16(0xffff)}, at{0x54, uint32(8800)}, at{0x20, uint16(0xffff)})
	cpu := func(n int, fields ...at) {
		fields = append([]at{{4, 1}, {5, 3}, {6, 0xc6}, {0x18, 0x41}}, fields...)
		tb.add(4, area(n, fields...), "CPU", "S1", "S2")
	}
	cpu(0x1a)
	cpu(0x28, at{0x20, 2}, at{0x23, 0xff}, at{0x24, 0xff}, at{0x25, 0xff})
	cpu(0x30, at{0x06, 0xfe}, at{0x28, uint16(0xcd)}, at{0x20, 3}, at{0x23, 0xff}, at{0x24, 0xff}, at{0x25, 0xff},
		at{0x2a, uint16(300)}, at{0x2c, uint16(290)}, at{0x2e, uint16(600)})
	table := tb.end()
	return dumpBin(entry3(3, 3, 0, len(table)), table)
}

// TestSMBIOSRealTables: the real dumps in testdata decode completely.
func TestSMBIOSRealTables(t *testing.T) {
	for _, name := range []string{"satellite_pro_l70_testdata.bin", "smbios_table.bin"} {
		b, err := os.ReadFile(smbiosTestdataPath(name))
		if err != nil {
			t.Fatal(err)
		}
		s := DecodeDumpBin(b)
		if s.Status != StatusComplete || len(s.Warnings) != 0 || s.BIOS == nil || s.System == nil || len(s.MemoryDevices) == 0 || len(s.Processors) == 0 {
			t.Errorf("%s: %s %s %+v", name, s.Status, s.Reason, s.Warnings)
		}
	}
}

// smbiosTestdataPath returns the path of a real SMBIOS dump in testdata/smbios.
func smbiosTestdataPath(name string) string {
	return "testdata/smbios/" + name
}
