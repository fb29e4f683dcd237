package filter

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// equivExprs are compared with tcpdump on every test capture. They cover
// every primitive the compiler supports and their combinations.
var equivExprs = []string{
	// protocols
	"ip", "ip6", "arp", "rarp", "tcp", "udp", "icmp", "icmp6", "sctp", "igmp", "pim", "vrrp",
	"ah", "esp", "not ip", "ip or ip6", "tcp or udp", "!tcp && !udp", "not (tcp or udp or icmp)",
	// proto N and names
	"proto 6", "ip proto 17", "ip6 proto 17", "ip6 proto 58", "ip proto 47", "proto 132",
	"ip proto \\tcp", "ip proto \\udp", "proto \\icmp", "ip6 proto \\ipv6-icmp", "ip proto 103",
	"ether proto 0x88cc", "ether proto 0x8892", "ether proto \\ip", "ether proto \\arp",
	"ether proto \\ip6", "ether proto 0x8847", "ether proto \\stp", "ether proto 0x42",
	// hosts and nets
	"host 10.0.0.5", "src host 10.0.0.5", "dst host 10.0.0.5", "host 10.0.0.5 and host 10.0.0.6",
	"src and dst host 10.0.0.5", "src or dst host 10.0.0.6", "dst and src 10.0.0.1",
	"ip host 10.0.0.5", "arp host 10.0.0.1", "rarp host 0.0.0.0", "ip src 10.0.0.8",
	"host 192.168.1.10", "host 192.168.0.100", "host 10.0.0.5 and not host 10.0.0.6",
	"host 10.0.0.5 and not 10.0.0.6", "host 10.0.0.5 or 10.0.0.7", "src 10.0.0.5 or 10.0.0.6",
	"net 10.0.0.0/8", "net 192.168.0.0/16", "src net 10.0.0.0/24", "dst net 172.16.0.0/12",
	"net 10.0.0.0 mask 255.255.255.0", "net 192.168", "net 10", "host 10.0", "net 224.0.0.0/4",
	"ip6 host 2001:db8::5", "host 2001:db8::6", "src host 2001:db8::5", "dst host fe80::1",
	"ip6 net 2001:db8::/32", "net fe80::/10", "src net 2001:db8::/64", "net ff02::/16",
	"host 2001:db8::5 or host 10.0.0.5", "ip6 dst net ff00::/8",
	// ether
	"ether host 00:1b:1b:01:02:03", "ether src 00:1b:1b:01:02:03", "ether dst 00:0e:8c:0a:0b:0c",
	"ether src host 00-1b-1b-01-02-03", "ether dst 001b.1b01.0203", "ether host 0:e:8c:a:b:c",
	"ether broadcast", "broadcast", "ether multicast", "multicast", "ip multicast", "ip broadcast",
	"ip6 multicast", "ether dst ff:ff:ff:ff:ff:ff", "not broadcast and not multicast",
	// ports
	"port 502", "tcp port 502", "udp port 53", "port 53", "src port 502", "dst port 502",
	"tcp dst port 502", "udp src port 53", "port 502 or 20000", "port 502 or 503 or 102",
	"tcp port 80 or 443", "port http", "port https", "port domain", "tcp port ssh",
	"udp port ntp", "port 47808", "port 44818 or port 2222", "sctp port 2905", "sctp port 36412",
	"port 2404", "portrange 500-503", "tcp portrange 20000-20010", "udp portrange 40000-65535",
	"src portrange 1-1024", "dst portrange 1024-65535", "portrange 503-500", "port 0",
	"tcp src or dst port 502", "tcp src and dst port 502", "port 502 and not src port 502",
	"not port 22 and not port 53", "port 5353 or 137", "tcp and (port 80 or port 443)",
	"tcp port 502 and host 10.0.0.5", "host 10.0.0.5 and tcp port 502 or udp port 53",
	// vlan, mpls
	"vlan", "vlan 100", "vlan 200", "vlan and tcp", "vlan 100 and tcp port 502", "vlan and arp",
	"vlan 10 and vlan 20", "vlan and vlan 100", "vlan and vlan and udp", "vlan 0", "vlan 4095 and ip6",
	"not vlan", "vlan or arp", "tcp or vlan", "vlan and host 10.0.0.7", "vlan and mpls",
	"vlan 100 and mpls 16 and tcp", "mpls", "mpls 5", "mpls and ip", "mpls and ip6", "mpls and tcp",
	"mpls 5 and mpls 6", "mpls and mpls and udp", "mpls 1048575", "mpls and host 10.0.0.6",
	"mpls and port 502", "not mpls",
	// lengths
	"less 60", "greater 100", "less 100 and tcp", "len > 500", "len <= 60", "len = 60",
	"greater 1000", "len >= 1400 or less 20",
	// accessors, arithmetic, relations
	"tcp[tcpflags] & tcp-syn != 0", "tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)",
	"tcp[13] = 2", "tcp[tcpflags] & tcp-rst != 0", "tcp[tcpflags] & tcp-fin != 0",
	"tcp[tcpflags] & (tcp-ece|tcp-cwr) != 0", "tcp[tcpflags] & tcp-urg != 0", "tcp[tcpflags] == 0",
	"tcp[tcpflags] & tcp-push != 0 and tcp[tcpflags] & tcp-ack != 0",
	"icmp[icmptype] = icmp-echo", "icmp[icmptype] == icmp-echoreply", "icmp[icmptype] != icmp-echo and icmp[icmptype] != icmp-echoreply",
	"icmp[icmptype] = icmp-unreach and icmp[icmpcode] = 3", "icmp[0] = 11",
	"icmp6[icmp6type] = icmp6-echo", "icmp6[icmp6type] == icmp6-neighborsolicit", "icmp6[0] >= 128",
	"ip[0] & 0xf != 5", "ip[0] & 0xf > 5", "ip[6:2] & 0x1fff != 0", "ip[6] & 0x20 != 0",
	"ip[9] = 6", "ip[2:2] > 100", "ip[8] = 64", "ip[16:4] = 0xe00000fb", "ip[12:4] & 0xffffff00 = 0x0a000000",
	"ip6[6] = 17", "ip6[6] = 0 or ip6[6] = 44", "ip6[24] = 0xff", "ip6[7] == 64",
	"udp[0:2] = 53", "udp[2:2] = 53 or udp[0:2] = 53", "udp[4:2] > 20", "tcp[2:2] = 502",
	"tcp[0:2] = 502 or tcp[2:2] = 502", "tcp[12] >> 4 > 5", "tcp[(tcp[12] >> 4) * 4] = 0",
	"tcp[((tcp[12] & 0xf0) >> 2):2] = 0x0000", "sctp[0:2] = 2905", "arp[7] = 1", "arp[7] = 2", "arp[6:2] = 3",
	"rarp[7] = 3", "ether[0] & 1 != 0", "ether[12:2] = 0x88cc", "ether[0:4] = 0xffffffff",
	"ether[12:2] = 0x8100 and ether[14:2] & 0xfff = 100", "ether[6:4] = 0x001b1b01",
	"ether[len - 1] = 0", "ether[len - 4:4] != 0", "len - 14 > 100", "len * 2 > 200", "len / 2 < 40",
	"len % 7 = 3", "len & 1 = 1", "len | 1 = 61", "len ^ 0xff > 0xc0", "len << 1 > 120",
	"len >> 2 = 15", "-len < 0", "(len + 2) * 3 > 200", "2 + 3 * 4 = 14", "14 = 2 + 3 * 4",
	"ip[2:2] - (ip[0] & 0xf) * 4 - (tcp[12] >> 4) * 4 > 0", "ip[9] - 6 = 0", "ip[0] >> 4 = 4 and ip[9] + 0 = 17",
	"tcp[0:2] > tcp[2:2]", "udp[0:2] == udp[2:2]", "ip[2:2] != len - 14", "ip[1] = 0 && ip[8] > 1",
	"1 = 1", "not tcp[13] = 2", "! (ip[9] = 6)",
	// carried qualifiers and parenthesised ids
	"host (10.0.0.5 or 10.0.0.6)", "port (53 or 502)", "tcp port (80 or 443 or 502)",
	"host 10.0.0.5 and (10.0.0.6 or 10.0.0.9)", "src host 10.0.0.5 and not (10.0.0.6 or 10.0.0.1)",
	"(tcp or udp) and port 53", "((tcp))", "(ip) and (not tcp)", "ip and not (tcp or udp) and not icmp",
	"tcp or udp and port 53", "not tcp or udp", "ip6 or arp and not broadcast",
	"", "ip and ip and ip and ip", "ether src 00:1b:1b:01:02:03 and not arp",
	// programs long enough to need jumps split through unconditional ones
	"port 1 or port 2 or port 3 or port 4 or port 5 or port 6 or port 7 or port 8 or port 9 or port 10 or port 502",
	"(portrange 1-10 or portrange 20-30 or portrange 40-50 or portrange 500-503 or portrange 8000-8100) and not host 10.0.0.9",
	"host 10.0.0.1 or host 10.0.0.2 or host 10.0.0.3 or host 10.0.0.4 or host 10.0.0.5 or host 10.0.0.6 or host 10.0.0.7",
	"host 10.0.0.11 or 10.0.0.12 or 10.0.0.13 or 10.0.0.14 or 10.0.0.15 or 10.0.0.16 or 10.0.0.17 or 10.0.0.18 or 10.0.0.19 or 10.0.0.20 or 10.0.0.21 or 10.0.0.22 or 10.0.0.23 or 10.0.0.24 or 10.0.0.25 or 10.0.0.26 or 10.0.0.27 or 10.0.0.28 or 10.0.0.29 or 10.0.0.30 or 10.0.0.31 or 10.0.0.32 or 10.0.0.33 or 10.0.0.34 or 10.0.0.35 or 10.0.0.36 or 10.0.0.37 or 10.0.0.38 or 10.0.0.39 or 10.0.0.40 or 10.0.0.5",
	"tcp port 1 or 2 or 3 or 4 or 5 or 6 or 7 or 8 or 9 or 10 or 11 or 12 or 13 or 14 or 15 or 16 or 17 or 18 or 19 or 20 or 21 or 22 or 23 or 24 or 25 or 26 or 27 or 28 or 29 or 30 or 502",
	// ports and ranges by name, names with dashes, escaped names
	"port ftp-data or port ftp", "portrange ftp-data-ssh", "tcp portrange 20-22", "port \\domain",
	"ether proto \\loopback", "ether proto \\netbeui", "ether proto \\iso", "link proto \\arp",
	"link src 00:1b:1b:01:02:03", "ether host 00:1b:1b:01:02:03 and ether dst ff:ff:ff:ff:ff:ff",
	"ip6 src host 2001:db8::5 and ip6 dst host 2001:db8::6", "ip6 host ::ffff:10.0.0.5", "net 0.0.0.0/0",
	"ip6 net ::/0", "dst net 10.0.0.0 mask 255.255.0.0", "host 10.0.0.5 && (udp || icmp)",
}

// capture is one test capture and its packets.
type capture struct {
	path    string
	link    layers.LinkType
	packets []capPacket
}

type capPacket struct {
	data []byte
	ci   gopacket.CaptureInfo
}

func readCapture(path string) (*capture, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c := &capture{path: path}
	var r interface {
		ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	}
	if pr, err := pcapgo.NewReader(f); err == nil {
		r, c.link = pr, pr.LinkType()
	} else {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		nr, err := pcapgo.NewNgReader(f, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			return nil, fmt.Errorf("%s: neither pcap nor pcapng: %w", path, err)
		}
		r, c.link = nr, nr.LinkType()
	}
	for {
		d, ci, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return c, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		c.packets = append(c.packets, capPacket{append([]byte(nil), d...), ci})
	}
}

func testCaptures(t testing.TB) []*capture {
	t.Helper()
	var paths []string
	for _, g := range []string{"testdata/*.pcap", "testdata/corpus/*.pcap", "testdata/corpus/*.pcapng"} {
		m, err := filepath.Glob(g)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	if len(paths) < 30 {
		t.Fatalf("only %d test captures found", len(paths))
	}
	var cs []*capture
	for _, p := range paths {
		c, err := readCapture(p)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	return cs
}

func optionsFor(c *capture) Options {
	if c.link == layers.LinkTypeLinuxSLL {
		return Options{LinkType: LinkTypeLinuxSLL}
	}
	return Options{LinkType: LinkTypeEthernet}
}

// tcpdumpKept runs tcpdump on c with expr and returns the indices of the
// packets it writes out; ok is false when tcpdump rejects the expression.
func tcpdumpKept(c *capture, expr string, dir string) (idx []int, ok bool, msg string, err error) {
	out := filepath.Join(dir, "out.pcap")
	cmd := exec.Command("tcpdump", "-r", c.path, "-w", out, "--", expr)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return nil, false, "", fmt.Errorf("running tcpdump: %w", err)
		}
		return nil, false, strings.TrimSpace(stderr.String()), nil
	}
	kept, err := readCapture(out)
	if err != nil {
		return nil, false, "", fmt.Errorf("reading tcpdump output for %q on %s: %w", expr, c.path, err)
	}
	j := 0
	for _, k := range kept.packets {
		// The filter is a function of the bytes and the wire length, so
		// matching greedily on those finds the kept packets' indices
		// (tcpdump rewrites pcapng nanosecond timestamps as microseconds).
		for j < len(c.packets) && !(bytes.Equal(c.packets[j].data, k.data) && c.packets[j].ci.Length == k.ci.Length) {
			j++
		}
		if j == len(c.packets) {
			return nil, false, "", fmt.Errorf("tcpdump wrote a packet for %q on %s that is not in the input", expr, c.path)
		}
		idx = append(idx, j)
		j++
	}
	return idx, true, "", nil
}

func diffIdx(a, b []int) (onlyA, onlyB []int) {
	in := map[int]bool{}
	for _, x := range b {
		in[x] = true
	}
	for _, x := range a {
		if !in[x] {
			onlyA = append(onlyA, x+1)
		}
	}
	in = map[int]bool{}
	for _, x := range a {
		in[x] = true
	}
	for _, x := range b {
		if !in[x] {
			onlyB = append(onlyB, x+1)
		}
	}
	return
}

// combined is every test capture of one link type written into one file,
// so that tcpdump runs once per expression and link type.
type combined struct {
	path   string
	opts   Options
	origin []string // per packet: "file.pcap#N"
	pkts   []capPacket
}

func combine(t *testing.T, caps []*capture) []*combined {
	t.Helper()
	var out []*combined
	for _, lt := range []layers.LinkType{layers.LinkTypeEthernet, layers.LinkTypeLinuxSLL} {
		cb := &combined{path: filepath.Join(t.TempDir(), fmt.Sprintf("all-%d.pcap", lt))}
		f, err := os.Create(cb.path)
		if err != nil {
			t.Fatal(err)
		}
		w := pcapgo.NewWriter(f)
		if err := w.WriteFileHeader(262144, lt); err != nil {
			t.Fatal(err)
		}
		for _, c := range caps {
			if c.link != lt {
				continue
			}
			cb.opts = optionsFor(c)
			for i, p := range c.packets {
				if err := w.WritePacket(p.ci, p.data); err != nil {
					t.Fatal(err)
				}
				cb.origin = append(cb.origin, fmt.Sprintf("%s#%d", filepath.Base(c.path), i+1))
				cb.pkts = append(cb.pkts, p)
			}
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if len(cb.pkts) > 0 {
			out = append(out, cb)
		}
	}
	// Raw IP (tun, WireGuard) and BSD loopback (Npcap's loopback adapter)
	// captures: the IP packets of the untagged Ethernet frames, bare or
	// behind a 4-byte little-endian address family (IPv6 cycles through
	// the three BSD values 24, 28 and 30).
	for _, lt := range []layers.LinkType{layers.LinkTypeRaw, layers.LinkTypeNull} {
		cb := &combined{path: filepath.Join(t.TempDir(), fmt.Sprintf("all-%d.pcap", lt)), opts: Options{LinkType: FromPcap(uint32(lt))}}
		f, err := os.Create(cb.path)
		if err != nil {
			t.Fatal(err)
		}
		w := pcapgo.NewWriter(f)
		if err := w.WriteFileHeader(262144, lt); err != nil {
			t.Fatal(err)
		}
		n6 := 0
		for _, c := range caps {
			if c.link != layers.LinkTypeEthernet {
				continue
			}
			for i, p := range c.packets {
				if len(p.data) < 15 {
					continue
				}
				var af uint32
				switch et := uint16(p.data[12])<<8 | uint16(p.data[13]); et {
				case 0x0800:
					af = 2
				case 0x86dd:
					af = []uint32{24, 28, 30}[n6%3]
					n6++
				default:
					continue
				}
				d := append([]byte(nil), p.data[14:]...)
				ci := p.ci
				ci.CaptureLength, ci.Length = len(d), ci.Length-14
				if lt == layers.LinkTypeNull {
					d = append([]byte{byte(af), 0, 0, 0}, d...)
					ci.CaptureLength, ci.Length = ci.CaptureLength+4, ci.Length+4
				}
				if err := w.WritePacket(ci, d); err != nil {
					t.Fatal(err)
				}
				cb.origin = append(cb.origin, fmt.Sprintf("%s#%d", filepath.Base(c.path), i+1))
				cb.pkts = append(cb.pkts, capPacket{d, ci})
			}
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if len(cb.pkts) < 100 {
			t.Fatalf("only %d IP packets for link type %d", len(cb.pkts), lt)
		}
		out = append(out, cb)
	}
	return out
}

func names(cb *combined, idx []int) string {
	var s []string
	for _, i := range idx {
		s = append(s, cb.origin[i-1])
	}
	if len(s) > 12 {
		s = append(s[:12], fmt.Sprintf("... (%d more)", len(s)-12))
	}
	return strings.Join(s, " ")
}

// TestEquivalenceWithTcpdump checks that for every expression and every
// capture, the Matcher keeps exactly the packets tcpdump keeps.
func TestEquivalenceWithTcpdump(t *testing.T) {
	if _, err := exec.LookPath("tcpdump"); err != nil {
		t.Fatalf("tcpdump is required (apt-get install -y tcpdump): %v", err)
	}
	if len(equivExprs) < 150 {
		t.Fatalf("only %d expressions", len(equivExprs))
	}
	caps := testCaptures(t)
	all := combine(t, caps)
	type job struct {
		expr string
		cb   *combined
	}
	jobs := make(chan job)
	var mu sync.Mutex
	compared, rejectedBoth, packets := 0, 0, 0
	var wg sync.WaitGroup
	for w := 0; w < runtime.NumCPU()+1; w++ {
		wg.Add(1)
		dir := t.TempDir()
		go func() {
			defer wg.Done()
			for j := range jobs {
				c := &capture{path: j.cb.path, packets: j.cb.pkts}
				want, tdOK, tdMsg, err := tcpdumpKept(c, j.expr, dir)
				if err != nil {
					t.Error(err)
					continue
				}
				prog, err := Compile(j.expr, j.cb.opts)
				lt := j.cb.opts.LinkType
				if err != nil || !tdOK {
					mu.Lock()
					switch {
					case err != nil && !tdOK:
						rejectedBoth++
					case err != nil:
						t.Errorf("%q (link type %d): we reject (%v) but tcpdump accepts", j.expr, lt, err)
					default:
						t.Errorf("%q (link type %d): tcpdump rejects (%s) but we accept", j.expr, lt, tdMsg)
					}
					mu.Unlock()
					continue
				}
				m, err := NewMatcher(prog)
				if err != nil {
					t.Errorf("%q: NewMatcher: %v", j.expr, err)
					continue
				}
				var got []int
				for i, p := range j.cb.pkts {
					if m.MatchLen(p.data, p.ci.Length) {
						got = append(got, i)
					}
				}
				onlyUs, onlyTd := diffIdx(got, want)
				mu.Lock()
				compared++
				packets += len(j.cb.pkts)
				if len(onlyUs) > 0 || len(onlyTd) > 0 {
					t.Errorf("%q (link type %d): we keep %d, tcpdump keeps %d packets\n\tkept only by us: %s\n\tkept only by tcpdump: %s",
						j.expr, lt, len(got), len(want), names(j.cb, onlyUs), names(j.cb, onlyTd))
				}
				mu.Unlock()
			}
		}()
	}
	for _, e := range equivExprs {
		for _, cb := range all {
			jobs <- job{e, cb}
		}
	}
	close(jobs)
	wg.Wait()
	npk := 0
	for _, cb := range all {
		npk += len(cb.pkts)
	}
	t.Logf("%d expressions x %d captures (%d packets in %d link-type groups): %d expression/link-type pairs compared packet by packet (%d packet verdicts), %d rejected by both",
		len(equivExprs), len(caps), npk, len(all), compared, packets, rejectedBoth)
}

func init() {
	// Long programs whose jumps to the returns exceed 255 instructions, so
	// that they go through the split into unconditional jumps.
	var hosts, ports []string
	for i := 100; i > 0; i-- {
		hosts = append(hosts, fmt.Sprintf("10.0.0.%d", i))
		ports = append(ports, fmt.Sprint(i*7))
	}
	equivExprs = append(equivExprs,
		"host "+strings.Join(hosts, " or ")+" or 192.168.1.10",
		"not (port "+strings.Join(ports, " or ")+") and not port 502")
}
