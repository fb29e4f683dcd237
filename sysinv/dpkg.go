package sysinv

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

const (
	dpkgStatus  = "/var/lib/dpkg/status"
	dpkgStatusD = "/var/lib/dpkg/status.d"
)

// DpkgParagraph is one stanza of a dpkg status file: field names as written
// (case preserved) mapped to values, continuation lines joined with "\n".
type DpkgParagraph map[string]string

// ParseDpkgStatus splits a dpkg status file (deb822 format) into paragraphs.
// It tolerates runs of blank lines, CRLF line ends, continuation lines that
// precede any field (dropped with a warning) and lines without a colon
// (dropped with a warning). It never fails.
func ParseDpkgStatus(data []byte) ([]DpkgParagraph, []string) {
	var (
		out     []DpkgParagraph
		warns   []string
		cur     DpkgParagraph
		lastKey string
	)
	flush := func() {
		if len(cur) > 0 {
			out = append(out, cur)
		}
		cur, lastKey = nil, ""
	}
	lineNo := 0
	text := string(data) // one copy; every value below is a substring of it
	for len(text) > 0 {
		var line string
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			line, text = text, ""
		}
		lineNo++
		line = strings.TrimSuffix(line, "\r")
		if len(strings.TrimSpace(line)) == 0 {
			flush()
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if lastKey == "" {
				warns = append(warns, fmt.Sprintf("line %d: continuation line outside a field, ignored", lineNo))
				continue
			}
			cur[lastKey] += "\n" + strings.TrimSpace(line)
			continue
		}
		if line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || len(strings.TrimSpace(k)) == 0 {
			warns = append(warns, fmt.Sprintf("line %d: not a field (no colon), ignored", lineNo))
			continue
		}
		if cur == nil {
			cur = make(DpkgParagraph, 16)
		}
		lastKey = strings.TrimSpace(k)
		cur[lastKey] = strings.TrimSpace(v)
	}
	flush()
	return out, warns
}

// get returns a field by name, case-insensitively as deb822 field names are.
func (p DpkgParagraph) get(name string) string {
	if v, ok := p[name]; ok {
		return v
	}
	for k, v := range p {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// dpkgFilesPresent says whether a package in this dpkg state has its files on
// disk (dpkg(1) "Package states"): installed, half-installed, unpacked,
// half-configured, triggers-awaited and triggers-pending do; not-installed and
// config-files (only conffiles left) do not.
func dpkgFilesPresent(state string) bool {
	switch state {
	case "installed", "half-installed", "unpacked", "half-configured", "triggers-awaited", "triggers-pending":
		return true
	}
	return false
}

// dpkg reads the dpkg database (status file, or the status.d directory that
// distroless images use).
func (c *collector) dpkg() PackageDB {
	var db PackageDB
	var paras []DpkgParagraph
	data, err := c.fs.ReadFile(dpkgStatus)
	switch {
	case err == nil || isTruncated(err):
		if err != nil {
			db.warn("dpkg", "%s: %s; packages after the cut are missing", dpkgStatus, why(err))
			db.Status, db.Reason = StatusPartial, "status file truncated"
		}
		db.Source = dpkgStatus
		var warns []string
		paras, warns = ParseDpkgStatus(data)
		for _, w := range warns {
			db.warn(dpkgStatus, "%s", w)
		}
	case isNotExist(err):
		names, derr := c.fs.Glob(dpkgStatusD, "*")
		if derr != nil || len(names) == 0 {
			db.absent(dpkgStatus, "no dpkg database")
			return db
		}
		db.Source = dpkgStatusD
		for _, n := range names {
			if strings.HasSuffix(n, ".md5sums") {
				continue
			}
			d, err := c.fs.ReadFileLimit(n, 16<<20)
			if err != nil {
				db.warn("dpkg", "%s: %s", n, why(err))
				continue
			}
			ps, warns := ParseDpkgStatus(d)
			for _, w := range warns {
				db.warn(n, "%s", w)
			}
			paras = append(paras, ps...)
		}
	default:
		db.fail("dpkg", fmt.Sprintf("%s: %s", dpkgStatus, why(err)))
		return db
	}

	db.Packages = dpkgPackages(&db.Facts, paras, c.purlNamespace("debian"), c.osr.distroQualifier())
	db.done()
	return db
}

// isTruncated reports a *TruncatedError.
func isTruncated(err error) bool {
	_, ok := err.(*TruncatedError)
	return ok
}

// baseName is path.Base for in-root names.
func baseName(p string) string { return path.Base(p) }

// dpkgPackages turns status paragraphs into the packages whose files are on
// disk, with purls in namespace ns and distro qualifier distro.
func dpkgPackages(f *Facts, paras []DpkgParagraph, ns, distro string) []Package {
	var out []Package
	for i, p := range paras {
		name := p.get("Package")
		if name == "" {
			f.warn(f.Source, "paragraph %d has no Package field, ignored", i+1)
			continue
		}
		status := p.get("Status")
		st := strings.Fields(status)
		if len(st) != 3 {
			f.warn(f.Source, "package %s: malformed Status %q, ignored", name, status)
			continue
		}
		if !dpkgFilesPresent(st[2]) {
			continue
		}
		if st[2] != "installed" {
			f.warn(f.Source, "package %s is %s (files present, not fully configured)", name, st[2])
		}
		if st[1] == "reinstreq" {
			f.warn(f.Source, "package %s is broken and needs reinstallation (reinstreq)", name)
		}
		pk := Package{
			Type:       "deb",
			Name:       name,
			Version:    p.get("Version"),
			Arch:       p.get("Architecture"),
			Maintainer: p.get("Maintainer"),
			Status:     status,
		}
		if pk.Version == "" {
			f.unknown(name+".Version", "no Version field")
		}
		if d := p.get("Description"); d != "" {
			pk.Description, _, _ = strings.Cut(d, "\n")
		}
		if src := p.get("Source"); src != "" {
			n, v, ok := strings.Cut(src, " ")
			pk.SourceName = n
			if ok {
				pk.SourceVersion = strings.Trim(strings.TrimSpace(v), "()")
			} else {
				pk.SourceVersion = pk.Version
			}
		}
		if sz := p.get("Installed-Size"); sz != "" {
			if kb, err := strconv.ParseUint(sz, 10, 64); err == nil && kb < 1<<44 {
				pk.InstalledSizeBytes = kb * 1024
			} else {
				f.warn(f.Source, "package %s: bad Installed-Size %q", name, sz)
			}
		}
		q := []string{"arch", pk.Arch, "distro", distro}
		if pk.SourceName != "" && pk.SourceName != name {
			q = append(q, "upstream", pk.SourceName)
		}
		pk.PURL = PURL("deb", ns, name, pk.Version, q...)
		out = append(out, pk)
	}
	return out
}
