//go:build ignore

// gen.go converts the IEEE registries shipped by Debian's ieee-data package
// (oui.csv MA-L, mam.csv MA-M, oui36.csv MA-S, iab.csv IAB) into oui.txt.gz,
// the compact table embedded by package oui. Run it through
// scripts/gen-oui.sh.
//
// Output format (before gzip), one assignment per line, sorted by kind then
// prefix:
//
//	L001122<TAB>Organization   24-bit prefix (MA-L), 6 hex digits
//	M0011223<TAB>Organization  28-bit prefix (MA-M), 7 hex digits
//	S001122334<TAB>Organization 36-bit prefix (MA-S and IAB), 9 hex digits
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go run gen.go IEEE_DATA_DIR OUT.txt.gz")
		os.Exit(2)
	}
	dir, out := os.Args[1], os.Args[2]
	type rec struct{ kind, prefix, org string }
	var recs []rec
	seen := map[string]bool{}
	for _, f := range []struct {
		file, kind string
		digits     int
	}{{"oui.csv", "L", 6}, {"mam.csv", "M", 7}, {"oui36.csv", "S", 9}, {"iab.csv", "S", 9}} {
		fh, err := os.Open(filepath.Join(dir, f.file))
		if err != nil {
			fail(err)
		}
		r := csv.NewReader(fh)
		r.FieldsPerRecord = -1
		first := true
		for {
			row, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				fail(fmt.Errorf("%s: %w", f.file, err))
			}
			if first {
				first = false
				continue
			}
			if len(row) < 3 {
				continue
			}
			p := strings.ToUpper(strings.TrimSpace(row[1]))
			if len(p) != f.digits || strings.Trim(p, "0123456789ABCDEF") != "" {
				fail(fmt.Errorf("%s: bad assignment %q", f.file, row[1]))
			}
			org := strings.Join(strings.Fields(row[2]), " ")
			org = strings.Map(func(r rune) rune {
				if r < 0x20 || r == 0x7f {
					return -1
				}
				return r
			}, org)
			if org == "" || seen[f.kind+p] {
				continue
			}
			seen[f.kind+p] = true
			recs = append(recs, rec{f.kind, p, org})
		}
		fh.Close()
	}
	sort.Slice(recs, func(i, j int) bool {
		if recs[i].kind != recs[j].kind {
			return recs[i].kind < recs[j].kind
		}
		return recs[i].prefix < recs[j].prefix
	})
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	for _, r := range recs {
		fmt.Fprintf(zw, "%s%s\t%s\n", r.kind, r.prefix, r.org)
	}
	if err := zw.Close(); err != nil {
		fail(err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		fail(err)
	}
	fmt.Fprintf(os.Stderr, "%s: %d assignments, %d bytes\n", out, len(recs), buf.Len())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen-oui:", err)
	os.Exit(1)
}
