package sysinv

import (
	"bytes"
	"fmt"
	"strconv"
)

const apkInstalled = "/lib/apk/db/installed"

// APKRecord is one package of an apk installed database: single-letter keys
// mapped to values (the first value where a key repeats, as F/R file lists do).
type APKRecord map[byte]string

// ParseAPKInstalled parses lib/apk/db/installed (blank-line separated records
// of "K:value" lines). Malformed lines are reported and skipped.
func ParseAPKInstalled(data []byte) ([]APKRecord, []string) {
	var (
		out   []APKRecord
		warns []string
		cur   APKRecord
	)
	lineNo := 0
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		lineNo++
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = nil
			continue
		}
		if len(line) < 2 || line[1] != ':' {
			warns = append(warns, fmt.Sprintf("line %d: not a K:value line, ignored", lineNo))
			continue
		}
		if cur == nil {
			cur = APKRecord{}
		}
		if _, dup := cur[line[0]]; !dup {
			cur[line[0]] = string(line[2:])
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out, warns
}

// apk reads the Alpine package database.
func (c *collector) apk() PackageDB {
	var db PackageDB
	data, err := c.fs.ReadFile(apkInstalled)
	if err != nil && !isTruncated(err) {
		if isNotExist(err) {
			db.absent(apkInstalled, "no apk database")
			return db
		}
		db.fail("apk", apkInstalled+": "+why(err))
		return db
	}
	db.Source = apkInstalled
	if err != nil {
		db.warn("apk", "%s: %s; packages after the cut are missing", apkInstalled, why(err))
		db.Status, db.Reason = StatusPartial, "database truncated"
	}
	recs, warns := ParseAPKInstalled(data)
	for _, w := range warns {
		db.warn(apkInstalled, "%s", w)
	}
	ns := c.purlNamespace("alpine")
	distro := c.osr.distroQualifier()
	for i, r := range recs {
		name := r['P']
		if name == "" {
			db.warn(apkInstalled, "record %d has no P: line, ignored", i+1)
			continue
		}
		pk := Package{
			Type: "apk", Name: name, Version: r['V'], Arch: r['A'],
			License: r['L'], Description: r['T'], Maintainer: r['m'],
			SourceName: r['o'],
		}
		if pk.Version == "" {
			db.unknown(name+".Version", "no V: line")
		}
		if pk.SourceName != "" {
			pk.SourceVersion = pk.Version
		}
		if s := r['I']; s != "" {
			if n, err := strconv.ParseUint(s, 10, 64); err == nil {
				pk.InstalledSizeBytes = n
			}
		}
		q := []string{"arch", pk.Arch, "distro", distro}
		if pk.SourceName != "" && pk.SourceName != name {
			q = append(q, "upstream", pk.SourceName)
		}
		pk.PURL = PURL("apk", ns, name, pk.Version, q...)
		db.Packages = append(db.Packages, pk)
	}
	db.done()
	return db
}
