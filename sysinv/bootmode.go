package sysinv

// bootMode says whether the system booted through UEFI.
func (c *collector) bootMode() BootMode {
	var b BootMode
	if c.live {
		b.Source = "/sys/firmware/efi"
		switch {
		case c.fs.Exists("/sys/firmware/efi"):
			b.Mode = BootUEFI
		case c.fs.Exists("/sys/firmware"):
			b.Mode = BootLegacy
			b.Source = "/sys/firmware (no efi directory)"
		default:
			b.Mode = BootUnknown
			b.fail("bootmode", "/sys/firmware not present (sysfs not mounted?)")
			return b
		}
		b.done()
		return b
	}
	b.Mode = BootUnknown
	reason := "not a live system: the boot mode is known only while running"
	if c.fs.Exists("/boot/efi/EFI") {
		reason += " (an EFI system partition is mounted at /boot/efi, so UEFI boot is possible)"
	}
	b.Status, b.Reason = StatusUnknown, reason
	return b
}
