//go:build linux

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gopacket/gopacket/pcapgo"

	"github.com/wirebom/wirebom/internal/netns"
)

// TestCaptureLiveFilter checks that a filter attached to the live socket
// keeps exactly the frames it names, VLAN tests included (the kernel moves
// the tag out of the frame, so these use its ancillary data). As with
// tcpdump on Linux, tests other than "vlan" see the frame without its
// outer tag: "ether proto" matches the inner EtherType and lengths are 4
// bytes shorter.
func TestCaptureLiveFilter(t *testing.T) {
	const total = 1000
	p := netns.New(t)
	for _, tc := range []struct {
		expr string
		keep func(frame []byte, vid uint16) bool
	}{
		{"vlan 20", func(_ []byte, vid uint16) bool { return vid == 20 }},
		{"not vlan", func(_ []byte, vid uint16) bool { return vid == 0 }},
		{"vlan and ether proto 0x88b5", func(_ []byte, vid uint16) bool { return vid != 0 }},
		{"ether proto 0x88b5 and less 200", func(f []byte, _ uint16) bool { return untagged(f) <= 200 }},
		{"greater 1000 or vlan 40", func(f []byte, vid uint16) bool { return vid == 40 || untagged(f) >= 1000 }},
	} {
		t.Run(strings.ReplaceAll(tc.expr, " ", "_"), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "f.pcap")
			c := startCapture(t, p.NSA, nil, append([]string{"-i", p.LinkA, "-w", out}, strings.Fields(tc.expr)...)...)
			inject(t, p, 0, total)
			time.Sleep(200 * time.Millisecond) // the last block's retire timer; not a timing assertion
			c.cmd.Process.Signal(syscall.SIGINT)
			if code, stderr := c.wait(t); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var want []uint32
			for i := uint32(0); i < total; i++ {
				if f, vid := netns.NumberedFrame(i); tc.keep(f, vid) {
					want = append(want, i)
				}
			}
			fh, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			r, err := pcapgo.NewReader(fh)
			if err != nil {
				t.Fatal(err)
			}
			var got []uint32
			for {
				data, _, err := r.ReadPacketData()
				if err != nil {
					break
				}
				if seq, ok := netns.SeqOf(data); ok {
					got = append(got, seq)
				}
			}
			if len(want) == 0 || len(got) != len(want) {
				t.Fatalf("kept %d frames, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("frame %d kept is seq %d, want %d", i, got[i], want[i])
				}
			}
		})
	}
}

// untagged is a frame's length as the kernel's filter sees it, without an
// outer VLAN tag.
func untagged(f []byte) int {
	if f[12] == 0x81 && f[13] == 0x00 {
		return len(f) - 4
	}
	return len(f)
}
