package sysinv

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// collector carries what every collector needs.
type collector struct {
	fs   *FS
	opts Options
	// live: Root is a running system (/proc, /sys are the kernel's).
	live bool
	// hostRoot: Root is the host's "/", so ioctls describe the same system.
	hostRoot bool
	// nativeLive: Root is this machine's own root ("/", or the system
	// drive on Windows), so the running OS's own sources apply.
	nativeLive bool
	// osr is the os-release facts, collected first (purls need the distro).
	osr *OSRelease
}

// fsSteps are the collectors that read a root directory: the running Linux
// system, or an image of any system inspected from any OS.
func (c *collector) fsSteps(inv *Inventory) []func() {
	return []func(){
		func() { inv.OS.Release = c.osRelease(); c.osr = &inv.OS.Release },
		func() { inv.SMBIOS = c.smbios() },
		func() { inv.CPU = c.cpuinfo() },
		func() { inv.Memory = c.meminfo() },
		func() { inv.Block = c.block() },
		func() { inv.NICs = c.nics() },
		func() { inv.PCI = c.pci() },
		func() { inv.USB = c.usb() },
		func() { inv.Firmware.Boot = c.bootMode() },
		func() { inv.Firmware.SecureBoot = c.secureBoot() },
		func() { inv.Firmware.ESRT = c.esrt() },
		func() { inv.Firmware.TPM = c.tpm() },
		func() { inv.OS.Kernel = c.kernel() },
		func() { inv.OS.Host = c.host() },
		func() { inv.OS.Modules = c.modules() },
		func() { inv.Software.DPKG = c.dpkg() },
		func() { inv.Software.RPM = c.rpm() },
		func() { inv.Software.APK = c.apk() },
		func() { c.windowsImage(inv) },
	}
}

// Collect gathers every fact group from opts.Root. It returns an error only
// when the root itself is unusable or ctx is cancelled (then with the partial
// inventory); everything else becomes warnings and unknowns in the groups.
func Collect(ctx context.Context, opts Options) (*Inventory, error) {
	root, live, err := liveRoot(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("sysinv: root %q: %w", opts.Root, err)
	}
	if live {
		opts.Live = true
	}
	fsys, err := NewFS(root, opts.MaxFileSize)
	if err != nil {
		return nil, err
	}
	opts.Root = root
	c := &collector{fs: fsys, opts: opts, live: opts.Live, nativeLive: live, hostRoot: root == "/"}
	inv := &Inventory{Root: root, Live: opts.Live, CollectedAt: time.Now().UTC()}

	steps := c.platformSteps(inv)
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return inv, fmt.Errorf("sysinv: collect: %w", err)
		}
		step()
	}
	return inv, nil
}

// ---------------------------------------------------------------- Facts helpers

// warn appends a warning.
func (f *Facts) warn(src, format string, args ...any) {
	f.Warnings = append(f.Warnings, Warning{Source: src, Msg: fmt.Sprintf(format, args...)})
}

// unknown records that field could not be determined.
func (f *Facts) unknown(field, reason string) {
	f.Unknown = append(f.Unknown, Unknown{Field: field, Reason: reason})
}

// fail marks the whole group unknown with a reason (also a warning).
func (f *Facts) fail(src, reason string) {
	f.Status = StatusUnknown
	f.Reason = reason
	f.warn(src, "%s", reason)
}

// absent marks the group's source as not present on this system.
func (f *Facts) absent(src, reason string) {
	f.Status = StatusAbsent
	f.Source = src
	f.Reason = reason
}

// done sets Status to complete or partial unless it is already set.
func (f *Facts) done() {
	if f.Status != "" {
		return
	}
	if len(f.Unknown) > 0 {
		f.Status = StatusPartial
		if f.Reason == "" {
			f.Reason = fmt.Sprintf("%d facts unknown", len(f.Unknown))
		}
		return
	}
	f.Status = StatusComplete
}

// why turns a read error into a short reason, naming root when permissions
// are the problem.
func why(err error) string {
	var te *TruncatedError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, fs.ErrPermission):
		return "permission denied (run as root)"
	case errors.Is(err, fs.ErrNotExist):
		return "not present"
	case errors.Is(err, ErrLinkLoop):
		return "symlink loop"
	case errors.Is(err, ErrNotRegular):
		return "not a regular file"
	case errors.As(err, &te):
		return fmt.Sprintf("larger than %d bytes", te.Limit)
	}
	return err.Error()
}

// isPerm reports a permission error.
func isPerm(err error) bool { return errors.Is(err, fs.ErrPermission) }

// isNotExist reports a missing file.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// readValue reads a sysfs value; a missing or unreadable file is recorded as
// unknown field with the reason, and "" returned.
func (c *collector) readValue(f *Facts, field, name string) string {
	v, err := c.fs.ReadValue(name)
	if err != nil {
		f.unknown(field, fmt.Sprintf("%s: %s", name, why(err)))
		return ""
	}
	return v
}

// optValue reads a sysfs value that may legitimately be absent; only errors
// other than "not present" are recorded.
func (c *collector) optValue(f *Facts, field, name string) string {
	v, err := c.fs.ReadValue(name)
	if err != nil {
		if !isNotExist(err) {
			f.unknown(field, fmt.Sprintf("%s: %s", name, why(err)))
		}
		return ""
	}
	return v
}
