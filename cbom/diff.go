package cbom

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
)

// maxBOMBytes caps how much of a CycloneDX file Diff reads.
const maxBOMBytes = 1 << 30

// ErrNotCycloneDX is returned (wrapped) by ReadBOM for input that is not a
// CycloneDX JSON document.
var ErrNotCycloneDX = errors.New("not a CycloneDX JSON document")

// BOM is the part of a CycloneDX JSON document that Diff compares: every
// component (nested ones and metadata.component included), flattened.
type BOM struct {
	SpecVersion string
	Components  []BOMComponent
}

// BOMComponent is one component of a BOM as Diff sees it.
type BOMComponent struct {
	// Key identifies the component across two documents: the package URL
	// without version (plus its arch qualifier) when there is one, else
	// type, group and name; "metadata:component" for the described machine.
	Key     string
	Ref     string
	Type    string
	Group   string
	Name    string
	Version string
	PURL    string
	Hashes  []Hash
	Props   []Property
}

type cdxFile struct {
	BOMFormat   *string `json:"bomFormat"`
	SpecVersion string  `json:"specVersion"`
	Metadata    *struct {
		Component *cdxComp `json:"component"`
	} `json:"metadata"`
	Components []cdxComp `json:"components"`
}

type cdxComp struct {
	BOMRef  string `json:"bom-ref"`
	Type    string `json:"type"`
	Group   string `json:"group"`
	Name    string `json:"name"`
	Version string `json:"version"`
	PURL    string `json:"purl"`
	Hashes  []struct {
		Alg     string `json:"alg"`
		Content string `json:"content"`
	} `json:"hashes"`
	Properties []Property `json:"properties"`
	Components []cdxComp  `json:"components"`
}

// ReadBOM reads a CycloneDX JSON document (any 1.x version, from wirebom,
// syft or another tool) for Diff.
func ReadBOM(r io.Reader) (*BOM, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBOMBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if len(data) > maxBOMBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrNotCycloneDX, maxBOMBytes)
	}
	var f cdxFile
	if err := json.Unmarshal(data, &f); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%w: invalid JSON at byte %d: %v", ErrNotCycloneDX, se.Offset, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrNotCycloneDX, err)
	}
	if f.BOMFormat == nil {
		return nil, fmt.Errorf("%w: no \"bomFormat\" field", ErrNotCycloneDX)
	}
	if *f.BOMFormat != "CycloneDX" {
		return nil, fmt.Errorf("%w: bomFormat is %q, want \"CycloneDX\"", ErrNotCycloneDX, cleanString(*f.BOMFormat))
	}
	b := &BOM{SpecVersion: f.SpecVersion}
	if f.Metadata != nil && f.Metadata.Component != nil {
		mc := *f.Metadata.Component
		nested := mc.Components
		mc.Components = nil
		b.add(&mc, "metadata:component")
		b.flatten(nested)
	}
	b.flatten(f.Components)
	b.disambiguate()
	return b, nil
}

func (b *BOM) flatten(cs []cdxComp) {
	for i := range cs {
		b.add(&cs[i], "")
		b.flatten(cs[i].Components)
	}
}

func (b *BOM) add(c *cdxComp, key string) {
	bc := BOMComponent{Ref: c.BOMRef, Type: c.Type, Group: c.Group, Name: c.Name, Version: c.Version, PURL: c.PURL,
		Props: c.Properties}
	for _, h := range c.Hashes {
		bc.Hashes = append(bc.Hashes, Hash{Alg: h.Alg, Value: strings.ToLower(h.Content)})
	}
	if key == "" {
		key = componentKey(c)
	}
	bc.Key = key
	b.Components = append(b.Components, bc)
}

// componentKey is the version-independent identity of a component.
func componentKey(c *cdxComp) string {
	if base, ok := purlBase(c.PURL); ok {
		return "purl:" + base
	}
	return c.Type + ":" + c.Group + "/" + c.Name
}

// purlBase returns "type/namespace/name" of a package URL, lower-casing the
// type and decoding percent escapes, plus "?arch=..." when it has an arch
// qualifier (multi-arch systems install one package per architecture).
func purlBase(p string) (string, bool) {
	rest, ok := strings.CutPrefix(p, "pkg:")
	if !ok || rest == "" {
		return "", false
	}
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	qual := ""
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest, qual = rest[:i], rest[i+1:]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[:i]
	}
	rest = strings.Trim(rest, "/")
	slash := strings.IndexByte(rest, '/')
	if slash <= 0 {
		return "", false
	}
	parts := strings.Split(rest, "/")
	for i, s := range parts {
		if u, err := url.PathUnescape(s); err == nil {
			parts[i] = u
		}
	}
	parts[0] = strings.ToLower(parts[0])
	base := strings.Join(parts, "/")
	for _, kv := range strings.Split(qual, "&") {
		if v, ok := strings.CutPrefix(kv, "arch="); ok {
			if u, err := url.QueryUnescape(v); err == nil {
				v = u
			}
			base += "?arch=" + v
		}
	}
	return base, true
}

// disambiguate makes keys unique. Among components sharing a key, the one
// with the smallest bom-ref keeps it (so that it still matches a lone
// component of the other document, as when syft lists a package twice, from
// the dpkg database and from a cached .deb); the others get "#" and their
// bom-ref when the refs tell them apart, else "#" and their position.
func (b *BOM) disambiguate() {
	groups := map[string][]int{}
	for i, c := range b.Components {
		groups[c.Key] = append(groups[c.Key], i)
	}
	for key, idx := range groups {
		if len(idx) < 2 {
			continue
		}
		sort.SliceStable(idx, func(x, y int) bool { return b.Components[idx[x]].Ref < b.Components[idx[y]].Ref })
		refs := map[string]bool{}
		for _, i := range idx {
			if r := b.Components[i].Ref; r != "" {
				refs[r] = true
			}
		}
		byRef := len(refs) == len(idx)
		for n, i := range idx[1:] {
			if byRef {
				b.Components[i].Key = key + "#" + b.Components[i].Ref
			} else {
				b.Components[i].Key = fmt.Sprintf("%s#%d", key, n+2)
			}
		}
	}
}

// Change is one difference between two BOMs.
type Change struct {
	// Op is "changed", "added" or "removed".
	Op      string `json:"op"`
	Key     string `json:"key"`
	Type    string `json:"type"`
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	// OldVersion and NewVersion are set for a changed version.
	OldVersion string `json:"oldVersion,omitempty"`
	NewVersion string `json:"newVersion,omitempty"`
	// VersionChanged is true when the version differs (either may be empty).
	VersionChanged bool `json:"versionChanged,omitempty"`
	// OldHashes and NewHashes are set when the hashes differ.
	OldHashes []Hash `json:"oldHashes,omitempty"`
	NewHashes []Hash `json:"newHashes,omitempty"`
	// Properties lists the properties whose values differ.
	Properties []PropertyChange `json:"properties,omitempty"`
}

// PropertyChange is a property whose values differ; several values of one
// name are joined with ", ".
type PropertyChange struct {
	Name string `json:"name"`
	Old  string `json:"old,omitempty"`
	New  string `json:"new,omitempty"`
}

// DiffResult lists the changes from one BOM to another: firmware first (the
// BIOS, UEFI and device firmware updates an auditor looks for), then
// devices, operating systems, and the rest; changed before added before
// removed within each.
type DiffResult struct {
	Old     string   `json:"old"`
	New     string   `json:"new"`
	Equal   bool     `json:"equal"`
	Added   int      `json:"added"`
	Removed int      `json:"removed"`
	Changed int      `json:"changed"`
	Changes []Change `json:"changes"`
}

// Diff compares two BOMs component by component. Properties are compared
// only in namespaces (the part of the name before the first ':') that both
// documents use, so that a wirebom document and a syft document differ in
// versions and hashes, not in each tool's own property names.
func Diff(old, new *BOM) *DiffResult {
	r := &DiffResult{Changes: []Change{}}
	shared := map[string]bool{}
	oldNS := namespaces(old)
	for ns := range namespaces(new) {
		if oldNS[ns] {
			shared[ns] = true
		}
	}
	oldBy := map[string]*BOMComponent{}
	for i := range old.Components {
		oldBy[old.Components[i].Key] = &old.Components[i]
	}
	seen := map[string]bool{}
	for i := range new.Components {
		n := &new.Components[i]
		seen[n.Key] = true
		o, ok := oldBy[n.Key]
		if !ok {
			r.Changes = append(r.Changes, Change{Op: "added", Key: n.Key, Type: n.Type, Name: n.Name, Version: n.Version})
			r.Added++
			continue
		}
		if c, diff := compare(o, n, shared); diff {
			r.Changes = append(r.Changes, c)
			r.Changed++
		}
	}
	for i := range old.Components {
		o := &old.Components[i]
		if !seen[o.Key] {
			r.Changes = append(r.Changes, Change{Op: "removed", Key: o.Key, Type: o.Type, Name: o.Name, Version: o.Version})
			r.Removed++
		}
	}
	sort.SliceStable(r.Changes, func(i, j int) bool {
		a, b := r.Changes[i], r.Changes[j]
		if ra, rb := typeRank(a.Type), typeRank(b.Type); ra != rb {
			return ra < rb
		}
		if ra, rb := opRank(a.Op), opRank(b.Op); ra != rb {
			return ra < rb
		}
		return a.Key < b.Key
	})
	r.Equal = len(r.Changes) == 0
	return r
}

func typeRank(t string) int {
	switch t {
	case "firmware":
		return 0
	case "device":
		return 1
	case "operating-system":
		return 2
	case "device-driver":
		return 3
	}
	return 4
}

func opRank(op string) int {
	switch op {
	case "changed":
		return 0
	case "added":
		return 1
	}
	return 2
}

func namespaces(b *BOM) map[string]bool {
	ns := map[string]bool{}
	for i := range b.Components {
		for _, p := range b.Components[i].Props {
			ns[namespace(p.Name)] = true
		}
	}
	return ns
}

func namespace(name string) string {
	if i := strings.IndexByte(name, ':'); i >= 0 {
		return name[:i]
	}
	return name
}

func compare(o, n *BOMComponent, shared map[string]bool) (Change, bool) {
	c := Change{Op: "changed", Key: n.Key, Type: n.Type, Name: n.Name, Version: n.Version}
	diff := false
	if o.Version != n.Version {
		c.OldVersion, c.NewVersion, c.VersionChanged = o.Version, n.Version, true
		diff = true
	}
	if hashSet(o.Hashes) != hashSet(n.Hashes) {
		c.OldHashes, c.NewHashes = o.Hashes, n.Hashes
		diff = true
	}
	op, np := propMap(o.Props), propMap(n.Props)
	names := make([]string, 0, len(op)+len(np))
	for k := range op {
		names = append(names, k)
	}
	for k := range np {
		if _, ok := op[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		if !shared[namespace(k)] {
			continue
		}
		if op[k] != np[k] {
			c.Properties = append(c.Properties, PropertyChange{Name: k, Old: op[k], New: np[k]})
			diff = true
		}
	}
	return c, diff
}

func hashSet(hs []Hash) string {
	s := make([]string, len(hs))
	for i, h := range hs {
		s[i] = h.Alg + ":" + h.Value
	}
	sort.Strings(s)
	return strings.Join(s, "\n")
}

func propMap(ps []Property) map[string]string {
	vals := map[string][]string{}
	for _, p := range ps {
		vals[p.Name] = append(vals[p.Name], p.Value)
	}
	out := make(map[string]string, len(vals))
	for k, v := range vals {
		sort.Strings(v)
		out[k] = strings.Join(v, ", ")
	}
	return out
}

// WriteText writes the result for a terminal, one change per line (with
// indented details), and a summary line.
func (r *DiffResult) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", r.Old, r.New)
	for _, c := range r.Changes {
		name := quoteIfNeeded(c.Name)
		switch c.Op {
		case "added":
			fmt.Fprintf(&b, "+ %s %s %s\n", c.Type, name, quoteIfNeeded(c.Version))
		case "removed":
			fmt.Fprintf(&b, "- %s %s %s\n", c.Type, name, quoteIfNeeded(c.Version))
		default:
			fmt.Fprintf(&b, "~ %s %s", c.Type, name)
			if c.VersionChanged {
				fmt.Fprintf(&b, " %s -> %s", orNone(c.OldVersion), orNone(c.NewVersion))
			} else if c.Version != "" {
				fmt.Fprintf(&b, " %s", quoteIfNeeded(c.Version))
			}
			b.WriteByte('\n')
			if c.OldHashes != nil || c.NewHashes != nil {
				fmt.Fprintf(&b, "    hashes: %s -> %s\n", quoteIfNeeded(strings.ReplaceAll(hashSet(c.OldHashes), "\n", " ")),
					quoteIfNeeded(strings.ReplaceAll(hashSet(c.NewHashes), "\n", " ")))
			}
			for _, p := range c.Properties {
				fmt.Fprintf(&b, "    %s: %s -> %s\n", quoteIfNeeded(p.Name), orNone(p.Old), orNone(p.New))
			}
		}
	}
	fmt.Fprintf(&b, "%d changed, %d added, %d removed\n", r.Changed, r.Added, r.Removed)
	_, err := io.WriteString(w, b.String())
	return err
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return quoteIfNeeded(s)
}

// quoteIfNeeded quotes strings that could disturb a terminal or the line
// format (control characters, escapes, leading/trailing space, empty).
func quoteIfNeeded(s string) string {
	if s == "" {
		return `""`
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' || r == 0xfffd || r == '"' {
			return fmt.Sprintf("%q", s)
		}
	}
	if strings.TrimSpace(s) != s {
		return fmt.Sprintf("%q", s)
	}
	return s
}
