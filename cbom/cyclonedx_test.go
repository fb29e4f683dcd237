package cbom

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

func encodeJSON(t *testing.T, d *Document) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := d.EncodeCycloneDX(&b, CycloneDXJSON); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCycloneDXJSONValidates(t *testing.T) {
	out := encodeJSON(t, stamped())
	validate(t, "cyclonedx", out)

	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	if m["specVersion"] != "1.6" {
		t.Errorf("specVersion = %v, want 1.6", m["specVersion"])
	}
	if strings.Contains(string(out), "cryptoProperties") {
		t.Error("output contains cryptoProperties")
	}
	md := m["metadata"].(map[string]any)
	lc := md["lifecycles"].([]any)[0].(map[string]any)
	if lc["phase"] != "operations" {
		t.Errorf("lifecycle phase = %v", lc["phase"])
	}
	mc := md["component"].(map[string]any)
	if mc["type"] != "device" || mc["name"] != "plc-gw-01" {
		t.Errorf("metadata.component = %v %v", mc["type"], mc["name"])
	}
	if n := len(mc["components"].([]any)); n != 2 {
		t.Errorf("machine has %d nested hardware components, want 2", n)
	}
	comps := m["components"].([]any)
	types := map[string]int{}
	for _, c := range comps {
		types[c.(map[string]any)["type"].(string)]++
	}
	for _, want := range []string{"firmware", "device-driver", "operating-system", "application", "library", "device"} {
		if types[want] == 0 {
			t.Errorf("no %s component in %v", want, types)
		}
	}
	compo := m["compositions"].([]any)[0].(map[string]any)
	if compo["aggregate"] != "incomplete" {
		t.Errorf("composition aggregate = %v", compo["aggregate"])
	}
	if !strings.Contains(string(out), `"name": "cdx:device:macAddress"`) {
		t.Error("no cdx:device:macAddress property")
	}
	// Hostile markup stays data: JSON escapes quotes and control chars.
	if strings.Contains(string(out), "\x01") {
		t.Error("raw control character in JSON output")
	}
}

func TestCycloneDXXMLRoundTrip(t *testing.T) {
	d := stamped()
	var b bytes.Buffer
	if err := d.EncodeCycloneDX(&b, CycloneDXXML); err != nil {
		t.Fatal(err)
	}
	// Well-formed: the standard tokenizer reads it to the end.
	dec := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("XML not well-formed: %v\n%s", err, b.String())
		}
	}
	if !strings.Contains(b.String(), `xmlns="http://cyclonedx.org/schema/bom/1.6"`) {
		t.Error("XML namespace is not 1.6")
	}
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(b.Bytes()), cdx.BOMFileFormatXML).Decode(&bom); err != nil {
		t.Fatal(err)
	}
	if bom.SerialNumber != d.SerialNumber {
		t.Errorf("serial %q != %q", bom.SerialNumber, d.SerialNumber)
	}
	if bom.Metadata == nil || bom.Metadata.Component == nil || bom.Metadata.Component.Name != "plc-gw-01" {
		t.Fatal("machine lost in XML round trip")
	}
	if bom.Components == nil || len(*bom.Components) != len(d.Firmware)+len(d.Drivers)+1+len(d.Packages)+len(d.Assets) {
		t.Errorf("component count changed in XML round trip")
	}
	// The decoded BOM re-encoded as JSON still validates (XML has no
	// bomFormat field, so the decoder leaves it empty).
	bom.BOMFormat = cdx.BOMFormat
	var j bytes.Buffer
	if err := cdx.NewBOMEncoder(&j, cdx.BOMFileFormatJSON).EncodeVersion(&bom, cdx.SpecVersion1_6); err != nil {
		t.Fatal(err)
	}
	validate(t, "cyclonedx", j.Bytes())
	// Hostile text is preserved as text (escaped in XML, identical after decode).
	found := false
	for _, c := range *bom.Components {
		if strings.HasPrefix(c.Name, "S7-1500 <script>") {
			found = true
		}
	}
	if !found {
		t.Error("asset name with markup not preserved through XML")
	}
}

func TestReproducibleBytes(t *testing.T) {
	a := encodeJSON(t, stamped())
	b := encodeJSON(t, stamped())
	if !bytes.Equal(a, b) {
		t.Fatal("two reproducible encodings differ")
	}
	var m struct {
		SerialNumber string `json:"serialNumber"`
		Metadata     struct {
			Timestamp string `json:"timestamp"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(a, &m); err != nil {
		t.Fatal(err)
	}
	if m.Metadata.Timestamp != "2023-11-14T22:13:20Z" {
		t.Errorf("timestamp = %q, want SOURCE_DATE_EPOCH 1700000000", m.Metadata.Timestamp)
	}
	// Changing content changes the serial number.
	d := testDoc()
	d.Firmware[0].Version = "1.16.4"
	if err := d.Stamp(StampOptions{Reproducible: true, Epoch: time.Unix(1700000000, 0)}); err != nil {
		t.Fatal(err)
	}
	if d.SerialNumber == m.SerialNumber {
		t.Error("serial number did not change with content")
	}
	// Without an epoch, no timestamp at all.
	d = testDoc()
	if err := d.Stamp(StampOptions{Reproducible: true}); err != nil {
		t.Fatal(err)
	}
	if out := encodeJSON(t, d); strings.Contains(string(out), `"timestamp"`) {
		t.Error("reproducible document without epoch has a timestamp")
	}
	// Normal documents get random serial numbers.
	d1, d2 := testDoc(), testDoc()
	_ = d1.Stamp(StampOptions{})
	_ = d2.Stamp(StampOptions{})
	if d1.SerialNumber == d2.SerialNumber {
		t.Error("two normal documents share a serial number")
	}
	validate(t, "cyclonedx", encodeJSON(t, d1))
}

func TestUUIDv5(t *testing.T) {
	// RFC 9562 appendix A.4: UUIDv5 of "www.example.com" in the DNS namespace.
	dns := [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	if got := uuidV5(dns, "www.example.com"); got != "2ed6657d-e927-568b-95e1-2665a8aea6a2" {
		t.Errorf("uuidV5 = %s", got)
	}
}

func TestCompositionUnknownWithoutHardware(t *testing.T) {
	d := testDoc()
	d.Hardware = nil
	d.Machine.DependsOn = []string{"os"}
	d.Gaps = append(d.Gaps, Gap{Area: "packages:dpkg", Aggregate: AggregateIncomplete, Reason: "truncated"})
	if err := d.Stamp(StampOptions{Reproducible: true}); err != nil {
		t.Fatal(err)
	}
	out := encodeJSON(t, d)
	validate(t, "cyclonedx", out)
	var m struct {
		Compositions []struct {
			Aggregate    string   `json:"aggregate"`
			Assemblies   []string `json:"assemblies"`
			Dependencies []string `json:"dependencies"`
		} `json:"compositions"`
	}
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Compositions) != 2 {
		t.Fatalf("got %d compositions, want hardware and software", len(m.Compositions))
	}
	if c := m.Compositions[0]; c.Aggregate != "unknown" || len(c.Assemblies) != 1 || c.Assemblies[0] != "machine" {
		t.Errorf("hardware composition = %+v, want unknown over the machine", c)
	}
	if c := m.Compositions[1]; c.Aggregate != "incomplete" || len(c.Dependencies) != 1 || c.Dependencies[0] != "os" {
		t.Errorf("software composition = %+v, want incomplete over the os", c)
	}
}
