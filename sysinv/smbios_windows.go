package sysinv

import "github.com/wirebom/wirebom/sysinv/winfacts"

// rsmbSource names where the live Windows table comes from.
const rsmbSource = "GetSystemFirmwareTable('RSMB')"

// smbiosLive reads the firmware's SMBIOS table through
// GetSystemFirmwareTable('RSMB') and decodes it like a dump file.
func (c *collector) smbiosLive() SMBIOS {
	var s SMBIOS
	s.Source = rsmbSource
	dump, err := winfacts.SMBIOSDumpBin()
	if err != nil {
		s.fail("smbios", err.Error())
		return s
	}
	decodeDumpBin(&s, rsmbSource, dump)
	return s
}
