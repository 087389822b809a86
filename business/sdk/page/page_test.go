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

// TestParseSaysTheBound: each refusal names the bound that holds, a page
// number too large for an int included.
func TestParseSaysTheBound(t *testing.T) {
	tests := []struct {
		page, rows string
		want       page.FieldError
	}{
		{"0", "", page.FieldError{Field: "page", Msg: "must be 1 or more"}},
		{"-99999999999999999999", "", page.FieldError{Field: "page", Msg: "must be 1 or more"}},
		{"99999999999999999999", "", page.FieldError{Field: "page", Msg: "page numbers reach row 10000 (page 1000 at 10 rows); for deeper pages follow next: send it as ?cursor= from an earlier page"}},
		{"3335", "3", page.FieldError{Field: "page", Msg: "page numbers reach row 10000 (page 3334 at 3 rows); for deeper pages follow next: send it as ?cursor= from an earlier page"}},
		{"1.5", "", page.FieldError{Field: "page", Msg: "must be a whole number"}},
		{"", "99999999999999999999", page.FieldError{Field: "rows", Msg: "must be between 1 and 100"}},
	}
	for _, tt := range tests {
		t.Run(tt.page+"/"+tt.rows, func(t *testing.T) {
			_, err := page.Parse(tt.page, tt.rows)
			var fe *page.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error = %v, want a FieldError", err)
			}
			if diff := cmp.Diff(tt.want, *fe); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// The last page a number reaches is served.
	if _, err := page.Parse("3334", "3"); err != nil {
		t.Errorf("page 3334 at 3 rows: %v", err)
	}
}
