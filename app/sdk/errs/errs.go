// Package errs defines the API's error body and the small fixed set of
// codes that map to HTTP statuses.
package errs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/foundation/web"
)

// Code is one of the API's error codes.
type Code string

// The API's error codes: each has one HTTP status (Status), and the API
// documentation lists them with it.
const (
	InvalidArgument  Code = "invalid_argument"
	Unauthenticated  Code = "unauthenticated"
	PermissionDenied Code = "permission_denied"
	NotFound         Code = "not_found"
	AlreadyExists    Code = "already_exists"
	Aborted          Code = "aborted"
	PayloadTooLarge  Code = "payload_too_large"
	MethodNotAllowed Code = "method_not_allowed"
	Internal         Code = "internal"
	Unavailable      Code = "unavailable"
	TooManyRequests  Code = "too_many_requests"
	// ClientClosed is a request its client abandoned before the answer:
	// not the server's failure in logs and metrics (nginx's 499).
	ClientClosed Code = "client_closed"
	// IdempotencyKeyReused is an Idempotency-Key sent again with another
	// request than the one it was first sent with.
	IdempotencyKeyReused Code = "idempotency_key_reused"
	// UnsupportedMediaType is a body of a type the route does not take.
	UnsupportedMediaType Code = "unsupported_media_type"
	// RequestTimeout is a body that did not arrive within the server's
	// read timeout.
	RequestTimeout Code = "request_timeout"
)

var statuses = map[Code]int{
	InvalidArgument:  http.StatusBadRequest,
	Unauthenticated:  http.StatusUnauthorized,
	PermissionDenied: http.StatusForbidden,
	NotFound:         http.StatusNotFound,
	AlreadyExists:    http.StatusConflict,
	Aborted:          http.StatusConflict,
	PayloadTooLarge:  http.StatusRequestEntityTooLarge,
	MethodNotAllowed: http.StatusMethodNotAllowed,
	Internal:         http.StatusInternalServerError,
	Unavailable:      http.StatusServiceUnavailable,
	TooManyRequests:  http.StatusTooManyRequests,
	ClientClosed:     499,

	IdempotencyKeyReused: http.StatusUnprocessableEntity,
	UnsupportedMediaType: http.StatusUnsupportedMediaType,
	RequestTimeout:       http.StatusRequestTimeout,
}

// Codes returns every code, sorted.
func Codes() []Code {
	return slices.Sorted(maps.Keys(statuses))
}

// Status returns the HTTP status of c; an unknown code is a 500.
func (c Code) Status() int {
	return cmp.Or(statuses[c], http.StatusInternalServerError)
}

// Error is the API's error body. Cause is what went wrong inside; it is
// logged, never sent.
type Error struct {
	Code    Code              `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	ErrorID string            `json:"errorID,omitempty"`
	Cause   error             `json:"-"`
	// RetryAfter, when set, is sent as the Retry-After header: how long
	// the client should wait before trying again.
	RetryAfter time.Duration `json:"-"`
	// CloseConnection sends Connection: close, for a refusal of a body
	// left unread: net/http then answers at once rather than first
	// draining what a slow client is still sending.
	CloseConnection bool `json:"-"`
	// IdentityOnly sends Accept-Encoding: identity, for a body refused
	// for its Content-Encoding: what RFC 9110 asks such a 415 to say.
	IdentityOnly bool `json:"-"`
	// Challenge is a 401's WWW-Authenticate header, which RFC 9110
	// requires of one: how to authenticate. Empty is "Bearer".
	Challenge string `json:"-"`
}

// New returns an Error with code whose message is err's text.
func New(code Code, err error) *Error {
	return &Error{Code: code, Message: err.Error(), Cause: err}
}

// Newf returns an Error with code and a formatted message.
func Newf(code Code, format string, args ...any) *Error {
	return New(code, fmt.Errorf(format, args...))
}

// NewFields returns an invalid_argument Error naming each bad field.
func NewFields(fields map[string]string) *Error {
	return &Error{Code: InvalidArgument, Message: "data validation error", Fields: fields}
}

// What a client's mistake may cost to answer and to log: a request of a
// few kilobytes must not buy an answer of hundreds (five thousand unknown
// parameters, a number of a million digits quoted back).
const (
	// MaxFields is how many bad fields an answer names.
	MaxFields = 20
	// MaxText is how many characters of a message or a field's message
	// an answer holds.
	MaxText = 512
)

// Bounded returns e, or a copy of it naming at most MaxFields fields (the
// first by name) with every name and message clipped; its message says
// how many fields it left out.
func (e *Error) Bounded() *Error {
	fits := len(e.Fields) <= MaxFields && Clip(e.Message) == e.Message
	for f, msg := range e.Fields {
		fits = fits && web.Clip(f) == f && Clip(msg) == msg
	}
	if fits {
		return e
	}
	b := *e
	b.Message = Clip(e.Message)
	if len(e.Fields) > 0 {
		names := slices.Sorted(maps.Keys(e.Fields))
		b.Fields = make(map[string]string, min(len(names), MaxFields))
		for _, f := range names[:min(len(names), MaxFields)] {
			b.Fields[web.Clip(f)] = Clip(e.Fields[f])
		}
		if len(names) > MaxFields {
			b.Message = fmt.Sprintf("%s: the first %d of %d bad fields", b.Message, MaxFields, len(names))
		}
	}
	return &b
}

// Clip returns s cut to MaxText characters, marked with "…" when cut.
func Clip(s string) string {
	return web.ClipTo(s, MaxText)
}

// Error implements error.
func (e *Error) Error() string {
	if e.Cause != nil && e.Cause.Error() != e.Message {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// HTTPHeader implements web.HTTPHeaderer: Retry-After in whole seconds,
// at least one, when RetryAfter is set; Connection: close and
// Accept-Encoding: identity when asked; a 401's WWW-Authenticate.
func (e *Error) HTTPHeader() http.Header {
	h := http.Header{}
	if e.RetryAfter > 0 {
		secs := int64((e.RetryAfter + time.Second - 1) / time.Second)
		h.Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	if e.CloseConnection {
		h.Set("Connection", "close")
	}
	if e.IdentityOnly {
		h.Set("Accept-Encoding", "identity")
	}
	if e.Code == Unauthenticated {
		h.Set("WWW-Authenticate", cmp.Or(e.Challenge, "Bearer"))
	}
	if len(h) == 0 {
		return nil
	}
	return h
}

// HTTPStatus implements web.HTTPStatuser.
func (e *Error) HTTPStatus() int { return e.Code.Status() }

// Encode implements web.Encoder: the web layer sends only an error that
// encodes itself, lest an error's fields be taken for an answer.
func (e *Error) Encode() ([]byte, string, error) {
	return web.JSON(e)
}

// Of returns err as an *Error: itself when it is one; a 413, a 415, a 408
// or a 400 (naming the field where it can) for a body web.Decode refused; else an internal error
// whose cause is err. An internal error caused by the database's state
// rather than the code becomes what the client can act on: unavailable
// (503) for a database that is down or slow or a request past its
// deadline, aborted (409) for a transaction that lost to a concurrent one.
func Of(err error) *Error {
	var e *Error
	var de *web.DecodeError
	var bodyErr *web.BodyReadError
	switch {
	case errors.As(err, &e):
	case errors.Is(err, web.ErrBodyTooLarge):
		return Newf(PayloadTooLarge, "request body must be at most %d bytes", web.MaxBodyBytes)
	case errors.As(err, &bodyErr):
		// What is left of the body is unknown: the connection ends.
		code := InvalidArgument
		if bodyErr.Timeout() {
			code = RequestTimeout
		}
		// The log says what the connection did: EOF, a timeout.
		return &Error{Code: code, Message: bodyErr.Error(), Cause: fmt.Errorf("read body: %w", bodyErr.Err), CloseConnection: true}
	case errors.As(err, new(*web.EncodedBodyError)):
		e := New(UnsupportedMediaType, err)
		e.IdentityOnly = true
		return e
	case errors.As(err, &de) && de.Field != "":
		fe := FieldErrors{de.Field: de.Err.Error()}
		maps.Copy(fe, de.More)
		return NewFields(fe)
	case errors.As(err, &de):
		return New(InvalidArgument, err)
	default:
		e = &Error{Code: Internal, Message: err.Error(), Cause: err}
	}
	if e.Code != Internal || e.Cause == nil {
		return e
	}
	switch {
	case errors.Is(e.Cause, context.Canceled):
		return &Error{Code: ClientClosed, Message: "the client closed the request", Cause: e.Cause}
	case errors.Is(e.Cause, sqldb.ErrDBUnavailable),
		errors.Is(e.Cause, context.DeadlineExceeded):
		u := NewUnavailable("the service cannot answer right now: retry later")
		u.Cause = e.Cause
		return u
	case errors.Is(e.Cause, sqldb.ErrDBConflict):
		return &Error{Code: Aborted, Message: "the request conflicted with a concurrent one: retry it", Cause: e.Cause}
	}
	return e
}

// RetryAfterUnavailable is the Retry-After of an unavailable answer: a
// pool frees up or a restarting database comes back within seconds.
const RetryAfterUnavailable = time.Second

// NewUnavailable returns a 503 unavailable Error with msg, telling the
// client to retry after RetryAfterUnavailable.
func NewUnavailable(msg string) *Error {
	return &Error{Code: Unavailable, Message: msg, RetryAfter: RetryAfterUnavailable}
}

// FieldErrors collects what is wrong with each field of a request, so one
// response names every bad field at once.
type FieldErrors map[string]string

// Add records err against field; a nil err records nothing. The first
// error of a field wins.
func (fe FieldErrors) Add(field string, err error) {
	if err == nil {
		return
	}
	if _, ok := fe[field]; !ok {
		fe[field] = err.Error()
	}
}

// ToError returns nil when nothing was recorded, else an invalid_argument
// Error naming each field.
func (fe FieldErrors) ToError() error {
	if len(fe) == 0 {
		return nil
	}
	return NewFields(fe)
}
