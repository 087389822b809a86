package mid_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/mid"
	"github.com/google/go-cmp/cmp"
)

// TestHostsRefusesOtherNames: with names set, a request for another name
// (a page that pointed its own name at the API's address) is a 403; the
// names in any case, IP addresses and a request without a host are
// answered; without names every host is.
func TestHostsRefusesOtherNames(t *testing.T) {
	hosts := []string{"localhost:3000", "LocalHost", "localhost.", "127.0.0.1:3000", "[::1]:3000", "10.1.2.3", "",
		"api.example.com:443", "rebind.attacker.example:3000", "localhost.attacker.example", "127.0.0.1.nip.io:3000"}
	tests := []struct {
		name  string
		names []string
		want  map[string]int
	}{
		{name: "none", want: map[string]int{}},
		{name: "localhost", names: []string{"localhost"}, want: map[string]int{
			"api.example.com:443": 403, "rebind.attacker.example:3000": 403, "localhost.attacker.example": 403, "127.0.0.1.nip.io:3000": 403}},
		{name: "localhost and a name", names: []string{" localhost", "API.example.com"}, want: map[string]int{
			"rebind.attacker.example:3000": 403, "localhost.attacker.example": 403, "127.0.0.1.nip.io:3000": 403}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := mid.Hosts(tt.names)(func(context.Context, *http.Request) (any, error) { return nil, nil })
			// The debug port's handler refuses the same hosts.
			debug := mid.HostsHandler(tt.names, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			got := map[string]int{}
			for _, host := range hosts {
				r := httptest.NewRequest(http.MethodGet, "/v1/products", nil)
				r.Host = host
				if _, err := h(context.Background(), r); err != nil {
					got[host] = errs.Of(err).HTTPStatus()
				}
				w := httptest.NewRecorder()
				debug.ServeHTTP(w, r)
				want := http.StatusOK
				if got[host] != 0 {
					want = got[host]
				}
				if w.Code != want {
					t.Errorf("%s: the debug handler answers %d, want %d as the API", host, w.Code, want)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("refused hosts and their statuses (-want +got):\n%s", diff)
			}
		})
	}
}
