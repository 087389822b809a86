package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/garagesale/service/app/domain/saleapp"
	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/productbus"
	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/types/money"
	"github.com/garagesale/service/business/types/name"
	"github.com/garagesale/service/business/types/quantity"
	"github.com/garagesale/service/business/types/role"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// saleEnv is a test's API with a third user, "other", who neither buys nor
// sells, and products to trade.
type saleEnv struct {
	*env
	other      userbus.User
	productBus *productbus.Business
}

func newSaleEnv(t *testing.T) *saleEnv {
	t.Helper()
	e := newEnv(t)
	s := &saleEnv{env: e, productBus: e.bus.Product}
	s.other = e.createUser(t, "Eve Other", "eve@example.com", role.User)
	e.tokens["other"] = e.token(t, s.other)
	return s
}

// newProduct puts qty of a product up for sale by owner.
func (s *saleEnv) newProduct(t *testing.T, owner userbus.User, n string, qty int) productbus.Product {
	t.Helper()
	ctx := context.Background()
	var p productbus.Product
	err := sqldb.Transact(ctx, s.db.DB, func(tx *sqlx.Tx) (err error) {
		p, err = s.productBus.Create(ctx, tx, owner.ID, productbus.NewProduct{
			UserID: owner.ID, Name: dbtest.Must(name.Parse(n)), Cost: dbtest.Must(money.Parse("10")), Quantity: dbtest.Must(quantity.Parse(qty)),
			// A floor of nothing: these tests send any amount; prices have
			// TestPrices.
			MinPrice: ptr(dbtest.Must(money.Parse("0"))),
		})
		return err
	})
	if err != nil {
		t.Fatalf("create product: %v", err)
	}
	return p
}

// buy makes a sale through the API and fails the test unless it is a 201.
func (s *saleEnv) buy(t *testing.T, who string, p productbus.Product, qty int, paid string) saleapp.Sale {
	t.Helper()
	resp := apitest.Do(t, s.h, http.MethodPost, "/v1/sales", s.tokens[who], newSaleBody(p.ID, qty, paid), nil)
	defer resp.Body.Close()
	var sale saleapp.Sale
	if err := json.NewDecoder(resp.Body).Decode(&sale); err != nil {
		t.Fatalf("decode sale: %v", err)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("buy: status %d, want 201", resp.StatusCode)
	}
	return sale
}

// stock reads a product's quantity straight from the database.
func (e *env) stock(t *testing.T, id uuid.UUID) int {
	t.Helper()
	var n int
	if err := e.db.DB.Get(&n, `SELECT quantity FROM products WHERE product_id = $1`, id); err != nil {
		t.Fatalf("read stock: %v", err)
	}
	return n
}

func (s *saleEnv) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.db.DB.Get(&n, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// newSaleBody is a POST /v1/sales body; paid is sent as the JSON number
// it spells.
func newSaleBody(productID uuid.UUID, qty int, paid string) map[string]any {
	return map[string]any{"productID": productID.String(), "quantity": qty, "paid": json.RawMessage(paid)}
}

// cmpNewSale ignores what the server chooses: ID and time.
func cmpNewSale(got, exp any) string {
	return cmp.Diff(exp, got, cmpopts.IgnoreFields(saleapp.Sale{}, "ID", "DateCreated", "TakenAt"))
}

type saleResult = query.Result[saleapp.Sale]

func salePage(items []saleapp.Sale, total, pg, rows int) *saleResult {
	if items == nil {
		items = []saleapp.Sale{}
	}
	return &saleResult{Items: items, Total: total, Page: pg, RowsPerPage: rows}
}

func TestSalesRoleMatrix(t *testing.T) {
	t.Parallel()
	s := newSaleEnv(t)

	// user1 sells, user2 buys, "other" has nothing to do with either.
	lamp := s.newProduct(t, s.user1, "Lamp", 10)
	byBuyer := s.buy(t, "user2", lamp, 2, "25")
	byAdmin := s.buy(t, "admin", lamp, 1, "10")

	saleURL := "/v1/sales/" + byBuyer.ID
	missingURL := "/v1/sales/" + uuid.NewString()
	body := newSaleBody(lamp.ID, 1, "9.99")
	bought := func(buyer userbus.User) *saleapp.Sale {
		return &saleapp.Sale{ProductID: lamp.ID.String(), BuyerID: buyer.ID.String(), Quantity: 1, Paid: "9.99"}
	}
	forbidden := func(n, method, url, who string) apitest.Case {
		return apitest.Case{Name: n, Method: method, URL: url, Token: s.tokens[who],
			StatusCode: http.StatusForbidden, Got: &errs.Error{}, Exp: errBody(errs.PermissionDenied), Cmp: cmpErr}
	}
	unauthenticated := func(n, method, url, who string, body any) apitest.Case {
		return apitest.Case{Name: n, Method: method, URL: url, Token: s.tokens[who], Body: body,
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr}
	}

	cases := []apitest.Case{
		// POST /v1/sales: any enabled user, buying for themselves.
		{Name: "create/buyer", Method: http.MethodPost, URL: "/v1/sales", Token: s.tokens["user2"], Body: body,
			StatusCode: http.StatusCreated, Got: &saleapp.Sale{}, Exp: bought(s.user2), Cmp: cmpNewSale},
		{Name: "create/other", Method: http.MethodPost, URL: "/v1/sales", Token: s.tokens["other"], Body: body,
			StatusCode: http.StatusCreated, Got: &saleapp.Sale{}, Exp: bought(s.other), Cmp: cmpNewSale},
		{Name: "create/admin", Method: http.MethodPost, URL: "/v1/sales", Token: s.tokens["admin"], Body: body,
			StatusCode: http.StatusCreated, Got: &saleapp.Sale{}, Exp: bought(s.admin), Cmp: cmpNewSale},
		{Name: "create/seller-own-product", Method: http.MethodPost, URL: "/v1/sales", Token: s.tokens["user1"], Body: body,
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "productID"), Cmp: cmpErr},
		unauthenticated("create/no-token", http.MethodPost, "/v1/sales", "", body),
		unauthenticated("create/disabled", http.MethodPost, "/v1/sales", "disabled", body),

		// GET /v1/sales/{id}: admin, buyer or seller.
		{Name: "get/admin", Method: http.MethodGet, URL: saleURL, Token: s.tokens["admin"],
			StatusCode: http.StatusOK, Got: &saleapp.Sale{}, Exp: &byBuyer},
		{Name: "get/buyer", Method: http.MethodGet, URL: saleURL, Token: s.tokens["user2"],
			StatusCode: http.StatusOK, Got: &saleapp.Sale{}, Exp: &byBuyer},
		{Name: "get/seller", Method: http.MethodGet, URL: saleURL, Token: s.tokens["user1"],
			StatusCode: http.StatusOK, Got: &saleapp.Sale{}, Exp: &byBuyer},
		forbidden("get/other", http.MethodGet, saleURL, "other"),
		forbidden("get/buyer-of-another-sale", http.MethodGet, "/v1/sales/"+byAdmin.ID, "user2"),
		unauthenticated("get/no-token", http.MethodGet, saleURL, "", nil),
		{Name: "get/missing", Method: http.MethodGet, URL: missingURL, Token: s.tokens["user2"],
			StatusCode: http.StatusNotFound, Got: &errs.Error{}, Exp: errBody(errs.NotFound), Cmp: cmpErr},
		{Name: "get/malformed-id", Method: http.MethodGet, URL: "/v1/sales/nope", Token: s.tokens["admin"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "saleID"), Cmp: cmpErr},

		// DELETE /v1/sales/{id}: the product's seller or an admin.
		forbidden("delete/buyer", http.MethodDelete, saleURL, "user2"),
		forbidden("delete/other", http.MethodDelete, saleURL, "other"),
		{Name: "delete/seller", Method: http.MethodDelete, URL: "/v1/sales/" + byAdmin.ID, Token: s.tokens["user1"],
			StatusCode: http.StatusNoContent},
		unauthenticated("delete/no-token", http.MethodDelete, saleURL, "", nil),
		{Name: "delete/malformed-id", Method: http.MethodDelete, URL: "/v1/sales/nope", Token: s.tokens["admin"],
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "saleID"), Cmp: cmpErr},
		{Name: "delete/missing", Method: http.MethodDelete, URL: missingURL, Token: s.tokens["admin"],
			StatusCode: http.StatusNotFound, Got: &errs.Error{}, Exp: errBody(errs.NotFound), Cmp: cmpErr},
		{Name: "delete/admin", Method: http.MethodDelete, URL: saleURL, Token: s.tokens["admin"],
			StatusCode: http.StatusNoContent},
		{Name: "delete/admin-then-gone", Method: http.MethodGet, URL: saleURL, Token: s.tokens["admin"],
			StatusCode: http.StatusNotFound, Got: &errs.Error{}, Exp: errBody(errs.NotFound), Cmp: cmpErr},
		{Name: "delete/admin-twice", Method: http.MethodDelete, URL: saleURL, Token: s.tokens["admin"],
			StatusCode: http.StatusNotFound, Got: &errs.Error{}, Exp: errBody(errs.NotFound), Cmp: cmpErr},
	}
	apitest.Run(t, s.h, cases)

	// 10 - 2 - 1 bought up front, 3 bought in the cases, 1 + 2 returned.
	if got := s.stock(t, lamp.ID); got != 7 {
		t.Errorf("stock: got %d, want 7", got)
	}
}

func TestSalesListIsNarrowedToBuyerAndSeller(t *testing.T) {
	t.Parallel()
	s := newSaleEnv(t)

	lamp := s.newProduct(t, s.user1, "Lamp", 10)   // sold by user1
	chair := s.newProduct(t, s.user2, "Chair", 10) // sold by user2
	s1 := s.buy(t, "user2", lamp, 1, "1")
	s2 := s.buy(t, "admin", lamp, 2, "2")
	s3 := s.buy(t, "user1", chair, 3, "3")
	s4 := s.buy(t, "admin", chair, 4, "4")

	list := "/v1/sales?orderBy=quantity"
	cases := []apitest.Case{
		{Name: "admin-sees-all", Method: http.MethodGet, URL: list, Token: s.tokens["admin"],
			StatusCode: http.StatusOK, Got: &saleResult{}, Exp: salePage([]saleapp.Sale{s1, s2, s3, s4}, 4, 1, 10), Cmp: cmpPage[saleapp.Sale]},
		{Name: "user1-bought-s3-and-sold-s1-s2", Method: http.MethodGet, URL: list, Token: s.tokens["user1"],
			StatusCode: http.StatusOK, Got: &saleResult{}, Exp: salePage([]saleapp.Sale{s1, s2, s3}, 3, 1, 10), Cmp: cmpPage[saleapp.Sale]},
		{Name: "user2-bought-s1-and-sold-s3-s4", Method: http.MethodGet, URL: list, Token: s.tokens["user2"],
			StatusCode: http.StatusOK, Got: &saleResult{}, Exp: salePage([]saleapp.Sale{s1, s3, s4}, 3, 1, 10), Cmp: cmpPage[saleapp.Sale]},
		{Name: "other-sees-none", Method: http.MethodGet, URL: list, Token: s.tokens["other"],
			StatusCode: http.StatusOK, Got: &saleResult{}, Exp: salePage(nil, 0, 1, 10), Cmp: cmpPage[saleapp.Sale]},
		{Name: "user-filters-within-their-own", Method: http.MethodGet, URL: list + "&buyerID=" + s.admin.ID.String(), Token: s.tokens["user1"],
			StatusCode: http.StatusOK, Got: &saleResult{}, Exp: salePage([]saleapp.Sale{s2}, 1, 1, 10), Cmp: cmpPage[saleapp.Sale]},
		{Name: "user-cannot-filter-past-visibility", Method: http.MethodGet, URL: list + "&id=" + s4.ID, Token: s.tokens["user1"],
			StatusCode: http.StatusOK, Got: &saleResult{}, Exp: salePage(nil, 0, 1, 10), Cmp: cmpPage[saleapp.Sale]},
		{Name: "no-token", Method: http.MethodGet, URL: list,
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
		{Name: "disabled", Method: http.MethodGet, URL: list, Token: s.tokens["disabled"],
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
	}
	apitest.Run(t, s.h, cases)
}

// TestSalesConcurrentBuyersNeverOversell races 20 buyers, each for one
// unit, over 5 in stock, through the real handler.
func TestSalesConcurrentBuyersNeverOversell(t *testing.T) {
	t.Parallel()
	s := newSaleEnv(t)
	const stock, buyers = 5, 20

	lamp := s.newProduct(t, s.user1, "Last Lamps", stock)
	body, err := json.Marshal(newSaleBody(lamp.ID, 1, "10"))
	if err != nil {
		t.Fatal(err)
	}
	auditsBefore := s.count(t, `SELECT count(*) FROM audits`)

	tokens := []string{s.tokens["user2"], s.tokens["admin"], s.tokens["other"]}
	statuses := make([]int, buyers)
	var (
		start = make(chan struct{})
		wg    sync.WaitGroup
	)
	for i := range buyers {
		wg.Go(func() {
			req := httptest.NewRequest(http.MethodPost, "/v1/sales", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tokens[i%len(tokens)])
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			<-start
			s.h.ServeHTTP(w, req)
			statuses[i] = w.Code
		})
	}
	close(start)
	wg.Wait()

	got := map[int]int{}
	for _, st := range statuses {
		got[st]++
	}
	want := map[int]int{http.StatusCreated: stock, http.StatusConflict: buyers - stock}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status counts (-want +got):\n%s", diff)
	}
	if n := s.stock(t, lamp.ID); n != 0 {
		t.Errorf("stock: got %d, want 0", n)
	}
	if n := s.count(t, `SELECT count(*) FROM sales WHERE product_id = $1`, lamp.ID); n != stock {
		t.Errorf("sales: got %d, want %d", n, stock)
	}
	// Each success writes two audit rows (the sale, the stock change); a
	// refused one writes none.
	if n := s.count(t, `SELECT count(*) FROM audits`) - auditsBefore; n != 2*stock {
		t.Errorf("new audit rows: got %d, want %d", n, 2*stock)
	}
}

func TestSalesBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	s := newSaleEnv(t)
	lamp := s.newProduct(t, s.user1, "Lamp", 3)
	auditsBefore := s.count(t, `SELECT count(*) FROM audits`)

	withPaid := func(paid string) map[string]any { return newSaleBody(lamp.ID, 1, paid) }
	bad := func(n string, body any, fields ...string) apitest.Case {
		return apitest.Case{Name: n, Method: http.MethodPost, URL: "/v1/sales", Token: s.tokens["user2"], Body: body,
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, fields...), Cmp: cmpErr}
	}

	cases := []apitest.Case{
		bad("paid/three-decimals", withPaid("12.345"), "paid"),
		bad("paid/negative", withPaid("-1"), "paid"),
		bad("paid/string-abc", withPaid(`"abc"`), "paid"),
		bad("paid/quoted-number", withPaid(`"12"`), "paid"),
		bad("paid/exponent", withPaid("1e2"), "paid"),
		bad("paid/bool", withPaid("true"), "paid"),
		bad("paid/null", withPaid("null"), "paid"),
		bad("paid/over-the-maximum", withPaid("1000000000.01"), "paid"),
		bad("paid/missing", map[string]any{"productID": lamp.ID.String(), "quantity": 1}, "paid"),
		bad("quantity/zero", newSaleBody(lamp.ID, 0, "1"), "quantity"),
		bad("quantity/negative", newSaleBody(lamp.ID, -1, "1"), "quantity"),
		bad("quantity/fraction", map[string]any{"productID": lamp.ID.String(), "quantity": 1.5, "paid": 1}, "quantity"),
		bad("quantity/string", map[string]any{"productID": lamp.ID.String(), "quantity": "2", "paid": 1}, "quantity"),
		bad("productID/malformed", map[string]any{"productID": "lamp", "quantity": 1, "paid": 1}, "productID"),
		bad("productID/unknown-product", newSaleBody(uuid.New(), 1, "1"), "productID"),
		bad("every-value-at-once", map[string]any{"productID": "", "quantity": 0, "paid": json.Number("0.001")}, "productID", "quantity", "paid"),
		bad("every-type-at-once", map[string]any{"productID": 1, "quantity": "1", "paid": "abc"}, "productID", "quantity", "paid"),
		bad("unknown-field", map[string]any{"productID": lamp.ID.String(), "quantity": 1, "paid": 1, "buyerID": s.user2.ID.String()}, "buyerID"),
		bad("malformed-json", `{"productID":`),
		bad("empty-body", ``),
		{Name: "not-enough-stock", Method: http.MethodPost, URL: "/v1/sales", Token: s.tokens["user2"], Body: newSaleBody(lamp.ID, 4, "40"),
			StatusCode: http.StatusConflict, Got: &errs.Error{}, Exp: errBody(errs.Aborted), Cmp: cmpErr},
	}
	apitest.Run(t, s.h, cases)

	if n := s.stock(t, lamp.ID); n != 3 {
		t.Errorf("stock: got %d, want 3", n)
	}
	if n := s.count(t, `SELECT count(*) FROM sales`); n != 0 {
		t.Errorf("sales: got %d, want 0", n)
	}
	if n := s.count(t, `SELECT count(*) FROM audits`) - auditsBefore; n != 0 {
		t.Errorf("audit rows written by refused requests: %d", n)
	}
}

// TestSalesMoneyRoundTrips sends amounts that a float would distort and
// expects the same digits back, and the exact cents in the database.
func TestSalesMoneyRoundTrips(t *testing.T) {
	t.Parallel()
	s := newSaleEnv(t)
	lamp := s.newProduct(t, s.user1, "Lamp", 100)

	for _, tt := range []struct {
		sent, shown string
		cents       int64
	}{
		{"0.1", "0.1", 10}, {"0.2", "0.2", 20}, {"0.3", "0.3", 30}, {"0.30", "0.3", 30},
		{"12.5", "12.5", 1250}, {"0.99", "0.99", 99}, {"3", "3", 300}, {"0", "0", 0},
		{"1.10", "1.1", 110}, {"999999999.99", "999999999.99", 99999999999}, {"1000000000", "1000000000", 100000000000},
	} {
		sale := s.buy(t, "user2", lamp, 1, tt.sent)
		if string(sale.Paid) != tt.shown {
			t.Errorf("paid %s: shown as %s, want %s", tt.sent, sale.Paid, tt.shown)
		}
		var cents int64
		if err := s.db.DB.Get(&cents, `SELECT paid FROM sales WHERE sale_id = $1`, sale.ID); err != nil {
			t.Fatal(err)
		}
		if cents != tt.cents {
			t.Errorf("paid %s: stored %d cents, want %d", tt.sent, cents, tt.cents)
		}
	}

	// 0.1 + 0.2 is exactly 0.3 in cents.
	var sum int64
	if err := s.db.DB.Get(&sum, `SELECT sum(paid) FROM sales WHERE paid IN (10, 20)`); err != nil {
		t.Fatal(err)
	}
	if sum != 30 {
		t.Errorf("0.1 + 0.2 in cents: got %d, want 30", sum)
	}
}

func TestSalesDeleteReturnsStock(t *testing.T) {
	t.Parallel()
	s := newSaleEnv(t)
	lamp := s.newProduct(t, s.user1, "Lamp", 5)

	sale := s.buy(t, "user2", lamp, 3, "30")
	if n := s.stock(t, lamp.ID); n != 2 {
		t.Fatalf("stock after buying 3 of 5: got %d, want 2", n)
	}
	s.buy(t, "other", lamp, 2, "20")

	resp := apitest.Do(t, s.h, http.MethodDelete, "/v1/sales/"+sale.ID, s.tokens["admin"], nil, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: status %d, want 204", resp.StatusCode)
	}
	if n := s.stock(t, lamp.ID); n != 3 {
		t.Errorf("stock after returning 3: got %d, want 3", n)
	}
	if n := s.count(t, `SELECT count(*) FROM sales WHERE product_id = $1`, lamp.ID); n != 1 {
		t.Errorf("sales left: got %d, want 1", n)
	}
	// The stock returned can be sold again.
	s.buy(t, "user2", lamp, 3, "30")
}

// auditRow is what an audit record says, without its own ID and time.
type auditRow struct {
	ObjID     uuid.UUID `db:"obj_id"`
	ObjDomain string    `db:"obj_domain"`
	ActorID   uuid.UUID `db:"actor_id"`
	Action    string    `db:"action"`
	Data      string    `db:"data"`
}

func TestSalesAreAudited(t *testing.T) {
	t.Parallel()
	s := newSaleEnv(t)
	lamp := s.newProduct(t, s.user1, "Lamp", 5)
	var since time.Time
	if err := s.db.DB.Get(&since, `SELECT max(timestamp) FROM audits`); err != nil {
		t.Fatal(err)
	}

	sale := s.buy(t, "user2", lamp, 2, "12.5")
	// Refused ones leave no trace.
	for _, body := range []map[string]any{newSaleBody(lamp.ID, 9, "1"), newSaleBody(lamp.ID, 1, "1.001")} {
		resp := apitest.Do(t, s.h, http.MethodPost, "/v1/sales", s.tokens["user2"], body, nil)
		resp.Body.Close()
		if resp.StatusCode/100 != 4 {
			t.Fatalf("refused sale: status %d", resp.StatusCode)
		}
	}
	resp := apitest.Do(t, s.h, http.MethodDelete, "/v1/sales/"+sale.ID, s.tokens["admin"], nil, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: status %d", resp.StatusCode)
	}

	var rows []auditRow
	if err := s.db.DB.Select(&rows, `SELECT obj_id, obj_domain, actor_id, action, data::text AS data
		FROM audits WHERE timestamp > $1 ORDER BY timestamp, obj_domain`, since); err != nil {
		t.Fatal(err)
	}

	saleID := uuid.MustParse(sale.ID)
	saleData := fmt.Sprintf(`{"paid": "12.5", "buyerID": %q, "quantity": 2, "productID": %q}`, s.user2.ID, lamp.ID)
	productData := func(qty int) string {
		return fmt.Sprintf(`{"cost": "10", "name": "Lamp", "userID": %q, "minPrice": "0", "quantity": %d}`, s.user1.ID, qty)
	}
	want := []auditRow{
		{ObjID: lamp.ID, ObjDomain: "product", ActorID: s.user2.ID, Action: "updated", Data: productData(3)},
		{ObjID: saleID, ObjDomain: "sale", ActorID: s.user2.ID, Action: "created", Data: saleData},
		{ObjID: lamp.ID, ObjDomain: "product", ActorID: s.admin.ID, Action: "updated", Data: productData(5)},
		{ObjID: saleID, ObjDomain: "sale", ActorID: s.admin.ID, Action: "deleted", Data: saleData},
	}
	// Rows of one transaction may share a timestamp: compare as sets of
	// (create, delete) pairs in order.
	sortKey := func(a auditRow) string { return a.Action + a.ObjDomain }
	for _, list := range [][]auditRow{want, rows} {
		for i := 0; i+1 < len(list); i += 2 {
			pair := list[i : i+2]
			slices.SortFunc(pair, func(a, b auditRow) int { return strings.Compare(sortKey(a), sortKey(b)) })
		}
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("audit rows (-want +got):\n%s", diff)
	}
}

func TestSalesQuery(t *testing.T) {
	t.Parallel()
	s := newSaleEnv(t)

	lamp := s.newProduct(t, s.user1, "Lamp", 100)
	chair := s.newProduct(t, s.user2, "Chair", 100)

	// Six sales with distinct quantities, amounts and dates, so that every
	// order is fully determined.
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	specs := []struct {
		who   string
		p     productbus.Product
		qty   int
		paid  string
		hours int
	}{
		{"user2", lamp, 3, "0.3", 5},
		{"admin", lamp, 1, "100.99", 0},
		{"user2", lamp, 6, "12.5", 2},
		{"user1", chair, 2, "0", 4},
		{"admin", chair, 5, "3", 1},
		{"user1", chair, 4, "0.99", 3},
	}
	all := make([]saleapp.Sale, len(specs))
	for i, sp := range specs {
		sale := s.buy(t, sp.who, sp.p, sp.qty, sp.paid)
		created := base.Add(time.Duration(sp.hours) * time.Hour)
		if _, err := s.db.DB.Exec(`UPDATE sales SET date_created = $1 WHERE sale_id = $2`, created, sale.ID); err != nil {
			t.Fatal(err)
		}
		sale.DateCreated = query.FormatTime(created)
		all[i] = sale
	}

	// sorted returns all ordered by key in dir, ties broken by ID ascending
	// as the store does.
	sorted := func(key func(saleapp.Sale) string, desc bool) []saleapp.Sale {
		out := slices.Clone(all)
		slices.SortFunc(out, func(a, b saleapp.Sale) int {
			c := strings.Compare(key(a), key(b))
			if c == 0 {
				c = strings.Compare(a.ID, b.ID)
			}
			if desc {
				c = -c
			}
			return c
		})
		return out
	}
	// Keys are padded so that string order is number order.
	keys := map[string]func(saleapp.Sale) string{
		"id":        func(s saleapp.Sale) string { return s.ID },
		"productID": func(s saleapp.Sale) string { return s.ProductID },
		"buyerID":   func(s saleapp.Sale) string { return s.BuyerID },
		"quantity":  func(s saleapp.Sale) string { return fmt.Sprintf("%09d", s.Quantity) },
		"paid": func(s saleapp.Sale) string {
			return fmt.Sprintf("%020d", dbtest.Must(money.Parse(string(s.Paid))).Cents())
		},
		"dateCreated": func(s saleapp.Sale) string { return s.DateCreated },
	}

	admin := s.tokens["admin"]
	ok := func(n, url string, exp *saleResult) apitest.Case {
		return apitest.Case{Name: n, Method: http.MethodGet, URL: url, Token: admin, StatusCode: http.StatusOK, Got: &saleResult{}, Exp: exp, Cmp: cmpPage[saleapp.Sale]}
	}
	bad := func(n, url, field string) apitest.Case {
		return apitest.Case{Name: n, Method: http.MethodGet, URL: url, Token: admin,
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, field), Cmp: cmpErr}
	}
	at := func(hours int) string { return base.Add(time.Duration(hours) * time.Hour).Format(time.RFC3339) }
	byHours := func(hs ...int) []saleapp.Sale {
		var out []saleapp.Sale
		for _, h := range hs {
			for i, sp := range specs {
				if sp.hours == h {
					out = append(out, all[i])
				}
			}
		}
		return out
	}

	var cases []apitest.Case
	for _, field := range slices.Sorted(maps.Keys(keys)) {
		cases = append(cases,
			ok("order/"+field+"-asc", "/v1/sales?orderBy="+field+",ASC", salePage(sorted(keys[field], false), 6, 1, 10)),
			ok("order/"+field+"-desc", "/v1/sales?orderBy="+field+",DESC", salePage(sorted(keys[field], true), 6, 1, 10)),
		)
	}
	cases = append(cases,
		ok("order/default-newest-first", "/v1/sales", salePage(byHours(5, 4, 3, 2, 1, 0), 6, 1, 10)),

		ok("filter/product", "/v1/sales?orderBy=dateCreated&productID="+chair.ID.String(), salePage(byHours(1, 3, 4), 3, 1, 10)),
		ok("filter/buyer", "/v1/sales?orderBy=dateCreated&buyerID="+s.user2.ID.String(), salePage(byHours(2, 5), 2, 1, 10)),
		ok("filter/sale", "/v1/sales?id="+all[0].ID, salePage(all[:1], 1, 1, 10)),
		ok("filter/start-inclusive", "/v1/sales?orderBy=dateCreated&dateCreatedFrom="+at(4), salePage(byHours(4, 5), 2, 1, 10)),
		ok("filter/end-exclusive", "/v1/sales?orderBy=dateCreated&dateCreatedBefore="+at(2), salePage(byHours(0, 1), 2, 1, 10)),
		ok("filter/range-and-product", "/v1/sales?orderBy=dateCreated&dateCreatedFrom="+at(1)+"&dateCreatedBefore="+at(5)+"&productID="+lamp.ID.String(),
			salePage(byHours(2), 1, 1, 10)),
		ok("filter/nothing-matches", "/v1/sales?buyerID="+s.other.ID.String(), salePage(nil, 0, 1, 10)),

		ok("page/first", "/v1/sales?orderBy=dateCreated&rows=4", salePage(byHours(0, 1, 2, 3), 6, 1, 4)),
		ok("page/last-partial", "/v1/sales?orderBy=dateCreated&rows=4&page=2", salePage(byHours(4, 5), 6, 2, 4)),
		ok("page/exactly-full-last", "/v1/sales?orderBy=dateCreated&rows=3&page=2", salePage(byHours(3, 4, 5), 6, 2, 3)),
		ok("page/beyond-end", "/v1/sales?orderBy=dateCreated&rows=4&page=3", salePage(nil, 6, 3, 4)),
		ok("page/rows-100", "/v1/sales?orderBy=dateCreated&rows=100", salePage(byHours(0, 1, 2, 3, 4, 5), 6, 1, 100)),

		bad("page/rows-zero", "/v1/sales?rows=0", "rows"),
		bad("page/rows-over-100", "/v1/sales?rows=101", "rows"),
		bad("page/page-zero", "/v1/sales?page=0", "page"),
		bad("page/page-not-a-number", "/v1/sales?page=two", "page"),
		bad("order/unknown-field", "/v1/sales?orderBy=buyer_id", "orderBy"),
		bad("order/unknown-direction", "/v1/sales?orderBy=paid,UP", "orderBy"),
		bad("filter/bad-sale-id", "/v1/sales?id=nope", "id"),
		bad("filter/bad-product-id", "/v1/sales?productID=nope", "productID"),
		bad("filter/bad-buyer-id", "/v1/sales?buyerID=nope", "buyerID"),
		bad("filter/bad-start-date", "/v1/sales?dateCreatedFrom=2026-03-01", "dateCreatedFrom"),
		bad("filter/bad-end-date", "/v1/sales?dateCreatedBefore=yesterday", "dateCreatedBefore"),
	)
	apitest.Run(t, s.h, cases)
}
