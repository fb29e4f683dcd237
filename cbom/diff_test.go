package cbom

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readBOMBytes(t *testing.T, b []byte) *BOM {
	t.Helper()
	bom, err := ReadBOM(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return bom
}

func TestDiffIdentical(t *testing.T) {
	a := encodeJSON(t, stamped())
	r := Diff(readBOMBytes(t, a), readBOMBytes(t, a))
	if !r.Equal || len(r.Changes) != 0 {
		t.Fatalf("identical documents differ: %+v", r.Changes)
	}
	// Non-reproducible runs (new serial and timestamp) are still equal.
	d1, d2 := testDoc(), testDoc()
	_ = d1.Stamp(StampOptions{})
	_ = d2.Stamp(StampOptions{})
	if r := Diff(readBOMBytes(t, encodeJSON(t, d1)), readBOMBytes(t, encodeJSON(t, d2))); !r.Equal {
		t.Fatalf("two runs over the same facts differ: %+v", r.Changes)
	}
}

func TestDiffFirmwareFirst(t *testing.T) {
	old := testDoc()
	nw := testDoc()
	nw.Firmware[0].Version = "1.16.4" // BIOS update
	nw.Packages[0].Version = "5.2.21-2"
	nw.Packages[0].PURL = "pkg:deb/debian/bash@5.2.21-2?arch=amd64&distro=debian-12"
	nw.Packages = append(nw.Packages, &Component{Ref: "pkg:deb/debian/zlib1g", Class: ClassLibrary, Kind: KindPackage,
		Name: "zlib1g", Version: "1:1.2.13", PURL: "pkg:deb/debian/zlib1g@1:1.2.13?arch=amd64"})
	nw.Packages[1].Hashes = []Hash{{Alg: "MD5", Value: "00000000000000000000000000000000"}}
	nw.Hardware[1].MAC = "52:54:00:aa:bb:cc"
	nw.Drivers = nil
	for _, d := range []*Document{old, nw} {
		if err := d.Stamp(StampOptions{Reproducible: true}); err != nil {
			t.Fatal(err)
		}
	}
	r := Diff(readBOMBytes(t, encodeJSON(t, old)), readBOMBytes(t, encodeJSON(t, nw)))
	if r.Equal {
		t.Fatal("no difference found")
	}
	first := r.Changes[0]
	if first.Type != "firmware" || first.Name != "BIOS" || first.OldVersion != "1.16.3-debian-1.16.3-2" || first.NewVersion != "1.16.4" {
		t.Fatalf("first change = %+v, want the BIOS version change", first)
	}
	want := map[string]string{
		"purl:deb/debian/bash?arch=amd64":   "changed",
		"purl:deb/debian/zlib1g?arch=amd64": "added",
		"device-driver:/e1000e":             "removed",
		"purl:deb/debian/libc6?arch=amd64":  "changed",
		"device:/eth0":                      "changed",
	}
	got := map[string]string{}
	for _, c := range r.Changes {
		got[c.Key] = c.Op
	}
	for k, op := range want {
		if got[k] != op {
			t.Errorf("%s: got %q, want %q (all: %v)", k, got[k], op, got)
		}
	}
	for _, c := range r.Changes {
		switch c.Key {
		case "purl:deb/debian/libc6?arch=amd64":
			if c.NewHashes == nil || c.VersionChanged {
				t.Errorf("libc6 change = %+v, want hashes only", c)
			}
		case "device:/eth0":
			if len(c.Properties) != 1 || c.Properties[0].Name != "cdx:device:macAddress" {
				t.Errorf("eth0 change = %+v, want the MAC property", c)
			}
		}
	}
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(text.String(), "\n")
	if !strings.HasPrefix(lines[2], "~ firmware BIOS 1.16.3-debian-1.16.3-2 -> 1.16.4") {
		t.Errorf("text output does not list the BIOS change first:\n%s", text.String())
	}
	if !strings.Contains(text.String(), "4 changed, 1 added, 1 removed") {
		t.Errorf("summary line wrong:\n%s", text.String())
	}
	if _, err := json.Marshal(r); err != nil {
		t.Fatal(err)
	}
}

// TestDiffSyftStyle compares hand-written documents in the shape syft writes
// (random-looking bom-refs, purls with distro qualifiers, no nesting).
func TestDiffSyftStyle(t *testing.T) {
	old := `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
	 {"bom-ref":"pkg:deb/debian/bash@5.2.15-2+b2?arch=amd64&package-id=1a2b","type":"library","name":"bash","version":"5.2.15-2+b2",
	  "purl":"pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12"},
	 {"bom-ref":"os-1","type":"operating-system","name":"debian","version":"12"}]}`
	nw := `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
	 {"bom-ref":"pkg:deb/debian/bash@5.2.15-2+b3?arch=amd64&package-id=ffee","type":"library","name":"bash","version":"5.2.15-2+b3",
	  "purl":"pkg:deb/debian/bash@5.2.15-2%2Bb3?arch=amd64&distro=debian-12"},
	 {"bom-ref":"os-2","type":"operating-system","name":"debian","version":"12"}]}`
	r := Diff(readBOMBytes(t, []byte(old)), readBOMBytes(t, []byte(nw)))
	if r.Changed != 1 || r.Added != 0 || r.Removed != 0 {
		t.Fatalf("got %+v, want one changed package", r)
	}
	if c := r.Changes[0]; c.Name != "bash" || c.NewVersion != "5.2.15-2+b3" {
		t.Errorf("change = %+v", c)
	}
}

func TestReadBOMErrors(t *testing.T) {
	for name, in := range map[string]string{
		"empty":      "",
		"not json":   "hello",
		"truncated":  `{"bomFormat":"CycloneDX","components":[`,
		"spdx":       `{"spdxVersion":"SPDX-2.3"}`,
		"wrong type": `{"bomFormat":"CycloneDX","components":{"a":1}}`,
		"other fmt":  `{"bomFormat":"SPDX"}`,
	} {
		_, err := ReadBOM(strings.NewReader(in))
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !errors.Is(err, ErrNotCycloneDX) {
			t.Errorf("%s: error %v is not ErrNotCycloneDX", name, err)
		}
	}
}

func TestPurlBase(t *testing.T) {
	for in, want := range map[string]string{
		"pkg:deb/debian/bash@5.2?arch=amd64&distro=debian-12": "deb/debian/bash?arch=amd64",
		"pkg:DEB/debian/libstdc%2B%2B6@12":                    "deb/debian/libstdc++6",
		"pkg:golang/github.com/a/b@v1.2.3#sub/dir":            "golang/github.com/a/b",
		"pkg:npm/%40angular/core@1.0":                         "npm/@angular/core",
	} {
		if got, ok := purlBase(in); !ok || got != want {
			t.Errorf("purlBase(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "pkg:", "pkg:deb", "cpe:2.3:a:x"} {
		if _, ok := purlBase(bad); ok {
			t.Errorf("purlBase(%q) accepted", bad)
		}
	}
}

func FuzzReadBOM(f *testing.F) {
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"type":"device","name":"m","components":[{"type":"device","name":"cpu"}]}},"components":[{"type":"library","name":"a","purl":"pkg:deb/x/a@1?arch=amd64","hashes":[{"alg":"MD5","content":"AA"}],"properties":[{"name":"p","value":"v"}]},{"type":"library","name":"a"}]}`))
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.cdx.json"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ReadBOM(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrNotCycloneDX) {
				t.Fatalf("error not wrapped: %v", err)
			}
			return
		}
		r := Diff(b, b)
		if !r.Equal {
			t.Fatalf("a BOM differs from itself: %+v", r.Changes)
		}
		var sink bytes.Buffer
		if err := r.WriteText(&sink); err != nil {
			t.Fatal(err)
		}
		empty := Diff(&BOM{}, b)
		if empty.Added != len(b.Components) {
			t.Fatalf("added %d of %d components", empty.Added, len(b.Components))
		}
	})
}

func TestDiffIgnoresForeignNamespaces(t *testing.T) {
	a := `{"bomFormat":"CycloneDX","components":[{"type":"library","name":"x","version":"1","purl":"pkg:deb/d/x@1",
	  "properties":[{"name":"wirebom:package:arch","value":"amd64"},{"name":"cdx:device:location","value":"a"}]}]}`
	b := `{"bomFormat":"CycloneDX","components":[{"type":"library","name":"x","version":"1","purl":"pkg:deb/d/x@1",
	  "properties":[{"name":"syft:package:foundBy","value":"dpkg-db-cataloger"},{"name":"cdx:device:location","value":"b"}]}]}`
	r := Diff(readBOMBytes(t, []byte(a)), readBOMBytes(t, []byte(b)))
	if r.Changed != 1 || len(r.Changes[0].Properties) != 1 || r.Changes[0].Properties[0].Name != "cdx:device:location" {
		t.Fatalf("want only the shared cdx property compared, got %+v", r.Changes)
	}
}
