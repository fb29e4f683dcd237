package sysinv

import (
	"strconv"
)

const esrtDir = "/sys/firmware/efi/esrt/entries"

// esrtFwTypes names ESRT firmware types (UEFI spec 23.4).
var esrtFwTypes = map[uint32]string{0: "unknown", 1: "system firmware", 2: "device firmware", 3: "UEFI driver"}

// esrtStatus names ESRT last-attempt status codes (UEFI spec 23.4).
var esrtStatus = map[uint32]string{
	0: "success", 1: "unsuccessful", 2: "insufficient resources", 3: "incorrect version",
	4: "invalid image format", 5: "authentication error", 6: "AC power not connected",
	7: "insufficient battery",
}

// ParseSysfsUint parses a decimal or 0x-prefixed sysfs number of at most 32 bits.
func ParseSysfsUint(s string) (uint32, bool) {
	v, err := strconv.ParseUint(s, 0, 32)
	return uint32(v), err == nil
}

// esrt reads the EFI System Resource Table entries.
func (c *collector) esrt() ESRT {
	var e ESRT
	if !c.live {
		e.Status, e.Reason = StatusUnknown, "not a live system: the ESRT is a firmware table"
		return e
	}
	if !c.fs.Exists("/sys/firmware/efi") {
		e.absent(esrtDir, "legacy BIOS boot: no ESRT")
		return e
	}
	ents, err := c.fs.ReadDir(esrtDir)
	if err != nil {
		if isNotExist(err) {
			e.absent(esrtDir, "firmware publishes no ESRT (no capsule-updatable firmware)")
			return e
		}
		e.fail("esrt", esrtDir+": "+why(err))
		return e
	}
	e.Source = esrtDir
	for _, de := range ents {
		dir := esrtDir + "/" + de.Name()
		num := func(field, file string) uint32 {
			v := c.readValue(&e.Facts, de.Name()+"."+field, dir+"/"+file)
			if v == "" {
				return 0
			}
			n, ok := ParseSysfsUint(v)
			if !ok {
				e.warn("esrt", "%s/%s: garbage value %q", dir, file, v)
				e.unknown(de.Name()+"."+field, "garbage value")
			}
			return n
		}
		en := ESRTEntry{FwClass: c.readValue(&e.Facts, de.Name()+".FwClass", dir+"/fw_class")}
		en.FwType = num("FwType", "fw_type")
		en.FwVersion = num("FwVersion", "fw_version")
		en.LowestSupportedFwVersion = num("LowestSupportedFwVersion", "lowest_supported_fw_version")
		en.CapsuleFlags = num("CapsuleFlags", "capsule_flags")
		en.LastAttemptVersion = num("LastAttemptVersion", "last_attempt_version")
		en.LastAttemptStatus = num("LastAttemptStatus", "last_attempt_status")
		en.FwTypeName = esrtFwTypes[en.FwType]
		if en.FwTypeName == "" {
			en.FwTypeName = "reserved"
		}
		en.LastAttemptStatusName = esrtStatus[en.LastAttemptStatus]
		if en.LastAttemptStatusName == "" {
			en.LastAttemptStatusName = "reserved"
		}
		e.Entries = append(e.Entries, en)
	}
	e.done()
	return e
}
