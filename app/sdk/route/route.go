// Package route registers each of the API's routes with its handler, the
// authentication its access rule needs and its documentation, from one
// declaration: the document says who may call a route because the same
// value decides it.
package route

import (
	"cmp"
	"net/http"
	"reflect"
	"runtime"
	"strings"

	"github.com/garagesale/service/app/sdk/apidoc"
	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/idempotency"
	"github.com/garagesale/service/app/sdk/mid"
	"github.com/garagesale/service/foundation/web"
)

// Def is one route's definition: its handler, who may call it and its
// documentation.
type Def struct {
	Method  string
	Path    string
	Handler web.HandlerFunc

	Summary     string
	Description string
	// Name names the operation in the document (tag.name) when the
	// handler's own name, the default, serves two routes.
	Name string

	// Rule is who may call with a token; zero needs no token. Basic is the
	// token route's own way in: an email and password.
	Rule  auth.Rule
	Basic bool

	// Body and Response are the request's and the answer's models (zero
	// values); nil for none. Status is the success status (200 when zero).
	Body     any
	Status   int
	Response any
	// Accepted is the model of a 202 the handler answers instead of its
	// success in some cases (the Description says which); nil for none.
	Accepted any
	// Content is the answer's media type when it is not JSON.
	Content string

	// Query documents the query parameters (a list's come from
	// query.ListSpec.Params).
	Query []apidoc.Param
	// Idempotent documents a route whose handler writes through
	// idempotency.Store.Do: safe to retry with an Idempotency-Key.
	Idempotent bool
	// Stream marks a route whose body and answer are NDJSON streams:
	// Body and Response model one line each, and the handler returns a
	// web.Streamer.
	Stream bool
	// Errors are the error statuses the handler itself answers (404 for a
	// missing resource, 409 for a conflict, a 403 of its own); those of
	// the rule, the body and every route are documented already.
	Errors []int
	// ResponseHeaders are the headers of its own a success may carry;
	// an Idempotent route's Idempotent-Replayed is documented already.
	ResponseHeaders []apidoc.Param
}

// Config is what a Table needs.
type Config struct {
	App  *web.App
	Spec *apidoc.Spec
	Auth *auth.Auth
	// Authenticate checks the token and loads its user, once per request.
	Authenticate web.MidFunc
	// Shed limits the requests that run at once (mid.Shed), one limit
	// for every route; nil for none. ReadBody reads a route's JSON body
	// whole before it takes a slot (mid.ReadBody), ReadPublicBody that of
	// a route with no access rule, from a limit of its own; nil reads it
	// in the handler.
	Shed           web.MidFunc
	ReadBody       web.MidFunc
	ReadPublicBody web.MidFunc
}

// Table registers routes.
type Table struct {
	cfg Config
	tag string
}

// New returns a Table.
func New(cfg Config) *Table {
	return &Table{cfg: cfg}
}

// Group returns the Table for one domain's routes, documented under tag
// with its description.
func (t *Table) Group(tag, description string) *Table {
	t.cfg.Spec.Tag(tag, description)
	return &Table{cfg: t.cfg, tag: tag}
}

// Add registers r.
func (t *Table) Add(r Def) {
	op := apidoc.Op{
		Method: r.Method, Path: r.Path, ID: t.tag + "." + cmp.Or(r.Name, funcName(r.Handler)), Tag: t.tag,
		Summary: r.Summary, Description: r.Description,
		Body: r.Body, Status: r.Status, Response: r.Response, Accepted: r.Accepted, Content: r.Content, Stream: r.Stream,
		Query: r.Query, Errors: r.Errors, ResponseHeaders: r.ResponseHeaders,
	}
	var caller []web.MidFunc
	switch {
	case r.Rule != 0:
		caller = []web.MidFunc{t.cfg.Authenticate, mid.Authorize(t.cfg.Auth, r.Rule)}
		op.Auth, op.Access = apidoc.Bearer, r.Rule.Who()
	case r.Basic:
		op.Auth = apidoc.Basic
	}
	// A slot first, as the caller's check may read the database. But a
	// JSON body is read before the slot, so a slow body holds none: after
	// the caller's check, lest anyone without a token make the service read
	// one, and for a route anyone may call (signup), in a pool of its own,
	// lest those fill the one the callers' bodies are read in. A stream is
	// read as it comes, its uploads limited on their own.
	var mw []web.MidFunc
	switch {
	case r.Body == nil || r.Stream:
		mw = append(append(mw, t.cfg.Shed), caller...)
	case r.Rule == 0:
		mw = append(mw, t.cfg.ReadPublicBody, t.cfg.Shed)
	default:
		mw = append(append(mw, caller...), t.cfg.ReadBody, t.cfg.Shed)
	}
	if r.Idempotent {
		op.Idempotent = true
		op.Headers = append(op.Headers, apidoc.Param{Name: idempotency.Header, Type: "string", MinLength: 1,
			MaxLength: idempotency.HeaderMaxLength, Pattern: idempotency.HeaderPattern,
			Description: "any unique string of 1 to 255 characters, a UUID say, sent as it is or as an RFC 8941 string " +
				"(in double quotes): a retry with the same key gets the first answer instead of doing it again"})
		op.ResponseHeaders = append(op.ResponseHeaders, apidoc.Param{Name: idempotency.ReplayedHeader, Type: "string", Enum: []string{"true"},
			Description: "true when this is the stored answer to an earlier request with the same key, which was not done again"})
		op.Errors = append(op.Errors, http.StatusConflict, http.StatusUnprocessableEntity)
	}
	t.cfg.App.HandlerFunc(r.Method, r.Path, r.Handler, mw...)
	t.cfg.Spec.Add(op)
}

// funcName is a handler's method name, "create" for (*handlers).create:
// the operation's ID in the document.
func funcName(h web.HandlerFunc) string {
	name := runtime.FuncForPC(reflect.ValueOf(h).Pointer()).Name()
	name = strings.TrimSuffix(name, "-fm")
	return name[strings.LastIndex(name, ".")+1:]
}
