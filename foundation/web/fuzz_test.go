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
// size limit) whose words name JSON, not Go; what decodes holds no NUL, no
// invalid UTF-8 anywhere and no U+FFFD the body did not spell (encoding/json
// writes one for half a surrogate pair).
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{`{"name":"a"}`, `{"name":"\u0000"}`, "{\"name\":\"\xff\"}", `[]`, `{"n":1e99}`, `{"inner":{"S":"\u0000"}}`, `{} x`, `{"tags":[null]}`, `{"name":"\ud800"}`, `{"name":"\ud83d\ude00"}`} {
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
			if strings.ContainsRune(s, utf8.RuneError) && !bytes.Contains(body, []byte("\uFFFD")) &&
				!bytes.Contains(bytes.ToLower(body), []byte(`\ufffd`)) {
				t.Fatalf("decoded %q from %q, which spells no U+FFFD", s, body)
			}
		}
	})
}
