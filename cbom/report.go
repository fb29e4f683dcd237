package cbom

import (
	"strconv"
	"strings"
	"time"
)

// report is what the HTML and PDF reports show, in order; both render the
// same value, so they carry the same content.
type report struct {
	Title    string
	Subtitle string
	Summary  [][2]string
	Sections []section
}

// section is one titled table.
type section struct {
	ID      string
	Title   string
	Note    string
	Columns []string
	// Widths are relative column widths (PDF).
	Widths []float64
	Rows   [][]string
	Empty  string
}

func (d *Document) report() *report {
	r := &report{Title: "Cyber Bill of Materials"}
	m := d.Machine
	if m == nil {
		m = &Component{Name: "unknown machine"}
	}
	r.Subtitle = m.Name
	ts := "not recorded (reproducible document)"
	if !d.Timestamp.IsZero() {
		ts = d.Timestamp.UTC().Format(time.RFC3339)
	}
	add := func(k, v string) {
		if v == "" {
			v = "unknown"
		}
		r.Summary = append(r.Summary, [2]string{k, v})
	}
	add("Host name", m.Prop("wirebom:hostname"))
	add("Manufacturer", m.Vendor)
	add("Product", m.Prop("wirebom:system:product"))
	add("Serial number", m.Serial)
	osName, kernel := "", ""
	if d.OS != nil {
		osName = firstNonEmpty(d.OS.Description, strings.TrimSpace(d.OS.Name+" "+d.OS.Version))
		kernel = d.OS.Prop("wirebom:kernel:release")
	}
	add("Operating system", osName)
	add("Kernel", kernel)
	bios := ""
	for _, f := range d.Firmware {
		if f.Ref == "fw:bios" {
			bios = strings.TrimSpace(f.Vendor + " " + f.Version)
			if f.Date != "" {
				bios += " (" + f.Date + ")"
			}
		}
	}
	add("BIOS/UEFI", bios)
	add("Boot mode", m.Prop("wirebom:boot:mode"))
	add("Secure Boot", m.Prop("wirebom:boot:secureBoot"))
	if v := m.Prop("wirebom:memory:totalBytes"); v != "" {
		add("Memory", humanBytes(v))
	}
	add("Inspected root", d.Root+map[bool]string{true: " (live system)", false: ""}[d.Live])
	add("Collected", ts)
	add("Document serial", d.SerialNumber)
	add("Generator", strings.TrimSpace(d.ToolName+" "+d.ToolVersion))
	add("Counts", strconv.Itoa(len(d.Hardware))+" devices, "+strconv.Itoa(len(d.Firmware))+" firmware, "+
		strconv.Itoa(len(d.Drivers))+" drivers, "+strconv.Itoa(len(d.Packages))+" packages, "+
		strconv.Itoa(countKind(d.Assets, KindAsset))+" network assets")

	gaps := section{ID: "unknown", Title: "Not seen (unknown or incomplete)", Columns: []string{"Area", "Status", "Reason"},
		Widths: []float64{1, 1, 5}, Empty: "Nothing reported missing."}
	for _, g := range d.Gaps {
		gaps.Rows = append(gaps.Rows, []string{g.Area, string(g.Aggregate), g.Reason})
	}
	hw := section{ID: "hardware", Title: "Hardware", Columns: []string{"Kind", "Name", "Vendor", "Version", "Serial / MAC", "Location / details"},
		Widths: []float64{1, 3, 2, 1, 2, 2}, Empty: "No hardware could be seen."}
	for _, c := range d.Hardware {
		hw.Rows = append(hw.Rows, []string{string(c.Kind), c.Name, c.Vendor, c.Version,
			strings.TrimSpace(c.Serial + " " + c.MAC), hwDetails(c)})
	}
	fw := section{ID: "firmware", Title: "Firmware", Columns: []string{"Kind", "Name", "Vendor", "Version", "Release date", "Used by"},
		Widths: []float64{1, 3, 2, 2, 1, 2}, Empty: "No firmware could be seen."}
	users := map[string][]string{}
	for _, c := range d.All() {
		for _, dep := range c.DependsOn {
			users[dep] = append(users[dep], c.Ref)
		}
	}
	for _, c := range d.Firmware {
		fw.Rows = append(fw.Rows, []string{string(c.Kind), c.Name, c.Vendor, c.Version, c.Date, strings.Join(users[c.Ref], ", ")})
	}
	drv := section{ID: "drivers", Title: "Device drivers (kernel modules, driver services)", Columns: []string{"Module / driver", "Version", "Source version / image", "Used by"},
		Widths: []float64{2, 2, 3, 3}, Empty: "No loaded kernel modules or driver services were seen."}
	for _, c := range d.Drivers {
		detail := c.Prop("wirebom:module:srcversion")
		if c.Kind == KindDriver {
			detail = c.Prop("wirebom:driver:path")
		}
		drv.Rows = append(drv.Rows, []string{c.Name, c.Version, detail, strings.Join(users[c.Ref], ", ")})
	}
	osec := section{ID: "os", Title: "Operating system", Columns: []string{"Fact", "Value"}, Widths: []float64{1, 4},
		Empty: "The operating system could not be identified."}
	if o := d.OS; o != nil {
		osec.Rows = append(osec.Rows, []string{"Name", firstNonEmpty(o.Description, o.Name)}, []string{"ID", o.Name},
			[]string{"Version", o.Version})
		if o.CPE != "" {
			osec.Rows = append(osec.Rows, []string{"CPE", o.CPE})
		}
		for _, p := range o.Props {
			osec.Rows = append(osec.Rows, []string{strings.TrimPrefix(p.Name, "wirebom:"), p.Value})
		}
	}
	pk := section{ID: "packages", Title: "Software packages", Columns: []string{"Name", "Version", "Arch / scope", "Type", "Package URL / publisher"},
		Widths: []float64{2, 2, 1, 1, 5}, Empty: "No installed packages were found."}
	for _, c := range d.Packages {
		arch, id := c.Prop("wirebom:package:arch"), c.PURL
		if c.Kind == KindProgram {
			arch, id = c.Prop("wirebom:program:scope"), c.Publisher
		}
		pk.Rows = append(pk.Rows, []string{c.Name, c.Version, arch, c.Prop("wirebom:package:type"), id})
	}
	pk.Note = strconv.Itoa(len(d.Packages)) + " packages"
	as := section{ID: "assets", Title: "Network assets", Columns: []string{"MAC", "IP addresses", "Vendor", "Names / model", "Identity", "Protocols / role", "VLANs", "Seen"},
		Widths: []float64{2, 2, 2, 2, 3, 2, 1, 2}, Empty: "No network assets (run with --assets FILE from `wirebom assets --json`)."}
	for _, c := range d.Assets {
		if c.Kind != KindAsset {
			continue
		}
		var ident []string
		for _, p := range c.Props {
			if k, ok := strings.CutPrefix(p.Name, "wirebom:asset:identity:"); ok {
				ident = append(ident, k+"="+p.Value)
			}
		}
		for _, dep := range c.DependsOn {
			for _, f := range d.Assets {
				if f.Ref == dep {
					ident = append(ident, "firmware="+f.Version)
				}
			}
		}
		names := strings.Join(props(c, "wirebom:asset:name"), ", ")
		if c.Description != "" {
			names = strings.TrimPrefix(names+", "+c.Description, ", ")
		}
		seen := strings.TrimSpace(c.Prop("wirebom:asset:firstSeen") + " - " + c.Prop("wirebom:asset:lastSeen"))
		if seen == "-" {
			seen = ""
		}
		as.Rows = append(as.Rows, []string{c.MAC, strings.Join(props(c, "wirebom:asset:ip"), ", "), c.Vendor, names,
			strings.Join(ident, "; "), strings.Join(append(props(c, "wirebom:asset:protocol"), props(c, "wirebom:asset:role")...), ", "),
			strings.Join(props(c, "wirebom:asset:vlan"), ", "), seen})
	}
	wr := section{ID: "warnings", Title: "Collector warnings", Columns: []string{"Source", "Message"}, Widths: []float64{1, 4},
		Empty: "No warnings."}
	for _, w := range d.Warnings {
		wr.Rows = append(wr.Rows, []string{w.Source, w.Message})
	}
	r.Sections = []section{gaps, hw, fw, drv, osec, pk, as, wr}
	return r
}

func props(c *Component, name string) []string {
	var out []string
	for _, p := range c.Props {
		if p.Name == name {
			out = append(out, p.Value)
		}
	}
	return out
}

func countKind(cs []*Component, k Kind) int {
	n := 0
	for _, c := range cs {
		if c.Kind == k {
			n++
		}
	}
	return n
}

func hwDetails(c *Component) string {
	var parts []string
	for _, name := range []string{"cdx:device:location", "wirebom:disk:device", "wirebom:nic:driver", "wirebom:pci:id", "wirebom:usb:id"} {
		if v := c.Prop(name); v != "" {
			parts = append(parts, v)
		}
	}
	for _, name := range []string{"wirebom:disk:sizeBytes", "wirebom:memory:sizeBytes"} {
		if v := c.Prop(name); v != "" {
			parts = append(parts, humanBytes(v))
		}
	}
	if c.Description != "" {
		parts = append(parts, c.Description)
	}
	return strings.Join(parts, ", ")
}

// humanBytes formats a decimal byte count with a binary unit.
func humanBytes(s string) string {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return s
	}
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if i == 0 {
		return strconv.FormatUint(n, 10) + " B"
	}
	return strconv.FormatFloat(f, 'f', 1, 64) + " " + units[i]
}
