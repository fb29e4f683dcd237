//go:build linux

package rawsock

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/wirebom/wirebom/internal/netns"
	"github.com/wirebom/wirebom/rawsock/filter"
)

// cookedNumbered is what a capture on the any device makes of numbered
// frame seq arriving on an interface that is not its destination: a
// cooked header (to another host, Ethernet, the sender's address) where
// the MAC addresses were, the VLAN tag and EtherType as they were.
func cookedNumbered(seq uint32) ([]byte, uint16) {
	f, vid := netns.NumberedFrame(seq)
	hdr := []byte{0, 3, 0, 1, 0, 6}
	hdr = append(hdr, f[6:12]...)
	hdr = append(hdr, 0, 0)
	return append(hdr, f[12:]...), vid
}

// TestLiveAnyDevice captures on the any device: numbered frames arriving
// on a veth come whole and in order with cooked headers and their VLAN
// tags, naming the interface they came on; a filter compiled for cooked
// frames runs in the kernel; a datagram over loopback is kept once, not
// twice (going out and coming in).
func TestLiveAnyDevice(t *testing.T) {
	p := netns.New(t)
	src := openIn(t, p.NSA, AnyInterface, Config{})
	if !src.Ring() || src.LinkType() != LinkTypeLinuxSLL {
		t.Fatalf("ring %v, link type %v; want a ring of Linux cooked frames", src.Ring(), src.LinkType())
	}
	index, err := netns.Index(p.NSA, p.LinkA)
	if err != nil {
		t.Fatal(err)
	}
	// Two ports on loopback; the filter keeps one of them.
	var ports [2]int
	listeners := make([]net.PacketConn, 2)
	if err := netns.Do(p.NSA, func() error {
		for i := range listeners {
			l, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			listeners[i], ports[i] = l, l.LocalAddr().(*net.UDPAddr).Port
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	defer listeners[0].Close()
	defer listeners[1].Close()
	prog, err := filter.Compile(fmt.Sprintf("udp dst port %d", ports[0]), filter.Options{LinkType: filter.LinkTypeLinuxSLL})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := prog.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	filtered := openIn(t, p.NSA, AnyInterface, Config{Filter: raw})

	const total = 3000
	if err := sendNumbered(p, total); err != nil {
		t.Fatal(err)
	}
	if err := netns.Do(p.NSA, func() error {
		for _, port := range ports {
			c, err := net.Dial("udp", fmt.Sprintf("127.0.0.1:%d", port))
			if err != nil {
				return err
			}
			_, err = c.Write([]byte("wirebom any-device test"))
			c.Close()
			if err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	var b Batch
	next, datagrams := uint32(0), 0
	for next < total || datagrams < 2 {
		if err := src.ReadBatch(&b); err != nil {
			t.Fatal(err)
		}
		for _, f := range b.Frames {
			if len(f.Data) < 16 {
				t.Fatalf("frame shorter than a cooked header: %x", f.Data)
			}
			if bytes.Contains(f.Data, []byte("wirebom any-device test")) {
				if f.Data[1] != 0 || f.Data[14] != 0x08 || f.Data[15] != 0x00 {
					t.Fatalf("loopback datagram: cooked header %x, want to this host, IPv4", f.Data[:16])
				}
				datagrams++
				continue
			}
			seq, ok := netns.SeqOf(f.Data[2:]) // the protocol sits where the EtherType does
			if !ok {
				continue // the veths' own IPv6 chatter
			}
			if seq != next {
				t.Fatalf("frame %d arrived when %d was expected (lost or reordered)", seq, next)
			}
			want, vid := cookedNumbered(seq)
			if !bytes.Equal(f.Data, want) || f.Length != len(want) {
				t.Fatalf("frame %d (length %d):\n got %x\nwant %x", seq, f.Length, f.Data[:min(32, len(f.Data))], want[:32])
			}
			if f.InterfaceIndex != index || f.HasVLAN != (vid != 0) || f.VLAN != vid {
				t.Fatalf("frame %d: interface %d, VLAN %v/%d; want %d, %d", seq, f.InterfaceIndex, f.HasVLAN, f.VLAN, index, vid)
			}
			next++
		}
	}
	b.Release()
	if datagrams != 2 {
		t.Errorf("saw the 2 loopback datagrams %d times", datagrams)
	}
	time.Sleep(100 * time.Millisecond) // let the filtered ring's block time out; counted below, not timed
	filtered.Close()
	if st, _ := filtered.Stats(); st.Received != 1 {
		t.Errorf("filter %q kept %d packets, want the one datagram to that port, once", prog.Expr, st.Received)
	}
}

// TestAnyDeviceRefusesLinkHeaderFilter: a filter that reads the cooked
// header's address cannot run in the kernel, and Open says so.
func TestAnyDeviceRefusesLinkHeaderFilter(t *testing.T) {
	p := netns.New(t)
	prog, err := filter.Compile("link[6] == 2", filter.Options{LinkType: filter.LinkTypeLinuxSLL})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := prog.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	err = netns.Do(p.NSA, func() error {
		src, err := Open(AnyInterface, Config{Filter: raw})
		if err == nil {
			src.Close()
		}
		return err
	})
	if !errors.Is(err, ErrFilterNeedsLinkHeader) {
		t.Fatalf("Open: %v; want ErrFilterNeedsLinkHeader", err)
	}
}

// TestLiveDirection: with Direction, only the frames that came in (sent
// from the peer) or only those that went out (sent from this side) are
// kept, on the ring and on the fallback socket; the filter after the
// direction check still applies.
func TestLiveDirection(t *testing.T) {
	p := netns.New(t)
	prog, err := filter.Compile("ether proto 0x88b5", filter.Options{LiveVLANOffload: true})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := prog.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	type source struct {
		name string
		dir  Direction
		src  Source
	}
	var sources []source
	for _, noRing := range []bool{false, true} {
		for _, d := range []Direction{DirectionIn, DirectionOut, DirectionInOut} {
			name := fmt.Sprintf("direction %d, no ring %v", d, noRing)
			sources = append(sources, source{name, d, openIn(t, p.NSA, p.LinkA, Config{Filter: raw, Direction: d, NoRing: noRing})})
		}
	}
	in := injectorIn(t, p) // from the peer: comes in on LinkA
	out, err := netns.NewInjector(p.NSA, p.LinkA)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	for i := range uint32(10) {
		f, _ := netns.NumberedFrame(i)
		if err := in.Send(f); err != nil {
			t.Fatal(err)
		}
	}
	// Untagged frames only: a tag in a frame going out stays in its bytes,
	// where a program compiled for the kernel's stripped tags (as live
	// filters are) does not look.
	for _, i := range []uint32{101, 102, 103} {
		f, _ := netns.NumberedFrame(i)
		if err := out.Send(f); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(100 * time.Millisecond) // let the last blocks time out; counted below, not timed
	want := map[Direction]uint64{DirectionIn: 10, DirectionOut: 3, DirectionInOut: 13}
	for _, s := range sources {
		s.src.Close()
		if st, _ := s.src.Stats(); st.Received != want[s.dir] {
			t.Errorf("%s: kept %d frames, want %d", s.name, st.Received, want[s.dir])
		}
	}
}
