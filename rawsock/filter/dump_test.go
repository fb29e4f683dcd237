package filter

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/net/bpf"
)

// parseDD parses `tcpdump -dd` output.
func parseDD(t *testing.T, text string) []bpf.RawInstruction {
	t.Helper()
	var raw []bpf.RawInstruction
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var r bpf.RawInstruction
		if _, err := fmt.Sscanf(line, "{ 0x%x, %d, %d, 0x%x },", &r.Op, &r.Jt, &r.Jf, &r.K); err != nil {
			t.Fatalf("parsing %q: %v", line, err)
		}
		raw = append(raw, r)
	}
	return raw
}

func tcpdumpOut(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("tcpdump", args...).Output()
	if err != nil {
		t.Fatalf("tcpdump %v: %v", args, err)
	}
	return string(out)
}

// TestDumpMatchesTcpdump renders programs compiled by tcpdump (read from
// its -dd output) with our Dump and compares the text with its -d and -dd.
func TestDumpMatchesTcpdump(t *testing.T) {
	if _, err := exec.LookPath("tcpdump"); err != nil {
		t.Fatalf("tcpdump is required (apt-get install -y tcpdump): %v", err)
	}
	for _, e := range []string{
		"tcp port 502 and host 10.0.0.5", "vlan 100 and udp", "less 100", "len > 5",
		"tcp[tcpflags] & (tcp-syn|tcp-ack) != 0", "ether host 00:1b:1b:01:02:03", "ip6 net 2001:db8::/32",
		"icmp[0] * 2 + 1 - len / 3 % 5 > (ip[2:2] << 1 >> 2 ^ 7 | 1)", "-ip[0] = 0", "portrange 1-1024",
		"ip broadcast", "mpls 5 and mpls 6 and ip", "",
	} {
		for _, opt := range [][]string{{"-O"}, {}} {
			args := append(append([]string{}, opt...), "--", e)
			dd := tcpdumpOut(t, append([]string{"-dd"}, args...)...)
			d := tcpdumpOut(t, append([]string{"-d"}, args...)...)
			raw := parseDD(t, dd)
			var got strings.Builder
			for i, r := range raw {
				got.WriteString(image(r, i) + "\n")
			}
			if got.String() != d {
				t.Errorf("%q %v: -d differs\ngot:\n%s\ntcpdump:\n%s", e, opt, got.String(), d)
			}
			ins, ok := bpf.Disassemble(raw)
			if !ok {
				t.Errorf("%q: x/net/bpf cannot disassemble tcpdump's program", e)
				continue
			}
			var buf bytes.Buffer
			if err := (Program{Expr: e, Instructions: ins}).Dump(&buf, DumpC); err != nil {
				t.Fatal(err)
			}
			// libpcap leaves stray K values in tax/txa; they carry no meaning
			// and do not survive x/net/bpf's disassembly.
			var norm strings.Builder
			for _, line := range strings.SplitAfter(dd, "\n") {
				if strings.HasPrefix(line, "{ 0x7, ") || strings.HasPrefix(line, "{ 0x87, ") {
					line = line[:strings.LastIndex(line, "0x")] + "0x00000000 },\n"
				}
				norm.WriteString(line)
			}
			if buf.String() != norm.String() {
				t.Errorf("%q %v: -dd differs\ngot:\n%s\ntcpdump:\n%s", e, opt, buf.String(), norm.String())
			}
		}
	}
}

// TestDumpOwnProgram checks programs of ours whose unoptimized shape is
// the same as tcpdump's unoptimized (-O) one.
func TestDumpOwnProgram(t *testing.T) {
	if _, err := exec.LookPath("tcpdump"); err != nil {
		t.Fatalf("tcpdump is required (apt-get install -y tcpdump): %v", err)
	}
	for _, e := range []string{"host 10.0.0.5", "tcp port 80", "ether src 00:1b:1b:01:02:03", "vlan 100", "ip6 host ::1"} {
		p, err := Compile(e, Options{NoOptimize: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, style := range []struct {
			s    DumpStyle
			flag string
		}{{DumpReadable, "-d"}, {DumpC, "-dd"}, {DumpDecimal, "-ddd"}} {
			var buf bytes.Buffer
			if err := p.Dump(&buf, style.s); err != nil {
				t.Fatal(err)
			}
			want := tcpdumpOut(t, "-O", style.flag, "--", e)
			if buf.String() != want {
				t.Errorf("%q %s:\ngot:\n%s\ntcpdump -O:\n%s", e, style.flag, buf.String(), want)
			}
		}
	}
}

// TestDumpOptimizedLikeTcpdump checks that for common filters our
// optimized program is instruction for instruction the one tcpdump -d
// prints.
func TestDumpOptimizedLikeTcpdump(t *testing.T) {
	if _, err := exec.LookPath("tcpdump"); err != nil {
		t.Fatalf("tcpdump is required (apt-get install -y tcpdump): %v", err)
	}
	for _, e := range []string{"ip", "udp", "arp", "icmp", "tcp port 80", "vlan 100", "ip6 host ::1",
		"ether src 00:1b:1b:01:02:03", "tcp[13] = 2"} {
		p, err := Compile(e, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := p.Dump(&buf, DumpReadable); err != nil {
			t.Fatal(err)
		}
		if want := tcpdumpOut(t, "-d", "--", e); buf.String() != want {
			t.Errorf("%q:\ngot:\n%s\ntcpdump -d:\n%s", e, buf.String(), want)
		}
	}
}
