package bacnet

// Test helpers shared by the tests of this package: read a pcap with
// gopacket/pcapgo, strip Ethernet/VLAN/IPv4/TCP/UDP by hand, and load the
// tshark oracle (testdata/<name>.jsonl, see /work/shared/corpus/README.md).

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/gopacket/gopacket/pcapgo"
)

// corpusFrame is one captured frame reduced to its transport payload.
type corpusFrame struct {
	Num              int // 1-based, as tshark's frame.number
	Proto            int // 6 TCP, 17 UDP, 0 other
	SrcPort, DstPort uint16
	Seq              uint32 // TCP sequence number
	Payload          []byte
}

func readCorpus(t testing.TB, name string) []corpusFrame {
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
	var out []corpusFrame
	for n := 1; ; n++ {
		data, _, err := r.ReadPacketData()
		if err != nil {
			break
		}
		out = append(out, stripHeaders(n, data))
	}
	return out
}

func stripHeaders(n int, b []byte) corpusFrame {
	fr := corpusFrame{Num: n}
	if len(b) < 14 {
		return fr
	}
	et := binary.BigEndian.Uint16(b[12:])
	b = b[14:]
	for (et == 0x8100 || et == 0x88a8) && len(b) >= 4 {
		et = binary.BigEndian.Uint16(b[2:])
		b = b[4:]
	}
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
	proto := int(b[9])
	b = b[ihl:]
	switch proto {
	case 6:
		if len(b) < 20 {
			return fr
		}
		off := int(b[12]>>4) * 4
		if off < 20 || off > len(b) {
			return fr
		}
		fr.Proto, fr.SrcPort, fr.DstPort, fr.Payload = 6, binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:]), b[off:]
		fr.Seq = binary.BigEndian.Uint32(b[4:])
	case 17:
		if len(b) < 8 {
			return fr
		}
		fr.Proto, fr.SrcPort, fr.DstPort, fr.Payload = 17, binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:]), b[8:]
	}
	return fr
}

// oracleRecord is one line of the tshark oracle.
type oracleRecord map[string]json.RawMessage

func readOracle(t testing.TB, name string) map[int]oracleRecord {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[int]oracleRecord{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec oracleRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := json.Unmarshal(rec["frame"], &n); err != nil {
			t.Fatal(err)
		}
		out[n] = rec
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// group returns the protocol group of a record as field -> array of values
// (numbers as float64, booleans, strings), or nil when absent.
func (r oracleRecord) group(t testing.TB, name string) map[string][]any {
	raw, ok := r[name]
	if !ok {
		return nil
	}
	var g map[string][]any
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func (r oracleRecord) malformed() bool {
	var b bool
	_ = json.Unmarshal(r["malformed"], &b)
	return b
}

// num converts an oracle value to an int64 for comparison (booleans are 0/1).
func num(v any) (int64, bool) {
	switch x := v.(type) {
	case float64:
		return int64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// pcapBytes returns the concatenated testdata pcaps' raw file bytes, for
// end-to-end benchmarks (pcap parsing + header stripping + decoding).
func pcapBytes(tb testing.TB, names []string) [][]byte {
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

// eachPayload reads a pcap image and calls fn with every frame's transport
// payload, without allocating per frame beyond pcapgo's own buffer.
func eachPayload(tb testing.TB, img []byte, fn func(fr corpusFrame)) int {
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
		fn(stripHeaders(n, data))
	}
}
