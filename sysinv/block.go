package sysinv

import (
	"fmt"
	"strconv"
	"strings"
)

// block collects whole disks from /sys/block.
func (c *collector) block() BlockDevices {
	var b BlockDevices
	b.Source = "/sys/block"
	if !c.live {
		b.Status, b.Reason = StatusUnknown, "not a live system: block devices are known only while running (an image's /sys is empty or stale)"
		return b
	}
	ents, err := c.fs.ReadDir("/sys/block")
	if err != nil {
		b.fail("block", "/sys/block: "+why(err))
		return b
	}
	for _, e := range ents {
		name := e.Name()
		dir := "/sys/block/" + name
		d := BlockDevice{Name: name, Virtual: isVirtualBlock(name)}
		real := c.inRootPath(dir)
		if strings.Contains(real, "/virtual/") {
			d.Virtual = true
		}
		if s := c.readValue(&b.Facts, name+".SizeBytes", dir+"/size"); s != "" {
			if n, err := strconv.ParseUint(s, 10, 64); err == nil && n < 1<<54 {
				d.SizeBytes = n * 512
			} else {
				b.warn("block", "%s/size: bad value %q", dir, s)
			}
		}
		d.Rotational = c.boolValue(&b.Facts, name+".Rotational", dir+"/queue/rotational")
		d.Removable = c.boolValue(&b.Facts, name+".Removable", dir+"/removable")
		if d.Virtual {
			b.Devices = append(b.Devices, d)
			continue
		}
		d.Transport = transportFromPath(real)
		dev := dir + "/device"
		d.Model = c.optValue(&b.Facts, name+".Model", dev+"/model")
		d.Vendor = c.optValue(&b.Facts, name+".Vendor", dev+"/vendor")
		d.Serial = c.optValue(&b.Facts, name+".Serial", dev+"/serial")
		if d.Serial == "" {
			d.Serial = c.vpdSerial(&b.Facts, name, dev+"/vpd_pg80")
		}
		d.FirmwareRevision = c.optValue(&b.Facts, name+".FirmwareRevision", dev+"/firmware_rev")
		if d.FirmwareRevision == "" {
			d.FirmwareRevision = c.optValue(&b.Facts, name+".FirmwareRevision", dev+"/rev")
		}
		d.WWN = c.optValue(&b.Facts, name+".WWN", dir+"/wwid")
		if d.WWN == "" {
			d.WWN = c.optValue(&b.Facts, name+".WWN", dev+"/wwid")
		}
		if d.Model == "" {
			b.unknown(name+".Model", "not exposed by the kernel")
		}
		if d.Serial == "" {
			b.unknown(name+".Serial", "not exposed by the kernel for this device type")
		}
		b.Devices = append(b.Devices, d)
	}
	b.done()
	return b
}

// vpdSerial reads the unit serial number from a SCSI VPD page 0x80.
func (c *collector) vpdSerial(f *Facts, name, p string) string {
	data, err := c.fs.ReadFileLimit(p, 4096)
	if err != nil {
		if isPerm(err) {
			f.unknown(name+".Serial", p+": run as root to read the disk serial number")
		}
		return ""
	}
	return ParseVPD80(data)
}

// ParseVPD80 returns the serial number in a SCSI VPD page 0x80, or "".
func ParseVPD80(data []byte) string {
	if len(data) < 4 || data[1] != 0x80 {
		return ""
	}
	n := int(data[2])<<8 | int(data[3])
	if n > len(data)-4 {
		n = len(data) - 4
	}
	return strings.TrimSpace(strings.Trim(string(data[4:4+n]), "\x00"))
}

// isVirtualBlock says whether a block device name is a kernel-made device.
func isVirtualBlock(name string) bool {
	for _, p := range []string{"loop", "ram", "zram", "dm-", "md", "nbd"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// transportFromPath infers the bus from the resolved sysfs device path.
func transportFromPath(p string) string {
	switch {
	case strings.Contains(p, "/nvme"):
		return "nvme"
	case strings.Contains(p, "/usb"):
		return "usb"
	case strings.Contains(p, "/ata"):
		return "sata"
	case strings.Contains(p, "/virtio"):
		return "virtio"
	case strings.Contains(p, "/mmc"):
		return "mmc"
	case strings.Contains(p, "/host"):
		return "scsi"
	}
	return ""
}

// boolValue reads a 0/1 sysfs value.
func (c *collector) boolValue(f *Facts, field, p string) *bool {
	v := c.optValue(f, field, p)
	switch v {
	case "0":
		b := false
		return &b
	case "1":
		b := true
		return &b
	case "":
		return nil
	}
	f.warn("sysfs", "%s: unexpected value %q", p, v)
	return nil
}

// inRootPath returns the in-root path name resolves to ("" when it does not).
func (c *collector) inRootPath(name string) string {
	hp, err := c.fs.Resolve(name, true)
	if err != nil {
		return ""
	}
	r := strings.TrimPrefix(hp, c.fs.Root())
	if c.fs.Root() == "/" {
		r = hp
	}
	if !strings.HasPrefix(r, "/") {
		r = "/" + r
	}
	return r
}

var _ = fmt.Sprint
