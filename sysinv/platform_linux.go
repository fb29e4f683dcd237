//go:build linux

package sysinv

// liveRoot cleans root and reports whether it is this machine's own root.
func liveRoot(root string) (string, bool, error) {
	r, err := absRoot(root)
	return r, r == "/", err
}

// platformSteps: on Linux the running system is read through its root
// directory like any other (/proc and /sys are the kernel's).
func (c *collector) platformSteps(inv *Inventory) []func() { return c.fsSteps(inv) }
