package tests

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/app/sdk/errs"
)

// FuzzAPI sends any query string and body to the real handler, on a real
// database, at every route that reads one: the answer is never a server
// error, and a refusal quotes no internals. Crashers land in
// testdata/fuzz/FuzzAPI and replay in go test.
func FuzzAPI(f *testing.F) {
	e := newEnv(f)
	resp := apitest.Do(f, e.h, http.MethodPost, "/v1/products", e.tokens["user1"], map[string]any{"name": "Lamp", "cost": 1, "quantity": 5}, nil)
	var prd struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&prd); err != nil || prd.ID == "" {
		f.Fatalf("create a product: %d %v", resp.StatusCode, err)
	}

	type route struct{ method, path, who string }
	routes := []route{
		{http.MethodGet, "/v1/users", "admin"},
		{http.MethodGet, "/v1/products", "user1"},
		{http.MethodGet, "/v1/vproducts", "admin"},
		{http.MethodGet, "/v1/sales", "user1"},
		{http.MethodGet, "/v1/audits", "admin"},
		{http.MethodPost, "/v1/users", "admin"},
		{http.MethodPost, "/v1/users/signup", ""},
		{http.MethodPut, "/v1/users/" + e.user2.ID.String(), "admin"},
		{http.MethodPut, "/v1/users/role/" + e.user2.ID.String(), "admin"},
		{http.MethodPost, "/v1/products", "user1"},
		{http.MethodPut, "/v1/products/" + prd.ID, "user1"},
		{http.MethodPost, "/v1/sales", "user2"},
	}
	for i, seed := range []struct {
		query string
		body  string
	}{
		{"page=2&rows=5&orderBy=name,DESC", ""},
		{"name=%00", ""},
		{"quantityMin=2147483648&costMax=1e9", ""},
		{"", `{"name":"Bo","email":"bo@example.com","roles":["USER"],"password":"secret12","passwordConfirm":"secret12"}`},
		{"", `{"department":"\u0000"}`},
		{"", `{"roles":["ROOT"]}`},
		{"", `{"name":"Chair","cost":0.1,"quantity":1}`},
		{"", `{"productID":"` + prd.ID + `","quantity":1,"paid":1}`},
		{"", "{\"name\":\"\xff\"}"},
		{"", `{"cost":"12"} x`},
	} {
		f.Add(uint8(i), seed.query, []byte(seed.body))
	}

	f.Fuzz(func(t *testing.T, which uint8, rawQuery string, body []byte) {
		rt := routes[int(which)%len(routes)]
		req := httptest.NewRequest(rt.method, "/", bytes.NewReader(body))
		req.URL = &url.URL{Path: rt.path, RawQuery: rawQuery}
		req.RequestURI = req.URL.RequestURI()
		if rt.who != "" {
			req.Header.Set("Authorization", "Bearer "+e.tokens[rt.who])
		}
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, req)

		answer, _ := io.ReadAll(w.Result().Body)
		if w.Code >= http.StatusInternalServerError {
			t.Fatalf("%s %s?%s with %q: %d %s", rt.method, rt.path, rawQuery, body, w.Code, answer)
		}
		if w.Code >= http.StatusBadRequest {
			var e errs.Error
			if err := json.Unmarshal(answer, &e); err != nil {
				t.Fatalf("a %d that is not an error body: %s", w.Code, answer)
			}
			for _, leak := range []string{"app.", "bus.", "json: ", "reflect", "runtime error"} {
				if strings.Contains(string(answer), leak) {
					t.Fatalf("the answer quotes %q: %s", leak, answer)
				}
			}
		}
	})
}
