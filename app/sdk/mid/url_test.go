package mid

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestCheckQuery(t *testing.T) {
	tests := []struct {
		name, raw string
		want      errs.FieldErrors
	}{
		{"none", "", nil},
		{"filters and paging", "name=Lamp&rows=2&orderBy=name,ASC", nil},
		{"escapes", "name=100%25+off&email=a%40b.com&objName=%3B", nil},
		{"an empty value and a bare name", "name=&rows", nil},
		{"a stray '&'", "&name=Lamp&&", nil},
		{"a bare '%'", "name=100%", errs.FieldErrors{"name": errEscape.Error()}},
		{"a bad escape", "email=%zz", errs.FieldErrors{"email": errEscape.Error()}},
		{"a ';' after a value", "buyerID=nope;", errs.FieldErrors{"buyerID": errSemicolon.Error()}},
		{"';' as a separator", "rows=1;page=2", errs.FieldErrors{"rows": errSemicolon.Error()}},
		{"a ';' in a name", "a;b=c", errs.FieldErrors{"query": errSemicolon.Error()}},
		{"a bad escape in a name", "na%zzme=x", errs.FieldErrors{"query": errEscape.Error()}},
		{"NUL in a name", "na%00me=x", errs.FieldErrors{"query": errText.Error()}},
		{"NUL in a value", "name=%00", errs.FieldErrors{"name": errText.Error()}},
		{"invalid UTF-8", "name=%FF", errs.FieldErrors{"name": errText.Error()}},
		{"a name twice", "name=a&rows=2&name=b", errs.FieldErrors{"name": errTwice.Error()}},
		{"a name twice, once escaped", "name=a&n%61me=b", errs.FieldErrors{"name": errTwice.Error()}},
		{"several at once", "name=%&rows=1;&page=1&page=2", errs.FieldErrors{"name": errEscape.Error(),
			"rows": errSemicolon.Error(), "page": errTwice.Error()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkQuery(tt.raw)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("checkQuery(%q) (-want +got):\n%s", tt.raw, diff)
			}
			// Whatever it lets through, net/http reads in full.
			if len(got) == 0 {
				if _, err := url.ParseQuery(tt.raw); err != nil {
					t.Errorf("accepted %q, which url.ParseQuery refuses: %v", tt.raw, err)
				}
			}
		})
	}
}

// TestValidURLRefusesWhatIsNotRead: a query net/http reads as empty, for
// holding more pairs than it reads, is refused, not taken for no filter.
func TestValidURLRefusesWhatIsNotRead(t *testing.T) {
	next := func(context.Context, *http.Request) (any, error) { return "read", nil }
	for _, tt := range []struct {
		name, query string
		want        errs.FieldErrors
	}{
		{"a filter", "name=Lamp", nil},
		{"a filter and 10,000 empty pairs", "name=Lamp" + strings.Repeat("&", 10_000), errs.FieldErrors{"query": errTooMany.Error()}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/v1/products?"+tt.query, nil)
			_, err := ValidURL()(next)(context.Background(), r)
			var got errs.FieldErrors
			var e *errs.Error
			if errors.As(err, &e) {
				got = e.Fields
			} else if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
