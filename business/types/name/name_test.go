package name_test

import (
	"strings"
	"testing"

	"github.com/garagesale/service/business/types/name"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"Bill", "Bill", true},
		{"  Bill Kennedy  ", "Bill Kennedy", true},
		{"Zoë", "Zoë", true},
		{strings.Repeat("é", name.MaxLen), strings.Repeat("é", name.MaxLen), true},
		{strings.Repeat("a", name.MaxLen+1), "", false},
		{"", "", false},
		{"   ", "", false},
		{"bad\x00name", "", false},
		{"tab\tname", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := name.Parse(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("Parse(%q) error = %v, want ok = %v", tt.in, err, tt.ok)
			}
			if got.String() != tt.want {
				t.Errorf("Parse(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
