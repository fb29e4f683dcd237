//go:build windows

package sysinv

import (
	"os"
	"strings"

	"golang.org/x/sys/windows"

	"github.com/wirebom/wirebom/sysinv/winfacts"
)

// systemDrive is the drive Windows runs from ("C:").
func systemDrive() string {
	if d, err := windows.GetSystemWindowsDirectory(); err == nil && len(d) >= 2 && d[1] == ':' {
		return strings.ToUpper(d[:2])
	}
	if d := os.Getenv("SystemDrive"); len(d) == 2 && d[1] == ':' {
		return strings.ToUpper(d)
	}
	return "C:"
}

// liveRoot cleans root and reports whether it is this machine's own root:
// "", "/", "\" or the system drive's root ("C:\"). Any other directory is
// an image.
func liveRoot(root string) (string, bool, error) {
	sys := systemDrive() + `\`
	switch root {
	case "", "/", `\`:
		return sys, true, nil
	}
	r, err := absRoot(root)
	if err != nil {
		return "", false, err
	}
	if strings.EqualFold(r, sys) {
		return sys, true, nil
	}
	return r, false, nil
}

// platformSteps: the running Windows is described by its registry and
// system calls (package winfacts); SMBIOS comes from
// GetSystemFirmwareTable through the SMBIOS collector. Any other root is an
// image, read as a directory tree.
func (c *collector) platformSteps(inv *Inventory) []func() {
	if !c.nativeLive {
		return c.fsSteps(inv)
	}
	var f *winfacts.Facts
	return []func(){
		func() { f = winfacts.Collect(); winfacts.CollectHost(f) },
		func() { inv.SMBIOS = c.smbios() },
		func() { ApplyWindows(inv, f) },
	}
}
