package role_test

import (
	"testing"

	"github.com/garagesale/service/business/types/role"
	"github.com/google/go-cmp/cmp"
)

func TestParseMany(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
		ok   bool
	}{
		{"one", []string{"USER"}, []string{"USER"}, true},
		{"both", []string{"ADMIN", "USER"}, []string{"ADMIN", "USER"}, true},
		{"repeats dropped", []string{"USER", "USER"}, []string{"USER"}, true},
		{"unknown", []string{"BOSS"}, nil, false},
		{"lower case is not a role", []string{"admin"}, nil, false},
		{"none", nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := role.ParseMany(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseMany(%q) error = %v, want ok = %v", tt.in, err, tt.ok)
			}
			if diff := cmp.Diff(tt.want, role.Strings(got), cmp.Comparer(func(a, b []string) bool { return len(a) == len(b) && (len(a) == 0 || cmp.Equal(a, b)) })); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
