// Package openapi builds the API's OpenAPI 3.1 document from what the
// routes declare (apidoc.Spec) and the json, validate and openapi tags of
// their models, so it cannot drift from the code. Only make docs and the
// tests link it (and kin-openapi); sales-api serves the committed copy.
package openapi

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/garagesale/service/app/sdk/apidoc"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/getkin/kin-openapi/openapi3"
)

// JSON returns the OpenAPI document of spec, as JSON, once it loads and
// validates as a client's loader would read it.
func JSON(spec *apidoc.Spec) ([]byte, error) {
	doc, err := document(spec)
	if err != nil {
		return nil, err
	}
	data, err := doc.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("marshal the API document: %w", err)
	}
	if _, err := Load(data); err != nil {
		return nil, err
	}
	return data, nil
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

func document(spec *apidoc.Spec) (*openapi3.T, error) {
	info := spec.Info
	ops, tagDocs := spec.Ops()
	doc := &openapi3.T{
		OpenAPI: "3.1.0",
		Info: &openapi3.Info{
			Title:       info.Title,
			Version:     info.Version,
			Description: info.Description,
			License:     &openapi3.License{Name: "MIT", URL: "https://opensource.org/license/mit"},
		},
		Servers: openapi3.Servers{{URL: "/", Description: "this server"}},
		Paths:   openapi3.NewPaths(),
		Components: &openapi3.Components{
			Schemas: openapi3.Schemas{},
			SecuritySchemes: openapi3.SecuritySchemes{
				"bearer": {Value: openapi3.NewJWTSecurityScheme().WithDescription("a token from GET /v1/users/token")},
				"basic": {Value: &openapi3.SecurityScheme{Type: "http", Scheme: "basic",
					Description: "the email and password of a user"}},
			},
			Responses: openapi3.ResponseBodies{},
			Headers:   sharedHeaders(),
		},
	}
	models := newModels(doc.Components.Schemas)
	errRef, err := models.add(models.res, "response", errs.Error{})
	if err != nil {
		return nil, err
	}

	slices.SortStableFunc(ops, func(a, b apidoc.Op) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(methodOrder(a.Method), methodOrder(b.Method)))
	})
	for _, op := range ops {
		o, err := operation(op, models, errRef)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", op.Method, op.Path, err)
		}
		doc.AddOperation(op.Path, op.Method, o)
	}
	for _, t := range slices.Sorted(maps.Keys(tagDocs)) {
		doc.Tags = append(doc.Tags, &openapi3.Tag{Name: t, Description: tagDocs[t]})
	}
	return doc, nil
}

// Load reads and validates an API document.
func Load(data []byte) (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("load the API document: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("the API document is not valid OpenAPI: %w", err)
	}
	return doc, nil
}

func methodOrder(m string) int {
	return slices.Index([]string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}, m)
}

// operation documents op, its errors answered with the error body errRef.
func operation(op apidoc.Op, models *models, errRef *openapi3.SchemaRef) (*openapi3.Operation, error) {
	if op.ID == "" || op.Summary == "" {
		return nil, fmt.Errorf("an operation needs an ID and a summary")
	}
	o := &openapi3.Operation{
		OperationID: op.ID,
		Summary:     op.Summary,
		Description: describe(op),
		Responses:   openapi3.NewResponses(),
	}
	if op.Tag != "" {
		o.Tags = []string{op.Tag}
	}
	switch op.Auth {
	case apidoc.Bearer:
		o.Security = &openapi3.SecurityRequirements{{"bearer": {}}}
	case apidoc.Basic:
		o.Security = &openapi3.SecurityRequirements{{"basic": {}}}
	default:
		o.Security = &openapi3.SecurityRequirements{} // none, whatever a default says
	}

	for _, m := range pathParam.FindAllStringSubmatch(op.Path, -1) {
		name := m[1]
		schema := openapi3.NewStringSchema()
		desc := "the " + name
		if strings.HasSuffix(name, "ID") {
			schema.Format = "uuid"
			desc = "the ID of the " + strings.TrimSuffix(name, "ID")
		}
		o.Parameters = append(o.Parameters, &openapi3.ParameterRef{Value: openapi3.NewPathParameter(name).
			WithSchema(schema).WithDescription(desc)})
	}
	for _, p := range op.Query {
		o.Parameters = append(o.Parameters, &openapi3.ParameterRef{Value: param(openapi3.NewQueryParameter(p.Name), p)})
	}
	for _, p := range op.Headers {
		o.Parameters = append(o.Parameters, &openapi3.ParameterRef{Value: param(openapi3.NewHeaderParameter(p.Name), p)})
	}

	if op.Body != nil {
		ref, err := models.add(models.req, "request", op.Body)
		if err != nil {
			return nil, err
		}
		o.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(true).WithContent(content(ref, op.Stream))}
	}

	status := cmp.Or(op.Status, http.StatusOK)
	res := openapi3.NewResponse().WithDescription(http.StatusText(status))
	if op.Response != nil && (op.Stream || op.Content == "") {
		ref, err := models.add(models.res, "response", op.Response)
		if err != nil {
			return nil, err
		}
		res.Content = content(ref, op.Stream)
	} else if op.Content != "" {
		res.Content = openapi3.Content{op.Content: openapi3.NewMediaType().WithSchema(openapi3.NewStringSchema())}
	}
	res.Headers = successHeaders(op)
	o.Responses.Set(fmt.Sprint(status), &openapi3.ResponseRef{Value: res})
	if op.Accepted != nil {
		ref, err := models.add(models.res, "response", op.Accepted)
		if err != nil {
			return nil, err
		}
		accepted := openapi3.NewResponse().WithDescription(http.StatusText(http.StatusAccepted)).WithContent(content(ref, false))
		accepted.Headers = successHeaders(op)
		o.Responses.Set(fmt.Sprint(http.StatusAccepted), &openapi3.ResponseRef{Value: accepted})
	}

	for _, code := range errorStatuses(op) {
		res := openapi3.NewResponse().WithDescription(cmp.Or(errorMeanings[code], http.StatusText(code))).WithJSONSchemaRef(errRef)
		res.Headers = errorHeaders(op, code)
		o.Responses.Set(fmt.Sprint(code), &openapi3.ResponseRef{Value: res})
	}
	return o, nil
}

// The headers of many answers, documented once under components. Every
// answer's X-Trace-Id is told of in the API's description instead: on
// each answer it would be a tenth of the document.
const (
	retryAfterHeader = "Retry-After"
	challengeHeader  = "WWW-Authenticate"
)

// sharedHeaders are the components' headers.
func sharedHeaders() openapi3.Headers {
	header := func(desc string, required bool, schema *openapi3.Schema) *openapi3.HeaderRef {
		return &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
			Description: desc, Required: required, Schema: &openapi3.SchemaRef{Value: schema}}}}
	}
	return openapi3.Headers{
		retryAfterHeader: header("how many seconds to wait before trying again", false,
			openapi3.NewIntegerSchema().WithMin(1)),
		challengeHeader: header(`how to authenticate: Basic on the token route, Bearer elsewhere, `+
			`Bearer error="invalid_token" for a token sent that is no good`, true, openapi3.NewStringSchema()),
	}
}

// shared refers to the components' header name.
func shared(name string) *openapi3.HeaderRef {
	return &openapi3.HeaderRef{Ref: "#/components/headers/" + name}
}

// successHeaders are the headers of op's success answers.
func successHeaders(op apidoc.Op) openapi3.Headers {
	if len(op.ResponseHeaders) == 0 {
		return nil
	}
	h := openapi3.Headers{}
	for _, p := range op.ResponseHeaders {
		h[p.Name] = &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: *param(&openapi3.Parameter{}, p)}}
	}
	return h
}

// errorHeaders are the headers of op's answers of the error status code.
func errorHeaders(op apidoc.Op, code int) openapi3.Headers {
	h := openapi3.Headers{}
	switch code {
	case http.StatusUnauthorized:
		h[challengeHeader] = shared(challengeHeader)
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		h[retryAfterHeader] = shared(retryAfterHeader)
	case http.StatusConflict:
		// A request whose Idempotency-Key is still in progress.
		if op.Idempotent {
			h[retryAfterHeader] = shared(retryAfterHeader)
		}
	}
	if len(h) == 0 {
		return nil
	}
	return h
}

// content is a body of the model ref: JSON, or NDJSON lines for a stream.
func content(ref *openapi3.SchemaRef, stream bool) openapi3.Content {
	if stream {
		return openapi3.Content{apidoc.NDJSON: openapi3.NewMediaType().WithSchemaRef(ref)}
	}
	return openapi3.NewContentWithJSONSchemaRef(ref)
}

// describe is the operation's description with who may call it.
func describe(op apidoc.Op) string {
	var who string
	switch op.Auth {
	case apidoc.Public:
		who = "Anyone may call it."
	case apidoc.Basic:
		who = "Send your email and password as HTTP Basic auth."
	case apidoc.Bearer:
		who = "Needs a token; " + cmp.Or(op.Access, "any user") + " may call it."
	}
	return strings.TrimSpace(op.Description + "\n\n" + who)
}

func param(p *openapi3.Parameter, d apidoc.Param) *openapi3.Parameter {
	schema := &openapi3.Schema{Type: &openapi3.Types{cmp.Or(d.Type, "string")}, Format: d.Format, Min: d.Min, Max: d.Max,
		MinLength: d.MinLength, Pattern: d.Pattern, Default: d.Default}
	if d.MaxLength > 0 {
		schema.MaxLength = &d.MaxLength
	}
	for _, e := range d.Enum {
		schema.Enum = append(schema.Enum, e)
	}
	return p.WithSchema(schema).WithDescription(d.Description)
}

// errorStatuses are the error statuses op answers, sorted.
func errorStatuses(op apidoc.Op) []int {
	// Every route: a malformed path, query or body (400), a failure of the
	// server (500), a database that is down or a server at capacity (503).
	codes := []int{http.StatusBadRequest, http.StatusInternalServerError, http.StatusServiceUnavailable}
	if op.Auth != apidoc.Public {
		codes = append(codes, http.StatusUnauthorized)
	}
	if op.Access != "" {
		codes = append(codes, http.StatusForbidden)
	}
	// A body sent compressed (Content-Encoding) is refused before it is
	// read; one that does not arrive in time is a 408. A stream's limits
	// are answered in the stream, line by line.
	switch {
	case op.Stream:
		codes = append(codes, http.StatusUnsupportedMediaType)
	case op.Body != nil:
		codes = append(codes, http.StatusRequestTimeout, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
		// One caller's bodies read at once are limited (mid.ReadBody).
		if op.Auth == apidoc.Bearer {
			codes = append(codes, http.StatusTooManyRequests)
		}
	}
	codes = append(codes, op.Errors...)
	slices.Sort(codes)
	return slices.Compact(codes)
}

// errorMeanings say when the API answers each error status; another is
// described by its status text.
var errorMeanings = map[int]string{
	http.StatusBadRequest:            "The request is malformed: fields names each bad field.",
	http.StatusUnauthorized:          "No credentials, or bad ones: the message says which.",
	http.StatusForbidden:             "The caller may not do this: the message says who may.",
	http.StatusNotFound:              "There is no such resource.",
	http.StatusConflict:              "The request conflicts with the state of the resource: the message says how.",
	http.StatusRequestTimeout:        "The body did not arrive whole within the server's read timeout: send it again, at once.",
	http.StatusRequestEntityTooLarge: "The body is over 1 MiB, or its Content-Length says it will be.",
	http.StatusUnsupportedMediaType:  "The body is not of the type the route takes (a stream's is " + apidoc.NDJSON + "), or is compressed: send it without a Content-Encoding.",
	http.StatusUnprocessableEntity:   "The Idempotency-Key was first sent with another request.",
	http.StatusTooManyRequests:       "Too many attempts, or too many of the caller's bodies at once: retry after Retry-After seconds.",
	http.StatusInternalServerError:   "The server failed: errorID is in its log with the cause.",
	http.StatusServiceUnavailable:    "The database is unavailable or the server is at capacity: retry after Retry-After seconds.",
}
