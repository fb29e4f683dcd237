//go:build linux

package sysinv

import (
	"context"
	"os/exec"
	"testing"
)

// BenchmarkCollectLive measures Collect on this machine's root.
func BenchmarkCollectLive(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Collect(context.Background(), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCollectDebootstrap measures Collect on WIREBOM_DEBOOTSTRAP_ROOT.
func BenchmarkCollectDebootstrap(b *testing.B) {
	root := debootstrapRoot(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Collect(context.Background(), Options{Root: root}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCollectFixture measures Collect on the synthetic live fixture root.
func BenchmarkCollectFixture(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Collect(context.Background(), Options{Root: "testdata/roots/live", Live: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDpkgDebootstrap measures the dpkg collector alone on the
// debootstrap root; BenchmarkDpkgQueryPeer runs dpkg-query on the same
// database in the same run (process start included, as a user would run it).
func BenchmarkDpkgDebootstrap(b *testing.B) {
	root := debootstrapRoot(b)
	fsys, err := NewFS(root, 0)
	if err != nil {
		b.Fatal(err)
	}
	c := &collector{fs: fsys, opts: Options{Root: root}}
	osr := c.osRelease()
	c.osr = &osr
	b.ReportAllocs()
	for b.Loop() {
		if db := c.dpkg(); len(db.Packages) == 0 {
			b.Fatal("no packages")
		}
	}
}

func BenchmarkDpkgQueryPeer(b *testing.B) {
	root := debootstrapRoot(b)
	for b.Loop() {
		out, err := exec.Command("dpkg-query", "--admindir="+root+"/var/lib/dpkg", "-W",
			"-f", "${db:Status-Status} ${Package} ${Version} ${Architecture} ${Source} ${Installed-Size} ${Maintainer}\n").Output()
		if err != nil || len(out) == 0 {
			b.Fatal(err)
		}
	}
}
