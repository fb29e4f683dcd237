package corpustest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Oracle is one line of a tshark oracle file: frame-level fields and
// protocol group -> field -> array of values (float64, string, bool).
type Oracle map[string]json.RawMessage

// Group returns the fields of protocol group g (nil if absent or null).
func (r Oracle) Group(t testing.TB, g string) map[string][]any {
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

// Str returns the frame-level string field k ("" if absent).
func (r Oracle) Str(k string) string {
	var s string
	_ = json.Unmarshal(r[k], &s)
	return s
}

// Malformed reports whether tshark flagged the frame as malformed.
func (r Oracle) Malformed() bool {
	var b bool
	_ = json.Unmarshal(r["malformed"], &b)
	return b
}

// PayloadWithheld reports whether tshark's TCP layer passed the segment's
// payload to no dissector at all (frame.protocols ends at "tcp" although the
// segment has data): its sequence analysis judged the data already seen or
// out of window, so the oracle has nothing to compare with.
func (r Oracle) PayloadWithheld() bool {
	p := r.Str("protocols")
	return len(p) >= 4 && p[len(p)-4:] == ":tcp"
}

// LoadOracle reads the oracle <name>.jsonl (see Path), indexed by frame
// number.
func LoadOracle(t testing.TB, name string) map[int]Oracle {
	t.Helper()
	return readOracle(t, Path("oracle", name+".jsonl"), 1<<24)
}

// ReadOracle reads the oracle testdata/<name>.jsonl, indexed by frame
// number; lines may be at most 1 MiB long.
func ReadOracle(t testing.TB, name string) map[int]Oracle {
	t.Helper()
	return readOracle(t, filepath.Join("testdata", name+".jsonl"), 1<<20)
}

func readOracle(t testing.TB, path string, maxLine int) map[int]Oracle {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	out := map[int]Oracle{}
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), maxLine)
	for sc.Scan() {
		var rec Oracle
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

// Fields collects decoded values in tshark's shape (field -> values in
// order).
type Fields map[string][]any

// Add appends v to field k, converting integers to float64 and byte slices
// to strings as they come out of the oracle's JSON.
func (f Fields) Add(k string, v any) {
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

// CompareGroup checks that got equals the oracle group want, key by key, and
// that neither side has keys the other lacks.
func CompareGroup(t testing.TB, frame int, want map[string][]any, got Fields) {
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

// Num converts an oracle value to an int64 for comparison (booleans are
// 0/1); ok is false for other types.
func Num(v any) (n int64, ok bool) {
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

// B2I returns 1 for true and 0 for false.
func B2I(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
