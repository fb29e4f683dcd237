package cbom

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaDir holds the official schemas (see testdata/SOURCES.md).
var schemaDir = filepath.Join("..", "testdata", "schema")

var (
	schemaOnce          sync.Once
	cdxSchema, spdxSchm *jsonschema.Schema
	schemaErr           error
)

// noNetwork refuses every URL that was not registered as a resource, so a
// missing schema fails the test instead of being fetched.
type noNetwork struct{}

func (noNetwork) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not registered (no network access in tests)", url)
}

func loadSchemas() {
	c := jsonschema.NewCompiler()
	c.UseLoader(noNetwork{})
	for _, f := range []string{"bom-1.6.schema.json", "spdx.schema.json", "jsf-0.82.schema.json"} {
		doc, err := readSchema(f)
		if err != nil {
			schemaErr = err
			return
		}
		if err := c.AddResource("http://cyclonedx.org/schema/"+f, doc); err != nil {
			schemaErr = err
			return
		}
	}
	cdxSchema, schemaErr = c.Compile("http://cyclonedx.org/schema/bom-1.6.schema.json")
	if schemaErr != nil {
		return
	}
	s := jsonschema.NewCompiler()
	s.UseLoader(noNetwork{})
	doc, err := readSchema("spdx-2.3.schema.json")
	if err != nil {
		schemaErr = err
		return
	}
	if err := s.AddResource("http://spdx.org/rdf/terms/2.3", doc); err != nil {
		schemaErr = err
		return
	}
	spdxSchm, schemaErr = s.Compile("http://spdx.org/rdf/terms/2.3")
}

func readSchema(name string) (any, error) {
	f, err := os.Open(filepath.Join(schemaDir, name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

func validate(t *testing.T, which string, doc []byte) {
	t.Helper()
	schemaOnce.Do(loadSchemas)
	if schemaErr != nil {
		t.Fatalf("load schemas: %v", schemaErr)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	sch := cdxSchema
	if which == "spdx" {
		sch = spdxSchm
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("%s schema validation failed: %v", which, err)
	}
}

// TestSchemaRejects makes sure validation can fail: a document the schema
// forbids (bad serial number pattern, unknown component type) is refused.
func TestSchemaRejects(t *testing.T) {
	schemaOnce.Do(loadSchemas)
	if schemaErr != nil {
		t.Fatal(schemaErr)
	}
	bad := `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"serialNumber":"urn:uuid:NOT-A-UUID",
	 "components":[{"type":"gadget","name":"x"}]}`
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(bad)))
	if err := cdxSchema.Validate(inst); err == nil {
		t.Fatal("CycloneDX schema accepted an invalid document")
	}
	badSPDX := `{"spdxVersion":"SPDX-2.3","name":"x"}`
	inst, _ = jsonschema.UnmarshalJSON(bytes.NewReader([]byte(badSPDX)))
	if err := spdxSchm.Validate(inst); err == nil {
		t.Fatal("SPDX schema accepted an invalid document")
	}
}
