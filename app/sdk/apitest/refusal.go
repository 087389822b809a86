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
// client: invalid_argument or payload_too_large (errs.Of), its message and
// field errors quoting no internals.
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
