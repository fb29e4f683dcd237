package winfacts

import (
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// sz encodes s as a REG_SZ payload: UTF-16LE with its terminating NUL.
func sz(s string) []byte {
	u := append(utf16.Encode([]rune(s)), 0)
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

func str(s string) Value   { return Value{Type: RegSZ, Str: s} }
func dword(n uint64) Value { return Value{Type: RegDWORD, Int: n} }

func TestDecodeValue(t *testing.T) {
	for _, c := range []struct {
		name string
		typ  uint32
		data []byte
		want Value
	}{
		{"REG_SZ", RegSZ, sz("Windows 10 Pro"), Value{Type: RegSZ, Str: "Windows 10 Pro"}},
		{"REG_SZ without NUL", RegSZ, sz("abc")[:6], Value{Type: RegSZ, Str: "abc"}},
		{"REG_SZ non-ASCII", RegSZ, sz("Mozilla Firefox (x64 de) – ß"), Value{Type: RegSZ, Str: "Mozilla Firefox (x64 de) – ß"}},
		{"REG_SZ surrogate pair", RegSZ, sz("𝄞"), Value{Type: RegSZ, Str: "𝄞"}},
		{"REG_EXPAND_SZ", RegExpandSZ, sz(`%SystemRoot%\x`), Value{Type: RegExpandSZ, Str: `%SystemRoot%\x`}},
		{"REG_MULTI_SZ", RegMultiSZ, append(append(sz("a"), sz("bc")...), 0, 0), Value{Type: RegMultiSZ, Strs: []string{"a", "bc"}}},
		{"REG_DWORD", RegDWORD, []byte{0xe5, 0x0d, 0, 0}, Value{Type: RegDWORD, Int: 3557}},
		{"REG_DWORD_BIG_ENDIAN", RegDWORDBigEndian, []byte{0, 0, 0x0d, 0xe5}, Value{Type: RegDWORDBigEndian, Int: 3557}},
		{"REG_QWORD", RegQWORD, []byte{1, 0, 0, 0, 1, 0, 0, 0}, Value{Type: RegQWORD, Int: 1<<32 + 1}},
		{"REG_BINARY", RegBinary, []byte{1, 2}, Value{Type: RegBinary, Bin: []byte{1, 2}}},
	} {
		got, err := DecodeValue(c.typ, c.data)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
	for _, c := range []struct {
		typ  uint32
		data []byte
	}{{RegDWORD, []byte{1, 2}}, {RegQWORD, []byte{1, 2, 3, 4}}, {RegDWORDBigEndian, nil}} {
		if _, err := DecodeValue(c.typ, c.data); !errors.Is(err, ErrBadValue) {
			t.Errorf("type %d of %d bytes: %v", c.typ, len(c.data), err)
		}
	}
}

func TestParseInstallDate(t *testing.T) {
	// 1633046400 is 2021-10-01T00:00:00Z.
	if d, ok := ParseInstallDate(dword(1633046400)); !ok || !d.Equal(time.Date(2021, 10, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("unix DWORD: %v %v", d, ok)
	}
	if d, ok := ParseInstallDate(str("20230415")); !ok || d.Format("2006-01-02") != "2023-04-15" {
		t.Errorf("YYYYMMDD: %v %v", d, ok)
	}
	for _, v := range []Value{str("4/15/2023"), str("2023-04-15"), str("20231345"), str(""), dword(0), str("00000000")} {
		if d, ok := ParseInstallDate(v); ok {
			t.Errorf("%+v parsed as %v", v, d)
		}
	}
}

func TestOSFromValues(t *testing.T) {
	// Values as a Windows 11 22H2 machine stores them: ProductName still
	// says "Windows 10" (Microsoft never changed it).
	vs := Values{
		"ProductName": str("Windows 10 Pro"), "EditionID": str("Professional"),
		"DisplayVersion": str("22H2"), "CurrentBuild": str("22621"), "UBR": dword(2428),
		"CurrentMajorVersionNumber": dword(10), "CurrentMinorVersionNumber": dword(0),
		"InstallationType": str("Client"), "installdate": dword(1633046400),
	}
	o := OSFromValues(vs)
	if o.Name != "Windows 11 Pro" || o.ProductName != "Windows 10 Pro" || o.Version != "10.0.22621.2428" ||
		o.DisplayVersion != "22H2" || o.EditionID != "Professional" || o.InstallDate == nil || o.InstallDate.Year() != 2021 {
		t.Errorf("Windows 11: %+v", o)
	}
	// Windows 7 SP1: no DisplayVersion, no major/minor numbers, CSDVersion set.
	o = OSFromValues(Values{
		"ProductName": str("Windows 7 Professional"), "CurrentVersion": str("6.1"),
		"CurrentBuild": str("7601"), "CSDVersion": str("Service Pack 1"),
	})
	if o.Name != "Windows 7 Professional" || o.Version != "6.1.7601" || o.ServicePack != "Service Pack 1" {
		t.Errorf("Windows 7: %+v", o)
	}
	// Windows 10 1909: ReleaseId instead of DisplayVersion.
	o = OSFromValues(Values{"ProductName": str("Windows 10 Enterprise LTSC 2019"), "ReleaseId": str("1809"), "CurrentBuildNumber": str("17763")})
	if o.Name != "Windows 10 Enterprise LTSC 2019" || o.DisplayVersion != "1809" || o.CurrentBuild != "17763" {
		t.Errorf("Windows 10 LTSC: %+v", o)
	}
}

func TestProgramFromValues(t *testing.T) {
	p, ok := ProgramFromValues("{23170F69-40C1-2702-2301-000001000000}", "machine", Values{
		"DisplayName": str("7-Zip 23.01 (x64 edition)"), "DisplayVersion": str("23.01.00.0"),
		"Publisher": str("Igor Pavlov"), "InstallDate": str("20231120"), "WindowsInstaller": dword(1),
	})
	want := Program{Name: "7-Zip 23.01 (x64 edition)", Version: "23.01.00.0", Publisher: "Igor Pavlov",
		InstallDate: "2023-11-20", Scope: "machine", Key: "{23170F69-40C1-2702-2301-000001000000}", MSI: true}
	if !ok || p != want {
		t.Errorf("got %+v %v, want %+v", p, ok, want)
	}
	for name, vs := range map[string]Values{
		"no DisplayName":      {"DisplayVersion": str("1")},
		"SystemComponent":     {"DisplayName": str("Microsoft Visual C++ 2022 X64 Minimum Runtime"), "SystemComponent": dword(1)},
		"ParentKeyName":       {"DisplayName": str("Update for Office"), "ParentKeyName": str("Office16.PROPLUS")},
		"Security Update":     {"DisplayName": str("Security Update for X"), "ReleaseType": str("Security Update")},
		"blank DisplayName":   {"DisplayName": str("   ")},
		"DisplayName not str": {"DisplayName": dword(5)},
	} {
		if p, ok := ProgramFromValues("k", "machine", vs); ok {
			t.Errorf("%s: listed as %+v", name, p)
		}
	}
	// SystemComponent = 0 is shown.
	if _, ok := ProgramFromValues("k", "user", Values{"DisplayName": str("x"), "SystemComponent": dword(0)}); !ok {
		t.Error("SystemComponent 0 hidden")
	}
	ps := SortPrograms([]Program{
		{Name: "b", Version: "1", Scope: "machine"}, {Name: "A", Version: "2", Scope: "user"},
		{Name: "b", Version: "1", Scope: "machine"}, {Name: "b", Version: "1", Scope: "machine-32bit"},
	})
	if len(ps) != 3 || ps[0].Name != "A" || ps[1].Scope != "machine" || ps[2].Scope != "machine-32bit" {
		t.Errorf("SortPrograms = %+v", ps)
	}
}

func TestHotfixes(t *testing.T) {
	for in, want := range map[string]string{
		"Package_for_KB5005565~31bf3856ad364e35~amd64~~19041.1237.1.1":           "KB5005565",
		"Package_1_for_KB5031356~31bf3856ad364e35~amd64~~19041.3570.1.10":        "KB5031356",
		"Package_for_ServicingStack_3570~31bf3856ad364e35~amd64~~19041.3570.1.1": "",
		"Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.3570.1.10":          "",
		"KB2533623":                              "KB2533623",
		"Q147222":                                "",
		"Microsoft-Windows-Foundation-Package~x": "",
		"Package_for_KB12~31bf3856ad364e35":      "", // too short to be a KB number
	} {
		got, ok := KBFromName(in)
		if got != want || ok != (want != "") {
			t.Errorf("KBFromName(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	hs := Hotfixes([]CBSPackage{
		{Name: "Package_for_KB5031356~31bf3856ad364e35~amd64~~19041.3570.1.10", State: 0x70, HasState: true},
		{Name: "Package_1_for_KB5031356~31bf3856ad364e35~amd64~~19041.3570.1.10", State: 0x70, HasState: true},
		{Name: "Package_for_KB5005565~31bf3856ad364e35~amd64~~19041.1237.1.1", State: 0x70, HasState: true},
		{Name: "Package_for_KB5034441~31bf3856ad364e35~amd64~~19041.3920.1.1", State: 0x20, HasState: true}, // staged, not installed
		{Name: "Package_for_KB4562830~31bf3856ad364e35~amd64~~10.0.1.0"},                                    // state unreadable
	}, []string{"KB2533623", "KB5005565"})
	want := []Hotfix{{"KB2533623", "hotfix-key"}, {"KB4562830", "cbs"}, {"KB5005565", "cbs"}, {"KB5031356", "cbs"}}
	if !reflect.DeepEqual(hs, want) {
		t.Errorf("Hotfixes = %+v, want %+v", hs, want)
	}
}

func TestDrivers(t *testing.T) {
	d, ok := DriverFromValues("Tcpip", `C:\Windows`, Values{
		"Type": dword(1), "Start": dword(0), "DisplayName": str("@todo.dll,-100;TCP/IP Protocol Driver"),
		"ImagePath": Value{Type: RegExpandSZ, Str: `System32\drivers\tcpip.sys`},
	})
	if !ok || d.Kind != "kernel" || d.Start != "boot" || d.DisplayName != "" || d.Path != `C:\Windows\System32\drivers\tcpip.sys` {
		t.Errorf("Tcpip: %+v %v", d, ok)
	}
	d, ok = DriverFromValues("Ntfs", `C:\Windows\`, Values{"Type": dword(2), "Start": dword(3), "DisplayName": str("Ntfs")})
	if !ok || d.Kind != "filesystem" || d.Start != "demand" || d.Path != `C:\Windows\System32\drivers\Ntfs.sys` {
		t.Errorf("Ntfs: %+v %v", d, ok)
	}
	for _, typ := range []uint64{0x10, 0x20, 0x110, 8} { // own process, shared process, interactive, recognizer
		if d, ok := DriverFromValues("svc", `C:\Windows`, Values{"Type": dword(typ)}); ok {
			t.Errorf("type 0x%x listed as %+v", typ, d)
		}
	}
	for in, want := range map[string]string{
		`\SystemRoot\System32\drivers\ACPI.sys`: `C:\Windows\System32\drivers\ACPI.sys`,
		`\??\C:\Program Files\Npcap\npcap.sys`:  `C:\Program Files\Npcap\npcap.sys`,
		`%SystemRoot%\system32\drivers\x.sys`:   `C:\Windows\system32\drivers\x.sys`,
		`"C:\Program Files\Vendor\drv.sys"`:     `C:\Program Files\Vendor\drv.sys`,
		`system32\DRIVERS\e1i68x64.sys`:         `C:\Windows\system32\DRIVERS\e1i68x64.sys`,
		``:                                      `C:\Windows\System32\drivers\svc.sys`,
	} {
		if got := ResolveImagePath(in, "svc", `C:\Windows`); got != want {
			t.Errorf("ResolveImagePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseFixedFileInfo(t *testing.T) {
	// VS_FIXEDFILEINFO of tcpip.sys 10.0.19041.3636: dwFileVersionMS =
	// 10<<16|0, dwFileVersionLS = 19041<<16|3636.
	b := make([]byte, 52)
	binary.LittleEndian.PutUint32(b, 0xFEEF04BD)
	binary.LittleEndian.PutUint32(b[4:], 0x00010000)
	binary.LittleEndian.PutUint32(b[8:], 10<<16)
	binary.LittleEndian.PutUint32(b[12:], 19041<<16|3636)
	if v, err := ParseFixedFileInfo(b); err != nil || v != "10.0.19041.3636" {
		t.Errorf("got %q %v", v, err)
	}
	b[0] = 0
	if _, err := ParseFixedFileInfo(b); err == nil {
		t.Error("bad signature accepted")
	}
	if _, err := ParseFixedFileInfo(b[:10]); err == nil {
		t.Error("short buffer accepted")
	}
}

func TestRSMBErrors(t *testing.T) {
	for name, raw := range map[string][]byte{
		"empty":        nil,
		"short header": {0, 3, 2, 0},
		"long length":  {0, 3, 2, 0, 100, 0, 0, 0, 1, 2, 3},
		"empty table":  {0, 3, 2, 0, 0, 0, 0, 0},
	} {
		if _, err := RSMBToDumpBin(raw); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzRSMBToDumpBin(f *testing.F) {
	f.Add([]byte{0, 3, 2, 0, 6, 0, 0, 0, 127, 4, 0, 0, 0, 0})
	f.Add([]byte{0, 2, 7, 0, 10, 0, 0, 0, 1, 4, 1, 0, 'x', 0, 0, 127, 4, 2})
	f.Fuzz(func(t *testing.T, raw []byte) {
		out, err := RSMBToDumpBin(raw)
		if err != nil {
			return
		}
		n := binary.LittleEndian.Uint32(raw[4:8])
		if len(out) != dumpBinTableOffset+int(n) || string(out[dumpBinTableOffset:]) != string(raw[8:8+n]) {
			t.Fatalf("table not carried over unchanged")
		}
		l := 0x18
		if string(out[:4]) == "_SM_" {
			l = 0x1f
		}
		var sum byte
		for _, c := range out[:l] {
			sum += c
		}
		if sum != 0 {
			t.Fatalf("entry point checksum off by %d", sum)
		}
	})
}

func FuzzDecodeValue(f *testing.F) {
	f.Add(uint32(RegSZ), sz("abc"))
	f.Add(uint32(RegMultiSZ), append(sz("a"), 0, 0))
	f.Add(uint32(RegQWORD), []byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Fuzz(func(t *testing.T, typ uint32, data []byte) {
		v, err := DecodeValue(typ, data)
		if err == nil && v.Type != typ {
			t.Fatalf("type %d became %d", typ, v.Type)
		}
	})
}

func TestCPUFromValues(t *testing.T) {
	// CentralProcessor\0 of an i7-9700 with microcode 0xf8 loaded, and of a
	// Ryzen 7 5800X (AMD keeps the patch level in the low 32 bits of MSR 0x8B).
	c := CPUFromValues(Values{
		"ProcessorNameString": str("Intel(R) Core(TM) i7-9700 CPU @ 3.00GHz"), "VendorIdentifier": str("GenuineIntel"),
		"Identifier": str("Intel64 Family 6 Model 158 Stepping 13"), "~MHz": dword(3000),
		"Update Revision": {Type: RegBinary, Bin: []byte{0, 0, 0, 0, 0xf8, 0, 0, 0}},
	})
	if c.Family != "6" || c.Model != "158" || c.Stepping != "13" || c.Microcode != "0xf8" || c.MHz != 3000 || c.Vendor != "GenuineIntel" {
		t.Errorf("Intel: %+v", c)
	}
	c = CPUFromValues(Values{"Identifier": str("AMD64 Family 25 Model 33 Stepping 0"),
		"Update Revision": {Type: RegBinary, Bin: []byte{0x0e, 0x12, 0x20, 0x0a, 0, 0, 0, 0}}})
	if c.Family != "25" || c.Model != "33" || c.Stepping != "0" || c.Microcode != "0xa20120e" {
		t.Errorf("AMD: %+v", c)
	}
	for _, id := range []string{"", "x86 Family 6", "Family x Model 1 Stepping 2", "ARMv8 (64-bit) Family 8 Model D4B Revision 0"} {
		if f, m, s, ok := ParseCPUIdentifier(id); ok {
			t.Errorf("ParseCPUIdentifier(%q) = %s %s %s", id, f, m, s)
		}
	}
	for _, b := range [][]byte{nil, {1, 2, 3}, make([]byte, 8)} {
		if got := MicrocodeFromUpdateRevision(b); got != "" {
			t.Errorf("MicrocodeFromUpdateRevision(%x) = %q", b, got)
		}
	}
	if FirmwareType(1) != "bios" || FirmwareType(2) != "uefi" || FirmwareType(0) != "" || FirmwareType(7) != "" {
		t.Error("FirmwareType")
	}
}

// FuzzCPUFromValues feeds arbitrary Identifier text and "Update Revision"
// bytes (registry contents are written by firmware and drivers) through
// the processor decoders: they must not panic, and what they return must
// be numbers taken from the input.
func FuzzCPUFromValues(f *testing.F) {
	f.Add("Intel64 Family 6 Model 158 Stepping 13", []byte{0, 0, 0, 0, 0xf8, 0, 0, 0})
	f.Add("AMD64 Family 25 Model 1 Stepping 1", []byte{0x0e, 0x12, 0x20, 0x0a, 0, 0, 0, 0})
	f.Add("ARMv8 (64-bit) Family 8 Model D4B Revision   0", []byte{1})
	f.Fuzz(func(t *testing.T, id string, rev []byte) {
		c := CPUFromValues(Values{"Identifier": {Type: RegSZ, Str: id}, "Update Revision": {Type: RegBinary, Bin: rev}})
		for _, n := range []string{c.Family, c.Model, c.Stepping} {
			if n != "" && !strings.Contains(id, n) {
				t.Fatalf("%q from %q", n, id)
			}
		}
		if c.Microcode != "" && (len(rev) < 8 || !strings.HasPrefix(c.Microcode, "0x")) {
			t.Fatalf("microcode %q from %x", c.Microcode, rev)
		}
	})
}

func TestFormatMAC(t *testing.T) {
	b := []byte{0x00, 0x1B, 0x21, 0x3A, 0x4F, 0x5C, 0, 0}
	for n, want := range map[uint32]string{6: "00:1b:21:3a:4f:5c", 0: "", 2: "00:1b", 99: "00:1b:21:3a:4f:5c:00:00"} {
		if got := FormatMAC(b, n); got != want {
			t.Errorf("FormatMAC(%d) = %q, want %q", n, got, want)
		}
	}
	if !(Adapter{IfType: 24}).Virtual() || !(Adapter{IfType: 131}).Virtual() || (Adapter{IfType: 6}).Virtual() {
		t.Error("Virtual")
	}
}

func TestParsePnP(t *testing.T) {
	// Instance, hardware and compatible IDs as Device Manager shows them
	// for an I219-LM NIC and an FT232R USB serial adapter.
	ids, ok := ParsePCIInstance(`PCI\VEN_8086&DEV_15BB&SUBSYS_08B91028&REV_10\3&11583659&0&FE`,
		[]string{`PCI\VEN_8086&DEV_15BB&REV_10`, `PCI\VEN_8086&DEV_15BB`, `PCI\VEN_8086&CC_020000`, `PCI\VEN_8086&CC_0200`, `PCI\VEN_8086`, `PCI\CC_020000`, `PCI\CC_0200`})
	want := PCIIDs{Vendor: "8086", Device: "15bb", SubVendor: "1028", SubDevice: "08b9", Revision: "10", Class: "020000"}
	if !ok || ids != want {
		t.Errorf("PCI = %+v %v, want %+v", ids, ok, want)
	}
	for _, bad := range []string{``, `PCI`, `USB\VID_0403&PID_6001\A50285BI`, `PCI\VEN_80&DEV_15BB\x`, `PCI\VEN_8086\x`, `ACPI\PNP0A08\0`} {
		if ids, ok := ParsePCIInstance(bad, nil); ok {
			t.Errorf("ParsePCIInstance(%q) = %+v", bad, ids)
		}
	}
	for in, want := range map[string]string{"PCI bus 0, device 31, function 6": "00:1f.6", "PCI bus 3, device 0, function 0": "03:00.0"} {
		if got, ok := ParsePCILocation(in); !ok || got != want {
			t.Errorf("ParsePCILocation(%q) = %q %v", in, got, ok)
		}
	}
	for _, bad := range []string{"", "Port_#0001.Hub_#0004", "PCI bus 0, device 32, function 0", "PCI bus 0, device 1, function 8", "PCI bus 300, device 1, function 0"} {
		if got, ok := ParsePCILocation(bad); ok {
			t.Errorf("ParsePCILocation(%q) = %q", bad, got)
		}
	}

	u, ok := ParseUSBInstance(`USB\VID_0403&PID_6001\A50285BI`, []string{`USB\VID_0403&PID_6001&REV_0600`, `USB\VID_0403&PID_6001`})
	if !ok || u != (USBIDs{Vendor: "0403", Product: "6001", DeviceVersion: "6.00", Serial: "A50285BI"}) {
		t.Errorf("USB = %+v %v", u, ok)
	}
	// No serial number: Windows builds the last segment from the port.
	u, ok = ParseUSBInstance(`USB\VID_046D&PID_C52B\5&2C3E1B&0&2`, []string{`USB\VID_046D&PID_C52B&REV_1211`})
	if !ok || u.Serial != "" || u.DeviceVersion != "12.11" || u.Vendor != "046d" {
		t.Errorf("USB without serial = %+v %v", u, ok)
	}
	for _, skip := range []string{`USB\ROOT_HUB30\4&1B3C0F0&0&0`, `USB\VID_046D&PID_C52B&MI_00\6&1C0A0B&0&0000`, `HID\VID_046D&PID_C52B\x`, `USB`} {
		if u, ok := ParseUSBInstance(skip, nil); ok {
			t.Errorf("ParseUSBInstance(%q) = %+v", skip, u)
		}
	}
}

// FuzzPnPIDs: device instance, hardware and compatible IDs and locations
// come from drivers; the parsers must not panic and must return only hex
// digits that were in the input.
func FuzzPnPIDs(f *testing.F) {
	f.Add(`PCI\VEN_8086&DEV_15BB&SUBSYS_08B91028&REV_10\3&11583659&0&FE`, `PCI\CC_020000`, "PCI bus 0, device 31, function 6")
	f.Add(`USB\VID_0403&PID_6001\A50285BI`, `USB\VID_0403&PID_6001&REV_0600`, "Port_#0001.Hub_#0004")
	f.Fuzz(func(t *testing.T, id, other, loc string) {
		if p, ok := ParsePCIInstance(id, []string{other}); ok {
			for _, v := range []string{p.Vendor, p.Device, p.SubVendor, p.SubDevice, p.Revision, p.Class} {
				if !strings.Contains(strings.ToLower(id+other), v) {
					t.Fatalf("%q not from the input (%+v)", v, p)
				}
			}
		}
		if u, ok := ParseUSBInstance(id, []string{other}); ok && (!strings.Contains(strings.ToLower(id), u.Vendor) || len(u.Product) != 4) {
			t.Fatalf("USB %+v from %q", u, id)
		}
		ParsePCILocation(loc)
	})
}
