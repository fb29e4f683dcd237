//go:build linux

package netns

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// NewTun creates a tun device (no packet-info header) in namespace ns,
// sets its hardware type to arphrd (0: leave the tun's ARPHRD_NONE), brings
// it up and returns the file: what the test writes into it is received on
// the interface. The device goes away when the file is closed.
func NewTun(t testing.TB, ns, name string, arphrd int) *os.File {
	t.Helper()
	var f *os.File
	err := Do(ns, func() error {
		fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		f = os.NewFile(uintptr(fd), "/dev/net/tun")
		ifr, err := unix.NewIfreq(name)
		if err != nil {
			return err
		}
		ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
		if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
			return fmt.Errorf("TUNSETIFF: %w", err)
		}
		if arphrd != 0 {
			if err := unix.IoctlSetInt(fd, unix.TUNSETLINK, arphrd); err != nil {
				return fmt.Errorf("TUNSETLINK: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		if f != nil {
			f.Close()
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if out, err := Command(ns, "ip", "link", "set", name, "up").CombinedOutput(); err != nil {
		t.Fatalf("ip link set %s up: %v: %s", name, err, out)
	}
	return f
}
