//go:build linux

package filter

import (
	"bytes"
	"fmt"
	"net"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/wirebom/wirebom/internal/netns"
)

func markerOf(f []byte) (byte, bool) {
	i := bytes.Index(f, []byte("WBMK"))
	if i < 0 || i+4 >= len(f) {
		return 0, false
	}
	return f[i+4], true
}

// attachAndReceive opens a packet socket on link in ns with prog attached,
// runs send, and returns the markers of the frames it receives.
func attachAndReceive(t *testing.T, pair *netns.Pair, prog Program, send func()) map[byte]bool {
	t.Helper()
	raw, err := prog.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	var fd int
	err = netns.Do(pair.NSB, func() error {
		ifi, err := net.InterfaceByName(pair.LinkB)
		if err != nil {
			return err
		}
		proto := uint16(unix.ETH_P_ALL)
		proto = proto<<8 | proto>>8
		fd, err = unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, int(proto))
		if err != nil {
			return err
		}
		fp := unix.SockFprog{Len: uint16(len(raw)), Filter: (*unix.SockFilter)(unsafe.Pointer(&raw[0]))}
		if err := unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &fp); err != nil {
			return fmt.Errorf("SO_ATTACH_FILTER: %w", err)
		}
		return unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: proto, Ifindex: ifi.Index})
	})
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	tv := unix.NsecToTimeval(int64(300 * time.Millisecond))
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		t.Fatal(err)
	}
	send()
	got := map[byte]bool{}
	buf := make([]byte, 2048)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			break
		}
		if m, ok := markerOf(buf[:n]); ok {
			got[m] = true
		}
	}
	return got
}

// TestLiveVLANOffload attaches programs compiled with LiveVLANOffload to a
// packet socket on a veth end, where the kernel moves the outer VLAN tag
// into metadata, and checks which injected frames they let through.
func TestLiveVLANOffload(t *testing.T) {
	pair := netns.New(t)
	inj, err := netns.NewInjector(pair.NSA, pair.LinkA)
	if err != nil {
		t.Fatal(err)
	}
	defer inj.Close()
	frames := map[byte][]byte{
		1: liveFrame([][2]uint16{{0x8100, 100}}, 6, 1),
		2: liveFrame([][2]uint16{{0x8100, 200}}, 6, 2),
		3: liveFrame(nil, 6, 3),
		4: liveFrame([][2]uint16{{0x8100, 100}}, 17, 4),
		5: liveFrame([][2]uint16{{0x88a8, 10}, {0x8100, 20}}, 17, 5),
		6: liveFrame(nil, 17, 6),
	}
	send := func() {
		for m := byte(1); m <= 6; m++ {
			if err := inj.Send(frames[m]); err != nil {
				t.Fatal(err)
			}
		}
	}
	cases := []struct {
		expr string
		want []byte
	}{
		{"vlan 100 and tcp port 502", []byte{1}},
		{"vlan", []byte{1, 2, 4, 5}},
		{"vlan 200", []byte{2}},
		{"not vlan and tcp port 502", []byte{3}},
		{"vlan and udp", []byte{4}},
		{"vlan 10 and vlan 20 and udp port 53", []byte{5}},
		// As with libpcap on Linux: a filter that does not mention vlan
		// also sees frames whose (only) tag the kernel has removed.
		{"udp", []byte{4, 6}},
	}
	for _, c := range cases {
		p, err := Compile(c.expr, Options{LiveVLANOffload: true})
		if err != nil {
			t.Fatalf("%q: %v", c.expr, err)
		}
		got := attachAndReceive(t, pair, p, send)
		want := map[byte]bool{}
		for _, m := range c.want {
			want[m] = true
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q with LiveVLANOffload: received frames %v, want %v", c.expr, keys(got), c.want)
		}
	}
	// The frame-offset program sees no tag on this socket: this is why
	// LiveVLANOffload exists. Log rather than assert: it depends on the kernel.
	p, err := Compile("vlan 100", Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("without LiveVLANOffload, 'vlan 100' receives %v on a live veth socket", keys(attachAndReceive(t, pair, p, send)))
}

func keys(m map[byte]bool) []byte {
	var k []byte
	for i := byte(0); i < 255; i++ {
		if m[i] {
			k = append(k, i)
		}
	}
	return k
}

func TestNewMatcherRefusesLiveOnly(t *testing.T) {
	p, err := Compile("vlan 100", Options{LiveVLANOffload: true})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, in := range p.Instructions {
		if e, ok := in.(bpf.LoadExtension); ok && (e.Num == bpf.ExtVLANTagPresent || e.Num == bpf.ExtVLANTag) {
			found = true
		}
	}
	if !found {
		t.Errorf("LiveVLANOffload program has no ancillary VLAN load:\n%v", p.Instructions)
	}
	if _, err := NewMatcher(p); err != ErrLiveOnly {
		t.Errorf("NewMatcher: got %v, want ErrLiveOnly", err)
	}
}
