package cbom

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wirebom/wirebom/sysinv"
)

// richInventory is a hand-built inventory of a physical UEFI machine with
// every fact group filled, as sysinv would report it.
func richInventory() *sysinv.Inventory {
	tru, fal := true, false
	inv := &sysinv.Inventory{Root: "/", Live: true, CollectedAt: time.Unix(1700000000, 0)}
	inv.SMBIOS = sysinv.SMBIOS{Facts: sysinv.Facts{Status: sysinv.StatusComplete, Source: "/sys/firmware/dmi/tables"},
		Version:    "3.2.0",
		BIOS:       &sysinv.BIOSInfo{Vendor: "Dell Inc.", Version: "2.18.1", ReleaseDate: "08/08/2023", BIOSRelease: "2.18", ECRelease: "1.5"},
		System:     &sysinv.SystemInfo{Manufacturer: "Dell Inc.", ProductName: "OptiPlex 7070", SerialNumber: "9XYZ123", UUID: "4c4c4544-0000-1111-2222-b9c04f333333"},
		Baseboards: []sysinv.Baseboard{{Manufacturer: "Dell Inc.", Product: "0YNVJG", Version: "A00", SerialNumber: "/9XYZ123/CNFCW0099K00E5/"}},
		Chassis:    []sysinv.Chassis{{Manufacturer: "Dell Inc.", Type: "Tower", SerialNumber: "9XYZ123"}},
		Processors: []sysinv.Processor{{SocketDesignation: "CPU 1", Manufacturer: "Intel(R) Corporation", Version: "Intel(R) Core(TM) i7-9700 CPU @ 3.00GHz", CoreCount: 8, ThreadCount: 8, Populated: true},
			{SocketDesignation: "CPU 2", Populated: false}},
		MemoryDevices: []sysinv.MemoryDevice{{Locator: "DIMM1", Present: true, SizeBytes: 8 << 30, Type: "DDR4", FormFactor: "DIMM", Manufacturer: "SK Hynix", SerialNumber: "12345678", PartNumber: "HMA81GU6DJR8N-XN"},
			{Locator: "DIMM2", Present: false}},
	}
	inv.CPU = sysinv.CPU{Facts: sysinv.Facts{Status: sysinv.StatusComplete, Source: "/proc/cpuinfo"}, Vendor: "GenuineIntel",
		ModelName: "Intel(R) Core(TM) i7-9700 CPU @ 3.00GHz", Family: "6", Model: "158", Stepping: "13", Microcode: "0xf8", Threads: 8,
		Vulnerabilities: []sysinv.CPUVulnerability{{Name: "mds", Status: "Mitigation: Clear CPU buffers"}}}
	inv.Memory = sysinv.Memory{Facts: sysinv.Facts{Status: sysinv.StatusComplete}, TotalBytes: 8 << 30}
	inv.Block = sysinv.BlockDevices{Facts: sysinv.Facts{Status: sysinv.StatusComplete, Source: "/sys/block"}, Devices: []sysinv.BlockDevice{
		{Name: "nvme0n1", Model: "PC401 NVMe SK hynix 256GB", Serial: "NS9XN123", FirmwareRevision: "80003E00", SizeBytes: 256060514304, Rotational: &fal, Removable: &fal, Transport: "nvme"},
		{Name: "loop0", Virtual: true}}}
	inv.NICs = sysinv.NICs{Facts: sysinv.Facts{Status: sysinv.StatusComplete}, Interfaces: []sysinv.NIC{
		{Name: "eno1", MAC: "D8:9E:F3:01:02:03", Driver: "e1000e", FirmwareVersion: "0.4-4", BusInfo: "0000:00:1f.6", SpeedMbps: 1000},
		{Name: "lo", Virtual: true}}}
	inv.PCI = sysinv.PCIDevices{Facts: sysinv.Facts{Status: sysinv.StatusComplete}, Devices: []sysinv.PCIDevice{
		{Address: "0000:00:1f.6", VendorID: "8086", DeviceID: "15bc", VendorName: "Intel Corporation", DeviceName: "Ethernet Connection (7) I219-V", Driver: "e1000e", ClassName: "Ethernet controller"}}}
	inv.USB = sysinv.USBDevices{Facts: sysinv.Facts{Status: sysinv.StatusComplete}, Devices: []sysinv.USBDevice{
		{Path: "1-4", VendorID: "0403", ProductID: "6001", Product: "FT232R USB UART", Manufacturer: "FTDI", Serial: "A50285BI", DeviceVersion: "6.00"}}}
	inv.Firmware.Boot = sysinv.BootMode{Facts: sysinv.Facts{Status: sysinv.StatusComplete}, Mode: sysinv.BootUEFI}
	inv.Firmware.SecureBoot = sysinv.SecureBoot{Facts: sysinv.Facts{Status: sysinv.StatusComplete}, Enabled: &tru, SetupMode: &fal}
	inv.Firmware.ESRT = sysinv.ESRT{Facts: sysinv.Facts{Status: sysinv.StatusComplete}, Entries: []sysinv.ESRTEntry{
		{FwClass: "F9A2A8B5-0000-4A3F-9C61-0123456789AB", FwType: 1, FwTypeName: "system firmware", FwVersion: 0x02120100, LastAttemptStatusName: "success"}}}
	inv.Firmware.TPM = sysinv.TPM{Facts: sysinv.Facts{Status: sysinv.StatusComplete}, Devices: []sysinv.TPMDevice{
		{Name: "tpm0", VersionMajor: 2, Manufacturer: "NTC", FirmwareVersion: "7.2.2.0"}}}
	inv.OS.Release = sysinv.OSRelease{Facts: sysinv.Facts{Status: sysinv.StatusComplete, Source: "/etc/os-release"}, ID: "debian", Name: "Debian GNU/Linux",
		VersionID: "12", PrettyName: "Debian GNU/Linux 12 (bookworm)", VersionCodename: "bookworm"}
	inv.OS.Kernel = sysinv.Kernel{Facts: sysinv.Facts{Status: sysinv.StatusComplete}, Release: "6.1.0-18-amd64"}
	inv.OS.Host = sysinv.Host{Facts: sysinv.Facts{Status: sysinv.StatusComplete}, Hostname: "eng-station-3"}
	inv.OS.Modules = sysinv.KernelModules{Facts: sysinv.Facts{Status: sysinv.StatusComplete}, Loaded: []sysinv.KernelModule{
		{Name: "e1000e", SrcVersion: "ABCDEF0123"}, {Name: "ftdi_sio"}}}
	inv.Software.DPKG = sysinv.PackageDB{Facts: sysinv.Facts{Status: sysinv.StatusComplete, Source: "/var/lib/dpkg/status"}, Packages: []sysinv.Package{
		{Type: "deb", Name: "bash", Version: "5.2.15-2+b2", Arch: "amd64", PURL: "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12", Maintainer: "Matthias Klose <doko@debian.org>"},
		{Type: "deb", Name: "libc6", Version: "2.36-9+deb12u4", Arch: "amd64", PURL: "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"}}}
	inv.Software.RPM = sysinv.PackageDB{Facts: sysinv.Facts{Status: sysinv.StatusAbsent}}
	inv.Software.APK = sysinv.PackageDB{Facts: sysinv.Facts{Status: sysinv.StatusAbsent}}
	return inv
}

func TestFromInventoryRich(t *testing.T) {
	d, out, _ := validatedDocument(t, richInventory())

	if len(d.Gaps) != 0 {
		t.Errorf("complete inventory has gaps: %+v", d.Gaps)
	}
	if d.Machine.Name != "eng-station-3" || d.Machine.Serial != "9XYZ123" || d.Machine.Vendor != "Dell Inc." {
		t.Errorf("machine = %+v", d.Machine)
	}
	bios := d.Find("fw:bios")
	if bios == nil || bios.Version != "2.18.1" || bios.Date != "08/08/2023" || bios.Name != "UEFI firmware" {
		t.Fatalf("BIOS = %+v", bios)
	}
	for _, ref := range []string{"fw:ec", "fw:microcode", "fw:disk:nvme0n1", "fw:nic:eno1", "fw:tpm:tpm0",
		"fw:esrt:f9a2a8b5-0000-4a3f-9c61-0123456789ab", "hw:cpu:0", "hw:mem:DIMM1", "hw:disk:nvme0n1", "hw:nic:eno1",
		"hw:pci:0000:00:1f.6", "hw:usb:1-4", "hw:tpm:tpm0", "hw:board:0", "hw:chassis:0", "drv:e1000e", "os"} {
		if d.Find(ref) == nil {
			t.Errorf("no component %s", ref)
		}
	}
	for _, ref := range []string{"hw:mem:DIMM2", "hw:disk:loop0", "hw:nic:lo", "hw:cpu:1"} {
		if d.Find(ref) != nil {
			t.Errorf("empty slot, virtual device or unpopulated socket listed: %s", ref)
		}
	}
	nic := d.Find("hw:nic:eno1")
	if nic.MAC != "d8:9e:f3:01:02:03" || nic.Vendor != "Intel Corporation" {
		t.Errorf("NIC = %+v", nic)
	}
	wantDeps := []string{"drv:e1000e", "fw:nic:eno1", "hw:pci:0000:00:1f.6"}
	if strings.Join(nic.DependsOn, " ") != strings.Join(wantDeps, " ") {
		t.Errorf("NIC depends on %v, want %v", nic.DependsOn, wantDeps)
	}
	if got := d.Find("hw:cpu:0").DependsOn; len(got) != 1 || got[0] != "fw:microcode" {
		t.Errorf("CPU depends on %v", got)
	}
	if len(d.OS.DependsOn) != 2 {
		t.Errorf("OS depends on %v, want both packages", d.OS.DependsOn)
	}
	if d.Find("fw:esrt:f9a2a8b5-0000-4a3f-9c61-0123456789ab").Prop("wirebom:esrt:fwVersionHex") != "0x02120100" {
		t.Error("ESRT version not kept")
	}
	if lib := d.Packages[1]; lib.Name != "libc6" || lib.Class != ClassLibrary {
		t.Errorf("libc6 = %+v", lib)
	}
	// In CycloneDX: serial numbers as cdx:device:serialNumber, the BIOS in
	// the machine's dependencies.
	var m struct {
		Metadata struct {
			Component struct {
				Properties []Property `json:"properties"`
			} `json:"component"`
		} `json:"metadata"`
		Dependencies []struct {
			Ref       string   `json:"ref"`
			DependsOn []string `json:"dependsOn"`
		} `json:"dependencies"`
		Compositions []any `json:"compositions"`
	}
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	if !hasProp(m.Metadata.Component.Properties, PropSerial, "9XYZ123") {
		t.Error("machine serial not in cdx:device:serialNumber")
	}
	found := false
	for _, dep := range m.Dependencies {
		if dep.Ref == "machine" && strings.Contains(strings.Join(dep.DependsOn, " "), "fw:bios") {
			found = true
		}
	}
	if !found {
		t.Error("machine does not depend on fw:bios")
	}
	if len(m.Compositions) != 0 {
		t.Errorf("complete inventory declares compositions: %v", m.Compositions)
	}
}

func hasProp(ps []Property, name, value string) bool {
	for _, p := range ps {
		if p.Name == name && p.Value == value {
			return true
		}
	}
	return false
}

// writeTree creates files under root.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCollectFixtureRoot runs the real collectors against a small root like
// a VM disk image (no DMI, no /sys): the hardware must be declared unknown,
// not left empty, and the document must still validate.
func TestCollectFixtureRoot(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"etc/os-release": "ID=debian\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_CODENAME=bookworm\n",
		"etc/hostname":   "fixture-host\n",
		"var/lib/dpkg/status": "Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\nMaintainer: Matthias Klose <doko@debian.org>\nDescription: GNU Bourne Again SHell\n\n" +
			"Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9+deb12u4\nDescription: GNU C Library: Shared libraries\n\n",
	})
	inv, err := sysinv.Collect(context.Background(), sysinv.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	d := FromInventory(inv, Options{ToolName: "wirebom", ToolVersion: "test"})
	if err := d.Stamp(StampOptions{Reproducible: true}); err != nil {
		t.Fatal(err)
	}
	out := encodeJSON(t, d)
	validate(t, "cyclonedx", out)
	if d.OS == nil || d.OS.Version != "12" || len(d.Packages) != 2 {
		t.Fatalf("OS %+v, %d packages", d.OS, len(d.Packages))
	}
	if d.Machine.Name != "fixture-host" {
		t.Errorf("machine name %q", d.Machine.Name)
	}
	areas := map[string]Aggregate{}
	for _, g := range d.Gaps {
		areas[g.Area] = g.Aggregate
	}
	if areas["smbios"] != AggregateUnknown {
		t.Errorf("SMBIOS not declared unknown: gaps %v", areas)
	}
	var m struct {
		Compositions []struct {
			Aggregate  string   `json:"aggregate"`
			Assemblies []string `json:"assemblies"`
		} `json:"compositions"`
	}
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Compositions) == 0 || m.Compositions[0].Assemblies[0] != "machine" ||
		(m.Compositions[0].Aggregate != "unknown" && m.Compositions[0].Aggregate != "incomplete") {
		t.Fatalf("hardware not declared unknown/incomplete: %+v", m.Compositions)
	}
	if len(d.Hardware) == 0 && m.Compositions[0].Aggregate != "unknown" {
		t.Errorf("no hardware seen but aggregate %q", m.Compositions[0].Aggregate)
	}
	// No empty strings stand in for unknown facts.
	if strings.Contains(string(out), `""`) {
		t.Error(`output contains an empty string value`)
	}
}

func TestReadAssets(t *testing.T) {
	in := `{"schema":"wirebom.assets/v1","oui_registry":"x","observations":10,"dropped":0,"assets":[
	 {"mac":"00:1B:1B:01:02:03","vendor":"Siemens AG","locally_administered":false,"multicast":false,
	  "ips":[{"ip":"192.168.0.10","evidence":"strong","routed":false,"sources":["arp"]},{"ip":"10.9.9.9","evidence":"weak","routed":true,"sources":["ip"]},{"ip":"<bad>","evidence":"weak"}],
	  "names":[{"name":"plc-1","source":"pn-dcp"}],
	  "identity":[{"key":"order_number","value":"6ES7 315-2EH14-0AB0","source":"s7comm"},{"key":"firmware","value":"V3.2.6","source":"s7comm"},
	   {"key":"serial","value":"S C-X4U12345","source":"s7comm"},{"key":"vendor_id","value":"0x002a","source":"pn-dcp","meaning":"Siemens"}],
	  "protocols":["pn-dcp","s7comm"],"roles":["plc"],"vlans":[0,10],"first_seen":"2024-01-01T00:00:00Z","last_seen":"2024-01-01T01:00:00Z","packets":5,"bytes":500}],
	 "conflicts":[]}`
	cs, err := ReadAssets(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 {
		t.Fatalf("%d components, want asset and its firmware", len(cs))
	}
	a, fw := cs[0], cs[1]
	if a.Ref != "asset:00:1b:1b:01:02:03" || a.Name != "plc-1" || a.Serial != "S C-X4U12345" || a.MAC != "00:1b:1b:01:02:03" {
		t.Errorf("asset = %+v", a)
	}
	if got := props(a, "wirebom:asset:ip"); len(got) != 1 || got[0] != "192.168.0.10" {
		t.Errorf("IPs %v: want the strong, non-routed one only", got)
	}
	if got := props(a, "wirebom:asset:vlan"); len(got) != 1 || got[0] != "10" {
		t.Errorf("VLANs %v", got)
	}
	if fw.Version != "V3.2.6" || fw.Class != ClassFirmware || a.DependsOn[0] != fw.Ref {
		t.Errorf("firmware = %+v", fw)
	}
	d := testDoc()
	d.Assets = nil
	d.AddAssets(cs)
	if err := d.Stamp(StampOptions{Reproducible: true}); err != nil {
		t.Fatal(err)
	}
	validate(t, "cyclonedx", encodeJSON(t, d))
	var html bytes.Buffer
	if err := d.Encode(&html, FormatHTML); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"192.168.0.10", "6ES7 315-2EH14-0AB0", "firmware=V3.2.6", "pn-dcp, s7comm, plc"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("HTML assets table lacks %q", want)
		}
	}

	for name, bad := range map[string]string{
		"not json":   "x",
		"no schema":  `{"assets":[]}`,
		"other":      `{"schema":"wirebom.assets/v9","assets":[]}`,
		"wrong type": `{"schema":"wirebom.assets/v1","assets":{"mac":1}}`,
	} {
		if _, err := ReadAssets(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzReadAssets(f *testing.F) {
	f.Add([]byte(`{"schema":"wirebom.assets/v1","assets":[{"mac":"00:01:02:03:04:05","ips":[{"ip":"10.0.0.1"}],"names":[{"name":"a"}],"identity":[{"key":"firmware","value":"1"}],"vlans":[5]}]}`))
	f.Add([]byte(`{"schema":"wirebom.assets/v1","assets":[{"mac":"","ips":[]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := ReadAssets(bytes.NewReader(data))
		if err != nil {
			return
		}
		d := &Document{Machine: &Component{Ref: "machine", Class: ClassDevice, Kind: KindMachine, Name: "m"}}
		d.AddAssets(cs)
		if err := d.Stamp(StampOptions{Reproducible: true}); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, c := range d.All() {
			if seen[c.Ref] {
				t.Fatalf("duplicate ref %q", c.Ref)
			}
			seen[c.Ref] = true
		}
		var sink bytes.Buffer
		for _, f := range []Format{FormatCycloneDXJSON, FormatHTML} {
			if err := d.Encode(&sink, f); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// validatedDocument builds the document of inv, stamps it reproducibly and
// checks its CycloneDX and SPDX encodings against the official schemas;
// it returns the document and both encodings.
func validatedDocument(t *testing.T, inv *sysinv.Inventory) (d *Document, cdx, spdx []byte) {
	t.Helper()
	d = FromInventory(inv, Options{ToolName: "wirebom", ToolVersion: "test"})
	if err := d.Stamp(StampOptions{Reproducible: true}); err != nil {
		t.Fatal(err)
	}
	out := encodeJSON(t, d)
	validate(t, "cyclonedx", out)
	var spdxOut bytes.Buffer
	if err := d.Encode(&spdxOut, FormatSPDXJSON); err != nil {
		t.Fatal(err)
	}
	validate(t, "spdx", spdxOut.Bytes())
	return d, out, spdxOut.Bytes()
}
