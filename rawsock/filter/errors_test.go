package filter

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// TestSyntaxErrorColumns checks the column and message of errors; each
// column is the 1-based position of the offending token in the string.
func TestSyntaxErrorColumns(t *testing.T) {
	cases := []struct {
		expr string
		col  int
		msg  string
	}{
		{"tcp port 502 and host and", 23, `expected a host address, found "and"`},
		{"host", 5, "expected a host address, found end of expression"},
		{"tcp port", 9, "expected a port, found end of expression"},
		{"port 80 or", 11, "found end of expression"},
		{"and", 1, `found "and"`},
		{"(tcp", 5, `expected ")"`},
		{"tcp)", 4, "unbalanced parenthesis"},
		{"host 10.0.0.5 10.0.0.6", 15, `found "10.0.0.6"`},
		{"host plc1", 6, "host names are not resolved; use an address"},
		{"tcp port 502 and host plc1.example", 23, "host names are not resolved; use an address"},
		{"ether host plc1", 12, "not resolved; use a MAC address"},
		{"net office", 5, "network names are not resolved"},
		{"port nosuchservice", 6, "unknown port 'nosuchservice'"},
		{"port 70000", 6, "illegal port number 70000 > 65535"},
		{"udp port ssh", 10, "port 'ssh' is tcp"},
		{"ip port 80", 9, "illegal qualifier of 'port'"},
		{"tcp host 10.0.0.5", 10, "'tcp' modifier applied to host"},
		{"ip host ::1", 9, "'ip' modifier applied to ip6 host"},
		{"host 00:1b:1b:01:02:03", 6, "ethernet address used in non-ether expression"},
		{"net 10.0.0.1/8", 5, `non-network bits set in "10.0.0.1/8"`},
		{"net 10.0.0.0/33", 14, "mask length must be <= 32"},
		{"host 10.0.0.0/8", 6, "mask syntax for networks only"},
		{"net ::1/64", 5, `non-network bits set in "::1/64"`},
		{"tcp[13:3] = 1", 8, "data size must be 1, 2, or 4"},
		{"ip[0] / 0 = 1", 7, "division by zero"},
		{"ip[0] % 0 = 1", 7, "modulus by zero"},
		{"ip[0] << 32 = 1", 7, "shift by more than 31 bits"},
		{"tcp[13]", 8, "expected a comparison operator"},
		{"vlan 5000", 6, "VLAN tag 5000 greater than maximum 4095"},
		{"mpls 1048576", 6, "MPLS label 1048576 greater than maximum 1048575"},
		{"mpls and vlan", 10, "no VLAN match after MPLS"},
		{"mpls and arp", 10, "unsupported protocol over mpls"},
		{"tcp and 80", 9, "needs a qualifier"},
		{"99999999999 > 1", 1, "number 99999999999 overflows 32 bits"},
		{"ip6 broadcast", 5, "only link-layer/IP broadcast filters supported"},
		{"ether proto nosuch", 13, "unknown ether proto 'nosuch'"},
		{"ip proto \\icmp6", 10, "unknown ip proto 'icmp6'"},
		{"gateway router", 1, "gateway is not supported"},
		{"tcp and protochain 6", 9, "protochain is not supported"},
		{"inbound", 1, "inbound is not supported"},
		{"ether proto \\ipx", 13, "ether proto ipx is not supported"},
		{"tcp # comment", 5, "unexpected character '#'"},
		{"host ::1::2", 6, "unexpected character ':'"},
	}
	for _, c := range cases {
		_, err := Compile(c.expr, Options{})
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: got %v, want a *SyntaxError", c.expr, err)
			continue
		}
		if se.Column != c.col || !strings.Contains(se.Msg, c.msg) {
			t.Errorf("%q: got column %d %q, want column %d containing %q", c.expr, se.Column, se.Msg, c.col, c.msg)
		}
		if want := "syntax error at column "; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: Error() = %q, want prefix %q", c.expr, err.Error(), want)
		}
	}
}

func TestRejectsAllAndTooComplex(t *testing.T) {
	for _, e := range []string{"tcp and udp", "ip and arp", "1 = 2", "tcp[13] = 2 and tcp[13] = 3", "(tcp or udp) and icmp"} {
		if _, err := Compile(e, Options{}); !errors.Is(err, ErrRejectsAll) {
			t.Errorf("%q: got %v, want ErrRejectsAll", e, err)
		}
	}
	var hosts []string
	for i := 0; i < 600; i++ {
		hosts = append(hosts, fmt.Sprintf("host 10.0.%d.%d", i/250, i%250+1))
	}
	if _, err := Compile(strings.Join(hosts, " or "), Options{}); !errors.Is(err, ErrTooComplex) {
		t.Errorf("600 hosts: got %v, want ErrTooComplex", err)
	}
	if _, err := Compile("tcp", Options{LinkType: 105}); !errors.Is(err, ErrUnsupportedLinkType) {
		t.Errorf("link type 105: got %v, want ErrUnsupportedLinkType", err)
	}
}

// acceptanceExprs are checked against tcpdump's exit status: we must
// reject exactly what tcpdump rejects (for DLT_EN10MB).
var acceptanceExprs = []string{
	"tcp port 502 and host and", "host", "port", "tcp port", "port 80 or", "and", "tcp and", "(tcp",
	"tcp)", "((tcp) or udp", "host 10.0.0.5 10.0.0.6", "port foo", "port 70000", "portrange 10-",
	"portrange 70000-80000", "udp port ssh", "tcp port domain", "ip port 80", "icmp port 80",
	"tcp host 10.0.0.5", "ip host ::1", "ip6 host 10.0.0.5", "host 1:2:3:4:5:6", "ether host 10.0.0.5",
	"net 10.0.0.1/8", "net 10.0.0.0/33", "net 10.0.0.0 mask 255.0.0", "host 10.0.0.0/8", "host ::1/64",
	"net ::1/64", "tcp[13]", "tcp[13] = ", "tcp[13:3] = 1", "tcp[] = 1", "ip[0] / 0 = 1", "ip[0] % 0 = 1",
	"ip[0] << 32 = 1", "ip[0] >> 40 = 1", "1 / 0 = 1", "len-1 > 0", "len - 1 > 0", "vlan 5000",
	"mpls 1048576", "mpls and vlan", "mpls and arp", "ether proto foo", "ip proto foo", "ip proto \\icmp6",
	"ip6 proto \\ipv6-icmp", "proto \\tcp", "ether proto \\ip6", "ether proto \\atalkarp", "ether proto \\loopback",
	"10.0.0.5", "80", "tcp and 80", "ether[0] = 1 and", "! ", "not", "tcp or or udp", "tcp &&& udp",
	"tcp == udp", "src", "src and dst", "src or dst 10.0.0.1", "dst and src host 10.0.0.1",
	"src port 80 or dst 443", "host 10.0.0.5 and (10.0.0.6 or port 80)", "tcp port (80 or 443",
	"99999999999 > 1", "0x1ffffffff > 1", "09 = 9", "07 = 7", "ip broadcast", "ip6 broadcast",
	"tcp broadcast", "arp multicast", "less", "less foo", "greater 10 20",
	"tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack = 0", "icmp[icmptype] = icmp-foo",
	"ether src host", "link host 1:2:3:4:5:6", "ether[1:2]=1", "ip[1:2]=1 and ip6[0]=1",
	"arp[0:4] = 1 and rarp[0] = 1", "sctp[0]=1", "udp[0]=1 and tcp[0]=1", "igmp", "ah", "esp", "pim",
	"vrrp", "carp", "igrp", "ip proto 300", "ether proto 70000", "ip6 proto 256", "port -1",
	"host 256.1.1.1", "host 1.2.3.4.5", "net 10.0.0.0/8/8", "ether host 1:2:3:4:5",
	"ether host 1:2:3:4:5:6:7", "host ::1::2", "host 2001:db8::g", " tcp ", "tcp\tand\tudp",
	"ip and ip6[0] = 1", "len", "-", "tcp[-1] = 0", "tcp[1 + 1] = 0", "(1 + 2) * 3 = 9", "(len) > 5",
	"((len > 5))", "(tcp[0] + 1) > 5", "not (tcp[13] & 2 != 0)", "\\tcp", "port \\http",
	"tcp and udp", "ip and arp", "ip and not ip", "icmp and port 80", "host 1.2.3.4 and ip6",
	"not ip and tcp", "ip or 1 = 2", "vlan 1 and vlan 2", "1 = 2", "0 != 0", "not (1 = 1)",
	"ether proto 0x800 and ether proto 0x806", "len = 5 and len = 6", "ip6 net ::/0",
	"host ::ffff:1.2.3.4", "dst host ::", "portrange 503-500", "port 0", "net 0.0.0.0/0",
	"ip[0:1] & 0xf0 = 0x40 or ip6", "icmp6 and icmp6[icmp6type] = icmp6-echo", "tcp portrange ftp-data-ssh",
	"portrange ssh-http", "ether proto \\stp and not stp", "vlan and vlan 4095 and vlan 0",
	"mpls 0 and mpls 1 and mpls 2 and ip6", "tcp[tcpflags] = tcp-syn|tcp-ack", "len < 0",
	"ip && (tcp || udp) && !icmp", "host 10.0.0.5 and not 10.0.0.6 and not 10.0.0.7",
	"(host 10.0.0.5) and 10.0.0.6", "ip[0]%-0=0", "ip[0] / (1 - 1) = 0", "ip[0] >> (30 + 5) = 0",
	"ip[0] << -1 = 0", "ip[0] / (0 * len) = 0", "ip[0] / (len & 0) = 0", "0 / 0 = 0",
	"ip[0] % (len - len) = 1", "ip[0]/(1-1)=0",
}

func TestAcceptsExactlyWhatTcpdumpAccepts(t *testing.T) {
	if _, err := exec.LookPath("tcpdump"); err != nil {
		t.Fatalf("tcpdump is required (apt-get install -y tcpdump): %v", err)
	}
	for _, e := range acceptanceExprs {
		out, tdErr := exec.Command("tcpdump", "-d", "--", e).CombinedOutput()
		_, err := Compile(e, Options{})
		switch {
		case err != nil && tdErr == nil:
			t.Errorf("%q: we reject (%v) but tcpdump accepts", e, err)
		case err == nil && tdErr != nil:
			t.Errorf("%q: we accept but tcpdump rejects: %s", e, strings.TrimSpace(string(out)))
		}
	}
}

// TestNoMACErrorsMatchTcpdump: on Raw IP and BSD loopback captures, the
// primitives that need a MAC header fail with tcpdump's own message, and
// link-layer protocols other than IP reject every packet, as in tcpdump.
func TestNoMACErrorsMatchTcpdump(t *testing.T) {
	if _, err := exec.LookPath("tcpdump"); err != nil {
		t.Fatalf("tcpdump is required (apt-get install -y tcpdump): %v", err)
	}
	exprs := []string{
		"ether host 00:01:02:03:04:05", "ether src 00:1b:1b:01:02:03", "vlan", "vlan 100 and ip", "mpls",
		"mpls 5", "broadcast", "multicast", "ether broadcast", "ether multicast", "arp", "rarp",
		"ether proto 0x88cc", "ether proto \\loopback", "arp host 10.0.0.1", "link proto \\arp", "ip and vlan",
	}
	for _, lt := range []layers.LinkType{layers.LinkTypeRaw, layers.LinkTypeNull} {
		path := filepath.Join(t.TempDir(), "empty.pcap")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := pcapgo.NewWriter(f).WriteFileHeader(262144, lt); err != nil {
			t.Fatal(err)
		}
		f.Close()
		for _, e := range exprs {
			out, tdErr := exec.Command("tcpdump", "-r", path, "-d", "--", e).CombinedOutput()
			_, err := Compile(e, Options{LinkType: FromPcap(uint32(lt))})
			if tdErr == nil || err == nil {
				t.Errorf("%q (link type %d): tcpdump error %v, ours %v: want both to fail", e, lt, tdErr, err)
				continue
			}
			var msg string
			for _, l := range strings.Split(string(out), "\n") {
				if m, ok := strings.CutPrefix(l, "tcpdump: "); ok {
					msg = m
				}
			}
			if msg == "" || !strings.Contains(err.Error(), msg) {
				t.Errorf("%q (link type %d): we say %q, tcpdump says %q", e, lt, err, msg)
			}
		}
	}
}
