package cbom

import (
	"fmt"
	"io"
	"strings"
	"time"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"
)

// SPDX maps the document to an SPDX 2.3 document. Every component becomes a
// package with a primaryPackagePurpose (DEVICE, FIRMWARE, OPERATING_SYSTEM,
// APPLICATION, LIBRARY; OTHER for drivers); purl and CPE become external
// references; properties, serial and MAC numbers go in the package comment;
// gaps and warnings go in the document comment. The machine is DESCRIBED by
// the document and CONTAINS its hardware and the OS, which CONTAINS the
// packages; other dependencies are DEPENDS_ON.
func (d *Document) SPDX() *spdx.Document {
	uuid := strings.TrimPrefix(d.SerialNumber, "urn:uuid:")
	created := d.Timestamp
	if created.IsZero() {
		created = time.Unix(0, 0)
	}
	tool := d.ToolName
	if tool == "" {
		tool = "wirebom"
	}
	if d.ToolVersion != "" {
		tool += "-" + d.ToolVersion
	}
	name := "wirebom-cbom"
	if d.Machine != nil {
		name = "wirebom-cbom-" + d.Machine.Name
	}
	doc := &spdx.Document{
		SPDXVersion:       spdx.Version,
		DataLicense:       spdx.DataLicense,
		SPDXIdentifier:    "DOCUMENT",
		DocumentName:      name,
		DocumentNamespace: "https://wirebom.invalid/spdxdocs/" + uuid,
		CreationInfo: &spdx.CreationInfo{
			Creators: []common.Creator{{CreatorType: "Tool", Creator: tool}},
			Created:  created.UTC().Format("2006-01-02T15:04:05Z"),
		},
	}
	var notes []string
	for _, g := range d.Gaps {
		notes = append(notes, fmt.Sprintf("unknown %s (%s): %s", g.Area, g.Aggregate, g.Reason))
	}
	for _, w := range d.Warnings {
		notes = append(notes, "warning "+w.String())
	}
	if d.Reproducible {
		notes = append(notes, "reproducible: serial number derived from content")
	}
	doc.DocumentComment = strings.Join(notes, "\n")

	ids := map[string]common.ElementID{}
	used := map[common.ElementID]bool{}
	all := d.All()
	for _, c := range all {
		id := spdxID(c.Ref)
		for n := 2; used[id]; n++ {
			id = common.ElementID(fmt.Sprintf("%s-%d", spdxID(c.Ref), n))
		}
		used[id] = true
		ids[c.Ref] = id
		doc.Packages = append(doc.Packages, spdxPackage(c, id))
	}
	if d.Machine != nil {
		doc.Relationships = append(doc.Relationships, &spdx.Relationship{
			RefA:         common.MakeDocElementID("", "DOCUMENT"),
			RefB:         common.MakeDocElementID("", string(ids[d.Machine.Ref])),
			Relationship: "DESCRIBES",
		})
	}
	hw := map[string]bool{}
	for _, c := range d.Hardware {
		hw[c.Ref] = true
	}
	for _, c := range all {
		for _, dep := range c.DependsOn {
			rel := "DEPENDS_ON"
			if c.Kind == KindMachine && (hw[dep] || (d.OS != nil && dep == d.OS.Ref)) || c.Kind == KindOS {
				rel = "CONTAINS"
			}
			doc.Relationships = append(doc.Relationships, &spdx.Relationship{
				RefA:         common.MakeDocElementID("", string(ids[c.Ref])),
				RefB:         common.MakeDocElementID("", string(ids[dep])),
				Relationship: rel,
			})
		}
	}
	return doc
}

// spdxID turns a Ref into an SPDX identifier (letters, digits, '.', '-').
func spdxID(ref string) common.ElementID {
	var b strings.Builder
	for _, r := range ref {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		b.WriteString("x")
	}
	return common.ElementID(b.String())
}

var spdxPurpose = map[Class]string{
	ClassDevice:      "DEVICE",
	ClassFirmware:    "FIRMWARE",
	ClassOS:          "OPERATING_SYSTEM", // the 2.3 JSON schema spells it with "_"
	ClassApplication: "APPLICATION",
	ClassLibrary:     "LIBRARY",
	ClassDriver:      "OTHER",
}

var spdxAlg = map[string]common.ChecksumAlgorithm{
	"MD5": common.MD5, "SHA-1": common.SHA1, "SHA-256": common.SHA256, "SHA-384": common.SHA384,
	"SHA-512": common.SHA512, "SHA3-256": common.SHA3_256, "SHA3-384": common.SHA3_384,
	"SHA3-512": common.SHA3_512, "BLAKE2b-256": common.BLAKE2b_256, "BLAKE2b-384": common.BLAKE2b_384,
	"BLAKE2b-512": common.BLAKE2b_512, "BLAKE3": common.BLAKE3,
}

func spdxPackage(c *Component, id common.ElementID) *spdx.Package {
	p := &spdx.Package{
		PackageName:               c.Name,
		PackageSPDXIdentifier:     id,
		PackageVersion:            c.Version,
		PackageDownloadLocation:   "NOASSERTION",
		FilesAnalyzed:             false,
		IsFilesAnalyzedTagPresent: true,
		PackageLicenseConcluded:   "NOASSERTION",
		PackageLicenseDeclared:    "NOASSERTION",
		PackageCopyrightText:      "NOASSERTION",
		PackageSummary:            c.Description,
		PrimaryPackagePurpose:     spdxPurpose[c.Class],
	}
	if c.Vendor != "" {
		p.PackageSupplier = &common.Supplier{Supplier: c.Vendor, SupplierType: "Organization"}
	}
	if c.Publisher != "" {
		typ := "Person" // a package maintainer
		if c.Kind == KindProgram {
			typ = "Organization" // Windows' Publisher: the company behind the program
		}
		p.PackageOriginator = &common.Originator{Originator: strings.NewReplacer("<", "(", ">", ")").Replace(c.Publisher), OriginatorType: typ}
	}
	if c.License != "" {
		p.PackageLicenseComments = "declared by the package manager: " + c.License
	}
	if c.PURL != "" {
		p.PackageExternalReferences = append(p.PackageExternalReferences, &spdx.PackageExternalReference{
			Category: "PACKAGE-MANAGER", RefType: "purl", Locator: c.PURL})
	}
	if c.CPE != "" {
		t := "cpe22Type"
		if strings.HasPrefix(c.CPE, "cpe:2.3:") {
			t = "cpe23Type"
		}
		p.PackageExternalReferences = append(p.PackageExternalReferences, &spdx.PackageExternalReference{
			Category: "SECURITY", RefType: t, Locator: c.CPE})
	}
	for _, h := range c.Hashes {
		if alg, ok := spdxAlg[h.Alg]; ok {
			p.PackageChecksums = append(p.PackageChecksums, common.Checksum{Algorithm: alg, Value: h.Value})
		}
	}
	lines := []string{PropKind + "=" + string(c.Kind)}
	if c.Serial != "" {
		lines = append(lines, PropSerial+"="+c.Serial)
	}
	if c.MAC != "" {
		lines = append(lines, PropMAC+"="+c.MAC)
	}
	if c.Date != "" {
		lines = append(lines, PropReleaseDate+"="+c.Date)
	}
	for _, pr := range c.Props {
		lines = append(lines, pr.Name+"="+pr.Value)
	}
	p.PackageComment = strings.Join(lines, "\n")
	return p
}

// EncodeSPDX writes the document as SPDX 2.3 JSON.
func (d *Document) EncodeSPDX(w io.Writer) error {
	if err := spdxjson.Write(d.SPDX(), w, spdxjson.Indent("  "), spdxjson.EscapeHTML(false)); err != nil {
		return fmt.Errorf("cbom: encode SPDX: %w", err)
	}
	return nil
}
