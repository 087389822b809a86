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
	allowed := newHostSet(names)
	if allowed == nil {
		return func(next web.HandlerFunc) web.HandlerFunc { return next }
	}
	return func(next web.HandlerFunc) web.HandlerFunc {
		return func(ctx context.Context, r *http.Request) (any, error) {
			if !allowed.allows(r.Host) {
				return nil, errs.Newf(errs.PermissionDenied, "%s", allowed.refusal())
			}
			return next(ctx, r)
		}
	}
}

// HostsHandler is Hosts for a handler outside the API's middleware: the
// debug port's (pprof, expvar), which a rebinding page could otherwise
// read, or keep busy with profiles. Its refusal is a plain 403.
func HostsHandler(names []string, h http.Handler) http.Handler {
	allowed := newHostSet(names)
	if allowed == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowed.allows(r.Host) {
			http.Error(w, allowed.refusal(), http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// hostSet is the host names a server answers, in lower case; nil answers
// every host.
type hostSet []string

func newHostSet(names []string) hostSet {
	var s hostSet
	for _, n := range names {
		s = append(s, strings.TrimSuffix(strings.ToLower(strings.TrimSpace(n)), "."))
	}
	return s
}

// allows reports whether a request for host (a Host header, with or
// without its port) is answered: one of the names, an IP address, or none.
func (s hostSet) allows(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	return host == "" || net.ParseIP(host) != nil || slices.Contains(s, host)
}

func (s hostSet) refusal() string {
	return "this server answers requests for " + strings.Join(s, ", ") +
		" or an IP address only (SALES_WEB_HOSTS): a page that points another name at its address is refused"
}
