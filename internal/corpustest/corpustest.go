// Package corpustest holds test helpers shared by the OT decoder packages
// under parse: reading a capture, stripping the Ethernet/VLAN/IPv4/TCP/UDP
// headers by hand, loading the tshark oracle for the capture (see
// /work/shared/corpus/README.md) and comparing decoded fields with it.
//
// It is meant for tests only and imports nothing from the rest of wirebom.
package corpustest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Frame is one captured frame with its headers peeled (see Peel).
type Frame struct {
	Num       int    // 1-based frame number, as in Wireshark
	Data      []byte // whole frame
	EtherType uint16 // innermost EtherType (after VLAN tags), 0 if unknown link
	L3        []byte // payload after Ethernet/VLAN/SLL headers
	Proto     uint8  // IPv4 protocol (6 TCP, 17 UDP), 0 if not IPv4
	SrcPort   uint16
	DstPort   uint16
	L4        []byte // TCP/UDP payload (nil if not TCP/UDP over IPv4)
}

// Path returns the path of a capture (sub "pcaps") or oracle (sub
// "oracle"): from $WIREBOM_CORPUS (a corpus laid out like
// /work/shared/corpus, e.g. regenerated with another tshark) when set, else
// the package's own copy in testdata.
func Path(sub, name string) string {
	if dir := os.Getenv("WIREBOM_CORPUS"); dir != "" {
		return filepath.Join(dir, sub, name)
	}
	return filepath.Join("testdata", name)
}

// ReadCapture reads every frame of a pcap or pcapng file (see Path) and
// peels each one with Peel.
func ReadCapture(t testing.TB, name string) []Frame {
	t.Helper()
	raw, err := os.ReadFile(Path("pcaps", name))
	if err != nil {
		t.Fatal(err)
	}
	var (
		link layers.LinkType
		next func() ([]byte, error)
	)
	if filepath.Ext(name) == ".pcapng" {
		r, err := pcapgo.NewNgReader(bytes.NewReader(raw), pcapgo.DefaultNgReaderOptions)
		if err != nil {
			t.Fatal(err)
		}
		link = r.LinkType()
		next = func() ([]byte, error) { d, _, err := r.ReadPacketData(); return d, err }
	} else {
		r, err := pcapgo.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		link = r.LinkType()
		next = func() ([]byte, error) { d, _, err := r.ReadPacketData(); return d, err }
	}
	var out []Frame
	for n := 1; ; n++ {
		d, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Peel(n, link, d))
	}
	return out
}

// Peel splits frame number n, captured with link type link (Ethernet or
// Linux SLL), into its layers. An IP total length beyond the capture is
// clamped to the captured bytes, as tshark does; a total length shorter than
// the IP header leaves the transport fields empty.
func Peel(n int, link layers.LinkType, d []byte) Frame {
	f := Frame{Num: n, Data: d}
	var rest []byte
	switch link {
	case layers.LinkTypeEthernet:
		if len(d) < 14 {
			return f
		}
		f.EtherType = binary.BigEndian.Uint16(d[12:])
		rest = d[14:]
	case layers.LinkTypeLinuxSLL:
		if len(d) < 16 {
			return f
		}
		f.EtherType = binary.BigEndian.Uint16(d[14:])
		rest = d[16:]
	default:
		return f
	}
	f.EtherType, rest = skipVLAN(f.EtherType, rest)
	f.L3 = rest
	if f.EtherType != 0x0800 || len(rest) < 20 {
		return f
	}
	ihl := int(rest[0]&0x0f) * 4
	tot := int(binary.BigEndian.Uint16(rest[2:]))
	if tot > len(rest) {
		tot = len(rest) // IP total length beyond the capture: use what is there, as tshark does
	}
	if ihl < 20 || tot < ihl {
		return f
	}
	f.Proto = rest[9]
	if sp, dp, _, pl, ok := transport(f.Proto, rest[ihl:tot]); ok {
		f.SrcPort, f.DstPort, f.L4 = sp, dp, pl
	}
	return f
}

// skipVLAN skips 802.1Q and 802.1ad tags after the EtherType et, returning
// the innermost EtherType and what follows it.
func skipVLAN(et uint16, b []byte) (uint16, []byte) {
	for (et == 0x8100 || et == 0x88a8) && len(b) >= 4 {
		et = binary.BigEndian.Uint16(b[2:])
		b = b[4:]
	}
	return et, b
}

// transport parses the TCP (proto 6) or UDP (proto 17) header at the start
// of b; ok is false for other protocols or a truncated or bad header.
func transport(proto uint8, b []byte) (sp, dp uint16, seq uint32, payload []byte, ok bool) {
	switch proto {
	case 6:
		if len(b) < 20 {
			return
		}
		off := int(b[12]>>4) * 4
		if off < 20 || off > len(b) {
			return
		}
		return binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:]), binary.BigEndian.Uint32(b[4:]), b[off:], true
	case 17:
		if len(b) < 8 {
			return
		}
		return binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:]), 0, b[8:], true
	}
	return
}

// Segment is one captured Ethernet frame reduced to its transport payload
// (see StripEthernet).
type Segment struct {
	Num              int // 1-based, as tshark's frame.number
	Proto            int // 6 TCP, 17 UDP, 0 other
	SrcPort, DstPort uint16
	Seq              uint32 // TCP sequence number
	Payload          []byte
}

// StripEthernet reduces Ethernet frame number n to its TCP or UDP payload
// over IPv4. Ethernet padding beyond the IP total length is dropped; a total
// length that is beyond the capture or shorter than the IP header is ignored
// (the whole rest of the frame is used). Proto stays 0 when there is no
// usable TCP or UDP header.
func StripEthernet(n int, b []byte) Segment {
	fr := Segment{Num: n}
	if len(b) < 14 {
		return fr
	}
	et, b := skipVLAN(binary.BigEndian.Uint16(b[12:]), b[14:])
	if et != 0x0800 || len(b) < 20 {
		return fr
	}
	ihl := int(b[0]&0x0f) * 4
	tot := int(binary.BigEndian.Uint16(b[2:]))
	if ihl < 20 || len(b) < ihl {
		return fr
	}
	if tot >= ihl && tot < len(b) {
		b = b[:tot] // drop Ethernet padding
	}
	proto := b[9]
	if sp, dp, seq, pl, ok := transport(proto, b[ihl:]); ok {
		fr.Proto, fr.SrcPort, fr.DstPort, fr.Seq, fr.Payload = int(proto), sp, dp, seq, pl
	}
	return fr
}

// IsRetransmission reports whether a TCP segment repeats the sequence
// number and length of an earlier segment of the same direction, recording
// it in seen; tshark does not dissect the payload of retransmissions, so
// neither do the tests.
func IsRetransmission(seen map[[3]uint64]bool, fr Segment) bool {
	if fr.Proto != 6 || len(fr.Payload) == 0 {
		return false
	}
	k := [3]uint64{uint64(fr.SrcPort)<<16 | uint64(fr.DstPort), uint64(fr.Seq), uint64(len(fr.Payload))}
	if seen[k] {
		return true
	}
	seen[k] = true
	return false
}

// ReadSegments reads every frame of the pcap testdata/<name>.pcap with
// StripEthernet, stopping at the first read error.
func ReadSegments(t testing.TB, name string) []Segment {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out []Segment
	for n := 1; ; n++ {
		data, _, err := r.ReadPacketData()
		if err != nil {
			break
		}
		out = append(out, StripEthernet(n, data))
	}
	return out
}

// PcapImages returns the raw file bytes of the pcaps testdata/<name>.pcap,
// for end-to-end benchmarks (pcap parsing + header stripping + decoding).
func PcapImages(tb testing.TB, names []string) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", n+".pcap"))
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// EachSegment reads a pcap image and calls fn with every frame reduced by
// StripEthernet, without allocating per frame beyond pcapgo's own buffer.
// It returns the number of frames read.
func EachSegment(tb testing.TB, img []byte, fn func(fr Segment)) int {
	r, err := pcapgo.NewReader(bytes.NewReader(img))
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for {
		data, _, err := r.ZeroCopyReadPacketData()
		if err != nil {
			return n
		}
		n++
		fn(StripEthernet(n, data))
	}
}
