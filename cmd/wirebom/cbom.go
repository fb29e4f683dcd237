package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/wirebom/wirebom/cbom"
	"github.com/wirebom/wirebom/sysinv"
)

func init() {
	register(&cli.Command{
		Name:      "cbom",
		Usage:     "write a Cyber Bill of Materials (hardware, firmware, OS, software) of this machine or a root directory",
		ArgsUsage: " ",
		Description: `Collects host facts read-only (SMBIOS/DMI, CPU, memory, disks, NICs, PCI, USB, ESRT,
TPM, Secure Boot, os-release, kernel modules, dpkg/rpm/apk databases) and writes them as
a CycloneDX 1.6 operations BOM (default), CycloneDX XML, SPDX 2.3 JSON, YAML (wirebom's own
document model, the richest form), a self-contained HTML report, or a PDF report.

Outputs: without -o, one document goes to standard output (CycloneDX JSON unless --format
says otherwise). -o FILE may be repeated; each file's format is the --format at the same
position when as many --format as -o are given, otherwise it is inferred from the file name:
  *.cdx.json, *.json  cyclonedx-json     *.xml        cyclonedx-xml
  *.spdx.json         spdx-json          *.yaml, *.yml yaml
  *.html, *.htm       html               *.pdf        pdf
-o - writes to standard output. Examples:
  wirebom cbom > host.cdx.json
  wirebom cbom -o host.cdx.json -o host.html -o host.pdf
  wirebom cbom --format spdx-json -o host.spdx --format yaml -o host.model
  wirebom cbom --root /mnt/image --assets assets.json --reproducible -o image.cdx.json

Works without root; what root would add (DMI serial numbers, ...) is printed on stderr.
Hardware that could not be seen is declared unknown or incomplete (CycloneDX compositions),
never left as empty strings. --reproducible derives the serial number from the content and
takes the timestamp from SOURCE_DATE_EPOCH (none when unset), so two runs give identical bytes.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "root", Value: "/", Usage: "inspect `DIR` (a mounted image or unpacked root) instead of the running system"},
			&cli.StringFlag{Name: "smbios", Usage: "read SMBIOS tables from `FILE` (dmidecode --dump-bin) instead of the firmware's (Linux /sys, Windows GetSystemFirmwareTable)"},
			&cli.StringFlag{Name: "assets", Usage: "add the devices seen on the network from `FILE` (wirebom assets --json)"},
			&cli.StringSliceFlag{Name: "format", Aliases: []string{"F"}, Usage: "output `FORMAT`: " + formatNames() + " (repeatable, pairs with -o by position)"},
			&cli.StringSliceFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to `FILE` (repeatable; - is stdout)"},
			&cli.BoolFlag{Name: "reproducible", Usage: "content-derived serial number and SOURCE_DATE_EPOCH timestamp, for byte-for-byte diffs"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "do not print collector warnings on stderr"},
		},
		Action: runCBOM,
	})
}

func formatNames() string {
	names := make([]string, len(cbom.Formats))
	for i, f := range cbom.Formats {
		names[i] = string(f)
	}
	return strings.Join(names, "|")
}

// output is one document to write.
type output struct {
	path   string // "-" for stdout
	format cbom.Format
}

// planOutputs pairs --format and -o values (see the command's description).
func planOutputs(formats, paths []string) ([]output, error) {
	var fs []cbom.Format
	for _, s := range formats {
		f, err := cbom.ParseFormat(s)
		if err != nil {
			return nil, err
		}
		fs = append(fs, f)
	}
	switch {
	case len(paths) == 0:
		if len(fs) > 1 {
			return nil, errors.New("several --format values need as many -o FILE values")
		}
		f := cbom.FormatCycloneDXJSON
		if len(fs) == 1 {
			f = fs[0]
		}
		return []output{{path: "-", format: f}}, nil
	case len(fs) == len(paths):
		out := make([]output, len(paths))
		for i := range paths {
			out[i] = output{path: paths[i], format: fs[i]}
		}
		return checkStdout(out)
	case len(fs) == 0 || len(fs) == 1 && len(paths) > 1:
		out := make([]output, len(paths))
		for i, p := range paths {
			f, ok := cbom.FormatForFile(p)
			if !ok {
				if len(fs) == 1 {
					f = fs[0]
				} else if p == "-" {
					f = cbom.FormatCycloneDXJSON
				} else {
					return nil, fmt.Errorf("cannot infer the format of %q from its name: give --format for each -o", p)
				}
			}
			out[i] = output{path: p, format: f}
		}
		return checkStdout(out)
	}
	return nil, fmt.Errorf("%d --format values for %d -o values: give one per -o, or none and name the files by format", len(fs), len(paths))
}

func checkStdout(out []output) ([]output, error) {
	n := 0
	seen := map[string]bool{}
	for _, o := range out {
		if o.path == "-" {
			n++
			continue
		}
		abs, err := filepath.Abs(o.path)
		if err != nil {
			abs = o.path
		}
		if seen[abs] {
			return nil, fmt.Errorf("-o %s given twice", o.path)
		}
		seen[abs] = true
	}
	if n > 1 {
		return nil, errors.New("only one output can go to standard output")
	}
	return out, nil
}

func runCBOM(c *cli.Context) error {
	if c.NArg() > 0 {
		return usageError("wirebom cbom: unexpected argument %q (use --root DIR)", c.Args().First())
	}
	outs, err := planOutputs(c.StringSlice("format"), c.StringSlice("output"))
	if err != nil {
		return usageError("wirebom cbom: %v", err)
	}
	var assets []*cbom.Component
	if p := c.String("assets"); p != "" {
		f, err := os.Open(p)
		if err != nil {
			return usageError("wirebom cbom: --assets: %v", err)
		}
		assets, err = cbom.ReadAssets(f)
		f.Close()
		if err != nil {
			return usageError("wirebom cbom: --assets %s: %v", p, err)
		}
	}
	if p := c.String("smbios"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return usageError("wirebom cbom: --smbios: %v", err)
		}
	}
	root := c.String("root")
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		if err == nil {
			err = errors.New("not a directory")
		}
		return usageError("wirebom cbom: --root %s: %v", root, err)
	}
	stamp := cbom.StampOptions{Reproducible: c.Bool("reproducible")}
	if stamp.Reproducible {
		stamp.Epoch, err = cbom.EpochFromEnv(os.Getenv("SOURCE_DATE_EPOCH"))
		if err != nil {
			return usageError("wirebom cbom: %v", err)
		}
	}

	ctx := c.Context
	if ctx == nil {
		ctx = context.Background()
	}
	inv, err := sysinv.Collect(ctx, sysinv.Options{Root: root, SMBIOSFile: c.String("smbios")})
	if err != nil {
		return usageError("wirebom cbom: %v", err)
	}
	doc := cbom.FromInventory(inv, cbom.Options{ToolName: "wirebom", ToolVersion: version})
	doc.AddAssets(assets)
	if err := doc.Stamp(stamp); err != nil {
		return cli.Exit(fmt.Sprintf("wirebom cbom: %v", err), exitUsage)
	}
	if !c.Bool("quiet") {
		reportWarnings(c.App.ErrWriter, doc, inv.Live)
	}
	for _, o := range outs {
		if err := writeOutput(c.App.Writer, o, doc); err != nil {
			return cli.Exit(fmt.Sprintf("wirebom cbom: %v", err), exitUsage)
		}
	}
	return nil
}

// reportWarnings tells on stderr what could not be seen and, when not
// running as root on a live system, what root would add.
func reportWarnings(w io.Writer, doc *cbom.Document, live bool) {
	if w == nil {
		w = os.Stderr
	}
	var rootHints, other []string
	for _, x := range doc.Warnings {
		if strings.Contains(strings.ToLower(x.Message), "root") {
			rootHints = append(rootHints, x.String())
		} else {
			other = append(other, x.String())
		}
	}
	// Geteuid is -1 on Windows, where "root" means nothing: no root hint there.
	notRoot := os.Geteuid() > 0
	if live && notRoot && len(rootHints) > 0 {
		fmt.Fprintln(w, "wirebom cbom: not running as root; root would add:")
		for _, h := range rootHints {
			fmt.Fprintln(w, "  "+h)
		}
	} else {
		if live && notRoot {
			fmt.Fprintln(w, "wirebom cbom: not running as root; no collector reported facts that only root could read")
		}
		other = append(rootHints, other...)
	}
	for _, h := range other {
		fmt.Fprintln(w, "wirebom cbom: warning: "+h)
	}
	for _, g := range doc.Gaps {
		if g.Hardware {
			fmt.Fprintf(w, "wirebom cbom: declared %s: %s (%s)\n", g.Aggregate, g.Area, g.Reason)
		}
	}
}

// writeOutput encodes doc to o.path through a temporary file renamed into
// place, so that a failed run never leaves a truncated document behind.
func writeOutput(stdout io.Writer, o output, doc *cbom.Document) error {
	if o.path == "-" {
		if stdout == nil {
			stdout = os.Stdout
		}
		bw := bufio.NewWriterSize(stdout, 64<<10)
		if err := doc.Encode(bw, o.format); err != nil {
			return err
		}
		return bw.Flush()
	}
	dir := filepath.Dir(o.path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(o.path)+".*")
	if err != nil {
		return fmt.Errorf("-o %s: %w", o.path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err := doc.Encode(bw, o.format); err != nil {
		tmp.Close()
		return fmt.Errorf("-o %s: %w", o.path, err)
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("-o %s: %w", o.path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("-o %s: %w", o.path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("-o %s: %w", o.path, err)
	}
	if err := os.Rename(tmp.Name(), o.path); err != nil {
		return fmt.Errorf("-o %s: %w", o.path, err)
	}
	return nil
}
