package main

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/garagesale/service/api/services/sales/build"
	"github.com/garagesale/service/foundation/logger"
	"github.com/google/go-cmp/cmp"
)

// committed is the document client generators and the linter read.
const committed = "../../../docs/openapi.json"

// TestCommittedDocumentIsCurrent: docs/openapi.json is what the code
// generates now. A model, route or rule changed without `make docs` fails
// here, so clients never read a stale contract.
func TestCommittedDocumentIsCurrent(t *testing.T) {
	want, err := Document()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("docs/openapi.json is not what the code generates: run make docs (-committed +generated):\n%s",
			cmp.Diff(strings.Split(string(got), "\n"), strings.Split(string(want), "\n")))
	}
}

// TestEveryRouteIsDocumented: the routes the API answers are exactly the
// paths and methods its document lists, both ways.
func TestEveryRouteIsDocumented(t *testing.T) {
	api := build.NewAPI(build.Config{Log: logger.Discard()})

	data, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(documented)

	if diff := cmp.Diff(api.App.Routes(), documented); diff != "" {
		t.Errorf("routes answered (-) against routes documented (+):\n%s", diff)
	}
	if diff := cmp.Diff(api.App.Routes(), api.Doc.Routes()); diff != "" {
		t.Errorf("routes answered (-) against routes described (+):\n%s", diff)
	}
}
