//go:build windows

package winfacts

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/windows/registry"
)

// These tests run on Windows (CI runs them under Wine, scripts/wine-test.sh).
// Expected values come from reg.exe, an independent reader of the same
// registry, or are written into the registry by the test first.

// regQuery returns the value of name in key as `reg query KEY /v NAME`
// prints it ("REG_SZ", "Windows 10 Pro"), ok false when absent.
func regQuery(t *testing.T, key, name string) (typ, val string, ok bool) {
	t.Helper()
	out, err := exec.Command("reg", "query", key, "/v", name).Output()
	if err != nil {
		return "", "", false
	}
	for _, l := range strings.Split(strings.ReplaceAll(string(out), "\r", ""), "\n") {
		f := strings.Fields(l)
		// "    NAME    REG_TYPE    VALUE..." (NAME may contain spaces).
		for i, w := range f {
			if strings.HasPrefix(w, "REG_") && strings.EqualFold(strings.Join(f[:i], " "), name) {
				// Keep the value's inner spacing as reg prints it.
				j := strings.Index(l, w) + len(w)
				return w, strings.TrimSpace(l[j:]), true
			}
		}
	}
	return "", "", false
}

// regSubkeys lists the subkey names of key as `reg query KEY` prints them.
func regSubkeys(t *testing.T, key string) []string {
	t.Helper()
	out, err := exec.Command("reg", "query", key).Output()
	if err != nil {
		return nil
	}
	// reg prints the hive's full name (HKEY_LOCAL_MACHINE\...).
	full := key
	for short, long := range map[string]string{`HKLM\`: `HKEY_LOCAL_MACHINE\`, `HKCU\`: `HKEY_CURRENT_USER\`} {
		if strings.HasPrefix(strings.ToUpper(key), short) {
			full = long + key[len(short):]
		}
	}
	var subs []string
	for _, l := range strings.Split(strings.ReplaceAll(string(out), "\r", ""), "\n") {
		l = strings.TrimSpace(l)
		if len(l) > len(full) && strings.EqualFold(l[:len(full)+1], full+`\`) {
			subs = append(subs, l[len(full)+1:])
		}
	}
	return subs
}

func TestCollectOSMatchesReg(t *testing.T) {
	f := Collect()
	const key = `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion`
	_, name, ok := regQuery(t, key, "ProductName")
	if !ok {
		t.Fatalf("reg query %s /v ProductName failed", key)
	}
	if f.OS.ProductName != name {
		t.Errorf("ProductName = %q, reg says %q", f.OS.ProductName, name)
	}
	_, build, _ := regQuery(t, key, "CurrentBuild")
	if build == "" {
		_, build, _ = regQuery(t, key, "CurrentBuildNumber")
	}
	if f.OS.CurrentBuild != build || build == "" {
		t.Errorf("CurrentBuild = %q, reg says %q", f.OS.CurrentBuild, build)
	}
	if _, sp, ok := regQuery(t, key, "CSDVersion"); ok && f.OS.ServicePack != sp {
		t.Errorf("ServicePack = %q, reg says %q", f.OS.ServicePack, sp)
	}
	if _, cv, ok := regQuery(t, key, "CurrentVersion"); ok {
		if _, _, hasMajor := regQuery(t, key, "CurrentMajorVersionNumber"); !hasMajor && f.OS.Version != cv+"."+build {
			t.Errorf("Version = %q, reg says %s.%s", f.OS.Version, cv, build)
		}
	}
	if typ, d, ok := regQuery(t, key, "InstallDate"); ok && typ == "REG_DWORD" {
		n, err := strconv.ParseUint(strings.TrimPrefix(d, "0x"), 16, 64)
		if err != nil || f.OS.InstallDate == nil || uint64(f.OS.InstallDate.Unix()) != n {
			t.Errorf("InstallDate = %v, reg says %s", f.OS.InstallDate, d)
		}
	}
	// Legacy HotFix subkeys that name a KB are listed.
	for _, s := range regSubkeys(t, key+`\HotFix`) {
		if kb, ok := KBFromName(s); ok && !hasHotfix(f.Hotfixes, kb) {
			t.Errorf("HotFix\\%s not listed: %+v", s, f.Hotfixes)
		}
	}
	t.Logf("OS %+v, %d programs, %d hotfixes, %d drivers, warnings %q", f.OS, len(f.Programs), len(f.Hotfixes), len(f.Drivers), f.Warnings)
}

func hasHotfix(hs []Hotfix, id string) bool {
	for _, h := range hs {
		if h.ID == id {
			return true
		}
	}
	return false
}

// TestCollectProgramsWritten writes two Uninstall entries for the current
// user (one "Programs and Features" shows, one system component it hides)
// and reads them back through Collect.
func TestCollectProgramsWritten(t *testing.T) {
	base := `SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall`
	shown := fmt.Sprintf("wirebom-test-%d", os.Getpid())
	hidden := shown + "-hidden"
	mk := func(name string, vals map[string]any) {
		k, _, err := registry.CreateKey(registry.CURRENT_USER, base+`\`+name, registry.ALL_ACCESS)
		if err != nil {
			t.Fatalf("create HKCU\\%s\\%s: %v", base, name, err)
		}
		defer k.Close()
		for n, v := range vals {
			switch v := v.(type) {
			case string:
				err = k.SetStringValue(n, v)
			case uint32:
				err = k.SetDWordValue(n, v)
			}
			if err != nil {
				t.Fatalf("set %s: %v", n, err)
			}
		}
	}
	t.Cleanup(func() {
		registry.DeleteKey(registry.CURRENT_USER, base+`\`+shown)
		registry.DeleteKey(registry.CURRENT_USER, base+`\`+hidden)
	})
	mk(shown, map[string]any{"DisplayName": "Wirebom Test Ω Program", "DisplayVersion": "1.2.3", "Publisher": "Wirebom Test Publisher",
		"InstallDate": "20240102", "InstallLocation": `C:\Program Files\WirebomTest`})
	mk(hidden, map[string]any{"DisplayName": "Wirebom Hidden Component", "SystemComponent": uint32(1)})

	f := Collect()
	var got *Program
	for i := range f.Programs {
		if f.Programs[i].Key == shown {
			got = &f.Programs[i]
		}
		if f.Programs[i].Key == hidden {
			t.Errorf("system component listed: %+v", f.Programs[i])
		}
	}
	want := Program{Name: "Wirebom Test Ω Program", Version: "1.2.3", Publisher: "Wirebom Test Publisher", InstallDate: "2024-01-02",
		InstallLocation: `C:\Program Files\WirebomTest`, Scope: "user", Key: shown}
	if got == nil || *got != want {
		t.Errorf("program = %+v, want %+v", got, want)
	}
}

func TestCollectHostMatchesReg(t *testing.T) {
	var f Facts
	CollectHost(&f)
	if _, g, ok := regQuery(t, `HKLM\SOFTWARE\Microsoft\Cryptography`, "MachineGuid"); !ok || f.MachineGUID != g {
		t.Errorf("MachineGUID = %q, reg says %q (%v)", f.MachineGUID, g, ok)
	}
	const cpu0 = `HKLM\HARDWARE\DESCRIPTION\System\CentralProcessor\0`
	if _, n, ok := regQuery(t, cpu0, "ProcessorNameString"); !ok || f.CPU.Name != n {
		t.Errorf("CPU name = %q, reg says %q", f.CPU.Name, n)
	}
	if _, id, ok := regQuery(t, cpu0, "Identifier"); !ok || f.CPU.Identifier != id {
		t.Errorf("CPU identifier = %q, reg says %q", f.CPU.Identifier, id)
	}
	if n := len(regSubkeys(t, `HKLM\HARDWARE\DESCRIPTION\System\CentralProcessor`)); f.CPU.Logical != n || n == 0 {
		t.Errorf("logical CPUs = %d, reg lists %d", f.CPU.Logical, n)
	}
	if cn := os.Getenv("COMPUTERNAME"); cn != "" && !strings.EqualFold(f.Hostname, cn) {
		t.Errorf("Hostname = %q, COMPUTERNAME = %q", f.Hostname, cn)
	}
	if f.MemoryBytes == 0 {
		t.Errorf("no physical memory: %q", f.Warnings)
	}
	t.Logf("host %+v", f)
}

// TestCollectDriversMatchReg: every kernel-driver service reg.exe shows
// with Type 1 is listed, with the image path resolved.
func TestCollectDriversMatchReg(t *testing.T) {
	f := Collect()
	const services = `HKLM\SYSTEM\CurrentControlSet\Services`
	byName := map[string]Driver{}
	for _, d := range f.Drivers {
		byName[strings.ToLower(d.Name)] = d
	}
	checked := 0
	for _, s := range regSubkeys(t, services) {
		typ, v, ok := regQuery(t, services+`\`+s, "Type")
		if !ok || typ != "REG_DWORD" || (v != "0x1" && v != "0x2") {
			continue
		}
		d, ok := byName[strings.ToLower(s)]
		if !ok {
			t.Errorf("driver %s (Type %s) not listed", s, v)
			continue
		}
		if (v == "0x1") != (d.Kind == "kernel") || d.Path == "" {
			t.Errorf("driver %s: %+v", s, d)
		}
		checked++
		if checked == 20 {
			break // reg.exe is slow under Wine; 20 services make the point
		}
	}
	if checked == 0 {
		t.Errorf("reg lists no driver services; Collect found %d", len(f.Drivers))
	}
}

// TestCollectAdapters: the adapters CollectHost lists are the interfaces
// the Go runtime's own net.Interfaces sees (another caller of the same API
// with its own decoding), matched by index, with the same name and MAC.
func TestCollectAdapters(t *testing.T) {
	var f Facts
	CollectHost(&f)
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	byIndex := map[uint32]Adapter{}
	for _, a := range f.Adapters {
		byIndex[a.Index] = a
	}
	for _, i := range ifs {
		a, ok := byIndex[uint32(i.Index)]
		if !ok {
			t.Errorf("interface %d %q not listed: %+v", i.Index, i.Name, f.Adapters)
			continue
		}
		if a.Name != i.Name || a.MAC != i.HardwareAddr.String() || (a.Up != (i.Flags&net.FlagUp != 0)) {
			t.Errorf("adapter %+v, net.Interfaces says %+v", a, i)
		}
	}
	if len(ifs) == 0 || len(f.Adapters) == 0 {
		t.Errorf("no adapters: %d / %d, warnings %q", len(ifs), len(f.Adapters), f.Warnings)
	}
	t.Logf("adapters %+v", f.Adapters)
}

// TestCollectPnP: every present PCI and USB device SetupAPI lists has its
// instance key under HKLM\SYSTEM\CurrentControlSet\Enum (as reg.exe shows
// it), and every PCI instance ID parses.
func TestCollectPnP(t *testing.T) {
	var f Facts
	CollectHost(&f)
	if f.PCI == nil || f.USB == nil {
		t.Fatalf("PCI %v USB %v, warnings %q", f.PCI, f.USB, f.Warnings)
	}
	for _, d := range append(append([]PnPDevice(nil), f.PCI...), f.USB...) {
		if len(regSubkeys(t, `HKLM\SYSTEM\CurrentControlSet\Enum\`+d.InstanceID)) == 0 {
			if _, _, ok := regQuery(t, `HKLM\SYSTEM\CurrentControlSet\Enum\`+d.InstanceID, "HardwareID"); !ok {
				t.Errorf("%s: no Enum key", d.InstanceID)
			}
		}
	}
	for _, d := range f.PCI {
		if _, ok := ParsePCIInstance(d.InstanceID, d.CompatibleIDs); !ok {
			t.Errorf("PCI instance %q does not parse", d.InstanceID)
		}
	}
	t.Logf("%d PCI, %d USB devices: %+v %+v", len(f.PCI), len(f.USB), f.PCI, f.USB)
}
