package apitest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/garagesale/service/app/sdk/apidoc"
	"github.com/garagesale/service/app/sdk/apidoc/openapi"
	"github.com/garagesale/service/docs"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// router routes by the API's document, the committed copy the API serves.
var router = sync.OnceValues(func() (routers.Router, error) {
	// The documentation page and its script are text, as text/plain is to
	// the validator.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/javascript", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder(apidoc.NDJSON, ndjsonDecoder)
	doc, err := openapi.Load(docs.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("%w (make docs writes docs/openapi.json from the code)", err)
	}
	return gorillamux.NewRouter(doc)
})

// checkContract checks an exchange with the API against its document: the
// answer always (a status the route documents, a body its schema fits),
// the request when the API answered 2xx. A request the API refused is
// left alone, as tests send bad ones on purpose, and so is one to no route.
func checkContract(t testing.TB, req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) {
	t.Helper()
	rt, err := router()
	if err != nil {
		t.Errorf("the API's document: %v", err)
		return
	}
	route, params, err := rt.FindRoute(req)
	if err != nil {
		return
	}

	ctx := context.Background()
	opts := &openapi3filter.Options{
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: true,
		// date-time is checked by default; uuid is a format kin-openapi
		// leaves to the user.
		SchemaValidationOptions: []openapi3.SchemaValidationOption{
			openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562)),
		},
	}
	// A stream's lines are each the API's to accept or refuse, in a 200:
	// its body is not the request's to pass or fail.
	if req.Header.Get("Content-Type") == apidoc.NDJSON {
		opts.ExcludeRequestBody = true
	}
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if resp.StatusCode/100 == 2 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			t.Errorf("%s %s was answered %d but the API's document does not allow the request:\n%v", req.Method, req.URL, resp.StatusCode, err)
		}
	}
	if resp.Header.Get("Content-Encoding") == "gzip" {
		// The document checks what the client reads, after its transport
		// unzips it.
		zr, err := gzip.NewReader(bytes.NewReader(respBody))
		if err == nil {
			respBody, err = io.ReadAll(zr)
		}
		if err != nil {
			t.Errorf("%s %s answered %d with a body marked gzip that does not unzip: %v", req.Method, req.URL, resp.StatusCode, err)
			return
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header, Options: opts}
	out.SetBodyBytes(respBody)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		t.Errorf("%s %s answered %d %s, which the API's document does not allow:\n%v", req.Method, req.URL, resp.StatusCode, clip(respBody), err)
	}
	if documented := route.Operation.Responses.Status(resp.StatusCode); documented != nil {
		for _, h := range clientHeaders {
			if resp.Header.Get(h) != "" && documented.Value.Headers[h] == nil {
				t.Errorf("%s %s answered %d with %s: %q, which the API's document does not name for that answer",
					req.Method, req.URL, resp.StatusCode, h, resp.Header.Get(h))
			}
		}
	}
}

// clientHeaders are the API's own answer headers a client acts on: each
// must be in the document where the API sends it. (X-Trace-Id, on every
// answer, is told of in the document's description.)
var clientHeaders = []string{"Retry-After", "WWW-Authenticate", "Idempotent-Replayed", "Sales-Caches-Behind"}

// ndjsonDecoder checks every line of an NDJSON stream against the schema
// (of one line) and gives the validator the last line to check again.
func ndjsonDecoder(body io.Reader, _ http.Header, schema *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	dec := json.NewDecoder(body)
	var last any
	for n := 1; ; n++ {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if err := schema.Value.VisitJSON(v, openapi3.VisitAsRequest()); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		last = v
	}
	return last, nil
}

// clip shortens a body for a message.
func clip(body []byte) string {
	if len(body) > 600 {
		return string(body[:600]) + "..."
	}
	return string(body)
}
