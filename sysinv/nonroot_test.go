//go:build linux

package sysinv

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNonRoot runs Collect as user nobody (through setpriv, util-linux) on a
// root whose DMI table and serial-number files are root-only, as on a real
// system: permission errors must become warnings and unknowns that name
// root, never errors, and the readable subset must still be collected.
func TestNonRoot(t *testing.T) {
	if os.Getenv("WIREBOM_SYSINV_NONROOT_CHILD") != "" {
		inv, err := Collect(context.Background(), Options{Root: os.Getenv("WIREBOM_SYSINV_NONROOT_CHILD"), Live: true})
		if err != nil {
			t.Fatalf("Collect as non-root: %v", err)
		}
		json.NewEncoder(os.Stdout).Encode(inv)
		return
	}
	if os.Geteuid() != 0 {
		t.Fatal("this test drops from root to nobody and must run as root (CI does)")
	}
	base, err := os.MkdirTemp("", "sysinv-nonroot-")
	must(t, err)
	defer os.RemoveAll(base)
	must(t, os.Chmod(base, 0o755))
	root := filepath.Join(base, "root")
	tables := filepath.Join(root, "sys/firmware/dmi/tables")
	id := filepath.Join(root, "sys/class/dmi/id")
	must(t, os.MkdirAll(tables, 0o755))
	must(t, os.MkdirAll(id, 0o755))
	for _, n := range []string{"smbios_entry_point", "DMI"} {
		b, err := os.ReadFile(filepath.Join("testdata/roots/live/sys/firmware/dmi/tables", n))
		must(t, err)
		must(t, os.WriteFile(filepath.Join(tables, n), b, 0o400))
	}
	// /sys/class/dmi/id as the kernel sets it: serials and UUID 0400, the rest 0444.
	for n, v := range map[string]string{
		"sys_vendor": "TOSHIBA", "product_name": "SATELLITE PRO L70-A", "bios_vendor": "Insyde Corp.",
		"bios_version": "1.60", "bios_date": "04/18/2014",
	} {
		must(t, os.WriteFile(filepath.Join(id, n), []byte(v+"\n"), 0o444))
	}
	for _, n := range []string{"product_serial", "product_uuid", "board_serial", "chassis_serial"} {
		must(t, os.WriteFile(filepath.Join(id, n), []byte("SECRET\n"), 0o400))
	}
	// The test binary must be reachable by nobody.
	exe, err := os.Executable()
	must(t, err)
	bin := filepath.Join(base, "sysinv.test")
	data, err := os.ReadFile(exe)
	must(t, err)
	must(t, os.WriteFile(bin, data, 0o755))

	cmd := exec.Command("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--",
		bin, "-test.run=^TestNonRoot$")
	cmd.Env = append(os.Environ(), "WIREBOM_SYSINV_NONROOT_CHILD="+root)
	cmd.Dir = base
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child as nobody (setpriv from util-linux): %v\n%s", err, out)
	}
	var inv Inventory
	line, _, _ := strings.Cut(string(out), "\n")
	if err := json.Unmarshal([]byte(line), &inv); err != nil {
		t.Fatalf("child output: %v\n%s", err, out)
	}
	s := inv.SMBIOS
	if s.Source != dmiIDDir || s.Status != StatusPartial {
		t.Errorf("smbios source %q status %s, want the dmi/id fallback", s.Source, s.Status)
	}
	if s.System == nil || s.System.Manufacturer != "TOSHIBA" || s.System.SerialNumber != "" || s.BIOS.Version != "1.60" {
		t.Errorf("system = %+v bios = %+v", s.System, s.BIOS)
	}
	var rootWarn bool
	for _, w := range s.Warnings {
		rootWarn = rootWarn || strings.Contains(w.Msg, "run as root") && strings.Contains(w.Msg, "serial")
	}
	if !rootWarn {
		t.Errorf("no warning naming root: %+v", s.Warnings)
	}
	unknown := map[string]string{}
	for _, u := range s.Unknown {
		unknown[u.Field] = u.Reason
	}
	for _, f := range []string{"System.SerialNumber", "System.UUID"} {
		if !strings.Contains(unknown[f], "needs root") {
			t.Errorf("%s unknown reason %q", f, unknown[f])
		}
	}
	if strings.Contains(string(out), "SECRET") {
		t.Error("root-only file content read as nobody")
	}
}
