package email_test

import (
	"testing"

	"github.com/garagesale/service/business/types/email"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"bob@example.com", true},
		{" bob@example.com ", true},
		{"bob.smith+sale@mail.example.co.uk", true},
		{"", false},
		{"bob", false},
		{"bob@", false},
		{"@example.com", false},
		{"bob@localhost", false},
		{"Bob <bob@example.com>", false},
		{"bob@example.", false},
		{"bob@.example.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := email.Parse(tt.in)
			if (err == nil) != tt.ok {
				t.Errorf("Parse(%q) error = %v, want ok = %v", tt.in, err, tt.ok)
			}
		})
	}
}
