package cbom

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestSPDXValidates(t *testing.T) {
	d := stamped()
	var b bytes.Buffer
	if err := d.Encode(&b, FormatSPDXJSON); err != nil {
		t.Fatal(err)
	}
	validate(t, "spdx", b.Bytes())
	var doc struct {
		SPDXVersion string `json:"spdxVersion"`
		Packages    []struct {
			Name    string `json:"name"`
			Version string `json:"versionInfo"`
			Purpose string `json:"primaryPackagePurpose"`
			Refs    []struct {
				Category, Type, Locator string
			} `json:"externalRefs"`
		} `json:"packages"`
		Relationships []struct {
			A   string `json:"spdxElementId"`
			B   string `json:"relatedSpdxElement"`
			Rel string `json:"relationshipType"`
		} `json:"relationships"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.SPDXVersion != "SPDX-2.3" {
		t.Errorf("spdxVersion %q", doc.SPDXVersion)
	}
	if want := len(d.All()); len(doc.Packages) != want {
		t.Errorf("%d packages, want %d (one per component)", len(doc.Packages), want)
	}
	purposes := map[string]bool{}
	for _, p := range doc.Packages {
		purposes[p.Purpose] = true
	}
	for _, want := range []string{"DEVICE", "FIRMWARE", "OPERATING_SYSTEM", "APPLICATION", "LIBRARY"} {
		if !purposes[want] {
			t.Errorf("no package with purpose %s", want)
		}
	}
	describes := false
	for _, r := range doc.Relationships {
		if r.Rel == "DESCRIBES" && r.A == "SPDXRef-DOCUMENT" && r.B == "SPDXRef-machine" {
			describes = true
		}
	}
	if !describes {
		t.Error("document does not DESCRIBE the machine")
	}
	// Reproducible: same bytes twice.
	var b2 bytes.Buffer
	if err := stamped().Encode(&b2, FormatSPDXJSON); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), b2.Bytes()) {
		t.Error("reproducible SPDX differs between runs")
	}
}

func TestYAMLModel(t *testing.T) {
	d := stamped()
	var b bytes.Buffer
	if err := d.Encode(&b, FormatYAML); err != nil {
		t.Fatal(err)
	}
	var back Document
	if err := yaml.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatalf("YAML does not read back: %v", err)
	}
	if back.SerialNumber != d.SerialNumber || back.Machine == nil || back.Machine.Name != "plc-gw-01" {
		t.Fatalf("YAML round trip lost the machine: %+v", back.Machine)
	}
	if len(back.Firmware) != len(d.Firmware) || back.Firmware[0].Date != "04/01/2014" {
		t.Errorf("firmware lost: %+v", back.Firmware)
	}
	if len(back.Gaps) != 1 || back.Gaps[0].Aggregate != AggregateUnknown {
		t.Errorf("gaps lost: %+v", back.Gaps)
	}
	if back.Assets[0].Name != d.Assets[0].Name {
		t.Errorf("hostile string changed: %q != %q", back.Assets[0].Name, d.Assets[0].Name)
	}
}

func TestFormats(t *testing.T) {
	for name, want := range map[string]Format{
		"host.cdx.json": FormatCycloneDXJSON, "x.JSON": FormatCycloneDXJSON, "a.spdx.json": FormatSPDXJSON,
		"b.cdx.xml": FormatCycloneDXXML, "c.yml": FormatYAML, "r.html": FormatHTML, "r.PDF": FormatPDF,
	} {
		if got, ok := FormatForFile(name); !ok || got != want {
			t.Errorf("FormatForFile(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	if _, ok := FormatForFile("report.txt"); ok {
		t.Error("report.txt has a format")
	}
	for _, f := range Formats {
		if g, err := ParseFormat(string(f)); err != nil || g != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, g, err)
		}
	}
	if _, err := ParseFormat("cbom"); err == nil || !strings.Contains(err.Error(), "cyclonedx-json") {
		t.Errorf("ParseFormat(cbom) error = %v", err)
	}
}
