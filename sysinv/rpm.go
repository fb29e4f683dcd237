package sysinv

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	rpmdb "github.com/anchore/go-rpmdb/pkg"
)

// rpmDBPaths are the RPM database locations, newest format first.
var rpmDBPaths = []string{
	"/usr/lib/sysimage/rpm/rpmdb.sqlite",
	"/var/lib/rpm/rpmdb.sqlite",
	"/usr/lib/sysimage/rpm/Packages.db",
	"/var/lib/rpm/Packages.db",
	"/usr/lib/sysimage/rpm/Packages",
	"/var/lib/rpm/Packages",
}

// rpm reads the RPM database (SQLite, NDB or Berkeley DB) through go-rpmdb.
// The database is copied (with its SQLite WAL) to a private temporary
// directory first, so nothing under the root is ever opened for writing and
// no symlink inside the root can lead go-rpmdb outside it.
func (c *collector) rpm() PackageDB {
	var db PackageDB
	var src string
	for _, p := range rpmDBPaths {
		if st, err := c.fs.Stat(p); err == nil && st.Mode().IsRegular() {
			src = p
			break
		}
	}
	if src == "" {
		db.absent("/var/lib/rpm", "no RPM database")
		return db
	}
	db.Source = src
	pkgs, err := c.readRPMDB(src)
	if err != nil {
		db.fail("rpm", fmt.Sprintf("%s: %v", src, err))
		return db
	}
	ns := c.purlNamespace("")
	distro := c.osr.distroQualifier()
	for _, p := range pkgs {
		ver := p.Version + "-" + p.Release
		full := ver
		epoch := ""
		if p.Epoch != nil {
			epoch = strconv.Itoa(*p.Epoch)
			full = epoch + ":" + ver
		}
		pk := Package{
			Type: "rpm", Name: p.Name, Version: full, Arch: p.Arch,
			Vendor: p.Vendor, License: p.License, Description: p.Summary,
			Maintainer: p.Packager,
		}
		if p.Size > 0 {
			pk.InstalledSizeBytes = uint64(p.Size)
		}
		if p.SourceRpm != "" && p.SourceRpm != "(none)" {
			pk.SourceName, pk.SourceVersion = splitSourceRPM(p.SourceRpm)
		}
		pk.PURL = PURL("rpm", ns, p.Name, ver, "arch", p.Arch, "epoch", epoch, "distro", distro, "upstream", p.SourceRpm)
		db.Packages = append(db.Packages, pk)
	}
	sort.Slice(db.Packages, func(i, j int) bool {
		if db.Packages[i].Name != db.Packages[j].Name {
			return db.Packages[i].Name < db.Packages[j].Name
		}
		return db.Packages[i].Arch < db.Packages[j].Arch
	})
	db.done()
	return db
}

// readRPMDB copies an in-root RPM database to a temporary directory and
// lists its packages. A panic in the database reader becomes an error.
func (c *collector) readRPMDB(src string) (pkgs []*rpmdb.PackageInfo, err error) {
	tmp, err := os.MkdirTemp("", "wirebom-rpmdb-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	dst := filepath.Join(tmp, baseName(src))
	for _, suffix := range []string{"", "-wal"} {
		data, err := c.fs.ReadFile(src + suffix)
		if err != nil {
			if suffix != "" && isNotExist(err) {
				continue
			}
			return nil, fmt.Errorf("read: %s", why(err))
		}
		if err := os.WriteFile(dst+suffix, data, 0o600); err != nil {
			return nil, fmt.Errorf("copy to %s: %w", tmp, err)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			pkgs, err = nil, fmt.Errorf("rpm database reader failed: %v", r)
		}
	}()
	d, err := rpmdb.Open(dst)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	defer d.Close()
	pkgs, err = d.ListPackages()
	if err != nil {
		return nil, fmt.Errorf("list packages: %w", err)
	}
	return pkgs, nil
}

// splitSourceRPM turns "bash-5.1.8-6.el9.src.rpm" into ("bash", "5.1.8-6.el9").
func splitSourceRPM(s string) (string, string) {
	s = strings.TrimSuffix(s, ".rpm")
	s = strings.TrimSuffix(s, ".src")
	s = strings.TrimSuffix(s, ".nosrc")
	i := strings.LastIndexByte(s, '-')
	if i <= 0 {
		return s, ""
	}
	j := strings.LastIndexByte(s[:i], '-')
	if j <= 0 {
		return s, ""
	}
	return s[:j], s[j+1:]
}
