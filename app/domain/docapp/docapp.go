// Package docapp serves the API's documentation: the OpenAPI document
// built from the routes as registered.
package docapp

import (
	"context"
	"net/http"

	"github.com/garagesale/service/app/sdk/apidoc"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/route"
	"github.com/garagesale/service/foundation/web"
)

// Routes adds GET /v1/openapi.json. Register it after every other route:
// the document is built from those registered before its first request.
func Routes(t *route.Table, doc *apidoc.Spec) {
	h := handlers{doc: doc}
	t.Add(route.Route{Method: http.MethodGet, Path: "/v1/openapi.json", Handler: h.openapi,
		Summary:     "This API's OpenAPI document",
		Description: "OpenAPI 3.1, generated from the code: what client generators read.",
		Response:    map[string]any{}})
}

type handlers struct {
	doc *apidoc.Spec
}

func (h handlers) openapi(ctx context.Context, r *http.Request) web.Encoder {
	data, err := h.doc.JSON()
	if err != nil {
		return errs.Newf(errs.Internal, "build the API document: %w", err)
	}
	return document(data)
}

// document is the OpenAPI document, already JSON.
type document []byte

// Encode implements web.Encoder.
func (d document) Encode() ([]byte, string, error) {
	return d, "application/json", nil
}
