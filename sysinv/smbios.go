package sysinv

import (
	"errors"
	"fmt"
	"strings"
)

// maxSMBIOSTable caps a DMI table (SMBIOS 3 allows up to 4 GiB; real ones are < 64 KiB).
const maxSMBIOSTable = 16 << 20

// smbios collects the SMBIOS tables from Options.SMBIOSFile or, on a live
// system, from what the operating system exposes (smbiosLive, one per GOOS).
func (c *collector) smbios() SMBIOS {
	var s SMBIOS
	if c.opts.SMBIOSFile != "" {
		s.Source = c.opts.SMBIOSFile
		data, err := readHostFile(c.opts.SMBIOSFile, maxSMBIOSTable)
		if err != nil {
			s.fail("smbios", fmt.Sprintf("read %s: %s", c.opts.SMBIOSFile, why(err)))
			return s
		}
		decodeDumpBin(&s, c.opts.SMBIOSFile, data)
		return s
	}
	if !c.live {
		s.Status, s.Reason = StatusUnknown, "not a live system: the DMI table is firmware data; give a `dmidecode --dump-bin` file taken on the machine (Options.SMBIOSFile)"
		return s
	}
	return c.smbiosLive()
}

// decodeDumpBin fills s from a `dmidecode --dump-bin` image named name.
func decodeDumpBin(s *SMBIOS, name string, data []byte) {
	entry, table, err := SplitDumpBin(data)
	if err != nil {
		s.fail("smbios", fmt.Sprintf("%s: %v", name, err))
		return
	}
	decodeSMBIOS(s, entry, table)
	s.done()
}

// DecodeSMBIOS decodes an SMBIOS entry point and structure table (as Linux
// exposes them in /sys/firmware/dmi/tables) into the facts Collect reports.
// Source is left for the caller to set.
func DecodeSMBIOS(entry, table []byte) SMBIOS {
	var s SMBIOS
	decodeSMBIOS(&s, entry, table)
	s.done()
	return s
}

// DecodeDumpBin decodes a `dmidecode --dump-bin` image (also what
// winfacts.RSMBToDumpBin makes of Windows' RSMB firmware table).
func DecodeDumpBin(data []byte) SMBIOS {
	var s SMBIOS
	decodeDumpBin(&s, "dump-bin", data)
	return s
}

// smbiosDecoder carries what the per-type decoders share.
type smbiosDecoder struct {
	s  *SMBIOS
	ep *EntryPoint
}

// decodeSMBIOS fills s from a raw entry point and table. Damage ends the
// walk with a warning; everything decoded before it is kept.
func decodeSMBIOS(s *SMBIOS, entry, table []byte) {
	ep, err := ParseEntryPoint(entry)
	if err != nil {
		s.fail("smbios", fmt.Sprintf("SMBIOS entry point invalid: %v", err))
		return
	}
	for _, p := range ep.Problems {
		s.warn("smbios", "%s", p)
	}
	s.Version = ep.Version()
	structs, err := ParseStructures(table)
	if err != nil {
		var se *StructureError
		if errors.As(err, &se) {
			s.warn("smbios", "structure table damaged after %d structures: %v", se.Index, se)
		} else {
			s.warn("smbios", "structure table damaged: %v", err)
		}
		s.Status = StatusPartial
		s.Reason = "SMBIOS structure table damaged"
	}
	if len(structs) == 0 {
		s.fail("smbios", "SMBIOS structure table is empty")
		return
	}
	d := smbiosDecoder{s: s, ep: ep}
	var seen0, seen1 bool
	for i := range structs {
		st := &structs[i]
		switch st.Type {
		case 0:
			if !seen0 && d.minLen(st, "BIOS", 0x12) {
				seen0 = true // there is one type 0 structure; a second is ignored
				d.bios(st)
			}
		case 1:
			if !seen1 && d.minLen(st, "system", 0x08) {
				seen1 = true
				d.system(st)
			}
		case 2:
			if d.minLen(st, "baseboard", 0x08) {
				d.baseboard(st)
			}
		case 3:
			if d.minLen(st, "chassis", 0x09) {
				d.chassis(st)
			}
		case 4:
			if d.minLen(st, "processor", 0x1a) {
				d.processor(st)
			}
		case 11:
			if d.minLen(st, "OEM strings", 0x05) {
				d.oemStrings(st)
			}
		case 17:
			if d.minLen(st, "memory device", 0x15) {
				d.memoryDevice(st)
			}
		case 43:
			if d.minLen(st, "TPM", 0x1f) {
				d.tpm(st)
			}
		}
	}
}

// minLen warns and reports false when st is shorter than the oldest
// specification version of its type allows.
func (d *smbiosDecoder) minLen(st *Structure, what string, n int) bool {
	if st.Len() >= n {
		return true
	}
	d.s.warn("smbios", "type %d (%s) handle 0x%04X: %d-byte structure, the specification needs at least %d; skipped", st.Type, what, st.Handle, st.Len(), n)
	return false
}

// str returns the string referenced at off, trimmed; "" for no string and
// for the placeholder "Not Specified" (dmidecode's word for string number
// 0, which some firmware also stores literally). A number beyond the string
// set leaves the field empty and records it as unknown under prefix+field
// (dmidecode prints "<BAD INDEX>").
func (d *smbiosDecoder) str(st *Structure, off int, prefix, field string) string {
	v, ok := st.StringAt(off)
	if !ok {
		d.s.unknown(prefix+field, fmt.Sprintf("type %d handle 0x%04X refers to string %d of %d (dmidecode: <BAD INDEX>)", st.Type, st.Handle, st.U8(off), len(st.Strings)))
		return ""
	}
	if v = strings.TrimSpace(v); v == "Not Specified" {
		return ""
	}
	return v
}

// name looks v up in one of the name tables, hexadecimal when unnamed.
func name(table []string, v int) string {
	if v >= 0 && v < len(table) && table[v] != "" {
		return table[v]
	}
	return fmt.Sprintf("%#x", v)
}

// bios decodes type 0 (DSP0134 7.1).
func (d *smbiosDecoder) bios(st *Structure) {
	b := &BIOSInfo{
		Vendor:      d.str(st, 0x04, "BIOS.", "Vendor"),
		Version:     d.str(st, 0x05, "BIOS.", "Version"),
		ReleaseDate: d.str(st, 0x08, "BIOS.", "ReleaseDate"),
	}
	// 2.4+: system BIOS and embedded controller releases, 0FFh when unsupported.
	if st.has(0x14, 2) && st.U8(0x14) != 0xff {
		b.BIOSRelease = fmt.Sprintf("%d.%d", st.U8(0x14), st.U8(0x15))
	}
	if st.has(0x16, 2) && st.U8(0x16) != 0xff {
		b.ECRelease = fmt.Sprintf("%d.%d", st.U8(0x16), st.U8(0x17))
	}
	// ROM size: (n+1) * 64 KiB; FFh means 16 MiB or more, given by the 3.1
	// Extended BIOS ROM Size (bits 13:0 the size, bits 15:14 the unit).
	switch rom := st.U8(0x09); {
	case rom != 0xff:
		b.ROMSizeBytes = (uint64(rom) + 1) << 16
	case !st.has(0x18, 2):
		// As dmidecode: an older table can only say "16 MiB or more".
		b.ROMSizeBytes = 16 << 20
	default:
		ext := st.U16(0x18)
		switch ext >> 14 {
		case 0:
			b.ROMSizeBytes = uint64(ext&0x3fff) << 20
		case 1:
			b.ROMSizeBytes = uint64(ext&0x3fff) << 30
		default:
			d.s.unknown("BIOS.ROMSizeBytes", fmt.Sprintf("extended BIOS ROM size 0x%04x uses a reserved unit", ext))
		}
	}
	d.s.BIOS = b
}

// system decodes type 1 (7.2).
func (d *smbiosDecoder) system(st *Structure) {
	si := &SystemInfo{
		Manufacturer: d.str(st, 0x04, "System.", "Manufacturer"),
		ProductName:  d.str(st, 0x05, "System.", "ProductName"),
		Version:      d.str(st, 0x06, "System.", "Version"),
		SerialNumber: d.str(st, 0x07, "System.", "SerialNumber"),
	}
	if st.has(0x08, 16) { // 2.1+
		u := st.Formatted[0x08:0x18]
		switch {
		case allBytes(u, 0x00):
			d.s.unknown("System.UUID", "firmware reports Not Settable")
		case allBytes(u, 0xff):
			d.s.unknown("System.UUID", "firmware reports Not Present")
		default:
			si.UUID = formatUUID(u, d.ep.atLeast(2, 6))
		}
	}
	if st.has(0x18, 1) {
		si.WakeupType = name(wakeupTypes[:], int(st.U8(0x18)))
	}
	if st.has(0x19, 1) { // 2.4+
		si.SKUNumber = d.str(st, 0x19, "System.", "SKUNumber")
	}
	if st.has(0x1a, 1) {
		si.Family = d.str(st, 0x1a, "System.", "Family")
	}
	d.s.System = si
}

func allBytes(b []byte, v byte) bool {
	for _, c := range b {
		if c != v {
			return false
		}
	}
	return true
}

// formatUUID prints the 16 UUID bytes. Since SMBIOS 2.6 the first three
// fields are little-endian (7.2.1); before, dmidecode and the kernel print
// the bytes in order, and so do we.
func formatUUID(u []byte, le bool) string {
	order := [16]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	if le {
		order = [16]int{3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15}
	}
	var b strings.Builder
	for i, j := range order {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b.WriteByte('-')
		}
		fmt.Fprintf(&b, "%02x", u[j])
	}
	return b.String()
}

// baseboard decodes type 2 (7.3).
func (d *smbiosDecoder) baseboard(st *Structure) {
	f := fmt.Sprintf("Baseboards[%d].", len(d.s.Baseboards))
	bb := Baseboard{
		Manufacturer: d.str(st, 0x04, f, "Manufacturer"),
		Product:      d.str(st, 0x05, f, "Product"),
		Version:      d.str(st, 0x06, f, "Version"),
		SerialNumber: d.str(st, 0x07, f, "SerialNumber"),
	}
	if st.has(0x08, 1) {
		bb.AssetTag = d.str(st, 0x08, f, "AssetTag")
	}
	if st.has(0x0a, 1) {
		bb.LocationInChassis = d.str(st, 0x0a, f, "LocationInChassis")
	}
	if st.has(0x0d, 1) {
		bb.BoardType = name(boardTypes[:], int(st.U8(0x0d)))
	}
	d.s.Baseboards = append(d.s.Baseboards, bb)
}

// chassis decodes type 3 (7.4).
func (d *smbiosDecoder) chassis(st *Structure) {
	f := fmt.Sprintf("Chassis[%d].", len(d.s.Chassis))
	ch := Chassis{
		Manufacturer: d.str(st, 0x04, f, "Manufacturer"),
		Type:         ChassisTypeName(st.U8(0x05)),
		Version:      d.str(st, 0x06, f, "Version"),
		SerialNumber: d.str(st, 0x07, f, "SerialNumber"),
		AssetTag:     d.str(st, 0x08, f, "AssetTag"),
	}
	// 2.7+: the SKU number follows the n contained element records of m bytes.
	if st.has(0x13, 2) {
		if off := 0x15 + int(st.U8(0x13))*int(st.U8(0x14)); st.has(off, 1) {
			ch.SKUNumber = d.str(st, off, f, "SKUNumber")
		}
	}
	d.s.Chassis = append(d.s.Chassis, ch)
}

// ChassisTypeName names an SMBIOS chassis type (bit 7, the lock bit, ignored),
// as dmidecode prints it.
func ChassisTypeName(code uint8) string {
	return name(chassisTypes[:], int(code&0x7f))
}

// processor decodes type 4 (7.5).
func (d *smbiosDecoder) processor(st *Structure) {
	f := fmt.Sprintf("Processors[%d].", len(d.s.Processors))
	p := Processor{
		SocketDesignation: d.str(st, 0x04, f, "SocketDesignation"),
		Type:              name(processorTypes[:], int(st.U8(0x05))),
		Manufacturer:      d.str(st, 0x07, f, "Manufacturer"),
		Version:           d.str(st, 0x10, f, "Version"),
		MaxSpeedMHz:       int(st.U16(0x14)),
		CurrentSpeedMHz:   int(st.U16(0x16)),
		Populated:         st.U8(0x18)&0x40 != 0,
	}
	id := make([]string, 8)
	for i := range id {
		id[i] = fmt.Sprintf("%02X", st.U8(0x08+i))
	}
	p.ID = strings.Join(id, " ")
	p.Family = d.processorFamily(st, p.Manufacturer)
	if st.has(0x20, 3) { // 2.3+
		p.SerialNumber = d.str(st, 0x20, f, "SerialNumber")
		p.AssetTag = d.str(st, 0x21, f, "AssetTag")
		p.PartNumber = d.str(st, 0x22, f, "PartNumber")
	}
	// 2.5+ counts; FFh means "see the 3.0 16-bit field".
	count := func(off8, off16 int) int {
		v := int(st.U8(off8))
		if v == 0xff && st.has(off16, 2) {
			return int(st.U16(off16))
		}
		return v
	}
	p.CoreCount = count(0x23, 0x2a)
	p.CoreEnabled = count(0x24, 0x2c)
	p.ThreadCount = count(0x25, 0x2e)
	d.s.Processors = append(d.s.Processors, p)
}

// processorFamily resolves the family: FEh in the byte field means the 2.6
// Processor Family 2 word, and BEh is shared by Intel Core 2 and AMD K7.
func (d *smbiosDecoder) processorFamily(st *Structure, manufacturer string) string {
	code := uint16(st.U8(0x06))
	if code == 0xfe && st.has(0x28, 2) {
		code = st.U16(0x28)
	}
	switch {
	case code == 0xbe && strings.Contains(manufacturer, "Intel"):
		return "Core 2"
	case code == 0xbe && strings.Contains(manufacturer, "AMD"):
		return "K7"
	case code == 0x30 && d.ep.Major == 2 && d.ep.Minor == 0 && strings.Contains(manufacturer, "Intel"):
		return "Pentium Pro" // 30h meant Pentium Pro in SMBIOS 2.0 only
	}
	if n, ok := processorFamilies[code]; ok {
		return n
	}
	return fmt.Sprintf("%#x", code)
}

// memoryDevice decodes type 17 (7.18).
func (d *smbiosDecoder) memoryDevice(st *Structure) {
	locator := d.str(st, 0x10, fmt.Sprintf("MemoryDevices[%d].", len(d.s.MemoryDevices)), "Locator")
	f := "MemoryDevices[" + locator + "]."
	md := MemoryDevice{
		Locator:     locator,
		BankLocator: d.str(st, 0x11, f, "BankLocator"),
		FormFactor:  name(memoryFormFactors[:], int(st.U8(0x0e))),
		Type:        name(memoryTypes[:], int(st.U8(0x12))),
		TypeDetail:  memoryTypeDetail(st.U16(0x13)),
	}
	size := st.U16(0x0c)
	md.Present = size != 0
	switch {
	case size == 0xffff:
		d.s.unknown(f+"SizeBytes", "firmware reports size unknown")
	case size == 0x7fff && st.has(0x1c, 4):
		// 2.7+: Extended Size in MiB, bit 31 reserved.
		md.SizeBytes = uint64(st.U32(0x1c)&0x7fffffff) << 20
	case size&0x8000 != 0:
		md.SizeBytes = uint64(size&0x7fff) << 10 // KiB units
	default:
		md.SizeBytes = uint64(size) << 20
	}
	// Speeds in MT/s, 0 unknown. FFFFh means "see the 3.3 Extended Speed and
	// Extended Configured Memory Speed" (added together: a 3.3 structure is
	// 5Ch bytes or more, as dmidecode checks); earlier it was reserved.
	speed := func(off16, off32 int) int {
		v := st.U16(off16)
		switch {
		case v != 0xffff:
			return int(v)
		case st.Len() >= 0x5c:
			return int(st.U32(off32))
		}
		return 0
	}
	if st.has(0x15, 2) {
		md.SpeedMTs = speed(0x15, 0x54)
	}
	if st.has(0x20, 2) {
		md.ConfiguredSpeedMTs = speed(0x20, 0x58)
	}
	if md.Present && st.has(0x17, 4) { // an empty slot's strings are placeholders ("NO DIMM"), as in dmidecode
		md.Manufacturer = d.str(st, 0x17, f, "Manufacturer")
		md.SerialNumber = d.str(st, 0x18, f, "SerialNumber")
		md.AssetTag = d.str(st, 0x19, f, "AssetTag")
		md.PartNumber = d.str(st, 0x1a, f, "PartNumber")
	}
	d.s.MemoryDevices = append(d.s.MemoryDevices, md)
}

// memoryTypeDetail joins the names of the set Type Detail bits.
func memoryTypeDetail(v uint16) string {
	if v&0xfffe == 0 {
		return "None"
	}
	var names []string
	for bit := 1; bit < 16; bit++ {
		if v&(1<<bit) != 0 {
			names = append(names, memoryTypeDetails[bit])
		}
	}
	return strings.Join(names, " ")
}

// tpm decodes type 43 (7.44).
func (d *smbiosDecoder) tpm(st *Structure) {
	major := st.U8(0x08)
	d.s.TPMs = append(d.s.TPMs, SMBIOSTPM{
		VendorID:        tpmVendorID(st.Formatted[0x04:0x08]),
		SpecVersion:     fmt.Sprintf("%d.%d", major, st.U8(0x09)),
		FirmwareVersion: tpmFirmwareVersion(major, st.U32(0x0a)),
		Description:     d.str(st, 0x12, fmt.Sprintf("TPMs[%d].", len(d.s.TPMs)), "Description"),
	})
}

// tpmVendorID reads the 4-byte vendor ID ("IFX\x00"). Some Infineon
// firmware stores it as a little-endian DWORD ("\x00XFI"); that is read
// backwards. Non-printable bytes become '.', as in dmidecode.
func tpmVendorID(b []byte) string {
	v := []byte{b[0], b[1], b[2], b[3]}
	if v[0] == 0 && v[3] != 0 {
		v[0], v[1], v[2], v[3] = v[3], v[2], v[1], v[0]
	}
	if i := strings.IndexByte(string(v), 0); i >= 0 {
		v = v[:i]
	}
	for i, c := range v {
		if c < 32 || c >= 127 {
			v[i] = '.'
		}
	}
	return strings.TrimSpace(string(v))
}

// tpmFirmwareVersion formats the type-43 firmware version as dmidecode does:
// for spec 1.x the two bytes of version 1 as major.minor, for 2.0 the two
// 16-bit halves of version 1.
func tpmFirmwareVersion(major uint8, v1 uint32) string {
	switch major {
	case 1:
		return fmt.Sprintf("%d.%d", byte(v1>>16), byte(v1>>24))
	case 2:
		return fmt.Sprintf("%d.%d", v1>>16, v1&0xffff)
	}
	return fmt.Sprintf("0x%08x", v1)
}

// oemStrings decodes type 11 (7.12): a count, then that many strings.
func (d *smbiosDecoder) oemStrings(st *Structure) {
	n := int(st.U8(0x04))
	for i := 1; i <= n; i++ {
		v, ok := st.String(i)
		if !ok {
			d.s.warn("smbios", "type 11 handle 0x%04X announces %d OEM strings, holds %d", st.Handle, n, len(st.Strings))
			return
		}
		if v = strings.TrimSpace(v); v != "" {
			d.s.OEMStrings = append(d.s.OEMStrings, v)
		}
	}
}
