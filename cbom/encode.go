package cbom

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Format is an output format of Encode.
type Format string

// Output formats.
const (
	FormatCycloneDXJSON Format = "cyclonedx-json"
	FormatCycloneDXXML  Format = "cyclonedx-xml"
	FormatSPDXJSON      Format = "spdx-json"
	// FormatYAML is the document model itself (this package's Document, the
	// richest form: gaps, warnings and every fact), not CycloneDX in YAML.
	FormatYAML Format = "yaml"
	FormatHTML Format = "html"
	FormatPDF  Format = "pdf"
)

// Formats lists every output format, default first.
var Formats = []Format{FormatCycloneDXJSON, FormatCycloneDXXML, FormatSPDXJSON, FormatYAML, FormatHTML, FormatPDF}

// ParseFormat checks a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown format %q (want one of %s)", s, strings.Join(names, ", "))
}

// FormatForFile infers the format from a file name: *.cdx.json and *.json
// CycloneDX JSON, *.spdx.json SPDX, *.xml CycloneDX XML, *.yaml/*.yml YAML,
// *.html/*.htm HTML, *.pdf PDF.
func FormatForFile(name string) (Format, bool) {
	n := strings.ToLower(filepath.Base(name))
	switch {
	case strings.HasSuffix(n, ".spdx.json"):
		return FormatSPDXJSON, true
	case strings.HasSuffix(n, ".json"):
		return FormatCycloneDXJSON, true
	case strings.HasSuffix(n, ".xml"):
		return FormatCycloneDXXML, true
	case strings.HasSuffix(n, ".yaml"), strings.HasSuffix(n, ".yml"):
		return FormatYAML, true
	case strings.HasSuffix(n, ".html"), strings.HasSuffix(n, ".htm"):
		return FormatHTML, true
	case strings.HasSuffix(n, ".pdf"):
		return FormatPDF, true
	}
	return "", false
}

// Encode writes the document in format f. Call Stamp first.
func (d *Document) Encode(w io.Writer, f Format) error {
	d.normalize()
	switch f {
	case FormatCycloneDXJSON, "":
		return d.EncodeCycloneDX(w, CycloneDXJSON)
	case FormatCycloneDXXML:
		return d.EncodeCycloneDX(w, CycloneDXXML)
	case FormatSPDXJSON:
		return d.EncodeSPDX(w)
	case FormatYAML:
		return d.EncodeYAML(w)
	case FormatHTML:
		return d.EncodeHTML(w)
	case FormatPDF:
		return d.EncodePDF(w)
	}
	return fmt.Errorf("cbom: unknown format %q", f)
}

// EncodeYAML writes the document model as YAML.
func (d *Document) EncodeYAML(w io.Writer) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(d); err != nil {
		return fmt.Errorf("cbom: encode YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("cbom: encode YAML: %w", err)
	}
	return nil
}
