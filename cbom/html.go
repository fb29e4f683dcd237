package cbom

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
)

//go:embed report.html.tmpl
var reportHTML string

var htmlTmpl = template.Must(template.New("report").Parse(reportHTML))

// EncodeHTML writes a self-contained HTML report: one file with inline CSS,
// no scripts and no external resources, readable offline. Every value is
// escaped by html/template.
func (d *Document) EncodeHTML(w io.Writer) error {
	if err := htmlTmpl.Execute(w, d.report()); err != nil {
		return fmt.Errorf("cbom: encode HTML: %w", err)
	}
	return nil
}
