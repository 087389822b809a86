package order_test

import (
	"testing"

	"github.com/garagesale/service/business/sdk/order"
	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	whitelist := map[string]string{"name": "bus_name", "dateCreated": "bus_date"}
	def := order.NewBy("bus_name", order.ASC)

	tests := []struct {
		in      string
		want    order.By
		wantErr bool
	}{
		{"", order.NewBy("bus_name", order.ASC), false},
		{"name", order.NewBy("bus_name", order.ASC), false},
		{"name,DESC", order.NewBy("bus_name", order.DESC), false},
		{"dateCreated, desc", order.NewBy("bus_date", order.DESC), false},
		{"password_hash", order.By{}, true},
		{"name,SIDEWAYS", order.By{}, true},
		{"name; DROP TABLE users", order.By{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			by, err := order.Parse(whitelist, tt.in, def)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Parse error = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, by); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
