package macfacts

import (
	"errors"
	"strings"
	"testing"
)

type fakeSysctl map[string]any

var errNoEnt = errors.New("no such file or directory")

func (f fakeSysctl) String(n string) (string, error) {
	if v, ok := f[n].(string); ok {
		return v, nil
	}
	return "", errNoEnt
}

func (f fakeSysctl) Uint32(n string) (uint32, error) {
	if v, ok := f[n].(uint32); ok {
		return v, nil
	}
	return 0, errNoEnt
}

func (f fakeSysctl) Uint64(n string) (uint64, error) {
	if v, ok := f[n].(uint64); ok {
		return v, nil
	}
	return 0, errNoEnt
}

func TestFromSysctl(t *testing.T) {
	// Values as `sysctl` prints them on an M1 Pro MacBook Pro with macOS 14.4.1.
	f := FromSysctl(fakeSysctl{
		"hw.model": "MacBookPro18,3", "kern.osproductversion": "14.4.1", "kern.osversion": "23E224",
		"kern.osrelease": "23.4.0", "machdep.cpu.brand_string": "Apple M1 Pro\x00", "kern.hostname": "mbp",
		"kern.version": "Darwin Kernel Version 23.4.0", "hw.ncpu": uint32(10), "hw.memsize": uint64(17179869184),
	})
	if f.Model != "MacBookPro18,3" || f.ProductVersion != "14.4.1" || f.Build != "23E224" || f.CPUBrand != "Apple M1 Pro" ||
		f.CPUs != 10 || f.MemoryBytes != 16<<30 || len(f.Warnings) != 0 {
		t.Errorf("facts = %+v", f)
	}
	f = FromSysctl(fakeSysctl{"hw.model": "Mac14,2"})
	if f.Model != "Mac14,2" || len(f.Warnings) != 8 || !strings.Contains(strings.Join(f.Warnings, "\n"), "kern.osproductversion") {
		t.Errorf("missing values: %+v", f)
	}
}

func TestOSName(t *testing.T) {
	for in, want := range map[string]string{"14.4.1": "macOS Sonoma", "11.7": "macOS Big Sur", "15.0": "macOS Sequoia", "99.1": "macOS", "": "macOS"} {
		if got := OSName(in); got != want {
			t.Errorf("OSName(%q) = %q, want %q", in, got, want)
		}
	}
}
