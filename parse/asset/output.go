package asset

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"
)

// Escape makes a string from the wire safe to print on a terminal or store
// in a CSV cell: printable characters pass, a backslash becomes `\\`,
// invalid UTF-8 bytes and ASCII control characters become `\xNN`, other
// non-printable characters (C1 controls, bidirectional overrides,
// zero-width and other format characters, line separators) become
// `\uNNNN`. The result contains no byte below 0x20, no DEL, no terminal
// escape sequence and is valid UTF-8.
func Escape(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c == '\\' || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r < 0x80 && (r < 0x20 || r == 0x7f):
			fmt.Fprintf(&b, `\x%02x`, r)
		case r == ' ' || (unicode.IsPrint(r) && r != '\u2028' && r != '\u2029'):
			b.WriteString(s[i : i+size])
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.String()
}

// neutralizeFormula prefixes a cell that a spreadsheet would evaluate as a
// formula (first character = + - @ TAB CR, after leading spaces) with a
// single quote, as OWASP's CSV injection guidance recommends.
func neutralizeFormula(s string) string {
	t := strings.TrimLeft(s, " ")
	if t == "" {
		return s
	}
	switch t[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n':
		return "'" + s
	}
	// Full-width forms some spreadsheets also accept.
	if r, _ := utf8.DecodeRuneInString(t); r == '＝' || r == '＋' || r == '－' || r == '＠' {
		return "'" + s
	}
	return s
}

// clip shortens s to at most n runes, ending in "…" when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return string(rs[:n-1]) + "…"
}

// WriteJSON writes r as indented JSON (schema SchemaVersion). The output is
// always valid UTF-8: invalid bytes from the wire appear as U+FFFD, with the
// raw bytes in the sibling "hex" field.
func WriteJSON(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("asset: write json: %w", err)
	}
	return nil
}

// ErrSchema is returned by ReadJSON for a document that is not an asset
// report of a schema version this package reads.
var ErrSchema = errors.New("not a wirebom asset report (schema " + SchemaVersion + ")")

// ReadJSON reads a report written by WriteJSON (wirebom assets --json).
// Unknown fields are ignored, so reports from newer v1 writers load.
func ReadJSON(r io.Reader) (Report, error) {
	var rep Report
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return Report{}, fmt.Errorf("asset: read json: %w", err)
	}
	if rep.Schema != SchemaVersion {
		return Report{}, fmt.Errorf("asset: read json: schema %q: %w", rep.Schema, ErrSchema)
	}
	return rep, nil
}

// CSVHeader is the header row WriteCSV writes.
var CSVHeader = []string{
	"mac", "vendor", "locally_administered", "multicast", "ips", "names", "identity",
	"protocols", "roles", "vlans", "first_seen", "last_seen", "packets", "bytes", "conflicts",
}

// WriteCSV writes one row per asset (RFC 4180, header CSVHeader). Multiple
// values in a cell are separated by "; ". Every cell is escaped like Escape
// and neutralised against spreadsheet formula injection.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	conf := conflictIndex(r)
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("asset: write csv: %w", err)
	}
	for _, a := range r.Assets {
		var ips, names, ids []string
		for _, ip := range a.IPs {
			s := ip.IP + " (" + ip.Evidence
			if ip.Routed {
				s += ", routed"
			}
			ips = append(ips, s+")")
		}
		for _, n := range a.Names {
			names = append(names, n.Name+" ("+n.Source+")")
		}
		for _, f := range a.Identity {
			s := f.Key + "=" + f.Value
			if f.Meaning != "" {
				s += " [" + f.Meaning + "]"
			}
			ids = append(ids, s+" ("+f.Source+")")
		}
		vl := make([]string, len(a.VLANs))
		for i, v := range a.VLANs {
			vl[i] = strconv.Itoa(v)
		}
		row := []string{
			a.MAC, a.Vendor, strconv.FormatBool(a.LocallyAdministered), strconv.FormatBool(a.Multicast),
			strings.Join(ips, "; "), strings.Join(names, "; "), strings.Join(ids, "; "),
			strings.Join(a.Protocols, "; "), strings.Join(a.Roles, "; "), strings.Join(vl, "; "),
			timeCell(a.FirstSeen), timeCell(a.LastSeen),
			strconv.FormatUint(a.Packets, 10), strconv.FormatUint(a.Bytes, 10),
			strings.Join(conf[assetID(a)], "; "),
		}
		for i := range row {
			row[i] = neutralizeFormula(Escape(row[i]))
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("asset: write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("asset: write csv: %w", err)
	}
	return nil
}

func timeCell(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func assetID(a Asset) string {
	if a.MAC != "" {
		return a.MAC
	}
	if len(a.IPs) > 0 {
		return a.IPs[0].IP
	}
	return ""
}

// conflictIndex maps a MAC to descriptions of the conflicts it is part of.
func conflictIndex(r Report) map[string][]string {
	m := map[string][]string{}
	for _, c := range r.Conflicts {
		for _, cl := range c.Claims {
			m[cl.MAC] = append(m[cl.MAC], c.Kind+" "+c.Value)
		}
	}
	return m
}

// Column widths (in runes) of the text table.
const (
	wVendor   = 24
	wIPs      = 34
	wName     = 24
	wIdentity = 56
	wRoles    = 44
)

// WriteText writes r as an aligned table, one line per asset, followed by
// the conflicts. Every string from the wire is escaped with Escape, so no
// control character reaches the terminal.
func WriteText(w io.Writer, r Report) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "MAC\tVENDOR\tIPS\tNAME\tIDENTITY\tROLE/PROTOCOLS\tVLANS\tPACKETS")
	conf := conflictIndex(r)
	for _, a := range r.Assets {
		mac := a.MAC
		if mac == "" {
			mac = "(no MAC)"
		}
		if len(conf[assetID(a)]) > 0 {
			mac += " !"
		}
		vendor := a.Vendor
		switch {
		case a.Multicast:
			vendor = "(multicast)"
		case a.LocallyAdministered:
			vendor = "(locally administered)"
		case vendor == "" && a.MAC != "":
			vendor = "(unknown OUI)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n",
			mac, cell(vendor, wVendor), cell(ipSummary(a), wIPs), cell(nameSummary(a), wName),
			cell(identitySummary(a), wIdentity), cell(roleSummary(a), wRoles),
			cell(vlanSummary(a), 16), a.Packets)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("asset: write text: %w", err)
	}
	if len(r.Conflicts) > 0 {
		fmt.Fprintf(w, "\nCONFLICTS (the same value claimed by several devices; spoofing looks like this):\n")
		for _, c := range r.Conflicts {
			var cl []string
			for _, x := range c.Claims {
				cl = append(cl, x.MAC+" ("+x.Source+")")
			}
			fmt.Fprintf(w, "  %s %s: %s\n", c.Kind, Escape(clip(c.Value, 80)), Escape(strings.Join(cl, ", ")))
		}
	}
	_, err := fmt.Fprintf(w, "\n%d assets, %d conflicts", len(r.Assets), len(r.Conflicts))
	if err == nil && r.Dropped > 0 {
		_, err = fmt.Fprintf(w, ", %d values dropped at table limits", r.Dropped)
	}
	if err == nil {
		_, err = fmt.Fprintln(w)
	}
	if err != nil {
		return fmt.Errorf("asset: write text: %w", err)
	}
	return nil
}

// cell escapes s, removes tabs (the column separator) and shortens it.
func cell(s string, n int) string {
	if s == "" {
		return "-"
	}
	return clip(Escape(s), n)
}

func ipSummary(a Asset) string {
	var own []string
	routed := 0
	for _, ip := range a.IPs {
		if ip.Routed {
			routed++
			continue
		}
		own = append(own, ip.IP)
	}
	s := strings.Join(own, ",")
	if routed > 0 {
		if s != "" {
			s += " "
		}
		s += fmt.Sprintf("(+%d routed)", routed)
	}
	return s
}

func nameSummary(a Asset) string {
	if len(a.Names) == 0 {
		return ""
	}
	s := a.Names[0].Name
	if n := distinctNames(a.Names); n > 1 {
		s += fmt.Sprintf(" (+%d)", n-1)
	}
	return s
}

func distinctNames(ns []AssetName) int {
	seen := map[string]bool{}
	for _, n := range ns {
		seen[strings.ToLower(n.Name)] = true
	}
	return len(seen)
}

// identitySummary condenses the identity facts into one line: vendor,
// model, order number, version, serial.
func identitySummary(a Asset) string {
	get := func(keys ...Key) (string, string) {
		for _, k := range keys {
			for _, f := range a.Identity {
				if f.Key == string(k) && strings.TrimSpace(f.Value) != "" {
					return strings.TrimSpace(f.Value), f.Meaning
				}
			}
		}
		return "", ""
	}
	var parts []string
	add := func(s string) {
		if s == "" {
			return
		}
		for _, p := range parts {
			if strings.EqualFold(p, s) {
				return
			}
		}
		parts = append(parts, s)
	}
	if v, m := get(KeyVendorID); m != "" {
		add(m)
	} else if v != "" {
		if n, _ := get(KeyVendorName); n != "" {
			add(n)
		} else {
			add("vendor " + v)
		}
	} else {
		n, _ := get(KeyVendorName)
		add(n)
	}
	model, _ := get(KeyProductName, KeyModel, KeyModuleType, KeyTypeOfStation, KeyModuleName, KeyPlatform)
	add(model)
	on, _ := get(KeyOrderNumber)
	add(on)
	if v, _ := get(KeyFirmware, KeyRevision, KeySoftware); v != "" {
		// CDP software versions are a sentence: keep the version token.
		if i := strings.Index(v, "Version "); i >= 0 {
			v = v[i+len("Version "):]
			if j := strings.IndexAny(v, ", "); j >= 0 {
				v = v[:j]
			}
		}
		add("v" + strings.TrimPrefix(strings.TrimPrefix(v, "v"), "V"))
	}
	if s, _ := get(KeySerial); s != "" {
		add("s/n " + s)
	}
	if len(parts) == 0 {
		d, _ := get(KeySysDesc)
		add(d)
	}
	return strings.Join(parts, " ")
}

// roleSummary lists roles, then protocols; the bare IP layer is left out
// when a protocol above it is known.
func roleSummary(a Asset) string {
	s := strings.Join(a.Roles, ",")
	protos := a.Protocols
	if len(protos) > 1 {
		protos = slices.DeleteFunc(slices.Clone(protos), func(p string) bool {
			return p == string(ProtoIPv4) || p == string(ProtoIPv6)
		})
	}
	if len(protos) > 0 {
		if s != "" {
			s += " "
		}
		s += "[" + strings.Join(protos, ",") + "]"
	}
	return s
}

func vlanSummary(a Asset) string {
	vl := make([]string, len(a.VLANs))
	for i, v := range a.VLANs {
		vl[i] = strconv.Itoa(v)
	}
	return strings.Join(vl, ",")
}
