package asset

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostile are strings a device (or an attacker) can put in a name or
// identity field. pn_dcp_vlan_odd_name.pcap really carries "%n%n%n ".
var hostile = []string{
	"%n%n%n ",
	"%s%s%s%x",
	"\x1b[31mRED\x1b[0m\x1b]0;owned\x07",
	"\x9b31m", // C1 CSI as a raw byte (invalid UTF-8)
	"\u009b31m",
	"\xff\xfe\xfd",
	"=cmd|' /C calc'!A0",
	"+SUM(1+1)",
	"-2+3",
	"@SUM(A1)",
	"\t=1",
	"\r=1",
	" =HYPERLINK(\"http://x\")",
	"＝1+1",
	"a\r\nb\x00c",
	"evil\u202egnp.exe",
	"zero\u200bwidth",
	"line\u2028sep",
	strings.Repeat("A", 10000),
	"\"quoted\", with, commas",
	`back\slash`,
	"ok-name",
}

func hostileReport(t *testing.T) Report {
	t.Helper()
	tb := NewTable()
	for i, s := range hostile {
		m := MAC{0x00, 0x1b, 0x1b, 0, 0, byte(i + 1)}
		tb.Observe(Observation{
			MAC: m, Protocol: Protocol(s), Role: Role(s),
			IPs:      []IPClaim{{Addr: ip("10.0.0.1"), Evidence: EvidenceStrong, Source: Protocol(s)}},
			Names:    []Name{{Value: s, Source: ProtoPNDCP}, {Value: s, Source: Protocol(s)}},
			Identity: []Field{Text(KeyProductName, ProtoENIP, s), Text(Key(s), Protocol(s), s)},
		})
	}
	return tb.Report()
}

func TestEscape(t *testing.T) {
	cases := map[string]string{
		"plain":         "plain",
		"a\x1b[0mb":     `a\x1b[0mb`,
		"\xff":          `\xff`,
		`a\b`:           `a\\b`,
		"x\u202ey":      `x\u202ey`,
		"tab\there":     `tab\x09here`,
		"Grüße, 東京":     "Grüße, 東京",
		"\u0085":        `\u0085`,
		"%n%n%n ":       "%n%n%n ",
		"\x00":          `\x00`,
		"del\x7f":       `del\x7f`,
		"\xe2\x80":      `\xe2\x80`, // truncated multi-byte sequence
		"ok\u2028line":  `ok\u2028line`,
		"space inside ": "space inside ",
	}
	for in, want := range cases {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

// safeText reports the first unsafe rune in s: a control character other
// than newline, C1 controls, bidi and format characters, invalid UTF-8.
func safeText(s string) (rune, bool) {
	if !utf8.ValidString(s) {
		return utf8.RuneError, false
	}
	for _, r := range s {
		if r == '\n' {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
			(r >= 0x200b && r <= 0x200f) || (r >= 0x202a && r <= 0x202e) ||
			(r >= 0x2066 && r <= 0x2069) || r == 0x2028 || r == 0x2029 {
			return r, false
		}
	}
	return 0, true
}

func TestHostileText(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteText(&buf, hostileReport(t)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if r, ok := safeText(out); !ok {
		t.Fatalf("text output contains %U", r)
	}
	// One header, one line per asset, conflicts section.
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) < len(hostile)+1 {
		t.Errorf("%d lines for %d assets", len(lines), len(hostile))
	}
	for _, l := range lines[1 : len(hostile)+1] {
		if utf8.RuneCountInString(l) > 400 {
			t.Errorf("line not clipped: %d runes", utf8.RuneCountInString(l))
		}
	}
	if !strings.Contains(out, `\x1b[31mRED`) || !strings.Contains(out, "%n%n%n") {
		t.Error("escaped names missing from text output")
	}
	if !strings.Contains(out, "CONFLICTS") || !strings.Contains(out, "ip 10.0.0.1") {
		t.Error("IP conflict not printed")
	}
}

func TestHostileJSON(t *testing.T) {
	r := hostileReport(t)
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(buf.Bytes()) || !json.Valid(buf.Bytes()) {
		t.Fatal("JSON output invalid")
	}
	back, err := ReadJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Assets) != len(hostile) || back.Schema != SchemaVersion {
		t.Fatalf("%d assets, schema %q", len(back.Assets), back.Schema)
	}
	// Valid UTF-8 strings survive exactly (up to MaxValueLen); invalid
	// ones come with their raw bytes in hex.
	found := map[string]bool{}
	for _, a := range back.Assets {
		for _, n := range a.Names {
			found[n.Name] = true
			if n.Hex == "ff"+"fe"+"fd" && n.Name != "\uFFFD" {
				t.Errorf("hex/name mismatch %+v", n)
			}
		}
	}
	for _, s := range []string{"%n%n%n ", "\x1b[31mRED\x1b[0m\x1b]0;owned\x07", "evil\u202egnp.exe", "a\r\nb\x00c"} {
		if !found[s] {
			t.Errorf("name %q not round-tripped", s)
		}
	}
	if !found[strings.Repeat("A", DefaultLimits.MaxValueLen)] {
		t.Error("long name not truncated to MaxValueLen")
	}
	if !strings.Contains(buf.String(), `"hex": "fffefd"`) {
		t.Error("raw hex of invalid UTF-8 missing")
	}
	if !strings.Contains(buf.String(), `\u001b[31m`) {
		t.Error("ESC not escaped in JSON")
	}
}

func TestHostileCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, hostileReport(t)); err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(buf.Bytes()) {
		t.Fatal("CSV not UTF-8")
	}
	out := buf.String()
	rd := csv.NewReader(strings.NewReader(out))
	rows, err := rd.ReadAll()
	if err != nil {
		t.Fatalf("encoding/csv cannot read our CSV: %v", err)
	}
	if len(rows) != len(hostile)+1 || len(rows[0]) != len(CSVHeader) {
		t.Fatalf("%d rows x %d cols", len(rows), len(rows[0]))
	}
	for _, row := range rows[1:] {
		for i, c := range row {
			if r, ok := safeText(c); !ok || strings.ContainsRune(c, '\n') {
				t.Errorf("col %s: unsafe %U in %q", CSVHeader[i], r, c)
			}
			if tc := strings.TrimLeft(c, " "); tc != "" && strings.ContainsRune("=+-@\t\r", rune(tc[0])) {
				t.Errorf("col %s: formula not neutralised: %q", CSVHeader[i], c)
			}
		}
	}
	// Cells that start with a formula character get a leading quote.
	if !strings.Contains(out, "'=cmd|") {
		t.Error("formula cell not prefixed with '")
	}
}

func TestNeutralizeFormula(t *testing.T) {
	for in, want := range map[string]string{
		"=1":      "'=1",
		"+1":      "'+1",
		"-1":      "'-1",
		"@x":      "'@x",
		"  =1":    "'  =1",
		"＝1":      "'＝1",
		"plc-1":   "plc-1",
		"":        "",
		"a=b":     "a=b",
		"1.2.3.4": "1.2.3.4",
	} {
		if got := neutralizeFormula(in); got != want {
			t.Errorf("neutralizeFormula(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReadJSONSchema(t *testing.T) {
	if _, err := ReadJSON(strings.NewReader(`{"schema":"other/v9","assets":[]}`)); !errors.Is(err, ErrSchema) {
		t.Errorf("err = %v, want ErrSchema", err)
	}
	if _, err := ReadJSON(strings.NewReader(`{"schema":`)); err == nil {
		t.Error("truncated JSON accepted")
	}
	in := `{"schema":"wirebom.assets/v1","future_field":1,"assets":[{"mac":"00:1b:1b:00:00:01","new":true}],"conflicts":[]}`
	r, err := ReadJSON(strings.NewReader(in))
	if err != nil || len(r.Assets) != 1 || r.Assets[0].MAC != "00:1b:1b:00:00:01" {
		t.Errorf("%+v %v", r, err)
	}
}
