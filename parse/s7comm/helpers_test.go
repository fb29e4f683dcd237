package s7comm

// Test helpers shared by the tests of this package: read a capture, strip the
// link, IP and transport headers, and load the tshark oracle for the capture.

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// capFrame is one captured frame with its headers peeled.
type capFrame struct {
	Num       int    // 1-based frame number, as in Wireshark
	Data      []byte // whole frame
	EtherType uint16 // innermost EtherType (after VLAN tags), 0 if unknown link
	L3        []byte // payload after Ethernet/VLAN/SLL headers
	Proto     uint8  // IPv4 protocol (6 TCP, 17 UDP), 0 if not IPv4
	SrcPort   uint16
	DstPort   uint16
	L4        []byte // TCP/UDP payload (nil if not TCP/UDP over IPv4)
}

// corpusPath returns the path of a capture (sub "pcaps") or oracle (sub
// "oracle"): from $WIREBOM_CORPUS (a corpus laid out like
// /work/shared/corpus, e.g. regenerated with another tshark) when set, else
// the package's own copy in testdata.
func corpusPath(sub, name string) string {
	if dir := os.Getenv("WIREBOM_CORPUS"); dir != "" {
		return filepath.Join(dir, sub, name)
	}
	return filepath.Join("testdata", name)
}

// readCapture reads every frame of a pcap or pcapng file (see corpusPath).
func readCapture(t testing.TB, name string) []capFrame {
	t.Helper()
	raw, err := os.ReadFile(corpusPath("pcaps", name))
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
	var out []capFrame
	for n := 1; ; n++ {
		d, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, peel(n, link, d))
	}
	return out
}

func peel(n int, link layers.LinkType, d []byte) capFrame {
	f := capFrame{Num: n, Data: d}
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
	for (f.EtherType == 0x8100 || f.EtherType == 0x88a8) && len(rest) >= 4 {
		f.EtherType = binary.BigEndian.Uint16(rest[2:])
		rest = rest[4:]
	}
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
	ip := rest[ihl:tot]
	switch f.Proto {
	case 6:
		if len(ip) < 20 {
			return f
		}
		off := int(ip[12]>>4) * 4
		if off < 20 || off > len(ip) {
			return f
		}
		f.SrcPort, f.DstPort = binary.BigEndian.Uint16(ip), binary.BigEndian.Uint16(ip[2:])
		f.L4 = ip[off:]
	case 17:
		if len(ip) < 8 {
			return f
		}
		f.SrcPort, f.DstPort = binary.BigEndian.Uint16(ip), binary.BigEndian.Uint16(ip[2:])
		f.L4 = ip[8:]
	}
	return f
}

// oracleRec is one line of a tshark oracle file: protocol group -> field ->
// array of values (float64, string, bool).
type oracleRec map[string]json.RawMessage

// group returns the fields of protocol group g (nil if absent).
func (r oracleRec) group(t testing.TB, g string) map[string][]any {
	t.Helper()
	raw, ok := r[g]
	if !ok || string(raw) == "null" {
		return nil
	}
	var m map[string][]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("oracle group %s: %v", g, err)
	}
	return m
}

// str returns the frame-level string field k ("" if absent).
func (r oracleRec) str(k string) string {
	var s string
	_ = json.Unmarshal(r[k], &s)
	return s
}

// payloadWithheld reports whether tshark's TCP layer passed the segment's
// payload to no dissector at all (frame.protocols ends at "tcp" although the
// segment has data): its sequence analysis judged the data already seen or
// out of window, so the oracle has nothing to compare with.
func (r oracleRec) payloadWithheld() bool {
	p := r.str("protocols")
	return len(p) >= 4 && p[len(p)-4:] == ":tcp"
}

// loadOracle reads the oracle <name>.jsonl (see corpusPath), indexed by
// frame number.
func loadOracle(t testing.TB, name string) map[int]oracleRec {
	t.Helper()
	fh, err := os.Open(corpusPath("oracle", name+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	out := map[int]oracleRec{}
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var rec oracleRec
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		var num int
		if err := json.Unmarshal(rec["frame"], &num); err != nil {
			t.Fatal(err)
		}
		out[num] = rec
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// fields collects decoded values in tshark's shape (field -> values in order).
type fields map[string][]any

func (f fields) add(k string, v any) {
	switch x := v.(type) {
	case int:
		v = float64(x)
	case uint8:
		v = float64(x)
	case uint16:
		v = float64(x)
	case uint32:
		v = float64(x)
	case uint64:
		v = float64(x)
	case []byte:
		v = string(x)
	}
	f[k] = append(f[k], v)
}

// compareGroup checks that got equals the oracle group want, key by key, and
// that neither side has keys the other lacks.
func compareGroup(t testing.TB, frame int, want map[string][]any, got fields) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("frame %d: field %s: oracle %v, we have nothing", frame, k, w)
			continue
		}
		wb, _ := json.Marshal(w)
		gb, _ := json.Marshal(g)
		if !bytes.Equal(wb, gb) {
			t.Errorf("frame %d: field %s: oracle %s, got %s", frame, k, wb, gb)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("frame %d: field %s: we have %v, oracle has nothing", frame, k, g)
		}
	}
}
