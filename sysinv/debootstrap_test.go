//go:build linux

package sysinv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// debootstrapRoot returns WIREBOM_DEBOOTSTRAP_ROOT. The test never skips:
// without the variable it fails and says how to build a root (.ci/run and
// `make check` on a fresh machine do: scripts/make-debootstrap-root.sh DIR,
// ~3 minutes).
func debootstrapRoot(t testing.TB) string {
	root := os.Getenv("WIREBOM_DEBOOTSTRAP_ROOT")
	if root == "" {
		t.Fatal("WIREBOM_DEBOOTSTRAP_ROOT is unset: build a Debian root with scripts/make-debootstrap-root.sh DIR " +
			"and export WIREBOM_DEBOOTSTRAP_ROOT=DIR (sudo .ci/run does both)")
	}
	if _, err := os.Stat(filepath.Join(root, "var/lib/dpkg/status")); err != nil {
		t.Fatalf("WIREBOM_DEBOOTSTRAP_ROOT=%s is not a Debian root: %v", root, err)
	}
	return root
}

// TestDebootstrapRoot collects a real Debian root made by debootstrap and
// checks the package set against dpkg-query, the OS against the root's
// os-release as sh sources it, and that not one byte, mode, link or mtime
// under the root changed.
func TestDebootstrapRoot(t *testing.T) {
	root := debootstrapRoot(t)
	before := treeDigest(t, root)

	inv, err := Collect(context.Background(), Options{Root: root})
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	after := treeDigest(t, root)
	if before != after {
		t.Fatalf("the root changed during Collect (tree digest %s -> %s)", before, after)
	}
	if inv.Live {
		t.Errorf("a debootstrap root was treated as live")
	}

	// Packages: exactly dpkg-query's installed set.
	var want []string
	for _, l := range dpkgQuery(t, filepath.Join(root, "var/lib/dpkg")) {
		f := strings.Fields(l)
		if f[0] == "installed" {
			want = append(want, f[1]+" "+f[2]+" "+f[3])
		}
	}
	var got []string
	for _, p := range inv.Software.DPKG.Packages {
		if strings.HasSuffix(p.Status, " installed") {
			got = append(got, p.Name+" "+p.Version+" "+p.Arch)
		} else {
			t.Errorf("non-installed package in a fresh debootstrap: %s %s", p.Name, p.Status)
		}
	}
	sort.Strings(got)
	if len(want) < 50 {
		t.Fatalf("dpkg-query lists only %d packages", len(want))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("package sets differ: ours %d, dpkg-query %d\nfirst difference: %s", len(got), len(want), firstDiff(got, want))
	}

	// OS: as sh sources the root's own os-release.
	out, err := exec.Command("sh", "-c", `. "$1"; printf '%s\n%s\n%s\n' "$ID" "$VERSION_ID" "$PRETTY_NAME"`, "sh",
		filepath.Join(root, "usr/lib/os-release")).Output()
	if err != nil {
		t.Fatal(err)
	}
	osr := strings.Split(strings.TrimSpace(string(out)), "\n")
	r := inv.OS.Release
	if len(osr) != 3 || r.ID != osr[0] || r.VersionID != osr[1] || r.PrettyName != osr[2] {
		t.Errorf("os-release %q %q %q, sh says %q", r.ID, r.VersionID, r.PrettyName, osr)
	}
	for _, p := range inv.Software.DPKG.Packages {
		if !strings.HasPrefix(p.PURL, "pkg:deb/"+osr[0]+"/") || !strings.Contains(p.PURL, "distro="+osr[0]+"-"+osr[1]) {
			t.Fatalf("purl %s does not name the root's distro", p.PURL)
		}
	}
	if inv.CPU.Status != StatusUnknown || inv.Firmware.Boot.Mode != BootUnknown {
		t.Errorf("host facts leaked into an image inventory: cpu %s boot %s", inv.CPU.Status, inv.Firmware.Boot.Mode)
	}
}

// treeDigest hashes every entry under root: path, type, mode, size, mtime,
// link target, and content of regular files.
func treeDigest(t testing.TB, root string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%v\x00%d\x00%d\x00", p, st.Mode(), st.Size(), st.ModTime().UnixNano())
		switch {
		case st.Mode()&fs.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			io.WriteString(h, l)
		case st.Mode().IsRegular():
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			_, err = io.Copy(h, f)
			f.Close()
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// firstDiff names the first line where two sorted lists differ.
func firstDiff(a, b []string) string {
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return fmt.Sprintf("ours %q vs dpkg-query %q", x, y)
		}
	}
	return "none"
}
