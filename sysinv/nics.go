package sysinv

import (
	"strconv"
)

// ethtoolInfo is what the ETHTOOL_GDRVINFO ioctl returns.
type ethtoolInfo struct {
	Driver, Version, FwVersion, BusInfo string
}

// nics collects network interfaces from /sys/class/net and, on the host's
// own root, the ethtool driver information.
func (c *collector) nics() NICs {
	var n NICs
	n.Source = "/sys/class/net"
	if !c.live {
		n.Status, n.Reason = StatusUnknown, "not a live system: interfaces are known only while running (an image's /sys is empty or stale)"
		return n
	}
	ents, err := c.fs.ReadDir("/sys/class/net")
	if err != nil {
		n.fail("nics", "/sys/class/net: "+why(err))
		return n
	}
	if !c.hostRoot {
		n.warn("nics", "not the host's own root: firmware versions (ethtool) not queried")
	}
	for _, e := range ents {
		name := e.Name()
		dir := "/sys/class/net/" + name
		nic := NIC{Name: name}
		nic.MAC = c.optValue(&n.Facts, name+".MAC", dir+"/address")
		nic.OperState = c.optValue(&n.Facts, name+".OperState", dir+"/operstate")
		if v := c.optValue(&n.Facts, name+".MTU", dir+"/mtu"); v != "" {
			nic.MTU, _ = strconv.Atoi(v)
		}
		if v, err := c.fs.ReadValue(dir + "/speed"); err == nil {
			if s, err := strconv.Atoi(v); err == nil && s > 0 {
				nic.SpeedMbps = s
			}
		}
		if c.fs.Exists(dir + "/device") {
			nic.BusInfo, _ = c.fs.LinkBase(dir + "/device")
			nic.Driver, _ = c.fs.LinkBase(dir + "/device/driver")
		} else {
			nic.Virtual = true
		}
		if nic.Driver != "" {
			nic.DriverVersion = c.optValue(&n.Facts, name+".DriverVersion", "/sys/module/"+nic.Driver+"/version")
		}
		if c.hostRoot && c.live {
			if info, err := ethtoolDrvinfo(name); err == nil {
				if nic.Driver == "" {
					nic.Driver = info.Driver
				}
				// The ethtool version is the driver's own (often the kernel release
				// for in-tree drivers); sysfs module version wins when present.
				if nic.DriverVersion == "" {
					nic.DriverVersion = info.Version
				}
				if info.FwVersion != "" && info.FwVersion != "N/A" {
					nic.FirmwareVersion = info.FwVersion
				} else if !nic.Virtual {
					n.unknown(name+".FirmwareVersion", "driver "+info.Driver+" reports no firmware version (ethtool GDRVINFO)")
				}
				if nic.BusInfo == "" && info.BusInfo != "N/A" {
					nic.BusInfo = info.BusInfo
				}
			} else if !nic.Virtual {
				n.unknown(name+".FirmwareVersion", "ethtool GDRVINFO: "+why(err))
			}
		} else if !nic.Virtual {
			n.unknown(name+".FirmwareVersion", "ethtool ioctl needs the live host root")
		}
		n.Interfaces = append(n.Interfaces, nic)
	}
	n.done()
	return n
}
