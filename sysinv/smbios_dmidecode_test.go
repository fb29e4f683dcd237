//go:build linux

package sysinv

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// uRootSMBIOS returns the path of a table shipped in u-root's module
// (BSD-3-Clause, see testdata/SOURCES.md); go test has the module cached
// because go.mod requires it.
func uRootSMBIOS(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOMODCACHE: %v", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "github.com/u-root/u-root@v0.16.0/pkg/smbios/testdata", name)
}

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

// TestSMBIOSAgainstDmidecode decodes real tables and checks the key fields
// agree with dmidecode's decoding of the same dump-bin files.
func TestSMBIOSAgainstDmidecode(t *testing.T) {
	for _, name := range []string{"satellite_pro_l70_testdata.bin", "smbios_table.bin"} {
		t.Run(name, func(t *testing.T) {
			file := uRootSMBIOS(t, name)
			inv, err := Collect(context.Background(), Options{Root: t.TempDir(), SMBIOSFile: file})
			if err != nil {
				t.Fatal(err)
			}
			s := inv.SMBIOS
			if s.Status != StatusComplete && s.Status != StatusPartial {
				t.Fatalf("smbios %s: %s", s.Status, s.Reason)
			}
			var mems []MemoryDevice
			mems = append(mems, s.MemoryDevices...)
			nMem, nProc := 0, 0
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
				case 4:
					if nProc >= len(s.Processors) {
						t.Fatalf("dmidecode has more processors than our %d", len(s.Processors))
					}
					p := s.Processors[nProc]
					nProc++
					eq(t, "socket", p.SocketDesignation, dmiStr(f["Socket Designation"]))
					eq(t, "cpu manufacturer", p.Manufacturer, dmiStr(f["Manufacturer"]))
					eq(t, "cpu ID", p.ID, f["ID"])
					eq(t, "cpu version", p.Version, dmiStr(f["Version"]))
					eq(t, "cpu max speed", strconv.Itoa(p.MaxSpeedMHz), strconv.Itoa(dmiSpeed(f["Max Speed"])))
					if f["Core Count"] != "" {
						eq(t, "core count", strconv.Itoa(p.CoreCount), f["Core Count"])
					}
				case 17:
					if nMem >= len(mems) {
						t.Fatalf("dmidecode has more memory devices than our %d", len(mems))
					}
					m := mems[nMem]
					nMem++
					eq(t, "locator", m.Locator, dmiStr(f["Locator"]))
					eq(t, "bank", m.BankLocator, dmiStr(f["Bank Locator"]))
					eq(t, "size", strconv.FormatUint(m.SizeBytes, 10), strconv.FormatUint(dmiSize(f["Size"]), 10))
					eq(t, "type", m.Type, f["Type"])
					eq(t, "speed", strconv.Itoa(m.SpeedMTs), strconv.Itoa(dmiSpeed(f["Speed"])))
					eq(t, "configured speed", strconv.Itoa(m.ConfiguredSpeedMTs), strconv.Itoa(dmiSpeed(f["Configured Memory Speed"])))
					eq(t, "mem manufacturer", m.Manufacturer, dmiStr(f["Manufacturer"]))
					eq(t, "mem serial", m.SerialNumber, dmiStr(f["Serial Number"]))
					eq(t, "part number", m.PartNumber, dmiStr(f["Part Number"]))
				}
			}
			if nMem != len(mems) || nProc != len(s.Processors) {
				t.Errorf("memory devices %d/%d, processors %d/%d (dmidecode/ours)", nMem, len(mems), nProc, len(s.Processors))
			}
			if nMem == 0 {
				t.Errorf("no memory devices compared")
			}
		})
	}
}

func eq(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, dmidecode says %q", what, got, want)
	}
}
