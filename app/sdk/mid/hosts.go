package mid

import (
	"context"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/foundation/web"
)

// Hosts answers 403 to a request for a host name not in names: a web page
// that points a name of its own at the API's address (DNS rebinding) is
// same-origin with it, so the browser lets its script send any request,
// the seeded accounts' public passwords included, to an API listening on
// the loopback address of the machine that runs the browser. A host that
// is an IP address is no such name, and a request without one is no
// browser's. No names answers every host, as behind an ingress whose
// names the API need not know.
func Hosts(names []string) web.MidFunc {
	if len(names) == 0 {
		return func(next web.HandlerFunc) web.HandlerFunc { return next }
	}
	allowed := make([]string, len(names))
	for i, n := range names {
		allowed[i] = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(n)), ".")
	}
	msg := "this API answers requests for " + strings.Join(allowed, ", ") +
		" or an IP address only (SALES_WEB_HOSTS): a page that points another name at its address is refused"
	return func(next web.HandlerFunc) web.HandlerFunc {
		return func(ctx context.Context, r *http.Request) (any, error) {
			host := r.Host
			if h, _, err := net.SplitHostPort(host); err == nil {
				host = h
			}
			host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
			if host != "" && net.ParseIP(host) == nil && !slices.Contains(allowed, host) {
				return nil, errs.Newf(errs.PermissionDenied, "%s", msg)
			}
			return next(ctx, r)
		}
	}
}
