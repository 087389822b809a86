package web_test

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/garagesale/service/foundation/web"
)

type fuzzModel struct {
	Name  string             `json:"name"`
	N     *int               `json:"n"`
	Tags  []string           `json:"tags"`
	Inner struct{ S string } `json:"inner"`
	Flag  bool               `json:"flag"`
}

// FuzzDecode: any body decodes or is refused with a DecodeError (or the
// size limit) whose words name JSON, not Go; what decodes holds no NUL and
// no invalid UTF-8 anywhere.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{`{"name":"a"}`, `{"name":"\u0000"}`, "{\"name\":\"\xff\"}", `[]`, `{"n":1e99}`, `{"inner":{"S":"\u0000"}}`, `{} x`, `{"tags":[null]}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var v fuzzModel
		err := web.Decode(httptest.NewRequest("POST", "/", bytes.NewReader(body)), &v)
		if err != nil {
			var de *web.DecodeError
			if !errors.As(err, &de) && !errors.Is(err, web.ErrBodyTooLarge) {
				t.Fatalf("%T %v", err, err)
			}
			if strings.Contains(err.Error(), "web_test.") || strings.Contains(err.Error(), "struct") {
				t.Fatalf("the error names a Go type: %v", err)
			}
			return
		}
		for _, s := range append([]string{v.Name, v.Inner.S}, v.Tags...) {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Fatalf("decoded %q", s)
			}
		}
	})
}
