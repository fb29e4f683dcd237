package cbom

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wirebom/wirebom/sysinv"
)

// TestLiveNonRoot inventories the running system as an unprivileged user:
// as root (CI), it re-runs itself through setpriv as nobody. Collection
// must succeed, warn about what needs root or is absent, and the document
// must validate with every unseen hardware area declared in compositions.
func TestLiveNonRoot(t *testing.T) {
	if os.Getenv("WIREBOM_CBOM_NONROOT_CHILD") == "1" {
		liveChecks(t)
		return
	}
	if os.Geteuid() != 0 {
		liveChecks(t)
		return
	}
	// Copy the test binary and schemas where nobody can read them.
	dir, err := os.MkdirTemp("", "cbom-nonroot-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "cbom.test")
	copyFile(t, self, bin, 0o755)
	pkgDir := filepath.Join(dir, "cbom")
	schemaCopy := filepath.Join(dir, "testdata", "schema")
	for _, d := range []string{pkgDir, schemaCopy} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(schemaDir, "*.json"))
	for _, f := range files {
		copyFile(t, f, filepath.Join(schemaCopy, filepath.Base(f)), 0o644)
	}
	cmd := exec.Command("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
		bin, "-test.run=^TestLiveNonRoot$", "-test.v")
	cmd.Dir = pkgDir
	cmd.Env = append(os.Environ(), "WIREBOM_CBOM_NONROOT_CHILD=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	t.Logf("non-root run:\n%s", out)
	if err != nil {
		t.Fatalf("non-root run failed: %v", err)
	}
	if !strings.Contains(string(out), "--- PASS: TestLiveNonRoot") {
		t.Fatal("non-root child did not pass")
	}
}

func copyFile(t *testing.T, src, dst string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func liveChecks(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Fatal("child still root")
	}
	inv, err := sysinv.Collect(context.Background(), sysinv.Options{Root: "/"})
	if err != nil {
		t.Fatalf("Collect as uid %d: %v", os.Geteuid(), err)
	}
	d := FromInventory(inv, Options{ToolName: "wirebom", ToolVersion: "test"})
	if err := d.Stamp(StampOptions{}); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := d.Encode(&b, FormatCycloneDXJSON); err != nil {
		t.Fatal(err)
	}
	validate(t, "cyclonedx", b.Bytes())
	if d.Machine == nil || d.OS == nil {
		t.Fatal("no machine or OS on the live system")
	}
	if len(d.Warnings) == 0 {
		t.Error("no warnings as non-root: DMI serials, ethtool or absent sources should be reported")
	}
	for _, w := range d.Warnings {
		t.Logf("warning: %s", w)
	}
	// Whatever hardware could not be seen is declared, never silently empty:
	// with no SMBIOS (VM) or no root (DMI serials), smbios is a gap.
	hwGap := false
	for _, g := range d.Gaps {
		t.Logf("gap: %s %s: %s", g.Area, g.Aggregate, g.Reason)
		if g.Hardware {
			hwGap = true
		}
	}
	if inv.SMBIOS.Status != sysinv.StatusComplete && !hwGap {
		t.Error("SMBIOS incomplete but no hardware gap declared")
	}
	if hwGap && !strings.Contains(b.String(), `"composition:hardware"`) {
		t.Error("hardware gap not in compositions")
	}
}
