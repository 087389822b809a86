package tests

import (
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/garagesale/service/app/domain/productapp"
	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/query"
	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"
)

// newProductBody is a POST /v1/products body; cost is written as the JSON
// number text given, never through a float.
func newProductBody(n, cost string, qty int) map[string]any {
	return map[string]any{"name": n, "cost": json.Number(cost), "quantity": qty}
}

// createProduct creates a product over HTTP as the holder of token.
func (e *env) createProduct(t *testing.T, token, n, cost string, qty int) productapp.Product {
	t.Helper()
	var prd productapp.Product
	e.doProduct(t, http.MethodPost, "/v1/products", token, newProductBody(n, cost, qty), http.StatusCreated, &prd)
	return prd
}

// doProduct sends one request, fails the test unless the status is want, and
// decodes the body into got when got is not nil.
func (e *env) doProduct(t *testing.T, method, url, token string, body any, want int, got any) {
	t.Helper()
	resp := apitest.Do(t, e.h, method, url, token, body, nil)
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body: %s", method, url, resp.StatusCode, want, data)
	}
	if got != nil {
		if err := json.Unmarshal(data, got); err != nil {
			t.Fatalf("decode %q: %v", data, err)
		}
	}
}

// productAudits returns the actions recorded for the product with id, by
// actor, oldest first.
func (e *env) productAudits(t *testing.T, id string) []productAuditRow {
	t.Helper()
	var rows []productAuditRow
	const q = `SELECT action, actor_id FROM audits WHERE obj_domain = 'product' AND obj_id = $1 ORDER BY timestamp, action`
	if err := e.db.DB.Select(&rows, q, id); err != nil {
		t.Fatalf("select audits: %v", err)
	}
	return rows
}

type productAuditRow struct {
	Action  string    `db:"action"`
	ActorID uuid.UUID `db:"actor_id"`
}

// cmpNewProduct ignores what the server chooses: ID and timestamps.
func cmpNewProduct(got, exp any) string {
	return gocmp.Diff(exp, got, cmpopts.IgnoreFields(productapp.Product{}, "ID", "DateCreated", "DateUpdated"))
}

// cmpUpdatedProduct ignores the update time the server stamps.
func cmpUpdatedProduct(got, exp any) string {
	return gocmp.Diff(exp, got, cmpopts.IgnoreFields(productapp.Product{}, "DateUpdated"))
}

func TestProductsRoleMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	owned := e.createProduct(t, e.tokens["user1"], "Lamp", "12.5", 3)
	toDelete := e.createProduct(t, e.tokens["user1"], "Chair", "20", 1)
	toDeleteByAdmin := e.createProduct(t, e.tokens["user1"], "Table", "35.99", 1)

	ownedURL := "/v1/products/" + owned.ID
	missingURL := "/v1/products/" + uuid.NewString()

	byUser2 := productapp.Product{UserID: e.user2.ID.String(), Name: "Mug", Cost: "4.25", Quantity: 10}
	byAdmin := productapp.Product{UserID: e.admin.ID.String(), Name: "Mug", Cost: "4.25", Quantity: 10}

	renamed := owned
	renamed.Name = "Desk Lamp"
	restocked := renamed
	restocked.Quantity = 7

	cases := []apitest.Case{
		// POST /v1/products: any user; the owner is the caller.
		{Name: "create/user", Method: http.MethodPost, URL: "/v1/products", Token: e.tokens["user2"], Body: newProductBody("Mug", "4.25", 10),
			StatusCode: http.StatusCreated, Got: &productapp.Product{}, Exp: &byUser2, Cmp: cmpNewProduct},
		{Name: "create/admin", Method: http.MethodPost, URL: "/v1/products", Token: e.tokens["admin"], Body: newProductBody("Mug", "4.25", 10),
			StatusCode: http.StatusCreated, Got: &productapp.Product{}, Exp: &byAdmin, Cmp: cmpNewProduct},
		{Name: "create/owner-field-refused", Method: http.MethodPost, URL: "/v1/products", Token: e.tokens["user2"],
			Body:       map[string]any{"name": "Mug", "cost": 1, "quantity": 1, "userID": e.user1.ID.String()},
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "userID"), Cmp: cmpErr},
		{Name: "create/no-token", Method: http.MethodPost, URL: "/v1/products", Body: newProductBody("Mug", "4.25", 10),
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
		{Name: "create/disabled-user", Method: http.MethodPost, URL: "/v1/products", Token: e.tokens["disabled"], Body: newProductBody("Mug", "4.25", 10),
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},

		// GET /v1/products/{id}: any user.
		{Name: "get/owner", Method: http.MethodGet, URL: ownedURL, Token: e.tokens["user1"],
			StatusCode: http.StatusOK, Got: &productapp.Product{}, Exp: &owned},
		{Name: "get/other-user", Method: http.MethodGet, URL: ownedURL, Token: e.tokens["user2"],
			StatusCode: http.StatusOK, Got: &productapp.Product{}, Exp: &owned},
		{Name: "get/admin", Method: http.MethodGet, URL: ownedURL, Token: e.tokens["admin"],
			StatusCode: http.StatusOK, Got: &productapp.Product{}, Exp: &owned},
		{Name: "get/no-token", Method: http.MethodGet, URL: ownedURL,
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
		{Name: "get/missing", Method: http.MethodGet, URL: missingURL, Token: e.tokens["user2"],
			StatusCode: http.StatusNotFound, Got: &errs.Error{}, Exp: errBody(errs.NotFound), Cmp: cmpErr},
		{Name: "get/malformed-uuid", Method: http.MethodGet, URL: "/v1/products/not-a-uuid", Token: e.tokens["user1"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "productID"), Cmp: cmpErr},

		// GET /v1/products: any user.
		{Name: "list/other-user", Method: http.MethodGet, URL: "/v1/products?id=" + owned.ID, Token: e.tokens["user2"],
			StatusCode: http.StatusOK, Got: &query.Result[productapp.Product]{},
			Exp: &query.Result[productapp.Product]{Items: []productapp.Product{owned}, Total: 1, Page: 1, RowsPerPage: 10}},
		{Name: "list/no-token", Method: http.MethodGet, URL: "/v1/products",
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},

		// PUT /v1/products/{id}: owner or admin; 404 before 403.
		{Name: "update/other-user", Method: http.MethodPut, URL: ownedURL, Token: e.tokens["user2"], Body: map[string]any{"name": "Hacked"},
			StatusCode: http.StatusForbidden, Got: &errs.Error{}, Exp: errBody(errs.PermissionDenied), Cmp: cmpErr},
		{Name: "update/other-user-bad-body", Method: http.MethodPut, URL: ownedURL, Token: e.tokens["user2"], Body: map[string]any{"cost": -1},
			StatusCode: http.StatusForbidden, Got: &errs.Error{}, Exp: errBody(errs.PermissionDenied), Cmp: cmpErr},
		{Name: "update/no-token", Method: http.MethodPut, URL: ownedURL, Body: map[string]any{"name": "Hacked"},
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
		{Name: "update/owner", Method: http.MethodPut, URL: ownedURL, Token: e.tokens["user1"], Body: map[string]any{"name": "Desk Lamp"},
			StatusCode: http.StatusOK, Got: &productapp.Product{}, Exp: &renamed, Cmp: cmpUpdatedProduct},
		{Name: "update/admin", Method: http.MethodPut, URL: ownedURL, Token: e.tokens["admin"], Body: map[string]any{"quantity": 7},
			StatusCode: http.StatusOK, Got: &productapp.Product{}, Exp: &restocked, Cmp: cmpUpdatedProduct},
		{Name: "update/missing-as-admin", Method: http.MethodPut, URL: missingURL, Token: e.tokens["admin"], Body: map[string]any{"name": "X"},
			StatusCode: http.StatusNotFound, Got: &errs.Error{}, Exp: errBody(errs.NotFound), Cmp: cmpErr},
		{Name: "update/missing-as-user", Method: http.MethodPut, URL: missingURL, Token: e.tokens["user1"], Body: map[string]any{"name": "X"},
			StatusCode: http.StatusNotFound, Got: &errs.Error{}, Exp: errBody(errs.NotFound), Cmp: cmpErr},
		{Name: "update/malformed-uuid", Method: http.MethodPut, URL: "/v1/products/xyz", Token: e.tokens["admin"], Body: map[string]any{"name": "X"},
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "productID"), Cmp: cmpErr},
		{Name: "update/owner-bad-body", Method: http.MethodPut, URL: ownedURL, Token: e.tokens["user1"], Body: map[string]any{"name": "", "cost": 1.234, "quantity": -2},
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "name", "cost", "quantity"), Cmp: cmpErr},
		{Name: "update/after-all", Method: http.MethodGet, URL: ownedURL, Token: e.tokens["user2"],
			StatusCode: http.StatusOK, Got: &productapp.Product{}, Exp: &restocked, Cmp: cmpUpdatedProduct},

		// DELETE /v1/products/{id}: owner or admin; 404 before 403.
		{Name: "delete/other-user", Method: http.MethodDelete, URL: "/v1/products/" + toDelete.ID, Token: e.tokens["user2"],
			StatusCode: http.StatusForbidden, Got: &errs.Error{}, Exp: errBody(errs.PermissionDenied), Cmp: cmpErr},
		{Name: "delete/no-token", Method: http.MethodDelete, URL: "/v1/products/" + toDelete.ID,
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
		{Name: "delete/missing-as-user", Method: http.MethodDelete, URL: missingURL, Token: e.tokens["user2"],
			StatusCode: http.StatusNotFound, Got: &errs.Error{}, Exp: errBody(errs.NotFound), Cmp: cmpErr},
		{Name: "delete/malformed-uuid", Method: http.MethodDelete, URL: "/v1/products/1", Token: e.tokens["admin"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "productID"), Cmp: cmpErr},
		{Name: "delete/still-there-after-denial", Method: http.MethodGet, URL: "/v1/products/" + toDelete.ID, Token: e.tokens["user1"],
			StatusCode: http.StatusOK, Got: &productapp.Product{}, Exp: &toDelete},
		{Name: "delete/owner", Method: http.MethodDelete, URL: "/v1/products/" + toDelete.ID, Token: e.tokens["user1"],
			StatusCode: http.StatusNoContent},
		{Name: "delete/owner-then-gone", Method: http.MethodGet, URL: "/v1/products/" + toDelete.ID, Token: e.tokens["user1"],
			StatusCode: http.StatusNotFound, Got: &errs.Error{}, Exp: errBody(errs.NotFound), Cmp: cmpErr},
		{Name: "delete/admin", Method: http.MethodDelete, URL: "/v1/products/" + toDeleteByAdmin.ID, Token: e.tokens["admin"],
			StatusCode: http.StatusNoContent},
		{Name: "delete/admin-again", Method: http.MethodDelete, URL: "/v1/products/" + toDeleteByAdmin.ID, Token: e.tokens["admin"],
			StatusCode: http.StatusNotFound, Got: &errs.Error{}, Exp: errBody(errs.NotFound), Cmp: cmpErr},
	}
	apitest.Run(t, e.h, cases)
}

// productList is the page of products a list route must answer.
func productList(items []productapp.Product, total, page, rows int) *query.Result[productapp.Product] {
	if items == nil {
		items = []productapp.Product{}
	}
	return &query.Result[productapp.Product]{Items: items, Total: total, Page: page, RowsPerPage: rows}
}

func TestProductsQuery(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	// Names are lower case and costs and quantities distinct, so every
	// collation sorts them alike.
	prds := []productapp.Product{
		e.createProduct(t, e.tokens["user1"], "apple crate", "3.5", 40),
		e.createProduct(t, e.tokens["user2"], "bicycle", "120", 1),
		e.createProduct(t, e.tokens["user1"], "crate of books", "15.25", 12),
		e.createProduct(t, e.tokens["admin"], "desk", "60.99", 0),
		e.createProduct(t, e.tokens["user2"], "egg cups", "0.75", 100),
	}
	pick := func(idx ...int) []productapp.Product {
		out := make([]productapp.Product, len(idx))
		for i, j := range idx {
			out[i] = prds[j]
		}
		return out
	}

	type filterCase struct {
		name  string
		query string
		want  []productapp.Product
	}
	filters := []filterCase{
		{"id", "id=" + prds[2].ID, pick(2)},
		{"name-substring-any-case", "name=CRATE", nil},
		{"costMin", "costMin=15.25", nil},
		{"costMax", "costMax=3.5", nil},
		{"cost-range", "costMin=1&costMax=100", nil},
		{"quantityMin", "quantityMin=40", nil},
		{"quantityMax", "quantityMax=1", nil},
		{"userID", "userID=" + e.user2.ID.String(), nil},
		{"nothing-matches", "name=zebra", []productapp.Product{}},
	}
	// Expectations computed from the rows, in default order (by id).
	byID := slices.Clone(prds)
	slices.SortFunc(byID, func(a, b productapp.Product) int { return cmp.Compare(a.ID, b.ID) })
	match := func(keep func(p productapp.Product) bool) []productapp.Product {
		var out []productapp.Product
		for _, p := range byID {
			if keep(p) {
				out = append(out, p)
			}
		}
		return out
	}
	filters[1].want = match(func(p productapp.Product) bool { return strings.Contains(p.Name, "crate") })
	filters[2].want = match(func(p productapp.Product) bool { return cents(t, p.Cost) >= 1525 })
	filters[3].want = match(func(p productapp.Product) bool { return cents(t, p.Cost) <= 350 })
	filters[4].want = match(func(p productapp.Product) bool { c := cents(t, p.Cost); return c >= 100 && c <= 10000 })
	filters[5].want = match(func(p productapp.Product) bool { return p.Quantity >= 40 })
	filters[6].want = match(func(p productapp.Product) bool { return p.Quantity <= 1 })
	filters[7].want = match(func(p productapp.Product) bool { return p.UserID == e.user2.ID.String() })

	var cases []apitest.Case
	for _, f := range filters {
		if len(f.want) == 0 && f.name != "nothing-matches" {
			t.Fatalf("filter %s: test data matches nothing, so the case could not fail", f.name)
		}
		cases = append(cases, apitest.Case{
			Name: "filter/" + f.name, Method: http.MethodGet, URL: "/v1/products?" + f.query, Token: e.tokens["user1"],
			StatusCode: http.StatusOK, Got: &query.Result[productapp.Product]{}, Exp: productList(f.want, len(f.want), 1, 10), Cmp: cmpPage[productapp.Product],
		})
	}

	// Every orderBy field, both ways; ties break on id, in the same direction.
	keys := map[string]func(a, b productapp.Product) int{
		"id":          func(a, b productapp.Product) int { return cmp.Compare(a.ID, b.ID) },
		"name":        func(a, b productapp.Product) int { return cmp.Compare(a.Name, b.Name) },
		"cost":        func(a, b productapp.Product) int { return cmp.Compare(cents(t, a.Cost), cents(t, b.Cost)) },
		"quantity":    func(a, b productapp.Product) int { return cmp.Compare(a.Quantity, b.Quantity) },
		"userID":      func(a, b productapp.Product) int { return cmp.Compare(a.UserID, b.UserID) },
		"dateCreated": nil, // creation order: the rows were created one after another
	}
	for field, key := range keys {
		for _, dir := range []string{"ASC", "DESC"} {
			want := slices.Clone(prds)
			if key != nil {
				slices.SortFunc(want, func(a, b productapp.Product) int {
					c := cmp.Or(key(a, b), cmp.Compare(a.ID, b.ID))
					if dir == "DESC" {
						c = -c
					}
					return c
				})
			} else if dir == "DESC" {
				slices.Reverse(want)
			}
			cases = append(cases, apitest.Case{
				Name: "order/" + field + "-" + dir, Method: http.MethodGet, URL: "/v1/products?rows=100&orderBy=" + field + "," + dir, Token: e.tokens["user2"],
				StatusCode: http.StatusOK, Got: &query.Result[productapp.Product]{}, Exp: productList(want, len(prds), 1, 100), Cmp: cmpPage[productapp.Product],
			})
		}
	}

	cases = append(cases,
		apitest.Case{Name: "page/first", Method: http.MethodGet, URL: "/v1/products?rows=2&page=1&orderBy=quantity", Token: e.tokens["user1"],
			StatusCode: http.StatusOK, Got: &query.Result[productapp.Product]{}, Exp: productList(pick(3, 1), 5, 1, 2), Cmp: cmpPage[productapp.Product]},
		apitest.Case{Name: "page/last-partial", Method: http.MethodGet, URL: "/v1/products?rows=2&page=3&orderBy=quantity", Token: e.tokens["user1"],
			StatusCode: http.StatusOK, Got: &query.Result[productapp.Product]{}, Exp: productList(pick(4), 5, 3, 2), Cmp: cmpPage[productapp.Product]},
		apitest.Case{Name: "page/beyond-end", Method: http.MethodGet, URL: "/v1/products?rows=2&page=4", Token: e.tokens["user1"],
			StatusCode: http.StatusOK, Got: &query.Result[productapp.Product]{}, Exp: productList(nil, 5, 4, 2), Cmp: cmpPage[productapp.Product]},
		apitest.Case{Name: "page/rows-100", Method: http.MethodGet, URL: "/v1/products?rows=100&orderBy=name", Token: e.tokens["user1"],
			StatusCode: http.StatusOK, Got: &query.Result[productapp.Product]{}, Exp: productList(prds, 5, 1, 100), Cmp: cmpPage[productapp.Product]},
		apitest.Case{Name: "page/rows-0", Method: http.MethodGet, URL: "/v1/products?rows=0", Token: e.tokens["user1"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "rows"), Cmp: cmpErr},
		apitest.Case{Name: "page/rows-101", Method: http.MethodGet, URL: "/v1/products?rows=101", Token: e.tokens["user1"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "rows"), Cmp: cmpErr},
		apitest.Case{Name: "page/page-0", Method: http.MethodGet, URL: "/v1/products?page=0", Token: e.tokens["user1"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "page"), Cmp: cmpErr},
		// Past page.MaxOffset rows a page number is refused, pointing to
		// the cursor, rather than an OFFSET that reads every row before it.
		apitest.Case{Name: "page/past-max-offset", Method: http.MethodGet, URL: "/v1/products?page=1001&rows=10", Token: e.tokens["user1"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "page"), Cmp: cmpErr},
		apitest.Case{Name: "order/unknown-field", Method: http.MethodGet, URL: "/v1/products?orderBy=user_id", Token: e.tokens["user1"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "orderBy"), Cmp: cmpErr},
		apitest.Case{Name: "order/sql-in-field", Method: http.MethodGet, URL: "/v1/products?orderBy=" + url.QueryEscape("name;DROP TABLE products"), Token: e.tokens["user1"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "orderBy"), Cmp: cmpErr},
		apitest.Case{Name: "order/bad-direction", Method: http.MethodGet, URL: "/v1/products?orderBy=name,UP", Token: e.tokens["user1"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "orderBy"), Cmp: cmpErr},
		apitest.Case{Name: "filter/bad-values-all-named", Method: http.MethodGet,
			URL: "/v1/products?id=x&userID=y&costMin=1.001&costMax=abc&quantityMin=z&quantityMax=1.5", Token: e.tokens["user1"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{},
			Exp: errBody(errs.InvalidArgument, "id", "userID", "costMin", "costMax", "quantityMin", "quantityMax"), Cmp: cmpErr},
		apitest.Case{Name: "filter/unknown-parameter", Method: http.MethodGet, URL: "/v1/products?cost_min=1&costMax=2", Token: e.tokens["user1"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{},
			Exp: &errs.Error{Code: errs.InvalidArgument, Message: "data validation error", Fields: errs.FieldErrors{
				"cost_min": "unknown parameter; this list takes page, rows, orderBy, cursor, id, name, costMin, costMax, quantityMin, quantityMax, userID",
			}}},
		apitest.Case{Name: "filter/like-wildcards-are-literal", Method: http.MethodGet, URL: "/v1/products?name=" + url.QueryEscape("%"), Token: e.tokens["user1"],
			StatusCode: http.StatusOK, Got: &query.Result[productapp.Product]{}, Exp: productList(nil, 0, 1, 10), Cmp: cmpPage[productapp.Product]},
	)
	apitest.Run(t, e.h, cases)
}

// TestNameSearchFoldsUnicodeCase: a name search ignores case beyond
// ASCII, as the deployed database's does (its locale's ctype is Unicode's),
// and finds accented letters however they were typed: a name sent
// decomposed (e and a combining accent) is kept composed, and so is the
// term (each found only its own form).
func TestNameSearchFoldsUnicodeCase(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cafe := e.createProduct(t, e.tokens["user1"], "Cafe\u0301 chair", "12", 1)
	if cafe.Name != "Caf\u00e9 chair" {
		t.Errorf("a name sent decomposed is kept as %+q, want it composed", cafe.Name)
	}
	e.createProduct(t, e.tokens["user1"], "Cafe table", "30", 1)
	for _, search := range []string{"CAFÉ", "café", "é ch", "cafe\u0301"} {
		a := send(t, e.h, http.MethodGet, "/v1/products?name="+url.QueryEscape(search), e.tokens["user1"], nil, nil)
		var got query.Result[productapp.Product]
		if err := json.Unmarshal([]byte(a.body), &got); a.status != http.StatusOK || err != nil {
			t.Fatalf("name=%s: %d %s", search, a.status, a.body)
		}
		if diff := gocmp.Diff([]productapp.Product{cafe}, got.Items); diff != "" {
			t.Errorf("name=%s (-want +got):\n%s", search, diff)
		}
	}
}

// cents reads a cost the API returned; the test fails on anything but an
// exact amount.
func cents(t *testing.T, n json.Number) int64 {
	t.Helper()
	whole, frac, _ := strings.Cut(n.String(), ".")
	frac = (frac + "00")[:2]
	var c int64
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			t.Fatalf("cost %q is not a plain decimal", n)
		}
		c = c*10 + int64(r-'0')
	}
	return c
}

func TestProductsMoney(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	tok := e.tokens["user1"]
	cases := []apitest.Case{
		{Name: "three-decimals", Method: http.MethodPost, URL: "/v1/products", Token: tok, Body: newProductBody("X", "12.345", 1),
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "cost"), Cmp: cmpErr},
		{Name: "negative", Method: http.MethodPost, URL: "/v1/products", Token: tok, Body: newProductBody("X", "-1", 1),
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "cost"), Cmp: cmpErr},
		{Name: "string-abc", Method: http.MethodPost, URL: "/v1/products", Token: tok, Body: map[string]any{"name": "X", "cost": "abc", "quantity": 1},
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "cost"), Cmp: cmpErr},
		{Name: "quoted-number", Method: http.MethodPost, URL: "/v1/products", Token: tok, Body: map[string]any{"name": "X", "cost": "12", "quantity": 1},
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "cost"), Cmp: cmpErr},
		{Name: "exponent", Method: http.MethodPost, URL: "/v1/products", Token: tok, Body: `{"name":"X","cost":1e2,"quantity":1}`,
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "cost"), Cmp: cmpErr},
		{Name: "bool", Method: http.MethodPost, URL: "/v1/products", Token: tok, Body: `{"name":"X","cost":true,"quantity":1}`,
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "cost"), Cmp: cmpErr},
		// Each member's JSON type is checked first, the amounts' with the
		// others': every member of the wrong type is named at once.
		{Name: "mistyped-fields-all-named", Method: http.MethodPost, URL: "/v1/products", Token: tok, Body: `{"name":"X","cost":"1","minPrice":true,"quantity":"2"}`,
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "cost", "minPrice", "quantity"), Cmp: cmpErr},
		{Name: "missing-fields-all-named", Method: http.MethodPost, URL: "/v1/products", Token: tok, Body: `{}`,
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "name", "cost", "quantity"), Cmp: cmpErr},
		{Name: "bad-fields-all-named", Method: http.MethodPost, URL: "/v1/products", Token: tok, Body: newProductBody("   ", "0.001", -1),
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "name", "cost", "quantity"), Cmp: cmpErr},
		{Name: "quantity-fraction", Method: http.MethodPost, URL: "/v1/products", Token: tok, Body: `{"name":"X","cost":1,"quantity":1.5}`,
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "quantity"), Cmp: cmpErr},
		{Name: "zero-cost-zero-quantity", Method: http.MethodPost, URL: "/v1/products", Token: tok, Body: newProductBody("Free", "0", 0),
			StatusCode: http.StatusCreated, Got: &productapp.Product{},
			Exp: &productapp.Product{UserID: e.user1.ID.String(), Name: "Free", Cost: "0", Quantity: 0}, Cmp: cmpNewProduct},
		{Name: "trailing-zeros-dropped", Method: http.MethodPost, URL: "/v1/products", Token: tok, Body: newProductBody("Tens", "10.50", 1),
			StatusCode: http.StatusCreated, Got: &productapp.Product{},
			Exp: &productapp.Product{UserID: e.user1.ID.String(), Name: "Tens", Cost: "10.5", Quantity: 1}, Cmp: cmpNewProduct},
	}
	apitest.Run(t, e.h, cases)

	// 0.1 + 0.2 is the float trap; amounts must come back as sent.
	for _, cost := range []string{"0.1", "0.2", "0.3", "99.99", "1000000000"} {
		t.Run("round-trip/"+cost, func(t *testing.T) {
			created := e.createProduct(t, tok, "Cost "+cost, cost, 1)
			var got productapp.Product
			e.doProduct(t, http.MethodGet, "/v1/products/"+created.ID, tok, nil, http.StatusOK, &got)
			if got.Cost != json.Number(cost) || created.Cost != json.Number(cost) {
				t.Errorf("cost: created %s, read back %s, want %s", created.Cost, got.Cost, cost)
			}

			var stored int64
			if err := e.db.DB.Get(&stored, `SELECT cost FROM products WHERE product_id = $1`, created.ID); err != nil {
				t.Fatalf("select cost: %v", err)
			}
			if want := cents(t, json.Number(cost)); stored != want {
				t.Errorf("stored cents: got %d, want %d", stored, want)
			}
		})
	}

	var page query.Result[productapp.Product]
	e.doProduct(t, http.MethodGet, "/v1/products?costMin=0.1&costMax=0.2&orderBy=cost", tok, nil, http.StatusOK, &page)
	var costs []json.Number
	for _, p := range page.Items {
		costs = append(costs, p.Cost)
	}
	if diff := gocmp.Diff([]json.Number{"0.1", "0.2"}, costs); diff != "" {
		t.Errorf("costs between 0.1 and 0.2 (-want +got):\n%s", diff)
	}
}

func TestProductsPartialUpdate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.tokens["user1"]

	tests := []struct {
		name   string
		body   any
		change func(p *productapp.Product)
	}{
		{"quantity-only", map[string]any{"quantity": 9}, func(p *productapp.Product) { p.Quantity = 9 }},
		{"quantity-zero", map[string]any{"quantity": 0}, func(p *productapp.Product) { p.Quantity = 0 }},
		{"cost-only", map[string]any{"cost": json.Number("0.3")}, func(p *productapp.Product) { p.Cost = "0.3" }},
		{"name-only", map[string]any{"name": "Renamed"}, func(p *productapp.Product) { p.Name = "Renamed" }},
		{"nothing", map[string]any{}, func(*productapp.Product) {}},
		{"all", map[string]any{"name": "All New", "cost": json.Number("1.01"), "quantity": 2}, func(p *productapp.Product) {
			p.Name, p.Cost, p.Quantity = "All New", "1.01", 2
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := e.createProduct(t, tok, "Original", "7.77", 5)
			want := orig
			tt.change(&want)

			var got productapp.Product
			e.doProduct(t, http.MethodPut, "/v1/products/"+orig.ID, tok, tt.body, http.StatusOK, &got)
			if diff := cmpUpdatedProduct(&got, &want); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}

			var stored productapp.Product
			e.doProduct(t, http.MethodGet, "/v1/products/"+orig.ID, tok, nil, http.StatusOK, &stored)
			if diff := gocmp.Diff(got, stored); diff != "" {
				t.Errorf("stored differs from response (-response +stored):\n%s", diff)
			}
		})
	}

	t.Run("bad-cost-changes-nothing", func(t *testing.T) {
		orig := e.createProduct(t, tok, "Original", "7.77", 5)
		for _, body := range []string{`{"quantity":1,"cost":"abc"}`, `{"quantity":1,"cost":12.345}`, `{"quantity":1,"cost":-1}`} {
			var got errs.Error
			e.doProduct(t, http.MethodPut, "/v1/products/"+orig.ID, tok, body, http.StatusBadRequest, &got)
			if diff := cmpErr(&got, errBody(errs.InvalidArgument, "cost")); diff != "" {
				t.Errorf("%s: error (-want +got):\n%s", body, diff)
			}
		}
		var stored productapp.Product
		e.doProduct(t, http.MethodGet, "/v1/products/"+orig.ID, tok, nil, http.StatusOK, &stored)
		if diff := gocmp.Diff(orig, stored); diff != "" {
			t.Errorf("product changed by refused updates (-want +got):\n%s", diff)
		}
	})
}

func TestProductsAudit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	var before int
	if err := e.db.DB.Get(&before, `SELECT count(*) FROM audits WHERE obj_domain = 'product'`); err != nil {
		t.Fatalf("count audits: %v", err)
	}

	// Refused requests record nothing.
	e.doProduct(t, http.MethodPost, "/v1/products", e.tokens["user1"], newProductBody("X", "1.001", 1), http.StatusBadRequest, nil)
	prd := e.createProduct(t, e.tokens["user1"], "Kettle", "12.5", 4)
	e.doProduct(t, http.MethodPut, "/v1/products/"+prd.ID, e.tokens["user2"], map[string]any{"quantity": 1}, http.StatusForbidden, nil)
	e.doProduct(t, http.MethodDelete, "/v1/products/"+prd.ID, e.tokens["user2"], nil, http.StatusForbidden, nil)
	e.doProduct(t, http.MethodPut, "/v1/products/"+prd.ID, e.tokens["admin"], map[string]any{"quantity": 2}, http.StatusOK, nil)
	e.doProduct(t, http.MethodDelete, "/v1/products/"+prd.ID, e.tokens["user1"], nil, http.StatusNoContent, nil)

	want := []productAuditRow{
		{Action: "created", ActorID: e.user1.ID},
		{Action: "updated", ActorID: e.admin.ID},
		{Action: "deleted", ActorID: e.user1.ID},
	}
	if diff := gocmp.Diff(want, e.productAudits(t, prd.ID)); diff != "" {
		t.Errorf("audit rows (-want +got):\n%s", diff)
	}

	var total int
	if err := e.db.DB.Get(&total, `SELECT count(*) FROM audits WHERE obj_domain = 'product'`); err != nil {
		t.Fatalf("count audits: %v", err)
	}
	if total-before != len(want) {
		t.Errorf("product audit rows written: got %d, want %d (a refused request wrote one)", total-before, len(want))
	}

	// The record keeps the product as it was, cost as the API shows it.
	var data []byte
	if err := e.db.DB.Get(&data, `SELECT data FROM audits WHERE obj_id = $1 AND action = 'updated'`, prd.ID); err != nil {
		t.Fatalf("select audit data: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("decode audit data %s: %v", data, err)
	}
	wantData := map[string]any{"name": "Kettle", "cost": "12.5", "minPrice": nil, "quantity": float64(2), "userID": e.user1.ID.String()}
	if diff := gocmp.Diff(wantData, got); diff != "" {
		t.Errorf("audit data (-want +got):\n%s", diff)
	}

	// A change of the sale price alone is recorded with it: the record
	// of each change differs from the one before.
	lamp := e.createProduct(t, e.tokens["user1"], "Lamp", "12.5", 1)
	for _, price := range []any{5, 7.5} {
		e.doProduct(t, http.MethodPut, "/v1/products/"+lamp.ID, e.tokens["user1"], map[string]any{"minPrice": price}, http.StatusOK, nil)
	}
	var prices []string
	if err := e.db.DB.Select(&prices, `SELECT coalesce(data->>'minPrice', 'null') FROM audits WHERE obj_id = $1 ORDER BY timestamp`, lamp.ID); err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff([]string{"null", "5", "7.5"}, prices); diff != "" {
		t.Errorf("the sale price in the audit records (-want +got):\n%s", diff)
	}
}

func TestProductsDeleteWithSaleIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	prd := e.createProduct(t, e.tokens["user1"], "Sold Thing", "5", 3)
	const q = `INSERT INTO sales (sale_id, product_id, buyer_id, quantity, paid, date_created) VALUES ($1, $2, $3, 1, 500, now())`
	if _, err := e.db.DB.Exec(q, uuid.New(), prd.ID, e.user2.ID); err != nil {
		t.Fatalf("insert sale: %v", err)
	}

	apitest.Run(t, e.h, []apitest.Case{
		{Name: "owner", Method: http.MethodDelete, URL: "/v1/products/" + prd.ID, Token: e.tokens["user1"],
			StatusCode: http.StatusConflict, Got: &errs.Error{}, Exp: errBody(errs.Aborted), Cmp: cmpErr},
		{Name: "admin", Method: http.MethodDelete, URL: "/v1/products/" + prd.ID, Token: e.tokens["admin"],
			StatusCode: http.StatusConflict, Got: &errs.Error{}, Exp: errBody(errs.Aborted), Cmp: cmpErr},
		{Name: "still-there", Method: http.MethodGet, URL: "/v1/products/" + prd.ID, Token: e.tokens["user1"],
			StatusCode: http.StatusOK, Got: &productapp.Product{}, Exp: &prd},
	})

	if diff := gocmp.Diff([]productAuditRow{{Action: "created", ActorID: e.user1.ID}}, e.productAudits(t, prd.ID)); diff != "" {
		t.Errorf("audit rows (-want +got):\n%s", diff)
	}
}
