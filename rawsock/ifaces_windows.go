//go:build windows

package rawsock

import (
	"golang.org/x/sys/windows"
)

// addPlatformDetails fills what GetAdaptersAddresses knows: operational
// status, link speed and the adapter description (in Driver, since Windows
// names adapters by their driver's product string). Go's net.Interfaces names
// adapters by their friendly name and numbers them by IfIndex (Ipv6IfIndex
// when there is no IPv4), which is what is matched here.
func addPlatformDetails(it *Interface) {
	walkAdapters(func(a *windows.IpAdapterAddresses) {
		idx := int(a.IfIndex)
		if idx == 0 {
			idx = int(a.Ipv6IfIndex)
		}
		if idx != it.Index || windows.UTF16PtrToString(a.FriendlyName) != it.Name {
			return
		}
		it.OperState = operStatusName(a.OperStatus)
		if sp := max(a.ReceiveLinkSpeed, a.TransmitLinkSpeed); sp > 0 && sp != ^uint64(0) {
			it.SpeedMbps = int(sp / 1_000_000)
		}
		it.Driver = windows.UTF16PtrToString(a.Description)
		if a.IfType == windows.IF_TYPE_SOFTWARE_LOOPBACK {
			it.Driver = "loopback"
		}
	})
}
