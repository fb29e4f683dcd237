package parse

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzDecode runs the whole stack over arbitrary bytes: Decode as Ethernet
// or Linux cooked, then as Raw IP and BSD loopback, every field, the summary, the JSON line and the statistics.
// It must never panic, and the JSON must always be valid (valid UTF-8
// included) and the summary printable.
func FuzzDecode(f *testing.F) {
	for _, fr := range loadCorpus(f) {
		f.Add(fr.data, fr.lt == LinkTypeLinuxSLL)
	}
	d := NewDecoder()
	h := NewHierarchy()
	var e JSONEncoder
	var buf []byte
	f.Fuzz(func(t *testing.T, frame []byte, sll bool) {
		lt := LinkTypeEthernet
		if sll {
			lt = LinkTypeLinuxSLL
		}
		for _, other := range []LinkType{LinkTypeRaw, LinkTypeNull} {
			if p, err := d.Decode(frame, other); p == nil || p.Recovered() {
				t.Fatalf("link type %d: nil packet or a decoder panicked: %v", other, err)
			}
		}
		p, err := d.Decode(frame, lt)
		if p == nil {
			t.Fatal("nil packet")
		}
		if err != nil && err.Error() == "" {
			t.Fatal("empty error")
		}
		if p.Recovered() {
			t.Fatalf("a decoder panicked: %v", err)
		}
		h.Add(p)
		buf = e.AppendPacket(buf[:0], 1, p, err)
		if !json.Valid(buf) {
			t.Fatalf("invalid JSON: %q", buf)
		}
		buf = AppendSummary(buf[:0], p, err, SummaryOptions{})
		if !utf8.Valid(buf) {
			t.Fatalf("summary is not UTF-8: %q", buf)
		}
		for _, c := range buf {
			if c < 0x20 || c == 0x7f {
				t.Fatalf("control character in summary: %q", buf)
			}
		}
	})
}
