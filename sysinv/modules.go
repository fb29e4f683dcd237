package sysinv

import (
	"bytes"
	"strconv"
	"strings"
)

// KernelModuleLine is one line of /proc/modules.
type KernelModuleLine struct {
	Name string
	Size uint64
}

// ParseProcModules parses /proc/modules ("name size refcount deps state addr").
// Malformed lines are skipped.
func ParseProcModules(data []byte) []KernelModuleLine {
	var out []KernelModuleLine
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, err := strconv.ParseUint(f[1], 10, 64)
		if err != nil {
			continue
		}
		out = append(out, KernelModuleLine{Name: f[0], Size: n})
	}
	return out
}

// modules collects loaded modules (live) and installed module counts.
func (c *collector) modules() KernelModules {
	var m KernelModules
	var src []string
	noModules := false // live kernel without loadable module support
	if c.live {
		data, err := c.fs.ReadFileLimit("/proc/modules", 16<<20)
		switch {
		case isNotExist(err):
			noModules = true
		case err != nil:
			m.unknown("Loaded", "/proc/modules: "+why(err))
		default:
			src = append(src, "/proc/modules")
			for _, l := range ParseProcModules(data) {
				km := KernelModule{Name: l.Name, SizeBytes: l.Size}
				km.Version = c.optValue(&m.Facts, l.Name+".Version", "/sys/module/"+l.Name+"/version")
				km.SrcVersion = c.optValue(&m.Facts, l.Name+".SrcVersion", "/sys/module/"+l.Name+"/srcversion")
				m.Loaded = append(m.Loaded, km)
			}
		}
	}
	if ents, err := c.fs.ReadDir("/lib/modules"); err == nil {
		for _, e := range ents {
			dep := "/lib/modules/" + e.Name() + "/modules.dep"
			data, err := c.fs.ReadFileLimit(dep, 64<<20)
			if err != nil {
				if !isNotExist(err) {
					m.warn("modules", "%s: %s", dep, why(err))
				}
				continue
			}
			n := 0
			for _, l := range bytes.Split(data, []byte{'\n'}) {
				if i := bytes.IndexByte(l, ':'); i > 0 {
					n++
				}
			}
			m.Installed = append(m.Installed, InstalledModules{KernelRelease: e.Name(), Count: n})
		}
		if len(m.Installed) > 0 {
			src = append(src, "/lib/modules/*/modules.dep")
		}
	}
	m.Source = strings.Join(src, ", ")
	if len(src) == 0 {
		if noModules {
			m.Status, m.Reason = StatusAbsent, "the running kernel has no loadable module support (no /proc/modules) and no modules are installed"
		} else if c.live {
			m.fail("modules", "neither /proc/modules nor /lib/modules/*/modules.dep readable")
		} else {
			m.Status, m.Reason = StatusAbsent, "no /lib/modules/*/modules.dep (no kernel installed)"
		}
		return m
	}
	if !c.live {
		m.unknown("Loaded", "not a live system: loaded modules are known only while running")
	}
	if noModules {
		m.unknown("Loaded", "no /proc/modules: kernel without loadable module support")
	}
	m.done()
	return m
}
