//go:build linux

// Package netns is the test harness for live capture: it creates a pair of
// network namespaces joined by a veth link, runs code inside either of them,
// injects frames from one side, and always removes everything it created.
//
// Nothing it makes is reachable from the host's own interfaces: frames sent
// on one end of the veth arrive only at the other end.
package netns

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mdlayher/packet"
	"golang.org/x/sys/unix"
)

// Pair is two namespaces, A and B, with veth ends LinkA (in A) and LinkB
// (in B). Both ends are up, have no addresses and IPv6 disabled, so the
// link carries only what a test sends.
type Pair struct {
	NSA, NSB     string
	LinkA, LinkB string
}

// Available reports whether the harness can run: it needs root (or
// CAP_SYS_ADMIN and CAP_NET_ADMIN) and the ip command.
func Available() error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("netns: needs root to create network namespaces")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return fmt.Errorf("netns: the ip command (Debian package iproute2) is missing: %w", err)
	}
	return nil
}

// New creates a Pair and registers its removal with t.Cleanup. It fails the
// test (it does not skip) when the harness cannot run, since CI runs as root
// with iproute2 installed.
func New(t testing.TB) *Pair {
	t.Helper()
	if err := Available(); err != nil {
		t.Fatal(err)
	}
	p, err := Create()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Remove(); err != nil {
			t.Errorf("netns cleanup: %v", err)
		}
	})
	return p
}

// Create makes a Pair; the caller must call Remove.
func Create() (*Pair, error) {
	var r [4]byte
	if _, err := rand.Read(r[:]); err != nil {
		return nil, err
	}
	id := hex.EncodeToString(r[:])
	p := &Pair{NSA: "wbA" + id, NSB: "wbB" + id, LinkA: "wba" + id, LinkB: "wbb" + id}
	steps := [][]string{
		{"netns", "add", p.NSA},
		{"netns", "add", p.NSB},
		{"link", "add", p.LinkA, "netns", p.NSA, "type", "veth", "peer", "name", p.LinkB, "netns", p.NSB},
	}
	for _, s := range steps {
		if err := ip(s...); err != nil {
			p.Remove() //nolint:errcheck // report the first error
			return nil, err
		}
	}
	for _, x := range []struct{ ns, link string }{{p.NSA, p.LinkA}, {p.NSB, p.LinkB}} {
		for _, s := range [][]string{
			{"sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"},
			{"sysctl", "-qw", "net.ipv6.conf." + x.link + ".disable_ipv6=1"},
			{"ip", "link", "set", x.link, "up"},
			{"ip", "link", "set", "lo", "up"},
		} {
			if err := ip(append([]string{"netns", "exec", x.ns}, s...)...); err != nil {
				p.Remove() //nolint:errcheck
				return nil, err
			}
		}
	}
	// A veth end carries frames only once both ends are up and the kernel
	// has seen the carrier: wait for that, or the first frames a test sends
	// are lost.
	for _, x := range []struct{ ns, link string }{{p.NSA, p.LinkA}, {p.NSB, p.LinkB}} {
		if err := waitUp(x.ns, x.link); err != nil {
			p.Remove() //nolint:errcheck
			return nil, err
		}
	}
	return p, nil
}

// waitUp polls the link's state until it is LOWER_UP (10 s at most).
func waitUp(ns, link string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := exec.Command("ip", "-n", ns, "-o", "link", "show", link).CombinedOutput()
		if err == nil && strings.Contains(string(out), "LOWER_UP") && strings.Contains(string(out), "state UP") {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("netns: %s in %s did not come up: %s", link, ns, strings.TrimSpace(string(out)))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Remove deletes both namespaces (and with them the veth link).
func (p *Pair) Remove() error {
	var first error
	for _, ns := range []string{p.NSA, p.NSB} {
		if _, err := os.Stat("/run/netns/" + ns); err != nil {
			continue
		}
		if err := ip("netns", "del", ns); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Command returns a command that runs inside namespace ns.
func Command(ns, name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", ns, name}, args...)...)
}

// Do runs fn on an OS thread that has entered namespace ns. Sockets opened
// by fn stay in that namespace after Do returns, and may be used from any
// goroutine.
func Do(ns string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// The thread is not unlocked if it cannot return to its own
		// namespace: the runtime then discards it.
		orig, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			errc <- err
			return
		}
		defer orig.Close()
		target, err := os.Open("/run/netns/" + ns)
		if err != nil {
			errc <- err
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("netns: enter %s: %w", ns, err)
			return
		}
		ferr := fn()
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("netns: leave %s: %w", ns, err)
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// Index returns the interface index of link inside namespace ns.
func Index(ns, link string) (int, error) {
	var index int
	err := Do(ns, func() error {
		ifi, err := net.InterfaceByName(link)
		if err == nil {
			index = ifi.Index
		}
		return err
	})
	return index, err
}

// Injector sends raw frames out of one end of the link.
type Injector struct {
	conn *packet.Conn
}

// NewInjector opens a raw packet socket on link inside namespace ns.
func NewInjector(ns, link string) (*Injector, error) {
	var inj Injector
	err := Do(ns, func() error {
		ifi, err := net.InterfaceByName(link)
		if err != nil {
			return err
		}
		c, err := packet.Listen(ifi, packet.Raw, 0, nil)
		if err != nil {
			return err
		}
		inj.conn = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("netns: injector on %s/%s: %w", ns, link, err)
	}
	return &inj, nil
}

// Send transmits one complete Ethernet frame.
func (i *Injector) Send(frame []byte) error {
	var dst net.HardwareAddr = frame[0:6]
	_, err := i.conn.WriteTo(frame, &packet.Addr{HardwareAddr: dst})
	return err
}

// Close closes the socket.
func (i *Injector) Close() error { return i.conn.Close() }
