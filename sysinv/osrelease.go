package sysinv

import (
	"fmt"
	"sort"
	"strings"
)

// osRelease reads os-release(5): etc/os-release, then usr/lib/os-release.
func (c *collector) osRelease() OSRelease {
	var o OSRelease
	var lastErr error
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		data, err := c.fs.ReadFileLimit(p, 1<<20)
		if err != nil {
			lastErr = err
			if !isNotExist(err) {
				o.warn("os-release", "%s: %s", p, why(err))
			}
			continue
		}
		o.Source = p
		o.Fields = ParseOSRelease(data)
		break
	}
	if o.Fields == nil {
		o.fail("os-release", fmt.Sprintf("no os-release file (etc/os-release, usr/lib/os-release): %s", why(lastErr)))
		return o
	}
	f := o.Fields
	o.ID = f["ID"]
	if v := f["ID_LIKE"]; v != "" {
		o.IDLike = strings.Fields(v)
	}
	o.Name, o.Version, o.VersionID = f["NAME"], f["VERSION"], f["VERSION_ID"]
	o.VersionCodename, o.PrettyName, o.CPEName, o.BuildID = f["VERSION_CODENAME"], f["PRETTY_NAME"], f["CPE_NAME"], f["BUILD_ID"]
	if o.ID == "" {
		// os-release(5): ID defaults to "linux" when not set; that is the spec, not a guess.
		o.ID = "linux"
		o.warn("os-release", "%s has no ID; os-release(5) default \"linux\" used", o.Source)
	}
	if o.CPEName != "" {
		if cpe, err := CPE23FromURI(o.CPEName); err == nil {
			o.CPE = cpe
		} else {
			o.warn("os-release", "CPE_NAME %q: %v", o.CPEName, err)
		}
	} else {
		o.unknown("CPE", o.Source+" has no CPE_NAME")
	}
	if o.VersionID == "" {
		o.unknown("VersionID", o.Source+" has no VERSION_ID (rolling or testing release)")
	}
	o.done()
	return o
}

// ParseOSRelease parses os-release(5) text into a map of unquoted values.
// Lines that are not KEY=VALUE are ignored; shell quoting and the escapes
// os-release allows (\\ \" \$ \`) are undone.
func ParseOSRelease(data []byte) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || !validOSReleaseKey(k) {
			continue
		}
		out[k] = unquoteShell(v)
	}
	return out
}

// validOSReleaseKey reports whether k is an os-release variable name.
func validOSReleaseKey(k string) bool {
	if k == "" {
		return false
	}
	for i, r := range k {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// unquoteShell undoes one level of shell-like quoting as os-release uses it.
func unquoteShell(v string) string {
	v = strings.TrimSpace(v)
	var b strings.Builder
	var quote byte
	for i := 0; i < len(v); i++ {
		ch := v[i]
		switch {
		case quote == 0 && (ch == '"' || ch == '\''):
			quote = ch
		case quote != 0 && ch == quote:
			quote = 0
		case ch == '\\' && quote != '\'' && i+1 < len(v):
			i++
			b.WriteByte(v[i])
		case quote == 0 && ch == '#' && (i == 0 || v[i-1] == ' '):
			return strings.TrimSpace(b.String())
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// distroQualifier is the purl "distro" qualifier for this OS ("debian-12"),
// or "" when os-release is unknown.
func (o *OSRelease) distroQualifier() string {
	if o == nil || o.Status == StatusUnknown || o.ID == "" {
		return ""
	}
	if o.VersionID == "" {
		return o.ID
	}
	return o.ID + "-" + o.VersionID
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
