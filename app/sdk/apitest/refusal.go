package apitest

import (
	"strings"
	"testing"

	"github.com/garagesale/service/app/sdk/errs"
)

// internals are what an answer must never quote: Go types and packages,
// the JSON decoder's and the runtime's own words.
var internals = []string{"app.", "bus.", "json: ", "reflect", "struct {", "interface {", "runtime error", "[]uint8", "goroutine"}

// CheckRefusal fails t unless err is nil or a refusal fit to show a
// client: an error that the API answers (errs.Of) with code
// invalid_argument or payload_too_large and whose message and field errors
// quote no internals. Fuzz targets call it on whatever a request decoder
// made of their input.
func CheckRefusal(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	e := errs.Of(err)
	if e.Code != errs.InvalidArgument && e.Code != errs.PayloadTooLarge {
		t.Fatalf("code %s for a client's input: %v", e.Code, err)
	}
	texts := []string{e.Message}
	for k, v := range e.Fields {
		texts = append(texts, k, v)
	}
	for _, s := range texts {
		for _, leak := range internals {
			if strings.Contains(s, leak) {
				t.Fatalf("the answer quotes %q: %q", leak, s)
			}
		}
	}
}
