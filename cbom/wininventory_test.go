package cbom

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wirebom/wirebom/sysinv"
	"github.com/wirebom/wirebom/sysinv/macfacts"
	"github.com/wirebom/wirebom/sysinv/winfacts"
)

func wsz(s string) winfacts.Value { return winfacts.Value{Type: winfacts.RegSZ, Str: s} }
func wdw(n uint64) winfacts.Value { return winfacts.Value{Type: winfacts.RegDWORD, Int: n} }

// windowsInventory is what sysinv.Collect returns on a live Windows 11
// machine, built through the same exported decoders (winfacts) and
// sysinv.ApplyWindows that the Windows path uses, from registry values as a
// Windows 11 23H2 workstation holds them. SMBIOS is filled by hand as the
// SMBIOS collector would from GetSystemFirmwareTable.
func windowsInventory() *sysinv.Inventory {
	f := &winfacts.Facts{Hostname: "HMI-01", MachineGUID: "0f6e2b9a-1c3d-4e5f-8a9b-0c1d2e3f4a5b", MemoryBytes: 8 << 30}
	f.OS = winfacts.OSFromValues(winfacts.Values{
		"ProductName": wsz("Windows 10 Pro"), "EditionID": wsz("Professional"), "DisplayVersion": wsz("23H2"),
		"CurrentBuild": wsz("22631"), "UBR": wdw(2861), "CurrentMajorVersionNumber": wdw(10),
		"CurrentMinorVersionNumber": wdw(0), "InstallationType": wsz("Client"), "InstallDate": wdw(1700000000),
	})
	for _, e := range []struct {
		key, scope string
		vs         winfacts.Values
	}{
		{"{90160000-008C-0000-1000-0000000FF1CE}", "machine", winfacts.Values{"DisplayName": wsz("Office 16 Click-to-Run Extensibility Component"),
			"DisplayVersion": wsz("16.0.17328.20162"), "Publisher": wsz("Microsoft Corporation"), "WindowsInstaller": wdw(1), "InstallDate": wsz("20240301")}},
		{"TIA Portal V18", "machine-32bit", winfacts.Values{"DisplayName": wsz("Totally Integrated Automation Portal V18"),
			"DisplayVersion": wsz("18.0.0.0"), "Publisher": wsz("Siemens AG"), "InstallLocation": wsz(`C:\Program Files\Siemens\Automation\`)}},
		{"PuTTY " + hostile, "user", winfacts.Values{"DisplayName": wsz("PuTTY " + hostile), "DisplayVersion": wsz("0.80")}},
	} {
		if p, ok := winfacts.ProgramFromValues(e.key, e.scope, e.vs); ok {
			f.Programs = append(f.Programs, p)
		}
	}
	f.Programs = winfacts.SortPrograms(f.Programs)
	f.Hotfixes = winfacts.Hotfixes([]winfacts.CBSPackage{
		{Name: "Package_for_RollupFix~31bf3856ad364e35~amd64~~22621.2861.1.6", State: 0x70, HasState: true},
		{Name: "Package_for_KB5033375~31bf3856ad364e35~amd64~~22621.2861.1.6", State: 0x70, HasState: true},
		{Name: "Package_for_KB5032007~31bf3856ad364e35~amd64~~22621.2567.1.1", State: 0x70, HasState: true},
	}, nil)
	if d, ok := winfacts.DriverFromValues("e1dexpress", `C:\Windows`, winfacts.Values{"Type": wdw(1), "Start": wdw(3),
		"DisplayName": wsz("Intel(R) Ethernet Connection (7) I219-LM"), "ImagePath": wsz(`\SystemRoot\System32\drivers\e1d68x64.sys`)}); ok {
		d.Version = "12.19.1.37"
		f.Drivers = append(f.Drivers, d)
	}
	if d, ok := winfacts.DriverFromValues("Ntfs", `C:\Windows`, winfacts.Values{"Type": wdw(2), "Start": wdw(0)}); ok {
		f.Drivers = append(f.Drivers, d)
	}
	f.CPU = winfacts.CPUFromValues(winfacts.Values{"ProcessorNameString": wsz("Intel(R) Core(TM) i5-8500 CPU @ 3.00GHz"),
		"VendorIdentifier": wsz("GenuineIntel"), "Identifier": wsz("Intel64 Family 6 Model 158 Stepping 10"),
		"Update Revision": {Type: winfacts.RegBinary, Bin: []byte{0, 0, 0, 0, 0xf4, 0, 0, 0}}})
	f.CPU.Logical = 6
	f.Firmware.Type = winfacts.FirmwareType(2)
	f.PCI = []winfacts.PnPDevice{{InstanceID: `PCI\VEN_8086&DEV_15BB&SUBSYS_08B91028&REV_10\3&11583659&0&FE`, Service: "e1dexpress",
		Location: "PCI bus 0, device 31, function 6", CompatibleIDs: []string{`PCI\CC_020000`}}}
	f.USB = []winfacts.PnPDevice{}
	f.Adapters = []winfacts.Adapter{{Index: 7, Name: "Ethernet", Description: "Intel(R) Ethernet Connection (7) I219-LM", IfType: 6,
		Up: true, MTU: 1500, SpeedBps: 1_000_000_000, MAC: "d8:9e:f3:01:02:03"}}

	inv := &sysinv.Inventory{Root: `C:\`, Live: true, CollectedAt: time.Unix(1700000000, 0)}
	inv.SMBIOS = sysinv.SMBIOS{Facts: sysinv.Facts{Status: sysinv.StatusComplete, Source: "GetSystemFirmwareTable('RSMB')"}, Version: "3.1.0",
		BIOS:   &sysinv.BIOSInfo{Vendor: "Dell Inc.", Version: "1.27.0", ReleaseDate: "10/11/2023"},
		System: &sysinv.SystemInfo{Manufacturer: "Dell Inc.", ProductName: "OptiPlex 5060", SerialNumber: "7ABC123"}}
	sysinv.ApplyWindows(inv, f)
	return inv
}

func TestFromInventoryWindows(t *testing.T) {
	d, out, spdxOut := validatedDocument(t, windowsInventory())
	// Every format carries the programs, drivers and hotfixes (PDF text is
	// compressed: it must only encode).
	for _, f := range []Format{FormatCycloneDXXML, FormatYAML, FormatHTML, FormatPDF} {
		var b bytes.Buffer
		if err := d.Encode(&b, f); err != nil || b.Len() == 0 {
			t.Errorf("%s: %v (%d bytes)", f, err, b.Len())
		}
		if f == FormatPDF {
			continue
		}
		for _, want := range []string{"Totally Integrated Automation Portal V18", "e1dexpress", "KB5033375", "Siemens AG"} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("%s output lacks %q", f, want)
			}
		}
	}

	if d.OS == nil || d.OS.Name != "windows" || d.OS.Version != "10.0.22631.2861" || d.OS.Description != "Windows 11 Pro 23H2 (build 22631.2861)" {
		t.Fatalf("OS = %+v", d.OS)
	}
	if d.OS.Prop("wirebom:windows:editionId") != "Professional" || d.OS.Prop("wirebom:windows:productName") != "Windows 10 Pro" ||
		d.OS.Prop("wirebom:windows:installDate") != "2023-11-14T22:13:20Z" {
		t.Errorf("OS properties = %+v", d.OS.Props)
	}
	var kbs []string
	for _, p := range d.OS.Props {
		if p.Name == "wirebom:windows:hotfix" {
			kbs = append(kbs, p.Value)
		}
	}
	if strings.Join(kbs, " ") != "KB5032007 KB5033375" {
		t.Errorf("hotfixes = %v", kbs)
	}
	msi := d.Find("win:program:machine:{90160000-008C-0000-1000-0000000FF1CE}")
	if msi == nil || msi.Publisher != "Microsoft Corporation" || msi.Version != "16.0.17328.20162" || msi.PURL != "" || msi.CPE != "" ||
		msi.Prop("wirebom:program:msiProductCode") != "{90160000-008C-0000-1000-0000000FF1CE}" || msi.Prop("wirebom:program:installDate") != "2024-03-01" {
		t.Errorf("MSI program = %+v", msi)
	}
	tia := d.Find("win:program:machine-32bit:TIA Portal V18")
	if tia == nil || tia.Prop("wirebom:program:scope") != "machine-32bit" || tia.Prop("wirebom:package:type") != "windows-program" {
		t.Errorf("TIA Portal = %+v", tia)
	}
	if len(d.Packages) != 3 || len(d.OS.DependsOn) != 3 {
		t.Errorf("packages %d, OS depends on %v", len(d.Packages), d.OS.DependsOn)
	}
	e1d := d.Find("drv:e1dexpress")
	if e1d == nil || e1d.Kind != KindDriver || e1d.Version != "12.19.1.37" || e1d.Prop("wirebom:driver:path") != `C:\Windows\System32\drivers\e1d68x64.sys` {
		t.Errorf("driver = %+v", e1d)
	}
	if cpu := d.Find("hw:cpu:0"); cpu == nil || cpu.Name != "Intel(R) Core(TM) i5-8500 CPU @ 3.00GHz" || len(cpu.DependsOn) != 1 {
		t.Errorf("CPU = %+v", cpu)
	} else if mc := d.Find(cpu.DependsOn[0]); mc == nil || mc.Version != "0xf4" {
		t.Errorf("microcode = %+v", mc)
	}
	if pci := d.Find("hw:pci:00:1f.6"); pci == nil || pci.Name != "Ethernet Connection (7) I219-LM" || pci.Vendor != "Intel Corporation" ||
		strings.Join(pci.DependsOn, " ") != "drv:e1dexpress" {
		t.Errorf("PCI device = %+v", pci)
	}
	if nic := d.Find("hw:nic:Ethernet"); nic == nil || nic.Description != "Intel(R) Ethernet Connection (7) I219-LM" ||
		nic.MAC != "d8:9e:f3:01:02:03" || nic.Prop("wirebom:nic:speedMbps") != "1000" {
		t.Errorf("NIC = %+v", nic)
	}
	if d.Machine.Name != "HMI-01" || d.Machine.Prop("wirebom:machine-id") != "0f6e2b9a-1c3d-4e5f-8a9b-0c1d2e3f4a5b" || d.Machine.Prop("wirebom:boot:mode") != "uefi" {
		t.Errorf("machine = %+v", d.Machine)
	}

	// Gaps: hardware Windows does not show through /sys is declared
	// unknown; Linux package databases are not gaps on Windows; one driver
	// without a file version leaves the drivers incomplete.
	gaps := map[string]Gap{}
	for _, g := range d.Gaps {
		gaps[g.Area] = g
	}
	if g := gaps["nics"]; g.Aggregate != AggregateIncomplete || !strings.Contains(g.Reason, "FirmwareVersion") {
		t.Errorf("nics gap = %+v", g)
	}
	if g, ok := gaps["disks"]; !ok || g.Aggregate != AggregateUnknown || !strings.Contains(g.Reason, "not applicable on windows") {
		t.Errorf("disks gap = %+v", g)
	}
	for _, area := range []string{"packages:dpkg", "packages:rpm", "packages:apk", "kernel-modules", "kernel", "hotfixes", "pci", "usb"} {
		if g, ok := gaps[area]; ok {
			t.Errorf("gap %s on Windows: %+v", area, g)
		}
	}
	if g := gaps["drivers"]; g.Aggregate != AggregateIncomplete {
		t.Errorf("drivers gap = %+v", g)
	}
	// Per-user programs of other users are never seen: software incomplete.
	var bom struct {
		Compositions []struct {
			BOMRef    string `json:"bom-ref"`
			Aggregate string `json:"aggregate"`
		} `json:"compositions"`
	}
	if err := json.Unmarshal(out, &bom); err != nil {
		t.Fatal(err)
	}
	var sw string
	for _, c := range bom.Compositions {
		if c.BOMRef == "composition:software" {
			sw = c.Aggregate
		}
	}
	if sw != "incomplete" {
		t.Errorf("software composition = %q, want incomplete (%s)", sw, out)
	}
	// In SPDX the program's publisher is an organization, the OS a package.
	if !strings.Contains(string(spdxOut), `"originator": "Organization: Microsoft Corporation"`) {
		t.Errorf("SPDX originator of the MSI program missing")
	}
}

func TestFromInventoryMacOS(t *testing.T) {
	inv := &sysinv.Inventory{Root: "/", Live: true}
	inv.SMBIOS.Status, inv.SMBIOS.Reason = sysinv.StatusUnknown, "no SMBIOS table on this OS"
	sysinv.ApplyMacOS(inv, macfacts.Facts{Model: "Mac14,2", ProductVersion: "14.4.1", Build: "23E224", KernelRelease: "23.4.0",
		CPUBrand: "Apple M2", CPUs: 8, MemoryBytes: 8 << 30, Hostname: "mba"})
	d := FromInventory(inv, Options{})
	if err := d.Stamp(StampOptions{Reproducible: true}); err != nil {
		t.Fatal(err)
	}
	validate(t, "cyclonedx", encodeJSON(t, d))
	if d.Machine.Description != "Mac14,2" || d.Machine.Prop("wirebom:system:model") != "Mac14,2" || d.OS == nil ||
		d.OS.Name != "macos" || d.OS.Version != "14.4.1" || d.OS.Prop("wirebom:kernel:release") != "23.4.0" {
		t.Errorf("machine %+v os %+v", d.Machine, d.OS)
	}
	if c := d.Find("hw:cpu:0"); c == nil || c.Name != "Apple M2" || c.Prop("wirebom:cpu:threads") != "8" {
		t.Errorf("cpu = %+v", c)
	}
}
