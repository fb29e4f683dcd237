package sysinv

import (
	"fmt"
	"strconv"
	"strings"
)

const (
	dmiTablesDir = "/sys/firmware/dmi/tables"
	dmiIDDir     = "/sys/class/dmi/id"
)

// smbiosLive reads the kernel's copy of the SMBIOS entry point and table
// from /sys/firmware/dmi/tables (root only), falling back to the subset
// /sys/class/dmi/id lets everyone read.
func (c *collector) smbiosLive() SMBIOS {
	var s SMBIOS
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
		if n, err := strconv.ParseUint(t, 10, 8); err == nil {
			ch.Type = ChassisTypeName(uint8(n))
		}
	}
	s.Chassis = []Chassis{ch}
}
