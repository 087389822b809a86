package mid

import (
	"net/url"
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
