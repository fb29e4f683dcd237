// Package sysinv collects host facts (hardware, firmware, operating system and
// installed software) from a root directory, read-only, for a Cyber Bill of
// Materials.
//
// Every collector reads through one read-only filesystem view (see FS) that
// never lets a symlink leave the root. Each fact group carries Facts: a Status,
// the Source it was read from, the fields that stayed unknown with the reason,
// and warnings. A fact that could not be read is never guessed and never
// reported as an empty string without an Unknown entry saying why.
//
// A root directory reads the same from every OS. The running system itself
// is read through /proc and /sys on Linux; on Windows through the registry
// and system calls (package winfacts, see ApplyWindows) and on macOS through
// sysctl (package macfacts, see ApplyMacOS), where the Linux sources are
// reported as not applicable (StatusAbsent) rather than missing.
package sysinv

import (
	"time"

	"github.com/wirebom/wirebom/sysinv/winfacts"
)

// Warning is a problem met while collecting facts. It never aborts collection.
type Warning struct {
	// Source names the collector or file the warning is about ("smbios",
	// "/var/lib/dpkg/status").
	Source string `json:"source"`
	// Msg says what went wrong and, where it helps, what would fix it
	// ("run as root to read the DMI table: serial numbers, UUID").
	Msg string `json:"msg"`
}

// String formats the warning as "source: msg".
func (w Warning) String() string { return w.Source + ": " + w.Msg }

// Status says how completely a fact group was collected.
type Status string

// Status values.
const (
	// StatusComplete: the source was read and every field it offers was found.
	StatusComplete Status = "complete"
	// StatusPartial: the source was read but some facts are unknown (see Facts.Unknown).
	StatusPartial Status = "partial"
	// StatusUnknown: the facts could not be collected (see Facts.Reason).
	StatusUnknown Status = "unknown"
	// StatusAbsent: the source does not exist on this system and that is not a
	// fault (no RPM database on Debian, no ESRT on a BIOS machine).
	StatusAbsent Status = "absent"
)

// Unknown names one fact that could not be determined, and why.
type Unknown struct {
	// Field is the Go field name or path ("System.SerialNumber", "eth0.FirmwareVersion").
	Field string `json:"field"`
	// Reason says why it is unknown ("DMI table needs root", "not exposed by the kernel").
	Reason string `json:"reason"`
}

// Facts is the bookkeeping shared by every fact group.
type Facts struct {
	// Status says how completely the group was collected.
	Status Status `json:"status"`
	// Source is the file, directory or interface the facts came from.
	Source string `json:"source,omitempty"`
	// Reason explains a Status other than StatusComplete.
	Reason string `json:"reason,omitempty"`
	// Unknown lists individual facts that could not be determined.
	Unknown []Unknown `json:"unknown,omitempty"`
	// Warnings lists problems met while collecting this group.
	Warnings []Warning `json:"warnings,omitempty"`
}

// Options configures Collect.
type Options struct {
	// Root is the directory to inspect: "/" (the default when empty) for the
	// running system, or a mounted image or unpacked filesystem. On Windows
	// "", "/", "\" and the system drive ("C:\") all mean the running system.
	Root string
	// SMBIOSFile, when set, is a `dmidecode --dump-bin` file read instead of
	// <Root>/sys/firmware/dmi/tables. It is read from the host, not from Root.
	SMBIOSFile string
	// Live says Root is a running system whose /proc and /sys are the kernel's
	// view. Collect sets it when Root is the running system's own root (see
	// Root). Ioctls (ethtool) are used only when Live is set and Root is "/".
	Live bool
	// MaxFileSize caps how many bytes are read from one file (default
	// DefaultMaxFileSize). Larger files are truncated with a warning.
	MaxFileSize int64
	// IDsDir, when set, is a host directory holding pci.ids and usb.ids to use
	// in place of the inspected system's copies and the embedded ones.
	IDsDir string
}

// DefaultMaxFileSize is the default cap on bytes read from one file (256 MiB,
// enough for the largest dpkg status and RPM databases seen in practice).
const DefaultMaxFileSize = 256 << 20

// Inventory is everything Collect learned about one system.
type Inventory struct {
	// Root is the inspected root directory as given (cleaned, absolute).
	Root string `json:"root"`
	// Live is true when Root was treated as the running system.
	Live bool `json:"live"`
	// CollectedAt is when collection started (UTC).
	CollectedAt time.Time `json:"collectedAt"`

	SMBIOS   SMBIOS       `json:"smbios"`
	CPU      CPU          `json:"cpu"`
	Memory   Memory       `json:"memory"`
	Block    BlockDevices `json:"block"`
	NICs     NICs         `json:"nics"`
	PCI      PCIDevices   `json:"pci"`
	USB      USBDevices   `json:"usb"`
	Firmware Firmware     `json:"firmware"`
	OS       OS           `json:"os"`
	Software Software     `json:"software"`

	// Warnings holds problems that belong to no single group (for example an
	// unreadable root). Use AllWarnings for every warning of every group.
	Warnings []Warning `json:"warnings,omitempty"`
}

// ---------------------------------------------------------------- SMBIOS

// SMBIOS holds the decoded SMBIOS/DMI tables, or the subset exposed by
// /sys/class/dmi/id when the raw table cannot be read (Facts.Source says which).
type SMBIOS struct {
	Facts
	// Version is the SMBIOS specification version of the table ("3.2.0"),
	// empty when only /sys/class/dmi/id could be read.
	Version string `json:"version,omitempty"`
	// BIOS is type 0 (nil when absent).
	BIOS *BIOSInfo `json:"bios,omitempty"`
	// System is type 1 (nil when absent).
	System *SystemInfo `json:"system,omitempty"`
	// Baseboards are type 2 structures.
	Baseboards []Baseboard `json:"baseboards,omitempty"`
	// Chassis are type 3 structures.
	Chassis []Chassis `json:"chassis,omitempty"`
	// Processors are type 4 structures.
	Processors []Processor `json:"processors,omitempty"`
	// MemoryDevices are type 17 structures (empty slots included, Present false).
	MemoryDevices []MemoryDevice `json:"memoryDevices,omitempty"`
	// TPMs are type 43 structures.
	TPMs []SMBIOSTPM `json:"tpms,omitempty"`
	// OEMStrings are the strings of type 11 structures.
	OEMStrings []string `json:"oemStrings,omitempty"`
}

// BIOSInfo is SMBIOS type 0.
type BIOSInfo struct {
	Vendor      string `json:"vendor,omitempty"`
	Version     string `json:"version,omitempty"`
	ReleaseDate string `json:"releaseDate,omitempty"`
	// BIOSRelease is "major.minor" of the system BIOS, empty when not given (0xFF).
	BIOSRelease string `json:"biosRelease,omitempty"`
	// ECRelease is "major.minor" of the embedded controller firmware, empty when not given.
	ECRelease string `json:"ecRelease,omitempty"`
	// ROMSizeBytes is the BIOS ROM size, 0 when unknown.
	ROMSizeBytes uint64 `json:"romSizeBytes,omitempty"`
}

// SystemInfo is SMBIOS type 1.
type SystemInfo struct {
	Manufacturer string `json:"manufacturer,omitempty"`
	ProductName  string `json:"productName,omitempty"`
	Version      string `json:"version,omitempty"`
	SerialNumber string `json:"serialNumber,omitempty"`
	// UUID in the textual form dmidecode prints.
	UUID       string `json:"uuid,omitempty"`
	SKUNumber  string `json:"skuNumber,omitempty"`
	Family     string `json:"family,omitempty"`
	WakeupType string `json:"wakeupType,omitempty"`
}

// Baseboard is SMBIOS type 2.
type Baseboard struct {
	Manufacturer      string `json:"manufacturer,omitempty"`
	Product           string `json:"product,omitempty"`
	Version           string `json:"version,omitempty"`
	SerialNumber      string `json:"serialNumber,omitempty"`
	AssetTag          string `json:"assetTag,omitempty"`
	LocationInChassis string `json:"locationInChassis,omitempty"`
	BoardType         string `json:"boardType,omitempty"`
}

// Chassis is SMBIOS type 3.
type Chassis struct {
	Manufacturer string `json:"manufacturer,omitempty"`
	Type         string `json:"type,omitempty"`
	Version      string `json:"version,omitempty"`
	SerialNumber string `json:"serialNumber,omitempty"`
	AssetTag     string `json:"assetTag,omitempty"`
	SKUNumber    string `json:"skuNumber,omitempty"`
}

// Processor is SMBIOS type 4.
type Processor struct {
	SocketDesignation string `json:"socketDesignation,omitempty"`
	Type              string `json:"type,omitempty"`
	Family            string `json:"family,omitempty"`
	Manufacturer      string `json:"manufacturer,omitempty"`
	// ID is the 8-byte processor ID as dmidecode prints it ("A9 06 03 00 FF FB EB BF").
	ID              string `json:"id,omitempty"`
	Version         string `json:"version,omitempty"`
	MaxSpeedMHz     int    `json:"maxSpeedMHz,omitempty"`
	CurrentSpeedMHz int    `json:"currentSpeedMHz,omitempty"`
	CoreCount       int    `json:"coreCount,omitempty"`
	CoreEnabled     int    `json:"coreEnabled,omitempty"`
	ThreadCount     int    `json:"threadCount,omitempty"`
	SerialNumber    string `json:"serialNumber,omitempty"`
	AssetTag        string `json:"assetTag,omitempty"`
	PartNumber      string `json:"partNumber,omitempty"`
	// Populated is true when the socket holds a CPU.
	Populated bool `json:"populated"`
}

// MemoryDevice is SMBIOS type 17.
type MemoryDevice struct {
	Locator     string `json:"locator,omitempty"`
	BankLocator string `json:"bankLocator,omitempty"`
	// Present is false for an empty slot.
	Present bool `json:"present"`
	// SizeBytes is 0 for an empty slot or unknown size (see Facts.Unknown).
	SizeBytes  uint64 `json:"sizeBytes,omitempty"`
	FormFactor string `json:"formFactor,omitempty"`
	Type       string `json:"type,omitempty"`
	TypeDetail string `json:"typeDetail,omitempty"`
	// SpeedMTs is the maximum speed in MT/s, 0 when unknown.
	SpeedMTs int `json:"speedMTs,omitempty"`
	// ConfiguredSpeedMTs is the configured speed in MT/s, 0 when unknown.
	ConfiguredSpeedMTs int    `json:"configuredSpeedMTs,omitempty"`
	Manufacturer       string `json:"manufacturer,omitempty"`
	SerialNumber       string `json:"serialNumber,omitempty"`
	AssetTag           string `json:"assetTag,omitempty"`
	PartNumber         string `json:"partNumber,omitempty"`
}

// SMBIOSTPM is SMBIOS type 43.
type SMBIOSTPM struct {
	// VendorID is the 4-character vendor ID ("IFX", "NTC").
	VendorID string `json:"vendorId,omitempty"`
	// SpecVersion is "major.minor" of the TPM specification.
	SpecVersion string `json:"specVersion,omitempty"`
	// FirmwareVersion is the vendor-specific firmware version as "v1.v2" (hex words).
	FirmwareVersion string `json:"firmwareVersion,omitempty"`
	Description     string `json:"description,omitempty"`
}

// ---------------------------------------------------------------- CPU and memory

// CPU holds processor facts from /proc/cpuinfo and the kernel's vulnerability report.
type CPU struct {
	Facts
	Vendor    string `json:"vendor,omitempty"`
	ModelName string `json:"modelName,omitempty"`
	// Family, Model and Stepping are the decimal numbers /proc/cpuinfo reports.
	Family   string `json:"family,omitempty"`
	Model    string `json:"model,omitempty"`
	Stepping string `json:"stepping,omitempty"`
	// Microcode is the loaded microcode revision ("0xf0").
	Microcode string `json:"microcode,omitempty"`
	// Sockets, Cores and Threads count physical packages, cores and logical CPUs.
	Sockets int `json:"sockets,omitempty"`
	Cores   int `json:"cores,omitempty"`
	Threads int `json:"threads"`
	// Vulnerabilities are the lines of /sys/devices/system/cpu/vulnerabilities/*.
	Vulnerabilities []CPUVulnerability `json:"vulnerabilities,omitempty"`
}

// CPUVulnerability is one kernel-reported hardware vulnerability and its mitigation status.
type CPUVulnerability struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

// Memory holds the total RAM the kernel sees.
type Memory struct {
	Facts
	// TotalBytes is MemTotal from /proc/meminfo, 0 when unknown.
	TotalBytes uint64 `json:"totalBytes,omitempty"`
}

// ---------------------------------------------------------------- devices

// BlockDevices lists disks from /sys/block.
type BlockDevices struct {
	Facts
	Devices []BlockDevice `json:"devices,omitempty"`
}

// BlockDevice is one whole disk (partitions are not listed).
type BlockDevice struct {
	Name             string `json:"name"`
	Model            string `json:"model,omitempty"`
	Vendor           string `json:"vendor,omitempty"`
	Serial           string `json:"serial,omitempty"`
	FirmwareRevision string `json:"firmwareRevision,omitempty"`
	SizeBytes        uint64 `json:"sizeBytes,omitempty"`
	// Rotational is nil when the kernel does not say.
	Rotational *bool `json:"rotational,omitempty"`
	// Removable is nil when the kernel does not say.
	Removable *bool `json:"removable,omitempty"`
	// Transport is "nvme", "sata", "usb", "virtio", "scsi", ... when inferable.
	Transport string `json:"transport,omitempty"`
	WWN       string `json:"wwn,omitempty"`
	// Virtual is true for loop, ram, zram, dm and md devices.
	Virtual bool `json:"virtual"`
}

// NICs lists network interfaces from /sys/class/net.
type NICs struct {
	Facts
	Interfaces []NIC `json:"interfaces,omitempty"`
}

// NIC is one network interface.
type NIC struct {
	Name string `json:"name"`
	// Description is the adapter model as the OS names it where it does
	// (Windows: "Intel(R) Ethernet Connection (7) I219-LM").
	Description     string `json:"description,omitempty"`
	MAC             string `json:"mac,omitempty"`
	Driver          string `json:"driver,omitempty"`
	DriverVersion   string `json:"driverVersion,omitempty"`
	FirmwareVersion string `json:"firmwareVersion,omitempty"`
	// BusInfo is the bus address ("0000:00:03.0").
	BusInfo string `json:"busInfo,omitempty"`
	// SpeedMbps is the link speed, 0 when unknown or link down.
	SpeedMbps int    `json:"speedMbps,omitempty"`
	OperState string `json:"operState,omitempty"`
	MTU       int    `json:"mtu,omitempty"`
	// Virtual is true for interfaces with no backing device (lo, veth, bridges).
	Virtual bool `json:"virtual"`
}

// PCIDevices lists devices from /sys/bus/pci/devices.
type PCIDevices struct {
	Facts
	// IDsSource says where names came from ("/usr/share/misc/pci.ids", "embedded").
	IDsSource string      `json:"idsSource,omitempty"`
	Devices   []PCIDevice `json:"devices,omitempty"`
}

// PCIDevice is one PCI function. IDs are 4 lower-case hex digits as lspci -n prints them.
type PCIDevice struct {
	Address           string `json:"address"`
	VendorID          string `json:"vendorId"`
	DeviceID          string `json:"deviceId"`
	SubsystemVendorID string `json:"subsystemVendorId,omitempty"`
	SubsystemDeviceID string `json:"subsystemDeviceId,omitempty"`
	// Class is the 6-hex-digit class code (class, subclass, prog-if).
	Class    string `json:"class,omitempty"`
	Revision string `json:"revision,omitempty"`
	Driver   string `json:"driver,omitempty"`
	// Names from pci.ids; empty when the ID is not listed there.
	VendorName    string `json:"vendorName,omitempty"`
	DeviceName    string `json:"deviceName,omitempty"`
	SubsystemName string `json:"subsystemName,omitempty"`
	ClassName     string `json:"className,omitempty"`
}

// USBDevices lists devices from /sys/bus/usb/devices.
type USBDevices struct {
	Facts
	IDsSource string      `json:"idsSource,omitempty"`
	Devices   []USBDevice `json:"devices,omitempty"`
}

// USBDevice is one USB device (interfaces are not listed).
type USBDevice struct {
	// Path is the sysfs name ("1-1.2", "usb1" for a root hub).
	Path      string `json:"path"`
	BusNum    int    `json:"busNum,omitempty"`
	DevNum    int    `json:"devNum,omitempty"`
	VendorID  string `json:"vendorId"`
	ProductID string `json:"productId"`
	// DeviceVersion is bcdDevice ("1.00").
	DeviceVersion string `json:"deviceVersion,omitempty"`
	// USBVersion is bcdUSB ("2.00").
	USBVersion   string `json:"usbVersion,omitempty"`
	Class        string `json:"class,omitempty"`
	Manufacturer string `json:"manufacturer,omitempty"`
	Product      string `json:"product,omitempty"`
	Serial       string `json:"serial,omitempty"`
	SpeedMbps    string `json:"speedMbps,omitempty"`
	// Names from usb.ids; empty when not listed.
	VendorName  string `json:"vendorName,omitempty"`
	ProductName string `json:"productName,omitempty"`
}

// ---------------------------------------------------------------- firmware

// Firmware groups platform firmware facts.
type Firmware struct {
	Boot       BootMode   `json:"boot"`
	SecureBoot SecureBoot `json:"secureBoot"`
	ESRT       ESRT       `json:"esrt"`
	TPM        TPM        `json:"tpm"`
}

// BootModeKind is how the system was booted.
type BootModeKind string

// BootModeKind values.
const (
	BootUEFI    BootModeKind = "uefi"
	BootLegacy  BootModeKind = "legacy"
	BootUnknown BootModeKind = "unknown"
)

// BootMode says whether the system booted through UEFI.
type BootMode struct {
	Facts
	Mode BootModeKind `json:"mode"`
}

// SecureBoot holds the UEFI Secure Boot variables.
type SecureBoot struct {
	Facts
	// Enabled is nil when unknown.
	Enabled *bool `json:"enabled,omitempty"`
	// SetupMode is nil when unknown.
	SetupMode *bool `json:"setupMode,omitempty"`
}

// ESRT lists the UEFI EFI System Resource Table entries (updatable firmware).
type ESRT struct {
	Facts
	Entries []ESRTEntry `json:"entries,omitempty"`
}

// ESRTEntry is one updatable firmware resource.
type ESRTEntry struct {
	// FwClass is the firmware class GUID.
	FwClass string `json:"fwClass"`
	// FwType is 0 unknown, 1 system firmware, 2 device firmware, 3 UEFI driver.
	FwType     uint32 `json:"fwType"`
	FwTypeName string `json:"fwTypeName"`
	FwVersion  uint32 `json:"fwVersion"`
	// LowestSupportedFwVersion is the oldest version the device accepts.
	LowestSupportedFwVersion uint32 `json:"lowestSupportedFwVersion"`
	CapsuleFlags             uint32 `json:"capsuleFlags"`
	LastAttemptVersion       uint32 `json:"lastAttemptVersion"`
	LastAttemptStatus        uint32 `json:"lastAttemptStatus"`
	LastAttemptStatusName    string `json:"lastAttemptStatusName"`
}

// TPM lists TPM chips from /sys/class/tpm.
type TPM struct {
	Facts
	Devices []TPMDevice `json:"devices,omitempty"`
}

// TPMDevice is one TPM chip.
type TPMDevice struct {
	Name string `json:"name"`
	// VersionMajor is 1 or 2, 0 when unknown.
	VersionMajor int    `json:"versionMajor,omitempty"`
	Description  string `json:"description,omitempty"`
	Manufacturer string `json:"manufacturer,omitempty"`
	// FirmwareVersion from the 1.2 caps file or type-43, when exposed.
	FirmwareVersion string `json:"firmwareVersion,omitempty"`
	// Caps are the key/value lines of the TPM 1.2 caps file.
	Caps map[string]string `json:"caps,omitempty"`
}

// ---------------------------------------------------------------- OS

// OS groups operating system facts.
type OS struct {
	Release OSRelease     `json:"release"`
	Kernel  Kernel        `json:"kernel"`
	Host    Host          `json:"host"`
	Modules KernelModules `json:"modules"`
	// Drivers are the kernel and file-system drivers Windows registers as
	// services (StatusAbsent on other systems).
	Drivers Drivers `json:"drivers"`
	// Windows is the version as the Windows registry states it (live
	// Windows only; nil elsewhere). Release carries the same facts in
	// os-release form.
	Windows *WindowsVersion `json:"windows,omitempty"`
}

// WindowsVersion is HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion,
// decoded (product name, edition, display version, build, UBR, service
// pack, installation type and date).
type WindowsVersion = winfacts.OS

// Drivers lists driver services (Windows).
type Drivers struct {
	Facts
	Drivers []Driver `json:"drivers,omitempty"`
}

// Driver is one kernel or file-system driver service with the file version
// of its image.
type Driver = winfacts.Driver

// OSRelease is os-release(5).
type OSRelease struct {
	Facts
	ID              string   `json:"id,omitempty"`
	IDLike          []string `json:"idLike,omitempty"`
	Name            string   `json:"name,omitempty"`
	Version         string   `json:"version,omitempty"`
	VersionID       string   `json:"versionId,omitempty"`
	VersionCodename string   `json:"versionCodename,omitempty"`
	PrettyName      string   `json:"prettyName,omitempty"`
	CPEName         string   `json:"cpeName,omitempty"`
	// CPE is CPEName as a CPE 2.3 formatted string ("cpe:2.3:o:fedoraproject:fedora:39:*:*:*:*:*:*:*"),
	// empty when the OS gives no CPE_NAME (never derived from ID).
	CPE     string `json:"cpe,omitempty"`
	BuildID string `json:"buildId,omitempty"`
	// Fields holds every key of the file, unquoted.
	Fields map[string]string `json:"fields,omitempty"`
}

// Kernel holds the running (live) or installed (image) kernel.
type Kernel struct {
	Facts
	// Release is `uname -r` on a live system; on an image the newest installed
	// release when exactly one is installed, else empty (see Installed).
	Release string `json:"release,omitempty"`
	// Version is `uname -v` (live only).
	Version string `json:"version,omitempty"`
	// Installed lists kernel releases found under /boot and /lib/modules.
	Installed []string `json:"installed,omitempty"`
}

// Host holds host identity.
type Host struct {
	Facts
	Hostname string `json:"hostname,omitempty"`
	// MachineID is /etc/machine-id (read, never written); on Windows the
	// MachineGuid of HKLM\SOFTWARE\Microsoft\Cryptography.
	MachineID string `json:"machineId,omitempty"`
	// Model is the hardware model the OS names when there is no SMBIOS
	// table to read (macOS hw.model: "MacBookPro18,3").
	Model string `json:"model,omitempty"`
}

// KernelModules lists loaded (live) and installed kernel modules.
type KernelModules struct {
	Facts
	Loaded    []KernelModule     `json:"loaded,omitempty"`
	Installed []InstalledModules `json:"installed,omitempty"`
}

// KernelModule is one loaded module.
type KernelModule struct {
	Name string `json:"name"`
	// Version is /sys/module/NAME/version, empty when the module declares none.
	Version    string `json:"version,omitempty"`
	SrcVersion string `json:"srcVersion,omitempty"`
	SizeBytes  uint64 `json:"sizeBytes,omitempty"`
}

// InstalledModules counts modules in lib/modules/<release>/modules.dep.
type InstalledModules struct {
	KernelRelease string `json:"kernelRelease"`
	Count         int    `json:"count"`
}

// ---------------------------------------------------------------- software

// Software groups package databases.
type Software struct {
	DPKG PackageDB `json:"dpkg"`
	RPM  PackageDB `json:"rpm"`
	APK  PackageDB `json:"apk"`
	// Programs are Windows' "Programs and Features" (the Uninstall keys);
	// StatusAbsent on other systems.
	Programs Programs `json:"programs"`
	// Hotfixes are the installed Windows updates by KB number; StatusAbsent
	// on other systems.
	Hotfixes Hotfixes `json:"hotfixes"`
}

// Programs lists installed Windows programs.
type Programs struct {
	Facts
	Programs []Program `json:"programs,omitempty"`
}

// Program is one entry of "Programs and Features". Windows programs have no
// package URL type: they are identified by name, publisher and version, and
// MSI packages by their product code (Key).
type Program = winfacts.Program

// Hotfixes lists installed Windows updates.
type Hotfixes struct {
	Facts
	Hotfixes []Hotfix `json:"hotfixes,omitempty"`
}

// Hotfix is one installed update ("KB5031356").
type Hotfix = winfacts.Hotfix

// PackageDB is one package manager's database. Status is StatusAbsent when
// the database does not exist.
type PackageDB struct {
	Facts
	Packages []Package `json:"packages,omitempty"`
}

// Package is one installed package.
type Package struct {
	// Type is the purl type: "deb", "rpm" or "apk".
	Type string `json:"type"`
	Name string `json:"name"`
	// Version is the full version as the package manager prints it
	// (dpkg "1:2.3-4", rpm "[EPOCH:]VERSION-RELEASE", apk "1.2.3-r0").
	Version string `json:"version"`
	Arch    string `json:"arch,omitempty"`
	// SourceName and SourceVersion name the source package when known.
	SourceName    string `json:"sourceName,omitempty"`
	SourceVersion string `json:"sourceVersion,omitempty"`
	// InstalledSizeBytes is 0 when unknown.
	InstalledSizeBytes uint64 `json:"installedSizeBytes,omitempty"`
	Maintainer         string `json:"maintainer,omitempty"`
	Vendor             string `json:"vendor,omitempty"`
	License            string `json:"license,omitempty"`
	Description        string `json:"description,omitempty"`
	// Status is the package manager's state ("install ok installed").
	Status string `json:"status,omitempty"`
	// PURL is the package URL (purl spec), with a distro qualifier when known.
	PURL string `json:"purl"`
	// CPE is a CPE 2.3 name when one can be derived, else empty.
	CPE string `json:"cpe,omitempty"`
}

// AllWarnings returns every warning of every group, in a stable order.
func (inv *Inventory) AllWarnings() []Warning {
	var out []Warning
	out = append(out, inv.Warnings...)
	for _, f := range inv.facts() {
		out = append(out, f.Warnings...)
	}
	return out
}

// facts returns every group's Facts in document order.
func (inv *Inventory) facts() []*Facts {
	return []*Facts{
		&inv.SMBIOS.Facts, &inv.CPU.Facts, &inv.Memory.Facts, &inv.Block.Facts,
		&inv.NICs.Facts, &inv.PCI.Facts, &inv.USB.Facts,
		&inv.Firmware.Boot.Facts, &inv.Firmware.SecureBoot.Facts, &inv.Firmware.ESRT.Facts,
		&inv.Firmware.TPM.Facts,
		&inv.OS.Release.Facts, &inv.OS.Kernel.Facts, &inv.OS.Host.Facts, &inv.OS.Modules.Facts,
		&inv.OS.Drivers.Facts,
		&inv.Software.DPKG.Facts, &inv.Software.RPM.Facts, &inv.Software.APK.Facts,
		&inv.Software.Programs.Facts, &inv.Software.Hotfixes.Facts,
	}
}
