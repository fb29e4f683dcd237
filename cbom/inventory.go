package cbom

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/wirebom/wirebom/sysinv"
)

// Options says how FromInventory builds a document.
type Options struct {
	// ToolName and ToolVersion name the generator ("wirebom", "v1.2.3").
	ToolName    string
	ToolVersion string
}

// FromInventory maps host facts collected by sysinv into a document. Facts
// that sysinv could not collect become Gaps (hardware that could not be seen
// is declared unknown or incomplete, never left empty); every collector
// warning is kept. The result still needs Stamp before encoding.
func FromInventory(inv *sysinv.Inventory, o Options) *Document {
	b := &builder{inv: inv, drivers: map[string]bool{}}
	d := &Document{ToolName: o.ToolName, ToolVersion: o.ToolVersion, Root: inv.Root, Live: inv.Live}
	if !inv.CollectedAt.IsZero() {
		d.Timestamp = inv.CollectedAt.UTC()
	}
	b.d = d
	b.machine()
	b.modules() // first: devices link to loaded drivers
	b.winDrivers()
	b.cpu()
	b.memory()
	b.disks()
	b.nics()
	b.pci()
	b.usb()
	b.tpm()
	b.firmware()
	b.os()
	b.gaps()
	for _, w := range inv.AllWarnings() {
		d.Warnings = append(d.Warnings, Warning{Source: cleanString(w.Source), Message: cleanString(w.Msg)})
	}
	return d
}

type builder struct {
	inv     *sysinv.Inventory
	d       *Document
	drivers map[string]bool // loaded module names, '-' folded to '_'
}

func (b *builder) add(list *[]*Component, c *Component) *Component {
	c.Name = cleanString(c.Name)
	c.Version = cleanString(c.Version)
	c.Vendor = cleanString(c.Vendor)
	c.Publisher = cleanString(c.Publisher)
	c.Serial = cleanSerial(c.Serial)
	c.Description = cleanString(c.Description)
	if c.Name == "" {
		c.Name = string(c.Kind)
	}
	*list = append(*list, c)
	return c
}

// driverRef returns the Ref of a loaded kernel module named drv, or "".
func (b *builder) driverRef(drv string) string {
	k := strings.ReplaceAll(drv, "-", "_")
	if drv != "" && b.drivers[k] {
		return "drv:" + k
	}
	return ""
}

// cleanSerial drops the placeholder values firmware vendors put in serial
// number fields, which identify nothing.
func cleanSerial(s string) string {
	s = cleanString(s)
	switch strings.ToLower(s) {
	case "", "none", "n/a", "na", "not specified", "to be filled by o.e.m.", "default string",
		"system serial number", "0", "00000000", "0123456789", "123456789", "unknown":
		return ""
	}
	return s
}

func (b *builder) machine() {
	inv := b.inv
	m := &Component{Ref: "machine", Class: ClassDevice, Kind: KindMachine, Source: inv.SMBIOS.Source}
	host := cleanString(inv.OS.Host.Hostname)
	if s := inv.SMBIOS.System; s != nil {
		m.Vendor = s.Manufacturer
		m.Version = s.Version
		m.Serial = s.SerialNumber
		m.Description = strings.TrimSpace(s.ProductName)
		m.AddProp("wirebom:system:product", cleanString(s.ProductName))
		m.AddProp("wirebom:system:family", cleanString(s.Family))
		m.AddProp("wirebom:system:sku", cleanString(s.SKUNumber))
		m.AddProp("wirebom:system:uuid", cleanString(s.UUID))
	} else if model := cleanString(inv.OS.Host.Model); model != "" {
		// No SMBIOS (macOS): the model the OS names.
		m.Description = model
		m.AddProp("wirebom:system:model", model)
	}
	m.Name = host
	if m.Name == "" {
		m.Name = m.Description
	}
	if m.Name == "" {
		m.Name = "unknown machine"
	}
	m.AddProp("wirebom:hostname", host)
	m.AddProp("wirebom:machine-id", cleanString(inv.OS.Host.MachineID))
	if inv.Memory.TotalBytes > 0 {
		m.AddProp("wirebom:memory:totalBytes", strconv.FormatUint(inv.Memory.TotalBytes, 10))
	}
	if mode := inv.Firmware.Boot.Mode; mode != "" {
		m.AddProp("wirebom:boot:mode", string(mode))
	}
	if e := inv.Firmware.SecureBoot.Enabled; e != nil {
		m.AddProp("wirebom:boot:secureBoot", strconv.FormatBool(*e))
	}
	if e := inv.Firmware.SecureBoot.SetupMode; e != nil {
		m.AddProp("wirebom:boot:setupMode", strconv.FormatBool(*e))
	}
	if v := inv.SMBIOS.Version; v != "" {
		m.AddProp("wirebom:smbios:version", v)
	}
	for _, s := range inv.SMBIOS.OEMStrings {
		m.AddProp("wirebom:smbios:oemString", cleanString(s))
	}
	m.Name = cleanString(m.Name)
	m.Vendor = cleanString(m.Vendor)
	m.Version = cleanString(m.Version)
	m.Serial = cleanSerial(m.Serial)
	m.Description = cleanString(m.Description)
	b.d.Machine = m

	for i, bb := range inv.SMBIOS.Baseboards {
		c := b.add(&b.d.Hardware, &Component{Ref: fmt.Sprintf("hw:board:%d", i), Class: ClassDevice, Kind: KindBoard,
			Name: bb.Product, Vendor: bb.Manufacturer, Version: bb.Version, Serial: bb.SerialNumber,
			Source: "smbios"})
		c.AddProp("wirebom:assetTag", cleanSerial(bb.AssetTag))
		c.AddProp("wirebom:board:type", cleanString(bb.BoardType))
		c.AddProp("cdx:device:location", cleanString(bb.LocationInChassis))
		if c.Name == string(KindBoard) {
			c.Name = "baseboard"
		}
		m.DependsOn = append(m.DependsOn, c.Ref)
	}
	for i, ch := range inv.SMBIOS.Chassis {
		c := b.add(&b.d.Hardware, &Component{Ref: fmt.Sprintf("hw:chassis:%d", i), Class: ClassDevice, Kind: KindChassis,
			Name: "chassis", Vendor: ch.Manufacturer, Version: ch.Version, Serial: ch.SerialNumber,
			Description: ch.Type, Source: "smbios"})
		c.AddProp("wirebom:chassis:type", cleanString(ch.Type))
		c.AddProp("wirebom:assetTag", cleanSerial(ch.AssetTag))
		c.AddProp("wirebom:chassis:sku", cleanString(ch.SKUNumber))
		m.DependsOn = append(m.DependsOn, c.Ref)
	}
}

func (b *builder) modules() {
	for _, km := range b.inv.OS.Modules.Loaded {
		name := strings.ReplaceAll(cleanString(km.Name), "-", "_")
		if name == "" {
			continue
		}
		b.drivers[name] = true
		c := b.add(&b.d.Drivers, &Component{Ref: "drv:" + name, Class: ClassDriver, Kind: KindModule,
			Name: name, Version: km.Version, Source: b.inv.OS.Modules.Source})
		c.AddProp("wirebom:module:srcversion", cleanString(km.SrcVersion))
		if km.SizeBytes > 0 {
			c.AddProp("wirebom:module:sizeBytes", strconv.FormatUint(km.SizeBytes, 10))
		}
	}
}

func (b *builder) cpu() {
	inv := b.inv
	cpu := inv.CPU
	var mc string
	if cpu.Microcode != "" {
		mc = b.add(&b.d.Firmware, &Component{Ref: "fw:microcode", Class: ClassFirmware, Kind: KindMicrocode,
			Name: "CPU microcode", Version: cpu.Microcode, Vendor: cpu.Vendor, Source: cpu.Source}).Ref
	}
	decorate := func(c *Component) {
		c.AddProp("wirebom:cpu:family", cleanString(cpu.Family))
		c.AddProp("wirebom:cpu:model", cleanString(cpu.Model))
		c.AddProp("wirebom:cpu:stepping", cleanString(cpu.Stepping))
		for _, v := range cpu.Vulnerabilities {
			c.AddProp("wirebom:cpu:vulnerability:"+propName(v.Name), cleanString(v.Status))
		}
		if mc != "" {
			c.DependsOn = append(c.DependsOn, mc)
		}
		b.d.Machine.DependsOn = append(b.d.Machine.DependsOn, c.Ref)
	}
	n := 0
	for _, p := range inv.SMBIOS.Processors {
		if !p.Populated {
			continue
		}
		name := p.Version
		if strings.TrimSpace(name) == "" {
			name = cpu.ModelName
		}
		c := b.add(&b.d.Hardware, &Component{Ref: fmt.Sprintf("hw:cpu:%d", n), Class: ClassDevice, Kind: KindCPU,
			Name: name, Vendor: p.Manufacturer, Serial: p.SerialNumber, Source: "smbios"})
		c.AddProp("cdx:device:location", cleanString(p.SocketDesignation))
		c.AddProp("wirebom:cpu:id", cleanString(p.ID))
		c.AddProp("wirebom:cpu:partNumber", cleanSerial(p.PartNumber))
		addInt(c, "wirebom:cpu:cores", p.CoreCount)
		addInt(c, "wirebom:cpu:threads", p.ThreadCount)
		addInt(c, "wirebom:cpu:maxSpeedMHz", p.MaxSpeedMHz)
		decorate(c)
		n++
	}
	if n == 0 && (cpu.ModelName != "" || cpu.Threads > 0) {
		c := b.add(&b.d.Hardware, &Component{Ref: "hw:cpu:0", Class: ClassDevice, Kind: KindCPU,
			Name: cpu.ModelName, Vendor: cpu.Vendor, Source: cpu.Source})
		addInt(c, "wirebom:cpu:sockets", cpu.Sockets)
		addInt(c, "wirebom:cpu:cores", cpu.Cores)
		addInt(c, "wirebom:cpu:threads", cpu.Threads)
		decorate(c)
	}
}

func addInt(c *Component, name string, v int) {
	if v > 0 {
		c.AddProp(name, strconv.Itoa(v))
	}
}

// propName makes s usable as the last part of a property name (letters,
// digits, '-', '_').
func propName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

func (b *builder) memory() {
	for i, md := range b.inv.SMBIOS.MemoryDevices {
		if !md.Present {
			continue
		}
		name := cleanSerial(md.PartNumber)
		if name == "" {
			name = strings.TrimSpace(md.Type + " " + md.FormFactor)
		}
		if name == "" {
			name = "memory module"
		}
		loc := cleanString(md.Locator)
		ref := "hw:mem:" + strconv.Itoa(i)
		if loc != "" {
			ref = "hw:mem:" + loc
		}
		c := b.add(&b.d.Hardware, &Component{Ref: ref, Class: ClassDevice, Kind: KindMemory, Name: name,
			Vendor: md.Manufacturer, Serial: md.SerialNumber, Source: "smbios"})
		c.AddProp("cdx:device:location", strings.TrimSpace(loc+" "+cleanString(md.BankLocator)))
		if md.SizeBytes > 0 {
			c.AddProp("wirebom:memory:sizeBytes", strconv.FormatUint(md.SizeBytes, 10))
		}
		c.AddProp("wirebom:memory:type", cleanString(md.Type))
		c.AddProp("wirebom:memory:formFactor", cleanString(md.FormFactor))
		addInt(c, "wirebom:memory:speedMTs", md.SpeedMTs)
		addInt(c, "wirebom:memory:configuredSpeedMTs", md.ConfiguredSpeedMTs)
		c.AddProp("wirebom:assetTag", cleanSerial(md.AssetTag))
		b.d.Machine.DependsOn = append(b.d.Machine.DependsOn, c.Ref)
	}
}

func (b *builder) disks() {
	for _, bd := range b.inv.Block.Devices {
		if bd.Virtual {
			continue
		}
		name := cleanString(bd.Name)
		model := bd.Model
		if strings.TrimSpace(model) == "" {
			model = name
		}
		c := b.add(&b.d.Hardware, &Component{Ref: "hw:disk:" + name, Class: ClassDevice, Kind: KindDisk,
			Name: model, Vendor: bd.Vendor, Serial: bd.Serial, Description: "/dev/" + name, Source: b.inv.Block.Source})
		c.AddProp("wirebom:disk:device", name)
		if bd.SizeBytes > 0 {
			c.AddProp("wirebom:disk:sizeBytes", strconv.FormatUint(bd.SizeBytes, 10))
		}
		c.AddProp("wirebom:disk:transport", cleanString(bd.Transport))
		c.AddProp("wirebom:disk:wwn", cleanString(bd.WWN))
		if bd.Rotational != nil {
			c.AddProp("wirebom:disk:rotational", strconv.FormatBool(*bd.Rotational))
		}
		if bd.Removable != nil {
			c.AddProp("wirebom:disk:removable", strconv.FormatBool(*bd.Removable))
		}
		if fw := cleanString(bd.FirmwareRevision); fw != "" {
			f := b.add(&b.d.Firmware, &Component{Ref: "fw:disk:" + name, Class: ClassFirmware, Kind: KindDiskFW,
				Name: model + " firmware", Version: fw, Vendor: bd.Vendor, Source: b.inv.Block.Source})
			c.DependsOn = append(c.DependsOn, f.Ref)
		}
		b.d.Machine.DependsOn = append(b.d.Machine.DependsOn, c.Ref)
	}
}

func (b *builder) nics() {
	pciName := map[string]sysinv.PCIDevice{}
	for _, p := range b.inv.PCI.Devices {
		pciName[p.Address] = p
	}
	for _, n := range b.inv.NICs.Interfaces {
		if n.Virtual {
			continue
		}
		name := cleanString(n.Name)
		c := b.add(&b.d.Hardware, &Component{Ref: "hw:nic:" + name, Class: ClassDevice, Kind: KindNIC,
			Name: name, MAC: strings.ToLower(cleanString(n.MAC)), Source: b.inv.NICs.Source})
		if p, ok := pciName[n.BusInfo]; ok {
			c.Vendor = cleanString(p.VendorName)
			c.Description = cleanString(p.DeviceName)
		}
		if c.Description == "" {
			c.Description = cleanString(n.Description) // the OS's name for the adapter (Windows)
		}
		c.AddProp("wirebom:nic:busInfo", cleanString(n.BusInfo))
		c.AddProp("wirebom:nic:driver", cleanString(n.Driver))
		c.AddProp("wirebom:nic:driverVersion", cleanString(n.DriverVersion))
		addInt(c, "wirebom:nic:speedMbps", n.SpeedMbps)
		addInt(c, "wirebom:nic:mtu", n.MTU)
		c.AddProp("wirebom:nic:operState", cleanString(n.OperState))
		if fw := cleanString(n.FirmwareVersion); fw != "" {
			f := b.add(&b.d.Firmware, &Component{Ref: "fw:nic:" + name, Class: ClassFirmware, Kind: KindNICFirmware,
				Name: name + " firmware", Version: fw, Vendor: c.Vendor, Source: "ethtool"})
			c.DependsOn = append(c.DependsOn, f.Ref)
		}
		if r := b.driverRef(n.Driver); r != "" {
			c.DependsOn = append(c.DependsOn, r)
		}
		if n.BusInfo != "" {
			if _, ok := pciName[n.BusInfo]; ok {
				c.DependsOn = append(c.DependsOn, "hw:pci:"+cleanString(n.BusInfo))
			}
		}
		b.d.Machine.DependsOn = append(b.d.Machine.DependsOn, c.Ref)
	}
}

func (b *builder) pci() {
	for _, p := range b.inv.PCI.Devices {
		addr := cleanString(p.Address)
		name := p.DeviceName
		if strings.TrimSpace(name) == "" {
			name = "PCI device " + p.VendorID + ":" + p.DeviceID
		}
		vendor := p.VendorName
		if strings.TrimSpace(vendor) == "" {
			vendor = p.VendorID
		}
		c := b.add(&b.d.Hardware, &Component{Ref: "hw:pci:" + addr, Class: ClassDevice, Kind: KindPCI,
			Name: name, Vendor: vendor, Description: p.ClassName, Source: b.inv.PCI.Source})
		c.AddProp("cdx:device:location", addr)
		c.AddProp("wirebom:pci:id", cleanString(p.VendorID+":"+p.DeviceID))
		if p.SubsystemVendorID != "" {
			c.AddProp("wirebom:pci:subsystemId", cleanString(p.SubsystemVendorID+":"+p.SubsystemDeviceID))
		}
		c.AddProp("wirebom:pci:subsystem", cleanString(p.SubsystemName))
		c.AddProp("wirebom:pci:class", cleanString(p.Class))
		c.AddProp("wirebom:pci:revision", cleanString(p.Revision))
		c.AddProp("wirebom:pci:driver", cleanString(p.Driver))
		if r := b.driverRef(p.Driver); r != "" {
			c.DependsOn = append(c.DependsOn, r)
		}
		b.d.Machine.DependsOn = append(b.d.Machine.DependsOn, c.Ref)
	}
}

func (b *builder) usb() {
	for _, u := range b.inv.USB.Devices {
		name := firstNonEmpty(u.Product, u.ProductName, "USB device "+u.VendorID+":"+u.ProductID)
		c := b.add(&b.d.Hardware, &Component{Ref: "hw:usb:" + cleanString(u.Path), Class: ClassDevice, Kind: KindUSB,
			Name: name, Vendor: firstNonEmpty(u.Manufacturer, u.VendorName, u.VendorID),
			Version: u.DeviceVersion, Serial: u.Serial, Source: b.inv.USB.Source})
		c.AddProp("cdx:device:location", cleanString(u.Path))
		c.AddProp("wirebom:usb:id", cleanString(u.VendorID+":"+u.ProductID))
		c.AddProp("wirebom:usb:class", cleanString(u.Class))
		c.AddProp("wirebom:usb:usbVersion", cleanString(u.USBVersion))
		c.AddProp("wirebom:usb:speedMbps", cleanString(u.SpeedMbps))
		b.d.Machine.DependsOn = append(b.d.Machine.DependsOn, c.Ref)
	}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

func (b *builder) tpm() {
	tp := b.inv.Firmware.TPM
	for _, t := range tp.Devices {
		name := cleanString(t.Name)
		c := b.add(&b.d.Hardware, &Component{Ref: "hw:tpm:" + name, Class: ClassDevice, Kind: KindTPM,
			Name: firstNonEmpty(t.Description, "TPM "+name), Vendor: t.Manufacturer, Source: tp.Source})
		addInt(c, "wirebom:tpm:versionMajor", t.VersionMajor)
		keys := make([]string, 0, len(t.Caps))
		for k := range t.Caps {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			c.AddProp("wirebom:tpm:cap:"+propName(k), cleanString(t.Caps[k]))
		}
		if fw := cleanString(t.FirmwareVersion); fw != "" {
			f := b.add(&b.d.Firmware, &Component{Ref: "fw:tpm:" + name, Class: ClassFirmware, Kind: KindTPMFirmware,
				Name: "TPM firmware", Version: fw, Vendor: t.Manufacturer, Source: tp.Source})
			c.DependsOn = append(c.DependsOn, f.Ref)
		}
		b.d.Machine.DependsOn = append(b.d.Machine.DependsOn, c.Ref)
	}
	for i, t := range b.inv.SMBIOS.TPMs {
		if len(tp.Devices) > 0 {
			// The kernel's view already lists the chip; keep the table's
			// firmware version as a property of the first one.
			if fw := cleanString(t.FirmwareVersion); fw != "" && b.d.Find("fw:tpm:"+tp.Devices[0].Name) == nil {
				f := b.add(&b.d.Firmware, &Component{Ref: "fw:tpm:" + cleanString(tp.Devices[0].Name), Class: ClassFirmware,
					Kind: KindTPMFirmware, Name: "TPM firmware", Version: fw, Vendor: t.VendorID, Source: "smbios"})
				if hw := b.d.Find("hw:tpm:" + cleanString(tp.Devices[0].Name)); hw != nil {
					hw.DependsOn = append(hw.DependsOn, f.Ref)
				}
			}
			continue
		}
		ref := fmt.Sprintf("hw:tpm:smbios%d", i)
		c := b.add(&b.d.Hardware, &Component{Ref: ref, Class: ClassDevice, Kind: KindTPM,
			Name: firstNonEmpty(t.Description, "TPM"), Vendor: t.VendorID, Source: "smbios"})
		c.AddProp("wirebom:tpm:specVersion", cleanString(t.SpecVersion))
		if fw := cleanString(t.FirmwareVersion); fw != "" {
			f := b.add(&b.d.Firmware, &Component{Ref: fmt.Sprintf("fw:tpm:smbios%d", i), Class: ClassFirmware,
				Kind: KindTPMFirmware, Name: "TPM firmware", Version: fw, Vendor: t.VendorID, Source: "smbios"})
			c.DependsOn = append(c.DependsOn, f.Ref)
		}
		b.d.Machine.DependsOn = append(b.d.Machine.DependsOn, c.Ref)
	}
}

func (b *builder) firmware() {
	inv := b.inv
	m := b.d.Machine
	if bi := inv.SMBIOS.BIOS; bi != nil {
		name := "BIOS"
		if inv.Firmware.Boot.Mode == sysinv.BootUEFI {
			name = "UEFI firmware"
		}
		c := b.add(&b.d.Firmware, &Component{Ref: "fw:bios", Class: ClassFirmware, Kind: KindBIOS,
			Name: name, Version: bi.Version, Vendor: bi.Vendor, Date: cleanString(bi.ReleaseDate), Source: "smbios"})
		c.AddProp("wirebom:bios:release", cleanString(bi.BIOSRelease))
		if bi.ROMSizeBytes > 0 {
			c.AddProp("wirebom:bios:romSizeBytes", strconv.FormatUint(bi.ROMSizeBytes, 10))
		}
		m.DependsOn = append(m.DependsOn, c.Ref)
		if ec := cleanString(bi.ECRelease); ec != "" {
			e := b.add(&b.d.Firmware, &Component{Ref: "fw:ec", Class: ClassFirmware, Kind: KindBIOS,
				Name: "Embedded controller firmware", Version: ec, Vendor: bi.Vendor, Source: "smbios"})
			m.DependsOn = append(m.DependsOn, e.Ref)
		}
	}
	for _, e := range inv.Firmware.ESRT.Entries {
		guid := strings.ToLower(cleanString(e.FwClass))
		name := "firmware " + guid
		switch e.FwType {
		case 1:
			name = "System firmware (ESRT)"
		case 2:
			name = "Device firmware " + guid
		case 3:
			name = "UEFI driver " + guid
		}
		c := b.add(&b.d.Firmware, &Component{Ref: "fw:esrt:" + guid, Class: ClassFirmware, Kind: KindESRT,
			Name: name, Version: strconv.FormatUint(uint64(e.FwVersion), 10), Source: inv.Firmware.ESRT.Source})
		c.AddProp("wirebom:esrt:fwClass", guid)
		c.AddProp("wirebom:esrt:fwType", cleanString(e.FwTypeName))
		c.AddProp("wirebom:esrt:fwVersionHex", fmt.Sprintf("0x%08x", e.FwVersion))
		c.AddProp("wirebom:esrt:lowestSupportedFwVersion", strconv.FormatUint(uint64(e.LowestSupportedFwVersion), 10))
		c.AddProp("wirebom:esrt:lastAttemptVersion", strconv.FormatUint(uint64(e.LastAttemptVersion), 10))
		c.AddProp("wirebom:esrt:lastAttemptStatus", cleanString(e.LastAttemptStatusName))
		c.AddProp("wirebom:esrt:capsuleFlags", fmt.Sprintf("0x%08x", e.CapsuleFlags))
		m.DependsOn = append(m.DependsOn, c.Ref)
	}
}

func (b *builder) os() {
	inv := b.inv
	r := inv.OS.Release
	k := inv.OS.Kernel
	if r.Status == sysinv.StatusUnknown && r.ID == "" && r.Name == "" && k.Release == "" {
		// Nothing known; the gap says so.
	} else {
		name := firstNonEmpty(r.ID, r.Name, "linux")
		c := &Component{Ref: "os", Class: ClassOS, Kind: KindOS, Name: name,
			Version: firstNonEmpty(r.VersionID, r.Version, r.BuildID), Description: r.PrettyName, Source: r.Source}
		if strings.HasPrefix(r.CPEName, "cpe:") {
			c.CPE = cleanString(r.CPEName)
		}
		c.AddProp("wirebom:os:name", cleanString(r.Name))
		c.AddProp("wirebom:os:codename", cleanString(r.VersionCodename))
		c.AddProp("wirebom:os:idLike", cleanString(strings.Join(r.IDLike, " ")))
		c.AddProp("wirebom:os:buildId", cleanString(r.BuildID))
		c.AddProp("wirebom:kernel:release", cleanString(k.Release))
		c.AddProp("wirebom:kernel:version", cleanString(k.Version))
		for _, rel := range k.Installed {
			c.AddProp("wirebom:kernel:installed", cleanString(rel))
		}
		if w := inv.OS.Windows; w != nil {
			c.AddProp("wirebom:windows:productName", cleanString(w.ProductName))
			c.AddProp("wirebom:windows:editionId", cleanString(w.EditionID))
			c.AddProp("wirebom:windows:displayVersion", cleanString(w.DisplayVersion))
			c.AddProp("wirebom:windows:currentBuild", cleanString(w.CurrentBuild))
			if w.UBR > 0 {
				c.AddProp("wirebom:windows:ubr", strconv.FormatUint(w.UBR, 10))
			}
			c.AddProp("wirebom:windows:servicePack", cleanString(w.ServicePack))
			c.AddProp("wirebom:windows:installationType", cleanString(w.InstallationType))
			if w.InstallDate != nil {
				c.AddProp("wirebom:windows:installDate", w.InstallDate.UTC().Format("2006-01-02T15:04:05Z"))
			}
		}
		c.Name = cleanString(c.Name)
		c.Version = cleanString(c.Version)
		c.Description = cleanString(c.Description)
		b.d.OS = c
		b.d.Machine.DependsOn = append(b.d.Machine.DependsOn, c.Ref)
	}
	for _, db := range []*sysinv.PackageDB{&inv.Software.DPKG, &inv.Software.RPM, &inv.Software.APK} {
		for i := range db.Packages {
			b.pkg(&db.Packages[i], db.Source)
		}
	}
	b.hotfixes()
	for i := range inv.Software.Programs.Programs {
		b.program(&inv.Software.Programs.Programs[i], inv.Software.Programs.Source)
	}
}

// hotfixes lists installed Windows updates as repeated wirebom:windows:hotfix
// properties of the operating system they patch (the machine when the OS is
// unknown). They are not components: a KB number names a change to
// Windows, not a separately versioned part, and the OS version's update
// revision (UBR) already identifies the cumulative update level that
// vulnerability databases match against.
func (b *builder) hotfixes() {
	target := b.d.OS
	if target == nil {
		target = b.d.Machine
	}
	for _, h := range b.inv.Software.Hotfixes.Hotfixes {
		target.AddProp("wirebom:windows:hotfix", cleanString(h.ID))
	}
}

// program maps one Windows program. Windows programs have no package URL
// type and no CPE Windows states, so they are identified by name, version
// and publisher (as osquery's programs table and Windows itself do), with
// the MSI product code or Uninstall key as a property.
func (b *builder) program(p *sysinv.Program, source string) {
	scope := cleanString(p.Scope)
	key := cleanString(p.Key)
	c := b.add(&b.d.Packages, &Component{Ref: "win:program:" + scope + ":" + key, Class: ClassApplication, Kind: KindProgram,
		Name: p.Name, Version: p.Version, Publisher: p.Publisher, Source: source})
	kind := "windows-program"
	if p.MSI {
		kind = "windows-msi"
		c.AddProp("wirebom:program:msiProductCode", key)
	} else {
		c.AddProp("wirebom:program:uninstallKey", key)
	}
	c.AddProp("wirebom:package:type", kind)
	c.AddProp("wirebom:program:scope", scope)
	c.AddProp("wirebom:program:installDate", cleanString(p.InstallDate))
	c.AddProp("wirebom:program:installLocation", cleanString(p.InstallLocation))
	if b.d.OS != nil {
		b.d.OS.DependsOn = append(b.d.OS.DependsOn, c.Ref)
	} else {
		b.d.Machine.DependsOn = append(b.d.Machine.DependsOn, c.Ref)
	}
}

// winDrivers maps Windows driver services, versioned by their image file.
func (b *builder) winDrivers() {
	src := b.inv.OS.Drivers.Source
	for _, dr := range b.inv.OS.Drivers.Drivers {
		name := strings.ReplaceAll(cleanString(dr.Name), "-", "_")
		if name == "" {
			continue
		}
		b.drivers[name] = true // PCI and USB devices name their driver service
		c := b.add(&b.d.Drivers, &Component{Ref: "drv:" + name, Class: ClassDriver, Kind: KindDriver,
			Name: name, Version: dr.Version, Description: dr.DisplayName, Source: src})
		c.AddProp("wirebom:driver:kind", cleanString(dr.Kind))
		c.AddProp("wirebom:driver:start", cleanString(dr.Start))
		c.AddProp("wirebom:driver:imagePath", cleanString(dr.ImagePath))
		c.AddProp("wirebom:driver:path", cleanString(dr.Path))
	}
}

func (b *builder) pkg(p *sysinv.Package, source string) {
	class := ClassApplication
	if strings.HasPrefix(p.Name, "lib") {
		class = ClassLibrary
	}
	ref := cleanString(p.PURL)
	if ref == "" {
		ref = "pkg:" + p.Type + "/" + p.Name + "@" + p.Version
	}
	desc := p.Description
	if i := strings.IndexByte(desc, '\n'); i >= 0 {
		desc = desc[:i]
	}
	c := b.add(&b.d.Packages, &Component{Ref: ref, Class: class, Kind: KindPackage, Name: p.Name,
		Version: p.Version, Vendor: p.Vendor, Publisher: p.Maintainer, Description: desc,
		PURL: cleanString(p.PURL), CPE: cleanString(p.CPE), License: cleanString(p.License), Source: source})
	c.AddProp("wirebom:package:type", cleanString(p.Type))
	c.AddProp("wirebom:package:arch", cleanString(p.Arch))
	c.AddProp("wirebom:package:source", cleanString(p.SourceName))
	c.AddProp("wirebom:package:sourceVersion", cleanString(p.SourceVersion))
	if p.InstalledSizeBytes > 0 {
		c.AddProp("wirebom:package:installedSizeBytes", strconv.FormatUint(p.InstalledSizeBytes, 10))
	}
	if b.d.OS != nil {
		b.d.OS.DependsOn = append(b.d.OS.DependsOn, c.Ref)
	} else {
		b.d.Machine.DependsOn = append(b.d.Machine.DependsOn, c.Ref)
	}
}

// gaps turns every fact group that was not fully collected into a Gap.
func (b *builder) gaps() {
	inv := b.inv
	type group struct {
		area     string
		f        *sysinv.Facts
		hardware bool
		// absentIsGap: a missing source still leaves the hardware unseen.
		absentIsGap bool
		// optional: a group inventories from older versions lack (no
		// status at all) is not a gap.
		optional bool
	}
	groups := []group{
		{"smbios", &inv.SMBIOS.Facts, true, true, false},
		{"cpu", &inv.CPU.Facts, true, true, false},
		{"memory", &inv.Memory.Facts, true, true, false},
		{"disks", &inv.Block.Facts, true, true, false},
		{"nics", &inv.NICs.Facts, true, true, false},
		{"pci", &inv.PCI.Facts, true, true, false},
		{"usb", &inv.USB.Facts, true, false, false},
		{"boot-mode", &inv.Firmware.Boot.Facts, true, false, false},
		{"secure-boot", &inv.Firmware.SecureBoot.Facts, true, false, false},
		{"esrt", &inv.Firmware.ESRT.Facts, true, false, false},
		{"tpm", &inv.Firmware.TPM.Facts, true, false, false},
		{"os-release", &inv.OS.Release.Facts, false, true, false},
		{"kernel", &inv.OS.Kernel.Facts, false, false, false},
		{"host", &inv.OS.Host.Facts, false, false, false},
		{"kernel-modules", &inv.OS.Modules.Facts, false, false, false},
		{"packages:dpkg", &inv.Software.DPKG.Facts, false, false, false},
		{"packages:rpm", &inv.Software.RPM.Facts, false, false, false},
		{"packages:apk", &inv.Software.APK.Facts, false, false, false},
		{"packages:windows", &inv.Software.Programs.Facts, false, false, true},
		{"hotfixes", &inv.Software.Hotfixes.Facts, false, false, true},
		{"drivers", &inv.OS.Drivers.Facts, false, false, true},
	}
	for _, g := range groups {
		if g.optional && g.f.Status == "" {
			continue
		}
		var agg Aggregate
		switch g.f.Status {
		case sysinv.StatusComplete:
			continue
		case sysinv.StatusPartial:
			agg = AggregateIncomplete
		case sysinv.StatusAbsent:
			if !g.absentIsGap {
				continue
			}
			agg = AggregateUnknown
		default: // unknown, or a status this version does not know
			agg = AggregateUnknown
		}
		reason := cleanString(g.f.Reason)
		if len(g.f.Unknown) > 0 {
			var parts []string
			for i, u := range g.f.Unknown {
				if i == 4 {
					parts = append(parts, fmt.Sprintf("and %d more", len(g.f.Unknown)-4))
					break
				}
				parts = append(parts, cleanString(u.Field)+" ("+cleanString(u.Reason)+")")
			}
			reason = strings.TrimPrefix(reason+"; unknown: "+strings.Join(parts, ", "), "; ")
		}
		if reason == "" {
			reason = "status " + string(g.f.Status)
		}
		b.d.Gaps = append(b.d.Gaps, Gap{Area: g.area, Aggregate: agg, Reason: reason, Hardware: g.hardware})
	}
}
