// Package macfacts gathers the facts of a running macOS system that package
// sysinv cannot read from a filesystem: model, OS version and CPU from
// sysctl(3). Decoding is plain Go and tested on every OS; only
// collect_darwin.go makes system calls.
package macfacts

import (
	"strings"
)

// Facts is what sysctl tells about the machine.
type Facts struct {
	// Model is hw.model ("MacBookPro18,3", "Mac14,2").
	Model string `json:"model,omitempty"`
	// ProductVersion is kern.osproductversion ("14.4.1").
	ProductVersion string `json:"productVersion,omitempty"`
	// Build is kern.osversion ("23E224").
	Build string `json:"build,omitempty"`
	// KernelRelease is kern.osrelease, the Darwin version ("23.4.0").
	KernelRelease string `json:"kernelRelease,omitempty"`
	// KernelVersion is kern.version (the full Darwin banner).
	KernelVersion string `json:"kernelVersion,omitempty"`
	// CPUBrand is machdep.cpu.brand_string ("Apple M1 Pro").
	CPUBrand string `json:"cpuBrand,omitempty"`
	// CPUs is hw.ncpu.
	CPUs int `json:"cpus,omitempty"`
	// MemoryBytes is hw.memsize.
	MemoryBytes uint64 `json:"memoryBytes,omitempty"`
	// Hostname is kern.hostname.
	Hostname string `json:"hostname,omitempty"`
	// Warnings lists what could not be read.
	Warnings []string `json:"warnings,omitempty"`
}

// Sysctl reads sysctl values by name.
type Sysctl interface {
	String(name string) (string, error)
	Uint32(name string) (uint32, error)
	Uint64(name string) (uint64, error)
}

// FromSysctl reads the facts through s. Unreadable names become warnings.
func FromSysctl(s Sysctl) Facts {
	var f Facts
	str := func(name string) string {
		v, err := s.String(name)
		if err != nil {
			f.Warnings = append(f.Warnings, "sysctl "+name+": "+err.Error())
			return ""
		}
		return strings.TrimSpace(strings.TrimRight(v, "\x00"))
	}
	f.Model = str("hw.model")
	f.ProductVersion = str("kern.osproductversion")
	f.Build = str("kern.osversion")
	f.KernelRelease = str("kern.osrelease")
	f.KernelVersion = str("kern.version")
	f.CPUBrand = str("machdep.cpu.brand_string")
	f.Hostname = str("kern.hostname")
	if n, err := s.Uint32("hw.ncpu"); err == nil {
		f.CPUs = int(n)
	} else {
		f.Warnings = append(f.Warnings, "sysctl hw.ncpu: "+err.Error())
	}
	if n, err := s.Uint64("hw.memsize"); err == nil {
		f.MemoryBytes = n
	} else {
		f.Warnings = append(f.Warnings, "sysctl hw.memsize: "+err.Error())
	}
	return f
}

// OSName is the marketing name of a macOS product version ("14.4.1" →
// "macOS Sonoma"), or "macOS" when the major version is not known here.
func OSName(productVersion string) string {
	major, _, _ := strings.Cut(productVersion, ".")
	names := map[string]string{
		"10": "macOS", "11": "macOS Big Sur", "12": "macOS Monterey", "13": "macOS Ventura",
		"14": "macOS Sonoma", "15": "macOS Sequoia", "26": "macOS Tahoe",
	}
	if n, ok := names[major]; ok {
		return n
	}
	return "macOS"
}
