package tests

import (
	"net/http"
	"testing"

	"github.com/garagesale/service/app/domain/productapp"
	"github.com/garagesale/service/app/domain/vproductapp"
	"github.com/garagesale/service/app/sdk/apitest"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/domain/userbus"
)

func appVProduct(p productapp.Product, owner userbus.User) vproductapp.VProduct {
	return vproductapp.VProduct{Product: p, UserName: owner.Name.String()}
}

func vproductList(items []vproductapp.VProduct, total, page, rows int) *query.Result[vproductapp.VProduct] {
	if items == nil {
		items = []vproductapp.VProduct{}
	}
	return &query.Result[vproductapp.VProduct]{Items: items, Total: total, Page: page, RowsPerPage: rows}
}

func TestVProducts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	// Owners' names sort Ada < Bob < Cat; product names reverse that.
	bob := appVProduct(e.createProduct(t, e.tokens["user1"], "b-lamp", "0.1", 2), e.user1)
	cat := appVProduct(e.createProduct(t, e.tokens["user2"], "a-radio", "0.2", 5), e.user2)
	ada := appVProduct(e.createProduct(t, e.tokens["admin"], "c-sofa", "250", 1), e.admin)

	all := func(items ...vproductapp.VProduct) *query.Result[vproductapp.VProduct] {
		return vproductList(items, len(items), 1, 10)
	}
	adm := e.tokens["admin"]
	cases := []apitest.Case{
		{Name: "admin/by-user-name", Method: http.MethodGet, URL: "/v1/vproducts?orderBy=userName", Token: adm,
			StatusCode: http.StatusOK, Got: &query.Result[vproductapp.VProduct]{}, Exp: all(ada, bob, cat)},
		{Name: "admin/by-user-name-desc", Method: http.MethodGet, URL: "/v1/vproducts?orderBy=userName,DESC", Token: adm,
			StatusCode: http.StatusOK, Got: &query.Result[vproductapp.VProduct]{}, Exp: all(cat, bob, ada)},
		{Name: "admin/by-name", Method: http.MethodGet, URL: "/v1/vproducts?orderBy=name", Token: adm,
			StatusCode: http.StatusOK, Got: &query.Result[vproductapp.VProduct]{}, Exp: all(cat, bob, ada)},
		{Name: "admin/by-cost-desc", Method: http.MethodGet, URL: "/v1/vproducts?orderBy=cost,DESC", Token: adm,
			StatusCode: http.StatusOK, Got: &query.Result[vproductapp.VProduct]{}, Exp: all(ada, cat, bob)},
		{Name: "admin/by-quantity", Method: http.MethodGet, URL: "/v1/vproducts?orderBy=quantity", Token: adm,
			StatusCode: http.StatusOK, Got: &query.Result[vproductapp.VProduct]{}, Exp: all(ada, bob, cat)},
		{Name: "admin/by-date-created-desc", Method: http.MethodGet, URL: "/v1/vproducts?orderBy=dateCreated,DESC", Token: adm,
			StatusCode: http.StatusOK, Got: &query.Result[vproductapp.VProduct]{}, Exp: all(ada, cat, bob)},
		{Name: "filter/userName-substring", Method: http.MethodGet, URL: "/v1/vproducts?userName=USER&orderBy=userName", Token: adm,
			StatusCode: http.StatusOK, Got: &query.Result[vproductapp.VProduct]{}, Exp: all(bob, cat)},
		{Name: "filter/userID", Method: http.MethodGet, URL: "/v1/vproducts?userID=" + e.user2.ID.String(), Token: adm,
			StatusCode: http.StatusOK, Got: &query.Result[vproductapp.VProduct]{}, Exp: all(cat)},
		{Name: "filter/id", Method: http.MethodGet, URL: "/v1/vproducts?id=" + bob.ID, Token: adm,
			StatusCode: http.StatusOK, Got: &query.Result[vproductapp.VProduct]{}, Exp: all(bob)},
		{Name: "filter/name", Method: http.MethodGet, URL: "/v1/vproducts?name=radio", Token: adm,
			StatusCode: http.StatusOK, Got: &query.Result[vproductapp.VProduct]{}, Exp: all(cat)},
		{Name: "filter/cost-range", Method: http.MethodGet, URL: "/v1/vproducts?costMin=0.1&costMax=0.2&orderBy=cost", Token: adm,
			StatusCode: http.StatusOK, Got: &query.Result[vproductapp.VProduct]{}, Exp: all(bob, cat)},
		{Name: "filter/quantity-range", Method: http.MethodGet, URL: "/v1/vproducts?quantityMin=2&quantityMax=4", Token: adm,
			StatusCode: http.StatusOK, Got: &query.Result[vproductapp.VProduct]{}, Exp: all(bob)},
		{Name: "page/last", Method: http.MethodGet, URL: "/v1/vproducts?orderBy=userName&rows=2&page=2", Token: adm,
			StatusCode: http.StatusOK, Got: &query.Result[vproductapp.VProduct]{}, Exp: vproductList([]vproductapp.VProduct{cat}, 3, 2, 2)},
		{Name: "page/beyond-end", Method: http.MethodGet, URL: "/v1/vproducts?rows=2&page=3", Token: adm,
			StatusCode: http.StatusOK, Got: &query.Result[vproductapp.VProduct]{}, Exp: vproductList(nil, 3, 3, 2)},
		{Name: "page/rows-101", Method: http.MethodGet, URL: "/v1/vproducts?rows=101", Token: adm,
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "rows"), Cmp: cmpErr},
		{Name: "order/unknown-field", Method: http.MethodGet, URL: "/v1/vproducts?orderBy=user_name", Token: adm,
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "orderBy"), Cmp: cmpErr},
		{Name: "filter/bad-values", Method: http.MethodGet, URL: "/v1/vproducts?userID=x&costMax=-1", Token: adm,
			StatusCode: http.StatusBadRequest, Got: &errs.Error{}, Exp: errBody(errs.InvalidArgument, "userID", "costMax"), Cmp: cmpErr},
		{Name: "user/forbidden", Method: http.MethodGet, URL: "/v1/vproducts", Token: e.tokens["user1"],
			StatusCode: http.StatusForbidden, Got: &errs.Error{}, Exp: errBody(errs.PermissionDenied), Cmp: cmpErr},
		{Name: "disabled/unauthenticated", Method: http.MethodGet, URL: "/v1/vproducts", Token: e.tokens["disabled"],
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
		{Name: "no-token", Method: http.MethodGet, URL: "/v1/vproducts",
			StatusCode: http.StatusUnauthorized, Got: &errs.Error{}, Exp: errBody(errs.Unauthenticated), Cmp: cmpErr},
	}
	apitest.Run(t, e.h, cases)
}
