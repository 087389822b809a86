package sqldb

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/jmoiron/sqlx"
	"golang.org/x/text/unicode/norm"
)

// The keys QueryPage binds its own values to. Where refuses them as
// filter keys, so a filter can never overwrite the page.
const (
	offsetKey  = "sqldb_offset"
	rowsKey    = "sqldb_rows_per_page"
	afterKey   = "sqldb_after_key"
	afterIDKey = "sqldb_after_id"
	capKey     = "sqldb_count_cap"
	walkKey    = "sqldb_walk"
	endKey     = "sqldb_page_end"
)

var reserved = []string{offsetKey, rowsKey, afterKey, afterIDKey, capKey, walkKey, endKey}

// walkPerRow is how many rows of its order a search walks for each row it
// must find (those before the page and the page's), before it finds the
// matches first instead (see QueryPage). A term in 1% of the rows
// fills its page within the walk nearly always; a walk that comes short
// costs about a millisecond for each thousand rows, up to maxWalk.
const (
	walkPerRow = 300
	maxWalk    = 30_000
)

// Where collects a filter's conditions, joined with AND, and their bound
// values: only placeholders reach the SQL text. The zero value is an empty
// filter. A key bound twice or reserved for paging is a programming error,
// which QueryPage and Count return instead of running.
type Where struct {
	conds  []string
	data   map[string]any
	err    error
	search bool
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

// Search appends a case-insensitive substring match of col against term,
// bound to key: term's own %, _ and \ match only themselves, and its
// accented letters match as composed (NFC), as names are stored. A list
// with a search is paged as QueryPage says, since where its matches lie
// in the list's order is what no statistics tell the planner.
func (w *Where) Search(col, key, term string) {
	w.Add(col+" ILIKE :"+key, key, "%"+escapeLike(norm.NFC.String(term))+"%")
	w.search = true
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
// and the list costs one round trip instead of two. It is the statement
// of a list without a search; a search's are walkStatement and
// fencedStatement.
func (l Select) Statement(pg page.Page) (string, map[string]any, error) {
	p, err := l.parts(pg)
	if err != nil {
		return "", nil, err
	}
	return p.selectList(p.count) + " FROM " + l.From + (&Where{conds: p.all()}).Clause() + p.orderBy + p.paging, p.data, nil
}

// walkStatement is a search's first try: the page among the next
// walk rows of the list's order, read through the order's index, which
// finds a common term's page after a few rows. Where the term is rare
// near the page's start the walk ends short of a page, instead of reading
// the index to its end for matches that all lie far down it (a search in
// the name's order for a term names start with). Only a full page's last
// row counts the list: a short walk is thrown away, and its count with it.
func (l Select) walkStatement(pg page.Page, alias string) (string, map[string]any, error) {
	p, err := l.parts(pg)
	if err != nil {
		return "", nil, err
	}
	end := pg.Offset() + pg.RowsPerPage()
	p.data[walkKey] = min(walkPerRow*end, maxWalk)
	p.data[endKey] = end
	var cursor []string
	if p.cursor != "" {
		cursor = []string{p.cursor}
	}
	total := "CASE WHEN row_number() OVER (" + strings.TrimSpace(p.orderBy) + ") = :" + endKey + " THEN (" + p.count + ") ELSE 0 END"
	walk := "(SELECT * FROM " + l.From + (&Where{conds: cursor}).Clause() + p.orderBy + " LIMIT :" + walkKey + ") " + alias
	return "SELECT " + p.keys + ", " + total + " AS sqldb_total FROM " + walk + l.Where.Clause() + p.orderBy + p.paging, p.data, nil
}

// fencedStatement is a search's page when the walk came short: every
// match's order key and tiebreak first, by whichever index the planner
// picks for the filter (a materialized CTE is planned on its own, so it
// cannot turn back into the walk), then the page's keys sorted from
// them, its rows read by their tiebreak, and the count read from the
// same matches: one pass over the matches for both.
func (l Select) fencedStatement(pg page.Page) (string, map[string]any, error) {
	p, err := l.parts(pg)
	if err != nil {
		return "", nil, err
	}
	var after []string
	if p.cursor != "" {
		after = []string{"(sqldb_k, sqldb_id) " + p.cmp + " (:" + afterKey + ", :" + afterIDKey + ")"}
	}
	keys := "SELECT sqldb_id FROM sqldb_matches" + (&Where{conds: after}).Clause() +
		" ORDER BY sqldb_k " + p.dir + ", sqldb_id " + p.dir + p.paging
	count := "SELECT count(1) FROM (SELECT 1 FROM sqldb_matches LIMIT :" + capKey + ") capped"
	return "WITH sqldb_matches AS MATERIALIZED (SELECT " + p.col + " AS sqldb_k, " + l.Tiebreak + " AS sqldb_id FROM " + l.From + l.Where.Clause() + ") " +
		p.selectList(count) + " FROM " + l.From + " WHERE " + l.Tiebreak + " IN (" + keys + ")" + p.orderBy, p.data, nil
}

// statementParts are the pieces of a page's statement.
type statementParts struct {
	col     string // the order's column
	dir     string // ASC or DESC
	cmp     string // > or <: after the cursor in that direction
	keys    string // the row's columns and its PageKey but the total
	filters []string
	cursor  string // the condition for rows after the cursor, if any
	orderBy string
	paging  string
	count   string
	data    map[string]any
}

func (p statementParts) all() []string {
	if p.cursor == "" {
		return p.filters
	}
	return append(slices.Clone(p.filters), p.cursor)
}

func (p statementParts) selectList(total string) string {
	return "SELECT " + p.keys + ", (" + total + ") AS sqldb_total"
}

func (l Select) parts(pg page.Page) (statementParts, error) {
	if l.Where == nil {
		l.Where = NewWhere()
	}
	if l.Where.err != nil {
		return statementParts{}, l.Where.err
	}
	col, ok := l.OrderColumns[l.Order.Field]
	if !ok {
		return statementParts{}, fmt.Errorf("order field %q has no column", l.Order.Field)
	}
	var cmp string
	switch l.Order.Direction {
	case order.ASC:
		cmp = ">"
	case order.DESC:
		cmp = "<"
	default:
		return statementParts{}, fmt.Errorf("order direction %q is not ASC or DESC", l.Order.Direction)
	}

	p := statementParts{
		col:     col,
		dir:     l.Order.Direction,
		cmp:     cmp,
		keys:    l.Columns + ", CAST(" + col + " AS text) AS sqldb_key, CAST(" + l.Tiebreak + " AS text) AS sqldb_key_id",
		filters: l.Where.conds,
		data:    l.Where.Data(),
	}
	p.data[rowsKey] = pg.RowsPerPage()
	p.paging = " LIMIT :" + rowsKey
	if after, ok := pg.Cursor(); ok {
		p.cursor = "(" + col + ", " + l.Tiebreak + ") " + cmp + " (:" + afterKey + ", :" + afterIDKey + ")"
		p.data[afterKey], p.data[afterIDKey] = after.Key, after.ID
	} else {
		p.data[offsetKey] = pg.Offset()
		p.paging = " OFFSET :" + offsetKey + " ROWS FETCH NEXT :" + rowsKey + " ROWS ONLY"
	}
	p.orderBy = " ORDER BY " + col + " " + l.Order.Direction
	if l.Tiebreak != col {
		p.orderBy += ", " + l.Tiebreak + " " + l.Order.Direction
	}
	p.data[capKey] = page.CountCap + 1
	// A count with no filter reads the first entries of the key's index,
	// which stay in shared buffers. Unordered, Postgres reads the table
	// itself from its start, and a table larger than a quarter of
	// shared_buffers is read through a small ring of buffers: its pages
	// came from the kernel again on every request, a millisecond at a
	// million rows. With a filter the planner picks the index the filter
	// wants; an order on the key would make it walk the key's index.
	p.count = countStatement(l.From, l.Where)
	if !l.Where.filters() {
		p.count = countOrderedStatement(l.From, l.Tiebreak)
	}
	return p, nil
}

// QueryPage runs l for page pg and returns its rows, whose type embeds
// PageKey, with the count of the list and, when the page is full (more
// may follow), the cursor after its last row. A page with a cursor starts
// after that row, which an index answers at any depth.
//
// A list with a search (Where.Search) of one table takes up to two
// statements. Postgres reads a search's page either along the order's
// index, keeping matches until it has a page, or through the term's
// trigram index, sorting every match. It picks the walk when the term is
// common, assuming matches are spread through the order; a term names
// start with, searched in the name's order, has its matches together at
// one end, and the walk read the whole index to reach them (0.75-0.9 s
// on a million products). So the first statement walks at most
// walkPerRow rows of the order for each row it must find; if it finds a
// page, that is the page (the rows walked are the order's first), and
// otherwise a second statement finds the matches first and sorts them,
// which costs what the term's index costs wherever its matches lie.
func QueryPage[T any](ctx context.Context, db sqlx.ExtContext, l Select, pg page.Page) (page.Of[T], error) {
	if l.Where == nil {
		l.Where = NewWhere()
	}
	alias, hedged := searchAlias(l)
	var (
		q    string
		data map[string]any
		err  error
	)
	if hedged {
		q, data, err = l.walkStatement(pg, alias)
	} else {
		q, data, err = l.Statement(pg)
	}
	if err != nil {
		return page.Of[T]{}, err
	}
	var rows []T
	if err := selectRows(ctx, db, q, data, l.Where.filters(), &rows); err != nil {
		return page.Of[T]{}, err
	}
	if hedged && len(rows) < pg.RowsPerPage() {
		// The walk came short: a page only if the order ended within it,
		// which this cannot tell from a term that is rare near the page.
		q, data, err = l.fencedStatement(pg)
		if err != nil {
			return page.Of[T]{}, err
		}
		rows = nil
		if err := selectRows(ctx, db, q, data, true, &rows); err != nil {
			return page.Of[T]{}, err
		}
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
	if _, byCursor := pg.Cursor(); !byCursor && out.Total <= page.CountCap && pg.Offset()+len(rows) >= out.Total {
		// A page by number that reaches the list's exact count is its
		// last: a cursor after it would only fetch an empty page.
		return out, nil
	}
	if next, ok := last.pageKey(); ok {
		out.Next = &next
	}
	return out, nil
}

// searchAlias reports whether l is a search of one table, which
// QueryPage pages by walkStatement and fencedStatement, and the name the
// walk's rows are read through: the table's alias, or the table's name.
func searchAlias(l Select) (string, bool) {
	if !l.Where.search {
		return "", false
	}
	m := oneTable.FindStringSubmatch(l.From)
	if m == nil {
		return "", false
	}
	if m[2] != "" {
		return m[2], true
	}
	return m[1], true
}

// oneTable matches a From of one table, maybe schema-qualified, maybe
// with an alias: "products", "sales s", "public.audits AS a".
var oneTable = regexp.MustCompile(`(?i)^\s*(?:[a-z_][a-z0-9_]*\.)?([a-z_][a-z0-9_]*)(?:\s+(?:as\s+)?([a-z_][a-z0-9_]*))?\s*$`)

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
