package parse

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// TestRawAndNullAgreeWithTshark turns the corpus's untagged IPv4 and IPv6
// Ethernet frames into Raw IP (LINKTYPE_RAW: tun, WireGuard) and BSD
// loopback (LINKTYPE_NULL: Npcap's loopback adapter) captures and checks
// our protocol path of every packet against tshark's frame.protocols.
// Where tshark's path for the Ethernet original already differs from ours
// (a known quirk of the conformance suite, such as TCP reassembly), the
// packet is not compared.
func TestRawAndNullAgreeWithTshark(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(corpusDir(), "pcaps", "*.pcap*"))
	if err != nil || len(paths) < 10 {
		t.Fatalf("corpus pcaps: %d found, %v", len(paths), err)
	}
	type pkt struct {
		ci   gopacket.CaptureInfo
		data []byte // the Ethernet frame
	}
	var pkts []pkt
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		cr, err := OpenCapture(f)
		if err != nil {
			f.Close()
			t.Fatal(err)
		}
		for {
			d, ci, lt, err := cr.ReadPacket()
			if err != nil {
				break
			}
			if lt != LinkTypeEthernet || len(d) < 15 || ci.CaptureLength != ci.Length {
				continue
			}
			if et := binary.BigEndian.Uint16(d[12:]); et == 0x0800 || et == 0x86dd {
				pkts = append(pkts, pkt{ci, append([]byte(nil), d...)})
			}
		}
		f.Close()
	}
	if len(pkts) < 500 {
		t.Fatalf("only %d IP frames in the corpus", len(pkts))
	}
	dir := t.TempDir()
	frameOf := func(lt layers.LinkType, d []byte) []byte {
		ip := d[14:]
		switch lt {
		case layers.LinkTypeRaw:
			return ip
		case layers.LinkTypeNull:
			af := uint32(2)
			if d[12] == 0x86 {
				af = 24 // AF_INET6 as Windows writes it
			}
			return append(binary.LittleEndian.AppendUint32(nil, af), ip...)
		}
		return d
	}
	tshark := func(lt layers.LinkType) []string {
		path := filepath.Join(dir, fmt.Sprintf("lt%d.pcap", lt))
		var buf bytes.Buffer
		w := pcapgo.NewWriter(&buf)
		if err := w.WriteFileHeader(262144, lt); err != nil {
			t.Fatal(err)
		}
		for _, p := range pkts {
			d := frameOf(lt, p.data)
			ci := p.ci
			ci.CaptureLength, ci.Length = len(d), len(d)
			if err := w.WritePacket(ci, d); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("tshark", "-r", path, "-T", "fields", "-e", "frame.protocols").Output()
		if err != nil {
			t.Fatalf("tshark (apt-get install tshark) on link type %d: %v", lt, err)
		}
		lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
		if len(lines) != len(pkts) {
			t.Fatalf("tshark reads %d packets of link type %d, want %d", len(lines), lt, len(pkts))
		}
		return lines
	}
	eth := tshark(layers.LinkTypeEthernet)
	d := NewDecoder()
	for _, lt := range []layers.LinkType{layers.LinkTypeRaw, layers.LinkTypeNull} {
		want := tshark(lt)
		compared := 0
		for i, p := range pkts {
			pe, _ := d.Decode(p.data, LinkTypeEthernet)
			if pe.Protocols() != eth[i] {
				continue
			}
			compared++
			got, err := d.Decode(frameOf(lt, p.data), lt)
			if got.Protocols() != want[i] {
				t.Errorf("link type %d, packet %d: protocols %q (error %v), tshark %q", lt, i+1, got.Protocols(), err, want[i])
			}
			if got.Ethernet != nil || (got.IPv4 == nil && got.IPv6 == nil) {
				t.Errorf("link type %d, packet %d: Ethernet %v, IPv4 %v, IPv6 %v", lt, i+1, got.Ethernet != nil, got.IPv4 != nil, got.IPv6 != nil)
			}
		}
		if compared < len(pkts)*3/4 { // 80% when written: the rest are Ethernet quirks
			t.Errorf("link type %d: only %d of %d packets compared", lt, compared, len(pkts))
		}
		t.Logf("link type %d: %d of %d packets agree with tshark", lt, compared, len(pkts))
	}
	// A NULL frame with an address family in big-endian order (a capture
	// from a big-endian host) and one too short for the family.
	be := append(binary.BigEndian.AppendUint32(nil, 2), pkts[0].data[14:]...)
	if p, err := d.Decode(be, LinkTypeNull); err != nil || p.IPv4 == nil {
		t.Errorf("big-endian AF_INET: %v, IPv4 %v", err, p.IPv4 != nil)
	}
	if _, err := d.Decode([]byte{2, 0}, LinkTypeNull); err == nil {
		t.Error("a 2-byte NULL frame decoded without error")
	}
}
