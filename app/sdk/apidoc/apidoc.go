// Package apidoc builds the API's OpenAPI 3.1 document from what the code
// declares: each route as it is registered (method, path, who may call
// it, its request and response models, its list parameters, the errors it
// can answer), the models' JSON and validation tags, and the error body
// with its codes. Nothing in it is written by hand, so it cannot drift
// from the code; a test compares it with the copy committed for client
// generators, and the HTTP tests check every answer against it.
package apidoc

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// Op is one route's documentation.
type Op struct {
	Method string
	// Path is the route's pattern as registered: /v1/products/{productID}.
	Path string
	// ID names the operation for client generators: products.create.
	ID string
	// Tag groups the route with its domain's others: "products".
	Tag         string
	Summary     string
	Description string

	// Auth is how the caller proves who it is; Access says who may call,
	// in words ("ADMIN", "the owner or an ADMIN").
	Auth   Auth
	Access string

	// Body is the request's model, a zero value; nil for none.
	Body any
	// Status is the success status; Response its model (a zero value),
	// nil for an answer without a body. Content is the answer's media
	// type when it is not JSON: the answer is then documented as a string.
	Status   int
	Response any
	Content  string
	// Stream marks a route whose body and answer are NDJSON streams
	// (application/x-ndjson): Body is the model of one line of the
	// body, Response of one line of the answer.
	Stream bool
	// Query are the query parameters; Headers the request headers the
	// route reads.
	Query   []Param
	Headers []Param
	// Errors are the error statuses the route answers besides those
	// every route does (400, 500, 503) and those its Auth implies.
	Errors []int
}

// NDJSON is the media type of a stream of JSON values, one per line.
const NDJSON = "application/x-ndjson"

// Auth is how a route's caller authenticates.
type Auth int

// The ways to authenticate.
const (
	Public Auth = iota // nobody
	Basic              // email and password, HTTP Basic
	Bearer             // a token from the token route
)

// Param is a query parameter or request header.
type Param struct {
	Name        string
	Description string
	Type        string // string, integer, number, boolean
	Format      string // uuid, date-time, ...
	Enum        []string
	Min, Max    *float64
	Required    bool
}

// Info is what the document says of the API as a whole.
type Info struct {
	Title       string
	Version     string
	Description string
}

// Spec collects the documentation of every route; Document builds the
// OpenAPI document of what it holds.
type Spec struct {
	info  Info
	mu    sync.Mutex
	ops   []Op
	tags  map[string]string
	built []byte
}

// New returns an empty Spec.
func New(info Info) *Spec {
	return &Spec{info: info}
}

// Add documents a route. Routes are registered once, at startup.
func (s *Spec) Add(op Op) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ops = append(s.ops, op)
	s.built = nil
}

// Tag describes a tag, the group of one domain's routes; the viewer shows
// the description above them.
func (s *Spec) Tag(name, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tags == nil {
		s.tags = make(map[string]string)
	}
	s.tags[name] = description
	s.built = nil
}

// Routes returns "METHOD PATH" of every route documented, sorted.
func (s *Spec) Routes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.ops))
	for i, op := range s.ops {
		out[i] = op.Method + " " + op.Path
	}
	slices.Sort(out)
	return out
}

// JSON returns the document as JSON, built once and kept until a route is
// added.
func (s *Spec) JSON() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.built != nil {
		return s.built, nil
	}
	doc, err := s.document()
	if err != nil {
		return nil, err
	}
	data, err := doc.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("marshal the API document: %w", err)
	}
	s.built = data
	return data, nil
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

func (s *Spec) document() (*openapi3.T, error) {
	doc := &openapi3.T{
		OpenAPI: "3.1.0",
		Info: &openapi3.Info{
			Title:       s.info.Title,
			Version:     s.info.Version,
			Description: s.info.Description,
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
		},
	}
	models := newModels(doc.Components.Schemas)
	errRef, err := models.response(errorBody())
	if err != nil {
		return nil, err
	}

	ops := slices.Clone(s.ops)
	slices.SortStableFunc(ops, func(a, b Op) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(methodOrder(a.Method), methodOrder(b.Method)))
	})
	var tags []string
	for _, op := range ops {
		o, err := operation(op, models, errRef)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", op.Method, op.Path, err)
		}
		doc.AddOperation(op.Path, op.Method, o)
		if op.Tag != "" && !slices.Contains(tags, op.Tag) {
			tags = append(tags, op.Tag)
		}
	}
	slices.Sort(tags)
	for _, t := range tags {
		doc.Tags = append(doc.Tags, &openapi3.Tag{Name: t, Description: cmp.Or(s.tags[t], "The "+t+" routes.")})
	}

	// Loading what was built resolves its references, as a client's
	// loader would, before it is validated.
	data, err := doc.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("marshal the API document: %w", err)
	}
	loaded, err := Load(data)
	if err != nil {
		return nil, err
	}
	return loaded, nil
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
func operation(op Op, models *models, errRef *openapi3.SchemaRef) (*openapi3.Operation, error) {
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
	case Bearer:
		o.Security = &openapi3.SecurityRequirements{{"bearer": {}}}
	case Basic:
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
		ref, err := models.request(op.Body)
		if err != nil {
			return nil, err
		}
		content := openapi3.NewContentWithJSONSchemaRef(ref)
		if op.Stream {
			content = openapi3.Content{NDJSON: openapi3.NewMediaType().WithSchemaRef(ref)}
		}
		o.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(true).WithContent(content)}
	}

	status := cmp.Or(op.Status, http.StatusOK)
	res := openapi3.NewResponse().WithDescription(http.StatusText(status))
	if op.Stream && op.Response != nil {
		ref, err := models.response(op.Response)
		if err != nil {
			return nil, err
		}
		res.Content = openapi3.Content{NDJSON: openapi3.NewMediaType().WithSchemaRef(ref)}
	} else if op.Content != "" {
		res.Content = openapi3.Content{op.Content: openapi3.NewMediaType().WithSchema(openapi3.NewStringSchema())}
	} else if op.Response != nil {
		ref, err := models.response(op.Response)
		if err != nil {
			return nil, err
		}
		res = res.WithJSONSchemaRef(ref)
	}
	o.Responses.Set(fmt.Sprint(status), &openapi3.ResponseRef{Value: res})

	for _, code := range errorStatuses(op) {
		o.Responses.Set(fmt.Sprint(code), &openapi3.ResponseRef{Value: openapi3.NewResponse().
			WithDescription(errorMeaning(code)).WithJSONSchemaRef(errRef)})
	}
	return o, nil
}

// describe is the operation's description with who may call it.
func describe(op Op) string {
	var who string
	switch op.Auth {
	case Public:
		who = "Anyone may call it."
	case Basic:
		who = "Send your email and password as HTTP Basic auth."
	case Bearer:
		who = "Needs a token; " + cmp.Or(op.Access, "any user") + " may call it."
	}
	return strings.TrimSpace(op.Description + "\n\n" + who)
}

func param(p *openapi3.Parameter, d Param) *openapi3.Parameter {
	schema := &openapi3.Schema{Type: &openapi3.Types{cmp.Or(d.Type, "string")}, Format: d.Format, Min: d.Min, Max: d.Max}
	for _, e := range d.Enum {
		schema.Enum = append(schema.Enum, e)
	}
	p.Required = d.Required
	return p.WithSchema(schema).WithDescription(d.Description)
}

// errorStatuses are the error statuses op answers, sorted.
func errorStatuses(op Op) []int {
	// Every route: a malformed path, query or body (400), a failure of the
	// server (500), a database that is down or a server at capacity (503).
	codes := []int{http.StatusBadRequest, http.StatusInternalServerError, http.StatusServiceUnavailable}
	if op.Auth != Public {
		codes = append(codes, http.StatusUnauthorized)
	}
	if op.Access != "" {
		codes = append(codes, http.StatusForbidden)
	}
	switch {
	case op.Stream:
		// A stream's limits are answered in the stream, line by line.
		codes = append(codes, http.StatusUnsupportedMediaType)
	case op.Body != nil:
		codes = append(codes, http.StatusRequestEntityTooLarge)
	}
	codes = append(codes, op.Errors...)
	slices.Sort(codes)
	return slices.Compact(codes)
}

// errorMeaning says when the API answers code.
func errorMeaning(code int) string {
	switch code {
	case http.StatusBadRequest:
		return "The request is malformed: fields names each bad field."
	case http.StatusUnauthorized:
		return "No credentials, or bad ones: the message says which."
	case http.StatusForbidden:
		return "The caller may not do this: the message says who may."
	case http.StatusNotFound:
		return "There is no such resource."
	case http.StatusConflict:
		return "The request conflicts with the state of the resource: the message says how."
	case http.StatusRequestEntityTooLarge:
		return "The body is over 1 MiB."
	case http.StatusUnsupportedMediaType:
		return "The body is not of the type the route takes: send Content-Type " + NDJSON + "."
	case http.StatusUnprocessableEntity:
		return "The Idempotency-Key was first sent with another request."
	case http.StatusTooManyRequests:
		return "Too many attempts: retry after Retry-After seconds."
	case http.StatusInternalServerError:
		return "The server failed: errorID is in its log with the cause."
	case http.StatusServiceUnavailable:
		return "The database is unavailable or the server is at capacity: retry after Retry-After seconds."
	}
	return http.StatusText(code)
}
