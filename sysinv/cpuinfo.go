package sysinv

import (
	"fmt"
	"strings"
)

const cpuVulnDir = "/sys/devices/system/cpu/vulnerabilities"

// CPUInfoEntry is one processor block of /proc/cpuinfo.
type CPUInfoEntry map[string]string

// ParseCPUInfo splits /proc/cpuinfo into per-processor blocks of key/value
// pairs. Lines without a colon are ignored; keys and values are trimmed.
func ParseCPUInfo(data []byte) []CPUInfoEntry {
	var out []CPUInfoEntry
	cur := CPUInfoEntry{}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" {
			if len(cur) > 0 {
				out = append(out, cur)
				cur = CPUInfoEntry{}
			}
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		cur[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// cpuinfo collects /proc/cpuinfo (live only) and the vulnerability files.
func (c *collector) cpuinfo() CPU {
	var cpu CPU
	if !c.live {
		cpu.fail("cpuinfo", "not a live system: /proc/cpuinfo describes the running kernel only")
		return cpu
	}
	cpu.Source = "/proc/cpuinfo"
	data, err := c.fs.ReadFileLimit("/proc/cpuinfo", 16<<20)
	if err != nil && !isTruncated(err) {
		cpu.fail("cpuinfo", fmt.Sprintf("/proc/cpuinfo: %s", why(err)))
		return cpu
	}
	if err != nil {
		cpu.warn("cpuinfo", "%s", why(err))
	}
	ents := ParseCPUInfo(data)
	var procs []CPUInfoEntry
	for _, e := range ents {
		if _, ok := e["processor"]; ok {
			procs = append(procs, e)
		}
	}
	if len(procs) == 0 {
		cpu.fail("cpuinfo", "/proc/cpuinfo has no processor entries")
		return cpu
	}
	first := procs[0]
	pick := func(field string, keys ...string) string {
		for _, k := range keys {
			if v := first[k]; v != "" {
				return v
			}
		}
		cpu.unknown(field, "/proc/cpuinfo has no "+strings.Join(keys, "/")+" line")
		return ""
	}
	cpu.Vendor = pick("Vendor", "vendor_id", "CPU implementer")
	cpu.ModelName = pick("ModelName", "model name", "Processor", "cpu model", "cpu")
	cpu.Family = pick("Family", "cpu family", "CPU architecture")
	cpu.Model = pick("Model", "model", "CPU part")
	cpu.Stepping = pick("Stepping", "stepping", "CPU revision")
	cpu.Microcode = pick("Microcode", "microcode")
	cpu.Threads = len(procs)
	sockets := map[string]bool{}
	cores := map[string]bool{}
	for _, p := range procs {
		pid, cid := p["physical id"], p["core id"]
		if pid != "" {
			sockets[pid] = true
		}
		if pid != "" && cid != "" {
			cores[pid+"/"+cid] = true
		}
	}
	if len(sockets) > 0 {
		cpu.Sockets = len(sockets)
	} else {
		cpu.unknown("Sockets", "/proc/cpuinfo has no physical id lines")
	}
	if len(cores) > 0 {
		cpu.Cores = len(cores)
	} else {
		cpu.unknown("Cores", "/proc/cpuinfo has no core id lines")
	}

	ents2, err := c.fs.ReadDir(cpuVulnDir)
	if err != nil {
		cpu.unknown("Vulnerabilities", cpuVulnDir+": "+why(err))
	} else {
		for _, e := range ents2 {
			v, err := c.fs.ReadValue(cpuVulnDir + "/" + e.Name())
			if err != nil {
				cpu.warn("cpuinfo", "%s/%s: %s", cpuVulnDir, e.Name(), why(err))
				continue
			}
			cpu.Vulnerabilities = append(cpu.Vulnerabilities, CPUVulnerability{Name: e.Name(), Status: v})
		}
	}
	cpu.done()
	return cpu
}
