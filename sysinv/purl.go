package sysinv

import (
	"errors"
	"net/url"
	"strings"
)

// purlEscape percent-encodes s for a purl name, namespace, version or
// qualifier value: everything outside the unreserved set (A-Z a-z 0-9 . - _ ~)
// and ':' (which the purl specification says must not be encoded, so an epoch
// stays "1:2.0") is encoded.
func purlEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '-' || ch == '_' || ch == '~' || ch == ':' {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[ch>>4])
		b.WriteByte(hex[ch&15])
	}
	return b.String()
}

// PURL builds a package URL "pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS".
// Qualifiers are given as key, value pairs; empty values are dropped and keys
// are sorted as the spec requires.
func PURL(typ, namespace, name, version string, qualifiers ...string) string {
	var b strings.Builder
	b.WriteString("pkg:")
	b.WriteString(strings.ToLower(typ))
	b.WriteByte('/')
	if namespace != "" {
		b.WriteString(purlEscape(namespace))
		b.WriteByte('/')
	}
	b.WriteString(purlEscape(name))
	if version != "" {
		b.WriteByte('@')
		b.WriteString(purlEscape(version))
	}
	q := map[string]string{}
	for i := 0; i+1 < len(qualifiers); i += 2 {
		if qualifiers[i+1] != "" {
			q[strings.ToLower(qualifiers[i])] = qualifiers[i+1]
		}
	}
	for i, k := range sortedKeys(q) {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(purlEscape(q[k]))
	}
	return b.String()
}

// purlNamespace returns the purl namespace for a distro package: the os-release
// ID ("debian", "ubuntu", "alpine", "fedora"), or fallback when unknown.
func (c *collector) purlNamespace(fallback string) string {
	if c.osr != nil && c.osr.Status != StatusUnknown && c.osr.ID != "" && c.osr.ID != "linux" {
		return strings.ToLower(c.osr.ID)
	}
	return fallback
}

// CPE23FromURI converts a CPE 2.2 URI ("cpe:/o:debian:debian_linux:12", as
// os-release CPE_NAME holds) to a CPE 2.3 formatted string (NISTIR 7695 6.1.2
// unbinding then 6.2.2 binding; packed edition components are not unpacked).
// A value that is already a 2.3 string is returned unchanged.
func CPE23FromURI(uri string) (string, error) {
	if strings.HasPrefix(uri, "cpe:2.3:") {
		return uri, nil
	}
	rest, ok := strings.CutPrefix(strings.ToLower(uri), "cpe:/")
	if !ok {
		return "", errors.New("not a CPE URI")
	}
	parts := strings.Split(rest, ":")
	if len(parts) > 7 || parts[0] == "" {
		return "", errors.New("malformed CPE URI")
	}
	out := make([]string, 11)
	for i := range out {
		out[i] = "*"
	}
	for i, p := range parts {
		if p == "" {
			continue
		}
		v, err := url.PathUnescape(p)
		if err != nil {
			return "", errors.New("bad percent-encoding in CPE URI")
		}
		if v == "-" {
			out[i] = "-"
			continue
		}
		out[i] = cpeEscape(v)
	}
	return "cpe:2.3:" + strings.Join(out, ":"), nil
}

// cpeEscape quotes a CPE 2.3 formatted-string component: every character
// other than letters, digits, '_', '-' and '.' is preceded by a backslash.
func cpeEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('\\')
			b.WriteRune(r)
		}
	}
	return b.String()
}
