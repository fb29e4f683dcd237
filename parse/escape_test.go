package parse

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// Strings from the wire that a terminal or a JSON consumer must survive.
var hostile = []string{
	"%n%n%n", "%s%s%s%x", "plc-1\x00\x00\x00", "\x1b[2J\x1b[31mred", "a\"b\\c", "\xff\xfe\xfd",
	"bidi \u202egnp.exe", "tab\tnl\nret\r", "\u2028\u2029", "ok", "", "\x7f", "日本語",
	strings.Repeat("A", 300), "\xe6\x97", "<script>&amp;",
}

// TestAppendTextMatchesStrconvQuote: without truncation, AppendText
// escapes exactly like strconv.Quote (an independent implementation).
func TestAppendTextMatchesStrconvQuote(t *testing.T) {
	for _, s := range hostile {
		if got, want := string(AppendText(nil, []byte(s), 0)), strconv.Quote(s); got != want {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}

func TestAppendTextTruncates(t *testing.T) {
	long := strings.Repeat("x", 100)
	if got, want := string(AppendText(nil, []byte(long), 10)), `"xxxxxxxxxx"...(+90 bytes)`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	// A cut inside a UTF-8 sequence backs off to the rune start: "日" is 3
	// bytes, so 4 bytes of "日本" keep only "日".
	if got, want := string(AppendText(nil, []byte("日本"), 4)), `"日"...(+3 bytes)`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestAppendJSONString: the output is valid JSON whose value equals what
// encoding/json makes of the same bytes (invalid UTF-8 becomes U+FFFD).
func TestAppendJSONString(t *testing.T) {
	for _, s := range hostile {
		checkJSONString(t, s)
	}
}

func checkJSONString(t *testing.T, s string) {
	t.Helper()
	b := AppendJSONString(nil, []byte(s))
	if !utf8.Valid(b) || !json.Valid(b) {
		t.Fatalf("%q: invalid JSON %q", s, b)
	}
	var got, want string
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	ref, _ := json.Marshal(s)
	if err := json.Unmarshal(ref, &want); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("%q: decodes to %q, encoding/json gives %q", s, got, want)
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range hostile {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := string(AppendText(nil, b, 0)), strconv.Quote(string(b)); got != want {
			t.Fatalf("AppendText %q = %s, strconv.Quote %s", b, got, want)
		}
		cut := AppendText(nil, b, 7)
		if !utf8.Valid(cut) {
			t.Fatalf("truncated text not UTF-8: %q", cut)
		}
		checkJSONString(t, string(b))
	})
}
