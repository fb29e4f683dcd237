//go:build !linux && !windows && !darwin

package sysinv

// liveRoot cleans root and reports whether it is this machine's own root.
func liveRoot(root string) (string, bool, error) {
	r, err := absRoot(root)
	return r, r == "/", err
}

// platformSteps: other systems are read through their root directory only
// (os-release and package databases where they exist; the Linux /proc and
// /sys sources report what they miss).
func (c *collector) platformSteps(inv *Inventory) []func() { return c.fsSteps(inv) }
