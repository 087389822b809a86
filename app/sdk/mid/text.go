package mid

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/foundation/web"
)

// ValidText answers 400, naming the parameter, for a query parameter or a
// path that is not UTF-8 text or holds a NUL: Postgres stores neither in
// text, and would fail the query later as a server error.
func ValidText() web.MidFunc {
	return func(next web.HandlerFunc) web.HandlerFunc {
		return func(ctx context.Context, r *http.Request) (any, error) {
			if !isText(r.URL.Path) {
				return nil, errs.NewFields(errs.FieldErrors{"path": errText.Error()})
			}
			if r.URL.RawQuery == "" {
				return next(ctx, r)
			}
			fe := errs.FieldErrors{}
			for key, values := range r.URL.Query() {
				if !isText(key) {
					fe.Add("query", errText)
					continue
				}
				for _, v := range values {
					if !isText(v) {
						fe.Add(key, errText)
					}
				}
			}
			if len(fe) > 0 {
				return nil, errs.NewFields(fe)
			}
			return next(ctx, r)
		}
	}
}

var errText = errors.New("must be UTF-8 text without NUL characters")

func isText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
