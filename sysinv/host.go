package sysinv

import "strings"

// host collects the hostname and machine-id (read only, never written).
func (c *collector) host() Host {
	var h Host
	src := []string{}
	if c.live {
		if v, err := c.fs.ReadValue("/proc/sys/kernel/hostname"); err == nil && v != "" {
			h.Hostname = v
			src = append(src, "/proc/sys/kernel/hostname")
		}
	}
	if h.Hostname == "" {
		v, err := c.fs.ReadValue("/etc/hostname")
		if err == nil {
			v = firstLine(v)
		}
		if err == nil && v != "" {
			h.Hostname = v
			src = append(src, "/etc/hostname")
		} else {
			reason := "empty"
			if err != nil {
				reason = why(err)
			}
			h.unknown("Hostname", "/etc/hostname: "+reason)
		}
	}
	v, err := c.fs.ReadValue("/etc/machine-id")
	switch {
	case err != nil:
		h.unknown("MachineID", "/etc/machine-id: "+why(err))
	case v == "" || v == "uninitialized":
		h.unknown("MachineID", "/etc/machine-id is empty or uninitialized (set on first boot)")
	case !isHex32(v):
		h.unknown("MachineID", "/etc/machine-id is not 32 hex digits")
		h.warn("host", "/etc/machine-id malformed")
	default:
		h.MachineID = v
		src = append(src, "/etc/machine-id")
	}
	h.Source = strings.Join(src, ", ")
	h.done()
	return h
}

// firstLine returns s up to its first newline, trimmed, skipping comments.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && l[0] != '#' {
			return l
		}
	}
	return ""
}

// isHex32 reports whether s is 32 lower-case hex digits.
func isHex32(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}
