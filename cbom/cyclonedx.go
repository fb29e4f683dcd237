package cbom

import (
	"fmt"
	"io"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Property names. Registered CycloneDX taxonomy names (cdx:device) are used
// where one exists; everything else is in the wirebom namespace.
const (
	PropSerial       = "cdx:device:serialNumber"
	PropMAC          = "cdx:device:macAddress"
	PropReproducible = "cdx:reproducible"
	PropKind         = "wirebom:kind"
	PropSource       = "wirebom:source"
	PropReleaseDate  = "wirebom:firmware:releaseDate"
	PropWarning      = "wirebom:warning"
	PropRoot         = "wirebom:root"
	PropLive         = "wirebom:live"
	PropGapPrefix    = "wirebom:unknown:"
)

// CycloneDX maps the document to a CycloneDX BOM (spec version 1.6 once
// encoded with EncodeCycloneDX). Hardware devices are nested components of
// the machine (metadata.component); firmware, drivers, the operating system,
// packages and network assets are top-level components.
func (d *Document) CycloneDX() *cdx.BOM {
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.SerialNumber = d.SerialNumber
	tool := cdx.Component{Type: cdx.ComponentTypeApplication, Name: d.ToolName, Version: d.ToolVersion}
	if tool.Name == "" {
		tool.Name = "wirebom"
	}
	md := &cdx.Metadata{
		Lifecycles: &[]cdx.Lifecycle{{Phase: cdx.LifecyclePhaseOperations}},
		Tools:      &cdx.ToolsChoice{Components: &[]cdx.Component{tool}},
	}
	if !d.Timestamp.IsZero() {
		md.Timestamp = d.Timestamp.UTC().Format(time.RFC3339)
	}
	var mprops []cdx.Property
	if d.Reproducible {
		mprops = append(mprops, cdx.Property{Name: PropReproducible, Value: "true"})
	}
	if d.Root != "" {
		mprops = append(mprops, cdx.Property{Name: PropRoot, Value: d.Root})
	}
	mprops = append(mprops, cdx.Property{Name: PropLive, Value: fmt.Sprint(d.Live)})
	for _, w := range d.Warnings {
		mprops = append(mprops, cdx.Property{Name: PropWarning, Value: w.String()})
	}
	md.Properties = &mprops

	if d.Machine != nil {
		mc := cdxComponent(d.Machine)
		for _, g := range d.Gaps {
			mc.Properties = appendProp(mc.Properties, PropGapPrefix+g.Area, string(g.Aggregate)+": "+g.Reason)
		}
		if len(d.Hardware) > 0 {
			hw := make([]cdx.Component, 0, len(d.Hardware))
			for _, c := range d.Hardware {
				hw = append(hw, cdxComponent(c))
			}
			mc.Components = &hw
		}
		md.Component = &mc
	}
	bom.Metadata = md

	var comps []cdx.Component
	for _, group := range [][]*Component{d.Firmware, d.Drivers, {d.OS}, d.Packages, d.Assets} {
		for _, c := range group {
			if c != nil {
				comps = append(comps, cdxComponent(c))
			}
		}
	}
	if len(comps) > 0 {
		bom.Components = &comps
	}

	var deps []cdx.Dependency
	for _, c := range d.All() {
		graph := c.Class == ClassDevice || c.Class == ClassOS || len(c.DependsOn) > 0
		if !graph {
			continue
		}
		dep := cdx.Dependency{Ref: c.Ref}
		if len(c.DependsOn) > 0 {
			on := append([]string(nil), c.DependsOn...)
			dep.Dependencies = &on
		}
		deps = append(deps, dep)
	}
	if len(deps) > 0 {
		bom.Dependencies = &deps
	}

	if comp := d.compositions(); len(comp) > 0 {
		bom.Compositions = &comp
	}
	return bom
}

// compositions declares what could not be seen. Hardware and firmware gaps
// make the machine's assembly (its nested hardware) and its dependencies
// (firmware, devices) "incomplete", or "unknown" when no hardware at all was
// seen; package database gaps do the same for the operating system's
// dependencies (its packages). Details per area are in the machine's wirebom:unknown:*
// properties.
func (d *Document) compositions() []cdx.Composition {
	var hw, sw bool
	for _, g := range d.Gaps {
		switch {
		case g.Hardware:
			hw = true
		case strings.HasPrefix(g.Area, "packages:"):
			sw = true
		}
	}
	var out []cdx.Composition
	if hw && d.Machine != nil {
		agg := cdx.CompositionAggregateIncomplete
		if len(d.Hardware) == 0 {
			agg = cdx.CompositionAggregateUnknown
		}
		out = append(out, cdx.Composition{BOMRef: "composition:hardware", Aggregate: agg,
			Assemblies:   &[]cdx.BOMReference{cdx.BOMReference(d.Machine.Ref)},
			Dependencies: &[]cdx.BOMReference{cdx.BOMReference(d.Machine.Ref)}})
	}
	if sw {
		agg := cdx.CompositionAggregateIncomplete
		if len(d.Packages) == 0 {
			agg = cdx.CompositionAggregateUnknown
		}
		ref := ""
		switch {
		case d.OS != nil:
			ref = d.OS.Ref
		case d.Machine != nil && !hw:
			ref = d.Machine.Ref
		}
		if ref != "" {
			out = append(out, cdx.Composition{BOMRef: "composition:software", Aggregate: agg,
				Dependencies: &[]cdx.BOMReference{cdx.BOMReference(ref)}})
		}
	}
	return out
}

func appendProp(p *[]cdx.Property, name, value string) *[]cdx.Property {
	if p == nil {
		p = &[]cdx.Property{}
	}
	*p = append(*p, cdx.Property{Name: name, Value: value})
	return p
}

func cdxComponent(c *Component) cdx.Component {
	out := cdx.Component{
		BOMRef:      c.Ref,
		Type:        cdx.ComponentType(c.Class),
		Name:        c.Name,
		Version:     c.Version,
		Description: c.Description,
		PackageURL:  c.PURL,
		CPE:         c.CPE,
		Publisher:   c.Publisher,
	}
	if out.Name == "" {
		out.Name = string(c.Kind)
	}
	if c.Vendor != "" {
		switch c.Class {
		case ClassDevice, ClassFirmware:
			out.Manufacturer = &cdx.OrganizationalEntity{Name: c.Vendor}
		default:
			out.Supplier = &cdx.OrganizationalEntity{Name: c.Vendor}
		}
	}
	if c.License != "" {
		out.Licenses = &cdx.Licenses{{License: &cdx.License{Name: c.License}}}
	}
	if len(c.Hashes) > 0 {
		hs := make([]cdx.Hash, len(c.Hashes))
		for i, h := range c.Hashes {
			hs[i] = cdx.Hash{Algorithm: cdx.HashAlgorithm(h.Alg), Value: h.Value}
		}
		out.Hashes = &hs
	}
	props := make([]cdx.Property, 0, 3+len(c.Props))
	props = append(props, cdx.Property{Name: PropKind, Value: string(c.Kind)})
	if c.Serial != "" {
		props = append(props, cdx.Property{Name: PropSerial, Value: c.Serial})
	}
	if c.MAC != "" {
		props = append(props, cdx.Property{Name: PropMAC, Value: c.MAC})
	}
	if c.Date != "" {
		props = append(props, cdx.Property{Name: PropReleaseDate, Value: c.Date})
	}
	if c.Source != "" {
		props = append(props, cdx.Property{Name: PropSource, Value: c.Source})
	}
	for _, p := range c.Props {
		props = append(props, cdx.Property{Name: p.Name, Value: p.Value})
	}
	out.Properties = &props
	return out
}

// CycloneDXFormat selects the CycloneDX serialization.
type CycloneDXFormat int

// CycloneDX serializations.
const (
	CycloneDXJSON CycloneDXFormat = iota
	CycloneDXXML
)

// EncodeCycloneDX writes the document as CycloneDX 1.6 JSON or XML.
func (d *Document) EncodeCycloneDX(w io.Writer, f CycloneDXFormat) error {
	format := cdx.BOMFileFormatJSON
	if f == CycloneDXXML {
		format = cdx.BOMFileFormatXML
	}
	enc := cdx.NewBOMEncoder(w, format)
	enc.SetPretty(true)
	enc.SetEscapeHTML(false)
	if err := enc.EncodeVersion(d.CycloneDX(), cdx.SpecVersion1_6); err != nil {
		return fmt.Errorf("cbom: encode CycloneDX: %w", err)
	}
	return nil
}
