package cbom

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/text/unicode/norm"
)

// latin1 transliterates s to the cp1252 code page of the PDF core fonts:
// characters the code page has are kept, accented letters outside it lose
// their accents (NFD base letter), anything else becomes '?'. Control
// characters become spaces.
func latin1(tr func(string) string, s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
			b.WriteByte(' ')
		case r < 0x80:
			b.WriteRune(r)
		default:
			if t := tr(string(r)); t != "." {
				b.WriteString(t)
				continue
			}
			base := '?'
			for _, d := range norm.NFD.String(string(r)) {
				if d < 0x80 && unicode.IsLetter(d) {
					base = d
					break
				}
			}
			b.WriteRune(base)
		}
	}
	return b.String()
}

// EncodePDF writes the same report as EncodeHTML as a PDF (A4 landscape,
// core fonts only). Text outside the fonts' code page is transliterated.
// The PDF's dates are the document's timestamp (or 1970), so reproducible
// documents give reproducible PDFs.
func (d *Document) EncodePDF(w io.Writer) error {
	r := d.report()
	pdf := fpdf.New("L", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	t := func(s string) string { return latin1(tr, s) }
	when := d.Timestamp
	if when.IsZero() {
		when = time.Unix(0, 0).UTC()
	}
	pdf.SetCreationDate(when)
	pdf.SetModificationDate(when)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(t(r.Title+": "+r.Subtitle), false)
	pdf.SetCreator("wirebom", false)
	pdf.SetAutoPageBreak(true, 12)
	pdf.SetMargins(10, 10, 10)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-9)
		pdf.SetFont("Helvetica", "", 7)
		pdf.CellFormat(0, 4, t(fmt.Sprintf("%s - %s - page %d", r.Title, r.Subtitle, pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pageW, _ := pdf.GetPageSize()
	left, _, right, _ := pdf.GetMargins()
	usable := pageW - left - right

	pdf.SetFont("Helvetica", "B", 18)
	pdf.CellFormat(0, 10, t(r.Title), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 13)
	pdf.CellFormat(0, 7, t(r.Subtitle), "", 1, "L", false, 0, "")
	pdf.Ln(2)

	heading := func(s string) {
		pdf.Ln(3)
		pdf.SetFont("Helvetica", "B", 12)
		pdf.SetTextColor(22, 50, 79)
		pdf.CellFormat(0, 7, t(s), "B", 1, "L", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
		pdf.Ln(1)
	}
	heading("Summary")
	pdf.SetFont("Helvetica", "", 9)
	for _, kv := range r.Summary {
		pdf.SetFont("Helvetica", "B", 9)
		pdf.CellFormat(45, 5, t(kv[0]), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 9)
		pdf.MultiCell(usable-45, 5, t(kv[1]), "", "L", false)
	}
	for _, s := range r.Sections {
		heading(s.Title)
		if s.Note != "" {
			pdf.SetFont("Helvetica", "I", 8)
			pdf.CellFormat(0, 5, t(s.Note), "", 1, "L", false, 0, "")
		}
		if len(s.Rows) == 0 {
			pdf.SetFont("Helvetica", "I", 9)
			pdf.MultiCell(0, 5, t(s.Empty), "", "L", false)
			continue
		}
		pdfTable(pdf, t, s, usable)
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("cbom: encode PDF: %w", err)
	}
	return nil
}

// pdfTable draws a table with wrapped cells, repeating the header after a
// page break.
func pdfTable(pdf *fpdf.Fpdf, t func(string) string, s section, usable float64) {
	total := 0.0
	for _, w := range s.Widths {
		total += w
	}
	widths := make([]float64, len(s.Columns))
	for i := range widths {
		wt := 1.0
		if i < len(s.Widths) {
			wt = s.Widths[i]
		} else {
			total++
		}
		widths[i] = wt
	}
	for i := range widths {
		widths[i] = widths[i] / total * usable
	}
	const lh = 4.0
	_, pageH := pdf.GetPageSize()
	left, _, _, _ := pdf.GetMargins()
	header := func() {
		pdf.SetFont("Helvetica", "B", 8)
		pdf.SetFillColor(232, 237, 242)
		for i, c := range s.Columns {
			pdf.CellFormat(widths[i], 5, t(c), "1", 0, "L", true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 7.5)
	}
	header()
	for _, row := range s.Rows {
		lines := make([][]string, len(widths))
		n := 1
		for i := range widths {
			v := ""
			if i < len(row) {
				v = t(row[i])
			}
			lines[i] = pdf.SplitText(v, widths[i])
			if len(lines[i]) > maxCellLines {
				lines[i] = append(lines[i][:maxCellLines-1], "[...]")
			}
			if len(lines[i]) > n {
				n = len(lines[i])
			}
		}
		h := float64(n) * lh
		if pdf.GetY()+h > pageH-14 {
			pdf.AddPage()
			header()
		}
		x, y := pdf.GetX(), pdf.GetY()
		for i, w := range widths {
			pdf.Rect(x, y, w, h, "D")
			for j, l := range lines[i] {
				pdf.SetXY(x, y+float64(j)*lh)
				pdf.CellFormat(w, lh, l, "", 0, "L", false, 0, "")
			}
			x += w
		}
		pdf.SetXY(left, y+h)
	}
}

// maxCellLines caps a table cell so that one row always fits on a page.
const maxCellLines = 30
