package sysinv

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// ethtoolDrvinfo runs the ETHTOOL_GDRVINFO ioctl on ifname (no privileges needed).
func ethtoolDrvinfo(ifname string) (ethtoolInfo, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return ethtoolInfo{}, fmt.Errorf("socket: %w", err)
	}
	defer unix.Close(fd)
	d, err := unix.IoctlGetEthtoolDrvinfo(fd, ifname)
	if err != nil {
		return ethtoolInfo{}, fmt.Errorf("%s: %w", ifname, err)
	}
	return ethtoolInfo{
		Driver:    cString(d.Driver[:]),
		Version:   cString(d.Version[:]),
		FwVersion: cString(d.Fw_version[:]),
		BusInfo:   cString(d.Bus_info[:]),
	}, nil
}

// cString returns the NUL-terminated prefix of b.
func cString(b []byte) string {
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		b = b[:i]
	}
	return strings.TrimSpace(string(b))
}
