//go:build linux

package e2e

import (
	be "encoding/binary"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/wirebom/wirebom/internal/netns"
)

// tunPacket is packet seq: IPv4 (even seq) or IPv6 (odd) UDP to port
// 5000+seq, whose payload is "wb" and the 4-byte sequence number.
func tunPacket(t *testing.T, seq uint32) []byte {
	t.Helper()
	udp := &layers.UDP{SrcPort: 4000, DstPort: layers.UDPPort(5000 + seq)}
	var nl gopacket.SerializableLayer
	if seq%2 == 0 {
		ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: layers.IPProtocolUDP,
			SrcIP: net.IPv4(10, 9, 0, 1).To4(), DstIP: net.IPv4(10, 9, 0, 2).To4()}
		udp.SetNetworkLayerForChecksum(ip) //nolint:errcheck // IPv4 is a network layer
		nl = ip
	} else {
		ip := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolUDP,
			SrcIP: net.ParseIP("fd00:9::1"), DstIP: net.ParseIP("fd00:9::2")}
		udp.SetNetworkLayerForChecksum(ip) //nolint:errcheck // IPv6 is a network layer
		nl = ip
	}
	buf := gopacket.NewSerializeBuffer()
	payload := be.BigEndian.AppendUint32([]byte("wb"), seq)
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, nl, udp, gopacket.Payload(payload)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCaptureTunIsRawIP captures on a tun interface with `wirebom capture
// -w` and checks with tshark that the file is Raw IP (LINKTYPE_RAW) with
// every packet written into the tun, in order.
func TestCaptureTunIsRawIP(t *testing.T) {
	const total = 60
	for _, name := range []string{"tun.pcap", "tun.pcapng"} {
		t.Run(name, func(t *testing.T) {
			p := netns.New(t)
			tun := netns.NewTun(t, p.NSA, "wbtun0", 0)
			out := filepath.Join(t.TempDir(), name)
			c := startCapture(t, p.NSA, nil, "-i", "wbtun0", "-w", out, "-c", fmt.Sprint(total))
			for i := uint32(0); i < total; i++ {
				if _, err := tun.Write(tunPacket(t, i)); err != nil {
					t.Fatal(err)
				}
			}
			code, stderr := c.wait(t)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(stderr, "link-type RAW (Raw IP)") {
				t.Errorf("listening line does not name the link type: %s", stderr)
			}
			lines := tsharkFields(t, out, "frame.protocols", "frame.len", "udp.dstport", "data.data")
			if len(lines) != total {
				t.Fatalf("tshark reads %d packets, want %d", len(lines), total)
			}
			for i, l := range lines {
				want := tunPacket(t, uint32(i))
				ipName := "ip"
				if i%2 == 1 {
					ipName = "ipv6"
				}
				wantLine := fmt.Sprintf("raw:%s:udp:data\t%d\t%d\t7762%08x", ipName, len(want), 5000+i, i)
				if l != wantLine {
					t.Fatalf("packet %d: tshark says\n%q, want\n%q", i+1, l, wantLine)
				}
			}
		})
	}
}

// TestCaptureTunPrintsIP: without -w, packets on a tun print as IP lines
// (there are no MAC addresses to print).
func TestCaptureTunPrintsIP(t *testing.T) {
	p := netns.New(t)
	tun := netns.NewTun(t, p.NSA, "wbtun0", 0)
	c := startCapture(t, p.NSA, nil, "-i", "wbtun0", "-c", "2")
	for i := uint32(0); i < 2; i++ {
		if _, err := tun.Write(tunPacket(t, i)); err != nil {
			t.Fatal(err)
		}
	}
	outb := make([]byte, 4096)
	n, _ := c.stdout.Read(outb)
	for n < len(outb) && strings.Count(string(outb[:n]), "\n") < 2 {
		m, err := c.stdout.Read(outb[n:])
		n += m
		if err != nil {
			break
		}
	}
	if code, stderr := c.wait(t); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got := string(outb[:n])
	for _, want := range []string{" IP 10.9.0.1 > 10.9.0.2, proto 17, length 34\n", " IP6 fd00:9::1 > fd00:9::2, next-header 17, length 54\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

// TestCaptureTunFilter: a filter on a tun interface is compiled for Raw IP:
// -d prints what tcpdump -d prints for the same interface, and "ip6 and
// udp" keeps exactly the IPv6 packets.
func TestCaptureTunFilter(t *testing.T) {
	p := netns.New(t)
	tun := netns.NewTun(t, p.NSA, "wbtun0", 0)
	// Expressions whose program is the same instruction for instruction
	// (elsewhere our optimizer may reuse a loaded value where libpcap
	// reloads it: rawsock/filter's equivalence test compares verdicts).
	for _, expr := range []string{"ip6 and udp", "ip", "ip[9] = 17"} {
		want, err := netns.Command(p.NSA, "tcpdump", "-d", "-i", "wbtun0", expr).Output()
		if err != nil {
			t.Fatalf("tcpdump -d -i wbtun0 %s: %v", expr, err)
		}
		got, err := netns.Command(p.NSA, binary, "capture", "-d", "-i", "wbtun0", expr).CombinedOutput()
		if err != nil || string(got) != string(want) {
			t.Errorf("%q: wirebom capture -d (%v):\n%s\ntcpdump -d:\n%s", expr, err, got, want)
		}
	}
	out, err := netns.Command(p.NSA, binary, "capture", "-i", "wbtun0", "vlan").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "no VLAN support for Raw IP") {
		t.Errorf("capture -i tun vlan: %v: %s", err, out)
	}

	const total = 20
	file := filepath.Join(t.TempDir(), "tun6.pcap")
	c := startCapture(t, p.NSA, nil, "-i", "wbtun0", "-w", file, "-c", fmt.Sprint(total/2), "ip6 and udp")
	for i := uint32(0); i < total; i++ {
		if _, err := tun.Write(tunPacket(t, i)); err != nil {
			t.Fatal(err)
		}
	}
	if code, stderr := c.wait(t); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := tsharkFields(t, file, "frame.protocols", "udp.dstport")
	if len(lines) != total/2 {
		t.Fatalf("tshark reads %d packets, want %d", len(lines), total/2)
	}
	for i, l := range lines {
		if want := fmt.Sprintf("raw:ipv6:udp:data\t%d", 5000+2*i+1); l != want {
			t.Errorf("packet %d: %q, want %q", i+1, l, want)
		}
	}
}
