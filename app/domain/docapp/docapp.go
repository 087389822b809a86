// Package docapp serves the API's documentation: the committed OpenAPI
// document and a page that renders it.
package docapp

import (
	"context"
	"net/http"

	"github.com/garagesale/service/app/sdk/apidoc"
	"github.com/garagesale/service/app/sdk/route"
	"github.com/garagesale/service/docs"
)

// The documentation's own routes.
const (
	specPath   = "/v1/openapi.json"
	pagePath   = "/v1/docs"
	scriptPath = "/v1/docs/viewer.js"
)

// Routes adds the OpenAPI document and the page that renders it.
func Routes(t *route.Table, title string) {
	t = t.Group("docs", "This document, as JSON and as a page.")
	h := handlers{title: title, doc: apidoc.NewDocument(docs.OpenAPI)}
	t.Add(route.Def{Method: http.MethodGet, Path: specPath, Handler: h.openapi,
		Summary:     "This API's OpenAPI document",
		Description: "OpenAPI 3.1, generated from the code: what client generators read.",
		Response:    map[string]any{}})
	t.Add(route.Def{Method: http.MethodGet, Path: pagePath, Handler: h.page,
		Summary:     "This API's documentation page",
		Description: "The OpenAPI document rendered for people to read (Redoc, served by the API itself).",
		Content:     "text/html"})
	t.Add(route.Def{Method: http.MethodGet, Path: scriptPath, Handler: h.script,
		Summary: "The documentation page's script", Content: "application/javascript"})
}

type handlers struct {
	title string
	doc   *apidoc.Document
}

func (h handlers) page(ctx context.Context, r *http.Request) (any, error) {
	return apidoc.Page(specPath, scriptPath, h.title), nil
}

func (h handlers) script(ctx context.Context, r *http.Request) (any, error) {
	return apidoc.Script(r), nil
}

func (h handlers) openapi(ctx context.Context, r *http.Request) (any, error) {
	return h.doc.For(r), nil
}
