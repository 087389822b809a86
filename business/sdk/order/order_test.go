package order_test

import (
	"testing"

	"github.com/garagesale/service/business/sdk/order"
	"github.com/google/go-cmp/cmp"
)

func TestParseAndClause(t *testing.T) {
	whitelist := map[string]string{"name": "bus_name", "dateCreated": "bus_date"}
	columns := map[string]string{"bus_name": "name", "bus_date": "date_created"}
	def := order.NewBy("bus_name", order.ASC)

	tests := []struct {
		in         string
		wantClause string
		wantErr    bool
	}{
		{"", " ORDER BY name ASC, id", false},
		{"name", " ORDER BY name ASC, id", false},
		{"name,DESC", " ORDER BY name DESC, id", false},
		{"dateCreated, desc", " ORDER BY date_created DESC, id", false},
		{"password_hash", "", true},
		{"name,SIDEWAYS", "", true},
		{"name; DROP TABLE users", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			by, err := order.Parse(whitelist, tt.in, def)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Parse error = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			clause, err := order.Clause(by, columns, "id")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantClause, clause); diff != "" {
				t.Errorf("clause (-want +got):\n%s", diff)
			}
		})
	}
}
