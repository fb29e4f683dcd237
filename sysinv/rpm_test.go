//go:build linux

package sysinv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// rpmFixture copies a database from go-rpmdb's module testdata (MIT, see
// testdata/SOURCES.md) into a fresh root at dbPath, with an os-release.
func rpmFixture(t *testing.T, src, dbPath, osRelease string) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "github.com/anchore/go-rpmdb@v0.2.2/pkg/testdata", src))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, filepath.Dir(dbPath)), 0o755))
	must(t, os.WriteFile(filepath.Join(root, dbPath), data, 0o444))
	must(t, os.MkdirAll(filepath.Join(root, "etc"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "etc/os-release"), []byte(osRelease), 0o644))
	return root
}

// TestRPMFormats reads one Berkeley DB, one NDB and one SQLite database.
// Expected packages are from go-rpmdb's own test expectations for these
// files (rpmdb_testcase_test.go), not from our output.
func TestRPMFormats(t *testing.T) {
	cases := []struct {
		src, path, osr string
		n              int // 0: not listed upstream
		name, version  string
		size           uint64
		source         string
		purl           string
	}{
		{"centos5-plain/Packages", "var/lib/rpm/Packages", "ID=centos\nVERSION_ID=5\n", 110, "python", "2.4.3-56.el5", 74377, "python",
			"pkg:rpm/centos/python@2.4.3-56.el5?arch=x86_64&distro=centos-5&upstream=python-2.4.3-56.el5.src.rpm"},
		{"sle15-bci/Packages.db", "usr/lib/sysimage/rpm/Packages.db", "ID=sles\nVERSION_ID=15.3\n", 35, "libgcc_s1", "11.2.1+git610-1.3.9", 101024, "gcc11",
			"pkg:rpm/sles/libgcc_s1@11.2.1%2Bgit610-1.3.9?arch=x86_64&distro=sles-15.3&upstream=gcc11-11.2.1%2Bgit610-1.3.9.src.rpm"},
		{"cbl-mariner-2.0/rpmdb.sqlite", "var/lib/rpm/rpmdb.sqlite", "ID=mariner\nVERSION_ID=2.0\n", 0, "curl", "7.76.0-6.cm2", 326023, "curl",
			"pkg:rpm/mariner/curl@7.76.0-6.cm2?arch=x86_64&distro=mariner-2.0&upstream=curl-7.76.0-6.cm2.src.rpm"},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			root := rpmFixture(t, c.src, c.path, c.osr)
			inv, err := Collect(context.Background(), Options{Root: root})
			if err != nil {
				t.Fatal(err)
			}
			db := inv.Software.RPM
			if db.Status != StatusComplete || db.Source != "/"+c.path {
				t.Fatalf("rpm %s %s: %s %+v", db.Status, db.Source, db.Reason, db.Warnings)
			}
			if c.n != 0 && len(db.Packages) != c.n {
				t.Errorf("%d packages, rpm -qa listed %d", len(db.Packages), c.n)
			}
			found := false
			for _, p := range db.Packages {
				if p.Name == c.name {
					found = true
					if p.Version != c.version || p.InstalledSizeBytes != c.size || p.SourceName != c.source || p.PURL != c.purl {
						t.Errorf("%s = %+v\nwant version %s size %d source %s purl %s", c.name, p, c.version, c.size, c.source, c.purl)
					}
				}
			}
			if !found {
				t.Errorf("no package %s among %d", c.name, len(db.Packages))
			}
			id := strings.TrimPrefix(strings.SplitN(c.osr, "\n", 2)[0], "ID=")
			for _, p := range db.Packages {
				if p.Name == "" || p.Version == "" || !strings.HasPrefix(p.PURL, "pkg:rpm/"+id+"/"+purlEscape(p.Name)+"@") {
					t.Fatalf("bad package %+v", p)
				}
			}
			// No temporary copy may be left in the root.
			ents, _ := os.ReadDir(filepath.Join(root, filepath.Dir(c.path)))
			if len(ents) != 1 {
				t.Errorf("database directory now holds %d entries", len(ents))
			}
		})
	}
}
