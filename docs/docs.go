// Package docs holds the API's OpenAPI document, openapi.json: generated
// from the code by make docs and committed, for client generators, the
// linter and sales-api, which serves this copy at /v1/openapi.json. A test
// fails while it differs from what the code generates.
package docs

import _ "embed"

// OpenAPI is the API's OpenAPI 3.1 document, as JSON.
//
//go:embed openapi.json
var OpenAPI []byte
