package sqldb_test

import (
	"context"
	"strings"
	"testing"

	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/google/go-cmp/cmp"
)

func TestWhere(t *testing.T) {
	tests := []struct {
		name       string
		build      func(w *sqldb.Where)
		wantClause string
		wantData   map[string]any
		wantErr    string // part of the error QueryPage and Count return; "" for none
	}{
		{
			name:       "no conditions is no clause",
			build:      func(*sqldb.Where) {},
			wantClause: "",
			wantData:   map[string]any{},
		},
		{
			name: "conditions are joined with AND in the order added",
			build: func(w *sqldb.Where) {
				w.Add("cost >= :cost_min", "cost_min", 100)
				w.Add("name ILIKE :name", "name", "%a%")
			},
			wantClause: " WHERE (cost >= :cost_min) AND (name ILIKE :name)",
			wantData:   map[string]any{"cost_min": 100, "name": "%a%"},
		},
		{
			name: "values never reach the clause",
			build: func(w *sqldb.Where) {
				w.Add("name = :name", "name", "'; DROP TABLE users; --")
			},
			wantClause: " WHERE (name = :name)",
			wantData:   map[string]any{"name": "'; DROP TABLE users; --"},
		},
		{
			name: "one key used twice in a condition is bound once",
			build: func(w *sqldb.Where) {
				w.Add("(buyer_id = :visible_to OR owner_id = :visible_to)", "visible_to", "u1")
			},
			wantClause: " WHERE ((buyer_id = :visible_to OR owner_id = :visible_to))",
			wantData:   map[string]any{"visible_to": "u1"},
		},
		{
			name: "a condition binds several values or none",
			build: func(w *sqldb.Where) {
				w.AddN("cost BETWEEN :lo AND :hi", map[string]any{"lo": 1, "hi": 9})
				w.AddN("deleted_at IS NULL", nil)
			},
			wantClause: " WHERE (cost BETWEEN :lo AND :hi) AND (deleted_at IS NULL)",
			wantData:   map[string]any{"lo": 1, "hi": 9},
		},
		{
			name: "a nil value binds NULL",
			build: func(w *sqldb.Where) {
				w.Add("data IS NOT DISTINCT FROM :data", "data", nil)
			},
			wantClause: " WHERE (data IS NOT DISTINCT FROM :data)",
			wantData:   map[string]any{"data": nil},
		},
		{
			name: "a paging key is refused",
			build: func(w *sqldb.Where) {
				w.Add("x = :sqldb_offset", "sqldb_offset", 5)
			},
			wantClause: " WHERE (x = :sqldb_offset)",
			wantData:   map[string]any{},
			wantErr:    `"sqldb_offset" is reserved`,
		},
		{
			name: "a key bound twice is refused",
			build: func(w *sqldb.Where) {
				w.Add("a = :k", "k", 1)
				w.Add("b = :k", "k", 2)
			},
			wantClause: " WHERE (a = :k) AND (b = :k)",
			wantData:   map[string]any{"k": 1},
			wantErr:    `"k" is bound twice`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := sqldb.NewWhere()
			tt.build(w)

			if got := w.Clause(); got != tt.wantClause {
				t.Errorf("Clause() = %q, want %q", got, tt.wantClause)
			}
			if diff := cmp.Diff(tt.wantData, w.Data()); diff != "" {
				t.Errorf("Data() mismatch (-want +got):\n%s", diff)
			}

			if tt.wantErr == "" {
				return
			}
			// A refused filter must stop the statement before it reaches
			// the database: a nil db would panic if it were used.
			_, err := sqldb.QueryPage[struct{}](context.Background(), nil, sqldb.Select{
				Columns: "1", From: "t", Where: w, Order: order.NewBy("id", order.ASC), OrderColumns: map[string]string{"id": "id"}, Tiebreak: "id",
			}, dbtest.Must(page.Parse("", "")))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("QueryPage error = %v, want one containing %s", err, tt.wantErr)
			}
			if _, err := sqldb.Count(context.Background(), nil, "t", w); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Count error = %v, want one containing %s", err, tt.wantErr)
			}
		})
	}
}

func TestWhereZeroValue(t *testing.T) {
	var w sqldb.Where
	w.Add("a = :a", "a", 1)
	if got, want := w.Clause(), " WHERE (a = :a)"; got != want {
		t.Errorf("Clause() = %q, want %q", got, want)
	}
}

func TestWhereDataIsACopy(t *testing.T) {
	w := sqldb.NewWhere()
	w.Add("a = :a", "a", 1)
	w.Data()["a"] = 2
	if diff := cmp.Diff(map[string]any{"a": 1}, w.Data()); diff != "" {
		t.Errorf("Data() changed through a returned map (-want +got):\n%s", diff)
	}
}

// TestClauseKeepsAnOrInside: a condition with an OR cannot widen the
// filter, whether or not its author remembered parentheses.
func TestClauseKeepsAnOrInside(t *testing.T) {
	w := sqldb.NewWhere()
	w.Add("buyer_id = :me OR owner_id = :me", "me", 1)
	w.Add("product_id = :p", "p", 2)
	if got, want := w.Clause(), " WHERE (buyer_id = :me OR owner_id = :me) AND (product_id = :p)"; got != want {
		t.Errorf("Clause() = %q, want %q", got, want)
	}
}
