//go:build windows

package sysinv

import (
	"context"
	"os/exec"
	"strings"
	"testing"
)

// regValue returns what `reg query KEY /v NAME` prints as the value.
func regValue(t *testing.T, key, name string) string {
	t.Helper()
	out, err := exec.Command("reg", "query", key, "/v", name).Output()
	if err != nil {
		t.Fatalf("reg query %s /v %s: %v", key, name, err)
	}
	for _, l := range strings.Split(strings.ReplaceAll(string(out), "\r", ""), "\n") {
		if i := strings.Index(l, "REG_"); i > 0 && strings.EqualFold(strings.TrimSpace(l[:i]), name) {
			f := strings.SplitN(strings.TrimSpace(l[i:]), " ", 2)
			if len(f) == 2 {
				return strings.TrimSpace(f[1])
			}
			return ""
		}
	}
	t.Fatalf("reg query %s /v %s: no value in %q", key, name, out)
	return ""
}

// TestCollectWindowsLive: Collect of the running Windows reads the registry
// (what reg.exe shows), treats every spelling of the system root as live,
// and reports the Linux sources as not applicable.
func TestCollectWindowsLive(t *testing.T) {
	for _, root := range []string{"", "/", systemDrive() + `\`, strings.ToLower(systemDrive()) + `\`} {
		inv, err := Collect(context.Background(), Options{Root: root})
		if err != nil {
			t.Fatalf("Collect(%q): %v", root, err)
		}
		if !inv.Live || inv.Root != systemDrive()+`\` {
			t.Errorf("Collect(%q): Live=%v Root=%q", root, inv.Live, inv.Root)
		}
		r := inv.OS.Release
		if r.ID != "windows" || inv.OS.Windows == nil ||
			inv.OS.Windows.ProductName != regValue(t, `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion`, "ProductName") {
			t.Fatalf("Collect(%q): release %+v, windows %+v", root, r, inv.OS.Windows)
		}
		if inv.OS.Host.MachineID != regValue(t, `HKLM\SOFTWARE\Microsoft\Cryptography`, "MachineGuid") {
			t.Errorf("machine ID %q", inv.OS.Host.MachineID)
		}
		if inv.NICs.Source != "GetAdaptersAddresses" || len(inv.NICs.Interfaces) == 0 {
			t.Errorf("NICs = %+v", inv.NICs)
		}
		for name, f := range map[string]*Facts{"dpkg": &inv.Software.DPKG.Facts, "block": &inv.Block.Facts, "modules": &inv.OS.Modules.Facts} {
			if f.Status != StatusAbsent || !strings.HasPrefix(f.Reason, "not applicable on windows") {
				t.Errorf("%s: %+v", name, *f)
			}
		}
		for i, f := range inv.facts() {
			if f.Status == "" || (f.Status != StatusComplete && f.Reason == "") {
				t.Errorf("group %d: status %q reason %q", i, f.Status, f.Reason)
			}
		}
		if inv.Software.Programs.Status == StatusAbsent || inv.OS.Drivers.Status == StatusAbsent {
			t.Errorf("programs %+v drivers %+v", inv.Software.Programs.Facts, inv.OS.Drivers.Facts)
		}
	}
}

// TestCollectWindowsImage: another directory is an image; its registry is
// not read and nothing of the running system leaks in.
func TestCollectWindowsImage(t *testing.T) {
	inv, err := Collect(context.Background(), Options{Root: scratchDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Live || inv.OS.Windows != nil || inv.OS.Release.ID == "windows" || len(inv.Software.Programs.Programs) != 0 {
		t.Errorf("image collected as live: live=%v release=%+v", inv.Live, inv.OS.Release)
	}
	if inv.Software.Programs.Status != StatusAbsent {
		t.Errorf("programs = %+v", inv.Software.Programs.Facts)
	}
}
