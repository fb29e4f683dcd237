package cbom

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// reportDoc is testDoc with many packages (a long table over several PDF
// pages) and hostile strings in every section.
func reportDoc() *Document {
	d := testDoc()
	for i := 0; i < 300; i++ {
		d.Packages = append(d.Packages, &Component{Ref: "pkg:deb/debian/p" + itoa(i), Class: ClassLibrary, Kind: KindPackage,
			Name: "libexample" + itoa(i), Version: "1.0-" + itoa(i), PURL: "pkg:deb/debian/libexample" + itoa(i) + "@1.0-" + itoa(i) + "?arch=amd64"})
	}
	d.Warnings = append(d.Warnings, Warning{Source: "dpkg", Message: hostile})
	if err := d.Stamp(StampOptions{Reproducible: true, Epoch: time.Unix(1700000000, 0)}); err != nil {
		panic(err)
	}
	return d
}

func TestHTMLEscapesAndIsSelfContained(t *testing.T) {
	var b bytes.Buffer
	if err := reportDoc().Encode(&b, FormatHTML); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	if strings.Contains(s, "<script") {
		t.Error("hostile <script> reached the HTML unescaped (or the report has a script)")
	}
	if !strings.Contains(s, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Error("hostile string not present in escaped form")
	}
	// No external resources at all: no URL-bearing attributes, no @import.
	for _, re := range []string{`(?i)\b(src|href)\s*=\s*"(https?:|//|file:)`, `(?i)@import`, `(?i)url\(`, `(?i)<link\b`, `(?i)<img\b`, `(?i)<iframe\b`} {
		if regexp.MustCompile(re).MatchString(s) {
			t.Errorf("HTML references an external resource (%s)", re)
		}
	}
	for _, want := range []string{"plc-gw-01", "1.16.3-debian-1.16.3-2", "04/01/2014", "libexample299", "00:0e:8c:01:02:03", "memory-modules"} {
		if !strings.Contains(s, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

// chromium runs Debian's chromium headless with no network and a fresh
// profile, and returns its stderr.
func chromium(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	bin := "/usr/bin/chromium"
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s not found (Debian package chromium): %v", bin, err)
	}
	profile := t.TempDir()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0"}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	cmd.Env = append(os.Environ(), "HOME="+profile)
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, e.String())
	}
	return o.String(), e.String()
}

func TestHTMLRendersInChromium(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	if err := reportDoc().Encode(&b, FormatHTML); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "shot.png")
	_, stderr := chromium(t, "--screenshot="+shot, "--window-size=1200,2000", "file://"+page)
	for _, line := range strings.Split(stderr, "\n") {
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Uncaught") || strings.Contains(line, "Failed to load resource") {
			t.Errorf("console message while rendering: %s", line)
		}
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v\n%s", err, stderr)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	bounds := img.Bounds()
	nonWhite := 0
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 2 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				nonWhite++
			}
		}
	}
	total := (bounds.Dx() / 2) * (bounds.Dy() / 2)
	// The header bar alone covers about 3% of a 1200x2000 page; text and
	// table rules add more. A blank or failed render has none.
	if nonWhite < total/50 {
		t.Errorf("screenshot looks blank: %d of %d sampled pixels are not white", nonWhite, total)
	}
	t.Logf("screenshot %dx%d, %d/%d sampled pixels not white", bounds.Dx(), bounds.Dy(), nonWhite, total)

	dom, _ := chromium(t, "--dump-dom", "file://"+page)
	if strings.Contains(dom, "<script") {
		t.Error("rendered DOM contains a script element")
	}
	for _, want := range []string{"plc-gw-01", "libexample299", "Network assets", "&lt;script&gt;"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %q", want)
		}
	}
}

func TestPDFText(t *testing.T) {
	d := reportDoc()
	var b bytes.Buffer
	if err := d.Encode(&b, FormatPDF); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	var b2 bytes.Buffer
	if err := reportDoc().Encode(&b2, FormatPDF); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), b2.Bytes()) {
		t.Error("reproducible document gives different PDFs")
	}
	dir := t.TempDir()
	pdf := filepath.Join(dir, "r.pdf")
	if err := os.WriteFile(pdf, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", pdf, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext (Debian package poppler-utils): %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{"plc-gw-01", "1.16.3-debian-1.16.3-2", "Debian GNU/Linux 12", "libexample299", "Network assets"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks %q", want)
		}
	}
	// Non-Latin-1 text is transliterated, not dropped or garbled into
	// invalid bytes: the hostile name keeps its ASCII and Latin-1 parts.
	if !strings.Contains(text, `<script>alert("x")</script> & 'q'`) {
		t.Errorf("hostile string not rendered as text")
	}
	if strings.Contains(text, "控制器") {
		t.Error("CJK text survived in a core-font PDF")
	}
	pages, err := exec.Command("pdfinfo", pdf).Output()
	if err == nil && !regexp.MustCompile(`Pages:\s+([2-9]|\d\d+)`).Match(pages) {
		t.Errorf("300 packages fit on one page?\n%s", pages)
	}
}

func TestLatin1(t *testing.T) {
	tr := func(s string) string {
		// cp1252 subset sufficient for the test: é (0xE9), € (0x80).
		switch s {
		case "é":
			return "\xe9"
		case "€":
			return "\x80"
		}
		return "."
	}
	for in, want := range map[string]string{
		"abc":    "abc",
		"café":   "caf\xe9",
		"€5":     "\x805",
		"Łódź":   "?odz", // Ł has no decomposition; ó and ź lose their accents (ó is not in this fake table)
		"a\x01b": "a b",
		"控制":     "??",
	} {
		if got := latin1(tr, in); got != want {
			t.Errorf("latin1(%q) = %q, want %q", in, got, want)
		}
	}
}
