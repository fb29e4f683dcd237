package sysinv

import (
	"fmt"
	"net"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wirebom/wirebom/sysinv/macfacts"
	"github.com/wirebom/wirebom/sysinv/winfacts"
)

// Per-OS collection. Collect reads a root directory the same way on every
// OS (an unpacked Linux image inspected from Windows still gives its dpkg
// database). Only the running system itself differs: on Linux it is read
// through /proc and /sys like any root; on Windows and macOS the facts come
// from the registry and sysctl through packages winfacts and macfacts, and
// the Linux sources are reported as not applicable. platform_<GOOS>.go
// decides which; the functions here turn those facts into an Inventory and
// are plain Go, tested on every OS.

// Where Windows keeps what ApplyWindows reads (for Facts.Source).
const (
	winCurrentVersion = `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion`
	winUninstall      = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall, HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall, HKCU\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall`
	winHotfixes       = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\Packages, HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\HotFix`
	winServices       = `HKLM\SYSTEM\CurrentControlSet\Services`
	winCPU            = `HKLM\HARDWARE\DESCRIPTION\System\CentralProcessor`
	winControl        = `HKLM\SYSTEM\CurrentControlSet\Control`
)

// notApplicable marks a group whose source does not exist on this kind of
// system (a Linux /proc file on Windows). It is StatusAbsent, not a fault.
func notApplicable(f *Facts, osName, src string) {
	f.absent(src, fmt.Sprintf("not applicable on %s (%s is a Linux source)", osName, src))
}

// platformWarnings sorts "group: message" warnings from winfacts or
// macfacts into the groups they belong to; anything else goes to
// inv.Warnings.
func platformWarnings(inv *Inventory, source string, ws []string, groups map[string]*Facts) {
	for _, w := range ws {
		if key, msg, ok := strings.Cut(w, ": "); ok {
			if f, listed := groups[key]; listed {
				if f != nil { // nil: reported by another collector
					f.warn(source, "%s", msg)
				}
				continue
			}
		}
		inv.Warnings = append(inv.Warnings, Warning{Source: source, Msg: w})
	}
}

// warned reports whether f got a warning, and the first one.
func warned(f *Facts) (string, bool) {
	if len(f.Warnings) == 0 {
		return "", false
	}
	return f.Warnings[0].Msg, true
}

// ApplyWindows fills inv from the facts of a running Windows system: the OS
// (also as os-release fields, ID "windows"), host name and MachineGuid,
// processor, memory, boot firmware type and Secure Boot, network adapters,
// PCI and USB devices, installed programs, hotfixes and drivers. The groups
// only Linux sources fill (disks, ESRT, kernel TPM view, kernel modules, dpkg,
// rpm, apk) become not applicable. SMBIOS is left alone: it is read through
// GetSystemFirmwareTable by the SMBIOS collector.
func ApplyWindows(inv *Inventory, f *winfacts.Facts) {
	const osName = "windows"
	if f == nil {
		f = &winfacts.Facts{}
	}
	platformWarnings(inv, "winfacts", f.Warnings, map[string]*Facts{
		"os": &inv.OS.Release.Facts, "programs": &inv.Software.Programs.Facts,
		"hotfixes": &inv.Software.Hotfixes.Facts, "drivers": &inv.OS.Drivers.Facts,
		"host": &inv.OS.Host.Facts, "cpu": &inv.CPU.Facts, "memory": &inv.Memory.Facts,
		"firmware": &inv.Firmware.Boot.Facts, "nics": &inv.NICs.Facts, "pci": &inv.PCI.Facts, "usb": &inv.USB.Facts,
		"smbios": nil,
	})

	// OS.
	r := &inv.OS.Release
	r.Source = winCurrentVersion
	o := f.OS
	if o.ProductName == "" && o.Version == "" && o.CurrentBuild == "" {
		msg, _ := warned(&r.Facts)
		r.Status, r.Reason = StatusUnknown, "Windows version not readable from "+winCurrentVersion
		if msg != "" {
			r.Reason += ": " + msg
		}
	} else {
		inv.OS.Windows = &o
		*r = windowsRelease(o, r.Facts)
		if o.ProductName == "" {
			r.unknown("Name", winCurrentVersion+": no ProductName")
		}
		if o.Version == "" {
			r.unknown("VersionID", winCurrentVersion+": no CurrentMajorVersionNumber/CurrentVersion with CurrentBuild")
		}
		r.done()
	}
	inv.OS.Kernel.absent(winCurrentVersion, "the Windows kernel (ntoskrnl.exe) is versioned with the OS: see the OS version")
	notApplicable(&inv.OS.Modules.Facts, osName, "/proc/modules")

	// Host.
	h := &inv.OS.Host
	var src []string
	if f.Hostname != "" {
		h.Hostname = f.Hostname
		src = append(src, "GetComputerNameEx")
	} else {
		h.unknown("Hostname", "not returned by the system")
	}
	if f.MachineGUID != "" {
		h.MachineID = f.MachineGUID
		src = append(src, `HKLM\SOFTWARE\Microsoft\Cryptography\MachineGuid`)
	} else {
		h.unknown("MachineID", `HKLM\SOFTWARE\Microsoft\Cryptography\MachineGuid not readable`)
	}
	h.Source = strings.Join(src, ", ")
	h.done()

	// CPU and memory.
	c := &inv.CPU
	c.Source = winCPU
	if f.CPU.Name == "" && f.CPU.Identifier == "" && f.CPU.Logical == 0 {
		c.fail("cpu", "no processor readable from "+winCPU)
	} else {
		c.Vendor, c.ModelName = f.CPU.Vendor, f.CPU.Name
		c.Family, c.Model, c.Stepping = f.CPU.Family, f.CPU.Model, f.CPU.Stepping
		c.Microcode, c.Threads = f.CPU.Microcode, f.CPU.Logical
		if c.ModelName == "" {
			c.unknown("ModelName", winCPU+`\0: no ProcessorNameString`)
		}
		if c.Microcode == "" {
			c.unknown("Microcode", winCPU+`\0: no "Update Revision"`)
		}
		c.unknown("Vulnerabilities", "Windows does not publish a per-CPU vulnerability report like Linux's")
		c.done()
	}
	m := &inv.Memory
	m.Source = "GlobalMemoryStatusEx"
	if f.MemoryBytes > 0 {
		m.TotalBytes = f.MemoryBytes
		m.done()
	} else if m.Status == "" {
		m.Status, m.Reason = StatusUnknown, "GlobalMemoryStatusEx failed"
	}

	// Firmware: boot type and Secure Boot from the registry; ESRT and TPM
	// are read through /sys on Linux only.
	b := &inv.Firmware.Boot
	b.Source = winControl + `\PEFirmwareType`
	switch f.Firmware.Type {
	case "uefi":
		b.Mode = BootUEFI
		b.done()
	case "bios":
		b.Mode = BootLegacy
		b.done()
	default:
		b.Mode = BootUnknown
		b.Status, b.Reason = StatusUnknown, "PEFirmwareType not readable from "+winControl
	}
	sb := &inv.Firmware.SecureBoot
	sb.Source = winControl + `\SecureBoot\State`
	switch {
	case f.Firmware.SecureBoot != nil:
		v := *f.Firmware.SecureBoot
		sb.Enabled = &v
		sb.unknown("SetupMode", "not in the registry")
		sb.done()
	case b.Mode == BootLegacy:
		sb.absent(sb.Source, "BIOS boot: no Secure Boot")
	default:
		sb.Status, sb.Reason = StatusUnknown, "UEFISecureBootEnabled not readable from "+sb.Source
	}
	notApplicable(&inv.Firmware.ESRT.Facts, osName, "/sys/firmware/efi/esrt")
	notApplicable(&inv.Firmware.TPM.Facts, osName, "/sys/class/tpm")

	// Network adapters; the other devices are read through sysfs on Linux.
	if f.Adapters != nil {
		inv.NICs = NICsFromAdapters(f.Adapters, "GetAdaptersAddresses")
	} else if inv.NICs.Status == "" {
		reason := "network adapters not listed"
		if msg, ok := warned(&inv.NICs.Facts); ok {
			reason = msg
		}
		inv.NICs.Source, inv.NICs.Status, inv.NICs.Reason = "GetAdaptersAddresses", StatusUnknown, reason
	}
	notApplicable(&inv.Block.Facts, osName, "/sys/block")
	if f.PCI != nil {
		inv.PCI = PCIFromPnP(f.PCI, EmbeddedPCIIDs(), "embedded")
	} else {
		pnpUnknown(&inv.PCI.Facts, "PCI")
	}
	if f.USB != nil {
		inv.USB = USBFromPnP(f.USB, EmbeddedUSBIDs(), "embedded")
	} else {
		pnpUnknown(&inv.USB.Facts, "USB")
	}

	// Software.
	notApplicable(&inv.Software.DPKG.Facts, osName, "/var/lib/dpkg/status")
	notApplicable(&inv.Software.RPM.Facts, osName, "/var/lib/rpm")
	notApplicable(&inv.Software.APK.Facts, osName, "/lib/apk/db/installed")

	p := &inv.Software.Programs
	p.Source = winUninstall
	p.Programs = append([]Program(nil), f.Programs...)
	if msg, ok := warned(&p.Facts); ok {
		p.unknown("Programs", msg)
	}
	p.unknown("Programs.OtherUsers", "per-user programs of users other than the current one are in their own registry hives, not loaded")
	p.done()

	hf := &inv.Software.Hotfixes
	hf.Source = winHotfixes
	hf.Hotfixes = append([]Hotfix(nil), f.Hotfixes...)
	if msg, ok := warned(&hf.Facts); ok {
		hf.unknown("Hotfixes", msg)
	}
	hf.done()

	d := &inv.OS.Drivers
	d.Source = winServices
	d.Drivers = append([]Driver(nil), f.Drivers...)
	if msg, ok := warned(&d.Facts); ok {
		d.Status, d.Reason = StatusUnknown, msg
	} else {
		noVer := 0
		for _, dr := range d.Drivers {
			if dr.Version == "" {
				noVer++
			}
		}
		if noVer > 0 {
			d.unknown("Drivers.Version", fmt.Sprintf("%d of %d driver files have no readable version resource", noVer, len(d.Drivers)))
		}
		d.done()
	}
}

// windowsRelease renders the registry's version facts as os-release fields:
// ID "windows", NAME the product ("Windows 11 Pro"), VERSION the display
// version ("22H2"), VERSION_ID major.minor.build.UBR, BUILD_ID build.UBR.
// No CPE is derived: Windows does not state one.
func windowsRelease(o winfacts.OS, f Facts) OSRelease {
	r := OSRelease{Facts: f, ID: "windows", Name: o.Name, Version: o.DisplayVersion, VersionID: o.Version}
	if o.CurrentBuild != "" {
		r.BuildID = o.CurrentBuild
		if o.UBR > 0 {
			r.BuildID += "." + strconv.FormatUint(o.UBR, 10)
		}
	}
	pretty := strings.TrimSpace(o.Name + " " + o.DisplayVersion)
	if o.ServicePack != "" {
		pretty += " " + o.ServicePack
	}
	if r.BuildID != "" {
		pretty += " (build " + r.BuildID + ")"
	}
	r.PrettyName = strings.TrimSpace(pretty)
	r.Fields = map[string]string{}
	set := func(k, v string) {
		if v != "" {
			r.Fields[k] = v
		}
	}
	set("ProductName", o.ProductName)
	set("EditionID", o.EditionID)
	set("DisplayVersion", o.DisplayVersion)
	set("CurrentBuild", o.CurrentBuild)
	if o.UBR > 0 {
		set("UBR", strconv.FormatUint(o.UBR, 10))
	}
	set("CSDVersion", o.ServicePack)
	set("InstallationType", o.InstallationType)
	if o.InstallDate != nil {
		set("InstallDate", o.InstallDate.UTC().Format(time.RFC3339))
	}
	return r
}

// ApplyMacOS fills inv from the sysctl facts of a running macOS system:
// OS (ID "macos"), Darwin kernel, host name and model, processor and memory.
// Linux-only groups become not applicable; SMBIOS is left to its collector
// (Macs expose no SMBIOS table).
func ApplyMacOS(inv *Inventory, f macfacts.Facts) {
	const osName = "macos"
	// Route "sysctl NAME: ..." warnings by NAME.
	var ws []string
	for _, w := range f.Warnings {
		name, _, _ := strings.Cut(strings.TrimPrefix(w, "sysctl "), ":")
		g := map[string]string{"hw.model": "host", "kern.hostname": "host", "kern.osproductversion": "os",
			"kern.osversion": "os", "kern.osrelease": "kernel", "kern.version": "kernel",
			"machdep.cpu.brand_string": "cpu", "hw.ncpu": "cpu", "hw.memsize": "memory"}[name]
		if g == "" {
			ws = append(ws, w)
			continue
		}
		ws = append(ws, g+": "+w)
	}
	platformWarnings(inv, "macfacts", ws, map[string]*Facts{
		"os": &inv.OS.Release.Facts, "kernel": &inv.OS.Kernel.Facts, "host": &inv.OS.Host.Facts,
		"cpu": &inv.CPU.Facts, "memory": &inv.Memory.Facts,
	})

	r := &inv.OS.Release
	r.Source = "sysctl kern.osproductversion, kern.osversion"
	if f.ProductVersion == "" {
		r.Status, r.Reason = StatusUnknown, "kern.osproductversion not readable"
	} else {
		r.ID, r.Name, r.VersionID, r.BuildID = "macos", "macOS", f.ProductVersion, f.Build
		r.PrettyName = macfacts.OSName(f.ProductVersion) + " " + f.ProductVersion
		if f.Build != "" {
			r.PrettyName += " (" + f.Build + ")"
		} else {
			r.unknown("BuildID", "kern.osversion not readable")
		}
		r.done()
	}

	k := &inv.OS.Kernel
	k.Source = "sysctl kern.osrelease, kern.version"
	k.Release, k.Version = f.KernelRelease, f.KernelVersion
	if k.Release == "" {
		k.unknown("Release", "kern.osrelease not readable")
	}
	k.done()
	notApplicable(&inv.OS.Modules.Facts, osName, "/proc/modules")
	inv.OS.Drivers.absent("", "driver services are a Windows registry source")

	h := &inv.OS.Host
	h.Source = "sysctl kern.hostname, hw.model"
	h.Hostname, h.Model = f.Hostname, f.Model
	if h.Hostname == "" {
		h.unknown("Hostname", "kern.hostname not readable")
	}
	if h.Model == "" {
		h.unknown("Model", "hw.model not readable")
	}
	h.unknown("MachineID", "the IOPlatformUUID is in the I/O Registry, not read")
	h.done()

	c := &inv.CPU
	c.Source = "sysctl machdep.cpu.brand_string, hw.ncpu"
	c.ModelName, c.Threads = f.CPUBrand, f.CPUs
	if c.ModelName == "" && c.Threads == 0 {
		c.fail("cpu", "machdep.cpu.brand_string and hw.ncpu not readable")
	} else {
		if c.ModelName == "" {
			c.unknown("ModelName", "machdep.cpu.brand_string not readable")
		}
		c.done()
	}
	m := &inv.Memory
	m.Source = "sysctl hw.memsize"
	if f.MemoryBytes > 0 {
		m.TotalBytes = f.MemoryBytes
		m.done()
	} else {
		m.Status, m.Reason = StatusUnknown, "hw.memsize not readable"
	}

	for _, g := range []struct {
		f   *Facts
		src string
	}{
		{&inv.Block.Facts, "/sys/block"}, {&inv.NICs.Facts, "/sys/class/net"},
		{&inv.PCI.Facts, "/sys/bus/pci/devices"}, {&inv.USB.Facts, "/sys/bus/usb/devices"},
		{&inv.Firmware.Boot.Facts, "/sys/firmware/efi"}, {&inv.Firmware.SecureBoot.Facts, "/sys/firmware/efi/efivars"},
		{&inv.Firmware.ESRT.Facts, "/sys/firmware/efi/esrt"}, {&inv.Firmware.TPM.Facts, "/sys/class/tpm"},
		{&inv.Software.DPKG.Facts, "/var/lib/dpkg/status"}, {&inv.Software.RPM.Facts, "/var/lib/rpm"},
		{&inv.Software.APK.Facts, "/lib/apk/db/installed"},
	} {
		notApplicable(g.f, osName, g.src)
	}
	inv.Firmware.Boot.Mode = BootUnknown
	inv.Software.Programs.absent("", "Programs and Features is a Windows registry source")
	inv.Software.Hotfixes.absent("", "hotfixes are a Windows registry source")
}

// windowsImage checks an offline root for Windows registry hives. Their
// programs, updates and drivers are not read (the hive format is not
// parsed), which is a gap; on any other root they do not exist.
func (c *collector) windowsImage(inv *Inventory) {
	const hive = "/Windows/System32/config/SOFTWARE"
	groups := []*Facts{&inv.Software.Programs.Facts, &inv.Software.Hotfixes.Facts, &inv.OS.Drivers.Facts}
	if c.fs.Exists(hive) {
		for _, f := range groups {
			f.Source = hive
			f.Status = StatusUnknown
			f.Reason = "Windows image: the registry hives of an offline root are not read; run `wirebom cbom` on the running Windows machine"
		}
		return
	}
	for _, f := range groups {
		f.absent("", "not a Windows system (no registry)")
	}
}

// absRoot makes root absolute and clean ("" is "/").
func absRoot(root string) (string, error) {
	if root == "" {
		root = "/"
	}
	r, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	return filepath.Clean(r), nil
}

// NICsFromInterfaces lists network interfaces as the OS's own interface
// table gives them (net.Interfaces: GetAdaptersAddresses on Windows,
// getifaddrs on macOS): name, MAC, MTU and whether the link is up.
// Drivers, firmware and link speed are not in that table and stay unknown;
// loopback interfaces are marked virtual. err is net.Interfaces' error.
func NICsFromInterfaces(ifs []net.Interface, err error, source string) NICs {
	var n NICs
	n.Source = source
	if err != nil {
		n.fail("nics", fmt.Sprintf("%s: %v", source, err))
		return n
	}
	for _, i := range ifs {
		nic := NIC{Name: i.Name, MTU: i.MTU, Virtual: i.Flags&net.FlagLoopback != 0, OperState: "down"}
		if len(i.HardwareAddr) > 0 {
			nic.MAC = i.HardwareAddr.String()
		}
		if i.Flags&net.FlagUp != 0 {
			nic.OperState = "up"
		}
		n.Interfaces = append(n.Interfaces, nic)
	}
	sort.Slice(n.Interfaces, func(a, b int) bool { return n.Interfaces[a].Name < n.Interfaces[b].Name })
	if len(n.Interfaces) > 0 {
		n.unknown("Driver", "not in "+source)
		n.unknown("FirmwareVersion", "not in "+source)
		n.unknown("SpeedMbps", "not in "+source)
	}
	n.done()
	return n
}

// NICsFromAdapters lists Windows network adapters: friendly name, model
// (the adapter description), MAC, MTU, link state and speed. Driver and
// firmware versions are not part of GetAdaptersAddresses and stay unknown;
// the loopback and tunnel adapters are marked virtual.
func NICsFromAdapters(as []winfacts.Adapter, source string) NICs {
	n := NICs{Facts: Facts{Source: source}}
	for _, a := range as {
		nic := NIC{Name: a.Name, Description: a.Description, MAC: a.MAC,
			Virtual: a.Virtual(), OperState: "down", SpeedMbps: int(min(a.SpeedBps/1_000_000, 1<<31-1))}
		if a.MTU <= 1<<20 { // the loopback reports 0xffffffff: no MTU
			nic.MTU = int(a.MTU)
		}
		if a.Up {
			nic.OperState = "up"
		}
		n.Interfaces = append(n.Interfaces, nic)
	}
	sort.SliceStable(n.Interfaces, func(i, j int) bool { return n.Interfaces[i].Name < n.Interfaces[j].Name })
	if len(n.Interfaces) > 0 {
		n.unknown("DriverVersion", "not in "+source)
		n.unknown("FirmwareVersion", "not in "+source)
	}
	n.done()
	return n
}

// pnpSource names where Windows PCI and USB devices come from.
const pnpSource = "SetupAPI (present devices)"

// pnpUnknown marks a device group whose SetupAPI listing failed.
func pnpUnknown(f *Facts, enumerator string) {
	reason := enumerator + " devices not listed"
	if msg, ok := warned(f); ok {
		reason = msg
	}
	f.Source, f.Status, f.Reason = pnpSource, StatusUnknown, reason
}

// PCIFromPnP lists the PCI functions Windows enumerates: IDs from the
// instance ID, class from the compatible IDs, bus address from the location,
// the driver service, and names from ids (pci.ids; idsSource names it),
// falling back to the driver INF's Mfg and DeviceDesc for IDs pci.ids does
// not list.
func PCIFromPnP(devs []winfacts.PnPDevice, ids *IDs, idsSource string) PCIDevices {
	p := PCIDevices{Facts: Facts{Source: pnpSource}, IDsSource: idsSource}
	for _, d := range devs {
		n, ok := winfacts.ParsePCIInstance(d.InstanceID, d.CompatibleIDs)
		if !ok {
			p.warn("pci", "%s: not a PCI instance ID", d.InstanceID)
			continue
		}
		dev := PCIDevice{VendorID: n.Vendor, DeviceID: n.Device, SubsystemVendorID: n.SubVendor, SubsystemDeviceID: n.SubDevice,
			Class: n.Class, Revision: n.Revision, Driver: d.Service}
		if addr, ok := winfacts.ParsePCILocation(d.Location); ok {
			dev.Address = addr
		} else {
			dev.Address = d.InstanceID
			p.unknown(d.InstanceID+".Address", fmt.Sprintf("LocationInformation %q names no bus address", d.Location))
		}
		ven, _ := ParseHexID(n.Vendor, 16)
		did, _ := ParseHexID(n.Device, 16)
		dev.VendorName = ids.Vendor(uint16(ven))
		dev.DeviceName = ids.Device(uint16(ven), uint16(did))
		if n.SubVendor != "" {
			sv, _ := ParseHexID(n.SubVendor, 16)
			sd, _ := ParseHexID(n.SubDevice, 16)
			dev.SubsystemName = ids.Subsystem(uint16(ven), uint16(did), uint16(sv), uint16(sd))
		}
		if n.Class != "" {
			c, _ := ParseHexID(n.Class, 24)
			dev.ClassName = ids.Class(c)
		}
		if dev.VendorName == "" {
			dev.VendorName = pnpText(d.Manufacturer)
		}
		if dev.DeviceName == "" {
			dev.DeviceName = pnpText(d.Description)
		}
		p.Devices = append(p.Devices, dev)
	}
	sort.SliceStable(p.Devices, func(i, j int) bool { return p.Devices[i].Address < p.Devices[j].Address })
	p.done()
	return p
}

// USBFromPnP lists the USB devices Windows enumerates (not their
// interfaces, not root hubs), with names from ids (usb.ids) falling back to
// the driver INF's strings.
func USBFromPnP(devs []winfacts.PnPDevice, ids *IDs, idsSource string) USBDevices {
	u := USBDevices{Facts: Facts{Source: pnpSource}, IDsSource: idsSource}
	for _, d := range devs {
		n, ok := winfacts.ParseUSBInstance(d.InstanceID, d.HardwareIDs)
		if !ok {
			continue // hubs, composite-device interfaces
		}
		dev := USBDevice{Path: d.InstanceID, VendorID: n.Vendor, ProductID: n.Product, DeviceVersion: n.DeviceVersion, Serial: n.Serial}
		ven, _ := ParseHexID(n.Vendor, 16)
		pid, _ := ParseHexID(n.Product, 16)
		dev.VendorName = ids.Vendor(uint16(ven))
		dev.ProductName = ids.Device(uint16(ven), uint16(pid))
		if dev.ProductName == "" {
			dev.ProductName = pnpText(firstNonBlank(d.FriendlyName, d.Description))
		}
		u.Devices = append(u.Devices, dev)
	}
	sort.SliceStable(u.Devices, func(i, j int) bool { return u.Devices[i].Path < u.Devices[j].Path })
	u.done()
	return u
}

// pnpText drops the generic "(Standard ...)" manufacturer placeholders INF
// files use, which name no one.
func pnpText(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		return ""
	}
	return s
}

func firstNonBlank(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
