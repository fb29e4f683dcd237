package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/wirebom/wirebom/cbom"
)

func init() {
	register(&cli.Command{
		Name:      "diff",
		Usage:     "compare two CycloneDX JSON documents (wirebom cbom, syft, ...)",
		ArgsUsage: "OLD NEW",
		Description: `Lists the components added, removed and changed (version, hashes, properties) from OLD
to NEW. Firmware and BIOS changes come first, then devices, operating systems, drivers and
software. Components are matched by package URL without version (and arch), else by type,
group and name; the machine (metadata.component) always matches the machine.
Exit status: 0 when equal, 1 when different, 2 on error (unreadable or invalid file).`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "write the differences as JSON"},
		},
		Action: runDiff,
	})
}

func runDiff(c *cli.Context) error {
	if c.NArg() != 2 {
		return usageError("wirebom diff: need two files, OLD and NEW (got %d arguments)", c.NArg())
	}
	oldPath, newPath := c.Args().Get(0), c.Args().Get(1)
	old, err := readBOMFile(oldPath)
	if err != nil {
		return err
	}
	new, err := readBOMFile(newPath)
	if err != nil {
		return err
	}
	res := cbom.Diff(old, new)
	res.Old, res.New = oldPath, newPath
	w := c.App.Writer
	if w == nil {
		w = os.Stdout
	}
	if c.Bool("json") {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		err = enc.Encode(res)
	} else {
		err = res.WriteText(w)
	}
	if err != nil {
		return cli.Exit(fmt.Sprintf("wirebom diff: write: %v", err), exitUsage)
	}
	if !res.Equal {
		return cli.Exit("", exitDiff)
	}
	return nil
}

func readBOMFile(path string) (*cbom.BOM, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageError("wirebom diff: %v", err)
	}
	defer f.Close()
	b, err := cbom.ReadBOM(f)
	if err != nil {
		return nil, usageError("wirebom diff: %s: %v", path, err)
	}
	return b, nil
}
