package sysinv

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSysfsValueParsers(t *testing.T) {
	if v, err := ParseEFIBoolVar([]byte{6, 0, 0, 0, 1}); err != nil || !v {
		t.Errorf("SecureBoot=1: %v %v", v, err)
	}
	for _, bad := range [][]byte{nil, {6, 0, 0, 0}, {6, 0, 0, 0, 2}, {6, 0, 0, 0, 1, 0}} {
		if _, err := ParseEFIBoolVar(bad); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
	if v, ok := ParseHexID("0x8086", 16); !ok || v != 0x8086 {
		t.Errorf("hex id %x %v", v, ok)
	}
	for _, bad := range []string{"", "0x", "zz", "0x10000", "-1", "0x123456789"} {
		if _, ok := ParseHexID(bad, 16); ok {
			t.Errorf("hex id accepted %q", bad)
		}
	}
	if v, ok := ParseSysfsUint("0x1f"); !ok || v != 31 {
		t.Errorf("0x1f = %d", v)
	}
	if _, ok := ParseSysfsUint("4294967296"); ok {
		t.Error("33-bit value accepted")
	}
	if n, err := ParseMemTotal([]byte("MemFree: 1 kB\nMemTotal:  2048 kB\n")); err != nil || n != 2048*1024 {
		t.Errorf("memtotal %d %v", n, err)
	}
	for _, bad := range []string{"", "MemTotal:\n", "MemTotal: x kB", "MemTotal: 99999999999999999999 kB"} {
		if _, err := ParseMemTotal([]byte(bad)); err == nil {
			t.Errorf("memtotal accepted %q", bad)
		}
	}
	caps := ParseTPMCaps([]byte("Manufacturer: 0x53544d20\nTCG version: 1.2\nFirmware version: 13.12\n"))
	if caps["Manufacturer"] != "0x53544d20" || caps["Firmware version"] != "13.12" {
		t.Errorf("caps %v", caps)
	}
	if s := ParseVPD80([]byte("\x00\x80\x00\x0a  ABC123  ")); s != "ABC123" {
		t.Errorf("vpd %q", s)
	}
	if s := ParseVPD80([]byte("\x00\x83\x00\x02ab")); s != "" {
		t.Errorf("wrong page accepted: %q", s)
	}
	if s := ParseVPD80([]byte("\x00\x80\xff\xffAB")); s != "AB" {
		t.Errorf("overlong length: %q", s)
	}
	mods := ParseProcModules([]byte("a 10 0 - Live 0x0\nbroken\nb x 0\n"))
	if len(mods) != 1 || mods[0].Name != "a" || mods[0].Size != 10 {
		t.Errorf("modules %+v", mods)
	}
}

func TestParseOSReleaseQuoting(t *testing.T) {
	// os-release(5): shell-compatible assignments, double or single quotes,
	// backslash escapes in double quotes.
	m := ParseOSRelease([]byte("# comment\nNAME=\"Foo \\\"Bar\\\" \\\\ \\$x\"\nID=foo\nVERSION='1 (x)'\nBAD KEY=1\n9X=1\nEMPTY=\n"))
	if m["NAME"] != `Foo "Bar" \ $x` || m["ID"] != "foo" || m["VERSION"] != "1 (x)" {
		t.Errorf("%q", m)
	}
	if _, ok := m["BAD KEY"]; ok {
		t.Error("key with space accepted")
	}
	if _, ok := m["9X"]; ok {
		t.Error("key starting with digit accepted")
	}
	if v, ok := m["EMPTY"]; !ok || v != "" {
		t.Errorf("EMPTY = %q %v", v, ok)
	}
}

func TestIDsParser(t *testing.T) {
	ids := ParseIDs(strings.NewReader("# c\n8086  Intel Corporation\n\t15bc  Ethernet (7) I219-V\n\t\t1028 0869  Dell I219\nzzzz  bad\n\tffff  orphan\nC 02  Network controller\n\t00  Ethernet controller\n\t\t00  plain\nC 0c  Serial bus controller\n\t03  USB controller\n\t\t30  XHCI\nHUT 01  Generic\n\t001  Pointer\n"))
	if ids.Vendor(0x8086) != "Intel Corporation" || ids.Device(0x8086, 0x15bc) != "Ethernet (7) I219-V" ||
		ids.Subsystem(0x8086, 0x15bc, 0x1028, 0x0869) != "Dell I219" {
		t.Errorf("vendor/device/subsystem lookup failed")
	}
	if ids.Device(0x8086, 0xffff) != "" {
		t.Error("orphan device after a bad vendor line attached to the previous vendor")
	}
	if got := ids.Class(0x0c0330); got != "USB controller (XHCI)" {
		t.Errorf("class %q", got)
	}
	if got := ids.Class(0x020080); got != "Ethernet controller" {
		t.Errorf("class %q", got)
	}
	if got := ids.Class(0x028000); got != "Network controller" {
		t.Errorf("class %q", got)
	}
	if EmbeddedUSBIDs().Vendor(0x0403) != "Future Technology Devices International, Ltd" {
		t.Errorf("embedded usb.ids: %q", EmbeddedUSBIDs().Vendor(0x0403))
	}
}

// TestKernelFromImage: on an image root with one kernel, the release comes
// from the file name and the version from the bzImage setup header, laid out
// as Documentation/arch/x86/boot.rst describes (boot protocol 2.15).
func TestKernelFromImage(t *testing.T) {
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, "boot"), 0o755))
	img := make([]byte, 0x4000)
	copy(img[0x202:], "HdrS")
	binary.LittleEndian.PutUint16(img[0x206:], 0x020f)
	const ver = "6.1.0-18-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)"
	binary.LittleEndian.PutUint16(img[0x20e:], 0x3000-0x200)
	copy(img[0x3000:], ver+"\x00")
	must(t, os.WriteFile(filepath.Join(root, "boot", "vmlinuz-6.1.0-18-amd64"), img, 0o644))
	inv, err := Collect(context.Background(), Options{Root: root})
	must(t, err)
	k := inv.OS.Kernel
	if k.Release != "6.1.0-18-amd64" || k.Version != "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)" || k.Status != StatusComplete {
		t.Errorf("kernel = %+v", k)
	}
	// Not a bzImage: version unknown, with a reason.
	must(t, os.WriteFile(filepath.Join(root, "boot", "vmlinuz-6.1.0-18-amd64"), []byte("garbage"), 0o644))
	inv, err = Collect(context.Background(), Options{Root: root})
	must(t, err)
	if k := inv.OS.Kernel; k.Version != "" || len(k.Unknown) != 1 {
		t.Errorf("kernel = %+v", k)
	}
	ctl := append([]byte{}, img...)
	ctl[0x3002] = 0x07
	short := img[:0x3000] // pointer past the end
	for name, bad := range map[string][]byte{"nil": nil, "truncated header": img[:0x205], "control byte": ctl, "pointer out of range": short} {
		if v := BzImageVersion(bad); v != "" {
			t.Errorf("%s: accepted %q", name, v)
		}
	}
}

// TestIDsPreferInspectedSystem: names come from the inspected root's own
// pci.ids when it has one, not from the embedded copy.
func TestIDsPreferInspectedSystem(t *testing.T) {
	root := t.TempDir()
	dev := filepath.Join(root, "sys/bus/pci/devices/0000:00:00.0")
	must(t, os.MkdirAll(dev, 0o755))
	for f, v := range map[string]string{"vendor": "0x8086", "device": "0x15bc", "class": "0x020000", "revision": "0x10",
		"subsystem_vendor": "0x1028", "subsystem_device": "0x0869"} {
		must(t, os.WriteFile(filepath.Join(dev, f), []byte(v+"\n"), 0o644))
	}
	must(t, os.MkdirAll(filepath.Join(root, "usr/share/misc"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "usr/share/misc/pci.ids"),
		[]byte("8086  Site Vendor\n\t15bc  Site Device\n\t\t1028 0869  Site Subsystem\nC 02  Site Class\n"), 0o644))
	inv, err := Collect(context.Background(), Options{Root: root, Live: true})
	must(t, err)
	if len(inv.PCI.Devices) != 1 {
		t.Fatalf("pci = %+v", inv.PCI)
	}
	d := inv.PCI.Devices[0]
	if inv.PCI.IDsSource != "/usr/share/misc/pci.ids" || d.VendorName != "Site Vendor" || d.DeviceName != "Site Device" ||
		d.SubsystemName != "Site Subsystem" || d.ClassName != "Site Class" {
		t.Errorf("source %q device %+v", inv.PCI.IDsSource, d)
	}
}

// TestCollectCancelled: a cancelled context stops collection with an error
// and returns what was gathered so far.
func TestCollectCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	inv, err := Collect(ctx, Options{Root: filepath.Join("testdata", "roots", "live")})
	if err == nil || inv == nil {
		t.Fatalf("Collect with a cancelled context: %v %v", inv, err)
	}
}
