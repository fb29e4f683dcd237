//go:build !linux && !windows

package sysinv

import (
	"fmt"
	"runtime"
)

// smbiosLive: this OS offers no portable way to read the SMBIOS table
// without cgo, so the facts are unknown unless a dump file is given.
func (c *collector) smbiosLive() SMBIOS {
	var s SMBIOS
	s.Status = StatusUnknown
	s.Reason = fmt.Sprintf("reading the live SMBIOS table is not available on %s: give a `dmidecode --dump-bin` file taken on the machine (--smbios FILE, Options.SMBIOSFile)", runtime.GOOS)
	return s
}
