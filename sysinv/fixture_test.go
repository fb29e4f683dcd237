//go:build linux

package sysinv

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// collectFixture runs Collect on testdata/roots/NAME as a live system.
func collectFixture(t *testing.T, name string, live bool) *Inventory {
	t.Helper()
	inv, err := Collect(context.Background(), Options{Root: filepath.Join("testdata", "roots", name), Live: live})
	if err != nil {
		t.Fatalf("Collect(%s): %v", name, err)
	}
	return inv
}

func TestFixtureLiveHardware(t *testing.T) {
	inv := collectFixture(t, "live", true)

	// CPU: values written into testdata/roots/live/proc/cpuinfo.
	c := inv.CPU
	if c.Vendor != "GenuineIntel" || c.Family != "6" || c.Model != "158" || c.Stepping != "10" || c.Microcode != "0xf4" {
		t.Errorf("cpu = %+v", c)
	}
	if c.Threads != 4 || c.Cores != 2 || c.Sockets != 1 {
		t.Errorf("cpu counts threads=%d cores=%d sockets=%d, want 4 2 1", c.Threads, c.Cores, c.Sockets)
	}
	if len(c.Vulnerabilities) != 2 || c.Vulnerabilities[0].Name != "meltdown" || c.Vulnerabilities[0].Status != "Mitigation: PTI" {
		t.Errorf("vulnerabilities = %+v", c.Vulnerabilities)
	}
	if inv.Memory.TotalBytes != 16318412*1024 {
		t.Errorf("memory = %d", inv.Memory.TotalBytes)
	}

	// Block devices.
	disks := map[string]BlockDevice{}
	for _, d := range inv.Block.Devices {
		disks[d.Name] = d
	}
	nv := disks["nvme0n1"]
	if nv.Model != "Samsung SSD 970 EVO Plus 1TB" || nv.Serial != "S4EWNX0R123456A" || nv.FirmwareRevision != "2B2QEXM7" ||
		nv.SizeBytes != 1953525168*512 || nv.Transport != "nvme" || nv.WWN != "eui.0025385b91b0c7a2" ||
		nv.Rotational == nil || *nv.Rotational {
		t.Errorf("nvme0n1 = %+v", nv)
	}
	sda := disks["sda"]
	if sda.Model != "ST2000DM008-2FR1" || sda.Vendor != "ATA" || sda.FirmwareRevision != "0001" || sda.Serial != "ZFL1ABCD" ||
		sda.Transport != "sata" || sda.Rotational == nil || !*sda.Rotational || sda.WWN != "naa.5000c500c3a1b2c3" {
		t.Errorf("sda = %+v", sda)
	}
	if !disks["loop0"].Virtual {
		t.Errorf("loop0 not virtual")
	}

	// NICs.
	var eth0 NIC
	for _, n := range inv.NICs.Interfaces {
		if n.Name == "eth0" {
			eth0 = n
		}
	}
	if eth0.MAC != "00:1b:21:aa:bb:cc" || eth0.Driver != "e1000e" || eth0.DriverVersion != "3.2.6-k" ||
		eth0.BusInfo != "0000:00:1f.6" || eth0.SpeedMbps != 1000 || eth0.Virtual {
		t.Errorf("eth0 = %+v", eth0)
	}

	// PCI with names from the embedded pci.ids (the fixture has none).
	if inv.PCI.IDsSource != "embedded" {
		t.Errorf("pci ids source %q", inv.PCI.IDsSource)
	}
	pci := map[string]PCIDevice{}
	for _, d := range inv.PCI.Devices {
		pci[d.Address] = d
	}
	nic := pci["0000:00:1f.6"]
	if nic.VendorID != "8086" || nic.DeviceID != "15bc" || nic.SubsystemVendorID != "1028" || nic.Class != "020000" ||
		nic.Revision != "10" || nic.Driver != "e1000e" || nic.VendorName != "Intel Corporation" || nic.ClassName != "Ethernet controller" {
		t.Errorf("pci nic = %+v", nic)
	}
	bad := pci["0000:00:1e.0"]
	if bad.VendorID != "" {
		t.Errorf("garbage vendor accepted: %+v", bad)
	}

	// USB: interface 1-1:1.0 skipped.
	if len(inv.USB.Devices) != 1 {
		t.Fatalf("usb devices = %+v", inv.USB.Devices)
	}
	u := inv.USB.Devices[0]
	if u.VendorID != "0403" || u.ProductID != "6001" || u.Serial != "A50285BI" || u.Product != "FT232R USB UART" ||
		u.DeviceVersion != "6.00" || u.VendorName == "" || u.BusNum != 1 || u.DevNum != 3 {
		t.Errorf("usb = %+v", u)
	}

	// Firmware.
	if inv.Firmware.Boot.Mode != BootUEFI {
		t.Errorf("boot mode %s", inv.Firmware.Boot.Mode)
	}
	sb := inv.Firmware.SecureBoot
	if sb.Enabled == nil || !*sb.Enabled || sb.SetupMode == nil || *sb.SetupMode {
		t.Errorf("secure boot = %+v", sb)
	}
	if len(inv.Firmware.ESRT.Entries) != 1 {
		t.Fatalf("esrt = %+v", inv.Firmware.ESRT)
	}
	es := inv.Firmware.ESRT.Entries[0]
	if es.FwClass != "c6a4ba2b-9b4e-4d2d-8c4a-7d4e1d3c1b6e" || es.FwType != 1 || es.FwTypeName != "system firmware" ||
		es.FwVersion != 65586 || es.LowestSupportedFwVersion != 65536 || es.LastAttemptVersion != 65585 || es.LastAttemptStatusName != "success" {
		t.Errorf("esrt entry = %+v", es)
	}
	if len(inv.Firmware.TPM.Devices) != 1 || inv.Firmware.TPM.Devices[0].VersionMajor != 2 || inv.Firmware.TPM.Devices[0].Description != "TPM 2.0 Device" {
		t.Errorf("tpm = %+v", inv.Firmware.TPM)
	}

	// OS.
	if r := inv.OS.Release; r.ID != "debian" || r.VersionID != "12" || r.CPEName != "cpe:/o:debian:debian_linux:12" || r.VersionCodename != "bookworm" {
		t.Errorf("os-release = %+v", r)
	}
	if k := inv.OS.Kernel; k.Release != "6.1.0-18-amd64" || !strings.Contains(k.Version, "6.1.76-1") {
		t.Errorf("kernel = %+v", k)
	}
	if h := inv.OS.Host; h.Hostname != "plc-eng-01" || h.MachineID != "0123456789abcdef0123456789abcdef" {
		t.Errorf("host = %+v", h)
	}
	m := inv.OS.Modules
	if len(m.Loaded) != 2 || m.Loaded[1].Name != "nvme" || m.Loaded[1].Version != "1.0" || m.Loaded[0].SizeBytes != 352256 {
		t.Errorf("modules loaded = %+v", m.Loaded)
	}
	if len(m.Installed) != 1 || m.Installed[0].Count != 3 {
		t.Errorf("modules installed = %+v", m.Installed)
	}
}

// TestFixtureDpkgAgainstDpkgQuery compares our dpkg collector with
// dpkg-query reading the same database.
func TestFixtureDpkgAgainstDpkgQuery(t *testing.T) {
	root := filepath.Join("testdata", "roots", "live")
	inv := collectFixture(t, "live", true)
	want := dpkgQuery(t, filepath.Join(root, "var/lib/dpkg"))
	var got []string
	for _, p := range inv.Software.DPKG.Packages {
		st := strings.Fields(p.Status)
		got = append(got, st[2]+" "+p.Name+" "+p.Version+" "+p.Arch)
	}
	sort.Strings(got)
	var wantPresent []string
	for _, l := range want {
		if dpkgFilesPresent(strings.Fields(l)[0]) {
			wantPresent = append(wantPresent, l)
		}
	}
	if strings.Join(got, "\n") != strings.Join(wantPresent, "\n") {
		t.Errorf("packages:\n%s\nwant (dpkg-query, files-present states):\n%s", strings.Join(got, "\n"), strings.Join(wantPresent, "\n"))
	}
	byName := map[string]Package{}
	for _, p := range inv.Software.DPKG.Packages {
		byName[p.Name] = p
	}
	if p := byName["bsdutils"]; p.SourceName != "util-linux" || p.SourceVersion != "2.38.1-5" ||
		p.PURL != "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bb1?arch=amd64&distro=debian-12&upstream=util-linux" {
		t.Errorf("bsdutils = %+v", p)
	}
	if p := byName["libc6"]; p.SourceName != "glibc" || p.SourceVersion != "2.36-9+deb12u4" || p.InstalledSizeBytes != 12986*1024 ||
		p.Description != "GNU C Library: Shared libraries" {
		t.Errorf("libc6 = %+v", p)
	}
	if p := byName["libfoo++1"]; !strings.HasPrefix(p.PURL, "pkg:deb/debian/libfoo%2B%2B1@1.2%2Bdfsg-1?") || p.InstalledSizeBytes != 0 {
		t.Errorf("libfoo++1 = %+v", p)
	}
}

// dpkgQuery lists "state name version arch" lines through dpkg-query, sorted.
func dpkgQuery(t *testing.T, admindir string) []string {
	t.Helper()
	out, err := exec.Command("dpkg-query", "--admindir="+admindir, "-W", "-f", "${db:Status-Status} ${Package} ${Version} ${Architecture}\n").Output()
	if err != nil {
		t.Fatalf("dpkg-query (package dpkg): %v", err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	sort.Strings(lines)
	return lines
}

// TestFixtureSMBIOSFromSysfs decodes the raw table exposed under
// sys/firmware/dmi/tables (u-root's Satellite Pro L70 table).
func TestFixtureSMBIOSFromSysfs(t *testing.T) {
	inv := collectFixture(t, "live", true)
	s := inv.SMBIOS
	if s.Source != dmiTablesDir || s.BIOS == nil || s.System == nil {
		t.Fatalf("smbios = %+v", s.Facts)
	}
	if s.BIOS.Vendor != "Insyde Corp." || s.BIOS.Version != "1.60" {
		t.Errorf("bios = %+v", s.BIOS)
	}
}

// TestHostileRoot: symlinks that point outside the root (relative ../..,
// absolute host paths, self loops) must never be followed out. The sentinel
// file testdata/roots/SENTINEL sits outside the root; its contents must not
// appear anywhere in the inventory.
func TestHostileRoot(t *testing.T) {
	sentinel, err := os.ReadFile(filepath.Join("testdata", "roots", "SENTINEL"))
	if err != nil {
		t.Fatal(err)
	}
	// Prove the absolute link really reaches the sentinel when followed
	// naively, so the test below could fail.
	naive, err := os.ReadFile(filepath.Join("testdata", "roots", "hostile", "etc", "machine-id"))
	if err != nil || string(naive) != string(sentinel) {
		t.Fatalf("absolute link does not reach the sentinel when followed by the OS (err %v): the test would prove nothing", err)
	}
	naive, err = os.ReadFile(filepath.Join("testdata", "roots", "hostile", "etc", "hostname"))
	if err != nil || string(naive) != string(sentinel) {
		t.Fatalf("relative link does not reach the sentinel: %v", err)
	}

	inv := collectFixture(t, "hostile", true)
	b, _ := json.Marshal(inv)
	if strings.Contains(string(b), strings.TrimSpace(string(sentinel))) {
		t.Fatalf("sentinel outside the root leaked into the inventory:\n%s", b)
	}
	if inv.OS.Host.Hostname != "" || inv.OS.Host.MachineID != "" {
		t.Errorf("host = %+v", inv.OS.Host)
	}
	// etc/os-release is a self loop: the collector must fall back to usr/lib.
	if inv.OS.Release.Source != "/usr/lib/os-release" || inv.OS.Release.ID != "alpine" || inv.OS.Release.Name != `Alpine "Linux"` {
		t.Errorf("os-release = %+v", inv.OS.Release)
	}
	if inv.Software.DPKG.Status == StatusComplete || len(inv.Software.DPKG.Packages) != 0 {
		t.Errorf("dpkg = %+v", inv.Software.DPKG)
	}
	if inv.SMBIOS.Status != StatusUnknown {
		t.Errorf("smbios = %+v", inv.SMBIOS.Facts)
	}
	if inv.Memory.Status != StatusUnknown || inv.CPU.Status != StatusUnknown {
		t.Errorf("memory %s cpu %s", inv.Memory.Status, inv.CPU.Status)
	}
	// apk: two good records, one without P:, junk lines warned.
	a := inv.Software.APK
	if len(a.Packages) != 2 || a.Packages[0].Name != "musl" || a.Packages[0].InstalledSizeBytes != 622592 ||
		a.Packages[0].PURL != "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1" {
		t.Errorf("apk = %+v", a.Packages)
	}
	if len(a.Warnings) < 2 {
		t.Errorf("apk warnings = %+v", a.Warnings)
	}
	for _, f := range inv.facts() {
		if f.Status == "" {
			t.Errorf("group without status: %+v", f)
		}
	}
}

// TestEscapeTempRoot builds a root at test time with links to an absolute
// host path of a sentinel next to it, and with a decoy inside the root at the
// re-rooted location: the decoy must be read, never the sentinel.
func TestEscapeTempRoot(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	outside := filepath.Join(base, "outside")
	must(t, os.MkdirAll(filepath.Join(root, "etc"), 0o755))
	must(t, os.MkdirAll(outside, 0o755))
	must(t, os.WriteFile(filepath.Join(outside, "hostname"), []byte("SENTINEL\n"), 0o644))
	// Decoy at root/<outside>/hostname: where an absolute link is re-rooted to.
	must(t, os.MkdirAll(filepath.Join(root, outside), 0o755))
	must(t, os.WriteFile(filepath.Join(root, outside, "hostname"), []byte("decoy\n"), 0o644))
	must(t, os.Symlink(filepath.Join(outside, "hostname"), filepath.Join(root, "etc", "hostname")))
	must(t, os.Symlink("../../outside/hostname", filepath.Join(root, "etc", "machine-id")))
	// A directory link that climbs: root/etc/up -> ../../.. then through it.
	must(t, os.Symlink("../../..", filepath.Join(root, "etc", "up")))

	f, err := NewFS(root, 0)
	must(t, err)
	b, err := f.ReadFile("/etc/hostname")
	if err != nil || string(b) != "decoy\n" {
		t.Errorf("absolute link: %q %v, want the in-root decoy", b, err)
	}
	if b, err := f.ReadFile("/etc/machine-id"); err == nil {
		t.Errorf("relative escape read %q", b)
	}
	if b, err := f.ReadFile("/etc/up/outside/hostname"); err == nil {
		t.Errorf("climbing directory link read %q", b)
	}
	if b, err := f.ReadFile("../../outside/hostname"); err == nil {
		t.Errorf("relative name read %q", b)
	}
	hp, err := f.Resolve("/etc/up/etc/hostname", true)
	if err != nil || hp != filepath.Join(root, outside, "hostname") {
		t.Errorf("resolve through climbing link = %q %v", hp, err)
	}
	// Link loops end with ErrLinkLoop.
	must(t, os.Symlink("b", filepath.Join(root, "a")))
	must(t, os.Symlink("a", filepath.Join(root, "b")))
	if _, err := f.ReadFile("/a"); err == nil || !strings.Contains(err.Error(), "too many levels") {
		t.Errorf("loop: %v", err)
	}
}

// TestHugeFileCapped: a file over the cap is cut with a TruncatedError and
// the collectors turn that into a warning.
func TestHugeFileCapped(t *testing.T) {
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, "var/lib/dpkg"), 0o755))
	// 1 GiB sparse status file: one real paragraph then zeros.
	fh, err := os.Create(filepath.Join(root, "var/lib/dpkg/status"))
	must(t, err)
	_, err = fh.WriteString("Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n\n")
	must(t, err)
	must(t, fh.Truncate(1<<30))
	must(t, fh.Close())
	inv, err := Collect(context.Background(), Options{Root: root, MaxFileSize: 1 << 20})
	must(t, err)
	d := inv.Software.DPKG
	if d.Status != StatusPartial || len(d.Packages) != 1 || len(d.Warnings) == 0 || !strings.Contains(d.Warnings[0].Msg, "larger than") {
		t.Errorf("dpkg = %+v", d.Facts)
	}
}

// TestNonRegularRefused: FIFOs and devices in an image are never opened for
// reading (a FIFO would block forever).
func TestNonRegularRefused(t *testing.T) {
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, "etc"), 0o755))
	if err := mkfifo(filepath.Join(root, "etc", "os-release")); err != nil {
		t.Fatal(err)
	}
	f, err := NewFS(root, 0)
	must(t, err)
	if _, err := f.ReadFile("/etc/os-release"); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("fifo read: %v", err)
	}
}

// TestImageRoot: a non-live root never reports /proc facts, and says why.
func TestImageRoot(t *testing.T) {
	inv := collectFixture(t, "live", false)
	if inv.CPU.Status != StatusUnknown || inv.Memory.Status != StatusUnknown {
		t.Errorf("cpu %s memory %s on an image", inv.CPU.Status, inv.Memory.Status)
	}
	if inv.Firmware.Boot.Mode != BootUnknown || inv.Firmware.SecureBoot.Enabled != nil {
		t.Errorf("firmware on an image: %+v %+v", inv.Firmware.Boot, inv.Firmware.SecureBoot)
	}
	if inv.OS.Kernel.Release != "6.1.0-18-amd64" || inv.OS.Kernel.Version != "" {
		t.Errorf("kernel = %+v", inv.OS.Kernel)
	}
	if inv.OS.Host.Hostname != "plc-eng-01" {
		t.Errorf("host = %+v", inv.OS.Host)
	}
}
