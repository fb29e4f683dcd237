package sysinv

import (
	"strconv"
	"strings"
)

const tpmClassDir = "/sys/class/tpm"

// ParseTPMCaps parses the TPM 1.2 "caps" sysfs file ("Key: value" lines).
func ParseTPMCaps(data []byte) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) != "" {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

// tpm lists TPM chips.
func (c *collector) tpm() TPM {
	var t TPM
	if !c.live {
		t.Status, t.Reason = StatusUnknown, "not a live system: TPM chips are known only while running"
		return t
	}
	ents, err := c.fs.ReadDir(tpmClassDir)
	if err != nil || len(ents) == 0 {
		if err == nil || isNotExist(err) {
			t.absent(tpmClassDir, "no TPM exposed by the kernel")
			return t
		}
		t.fail("tpm", tpmClassDir+": "+why(err))
		return t
	}
	t.Source = tpmClassDir
	for _, e := range ents {
		name := e.Name()
		dir := tpmClassDir + "/" + name
		d := TPMDevice{Name: name}
		if v := c.optValue(&t.Facts, name+".VersionMajor", dir+"/tpm_version_major"); v != "" {
			if n, err := strconv.Atoi(v); err == nil && (n == 1 || n == 2) {
				d.VersionMajor = n
			} else {
				t.warn("tpm", "%s/tpm_version_major: garbage value %q", dir, v)
			}
		}
		d.Description = c.optValue(&t.Facts, name+".Description", dir+"/device/description")
		if data, err := c.fs.ReadFileLimit(dir+"/device/caps", 64<<10); err == nil {
			d.Caps = ParseTPMCaps(data)
			d.Manufacturer = d.Caps["Manufacturer"]
			d.FirmwareVersion = d.Caps["Firmware version"]
			if d.VersionMajor == 0 {
				if strings.HasPrefix(d.Caps["TCG version"], "1.") {
					d.VersionMajor = 1
				}
			}
		}
		if d.VersionMajor == 0 {
			t.unknown(name+".VersionMajor", "kernel exposes neither tpm_version_major nor caps")
		}
		if d.Manufacturer == "" {
			t.unknown(name+".Manufacturer", "not exposed in sysfs for TPM 2.0 (needs TPM2_GetCapability on /dev/tpmrm0)")
		}
		t.Devices = append(t.Devices, d)
	}
	t.done()
	return t
}
