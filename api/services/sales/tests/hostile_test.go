package tests

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/garagesale/service/api/services/sales/build"
	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/app/sdk/auth"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/golang-jwt/jwt/v5"
)

// TestHostileInputIsRefused: input meant to break the service, each of
// which once gave a 500, is a 400 naming the field, and no answer quotes
// the service's internals (Go types, library text) or what the caller
// sent as a key.
func TestHostileInputIsRefused(t *testing.T) {
	t.Parallel()
	s := newSaleEnv(t)
	lamp := s.newProduct(t, s.user1, "Lamp", 5)
	userURL := "/v1/users/" + s.user1.ID.String()

	bad := func(n, method, url, who string, body any, fields ...string) apitest.Case {
		return apitest.Case{Name: n, Method: method, URL: url, Token: s.tokens[who], Body: body,
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, fields...), Cmp: cmpErr}
	}
	apitest.Run(t, s.h, []apitest.Case{
		bad("NUL in a filter", http.MethodGet, "/v1/products?name=%00", "user1", nil, "name"),
		bad("invalid UTF-8 in a filter", http.MethodGet, "/v1/products?name=%FF", "user1", nil, "name"),
		bad("NUL in a users filter", http.MethodGet, "/v1/users?email=a%00b", "admin", nil, "email"),
		bad("NUL in an audit filter", http.MethodGet, "/v1/audits?objDomain=%00", "admin", nil, "objDomain"),
		bad("NUL in a parameter's name", http.MethodGet, "/v1/products?na%00me=x", "user1", nil, "query"),
		bad("NUL in the path", http.MethodGet, "/v1/products/%00", "user1", nil, "path"),
		bad("a UUID in another form in the path", http.MethodGet, "/v1/products/urn:uuid:"+lamp.ID.String(), "user1", nil, "productID"),
		bad("a UUID in another form for a user", http.MethodGet, "/v1/users/{"+s.user2.ID.String()+"}", "user1", nil, "userID"),
		bad("a UUID in another form in a filter", http.MethodGet, "/v1/products?userID={"+s.user1.ID.String()+"}", "user1", nil, "userID"),
		// net/http drops a pair it cannot parse, and the list would
		// answer every row as if the filter had matched.
		bad("a bare '%' in a filter", http.MethodGet, "/v1/products?name=100%", "user1", nil, "name"),
		bad("a ';' after a filter", http.MethodGet, "/v1/sales?buyerID=nope;", "user1", nil, "buyerID"),
		bad("a filter given twice", http.MethodGet, "/v1/users?name=a&name=b", "admin", nil, "name"),
		bad("quantity past int32", http.MethodGet, "/v1/products?quantityMin=2147483648", "user1", nil, "quantityMin"),
		bad("quantity below zero", http.MethodGet, "/v1/products?quantityMax=-1", "user1", nil, "quantityMax"),
		bad("cost past the maximum", http.MethodGet, "/v1/products?costMin=99999999999999999999", "user1", nil, "costMin"),
		bad("NUL in a body field", http.MethodPut, userURL, "user1", `{"department":"toys\u0000"}`, "department"),
		bad("invalid UTF-8 in a body field", http.MethodPost, "/v1/products", "user1", "{\"name\":\"\xff\xfe\",\"cost\":1,\"quantity\":1}", "name"),
		bad("half a surrogate pair in a body field", http.MethodPost, "/v1/products", "user1", `{"name":"Lamp \ud83d","cost":1,"quantity":1}`, "name"),
		bad("trailing bytes after the body", http.MethodPost, "/v1/products", "user1", `{"name":"Lamp","cost":1,"quantity":1} trailing`),
		bad("a second value after the body", http.MethodPost, "/v1/products", "user1", `{"name":"Lamp","cost":1,"quantity":1}{}`),
		bad("a stray brace after the body", http.MethodPost, "/v1/products", "user1", `{"name":"Lamp","cost":1,"quantity":1}}`),
		bad("an array for a body", http.MethodPost, "/v1/products", "user1", `[]`),
		bad("a string for a body", http.MethodPost, "/v1/sales", "user2", `"buy"`),
		bad("a number for a string", http.MethodPost, "/v1/products", "user1", `{"name":12,"cost":1,"quantity":1}`, "name"),
		// encoding/json folds case and keeps the last of two: a proxy
		// that reads names exactly, or keeps the first, sees another body.
		bad("a field name in another case", http.MethodPost, "/v1/products", "user1", `{"NAME":"Lamp","cost":1,"quantity":1}`, "NAME"),
		bad("a field named twice", http.MethodPost, "/v1/products", "user1", `{"name":"Lamp","cost":1,"quantity":1,"name":"Desk"}`, "name"),
		bad("quantity past the maximum", http.MethodPut, "/v1/products/"+lamp.ID.String(), "user1", map[string]any{"quantity": 2147483648}, "quantity"),
	})

	// A compressed body is refused by its header, as a 415, whether its
	// bytes are gzip or not, and nothing is created.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"name":"Zipped","cost":1,"quantity":1}`))
	zw.Close()
	for _, c := range []struct {
		name, url, body, contentType string
	}{
		{"a gzipped body", "/v1/products", gz.String(), "application/json"},
		{"a plain body sent as gzipped", "/v1/products", `{"name":"Zipped","cost":1,"quantity":1}`, "application/json"},
		{"a gzipped upload", "/v1/sales/ingest", gz.String(), "application/x-ndjson"},
	} {
		a := send(t, s.h, http.MethodPost, c.url, s.tokens["user1"], c.body, http.Header{"Content-Encoding": {"gzip"}, "Content-Type": {c.contentType}})
		if a.status != http.StatusUnsupportedMediaType || a.code() != errs.UnsupportedMediaType {
			t.Errorf("%s: status %d %s, want 415 unsupported_media_type", c.name, a.status, a.body)
		}
		if got := a.header.Get("Accept-Encoding"); got != "identity" {
			t.Errorf("%s: Accept-Encoding %q, want identity (RFC 9110: the codings the server takes)", c.name, got)
		}
	}
	if a := send(t, s.h, http.MethodGet, "/v1/products?name=Zipped", s.tokens["user1"], nil, nil); !strings.Contains(a.body, `"items":[]`) {
		t.Errorf("a refused body made a product: %s", a.body)
	}

	// No answer quotes internals.
	for _, a := range []answer{
		send(t, s.h, http.MethodPost, "/v1/products", s.tokens["user1"], `[]`, nil),
		send(t, s.h, http.MethodPost, "/v1/sales", s.tokens["user2"], `"buy"`, nil),
		send(t, s.h, http.MethodPost, "/v1/products", s.tokens["user1"], `{"name":12,"cost":1,"quantity":1}`, nil),
	} {
		for _, leak := range []string{"productapp.", "saleapp.", "NewProduct", "NewSale", "json:", "Go "} {
			if strings.Contains(a.body, leak) {
				t.Errorf("the answer %s quotes %q", a.body, leak)
			}
		}
	}
}

// TestTokenErrorsQuoteNothing: a 401 says what to do, never the library's
// text or the kid the caller sent.
func TestTokenErrorsQuoteNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	claims := auth.NewClaims(e.user1.ID, []string{"USER"}, e.user1.DateCreated, tokenTTL)
	tkn := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tkn.Header["kid"] = "../../etc/passwd"
	forged, err := tkn.SignedString(signingKey())
	if err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name, header, want string
	}{
		{"a kid that names a file", "Bearer " + forged, "invalid or expired"},
		{"no header", "", "this route needs a token: send Authorization: Bearer <token>"},
		{"Basic instead of Bearer", "Basic Ym9iOnNlY3JldA==", "takes a bearer token"},
		{"garbage", "Bearer not.a.token", "invalid or expired"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set("Authorization", tt.header)
			}
			a := send(t, e.h, http.MethodGet, "/v1/products", "", nil, h)
			if a.status != http.StatusUnauthorized || !strings.Contains(a.body, tt.want) {
				t.Errorf("%d %s; want 401 saying %q", a.status, a.body, tt.want)
			}
			for _, leak := range []string{"etc/passwd", "keyfunc", "kid", "crypto/rsa", "token is malformed"} {
				if strings.Contains(a.body, leak) {
					t.Errorf("the answer %s quotes %q", a.body, leak)
				}
			}
		})
	}
}

// TestSecurityHeaders: every answer, routed or not, carries the headers
// of a JSON API that holds tokens and users; CORS answers only the
// origins allowed.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cors := e.replica(t, func(c *build.Config) { c.CORSOrigins = []string{"https://shop.example.com"} })

	for _, a := range []answer{
		send(t, e.h, http.MethodGet, "/v1/users/token/"+kid, "", nil, basic("bob@example.com", passwd)),
		send(t, e.h, http.MethodGet, "/v1/users/"+e.user1.ID.String(), e.tokens["user1"], nil, nil),
		send(t, e.h, http.MethodGet, "/v1/products", "", nil, nil),
		send(t, e.h, http.MethodGet, "/no/such/route", "", nil, nil),
	} {
		for k, want := range map[string]string{
			"X-Content-Type-Options":  "nosniff",
			"Cache-Control":           "no-store",
			"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
		} {
			if got := a.header.Get(k); got != want {
				t.Errorf("a %d answer has %s %q, want %q", a.status, k, got, want)
			}
		}
		if a.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("CORS allowed with no origins configured")
		}
	}

	preflight := func(origin string) answer {
		return send(t, cors, http.MethodOptions, "/v1/products", "", nil, http.Header{
			"Origin": {origin}, "Access-Control-Request-Method": {"POST"},
		})
	}
	if a := preflight("https://shop.example.com"); a.status != http.StatusNoContent ||
		a.header.Get("Access-Control-Allow-Origin") != "https://shop.example.com" ||
		!strings.Contains(a.header.Get("Access-Control-Allow-Headers"), "Idempotency-Key") {
		t.Errorf("preflight from an allowed origin: %d %v", a.status, a.header)
	}
	if a := preflight("https://evil.example.com"); a.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin was allowed: %v", a.header)
	}
	a := send(t, cors, http.MethodGet, "/v1/products", e.tokens["user1"], nil, http.Header{"Origin": {"https://shop.example.com"}})
	if a.status != http.StatusOK || a.header.Get("Access-Control-Allow-Origin") != "https://shop.example.com" {
		t.Errorf("a request from an allowed origin: %d %v", a.status, a.header)
	}
}

// TestMistakesCostLittle: a request of a few kilobytes cannot buy an
// answer of hundreds by making the API quote it back: thousands of
// unknown parameters name the first twenty, a number of a hundred
// thousand digits is quoted clipped.
func TestMistakesCostLittle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	var params []string
	for i := range 5000 {
		params = append(params, fmt.Sprintf("p%d=1", i))
	}
	digits := strings.Repeat("1", 100_000)
	for _, tt := range []struct {
		name, method, url string
		body              any
		fields            int
		message           string
	}{
		{name: "5,000 unknown parameters", method: http.MethodGet, url: "/v1/products?" + strings.Join(params, "&"),
			fields: errs.MaxFields, message: "data validation error: the first 20 of 5000 bad fields"},
		{name: "an amount of 100,000 digits", method: http.MethodPost, url: "/v1/products",
			body: `{"name":"Lamp","cost":1.` + digits + `,"quantity":1}`, fields: 1, message: "data validation error"},
		{name: "a quantity of 100,000 digits", method: http.MethodPost, url: "/v1/products",
			body: `{"name":"Lamp","cost":1,"quantity":` + digits + `}`, fields: 1, message: "data validation error"},
		{name: "an ordering of 60,000 characters", method: http.MethodGet, url: "/v1/products?orderBy=" + strings.Repeat("x", 60_000),
			fields: 1, message: "data validation error"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := send(t, e.h, tt.method, tt.url, e.tokens["user1"], tt.body, nil)
			if a.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %.300s", a.status, a.body)
			}
			if len(a.body) > 16<<10 {
				t.Errorf("the answer is %d bytes, want at most 16 KiB: %.300s…", len(a.body), a.body)
			}
			var got errs.Error
			decodeJSON(t, a.body, &got)
			if len(got.Fields) != tt.fields || got.Message != tt.message {
				t.Errorf("%d fields, message %q; want %d, %q", len(got.Fields), got.Message, tt.fields, tt.message)
			}
		})
	}
}

// TestNoLookalikeAccounts: an address written another way (a combining
// accent, full-width letters, a domain in its ASCII form) is the address
// already taken, and one with an invisible character is refused, so no
// second "admin@example.com" can sit beside the first in a list. A name
// that turns or hides text is refused.
func TestNoLookalikeAccounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.tokens["admin"]
	newUser := func(addr string) map[string]any {
		return map[string]any{"name": "Bill", "email": addr, "roles": []string{"USER"}, "password": "secret12", "passwordConfirm": "secret12"}
	}
	if a := send(t, e.h, http.MethodPost, "/v1/users", admin, newUser("b\u00edll@ex\u00e4mple.com"), nil); a.status != http.StatusCreated {
		t.Fatalf("the first address: %d %s", a.status, a.body)
	}
	for _, tt := range []struct {
		name, addr string
		status     int
		code       errs.Code
	}{
		{"a combining accent", "bi\u0301ll@ex\u00e4mple.com", http.StatusConflict, errs.AlreadyExists},
		{"the domain in ASCII", "b\u00edll@xn--exmple-cua.com", http.StatusConflict, errs.AlreadyExists},
		{"full-width letters", "\uff42\u00edll@ex\u00e4mple.com", http.StatusConflict, errs.AlreadyExists},
		{"a zero-width space", "ada@example.com\u200b", http.StatusBadRequest, errs.InvalidArgument},
		{"a direction override", "ada\u202e@example.com", http.StatusBadRequest, errs.InvalidArgument},
		{"a Cyrillic а among Latin letters", "\u0430da@example.com", http.StatusBadRequest, errs.InvalidArgument},
		{"a Cyrillic а in the domain", "ada@ex\u0430mple.com", http.StatusBadRequest, errs.InvalidArgument},
	} {
		a := send(t, e.h, http.MethodPost, "/v1/users", admin, newUser(tt.addr), nil)
		if a.status != tt.status || a.code() != tt.code {
			t.Errorf("%s: %d %s, want %d %s", tt.name, a.status, a.body, tt.status, tt.code)
		}
		if tt.status == http.StatusBadRequest && !strings.Contains(a.body, `"email"`) {
			t.Errorf("%s: the answer does not name email: %s", tt.name, a.body)
		}
	}

	for _, dept := range []string{"Toys\u200b", strings.Repeat("d", 101)} {
		a := send(t, e.h, http.MethodPut, "/v1/users/"+e.user1.ID.String(), e.tokens["user1"], map[string]any{"department": dept}, nil)
		if a.status != http.StatusBadRequest || !strings.Contains(a.body, `"department"`) {
			t.Errorf("department %.20q: %d %s, want a 400 naming department", dept, a.status, a.body)
		}
	}

	for _, n := range []string{"Lamp\u202egpj.exe", "Ada\u200bAdmin", "\u3164\u3164", "Lamp\U000E0049\U000E0047\U000E004E"} {
		a := send(t, e.h, http.MethodPost, "/v1/products", e.tokens["user1"], map[string]any{"name": n, "cost": 1, "quantity": 1}, nil)
		if a.status != http.StatusBadRequest || !strings.Contains(a.body, `"name"`) {
			t.Errorf("product name %q: %d %s, want a 400 naming name", n, a.status, a.body)
		}
	}
}
