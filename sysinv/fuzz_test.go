//go:build linux

package sysinv

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seed adds the contents of testdata files as fuzz seeds.
func seed(f *testing.F, paths ...string) {
	for _, p := range paths {
		b, err := os.ReadFile(filepath.Join("testdata", p))
		if err != nil {
			f.Fatalf("seed %s: %v", p, err)
		}
		f.Add(b)
	}
}

func FuzzDpkgStatus(f *testing.F) {
	seed(f, "roots/live/var/lib/dpkg/status", "dpkg/odd-status")
	f.Add([]byte("Package: a\nStatus: install ok installed\nSource: b (1)\nInstalled-Size: 99999999999999999999\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		paras, _ := ParseDpkgStatus(data)
		var facts Facts
		for _, p := range dpkgPackages(&facts, paras, "debian", "debian-12") {
			if p.Name == "" || !strings.HasPrefix(p.PURL, "pkg:deb/debian/") {
				t.Fatalf("bad package %+v", p)
			}
		}
	})
}

func FuzzAPKInstalled(f *testing.F) {
	seed(f, "roots/hostile/lib/apk/db/installed")
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, _ := ParseAPKInstalled(data)
		for _, r := range recs {
			if len(r) == 0 {
				t.Fatal("empty record")
			}
		}
	})
}

func FuzzOSRelease(f *testing.F) {
	seed(f, "roots/live/etc/os-release", "roots/hostile/usr/lib/os-release")
	f.Add([]byte(`NAME='a\'b' # c` + "\nID=\"x\\\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for k := range ParseOSRelease(data) {
			if !validOSReleaseKey(k) {
				t.Fatalf("invalid key %q", k)
			}
		}
	})
}

func FuzzCPUInfo(f *testing.F) {
	seed(f, "roots/live/proc/cpuinfo")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, e := range ParseCPUInfo(data) {
			if len(e) == 0 {
				t.Fatal("empty entry")
			}
		}
	})
}

// FuzzSysfsValues runs every small sysfs/procfs value parser on the input.
func FuzzSysfsValues(f *testing.F) {
	f.Add([]byte("0x8086"))
	f.Add([]byte("MemTotal:       16318412 kB\n"))
	f.Add([]byte{6, 0, 0, 0, 1})
	f.Add([]byte("\x00\x80\x00\x08 SERIAL1"))
	f.Add([]byte("Manufacturer: 0x53544d20\nTCG version: 1.2\nFirmware version: 13.12\n"))
	f.Add([]byte("e1000e 352256 0 - Live 0x0\n"))
	f.Add([]byte("8086  Intel\n\t15bc  I219\n\t\t1028 0869  Dell\nC 02  Network\n\t00  Ethernet\n\t\t00  x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := string(data)
		if v, ok := ParseHexID(s, 16); ok && v > 0xffff {
			t.Fatalf("16-bit id %x", v)
		}
		ParseSysfsUint(s)
		ParseMemTotal(data)
		ParseEFIBoolVar(data)
		if len(ParseVPD80(data)) > len(data) {
			t.Fatal("vpd longer than input")
		}
		ParseTPMCaps(data)
		ParseProcModules(data)
		ids := ParseIDs(bytes.NewReader(data))
		ids.Class(0x020000)
		cleanValue(data)
		BzImageVersion(data)
		purlEscape(s)
	})
}
