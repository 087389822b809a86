// Openapi writes the sales-api's OpenAPI document, as the API serves it at
// /v1/openapi.json, for client generators and linters: make docs writes
// docs/openapi.json with it.
//
//	openapi [-o FILE]
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/garagesale/service/api/services/sales/build"
	"github.com/garagesale/service/app/sdk/apidoc/openapi"
	"github.com/garagesale/service/foundation/logger"
)

func main() {
	out := flag.String("o", "", "write to `FILE` instead of stdout")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "openapi:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	data, err := Document()
	if err != nil {
		return err
	}
	if out == "" {
		_, err := os.Stdout.Write(data)
		return err
	}
	return os.WriteFile(out, data, 0o644)
}

// Document returns the API's document, indented, as committed.
func Document() ([]byte, error) {
	// The routes need no database, keys or clock to be described.
	api := build.NewAPI(build.Config{Log: logger.Discard()})
	data, err := openapi.JSON(api.Doc)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, data, "", "  "); err != nil {
		return nil, fmt.Errorf("indent the document: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
