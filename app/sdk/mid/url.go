package mid

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/foundation/web"
)

// ValidURL answers 400, naming the parameter, for a URL a handler would
// misread:
//   - a path or query parameter that is not UTF-8 text or holds a NUL:
//     Postgres stores neither in text, and would fail the query later as
//     a server error;
//   - a query pair that does not parse (a ';', or a '%' that starts no
//     escape): net/http drops such a pair without a word, so a filter
//     sent as name=100% would answer the whole list as if it had matched;
//   - a parameter sent twice, of which a handler reads only the first;
//   - a query of more pairs than net/http reads, which it reads as none.
func ValidURL() web.MidFunc {
	return func(next web.HandlerFunc) web.HandlerFunc {
		return func(ctx context.Context, r *http.Request) (any, error) {
			if web.IsNotRouted(ctx) {
				// No route reads this URL: its 404 or 405 says more.
				return next(ctx, r)
			}
			if !isText(r.URL.Path) {
				return nil, errs.NewFields(errs.FieldErrors{"path": errText.Error()})
			}
			if fe := checkQuery(r.URL.RawQuery); len(fe) > 0 {
				return nil, errs.NewFields(fe)
			}
			// What it lets through, net/http must read in full: ParseQuery
			// also refuses a query of too many pairs, and then reads none.
			if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
				return nil, errs.NewFields(errs.FieldErrors{"query": errTooMany.Error()})
			}
			return next(ctx, r)
		}
	}
}

var (
	errText      = errors.New("must be UTF-8 text without NUL characters")
	errSemicolon = errors.New("holds a ';': separate parameters with '&', and send a ';' in a value as %3B")
	errEscape    = errors.New("holds a '%' that starts no escape: send a '%' as %25")
	errTwice     = errors.New("is given more than once: send it once")
	errTooMany   = errors.New("has more parameters than are read: send fewer")
)

// checkQuery reads raw as url.ParseQuery does, recording an error against
// each parameter it would drop or misread; one whose name cannot be read
// is recorded against "query".
func checkQuery(raw string) errs.FieldErrors {
	fe := errs.FieldErrors{}
	seen := make(map[string]bool)
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(rawKey)
		switch {
		case strings.Contains(rawKey, ";"):
			fe.Add("query", errSemicolon)
			continue
		case err != nil:
			fe.Add("query", errEscape)
			continue
		case !isText(key):
			fe.Add("query", errText)
			continue
		case seen[key]:
			fe.Add(web.Clip(key), errTwice)
			continue
		}
		seen[key] = true
		value, err := url.QueryUnescape(rawValue)
		switch {
		case strings.Contains(rawValue, ";"):
			fe.Add(web.Clip(key), errSemicolon)
		case err != nil:
			fe.Add(web.Clip(key), errEscape)
		case !isText(value):
			fe.Add(web.Clip(key), errText)
		}
	}
	return fe
}

func isText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
