package sqldb

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/garagesale/service/business/sdk/page"
	"github.com/jmoiron/sqlx"
)

// The keys QueryPage binds the paging values to. Where refuses them as
// filter keys, so a filter can never overwrite the page.
const (
	offsetKey = "sqldb_offset"
	rowsKey   = "sqldb_rows_per_page"
)

const pagingClause = " OFFSET :" + offsetKey + " ROWS FETCH NEXT :" + rowsKey + " ROWS ONLY"

// Where collects a filter's conditions and their bound values: only
// placeholders reach the SQL text, values travel in Data. The conditions
// are joined with AND, so a condition that uses OR must bring its own
// parentheses. The zero value is an empty filter.
//
// A key that is bound twice or is reserved for paging is a programming
// error: it is kept, and QueryPage and Count return it instead of running.
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
	if key == offsetKey || key == rowsKey {
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

// Clause returns "" for no conditions, else " WHERE " and the conditions
// joined with AND, ready to follow a FROM.
func (w *Where) Clause() string {
	if len(w.conds) == 0 {
		return ""
	}
	// Each condition is parenthesised, so one holding an OR can never
	// loosen the others: a visibility rule stays a rule.
	return " WHERE (" + strings.Join(w.conds, ") AND (") + ")"
}

// Data returns a copy of the bound values, keyed by placeholder name. It is
// never nil.
func (w *Where) Data() map[string]any {
	data := make(map[string]any, len(w.data)+2)
	maps.Copy(data, w.data)
	return data
}

// QueryPage runs base + where + orderClause + paging and scans every row
// into dest. base is the statement up to and including its FROM, and
// orderClause must end in a unique column (see order.Clause) so that pages
// never overlap.
func QueryPage[T any](ctx context.Context, db sqlx.ExtContext, base string, where *Where, orderClause string, pg page.Page, dest *[]T) error {
	if where.err != nil {
		return where.err
	}
	data := where.Data()
	data[offsetKey] = pg.Offset()
	data[rowsKey] = pg.RowsPerPage()

	return NamedQuerySlice(ctx, db, base+where.Clause()+orderClause+pagingClause, data, dest)
}

// Count returns how many rows `SELECT count(1) FROM <from>` + where finds;
// from may contain joins and aliases that the conditions refer to.
func Count(ctx context.Context, db sqlx.ExtContext, from string, where *Where) (int, error) {
	if where.err != nil {
		return 0, where.err
	}
	var row struct {
		Count int `db:"count"`
	}
	if err := NamedQueryStruct(ctx, db, "SELECT count(1) AS count FROM "+from+where.Clause(), where.Data(), &row); err != nil {
		return 0, err
	}
	return row.Count, nil
}
