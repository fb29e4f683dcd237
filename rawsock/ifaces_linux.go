//go:build linux

package rawsock

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

const iffPromisc = 0x100 // IFF_PROMISC in /sys/class/net/*/flags

// addPlatformDetails fills what sysfs knows: operstate, driver, speed and
// the promiscuous flag (which net.Interface does not carry).
func addPlatformDetails(it *Interface) {
	dir := filepath.Join("/sys/class/net", it.Name)
	if s := readSysfs(dir, "operstate"); s != "" {
		it.OperState = s
	}
	if s := readSysfs(dir, "flags"); s != "" {
		if v, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 32); err == nil {
			it.Promisc = v&iffPromisc != 0
		}
	}
	if s := readSysfs(dir, "speed"); s != "" {
		if v, err := strconv.Atoi(s); err == nil && v > 0 {
			it.SpeedMbps = v
		}
	}
	if link, err := os.Readlink(filepath.Join(dir, "device", "driver")); err == nil {
		it.Driver = filepath.Base(link)
	} else if it.Loopback {
		it.Driver = "loopback"
	} else {
		// Virtual devices (veth, bridge, tun, ifb) have no device link:
		// ask the driver itself (ETHTOOL_GDRVINFO needs no privileges).
		it.Driver = ethtoolDriver(it.Name)
	}
}

func ethtoolDriver(name string) string {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return ""
	}
	defer unix.Close(fd)
	info, err := unix.IoctlGetEthtoolDrvinfo(fd, name)
	if err != nil {
		return ""
	}
	return unix.ByteSliceToString(info.Driver[:])
}

func readSysfs(dir, name string) string {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil || len(b) > 4096 {
		return ""
	}
	return strings.TrimSpace(string(b))
}
