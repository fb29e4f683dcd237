package sysinv

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/wirebom/wirebom/sysinv/macfacts"
	"github.com/wirebom/wirebom/sysinv/winfacts"
)

func regSZ(s string) winfacts.Value   { return winfacts.Value{Type: winfacts.RegSZ, Str: s} }
func regDW(n uint64) winfacts.Value   { return winfacts.Value{Type: winfacts.RegDWORD, Int: n} }
func regBin(b ...byte) winfacts.Value { return winfacts.Value{Type: winfacts.RegBinary, Bin: b} }
func regExp(s string) winfacts.Value  { return winfacts.Value{Type: winfacts.RegExpandSZ, Str: s} }
func findProgram(ps []Program, name string) *Program {
	for i := range ps {
		if ps[i].Name == name {
			return &ps[i]
		}
	}
	return nil
}

// windowsFacts builds what winfacts.Collect and CollectHost return on a
// Windows 10 22H2 workstation, through the same decoders, from registry
// values as `reg query` prints them on such a machine.
func windowsFacts(t *testing.T) *winfacts.Facts {
	t.Helper()
	f := &winfacts.Facts{Hostname: "ENG-WS-07", MachineGUID: "8d7a2c1e-5b0f-4f0e-9a51-2f3c4d5e6f70", MemoryBytes: 16 << 30}
	f.OS = winfacts.OSFromValues(winfacts.Values{
		"ProductName": regSZ("Windows 10 Enterprise LTSC 2021"), "EditionID": regSZ("EnterpriseS"),
		"DisplayVersion": regSZ("21H2"), "CurrentBuild": regSZ("19044"), "UBR": regDW(3693),
		"CurrentMajorVersionNumber": regDW(10), "CurrentMinorVersionNumber": regDW(0),
		"InstallationType": regSZ("Client"), "InstallDate": regDW(1672531200), // 2023-01-01T00:00:00Z
	})
	for _, e := range []struct {
		key, scope string
		vs         winfacts.Values
	}{
		{"{23170F69-40C1-2702-2301-000001000000}", "machine", winfacts.Values{"DisplayName": regSZ("7-Zip 23.01 (x64 edition)"),
			"DisplayVersion": regSZ("23.01.00.0"), "Publisher": regSZ("Igor Pavlov"), "InstallDate": regSZ("20231120"), "WindowsInstaller": regDW(1)}},
		{"Wireshark", "machine", winfacts.Values{"DisplayName": regSZ("Wireshark 4.2.2 x64"), "DisplayVersion": regSZ("4.2.2"),
			"Publisher": regSZ("The Wireshark developer community, https://www.wireshark.org")}},
		{"NpcapInst", "machine-32bit", winfacts.Values{"DisplayName": regSZ("Npcap"), "DisplayVersion": regSZ("1.78"), "Publisher": regSZ("Nmap Project")}},
		{"{X}", "machine", winfacts.Values{"DisplayName": regSZ("Microsoft Visual C++ 2022 X64 Minimum Runtime"), "SystemComponent": regDW(1)}},
	} {
		if p, ok := winfacts.ProgramFromValues(e.key, e.scope, e.vs); ok {
			f.Programs = append(f.Programs, p)
		}
	}
	f.Programs = winfacts.SortPrograms(f.Programs)
	f.Hotfixes = winfacts.Hotfixes([]winfacts.CBSPackage{
		{Name: "Package_for_KB5031356~31bf3856ad364e35~amd64~~19041.3570.1.10", State: 0x70, HasState: true},
		{Name: "Package_for_KB5034441~31bf3856ad364e35~amd64~~19041.3920.1.1", State: 0x20, HasState: true},
	}, []string{"KB2533623"})
	for _, e := range []struct {
		name string
		vs   winfacts.Values
	}{
		{"Tcpip", winfacts.Values{"Type": regDW(1), "Start": regDW(0), "ImagePath": regExp(`System32\drivers\tcpip.sys`)}},
		{"npcap", winfacts.Values{"Type": regDW(1), "Start": regDW(1), "DisplayName": regSZ("Npcap Packet Driver (NPCAP)"), "ImagePath": regExp(`\SystemRoot\system32\DRIVERS\npcap.sys`)}},
		{"Dnscache", winfacts.Values{"Type": regDW(0x20), "Start": regDW(2)}},
	} {
		if d, ok := winfacts.DriverFromValues(e.name, `C:\Windows`, e.vs); ok {
			if d.Name == "Tcpip" {
				d.Version = "10.0.19041.3636"
			}
			f.Drivers = append(f.Drivers, d)
		}
	}
	f.CPU = winfacts.CPUFromValues(winfacts.Values{
		"ProcessorNameString": regSZ("Intel(R) Core(TM) i7-9700 CPU @ 3.00GHz"), "VendorIdentifier": regSZ("GenuineIntel"),
		"Identifier": regSZ("Intel64 Family 6 Model 158 Stepping 13"), "~MHz": regDW(3000),
		"Update Revision": regBin(0, 0, 0, 0, 0xf8, 0, 0, 0),
	})
	f.CPU.Logical = 8
	f.Firmware = winfacts.Firmware{Type: winfacts.FirmwareType(2)}
	f.Adapters = []winfacts.Adapter{
		{Index: 12, Name: "Ethernet", Description: "Intel(R) Ethernet Connection (7) I219-LM", IfType: 6, Up: true, MTU: 1500,
			SpeedBps: 1_000_000_000, MAC: winfacts.FormatMAC([]byte{0xd8, 0x9e, 0xf3, 1, 2, 3, 0, 0}, 6)},
		{Index: 1, Name: "Loopback Pseudo-Interface 1", Description: "Software Loopback Interface 1", IfType: 24, Up: true, MTU: 0xffffffff},
	}
	// Present PnP devices as SetupAPI reports them; names are expected from
	// pci.ids/usb.ids (as `lspci -nn` and `lsusb` print them for these IDs),
	// and from the INF strings for an ID those lists lack.
	f.PCI = []winfacts.PnPDevice{
		{InstanceID: `PCI\VEN_8086&DEV_15BB&SUBSYS_08B91028&REV_10\3&11583659&0&FE`, Service: "e1dexpress",
			Location: "PCI bus 0, device 31, function 6", CompatibleIDs: []string{`PCI\VEN_8086&CC_020000`, `PCI\CC_020000`},
			Description: "Intel(R) Ethernet Connection (7) I219-LM", Manufacturer: "Intel"},
		{InstanceID: `PCI\VEN_2BAD&DEV_0001\0`, Description: "Vendor Fieldbus Card", Manufacturer: "(Standard system devices)", Location: "somewhere"},
	}
	f.USB = []winfacts.PnPDevice{
		{InstanceID: `USB\VID_0403&PID_6001\A50285BI`, HardwareIDs: []string{`USB\VID_0403&PID_6001&REV_0600`}, Service: "FTDIBUS"},
		{InstanceID: `USB\VID_0403&PID_6001&MI_00\x`},
		{InstanceID: `USB\ROOT_HUB30\4&1B3C0F0&0&0`},
	}
	on := true
	f.Firmware.SecureBoot = &on
	f.Warnings = []string{"hotfixes: SOFTWARE\\...\\Packages: Access is denied. (run as Administrator for the full list)",
		"smbios: GetSystemFirmwareTable('RSMB'): not supported", "elsewhere: something"}
	return f
}

func TestApplyWindows(t *testing.T) {
	inv := &Inventory{Root: `C:\`, Live: true}
	ApplyWindows(inv, windowsFacts(t))

	r := inv.OS.Release
	if r.ID != "windows" || r.Name != "Windows 10 Enterprise LTSC 2021" || r.VersionID != "10.0.19044.3693" ||
		r.Version != "21H2" || r.BuildID != "19044.3693" || r.Status != StatusComplete || r.CPE != "" {
		t.Errorf("release = %+v", r)
	}
	if r.PrettyName != "Windows 10 Enterprise LTSC 2021 21H2 (build 19044.3693)" || r.Fields["EditionID"] != "EnterpriseS" ||
		r.Fields["InstallDate"] != "2023-01-01T00:00:00Z" {
		t.Errorf("pretty/fields = %q %v", r.PrettyName, r.Fields)
	}
	if inv.OS.Windows == nil || inv.OS.Windows.EditionID != "EnterpriseS" {
		t.Errorf("OS.Windows = %+v", inv.OS.Windows)
	}
	if h := inv.OS.Host; h.Hostname != "ENG-WS-07" || h.MachineID != "8d7a2c1e-5b0f-4f0e-9a51-2f3c4d5e6f70" || h.Status != StatusComplete {
		t.Errorf("host = %+v", h)
	}
	if c := inv.CPU; c.ModelName != "Intel(R) Core(TM) i7-9700 CPU @ 3.00GHz" || c.Family != "6" || c.Model != "158" ||
		c.Stepping != "13" || c.Microcode != "0xf8" || c.Threads != 8 || c.Status != StatusPartial {
		t.Errorf("cpu = %+v", c)
	}
	if inv.Memory.TotalBytes != 16<<30 || inv.Memory.Status != StatusComplete {
		t.Errorf("memory = %+v", inv.Memory)
	}
	if inv.Firmware.Boot.Mode != BootUEFI || inv.Firmware.SecureBoot.Enabled == nil || !*inv.Firmware.SecureBoot.Enabled {
		t.Errorf("boot = %+v, secure boot = %+v", inv.Firmware.Boot, inv.Firmware.SecureBoot)
	}

	ps := inv.Software.Programs
	if len(ps.Programs) != 3 || findProgram(ps.Programs, "Npcap") == nil || findProgram(ps.Programs, "Npcap").Scope != "machine-32bit" ||
		findProgram(ps.Programs, "Microsoft Visual C++ 2022 X64 Minimum Runtime") != nil {
		t.Errorf("programs = %+v", ps.Programs)
	}
	hf := inv.Software.Hotfixes
	if len(hf.Hotfixes) != 2 || hf.Hotfixes[0].ID != "KB2533623" || hf.Hotfixes[1].ID != "KB5031356" {
		t.Errorf("hotfixes = %+v", hf.Hotfixes)
	}
	// Access denied to the CBS packages: the list may be short, and says why.
	if hf.Status != StatusPartial || len(hf.Warnings) != 1 || !strings.Contains(hf.Unknown[0].Reason, "Administrator") {
		t.Errorf("hotfix facts = %+v", hf.Facts)
	}
	dr := inv.OS.Drivers
	if len(dr.Drivers) != 2 || dr.Drivers[0].Path != `C:\Windows\System32\drivers\tcpip.sys` || dr.Drivers[1].Path != `C:\Windows\system32\DRIVERS\npcap.sys` ||
		dr.Status != StatusPartial || !strings.Contains(dr.Unknown[0].Reason, "1 of 2") {
		t.Errorf("drivers = %+v", dr)
	}
	// Linux sources: not applicable (absent with a reason), never "missing".
	nics := inv.NICs
	if len(nics.Interfaces) != 2 || nics.Status != StatusPartial || nics.Interfaces[0] != (NIC{Name: "Ethernet",
		Description: "Intel(R) Ethernet Connection (7) I219-LM", MAC: "d8:9e:f3:01:02:03", MTU: 1500, SpeedMbps: 1000, OperState: "up"}) ||
		!nics.Interfaces[1].Virtual || nics.Interfaces[1].MTU != 0 {
		t.Errorf("NICs = %+v", nics)
	}
	pci := inv.PCI
	if len(pci.Devices) != 2 || pci.Status != StatusPartial || pci.IDsSource != "embedded" {
		t.Errorf("PCI = %+v", pci)
	} else {
		want := PCIDevice{Address: "00:1f.6", VendorID: "8086", DeviceID: "15bb", SubsystemVendorID: "1028", SubsystemDeviceID: "08b9",
			Class: "020000", Revision: "10", Driver: "e1dexpress", VendorName: "Intel Corporation",
			DeviceName: "Ethernet Connection (7) I219-LM", ClassName: "Ethernet controller"}
		if got := pci.Devices[0]; got != want {
			t.Errorf("PCI device = %+v,\nwant %+v", got, want)
		}
		if got := pci.Devices[1]; got.VendorName != "" || got.DeviceName != "Vendor Fieldbus Card" || !strings.HasPrefix(got.Address, `PCI\`) {
			t.Errorf("unlisted PCI device = %+v", got)
		}
	}
	usb := inv.USB
	if len(usb.Devices) != 1 || usb.Devices[0] != (USBDevice{Path: `USB\VID_0403&PID_6001\A50285BI`, VendorID: "0403", ProductID: "6001",
		DeviceVersion: "6.00", Serial: "A50285BI", VendorName: "Future Technology Devices International, Ltd", ProductName: "FT232 Serial (UART) IC"}) {
		t.Errorf("USB = %+v", usb)
	}
	for name, f := range map[string]*Facts{"block": &inv.Block.Facts, "esrt": &inv.Firmware.ESRT.Facts, "tpm": &inv.Firmware.TPM.Facts, "modules": &inv.OS.Modules.Facts,
		"dpkg": &inv.Software.DPKG.Facts, "rpm": &inv.Software.RPM.Facts, "apk": &inv.Software.APK.Facts} {
		if f.Status != StatusAbsent || !strings.HasPrefix(f.Reason, "not applicable on windows") {
			t.Errorf("%s: %+v", name, *f)
		}
	}
	// The SMBIOS warning is the SMBIOS collector's; the unrouted one is kept.
	if len(inv.Warnings) != 1 || inv.Warnings[0].Msg != "elsewhere: something" {
		t.Errorf("inventory warnings = %+v", inv.Warnings)
	}
	if inv.SMBIOS.Status != "" {
		t.Errorf("SMBIOS touched: %+v", inv.SMBIOS)
	}
}

func TestApplyWindowsUnreadable(t *testing.T) {
	inv := &Inventory{}
	ApplyWindows(inv, &winfacts.Facts{Warnings: []string{"os: HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion: Access is denied.",
		"drivers: SYSTEM\\CurrentControlSet\\Services: Access is denied.", "memory: GlobalMemoryStatusEx: boom"}})
	if r := inv.OS.Release; r.Status != StatusUnknown || !strings.Contains(r.Reason, "Access is denied") || inv.OS.Windows != nil {
		t.Errorf("release = %+v", r)
	}
	if inv.OS.Drivers.Status != StatusUnknown || inv.Memory.Status != StatusUnknown || inv.CPU.Status != StatusUnknown {
		t.Errorf("drivers %+v memory %+v cpu %+v", inv.OS.Drivers.Facts, inv.Memory.Facts, inv.CPU.Facts)
	}
	if inv.Firmware.Boot.Mode != BootUnknown || inv.Firmware.SecureBoot.Enabled != nil {
		t.Errorf("boot = %+v", inv.Firmware)
	}
	for i, f := range inv.facts() {
		if f.Status == "" && i != 0 { // group 0 is SMBIOS, not ApplyWindows' job
			t.Errorf("group %d left without a status", i)
		}
	}
}

func TestApplyMacOS(t *testing.T) {
	inv := &Inventory{Root: "/", Live: true}
	ApplyMacOS(inv, macfacts.Facts{Model: "MacBookPro18,3", ProductVersion: "14.4.1", Build: "23E224", KernelRelease: "23.4.0",
		KernelVersion: "Darwin Kernel Version 23.4.0", CPUBrand: "Apple M1 Pro", CPUs: 10, MemoryBytes: 16 << 30, Hostname: "mbp",
		Warnings: []string{"sysctl kern.bogus: no such file or directory"}})
	r := inv.OS.Release
	if r.ID != "macos" || r.VersionID != "14.4.1" || r.BuildID != "23E224" || r.PrettyName != "macOS Sonoma 14.4.1 (23E224)" || r.Status != StatusComplete {
		t.Errorf("release = %+v", r)
	}
	if inv.OS.Host.Model != "MacBookPro18,3" || inv.OS.Host.Hostname != "mbp" || inv.CPU.ModelName != "Apple M1 Pro" ||
		inv.CPU.Threads != 10 || inv.Memory.TotalBytes != 16<<30 || inv.OS.Kernel.Release != "23.4.0" {
		t.Errorf("inventory = %+v %+v %+v %+v", inv.OS.Host, inv.CPU, inv.Memory, inv.OS.Kernel)
	}
	if inv.Software.DPKG.Status != StatusAbsent || !strings.Contains(inv.Software.DPKG.Reason, "not applicable on macos") {
		t.Errorf("dpkg = %+v", inv.Software.DPKG.Facts)
	}
	if len(inv.Warnings) != 1 {
		t.Errorf("warnings = %+v", inv.Warnings)
	}
	// Missing sysctl values land in their groups.
	inv = &Inventory{}
	ApplyMacOS(inv, macfacts.Facts{Warnings: []string{"sysctl hw.memsize: ENOENT", "sysctl kern.osproductversion: ENOENT"}})
	if inv.Memory.Status != StatusUnknown || len(inv.Memory.Warnings) != 1 || inv.OS.Release.Status != StatusUnknown || len(inv.OS.Release.Warnings) != 1 {
		t.Errorf("memory %+v release %+v", inv.Memory.Facts, inv.OS.Release.Facts)
	}
}

// scratchDir is t.TempDir without failing the test when the directory
// cannot be removed: Wine 8 lacks the file-disposition call os.RemoveAll
// uses on Windows ("Invalid function"), and these tests also run there.
func scratchDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "wirebom-sysinv-")
	must(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// TestWindowsImage: an offline root holding Windows registry hives says
// that they were not read; a Linux root has no Windows groups at all.
func TestWindowsImage(t *testing.T) {
	dir := scratchDir(t)
	must(t, os.MkdirAll(filepath.Join(dir, "Windows", "System32", "config"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "Windows", "System32", "config", "SOFTWARE"), []byte("regf"), 0o644))
	inv, err := Collect(context.Background(), Options{Root: dir})
	must(t, err)
	for _, f := range []*Facts{&inv.Software.Programs.Facts, &inv.Software.Hotfixes.Facts, &inv.OS.Drivers.Facts} {
		if f.Status != StatusUnknown || !strings.Contains(f.Reason, "registry hives of an offline root are not read") {
			t.Errorf("Windows image: %+v", *f)
		}
	}
	inv, err = Collect(context.Background(), Options{Root: scratchDir(t)})
	must(t, err)
	if inv.Software.Programs.Status != StatusAbsent || inv.OS.Drivers.Status != StatusAbsent {
		t.Errorf("empty root: programs %+v drivers %+v", inv.Software.Programs.Facts, inv.OS.Drivers.Facts)
	}
	b, err := json.Marshal(inv)
	must(t, err)
	if !strings.Contains(string(b), `"programs":{"status":"absent"`) {
		t.Errorf("JSON lacks the programs group: %s", b)
	}
}

func TestNICsFromInterfaces(t *testing.T) {
	mac, _ := net.ParseMAC("00:1B:21:3A:4F:5C")
	n := NICsFromInterfaces([]net.Interface{
		{Index: 12, MTU: 1500, Name: "Ethernet 2", HardwareAddr: mac, Flags: net.FlagUp | net.FlagBroadcast},
		{Index: 1, MTU: -1, Name: "Loopback Pseudo-Interface 1", Flags: net.FlagUp | net.FlagLoopback},
		{Index: 7, MTU: 1500, Name: "Ethernet", HardwareAddr: mac},
	}, nil, "GetAdaptersAddresses")
	want := []NIC{
		{Name: "Ethernet", MAC: "00:1b:21:3a:4f:5c", MTU: 1500, OperState: "down"},
		{Name: "Ethernet 2", MAC: "00:1b:21:3a:4f:5c", MTU: 1500, OperState: "up"},
		{Name: "Loopback Pseudo-Interface 1", MTU: -1, OperState: "up", Virtual: true},
	}
	if !reflect.DeepEqual(n.Interfaces, want) || n.Status != StatusPartial || n.Source != "GetAdaptersAddresses" {
		t.Errorf("NICs = %+v", n)
	}
	n = NICsFromInterfaces(nil, errors.New("boom"), "getifaddrs")
	if n.Status != StatusUnknown || !strings.Contains(n.Reason, "boom") {
		t.Errorf("error: %+v", n.Facts)
	}
}
