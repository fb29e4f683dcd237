//go:build ignore

// validate-schema checks documents against the official CycloneDX 1.6 or
// SPDX 2.3 JSON schema in testdata/schema, offline (the same schemas and
// library the cbom tests use). Run from the repository root:
//
//	go run scripts/validate-schema.go cyclonedx FILE...
//	go run scripts/validate-schema.go spdx FILE...
//
// Exit status 0 when every file is valid, 1 when one is not, 2 on usage errors.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const schemaDir = "testdata/schema"

type noNetwork struct{}

func (noNetwork) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not in %s (no network access)", url, schemaDir)
}

func load(name string) (any, error) {
	f, err := os.Open(filepath.Join(schemaDir, name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

func compile(kind string) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.UseLoader(noNetwork{})
	switch kind {
	case "cyclonedx":
		for _, f := range []string{"bom-1.6.schema.json", "spdx.schema.json", "jsf-0.82.schema.json"} {
			doc, err := load(f)
			if err != nil {
				return nil, err
			}
			if err := c.AddResource("http://cyclonedx.org/schema/"+f, doc); err != nil {
				return nil, err
			}
		}
		return c.Compile("http://cyclonedx.org/schema/bom-1.6.schema.json")
	case "spdx":
		doc, err := load("spdx-2.3.schema.json")
		if err != nil {
			return nil, err
		}
		if err := c.AddResource("http://spdx.org/rdf/terms/2.3", doc); err != nil {
			return nil, err
		}
		return c.Compile("http://spdx.org/rdf/terms/2.3")
	}
	return nil, fmt.Errorf("unknown schema %q (cyclonedx or spdx)", kind)
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: go run scripts/validate-schema.go cyclonedx|spdx FILE...")
		os.Exit(2)
	}
	sch, err := compile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "validate-schema:", err)
		os.Exit(2)
	}
	status := 0
	for _, name := range os.Args[2:] {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "validate-schema:", err)
			os.Exit(2)
		}
		inst, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err == nil {
			err = sch.Validate(inst)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: INVALID: %v\n", name, err)
			status = 1
			continue
		}
		fmt.Printf("%s: valid %s\n", name, os.Args[1])
	}
	os.Exit(status)
}
