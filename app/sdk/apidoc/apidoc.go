// Package apidoc holds each route's documentation as it is registered,
// from which package openapi builds the OpenAPI document (make docs), and
// the page that renders the document.
package apidoc

import (
	"maps"
	"slices"
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
	// in words ("an ADMIN"), "" for any user.
	Auth   Auth
	Access string

	// Body, Status, Response, Accepted, Content, Stream, Query and Errors
	// are as in route.Def. Headers are the request headers the route reads.
	Body     any
	Status   int
	Response any
	Accepted any
	Content  string
	Stream   bool
	Query    []Param
	Headers  []Param
	Errors   []int
	// Idempotent is a route that takes an Idempotency-Key: a 409 may be
	// a request with the same key still in progress, with Retry-After.
	Idempotent bool
	// ResponseHeaders are the headers its success answers may carry
	// besides those of every answer (X-Trace-Id).
	ResponseHeaders []Param
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

// Param is a query parameter, a request header or an answer's header.
type Param struct {
	Name        string
	Description string
	Type        string // string, integer, number, boolean
	Format      string // uuid, date-time, ...
	Min, Max    *float64
	MinLength   uint64   // of a string
	MaxLength   uint64   // of a string; 0 for no bound
	Pattern     string   // a string's regular expression (ECMA 262)
	Enum        []string // the values it takes, when they are few
	Default     any      // what the API takes when it is not sent
}

// Info is what the document says of the API as a whole.
type Info struct {
	Title       string
	Version     string
	Description string
}

// Spec collects the documentation of every route. Routes are added at
// startup, before anything reads it.
type Spec struct {
	Info Info
	ops  []Op
	tags map[string]string
}

// New returns an empty Spec.
func New(info Info) *Spec {
	return &Spec{Info: info, tags: map[string]string{}}
}

// Add documents a route.
func (s *Spec) Add(op Op) {
	s.ops = append(s.ops, op)
}

// Tag describes a tag, the group of one domain's routes; the viewer shows
// the description above them.
func (s *Spec) Tag(name, description string) {
	s.tags[name] = description
}

// Routes returns "METHOD PATH" of every route documented, sorted.
func (s *Spec) Routes() []string {
	out := make([]string, len(s.ops))
	for i, op := range s.ops {
		out[i] = op.Method + " " + op.Path
	}
	slices.Sort(out)
	return out
}

// Ops returns the documentation of every route, in the order added, and
// the descriptions of their tags.
func (s *Spec) Ops() ([]Op, map[string]string) {
	return slices.Clone(s.ops), maps.Clone(s.tags)
}
