package sqldb

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/jmoiron/sqlx"
)

// The keys QueryPage binds its own values to. Where refuses them as
// filter keys, so a filter can never overwrite the page.
const (
	offsetKey  = "sqldb_offset"
	rowsKey    = "sqldb_rows_per_page"
	afterKey   = "sqldb_after_key"
	afterIDKey = "sqldb_after_id"
	capKey     = "sqldb_count_cap"
)

var reserved = []string{offsetKey, rowsKey, afterKey, afterIDKey, capKey}

// Where collects a filter's conditions, joined with AND, and their bound
// values: only placeholders reach the SQL text. The zero value is an empty
// filter. A key bound twice or reserved for paging is a programming error,
// which QueryPage and Count return instead of running.
type Where struct {
	conds []string
	data  map[string]any
	err   error
}

// NewWhere returns an empty filter.
func NewWhere() *Where {
	return &Where{}
}

// Add appends cond, such as "cost >= :cost_min", with value bound to key.
// A nil value binds NULL. cond may use key more than once.
func (w *Where) Add(cond string, key string, value any) {
	w.bind(key, value)
	w.conds = append(w.conds, cond)
}

// AddN appends cond with every value of kv bound to its key. With kv nil
// the condition binds nothing, as in "deleted_at IS NULL".
func (w *Where) AddN(cond string, kv map[string]any) {
	for _, k := range slices.Sorted(maps.Keys(kv)) {
		w.bind(k, kv[k])
	}
	w.conds = append(w.conds, cond)
}

func (w *Where) bind(key string, value any) {
	if slices.Contains(reserved, key) {
		w.err = errors.Join(w.err, fmt.Errorf("filter key %q is reserved for paging", key))
		return
	}
	if _, ok := w.data[key]; ok {
		w.err = errors.Join(w.err, fmt.Errorf("filter key %q is bound twice", key))
		return
	}
	if w.data == nil {
		w.data = make(map[string]any)
	}
	w.data[key] = value
}

// filters reports whether w has conditions, whose values can change the
// best plan.
func (w *Where) filters() bool { return len(w.conds) > 0 }

// Clause returns "", or " WHERE " and the conditions, to follow a FROM.
func (w *Where) Clause() string {
	if len(w.conds) == 0 {
		return ""
	}
	// Each condition is parenthesised, so one holding an OR can never
	// loosen the others: a visibility rule stays a rule.
	return " WHERE (" + strings.Join(w.conds, ") AND (") + ")"
}

// Data returns a copy of the bound values by placeholder name, never nil.
func (w *Where) Data() map[string]any {
	data := make(map[string]any, len(w.data)+2)
	maps.Copy(data, w.data)
	return data
}

// Select is a store's query of one page of a list: Columns From a table or
// join, filtered by Where, ordered by Order through OrderColumns with
// Tiebreak (a unique column) last, so pages never overlap or skip. Column
// names come from the store, never the caller: safe to splice into SQL.
type Select struct {
	Columns      string
	From         string
	Where        *Where
	Order        order.By
	OrderColumns map[string]string
	Tiebreak     string
}

// PageKey is what QueryPage selects besides a row's columns, which its
// rows embed: the row's order key (the last row's is the next page's
// cursor) and the count of the list.
type PageKey struct {
	Key   *string `db:"sqldb_key"`
	ID    *string `db:"sqldb_key_id"`
	Total int     `db:"sqldb_total"`
}

func (k PageKey) pageKey() (page.Cursor, bool) {
	if k.Key == nil || k.ID == nil {
		return page.Cursor{}, false
	}
	return page.Cursor{Key: *k.Key, ID: *k.ID}, true
}

func (k PageKey) total() int { return k.Total }

type pageKeyed interface {
	pageKey() (page.Cursor, bool)
	total() int
}

// Statement returns the SQL that QueryPage runs for page pg, selecting the
// PageKey too, and the values it binds by name. The count is a subquery
// of the same statement: Postgres runs it once, in the page's snapshot,
// and the list costs one round trip instead of two.
func (l Select) Statement(pg page.Page) (string, map[string]any, error) {
	if l.Where == nil {
		l.Where = NewWhere()
	}
	if l.Where.err != nil {
		return "", nil, l.Where.err
	}
	col, ok := l.OrderColumns[l.Order.Field]
	if !ok {
		return "", nil, fmt.Errorf("order field %q has no column", l.Order.Field)
	}
	var cmp string
	switch l.Order.Direction {
	case order.ASC:
		cmp = ">"
	case order.DESC:
		cmp = "<"
	default:
		return "", nil, fmt.Errorf("order direction %q is not ASC or DESC", l.Order.Direction)
	}

	data := l.Where.Data()
	conds := slices.Clone(l.Where.conds)
	data[rowsKey] = pg.RowsPerPage()
	paging := " LIMIT :" + rowsKey
	if after, ok := pg.Cursor(); ok {
		conds = append(conds, "("+col+", "+l.Tiebreak+") "+cmp+" (:"+afterKey+", :"+afterIDKey+")")
		data[afterKey], data[afterIDKey] = after.Key, after.ID
	} else {
		data[offsetKey] = pg.Offset()
		paging = " OFFSET :" + offsetKey + " ROWS FETCH NEXT :" + rowsKey + " ROWS ONLY"
	}
	orderBy := " ORDER BY " + col + " " + l.Order.Direction
	if l.Tiebreak != col {
		orderBy += ", " + l.Tiebreak + " " + l.Order.Direction
	}
	data[capKey] = page.CountCap + 1
	// A count with no filter reads the first entries of the key's index,
	// which stay in shared buffers. Unordered, Postgres reads the table
	// itself from its start, and a table larger than a quarter of
	// shared_buffers is read through a small ring of buffers: its pages
	// came from the kernel again on every request, a millisecond at a
	// million rows. With a filter the planner picks the index the filter
	// wants; an order on the key would make it walk the key's index.
	count := countStatement(l.From, l.Where)
	if !l.Where.filters() {
		count = countOrderedStatement(l.From, l.Tiebreak)
	}
	q := "SELECT " + l.Columns + ", CAST(" + col + " AS text) AS sqldb_key, CAST(" + l.Tiebreak + " AS text) AS sqldb_key_id, (" +
		count + ") AS sqldb_total" +
		" FROM " + l.From + (&Where{conds: conds}).Clause() + orderBy + paging
	return q, data, nil
}

// QueryPage runs l for page pg and returns its rows, whose type embeds
// PageKey, with the count of the list and, when the page is full (more
// may follow), the cursor after its last row. A page with a cursor starts
// after that row, which an index answers at any depth.
func QueryPage[T any](ctx context.Context, db sqlx.ExtContext, l Select, pg page.Page) (page.Of[T], error) {
	if l.Where == nil {
		l.Where = NewWhere()
	}
	q, data, err := l.Statement(pg)
	if err != nil {
		return page.Of[T]{}, err
	}
	var rows []T
	if err := selectRows(ctx, db, q, data, l.Where.filters(), &rows); err != nil {
		return page.Of[T]{}, err
	}
	out := page.Of[T]{Items: rows}
	if len(rows) == 0 {
		// No row carried the count. On the first page there is none to
		// count; past the end of a list (rare) it takes a statement.
		if _, ok := pg.Cursor(); !ok && pg.Offset() == 0 {
			return out, nil
		}
		out.Total, err = Count(ctx, db, l.From, l.Where)
		return out, err
	}
	last, ok := any(&rows[len(rows)-1]).(pageKeyed)
	if !ok {
		return page.Of[T]{}, fmt.Errorf("rows of %T do not embed sqldb.PageKey", rows)
	}
	out.Total = last.total()
	if len(rows) < pg.RowsPerPage() {
		return out, nil
	}
	if next, ok := last.pageKey(); ok {
		out.Next = &next
	}
	return out, nil
}

// LoadPage turns a page of rows into one of business values, stopping at
// the first error.
func LoadPage[R, T any](rows page.Of[R], load func(R) (T, error)) (page.Of[T], error) {
	items, err := Load(rows.Items, load)
	if err != nil {
		return page.Of[T]{}, err
	}
	return page.Of[T]{Items: items, Total: rows.Total, Next: rows.Next}, nil
}

// Count returns how many rows `FROM <from>` + where finds (from may hold
// joins and aliases), at most page.CountCap + 1: past the cap only "more"
// is known, so it never scans more rows than that.
func Count(ctx context.Context, db sqlx.ExtContext, from string, where *Where) (int, error) {
	if where.err != nil {
		return 0, where.err
	}
	data := where.Data()
	data[capKey] = page.CountCap + 1
	var rows []struct {
		Count int `db:"count"`
	}
	if err := selectRows(ctx, db, countStatement(from, where), data, where.filters(), &rows); err != nil {
		return 0, err
	}
	return rows[0].Count, nil
}

// countStatement counts the rows of from that where keeps, up to the
// value bound to capKey.
func countStatement(from string, where *Where) string {
	return "SELECT count(1) AS count FROM (SELECT 1 FROM " + from + where.Clause() + " LIMIT :" + capKey + ") capped"
}

// countOrderedStatement counts every row of from, up to the value bound
// to capKey, in the order of key, an indexed column.
func countOrderedStatement(from, key string) string {
	return "SELECT count(1) AS count FROM (SELECT 1 FROM " + from + " ORDER BY " + key + " LIMIT :" + capKey + ") capped"
}
