//go:build linux

package sysinv

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// synthDump builds a dmidecode --dump-bin file (SMBIOS 3.0 entry point at 0,
// table at 0x20) holding OEM strings (type 11), two TPM devices (type 43,
// spec 1.2 and 2.0) and the end-of-table marker, laid out per DSP0134.
func synthDump() []byte {
	var table []byte
	add := func(typ byte, body []byte, strs ...string) {
		h := []byte{typ, byte(4 + len(body)), byte(len(table)), 0}
		table = append(table, h...)
		table = append(table, body...)
		if len(strs) == 0 {
			table = append(table, 0, 0)
			return
		}
		for _, s := range strs {
			table = append(table, s...)
			table = append(table, 0)
		}
		table = append(table, 0)
	}
	add(11, []byte{3}, "Dell System", "1[0A8C]", "  ")
	tpm := func(vendor string, major, minor byte, fw1, fw2 uint32) []byte {
		b := make([]byte, 0x1f-4)
		copy(b[0:4], vendor)
		b[4], b[5] = major, minor
		binary.LittleEndian.PutUint32(b[6:], fw1)
		binary.LittleEndian.PutUint32(b[10:], fw2)
		b[14] = 1 // description string
		binary.LittleEndian.PutUint64(b[15:], 1<<3)
		return b
	}
	add(43, tpm("NTC\x00", 1, 2, 0x0d0c0000, 0), "TPM 1.2 chip")
	add(43, tpm("IFX\x00", 2, 0, 0x0007_0055, 0x0003_0000), "INFINEON TPM 2.0")
	add(127, nil)

	entry := make([]byte, 0x18)
	copy(entry, "_SM3_")
	entry[6] = 0x18
	entry[7], entry[8], entry[9] = 3, 0, 0 // SMBIOS 3.0.0
	entry[10] = 1                          // entry point revision
	binary.LittleEndian.PutUint32(entry[12:], uint32(len(table)))
	binary.LittleEndian.PutUint64(entry[16:], 0x20)
	var sum byte
	for _, c := range entry {
		sum += c
	}
	entry[5] = -sum
	out := make([]byte, 0x20)
	copy(out, entry)
	return append(out, table...)
}

// TestSMBIOSTPMAndOEMAgainstDmidecode: type 43 and type 11 are absent from
// the real tables we have, so check them on a synthetic dump, with dmidecode
// as the oracle for the decoding.
func TestSMBIOSTPMAndOEMAgainstDmidecode(t *testing.T) {
	file := filepath.Join(t.TempDir(), "synth.bin")
	must(t, os.WriteFile(file, synthDump(), 0o644))
	inv, err := Collect(context.Background(), Options{Root: t.TempDir(), SMBIOSFile: file})
	must(t, err)
	s := inv.SMBIOS
	if s.Version != "3.0.0" {
		t.Errorf("version %q (%s %s %+v)", s.Version, s.Status, s.Reason, s.Warnings)
	}
	var tpms []map[string]string
	var oem []string
	for _, b := range dmidecode(t, file) {
		switch b.typ {
		case 43:
			tpms = append(tpms, b.fields)
		case 11:
			for i := 1; ; i++ {
				v, ok := b.fields["String "+strconv.Itoa(i)]
				if !ok {
					break
				}
				if strings.TrimSpace(v) != "" {
					oem = append(oem, v)
				}
			}
		}
	}
	if len(tpms) != 2 || len(s.TPMs) != 2 {
		t.Fatalf("tpms: dmidecode %d, ours %d", len(tpms), len(s.TPMs))
	}
	for i, f := range tpms {
		eq(t, "TPM vendor", s.TPMs[i].VendorID, f["Vendor ID"])
		eq(t, "TPM spec", s.TPMs[i].SpecVersion, f["Specification Version"])
		eq(t, "TPM firmware", s.TPMs[i].FirmwareVersion, f["Firmware Revision"])
		eq(t, "TPM description", s.TPMs[i].Description, f["Description"])
	}
	if strings.Join(s.OEMStrings, "|") != strings.Join(oem, "|") || len(oem) != 2 {
		t.Errorf("OEM strings %q, dmidecode %q", s.OEMStrings, oem)
	}
}
