//go:build linux

package sysinv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// dmiBlock is one structure of dmidecode's text output.
type dmiBlock struct {
	typ    int
	fields map[string]string
}

// dmidecode runs `dmidecode --from-dump FILE` and splits its output into blocks.
func dmidecode(t *testing.T, file string) []dmiBlock {
	t.Helper()
	out, err := exec.Command("dmidecode", "--from-dump", file).Output()
	if err != nil {
		t.Fatalf("dmidecode (package dmidecode): %v", err)
	}
	var blocks []dmiBlock
	var cur *dmiBlock
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "Handle ") {
			i := strings.Index(line, "DMI type ")
			typ, _ := strconv.Atoi(strings.TrimSuffix(strings.Fields(line[i+9:])[0], ","))
			blocks = append(blocks, dmiBlock{typ: typ, fields: map[string]string{}})
			cur = &blocks[len(blocks)-1]
			continue
		}
		if cur == nil || !strings.HasPrefix(line, "\t") || strings.HasPrefix(line, "\t\t") {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "\t"), ": ")
		if ok {
			cur.fields[k] = strings.TrimSpace(v)
		}
	}
	return blocks
}

// dmiSize converts dmidecode's "8 GB" / "512 MB" / "No Module Installed".
func dmiSize(s string) uint64 {
	f := strings.Fields(s)
	if len(f) != 2 {
		return 0
	}
	n, err := strconv.ParseUint(f[0], 10, 64)
	if err != nil {
		return 0
	}
	switch f[1] {
	case "kB":
		return n << 10
	case "MB":
		return n << 20
	case "GB":
		return n << 30
	case "TB":
		return n << 40
	}
	return 0
}

// dmiSpeed converts "2667 MT/s" (or the older "1600 MHz"); 0 for Unknown.
func dmiSpeed(s string) int {
	n, _ := strconv.Atoi(strings.Fields(s + " x")[0])
	return n
}

// dmiStr maps dmidecode's placeholders for an unset string to "".
func dmiStr(s string) string {
	if s == "Not Specified" {
		return ""
	}
	return s
}

// TestSMBIOSAgainstDmidecode decodes real tables, and the synthetic one that
// exercises the version-dependent fields, and checks every field we report
// agrees with dmidecode's decoding of the same dump-bin files.
func TestSMBIOSAgainstDmidecode(t *testing.T) {
	synth := filepath.Join(t.TempDir(), "version-fields.bin")
	must(t, os.WriteFile(synth, versionFieldsDump(), 0o644))
	for _, file := range []string{smbiosTestdataPath("satellite_pro_l70_testdata.bin"), smbiosTestdataPath("smbios_table.bin"), synth} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			inv, err := Collect(context.Background(), Options{Root: t.TempDir(), SMBIOSFile: file})
			if err != nil {
				t.Fatal(err)
			}
			s := inv.SMBIOS
			if s.Status != StatusComplete && s.Status != StatusPartial {
				t.Fatalf("smbios %s: %s", s.Status, s.Reason)
			}
			nMem, nProc, nBoard, nChassis := 0, 0, 0, 0
			for _, b := range dmidecode(t, file) {
				f := b.fields
				switch b.typ {
				case 0:
					if s.BIOS == nil {
						t.Fatal("no BIOS")
					}
					eq(t, "BIOS vendor", s.BIOS.Vendor, dmiStr(f["Vendor"]))
					eq(t, "BIOS version", s.BIOS.Version, dmiStr(f["Version"]))
					eq(t, "BIOS date", s.BIOS.ReleaseDate, dmiStr(f["Release Date"]))
					eq(t, "BIOS revision", s.BIOS.BIOSRelease, f["BIOS Revision"])
					eq(t, "EC revision", s.BIOS.ECRelease, f["Firmware Revision"])
					eq(t, "ROM size", strconv.FormatUint(s.BIOS.ROMSizeBytes, 10), strconv.FormatUint(dmiSize(f["ROM Size"]), 10))
				case 1:
					if s.System == nil {
						t.Fatal("no system")
					}
					eq(t, "manufacturer", s.System.Manufacturer, dmiStr(f["Manufacturer"]))
					eq(t, "product", s.System.ProductName, dmiStr(f["Product Name"]))
					eq(t, "version", s.System.Version, dmiStr(f["Version"]))
					eq(t, "serial", s.System.SerialNumber, dmiStr(f["Serial Number"]))
					eq(t, "UUID", s.System.UUID, strings.ToLower(f["UUID"]))
					eq(t, "SKU", s.System.SKUNumber, dmiStr(f["SKU Number"]))
					eq(t, "family", s.System.Family, dmiStr(f["Family"]))
					eqEnum(t, "wake-up type", s.System.WakeupType, f["Wake-up Type"])
				case 2:
					if nBoard >= len(s.Baseboards) {
						t.Fatalf("dmidecode has more baseboards than our %d", len(s.Baseboards))
					}
					bb := s.Baseboards[nBoard]
					nBoard++
					eq(t, "board manufacturer", bb.Manufacturer, dmiStr(f["Manufacturer"]))
					eq(t, "board product", bb.Product, dmiStr(f["Product Name"]))
					eq(t, "board version", bb.Version, dmiStr(f["Version"]))
					eq(t, "board serial", bb.SerialNumber, dmiStr(f["Serial Number"]))
					eq(t, "board asset tag", bb.AssetTag, dmiStr(f["Asset Tag"]))
					eq(t, "board location", bb.LocationInChassis, dmiStr(f["Location In Chassis"]))
					eqEnum(t, "board type", bb.BoardType, f["Type"])
				case 3:
					if nChassis >= len(s.Chassis) {
						t.Fatalf("dmidecode has more chassis than our %d", len(s.Chassis))
					}
					ch := s.Chassis[nChassis]
					nChassis++
					eq(t, "chassis manufacturer", ch.Manufacturer, dmiStr(f["Manufacturer"]))
					eqEnum(t, "chassis type", ch.Type, f["Type"])
					eq(t, "chassis version", ch.Version, dmiStr(f["Version"]))
					eq(t, "chassis serial", ch.SerialNumber, dmiStr(f["Serial Number"]))
					eq(t, "chassis asset tag", ch.AssetTag, dmiStr(f["Asset Tag"]))
					eq(t, "chassis SKU", ch.SKUNumber, dmiStr(f["SKU Number"]))
				case 4:
					if nProc >= len(s.Processors) {
						t.Fatalf("dmidecode has more processors than our %d", len(s.Processors))
					}
					p := s.Processors[nProc]
					nProc++
					eq(t, "socket", p.SocketDesignation, dmiStr(f["Socket Designation"]))
					eqEnum(t, "cpu type", p.Type, f["Type"])
					eqEnum(t, "cpu family", p.Family, f["Family"])
					eq(t, "cpu manufacturer", p.Manufacturer, dmiStr(f["Manufacturer"]))
					eq(t, "cpu ID", p.ID, f["ID"])
					eq(t, "cpu version", p.Version, dmiStr(f["Version"]))
					eq(t, "cpu max speed", strconv.Itoa(p.MaxSpeedMHz), strconv.Itoa(dmiSpeed(f["Max Speed"])))
					eq(t, "cpu current speed", strconv.Itoa(p.CurrentSpeedMHz), strconv.Itoa(dmiSpeed(f["Current Speed"])))
					eq(t, "cpu serial", p.SerialNumber, dmiStr(f["Serial Number"]))
					eq(t, "cpu asset tag", p.AssetTag, dmiStr(f["Asset Tag"]))
					eq(t, "cpu part number", p.PartNumber, dmiStr(f["Part Number"]))
					eq(t, "core count", strconv.Itoa(p.CoreCount), strconv.Itoa(dmiSpeed(f["Core Count"])))
					eq(t, "cores enabled", strconv.Itoa(p.CoreEnabled), strconv.Itoa(dmiSpeed(f["Core Enabled"])))
					eq(t, "thread count", strconv.Itoa(p.ThreadCount), strconv.Itoa(dmiSpeed(f["Thread Count"])))
					eq(t, "populated", strconv.FormatBool(p.Populated), strconv.FormatBool(strings.HasPrefix(f["Status"], "Populated")))
				case 17:
					if nMem >= len(s.MemoryDevices) {
						t.Fatalf("dmidecode has more memory devices than our %d", len(s.MemoryDevices))
					}
					m := s.MemoryDevices[nMem]
					nMem++
					eq(t, "locator", m.Locator, dmiStr(f["Locator"]))
					eq(t, "bank", m.BankLocator, dmiStr(f["Bank Locator"]))
					eq(t, "size", strconv.FormatUint(m.SizeBytes, 10), strconv.FormatUint(dmiSize(f["Size"]), 10))
					eq(t, "present", strconv.FormatBool(m.Present), strconv.FormatBool(f["Size"] != "No Module Installed"))
					eqEnum(t, "form factor", m.FormFactor, f["Form Factor"])
					eqEnum(t, "type", m.Type, f["Type"])
					eq(t, "type detail", m.TypeDetail, f["Type Detail"])
					eq(t, "speed", strconv.Itoa(m.SpeedMTs), strconv.Itoa(dmiSpeed(f["Speed"])))
					eq(t, "configured speed", strconv.Itoa(m.ConfiguredSpeedMTs), strconv.Itoa(dmiSpeed(f["Configured Memory Speed"])))
					if m.Present {
						eq(t, "mem manufacturer", m.Manufacturer, dmiStr(f["Manufacturer"]))
						eq(t, "mem serial", m.SerialNumber, dmiStr(f["Serial Number"]))
						eq(t, "mem asset tag", m.AssetTag, dmiStr(f["Asset Tag"]))
						eq(t, "part number", m.PartNumber, dmiStr(f["Part Number"]))
					}
				}
			}
			if nMem != len(s.MemoryDevices) || nProc != len(s.Processors) || nBoard != len(s.Baseboards) || nChassis != len(s.Chassis) {
				t.Errorf("memory devices %d/%d, processors %d/%d, baseboards %d/%d, chassis %d/%d (dmidecode/ours)",
					nMem, len(s.MemoryDevices), nProc, len(s.Processors), nBoard, len(s.Baseboards), nChassis, len(s.Chassis))
			}
			if nMem == 0 || nProc == 0 {
				t.Errorf("no memory devices or processors compared")
			}
		})
	}
}

// eqEnum compares an enumerated name: where dmidecode knows no name
// ("<OUT OF SPEC>") we print the number in hexadecimal.
func eqEnum(t *testing.T, what, got, want string) {
	t.Helper()
	if want == "<OUT OF SPEC>" && strings.HasPrefix(got, "0x") {
		return
	}
	eq(t, what, got, want)
}

// TestSMBIOSNamesAgainstDmidecode decodes one structure per value of every
// enumeration we name (wake-up type, board, chassis and processor type,
// processor family and family 2, memory form factor, type and type detail
// bits) and compares each name with dmidecode's for the same structure.
func TestSMBIOSNamesAgainstDmidecode(t *testing.T) {
	tb := &tableBuilder{}
	for v := range 256 {
		tb.add(1, area(0x1b, at{0x18, v}))
		tb.add(2, area(0x0f, at{0x0d, v}))
		tb.add(3, area(0x15, at{0x05, v}))
		tb.add(4, area(0x30, at{0x05, v}, at{0x06, v}, at{0x07, 1}, at{0x28, uint16(0xfffe)}), "Neutral")
		tb.add(17, area(0x28, at{0x0c, uint16(1024)}, at{0x0e, v}, at{0x12, v}, at{0x13, uint16(v << 8)}))
	}
	for v := range 16 {
		tb.add(17, area(0x28, at{0x0c, uint16(1024)}, at{0x13, uint16(1 << v)}))
	}
	// Family 2 values above FFh: DSP0134 3.8 names none beyond 2xxh.
	for v := 0x100; v < 0x400; v++ {
		tb.add(4, area(0x30, at{0x05, 3}, at{0x06, 0xfe}, at{0x28, uint16(v)}))
	}
	tb.add(4, area(0x30, at{0x05, 3}, at{0x06, 0xfe}, at{0x28, uint16(0xfffd)}))
	for _, m := range []string{"Intel(R) Corporation", "AMD", "Advanced Micro Devices, Inc."} {
		tb.add(4, area(0x30, at{0x05, 3}, at{0x06, 0xbe}, at{0x07, 1}), m)
	}
	table := tb.end()
	names := func(t *testing.T, entry []byte) {
		file := filepath.Join(t.TempDir(), "names.bin")
		must(t, os.WriteFile(file, dumpBin(entry, table), 0o644))
		ep, err := ParseEntryPoint(entry)
		must(t, err)
		structs, err := ParseStructures(table)
		must(t, err)
		blocks := dmidecode(t, file)
		if len(blocks) != len(structs) {
			t.Fatalf("dmidecode %d structures, ours %d", len(blocks), len(structs))
		}
		for i, b := range blocks {
			var s SMBIOS
			d := smbiosDecoder{s: &s, ep: ep}
			st := &structs[i]
			f := b.fields
			switch st.Type {
			case 1:
				d.system(st)
				eqEnum(t, "wake-up type", s.System.WakeupType, f["Wake-up Type"])
			case 2:
				d.baseboard(st)
				eqEnum(t, "board type", s.Baseboards[0].BoardType, f["Type"])
			case 3:
				d.chassis(st)
				eqEnum(t, "chassis type", s.Chassis[0].Type, f["Type"])
			case 4:
				d.processor(st)
				eqEnum(t, "processor type", s.Processors[0].Type, f["Type"])
				eqEnum(t, fmt.Sprintf("processor family 0x%02x/0x%04x", st.U8(6), st.U16(0x28)), s.Processors[0].Family, f["Family"])
			case 17:
				d.memoryDevice(st)
				eqEnum(t, "form factor", s.MemoryDevices[0].FormFactor, f["Form Factor"])
				eqEnum(t, "memory type", s.MemoryDevices[0].Type, f["Type"])
				eq(t, "type detail", s.MemoryDevices[0].TypeDetail, f["Type Detail"])
			}
		}
	}
	t.Run("3.3", func(t *testing.T) { names(t, entry3(3, 3, 0, len(table))) })
	// In SMBIOS 2.0 family 30h meant Pentium Pro for Intel processors.
	t.Run("2.0", func(t *testing.T) {
		table = (&tableBuilder{}).add(4, area(0x1a, at{0x05, 3}, at{0x06, 0x30}, at{0x07, 1}), "GenuineIntel").
			add(4, area(0x1a, at{0x05, 3}, at{0x06, 0x30}, at{0x07, 1}), "Other").end()
		names(t, entry2(2, 0, len(table), 3))
	})
}

func eq(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, dmidecode says %q", what, got, want)
	}
}
