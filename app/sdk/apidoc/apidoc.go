// Package apidoc holds what the code declares of the API for its
// documentation: each route as it is registered (method, path, who may
// call it, its request and response models, its list parameters, the
// errors it can answer), and the page that renders the document. Package
// openapi builds the OpenAPI 3.1 document from it (make docs); sales-api
// serves the committed copy, which a test keeps equal to what the code
// declares.
package apidoc

import (
	"maps"
	"slices"
	"sync"
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

// Spec collects the documentation of every route.
type Spec struct {
	info Info
	mu   sync.Mutex
	ops  []Op
	tags map[string]string
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

// Info returns what the document says of the API as a whole.
func (s *Spec) Info() Info {
	return s.info
}

// Ops returns the documentation of every route, in the order added, and
// the descriptions of their tags.
func (s *Spec) Ops() ([]Op, map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ops), maps.Clone(s.tags)
}
