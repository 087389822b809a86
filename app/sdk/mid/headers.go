package mid

import (
	"net/http"
	"slices"
	"strings"
)

// SecureHeaders wraps the whole API, routed or not, so every response
// carries the headers a JSON API should: no MIME sniffing, no caching of
// what may hold a token or a user, a content security policy that lets a
// response run and embed nothing, and no referrer.
//
// CORS is answered for origins in allowed only (none by default): their
// preflight requests get the methods and headers the API takes, and their
// requests the Access-Control-Allow-Origin a browser needs to hand the
// answer to the page.
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
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, "+IdempotencyHeader)
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", "X-Trace-Id, Retry-After, Idempotent-Replayed")
		next.ServeHTTP(w, r)
	})
}
