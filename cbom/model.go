// Package cbom builds a Cyber Bill of Materials of a machine (hardware,
// firmware, operating system, software, and the devices seen on its network)
// and writes it as CycloneDX 1.6 (JSON or XML), SPDX 2.3 JSON, YAML, HTML or
// PDF; it also compares two CycloneDX documents.
//
// "CBOM" here means Cyber BOM: in CycloneDX terms an operations BOM
// (metadata.lifecycles phase "operations"), not CycloneDX's Cryptography BOM.
// No encoder ever emits cryptoProperties.
//
// The Document model is richer than any one output format: each encoder maps
// what its format can carry and puts the rest in properties (CycloneDX) or
// comments (SPDX).
package cbom

import (
	"sort"
	"strings"
	"time"
)

// Class is what kind of thing a component is, in CycloneDX's vocabulary.
type Class string

// Class values (CycloneDX 1.6 component types we use).
const (
	ClassDevice      Class = "device"
	ClassFirmware    Class = "firmware"
	ClassDriver      Class = "device-driver"
	ClassOS          Class = "operating-system"
	ClassApplication Class = "application"
	ClassLibrary     Class = "library"
)

// Kind refines Class: which part of the machine (or network) a component is.
type Kind string

// Kind values.
const (
	KindMachine     Kind = "machine"
	KindBoard       Kind = "baseboard"
	KindChassis     Kind = "chassis"
	KindCPU         Kind = "cpu"
	KindMemory      Kind = "memory-module"
	KindDisk        Kind = "disk"
	KindNIC         Kind = "nic"
	KindPCI         Kind = "pci"
	KindUSB         Kind = "usb"
	KindTPM         Kind = "tpm"
	KindBIOS        Kind = "bios"
	KindESRT        Kind = "esrt"
	KindMicrocode   Kind = "microcode"
	KindNICFirmware Kind = "nic-firmware"
	KindDiskFW      Kind = "disk-firmware"
	KindTPMFirmware Kind = "tpm-firmware"
	KindModule      Kind = "kernel-module"
	KindOS          Kind = "os"
	KindKernel      Kind = "kernel"
	KindPackage     Kind = "package"
	KindAsset       Kind = "network-asset"
	KindAssetFW     Kind = "asset-firmware"
	// KindDriver is a Windows kernel or file-system driver service.
	KindDriver Kind = "driver"
	// KindProgram is a Windows program from "Programs and Features".
	KindProgram Kind = "program"
)

// Property is one name/value fact. Names are either registered CycloneDX
// taxonomy names ("cdx:device:serialNumber") or in the "wirebom:" namespace.
type Property struct {
	Name  string `json:"name" yaml:"name"`
	Value string `json:"value" yaml:"value"`
}

// Hash is a digest of a component's bytes.
type Hash struct {
	// Alg is the CycloneDX algorithm name ("SHA-256", "MD5").
	Alg   string `json:"alg" yaml:"alg"`
	Value string `json:"value" yaml:"value"`
}

// Component is one part of the machine, one piece of software, or one device
// on the network.
type Component struct {
	// Ref is unique in the document and, where the thing has a stable
	// identity, stable across runs and versions ("hw:nic:eth0", "fw:bios").
	Ref   string `json:"ref" yaml:"ref"`
	Class Class  `json:"class" yaml:"class"`
	Kind  Kind   `json:"kind" yaml:"kind"`
	Name  string `json:"name" yaml:"name"`
	// Version is the component's version (firmware revision, package version).
	Version string `json:"version,omitempty" yaml:"version,omitempty"`
	// Vendor is the manufacturer (hardware, firmware) or supplier (software).
	Vendor string `json:"vendor,omitempty" yaml:"vendor,omitempty"`
	// Publisher is who published software (a package's maintainer).
	Publisher   string `json:"publisher,omitempty" yaml:"publisher,omitempty"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
	// Serial is a hardware serial number.
	Serial string `json:"serial,omitempty" yaml:"serial,omitempty"`
	// MAC is a network hardware address (lower-case, colon separated).
	MAC string `json:"mac,omitempty" yaml:"mac,omitempty"`
	// Date is a release date (firmware), as the source gave it.
	Date    string     `json:"date,omitempty" yaml:"date,omitempty"`
	PURL    string     `json:"purl,omitempty" yaml:"purl,omitempty"`
	CPE     string     `json:"cpe,omitempty" yaml:"cpe,omitempty"`
	License string     `json:"license,omitempty" yaml:"license,omitempty"`
	Hashes  []Hash     `json:"hashes,omitempty" yaml:"hashes,omitempty"`
	Source  string     `json:"source,omitempty" yaml:"source,omitempty"`
	Props   []Property `json:"properties,omitempty" yaml:"properties,omitempty"`
	// DependsOn lists the Refs this component needs or carries (a NIC its
	// firmware and driver, the OS its packages).
	DependsOn []string `json:"dependsOn,omitempty" yaml:"dependsOn,omitempty"`
}

// Prop returns the value of the first property called name, or "".
func (c *Component) Prop(name string) string {
	for _, p := range c.Props {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// AddProp appends a property when value is not empty.
func (c *Component) AddProp(name, value string) {
	if value == "" {
		return
	}
	c.Props = append(c.Props, Property{Name: name, Value: value})
}

// Aggregate says how complete what is known about a part of the machine is
// (CycloneDX composition aggregate).
type Aggregate string

// Aggregate values.
const (
	AggregateIncomplete Aggregate = "incomplete"
	AggregateUnknown    Aggregate = "unknown"
)

// Gap is a part of the machine that could not be seen, or only partly.
type Gap struct {
	// Area names the part ("smbios", "memory-modules", "esrt", "packages:rpm").
	Area      string    `json:"area" yaml:"area"`
	Aggregate Aggregate `json:"aggregate" yaml:"aggregate"`
	// Reason says why ("DMI table needs root").
	Reason string `json:"reason" yaml:"reason"`
	// Hardware is true when the area is hardware or firmware (not software).
	Hardware bool `json:"hardware" yaml:"hardware"`
}

// Warning is a problem met while collecting facts.
type Warning struct {
	Source  string `json:"source" yaml:"source"`
	Message string `json:"message" yaml:"message"`
}

// String formats the warning as "source: message".
func (w Warning) String() string { return w.Source + ": " + w.Message }

// Document is a Cyber BOM of one machine.
type Document struct {
	// SerialNumber is "urn:uuid:..."; set by Finalize.
	SerialNumber string `json:"serialNumber" yaml:"serialNumber"`
	// Timestamp is when the facts were collected; zero means not recorded
	// (reproducible documents without SOURCE_DATE_EPOCH).
	Timestamp time.Time `json:"timestamp,omitzero" yaml:"timestamp,omitempty"`
	// Reproducible is true when SerialNumber is derived from the content and
	// Timestamp is fixed, so that two runs give identical bytes.
	Reproducible bool `json:"reproducible" yaml:"reproducible"`
	// ToolName and ToolVersion name the generator.
	ToolName    string `json:"toolName" yaml:"toolName"`
	ToolVersion string `json:"toolVersion" yaml:"toolVersion"`
	// Root is the inspected root directory; Live says it was the running system.
	Root string `json:"root,omitempty" yaml:"root,omitempty"`
	Live bool   `json:"live" yaml:"live"`

	// Machine is the inspected machine (Class device, Kind machine).
	Machine *Component `json:"machine" yaml:"machine"`
	// Hardware are the machine's devices (CPU, memory modules, disks, NICs, PCI, USB, TPM).
	Hardware []*Component `json:"hardware,omitempty" yaml:"hardware,omitempty"`
	// Firmware are BIOS/UEFI, ESRT entries, NIC/disk/TPM firmware and microcode.
	Firmware []*Component `json:"firmware,omitempty" yaml:"firmware,omitempty"`
	// Drivers are kernel modules (Linux) and driver services (Windows).
	Drivers []*Component `json:"drivers,omitempty" yaml:"drivers,omitempty"`
	// OS is the operating system (nil when unknown).
	OS *Component `json:"os,omitempty" yaml:"os,omitempty"`
	// Packages are installed software packages and Windows programs.
	Packages []*Component `json:"packages,omitempty" yaml:"packages,omitempty"`
	// Assets are devices seen on the network (Class device, Kind network-asset)
	// and their firmware (Kind asset-firmware).
	Assets []*Component `json:"assets,omitempty" yaml:"assets,omitempty"`

	// Gaps are the parts that could not be seen.
	Gaps []Gap `json:"gaps,omitempty" yaml:"gaps,omitempty"`
	// Warnings are collector problems, in collection order.
	Warnings []Warning `json:"warnings,omitempty" yaml:"warnings,omitempty"`
}

// All returns every component (machine first, then hardware, firmware,
// drivers, OS, packages, assets).
func (d *Document) All() []*Component {
	n := 2 + len(d.Hardware) + len(d.Firmware) + len(d.Drivers) + len(d.Packages) + len(d.Assets)
	out := make([]*Component, 0, n)
	if d.Machine != nil {
		out = append(out, d.Machine)
	}
	out = append(out, d.Hardware...)
	out = append(out, d.Firmware...)
	out = append(out, d.Drivers...)
	if d.OS != nil {
		out = append(out, d.OS)
	}
	out = append(out, d.Packages...)
	out = append(out, d.Assets...)
	return out
}

// Find returns the component with the given Ref, or nil.
func (d *Document) Find(ref string) *Component {
	for _, c := range d.All() {
		if c.Ref == ref {
			return c
		}
	}
	return nil
}

// sortComponents orders components by Ref (then name and version), so that
// output does not depend on collection order.
func sortComponents(cs []*Component) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.Ref != b.Ref {
			return a.Ref < b.Ref
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Version < b.Version
	})
}

// normalize sorts every list and makes every Ref unique, so that encoders see
// a deterministic, consistent document.
func (d *Document) normalize() {
	sortComponents(d.Hardware)
	sortComponents(d.Firmware)
	sortComponents(d.Drivers)
	sortComponents(d.Packages)
	sortComponents(d.Assets)
	seen := map[string]int{}
	for _, c := range d.All() {
		if c.Ref == "" {
			c.Ref = string(c.Kind) + ":" + c.Name
		}
		if n := seen[c.Ref]; n > 0 {
			old := c.Ref
			for {
				n++
				cand := old + "#" + itoa(n)
				if seen[cand] == 0 {
					c.Ref = cand
					break
				}
			}
			seen[old] = n // dependencies keep pointing at the first one
		}
		seen[c.Ref]++
	}
	valid := map[string]bool{}
	for _, c := range d.All() {
		valid[c.Ref] = true
	}
	for _, c := range d.All() {
		c.DependsOn = cleanRefs(c.DependsOn, valid, c.Ref)
	}
	sort.SliceStable(d.Gaps, func(i, j int) bool { return d.Gaps[i].Area < d.Gaps[j].Area })
}

// cleanRefs sorts refs, drops duplicates, self references and refs that name
// no component.
func cleanRefs(refs []string, valid map[string]bool, self string) []string {
	if len(refs) == 0 {
		return nil
	}
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		if r != self && valid[r] {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	j := 0
	for i, r := range out {
		if i == 0 || r != out[j-1] {
			out[j] = r
			j++
		}
	}
	if j == 0 {
		return nil
	}
	return out[:j]
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// cleanString trims space, replaces invalid UTF-8 and drops control
// characters, which some firmware tables and package databases contain. It
// keeps every printable rune; escaping is the encoders' job.
func cleanString(s string) string {
	s = strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
	if strings.IndexFunc(s, isCtl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isCtl(r) {
			return -1
		}
		return r
	}, s)
}

func isCtl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }
