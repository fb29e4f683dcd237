package sysinv

import (
	"strconv"
	"strings"
)

const usbDevicesDir = "/sys/bus/usb/devices"

// usb collects USB devices (not interfaces) from /sys/bus/usb/devices.
func (c *collector) usb() USBDevices {
	var u USBDevices
	u.Source = usbDevicesDir
	if !c.live {
		u.Status, u.Reason = StatusUnknown, "not a live system: USB devices are known only while running (an image's /sys is empty or stale)"
		return u
	}
	ents, err := c.fs.ReadDir(usbDevicesDir)
	if err != nil {
		if isNotExist(err) {
			u.absent(usbDevicesDir, "no USB bus exposed by the kernel")
			return u
		}
		u.fail("usb", usbDevicesDir+": "+why(err))
		return u
	}
	type num struct {
		v, p     uint32
		okv, okp bool
	}
	var nums []num
	for _, e := range ents {
		name := e.Name()
		if strings.Contains(name, ":") {
			continue // an interface, not a device
		}
		dir := usbDevicesDir + "/" + name
		if !c.fs.Exists(dir + "/idVendor") {
			continue
		}
		d := USBDevice{Path: name}
		vid := c.readValue(&u.Facts, name+".VendorID", dir+"/idVendor")
		pid := c.readValue(&u.Facts, name+".ProductID", dir+"/idProduct")
		v, okv := ParseHexID(vid, 16)
		p, okp := ParseHexID(pid, 16)
		nums = append(nums, num{v, p, okv, okp})
		if okv {
			d.VendorID = strings.ToLower(strings.TrimPrefix(vid, "0x"))
		} else if vid != "" {
			u.warn("usb", "%s/idVendor: garbage value %q", dir, vid)
		}
		if okp {
			d.ProductID = strings.ToLower(strings.TrimPrefix(pid, "0x"))
		} else if pid != "" {
			u.warn("usb", "%s/idProduct: garbage value %q", dir, pid)
		}
		if n, err := strconv.Atoi(c.optValue(&u.Facts, name+".BusNum", dir+"/busnum")); err == nil {
			d.BusNum = n
		}
		if n, err := strconv.Atoi(c.optValue(&u.Facts, name+".DevNum", dir+"/devnum")); err == nil {
			d.DevNum = n
		}
		if bcd := c.optValue(&u.Facts, name+".DeviceVersion", dir+"/bcdDevice"); len(bcd) == 4 {
			d.DeviceVersion = strings.TrimLeft(bcd[:2], "0") + "." + bcd[2:]
			if strings.HasPrefix(d.DeviceVersion, ".") {
				d.DeviceVersion = "0" + d.DeviceVersion
			}
		}
		d.USBVersion = c.optValue(&u.Facts, name+".USBVersion", dir+"/version")
		d.Class = c.optValue(&u.Facts, name+".Class", dir+"/bDeviceClass")
		d.Manufacturer = c.optValue(&u.Facts, name+".Manufacturer", dir+"/manufacturer")
		d.Product = c.optValue(&u.Facts, name+".Product", dir+"/product")
		d.Serial = c.optValue(&u.Facts, name+".Serial", dir+"/serial")
		d.SpeedMbps = c.optValue(&u.Facts, name+".SpeedMbps", dir+"/speed")
		u.Devices = append(u.Devices, d)
	}
	if len(nums) > 0 {
		want := &idWant{vendors: map[uint16]bool{}, devices: map[uint32]bool{}}
		for _, n := range nums {
			want.vendors[uint16(n.v)] = true
			want.devices[n.v<<16|n.p] = true
		}
		var ids *IDs
		ids, u.IDsSource = c.loadIDs(&u.Facts, "usb.ids", want, EmbeddedUSBIDs)
		for i, n := range nums {
			if n.okv {
				u.Devices[i].VendorName = ids.Vendor(uint16(n.v))
				if n.okp {
					u.Devices[i].ProductName = ids.Device(uint16(n.v), uint16(n.p))
				}
			}
		}
	}
	u.done()
	return u
}
