//go:build darwin

package macfacts

import "golang.org/x/sys/unix"

type unixSysctl struct{}

func (unixSysctl) String(name string) (string, error) { return unix.Sysctl(name) }
func (unixSysctl) Uint32(name string) (uint32, error) { return unix.SysctlUint32(name) }
func (unixSysctl) Uint64(name string) (uint64, error) { return unix.SysctlUint64(name) }

// Collect reads the facts of the running system.
func Collect() Facts { return FromSysctl(unixSysctl{}) }
