package sysinv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDpkgOddStatus: a status file no dpkg would write (continuations before
// any field, tab and blank continuations, lines without colon, CRLF, runs of
// blank lines, missing or short Status) parses without losing good packages.
func TestDpkgOddStatus(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "dpkg", "odd-status"))
	if err != nil {
		t.Fatal(err)
	}
	paras, warns := ParseDpkgStatus(data)
	if len(warns) != 2 {
		t.Errorf("warnings = %q, want the orphan continuation and the colon-less line", warns)
	}
	var f Facts
	pk := dpkgPackages(&f, paras, "debian", "debian-12")
	names := []string{}
	for _, p := range pk {
		names = append(names, p.Name+"="+p.Version)
	}
	if got := strings.Join(names, " "); got != "weird=1.0 crlf=2.0 reinst=3" {
		t.Errorf("packages %q", got)
	}
	if pk[0].Description != "first line" {
		t.Errorf("description %q", pk[0].Description)
	}
	if d := paras[0].get("depends"); d != "libc6 (>= 2.36),\nlibfoo" {
		t.Errorf("Depends continuation %q", d)
	}
	var sawBad, sawReinst bool
	for _, w := range f.Warnings {
		sawBad = sawBad || strings.Contains(w.Msg, "badstatus: malformed Status")
		sawReinst = sawReinst || strings.Contains(w.Msg, "reinst is broken")
	}
	if !sawBad || !sawReinst {
		t.Errorf("warnings %+v", f.Warnings)
	}
}

func TestPURL(t *testing.T) {
	// Examples checked against the purl specification's rules: type lower
	// case, qualifiers sorted, '+' and '@' percent-encoded, ':' left alone.
	cases := []struct{ got, want string }{
		{PURL("deb", "debian", "curl", "7.50.3-1", "arch", "i386", "distro", "jessie"), "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie"},
		{PURL("deb", "debian", "bsdutils", "1:2.38.1-5+b1", "distro", "debian-12", "arch", "amd64"), "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bb1?arch=amd64&distro=debian-12"},
		{PURL("RPM", "fedora", "curl", "7.50.3-1.fc25", "arch", "i386", "distro", "fedora-25"), "pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25"},
		{PURL("apk", "alpine", "curl", "7.83.0-r0", "arch", "x86"), "pkg:apk/alpine/curl@7.83.0-r0?arch=x86"},
		{PURL("deb", "debian", "a b@c", "", "empty", ""), "pkg:deb/debian/a%20b%40c"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %s\nwant %s", c.got, c.want)
		}
	}
}

func TestSplitSourceRPM(t *testing.T) {
	n, v := splitSourceRPM("bash-5.1.8-6.el9.src.rpm")
	if n != "bash" || v != "5.1.8-6.el9" {
		t.Errorf("%q %q", n, v)
	}
	n, v = splitSourceRPM("python3-pip-21.3.1-1.fc35.src.rpm")
	if n != "python3-pip" || v != "21.3.1-1.fc35" {
		t.Errorf("%q %q", n, v)
	}
}

func TestCPE23FromURI(t *testing.T) {
	// Examples from NISTIR 7695 (CPE naming) section 6.1 and 6.2.
	cases := map[string]string{
		"cpe:/o:debian:debian_linux:12":                    `cpe:2.3:o:debian:debian_linux:12:*:*:*:*:*:*:*`,
		"cpe:/a:microsoft:internet_explorer:8.0.6001:beta": `cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*`,
		"cpe:/o:fedoraproject:fedora:39":                   `cpe:2.3:o:fedoraproject:fedora:39:*:*:*:*:*:*:*`,
		"cpe:/o:redhat:enterprise_linux:9::baseos":         `cpe:2.3:o:redhat:enterprise_linux:9:*:baseos:*:*:*:*:*`,
	}
	for in, want := range cases {
		got, err := CPE23FromURI(in)
		if err != nil || got != want {
			t.Errorf("%s: %s %v, want %s", in, got, err, want)
		}
	}
	if _, err := CPE23FromURI("debian"); err == nil {
		t.Error("non-CPE accepted")
	}
}
