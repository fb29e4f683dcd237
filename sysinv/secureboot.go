package sysinv

import (
	"fmt"
)

const (
	efivarsDir     = "/sys/firmware/efi/efivars"
	efiGlobalGUID  = "8be4df61-93ca-11d2-aa0d-00e098032b8c"
	secureBootVar  = efivarsDir + "/SecureBoot-" + efiGlobalGUID
	setupModeVar   = efivarsDir + "/SetupMode-" + efiGlobalGUID
	efiVarMaxBytes = 4096
)

// ParseEFIBoolVar decodes an efivarfs file holding a UEFI boolean variable:
// 4 attribute bytes, then one value byte (0 or 1).
func ParseEFIBoolVar(data []byte) (bool, error) {
	if len(data) != 5 {
		return false, fmt.Errorf("efivar is %d bytes, want 4 attribute bytes + 1 value byte", len(data))
	}
	switch data[4] {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, fmt.Errorf("efivar value %d is not a boolean", data[4])
}

// secureBoot reads the SecureBoot and SetupMode variables.
func (c *collector) secureBoot() SecureBoot {
	var s SecureBoot
	if !c.live {
		s.Status, s.Reason = StatusUnknown, "not a live system: UEFI variables live in NVRAM, not on disk"
		return s
	}
	if !c.fs.Exists("/sys/firmware/efi") {
		s.absent("/sys/firmware/efi", "legacy BIOS boot: no UEFI Secure Boot")
		return s
	}
	if !c.fs.Exists(efivarsDir) {
		s.fail("secureboot", efivarsDir+" not present (efivarfs not mounted)")
		return s
	}
	s.Source = efivarsDir
	read := func(field, p string) *bool {
		data, err := c.fs.ReadFileLimit(p, efiVarMaxBytes)
		if err != nil {
			r := why(err)
			if isNotExist(err) {
				r = "variable not set by the firmware"
			}
			s.unknown(field, p+": "+r)
			return nil
		}
		v, err := ParseEFIBoolVar(data)
		if err != nil {
			s.warn("secureboot", "%s: %v", p, err)
			s.unknown(field, err.Error())
			return nil
		}
		return &v
	}
	s.Enabled = read("Enabled", secureBootVar)
	s.SetupMode = read("SetupMode", setupModeVar)
	if s.Enabled == nil && s.SetupMode == nil {
		s.Status, s.Reason = StatusUnknown, "SecureBoot and SetupMode variables unreadable"
	}
	s.done()
	return s
}
