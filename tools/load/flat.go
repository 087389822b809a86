package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
)

// flatList is a list --flat measures: its route, whether it wants the
// ADMIN's token, and for the deep page the SQL its store pages by (a
// cursor names a row by its order key and ID, cast to text, and the
// list's filters and order as a hash the API checks), so the page 90%
// deep is reached by one request instead of walking to it.
type flatList struct {
	path   string
	admin  bool
	from   string // the rows the store lists
	id     string // its tiebreak
	orders map[string]string
	// def is the list's default order, which its filters are measured in.
	def     string
	filters func(s *stack, size int) []flatFilter
}

// flatFilter is one documented filter: its query parameters and the
// store's condition for them. label names it the same at every size
// (its query, when that has no ID or time of the run's). order, when set,
// is the ordering it is measured in (field,DIR) instead of the list's
// default; query then carries the orderBy too.
type flatFilter struct {
	query, where, label, order string
}

// ordered is f measured in order o (field,DIR) instead of the default.
func (f flatFilter) ordered(o string) flatFilter {
	f.query += "&orderBy=" + o
	f.order = o
	return f
}

// at is a time filter's value: the rows' times run back a second per
// row from the seed's now, so the newest half of size rows.
func at(size int, frac float64) time.Time {
	return time.Now().UTC().Add(-time.Duration(float64(size)*frac) * time.Second).Truncate(time.Second)
}

func timeFilter(param, col string, t time.Time, op string) flatFilter {
	return flatFilter{query: param + "=" + url.QueryEscape(t.Format(time.RFC3339)), where: fmt.Sprintf("%s %s '%s'", col, op, t.Format(time.RFC3339)), label: param + "=(half the rows)"}
}

// idFilter is a filter on an ID of the run's, named by what it is.
func idFilter(param, col, id, what string) flatFilter {
	return flatFilter{query: param + "=" + id, where: col + " = '" + id + "'", label: param + "=(" + what + ")"}
}

var productOrders = map[string]string{"id": "product_id", "userID": "user_id", "name": "name", "cost": "cost",
	"quantity": "quantity", "dateCreated": "date_created"}

func productFilters(s *stack, size int) []flatFilter {
	// Three name terms: one in 11% of the rows, one in 1.1% and one in 11
	// rows, at every size.
	common := flatFilter{query: "name=" + url.QueryEscape("Product 1"), where: "name ILIKE '%Product 1%'"}
	mid := flatFilter{query: "name=" + url.QueryEscape("Product 99"), where: "name ILIKE '%Product 99%'"}
	return []flatFilter{
		common,
		mid,
		{query: "name=" + url.QueryEscape("Product 99999"), where: "name ILIKE '%Product 99999%'"},
		// Searches in the name's order: the common term's matches come
		// first by name ascending and last descending (a ninth of the
		// rows, after all the others), the 1.1% term's last.
		common.ordered("name,ASC"),
		common.ordered("name,DESC"),
		mid.ordered("name,ASC"),
		{query: "costMin=50", where: "cost >= 5000"},
		{query: "costMax=10", where: "cost <= 1000"},
		{query: "quantityMin=500", where: "quantity >= 500"},
		{query: "quantityMax=10", where: "quantity <= 10"},
		idFilter("userID", "user_id", s.userID, "the owner of all"),
		idFilter("id", "product_id", s.stockProductID, "one product"),
		// A seller's own products by a term: a filter besides the search,
		// which the walk tests on each row of the order it reads before
		// the lookup answers.
		{query: "userID=" + s.adminID + "&name=Toys", where: "user_id = '" + s.adminID + "' AND name ILIKE '%Toys%'", label: "userID=(a seller of two)&name=Toys"},
	}
}

var flatLists = []flatList{
	{path: "/v1/products", from: "products", id: "product_id", orders: productOrders, def: "id,ASC", filters: productFilters},
	{path: "/v1/vproducts", admin: true, id: "product_id", def: "id,ASC",
		from:   "products",
		orders: mapWith(productOrders, "userName", "user_name"),
		filters: func(s *stack, size int) []flatFilter {
			return append(productFilters(s, size), flatFilter{query: "userName=" + url.QueryEscape("User Gopher"), where: "user_name ILIKE '%User Gopher%'"})
		}},
	{path: "/v1/users", admin: true, from: "users", id: "user_id", def: "id,ASC",
		orders: map[string]string{"id": "user_id", "name": "name", "email": "lower(email)", "enabled": "enabled", "dateCreated": "date_created"},
		filters: func(s *stack, size int) []flatFilter {
			mid := flatFilter{query: "name=" + url.QueryEscape("Load User 99"), where: "name ILIKE '%Load User 99%'"}
			return []flatFilter{
				{query: "name=" + url.QueryEscape("Load User 1"), where: "name ILIKE '%Load User 1%'"},
				mid,
				{query: "name=" + url.QueryEscape("Load User 99999"), where: "name ILIKE '%Load User 99999%'"},
				mid.ordered("name,ASC"),
				{query: "email=load7%40example.com", where: "email_fold(email) = email_fold('load7@example.com')"},
				{query: "enabled=false", where: "enabled = false"},
				idFilter("id", "user_id", s.userID, "one user"),
				timeFilter("dateCreatedFrom", "date_created", at(size, 0.5), ">="),
				timeFilter("dateCreatedBefore", "date_created", at(size, 0.5), "<"),
			}
		}},
	{path: "/v1/sales", admin: true, from: "sales", id: "sale_id", def: "dateCreated,DESC",
		orders: map[string]string{"id": "sale_id", "productID": "product_id",
			"buyerID":  "COALESCE(buyer_id, CAST('00000000-0000-0000-0000-000000000000' AS uuid))",
			"quantity": "quantity", "paid": "paid", "dateCreated": "date_created"},
		filters: func(s *stack, size int) []flatFilter {
			return []flatFilter{
				idFilter("productID", "product_id", s.stockProductID, "a product not sold"),
				idFilter("buyerID", "buyer_id", s.userID, "a buyer of one sale"),
				timeFilter("dateCreatedFrom", "date_created", at(size, 0.5), ">="),
				timeFilter("dateCreatedBefore", "date_created", at(size, 0.5), "<"),
			}
		}},
	{path: "/v1/audits", admin: true, from: "audits", id: "audit_id", def: "timestamp,DESC",
		orders: map[string]string{"objID": "obj_id", "objDomain": "obj_domain", "objName": "obj_name",
			"actorID": "actor_id", "action": "action", "timestamp": "timestamp"},
		filters: func(s *stack, size int) []flatFilter {
			mid := flatFilter{query: "objName=" + url.QueryEscape("Product 99"), where: "obj_name ILIKE '%Product 99%'"}
			return []flatFilter{
				{query: "objDomain=sale", where: "obj_domain = 'sale'"},
				{query: "objName=" + url.QueryEscape("Product 1"), where: "obj_name ILIKE '%Product 1%'"},
				mid,
				{query: "objName=" + url.QueryEscape("Product 99999"), where: "obj_name ILIKE '%Product 99999%'"},
				mid.ordered("objName,ASC"),
				idFilter("actorID", "actor_id", s.userID, "an actor of one row"),
				{query: "action=deleted", where: "action = 'deleted'"},
				idFilter("objID", "obj_id", s.stockProductID, "one object"),
				timeFilter("timestampFrom", "timestamp", at(size, 0.5), ">="),
				timeFilter("timestampBefore", "timestamp", at(size, 0.5), "<"),
			}
		}},
}

func mapWith(m map[string]string, k, v string) map[string]string {
	out := maps.Clone(m)
	out[k] = v
	return out
}

// flatCase is one request of a list, page 1 and 90% deep.
type flatCase struct {
	list  *flatList
	label string
	query string // orderBy and filters
	order string // field,DIR
	where string
}

// flat measures whether every list's cost stays flat: for each table size
// (users, products, sales and audits each that many rows), the median
// latency of page 1 and of the page 90% of the way down, by cursor, of
// every ordering (both directions) and every documented filter. Every
// size's stack runs at once and each request goes to each size in turn,
// so a slow moment of the machine slows every size alike: the figures
// compared are taken side by side, not minutes apart.
func flat(ctx context.Context, cfg config) error {
	type sized struct {
		s     *stack
		conn  *pgx.Conn
		cases []flatCase
	}
	var stacks []sized
	for _, size := range cfg.flat {
		s, stop, err := startStack(ctx, cfg, sizes{users: size, products: size, history: size})
		if err != nil {
			return fmt.Errorf("%d rows: %w", size, err)
		}
		defer stop()
		conn, err := pgx.Connect(ctx, s.dbURL)
		if err != nil {
			return fmt.Errorf("%d rows: %w", size, err)
		}
		// Before the stop above: the stop drops the database.
		defer conn.Close(context.WithoutCancel(ctx))
		stacks = append(stacks, sized{s, conn, flatCases(s, size)})
	}

	var rows []flatRow
	for i, c := range stacks[0].cases {
		name := c.list.path + "?" + c.label
		// Page 1 of the case at each size, then its page 90% deep.
		var firsts, deeps []flatRequest
		for _, st := range stacks {
			firsts = append(firsts, flatRequest{url: st.s.api + c.list.path + "?rows=10&" + st.cases[i].query, token: st.s.token(c.list.admin)})
		}
		took, nexts, err := timeGets(ctx, firsts, cfg.flatSamples)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fs := make([]flatFigures, len(stacks))
		for j := range fs {
			fs[j].first = took[j]
		}
		// A list with no page after the first at some size has no deep page.
		if !slices.Contains(nexts, "") {
			for j, st := range stacks {
				cursor, err := deepCursor(ctx, st.conn, st.cases[i], nexts[j])
				if err != nil {
					return fmt.Errorf("%s at %d rows: %w", name, cfg.flat[j], err)
				}
				deeps = append(deeps, flatRequest{url: firsts[j].url + "&cursor=" + url.QueryEscape(cursor), token: firsts[j].token})
			}
			took, _, err := timeGets(ctx, deeps, cfg.flatSamples)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			for j := range fs {
				fs[j].deep = took[j]
			}
		}
		rows = append(rows, flatRow{name, fs})
	}
	fmt.Fprintf(os.Stderr, "measured %d requests at each size\n", len(rows))
	printFlat(cfg, rows)
	return nil
}

// flatFigures are the medians of one request at one size; deep is 0 when
// the list has no page after the first.
type flatFigures struct{ first, deep time.Duration }

// flatRow is one request's figures, one a size.
type flatRow struct {
	name  string
	sizes []flatFigures
}

// printFlat prints rows as a table with the growth from the first size to
// the last, and the worst growth.
func printFlat(cfg config, rows []flatRow) {
	fmt.Printf("\np50 of %d requests in a row, rows=10, each size in turn; tables of %s rows\n\n", cfg.flatSamples, joinInts(cfg.flat))
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	head := "request"
	for _, n := range cfg.flat {
		head += fmt.Sprintf("\tpage 1 @%d\t90%% deep @%d", n, n)
	}
	fmt.Fprintln(tw, head+"\tgrowth page 1\tgrowth deep\t")
	worst := 0.0
	for _, r := range rows {
		fs := r.sizes
		line := r.name
		for _, f := range fs {
			line += "\t" + ms(f.first) + "\t" + msOrDash(f.deep)
		}
		a, b := fs[0], fs[len(fs)-1]
		g1 := float64(b.first) / float64(a.first)
		gd := 0.0
		if a.deep > 0 && b.deep > 0 {
			gd = float64(b.deep) / float64(a.deep)
		}
		worst = max(worst, g1, gd)
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", line, growth(g1), growth(gd))
	}
	tw.Flush()
	fmt.Printf("\nworst growth %.2fx (want at most 1.5x); - is a list with no page after the first\n", worst)
}

func growth(g float64) string {
	switch {
	case g == 0:
		return "-"
	case g > 1.5:
		return fmt.Sprintf("%.2fx SLOW", g)
	}
	return fmt.Sprintf("%.2fx", g)
}

func msOrDash(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return ms(d)
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}

// flatCases is every ordering of every list, both directions, and every
// filter in the list's default order.
func flatCases(s *stack, size int) []flatCase {
	var cs []flatCase
	for i := range flatLists {
		l := &flatLists[i]
		for _, f := range slices.Sorted(maps.Keys(l.orders)) {
			for _, dir := range []string{"ASC", "DESC"} {
				o := f + "," + dir
				cs = append(cs, flatCase{list: l, label: "orderBy=" + o, query: "orderBy=" + o, order: o})
			}
		}
		for _, f := range l.filters(s, size) {
			label := f.label
			if label == "" {
				label = f.query
			}
			order := l.def
			if f.order != "" {
				order = f.order
			}
			cs = append(cs, flatCase{list: l, label: label, query: f.query, order: order, where: f.where})
		}
	}
	return cs
}

// flatRequest is one list page of one stack.
type flatRequest struct{ url, token string }

// token is the stack's ADMIN token if admin, else its USER token.
func (s *stack) token(admin bool) string {
	if admin {
		return s.adminToken
	}
	return s.userToken
}

// timeGets asks for each of reqs in turn, samples times over after a few
// rounds to warm up, and returns the median latency of each and the next
// of each page. Every other round runs the other way round, so that no
// size is always the one asked first.
func timeGets(ctx context.Context, reqs []flatRequest, samples int) ([]time.Duration, []string, error) {
	took := make([][]time.Duration, len(reqs))
	nexts := make([]string, len(reqs))
	for i := range samples + 3 {
		for k := range reqs {
			j := k
			if i%2 == 1 {
				j = len(reqs) - 1 - k
			}
			r := reqs[j]
			d, body, err := timeGet(ctx, r)
			if err != nil {
				return nil, nil, err
			}
			if i < 3 {
				var page struct{ Next string }
				if err := json.Unmarshal(body, &page); err != nil {
					return nil, nil, err
				}
				nexts[j] = page.Next
				continue
			}
			took[j] = append(took[j], d)
		}
	}
	medians := make([]time.Duration, len(reqs))
	for j := range took {
		medians[j] = median(took[j])
	}
	return medians, nexts, nil
}

// timeGet asks for r once and returns how long the answer took, and its
// body.
func timeGet(ctx context.Context, r flatRequest) (time.Duration, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", r.url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, nil, fmt.Errorf("%s: status %d: %s", r.url, resp.StatusCode, body)
	}
	return d, body, nil
}

// deepCursor is next (a cursor of c's list) moved to the row 90% of the
// way down c's rows in c's order.
func deepCursor(ctx context.Context, conn *pgx.Conn, c flatCase, next string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(next)
	if err != nil {
		return "", fmt.Errorf("next %q is not the cursor this tool knows: %w", next, err)
	}
	var cur map[string]string
	if err := json.Unmarshal(raw, &cur); err != nil {
		return "", fmt.Errorf("next %q is not the cursor this tool knows: %w", next, err)
	}
	field, dir, _ := strings.Cut(c.order, ",")
	col, ok := c.list.orders[field]
	if !ok {
		return "", fmt.Errorf("no column for order %s", field)
	}
	where := ""
	if c.where != "" {
		where = " WHERE " + c.where
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+c.list.from+where).Scan(&n); err != nil {
		return "", err
	}
	q := fmt.Sprintf("SELECT CAST(%[1]s AS text), CAST(%[2]s AS text) FROM %[3]s%[4]s ORDER BY %[1]s %[5]s, %[2]s %[5]s OFFSET %[6]d LIMIT 1",
		col, c.list.id, c.list.from, where, dir, n*9/10)
	var key, id string
	if err := conn.QueryRow(ctx, q).Scan(&key, &id); err != nil {
		return "", fmt.Errorf("%s: %w", q, err)
	}
	cur["k"], cur["i"] = key, id
	raw, err = json.Marshal(cur)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}
