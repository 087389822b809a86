package page_test

import (
	"errors"
	"testing"

	"github.com/garagesale/service/business/sdk/page"
	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		page, rows string
		wantNumber int
		wantRows   int
		wantOffset int
		wantErrFor string
	}{
		{"", "", 1, 10, 0, ""},
		{"3", "20", 3, 20, 40, ""},
		{"1", "100", 1, 100, 0, ""},
		{"1", "0", 0, 0, 0, "rows"},
		{"1", "101", 0, 0, 0, "rows"},
		{"0", "10", 0, 0, 0, "page"},
		{"-1", "10", 0, 0, 0, "page"},
		{"x", "10", 0, 0, 0, "page"},
		{"1", "ten", 0, 0, 0, "rows"},
		// Numbers reach row MaxOffset; past it, the cursor.
		{"1000", "10", 1000, 10, 9990, ""},
		{"1001", "10", 0, 0, 0, "page"},
		{"100", "100", 100, 100, 9900, ""},
		{"101", "100", 0, 0, 0, "page"},
		{"2147483647", "100", 0, 0, 0, "page"},
	}
	for _, tt := range tests {
		t.Run(tt.page+"/"+tt.rows, func(t *testing.T) {
			p, err := page.Parse(tt.page, tt.rows)
			var fe *page.FieldError
			if tt.wantErrFor != "" {
				if !errors.As(err, &fe) || fe.Field != tt.wantErrFor {
					t.Fatalf("error = %v, want a FieldError for %s", err, tt.wantErrFor)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := [3]int{p.Number(), p.RowsPerPage(), p.Offset()}
			if diff := cmp.Diff([3]int{tt.wantNumber, tt.wantRows, tt.wantOffset}, got); diff != "" {
				t.Errorf("number, rows, offset (-want +got):\n%s", diff)
			}
		})
	}
}
