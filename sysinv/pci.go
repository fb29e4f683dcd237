package sysinv

import (
	"strconv"
	"strings"
)

const pciDevicesDir = "/sys/bus/pci/devices"

// ParseHexID parses a sysfs hex ID ("0x8086" or "8086") of at most bits bits.
func ParseHexID(s string, bits int) (uint32, bool) {
	s = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "0x"), "0X")
	if s == "" || len(s) > 8 {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 16, bits)
	if err != nil {
		return 0, false
	}
	return uint32(v), true
}

// pci collects PCI functions from /sys/bus/pci/devices.
func (c *collector) pci() PCIDevices {
	var p PCIDevices
	p.Source = pciDevicesDir
	if !c.live {
		p.Status, p.Reason = StatusUnknown, "not a live system: PCI devices are known only while running (an image's /sys is empty or stale)"
		return p
	}
	ents, err := c.fs.ReadDir(pciDevicesDir)
	if err != nil {
		if isNotExist(err) {
			p.absent(pciDevicesDir, "no PCI bus exposed by the kernel")
			return p
		}
		p.fail("pci", pciDevicesDir+": "+why(err))
		return p
	}
	type num struct {
		ven, dev, sv, sd, cls uint32
		ok, sub               bool
	}
	var nums []num
	for _, e := range ents {
		addr := e.Name()
		dir := pciDevicesDir + "/" + addr
		d := PCIDevice{Address: addr}
		hexField := func(field, file string, bits int) (uint32, string) {
			v := c.readValue(&p.Facts, addr+"."+field, dir+"/"+file)
			if v == "" {
				return 0, ""
			}
			n, ok := ParseHexID(v, bits)
			if !ok {
				p.warn("pci", "%s/%s: garbage value %q", dir, file, v)
				p.unknown(addr+"."+field, "garbage value in sysfs")
				return 0, ""
			}
			return n, strconv.FormatUint(uint64(n), 16)
		}
		ven, vs := hexField("VendorID", "vendor", 16)
		dev, ds := hexField("DeviceID", "device", 16)
		sv, svs := hexField("SubsystemVendorID", "subsystem_vendor", 16)
		sd, sds := hexField("SubsystemDeviceID", "subsystem_device", 16)
		cls, _ := hexField("Class", "class", 24)
		rev, revs := hexField("Revision", "revision", 8)
		_ = rev
		pad := func(s string, n int) string {
			if s == "" {
				return ""
			}
			return strings.Repeat("0", max(0, n-len(s))) + s
		}
		d.VendorID, d.DeviceID = pad(vs, 4), pad(ds, 4)
		d.SubsystemVendorID, d.SubsystemDeviceID = pad(svs, 4), pad(sds, 4)
		if c.fs.Exists(dir + "/class") {
			d.Class = pad(strconv.FormatUint(uint64(cls), 16), 6)
		}
		d.Revision = pad(revs, 2)
		if c.fs.Exists(dir + "/driver") {
			d.Driver, _ = c.fs.LinkBase(dir + "/driver")
		}
		nums = append(nums, num{ven, dev, sv, sd, cls, vs != "" && ds != "", svs != "" && sds != ""})
		p.Devices = append(p.Devices, d)
	}
	if len(nums) > 0 {
		want := &idWant{vendors: map[uint16]bool{}, devices: map[uint32]bool{}, subsystems: map[uint64]bool{}}
		for _, n := range nums {
			if n.ok {
				want.vendors[uint16(n.ven)] = true
				want.devices[n.ven<<16|n.dev] = true
				want.subsystems[uint64(n.ven)<<48|uint64(n.dev)<<32|uint64(n.sv)<<16|uint64(n.sd)] = true
			}
		}
		var ids *IDs
		ids, p.IDsSource = c.loadIDs(&p.Facts, "pci.ids", want, EmbeddedPCIIDs)
		for i, n := range nums {
			d := &p.Devices[i]
			if n.ok {
				d.VendorName = ids.Vendor(uint16(n.ven))
				d.DeviceName = ids.Device(uint16(n.ven), uint16(n.dev))
				if n.sub {
					d.SubsystemName = ids.Subsystem(uint16(n.ven), uint16(n.dev), uint16(n.sv), uint16(n.sd))
				}
			}
			if d.Class != "" {
				d.ClassName = ids.Class(n.cls)
			}
		}
	}
	p.done()
	return p
}
