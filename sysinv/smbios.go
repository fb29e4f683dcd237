//go:build linux

package sysinv

import (
	"errors"
	"fmt"
	"strings"

	"github.com/u-root/u-root/pkg/smbios"
)

const (
	dmiTablesDir = "/sys/firmware/dmi/tables"
	dmiIDDir     = "/sys/class/dmi/id"
	// maxSMBIOSTable caps a DMI table (SMBIOS 3 allows up to 4 GiB; real ones are < 64 KiB).
	maxSMBIOSTable = 16 << 20
)

// smbios collects the SMBIOS tables from Options.SMBIOSFile, the sysfs raw
// tables, or the /sys/class/dmi/id subset.
func (c *collector) smbios() SMBIOS {
	var s SMBIOS
	if c.opts.SMBIOSFile != "" {
		s.Source = c.opts.SMBIOSFile
		data, err := readHostFile(c.opts.SMBIOSFile, maxSMBIOSTable)
		if err != nil {
			s.fail("smbios", fmt.Sprintf("read %s: %s", c.opts.SMBIOSFile, why(err)))
			return s
		}
		entry, table, err := SplitDumpBin(data)
		if err != nil {
			s.fail("smbios", fmt.Sprintf("%s: %v", c.opts.SMBIOSFile, err))
			return s
		}
		decodeSMBIOS(&s, entry, table)
		s.done()
		return s
	}

	if !c.live {
		s.Status, s.Reason = StatusUnknown, "not a live system: the DMI table is firmware data; give a `dmidecode --dump-bin` file taken on the machine (Options.SMBIOSFile)"
		return s
	}
	entry, errE := c.fs.ReadFileLimit(dmiTablesDir+"/smbios_entry_point", 4096)
	var table []byte
	errT := errE
	if errE == nil {
		table, errT = c.fs.ReadFileLimit(dmiTablesDir+"/DMI", maxSMBIOSTable)
	}
	if errT == nil {
		s.Source = dmiTablesDir
		decodeSMBIOS(&s, entry, table)
		s.done()
		return s
	}
	if !c.fs.Exists(dmiIDDir) {
		c.dmiID(&s, errT)
		return s
	}
	switch {
	case isPerm(errT):
		s.warn("smbios", "run as root to read the DMI table (%s): serial numbers, UUID, memory devices, processors, TPM and OEM strings need it; using %s", dmiTablesDir, dmiIDDir)
	case isNotExist(errT):
		s.warn("smbios", "no raw DMI table at %s (%s); using %s", dmiTablesDir, why(errT), dmiIDDir)
	default:
		s.warn("smbios", "raw DMI table unreadable: %s; using %s", why(errT), dmiIDDir)
	}
	c.dmiID(&s, errT)
	return s
}

// ErrNoEntryPoint is returned by SplitDumpBin when the data does not start
// with an SMBIOS entry point ("_SM_" or "_SM3_").
var ErrNoEntryPoint = errors.New("no SMBIOS entry point")

// SplitDumpBin splits a `dmidecode --dump-bin` file into its entry point and
// structure table. dmidecode writes the entry point at offset 0 and the table
// at the address the rewritten entry point names (0x20).
func SplitDumpBin(data []byte) (entry, table []byte, err error) {
	var addr, size uint64
	switch {
	case len(data) >= 0x18 && string(data[:5]) == "_SM3_":
		e := data[:0x18]
		var e64 smbios.Entry64
		if err := e64.UnmarshalBinary(e); err != nil {
			return nil, nil, fmt.Errorf("smbios 3 entry point: %w", err)
		}
		entry, addr, size = e, e64.StructTableAddr, uint64(e64.StructMaxSize)
	case len(data) >= 0x1f && string(data[:4]) == "_SM_":
		e := data[:0x1f]
		var e32 smbios.Entry32
		if err := e32.UnmarshalBinary(e); err != nil {
			return nil, nil, fmt.Errorf("smbios 2 entry point: %w", err)
		}
		entry, addr, size = e, uint64(e32.StructTableAddr), uint64(e32.StructTableLength)
	default:
		return nil, nil, ErrNoEntryPoint
	}
	if addr >= uint64(len(data)) {
		return nil, nil, fmt.Errorf("table address 0x%x beyond the %d-byte file", addr, len(data))
	}
	end := addr + size
	if end > uint64(len(data)) || size == 0 {
		end = uint64(len(data))
	}
	return entry, data[addr:end], nil
}

// decodeSMBIOS fills s from a raw entry point and table. It never panics: a
// panic in the parser becomes a warning and whatever was decoded is kept.
func decodeSMBIOS(s *SMBIOS, entry, table []byte) {
	defer func() {
		if r := recover(); r != nil {
			s.warn("smbios", "SMBIOS parser failed: %v", r)
			if s.Status == "" {
				s.Status = StatusPartial
				s.Reason = "SMBIOS table could not be fully decoded"
			}
		}
	}()
	e32, e64, err := smbios.ParseEntry(entry)
	if err != nil {
		s.fail("smbios", fmt.Sprintf("SMBIOS entry point invalid: %v", err))
		return
	}
	info := &smbios.Info{Entry32: e32, Entry64: e64}
	s.Version = fmt.Sprintf("%d.%d.%d", info.MajorVersion(), info.MinorVersion(), info.DocRev())
	if e64 == nil {
		s.Version = fmt.Sprintf("%d.%d", info.MajorVersion(), info.MinorVersion())
	}
	// Parse table by table so one bad structure loses only what follows it.
	data := table
	for len(data) > 0 {
		t, rest, err := smbios.ParseTable(data)
		if t != nil {
			info.Tables = append(info.Tables, t)
		}
		if err != nil {
			if t != nil && t.Type == smbios.TableTypeEndOfTable {
				break
			}
			s.warn("smbios", "structure table damaged after %d structures: %v", len(info.Tables), err)
			s.Status = StatusPartial
			s.Reason = "SMBIOS structure table damaged"
			break
		}
		data = rest
	}
	if len(info.Tables) == 0 {
		s.fail("smbios", "SMBIOS structure table is empty")
		return
	}

	if bi, err := info.GetBIOSInfo(); err == nil {
		b := &BIOSInfo{
			Vendor:      spec(bi.Vendor),
			Version:     spec(bi.Version),
			ReleaseDate: spec(bi.ReleaseDate),
		}
		if bi.Len() >= 0x18 {
			if bi.SystemBIOSMajorRelease != 0xff {
				b.BIOSRelease = fmt.Sprintf("%d.%d", bi.SystemBIOSMajorRelease, bi.SystemBIOSMinorRelease)
			}
			if bi.EmbeddedControllerFirmwareMajorRelease != 0xff {
				b.ECRelease = fmt.Sprintf("%d.%d", bi.EmbeddedControllerFirmwareMajorRelease, bi.EmbeddedControllerFirmwareMinorRelease)
			}
		}
		b.ROMSizeBytes = bi.GetROMSizeBytes()
		s.BIOS = b
	} else if !errors.Is(err, smbios.ErrTableNotFound) {
		s.warn("smbios", "type 0 (BIOS): %v", err)
	}
	if si, err := info.GetSystemInfo(); err == nil {
		s.System = &SystemInfo{
			Manufacturer: spec(si.Manufacturer),
			ProductName:  spec(si.ProductName),
			Version:      spec(si.Version),
			SerialNumber: spec(si.SerialNumber),
			SKUNumber:    spec(si.SKUNumber),
			Family:       spec(si.Family),
			WakeupType:   si.WakeupType.String(),
		}
		s.System.UUID = strings.ToLower(si.UUID.String())
		if s.System.UUID == "not settable" || s.System.UUID == "not present" {
			s.unknown("System.UUID", "firmware reports "+si.UUID.String())
			s.System.UUID = ""
		}
	} else if !errors.Is(err, smbios.ErrTableNotFound) {
		s.warn("smbios", "type 1 (system): %v", err)
	}
	if bbs, err := info.GetBaseboardInfo(); err == nil {
		for _, bb := range bbs {
			s.Baseboards = append(s.Baseboards, Baseboard{
				Manufacturer: spec(bb.Manufacturer), Product: spec(bb.Product),
				Version: spec(bb.Version), SerialNumber: spec(bb.SerialNumber),
				AssetTag: spec(bb.AssetTag), LocationInChassis: spec(bb.LocationInChassis),
				BoardType: bb.BoardType.String(),
			})
		}
	} else {
		s.warn("smbios", "type 2 (baseboard): %v", err)
	}
	if chs, err := info.GetChassisInfo(); err == nil {
		for _, ch := range chs {
			s.Chassis = append(s.Chassis, Chassis{
				Manufacturer: spec(ch.Manufacturer), Type: ch.Type.String(),
				Version: spec(ch.Version), SerialNumber: spec(ch.SerialNumber),
				AssetTag: spec(ch.AssetTagNumber), SKUNumber: spec(ch.SKUNumber),
			})
		}
	} else {
		s.warn("smbios", "type 3 (chassis): %v", err)
	}
	if pis, err := info.GetProcessorInfo(); err == nil {
		for _, pi := range pis {
			id := make([]string, 8)
			for i := range 8 {
				id[i] = fmt.Sprintf("%02X", byte(pi.ID>>(8*i)))
			}
			s.Processors = append(s.Processors, Processor{
				SocketDesignation: spec(pi.SocketDesignation),
				Type:              pi.Type.String(),
				Family:            pi.GetFamily().String(),
				Manufacturer:      spec(pi.Manufacturer),
				ID:                strings.Join(id, " "),
				Version:           spec(pi.Version),
				MaxSpeedMHz:       int(pi.MaxSpeed),
				CurrentSpeedMHz:   int(pi.CurrentSpeed),
				CoreCount:         pi.GetCoreCount(),
				CoreEnabled:       pi.GetCoreEnabled(),
				ThreadCount:       pi.GetThreadCount(),
				SerialNumber:      spec(pi.SerialNumber),
				AssetTag:          spec(pi.AssetTag),
				PartNumber:        spec(pi.PartNumber),
				Populated:         pi.Status&0x40 != 0,
			})
		}
	} else {
		s.warn("smbios", "type 4 (processor): %v", err)
	}
	if mds, err := info.GetMemoryDevices(); err == nil {
		for _, md := range mds {
			d := MemoryDevice{
				Locator: spec(md.DeviceLocator), BankLocator: spec(md.BankLocator),
				Present:    md.Size != 0,
				SizeBytes:  md.GetSizeBytes(),
				FormFactor: md.FormFactor.String(),
				Type:       md.Type.String(),
				TypeDetail: md.TypeDetail.String(),
				SpeedMTs:   int(md.Speed), ConfiguredSpeedMTs: int(md.ConfiguredSpeed),
				Manufacturer: spec(md.Manufacturer), SerialNumber: spec(md.SerialNumber),
				AssetTag: spec(md.AssetTag), PartNumber: spec(md.PartNumber),
			}
			if !d.Present {
				// An empty slot's strings are placeholders ("Empty", "NO DIMM");
				// dmidecode does not print them either.
				d.Manufacturer, d.SerialNumber, d.AssetTag, d.PartNumber = "", "", "", ""
			}
			if md.Size == 0xffff {
				d.Present = true
				d.SizeBytes = 0
				s.unknown("MemoryDevices["+d.Locator+"].SizeBytes", "firmware reports size unknown")
			}
			s.MemoryDevices = append(s.MemoryDevices, d)
		}
	} else {
		s.warn("smbios", "type 17 (memory device): %v", err)
	}
	if tpms, err := info.GetTPMDevices(); err == nil {
		for _, tp := range tpms {
			s.TPMs = append(s.TPMs, SMBIOSTPM{
				VendorID:        strings.TrimSpace(tp.VendorID.String()),
				SpecVersion:     fmt.Sprintf("%d.%d", tp.MajorSpecVersion, tp.MinorSpecVersion),
				FirmwareVersion: tpmFirmwareVersion(tp.MajorSpecVersion, tp.FirmwareVersion1, tp.FirmwareVersion2),
				Description:     spec(tp.Description),
			})
		}
	} else {
		s.warn("smbios", "type 43 (TPM): %v", err)
	}
	for _, t := range info.GetTablesByType(smbios.TableType(11)) {
		n, err := t.GetByteAt(4)
		if err != nil {
			continue
		}
		for i := 1; i <= int(n); i++ {
			str, err := oemString(t, i)
			if str = strings.TrimSpace(str); err == nil && str != "" {
				s.OEMStrings = append(s.OEMStrings, str)
			}
		}
	}
}

// oemString returns string number i of a type-11 table.
func oemString(t *smbios.Table, i int) (string, error) {
	// GetStringAt wants an offset holding the index: make a table whose byte 0
	// is the index is not possible through the API, so walk the marshalled form.
	b, err := t.MarshalBinary()
	if err != nil {
		return "", err
	}
	if len(b) < t.Len() {
		return "", errors.New("short table")
	}
	strs := strings.Split(string(b[t.Len():]), "\x00")
	if i-1 < len(strs) && strs[i-1] != "" {
		return strs[i-1], nil
	}
	return "", fmt.Errorf("no string %d", i)
}

// tpmFirmwareVersion formats the type-43 firmware version as dmidecode does:
// for spec 1.x the two bytes of version 1 as major.minor, for 2.0 the two
// 16-bit halves of version 1.
func tpmFirmwareVersion(major uint8, v1, _ uint32) string {
	switch major {
	case 1:
		return fmt.Sprintf("%d.%d", byte(v1>>16), byte(v1>>24))
	case 2:
		return fmt.Sprintf("%d.%d", v1>>16, v1&0xffff)
	}
	return fmt.Sprintf("0x%08x", v1)
}

// spec maps u-root's "Not Specified" placeholder (string index 0) to "".
func spec(s string) string {
	if s == "Not Specified" {
		return ""
	}
	return strings.TrimSpace(s)
}

// dmiID fills the subset /sys/class/dmi/id exposes. Fields only root can read
// (serials, UUID) are recorded as unknown with the reason.
func (c *collector) dmiID(s *SMBIOS, rawErr error) {
	if !c.fs.Exists(dmiIDDir) {
		s.fail("smbios", fmt.Sprintf("no SMBIOS data: %s %s and %s not present (no DMI on this system, e.g. a VM without SMBIOS or a disk image)", dmiTablesDir, why(rawErr), dmiIDDir))
		return
	}
	s.Source = dmiIDDir
	s.Status = StatusPartial
	s.Reason = "only the /sys/class/dmi/id subset could be read (no memory devices, processors, TPM or OEM strings)"
	rd := func(field, file string) string {
		v, err := c.fs.ReadValue(dmiIDDir + "/" + file)
		if err != nil {
			reason := why(err)
			if isPerm(err) {
				reason = "DMI " + file + " needs root"
			}
			s.unknown(field, reason)
			return ""
		}
		return v
	}
	s.BIOS = &BIOSInfo{
		Vendor:      rd("BIOS.Vendor", "bios_vendor"),
		Version:     rd("BIOS.Version", "bios_version"),
		ReleaseDate: rd("BIOS.ReleaseDate", "bios_date"),
	}
	if v, err := c.fs.ReadValue(dmiIDDir + "/bios_release"); err == nil {
		s.BIOS.BIOSRelease = v
	}
	if v, err := c.fs.ReadValue(dmiIDDir + "/ec_firmware_release"); err == nil {
		s.BIOS.ECRelease = v
	}
	s.System = &SystemInfo{
		Manufacturer: rd("System.Manufacturer", "sys_vendor"),
		ProductName:  rd("System.ProductName", "product_name"),
		Version:      rd("System.Version", "product_version"),
		SerialNumber: rd("System.SerialNumber", "product_serial"),
		UUID:         strings.ToLower(rd("System.UUID", "product_uuid")),
		SKUNumber:    rd("System.SKUNumber", "product_sku"),
		Family:       rd("System.Family", "product_family"),
	}
	s.Baseboards = []Baseboard{{
		Manufacturer: rd("Baseboards[0].Manufacturer", "board_vendor"),
		Product:      rd("Baseboards[0].Product", "board_name"),
		Version:      rd("Baseboards[0].Version", "board_version"),
		SerialNumber: rd("Baseboards[0].SerialNumber", "board_serial"),
		AssetTag:     rd("Baseboards[0].AssetTag", "board_asset_tag"),
	}}
	ch := Chassis{
		Manufacturer: rd("Chassis[0].Manufacturer", "chassis_vendor"),
		Version:      rd("Chassis[0].Version", "chassis_version"),
		SerialNumber: rd("Chassis[0].SerialNumber", "chassis_serial"),
		AssetTag:     rd("Chassis[0].AssetTag", "chassis_asset_tag"),
	}
	if t := rd("Chassis[0].Type", "chassis_type"); t != "" {
		var n uint8
		if _, err := fmt.Sscanf(t, "%d", &n); err == nil {
			ch.Type = smbios.ChassisType(n).String()
		}
	}
	s.Chassis = []Chassis{ch}
}
