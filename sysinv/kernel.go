package sysinv

import (
	"bytes"
	"encoding/binary"
	"sort"
	"strings"
)

// BzImageVersion returns the version string an x86 bzImage carries in its
// setup header (Linux boot protocol >= 2.00: "HdrS" at 0x202, kernel_version
// pointer at 0x20E, relative to 0x200), e.g. "6.1.0-18-amd64
// (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1
// (2024-02-01)". It returns "" for anything else.
func BzImageVersion(head []byte) string {
	if len(head) < 0x210 || string(head[0x202:0x206]) != "HdrS" {
		return ""
	}
	off := int(binary.LittleEndian.Uint16(head[0x20e:])) + 0x200
	if binary.LittleEndian.Uint16(head[0x206:]) < 0x200 || off >= len(head) {
		return ""
	}
	s := head[off:]
	if i := bytes.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	if len(s) > 256 {
		s = s[:256]
	}
	for _, c := range s {
		if c < 0x20 || c > 0x7e {
			return ""
		}
	}
	return string(s)
}

// kernel collects the running kernel (live) and installed kernels (/boot,
// /lib/modules).
func (c *collector) kernel() Kernel {
	var k Kernel
	seen := map[string]bool{}
	if names, err := c.fs.Glob("/boot", "vmlinuz-*"); err == nil {
		for _, n := range names {
			seen[strings.TrimPrefix(baseName(n), "vmlinuz-")] = true
		}
	}
	if ents, err := c.fs.ReadDir("/lib/modules"); err == nil {
		for _, e := range ents {
			if st, err := c.fs.Stat("/lib/modules/" + e.Name()); err == nil && st.IsDir() {
				seen[e.Name()] = true
			}
		}
	}
	for r := range seen {
		k.Installed = append(k.Installed, r)
	}
	sort.Strings(k.Installed)

	if c.live {
		k.Source = "/proc/sys/kernel"
		k.Release = c.readValue(&k.Facts, "Release", "/proc/sys/kernel/osrelease")
		k.Version = c.readValue(&k.Facts, "Version", "/proc/sys/kernel/version")
		if k.Release == "" && k.Version == "" {
			k.fail("kernel", "/proc/sys/kernel/osrelease and version unreadable")
		}
		k.done()
		return k
	}
	k.Source = "/boot, /lib/modules"
	switch len(k.Installed) {
	case 0:
		k.Status, k.Reason = StatusAbsent, "no kernel installed (no /boot/vmlinuz-*, no /lib/modules/*): a container image?"
	case 1:
		k.Release = k.Installed[0]
		img := "/boot/vmlinuz-" + k.Release
		head, err := c.fs.ReadFileLimit(img, 64<<10)
		if isTruncated(err) {
			err = nil
		}
		if v := BzImageVersion(head); err == nil && v != "" {
			// "RELEASE (builder) VERSION": keep what uname -v would print.
			if !strings.HasPrefix(v, k.Release+" ") {
				k.warn("kernel", "%s names release %q in its header", img, strings.Fields(v)[0])
			}
			if _, after, ok := strings.Cut(v, ") "); ok {
				k.Version = after
			} else {
				k.Version = v
			}
			k.Source += ", " + img
		} else {
			k.unknown("Version", "not a live system and "+img+" carries no readable x86 bzImage version string")
		}
	default:
		k.unknown("Release", "not a live system and several kernels are installed; which one boots is not known")
		k.unknown("Version", "not a live system: uname -v is known only while running")
	}
	k.done()
	return k
}
