package parse

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// phsCommon are the tree nodes whose counts must equal tshark's: the
// common stack. Industrial nodes differ where tshark withholds
// retransmitted segments or decodes deeper (counted in the log).
var phsCommon = map[string]bool{"eth": true, "sll": true, "vlan": true, "ieee8021ad": true, "llc": true,
	"arp": true, "ip": true, "ipv6": true, "tcp": true, "udp": true, "icmp": true, "icmpv6": true,
	"dns": true, "mdns": true, "dhcp": true, "lldp": true, "cdp": true, "pn_rt": true, "pn_dcp": true}

// TestHierarchyConformance compares our protocol hierarchy with
// `tshark -q -z io,phs` on every corpus capture (tshark is a test
// dependency, Debian package tshark).
func TestHierarchyConformance(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir(), "pcaps", "*"))
	if len(files) == 0 {
		t.Fatal("no captures")
	}
	var mu sync.Mutex
	matched, otDiff := 0, 0
	t.Cleanup(func() {
		t.Logf("%d hierarchy lines equal to tshark's; %d industrial lines differ (retransmissions, deeper dissection)", matched, otDiff)
	})
	for _, fn := range files {
		t.Run(filepath.Base(fn), func(t *testing.T) {
			t.Parallel()
			m, o := comparePhs(t, fn)
			mu.Lock()
			matched += m
			otDiff += o
			mu.Unlock()
		})
	}
}

func comparePhs(t *testing.T, fn string) (matched, otDiff int) {
	{
		out, err := exec.Command("tshark", "-n", "-r", fn, "-q", "-z", "io,phs").Output()
		if err != nil {
			t.Fatalf("tshark (apt-get install tshark): %v", err)
		}
		theirs := map[string]bool{}
		for _, l := range strings.Split(string(out), "\n") {
			theirs[strings.TrimRight(l, " ")] = true
		}
		h := NewHierarchy()
		f, err := os.Open(fn)
		if err != nil {
			t.Fatal(err)
		}
		cr, err := OpenCapture(f)
		if err != nil {
			t.Fatal(err)
		}
		d := NewDecoder()
		for {
			data, ci, lt, err := cr.ReadPacket()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			p, _ := d.DecodeCapture(ci, data, lt)
			h.Add(p)
		}
		f.Close()
		var ours bytes.Buffer
		h.WriteText(&ours)
		for _, l := range strings.Split(ours.String(), "\n") {
			name := strings.Fields(l + " x")[0]
			if !strings.Contains(l, "frames:") {
				continue
			}
			switch {
			case theirs[strings.TrimRight(l, " ")]:
				matched++
			case name == "data":
			case phsCommon[name]:
				t.Errorf("%s: our line %q is not in tshark's table:\n%s", filepath.Base(fn), l, out)
			default:
				otDiff++
				t.Logf("%s: industrial node differs: %q", filepath.Base(fn), l)
			}
		}
	}
	return matched, otDiff
}
