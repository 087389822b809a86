package mid

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"github.com/garagesale/service/app/sdk/idempotency"
)

// SecureHeaders wraps the whole API, routed or not, so every response
// carries the headers a JSON API should: no MIME sniffing, no caching of
// what may hold a token or a user, a content security policy that lets a
// response run and embed nothing, and no referrer. CORS is answered for
// the origins in allowed only (none by default).
func SecureHeaders(next http.Handler, allowed []string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Referrer-Policy", "no-referrer")

		origin := r.Header.Get("Origin")
		if origin == "" || !slices.Contains(allowed, origin) {
			next.ServeHTTP(w, r)
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", strings.Join([]string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete}, ", "))
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, "+idempotency.Header)
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", "X-Trace-Id, Retry-After, Idempotent-Replayed, Sales-Caches-Behind, WWW-Authenticate")
		next.ServeHTTP(w, r)
	})
}

// ParseOrigins reads a list of browser origins separated by semicolons,
// commas or spaces: each scheme://host[:port], with no path. A list the
// browser would never match (a path, a missing scheme) is an error rather
// than CORS that silently refuses everyone.
func ParseOrigins(list string) ([]string, error) {
	var out []string
	for _, o := range strings.FieldsFunc(list, func(r rune) bool { return r == ';' || r == ',' || unicode.IsSpace(r) }) {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return nil, fmt.Errorf("%q is not an origin: write scheme://host[:port], like https://shop.example.com", o)
		}
		out = append(out, u.Scheme+"://"+u.Host)
	}
	return out, nil
}
