package password_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/types/password"
)

func TestParseAndHash(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"gophers", true},
		{"123456", true},
		{"12345", false},
		{"", false},
		{strings.Repeat("a", password.MaxBytes), true},
		{strings.Repeat("a", password.MaxBytes+1), false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("len%d", len(tt.in)), func(t *testing.T) {
			p, err := password.Parse(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("Parse error = %v, want ok = %v", err, tt.ok)
			}
			if !tt.ok {
				return
			}
			h, err := p.Hash()
			if err != nil {
				t.Fatal(err)
			}
			if !password.Matches(h, tt.in) || password.Matches(h, tt.in+"x") {
				t.Error("hash does not match exactly its password")
			}
		})
	}
}

// TestNeverPrinted: a password formatted into a log line stays hidden.
func TestNeverPrinted(t *testing.T) {
	p := dbtest.Must(password.Parse("s3cret-value"))
	for _, s := range []string{p.String(), fmt.Sprint(p), fmt.Sprintf("%v %s", p, p)} {
		if strings.Contains(s, "s3cret") {
			t.Errorf("password leaked: %q", s)
		}
	}
}
