package sysinv

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseMemTotal returns MemTotal in bytes from /proc/meminfo text.
func ParseMemTotal(data []byte) (uint64, error) {
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(k) != "MemTotal" {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			return 0, fmt.Errorf("MemTotal has no value")
		}
		n, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("MemTotal %q: %w", f[0], err)
		}
		mul := uint64(1)
		if len(f) > 1 && strings.EqualFold(f[1], "kB") {
			mul = 1024
		}
		if n > ^uint64(0)/mul {
			return 0, fmt.Errorf("MemTotal %q overflows", f[0])
		}
		return n * mul, nil
	}
	return 0, fmt.Errorf("no MemTotal line")
}

// meminfo collects total RAM (live only).
func (c *collector) meminfo() Memory {
	var m Memory
	if !c.live {
		m.fail("meminfo", "not a live system: RAM size is known only from /proc/meminfo or SMBIOS memory devices")
		return m
	}
	m.Source = "/proc/meminfo"
	data, err := c.fs.ReadFileLimit("/proc/meminfo", 1<<20)
	if err != nil {
		m.fail("meminfo", "/proc/meminfo: "+why(err))
		return m
	}
	n, err := ParseMemTotal(data)
	if err != nil {
		m.fail("meminfo", "/proc/meminfo: "+err.Error())
		return m
	}
	m.TotalBytes = n
	m.done()
	return m
}
