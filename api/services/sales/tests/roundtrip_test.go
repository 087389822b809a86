package tests

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/app/sdk/idempotency"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/sqldb"
)

// TestBuyRoundTrips counts, on the wire between the API and Postgres, the
// round trips of a purchase: at most 6 without an Idempotency-Key (BEGIN,
// the stock taken, the sale, both audit records in one statement, COMMIT)
// and at most 8 with one (the key's lock and its lookup, and its answer
// stored, besides). The API runs as sales-api does, with its user cache,
// on a pool of one connection whose statements the warm-up has prepared.
func TestBuyRoundTrips(t *testing.T) {
	s := newSaleEnv(t)
	proxy := dbtest.NewProxy(t, s.db.URL)
	u, err := url.Parse(proxy.URL(s.db.URL))
	if err != nil {
		t.Fatal(err)
	}
	password, _ := u.User.Password()
	pool, err := sqldb.Open(sqldb.Config{MaxConns: 1, Conn: sqldb.Conn{
		User: u.User.Username(), Password: password, Host: u.Host, Name: strings.TrimPrefix(u.Path, "/"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	h := s.cachingAPI(t, pool)
	product := s.newProduct(t, s.user1, "Lamp", 100)

	buy := func(key string) int {
		t.Helper()
		header := http.Header{}
		if key != "" {
			header.Set(idempotency.Header, key)
		}
		proxy.Reset()
		resp := apitest.Do(t, h, http.MethodPost, "/v1/sales", s.tokens["user2"], newSaleBody(product.ID, 1, "10"), header)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("buy: %d, want 201", resp.StatusCode)
		}
		return proxy.RoundTrips()
	}
	for i := range 2 {
		buy("")
		buy(fmt.Sprintf("warm-up-%d", i))
	}

	for _, tt := range []struct {
		name string
		key  string
		max  int
	}{
		{"without a key", "", 6},
		{"with a key", "the-key", 8},
	} {
		got := buy(tt.key)
		t.Logf("%s: %d round trips", tt.name, got)
		if got > tt.max {
			t.Errorf("%s: %d round trips, want at most %d", tt.name, got, tt.max)
		}
	}
}
