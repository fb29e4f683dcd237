package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/pcapgo"
)

// packetsOf returns the packets of a pcap file, bytes and original length.
func packetsOf(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []string
	for {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, fmt.Sprintf("%x/%d", data, ci.Length))
	}
}

// TestReadFilterMatchesTcpdump runs `wirebom read -r F -w OUT EXPR` and
// `tcpdump -r F -w OUT EXPR` on the same captures and compares the packets
// each keeps (rawsock/filter's own test covers hundreds of expressions at
// the library level; this one covers the command).
func TestReadFilterMatchesTcpdump(t *testing.T) {
	files := []string{"s7comm_szl_ident_snap7.pcap", "vlan_qinq_arp.pcap", "modbus_small_zeek.pcap",
		"pn_dcp_vlan_odd_name.pcap", "lldp_and_cdp.pcap", "dns_udp.pcap", "enip_cip_example.pcap"}
	exprs := []string{
		"tcp port 502", "tcp port 102 and tcp[tcpflags] & tcp-push != 0", "vlan", "vlan and arp",
		"ether proto 0x8892", "udp port 53 or arp", "not ip", "ether multicast", "greater 200",
		"host 10.0.0.57 and not port 502", "ip[8] < 128", "net 192.168.0.0/16",
	}
	dir := t.TempDir()
	for _, file := range files {
		in := pcapPath(file)
		for _, expr := range exprs {
			ours := filepath.Join(dir, "ours.pcap")
			theirs := filepath.Join(dir, "tcpdump.pcap")
			_, errs, code := runWirebom(t, append([]string{"read", "-r", in, "-w", ours}, strings.Fields(expr)...)...)
			if code != 0 {
				t.Fatalf("wirebom read %s %q: exit %d: %s", file, expr, code, errs)
			}
			var stderr bytes.Buffer
			cmd := exec.Command("tcpdump", append([]string{"-r", in, "-w", theirs, "--"}, strings.Fields(expr)...)...)
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("tcpdump %s %q: %v: %s", file, expr, err, stderr.String())
			}
			a, b := packetsOf(t, ours), packetsOf(t, theirs)
			if len(a) != len(b) {
				t.Errorf("%s %q: wirebom kept %d packets, tcpdump %d", file, expr, len(a), len(b))
				continue
			}
			for i := range a {
				if a[i] != b[i] {
					t.Errorf("%s %q: packet %d differs from tcpdump's", file, expr, i+1)
					break
				}
			}
		}
	}
}
