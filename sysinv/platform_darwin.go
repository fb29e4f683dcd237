//go:build darwin

package sysinv

import (
	"net"

	"github.com/wirebom/wirebom/sysinv/macfacts"
)

// liveRoot cleans root and reports whether it is this machine's own root.
func liveRoot(root string) (string, bool, error) {
	r, err := absRoot(root)
	return r, r == "/", err
}

// platformSteps: the running macOS is described by sysctl (model, OS,
// kernel, CPU, memory); any other root is read as a directory tree.
func (c *collector) platformSteps(inv *Inventory) []func() {
	if !c.nativeLive {
		return c.fsSteps(inv)
	}
	return []func(){
		func() { inv.SMBIOS = c.smbios() },
		func() { ApplyMacOS(inv, macfacts.Collect()) },
		func() { ifs, err := net.Interfaces(); inv.NICs = NICsFromInterfaces(ifs, err, "getifaddrs") },
	}
}
