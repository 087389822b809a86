package query_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/garagesale/service/app/sdk/apidoc"
	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/query"
	"github.com/garagesale/service/business/types/date"
	"github.com/google/go-cmp/cmp"
)

// parseDay reads the parameters of a route that is no list: a day and a
// kind.
func parseDay(_ context.Context, r *http.Request) (*date.Date, error) {
	f := query.NewParams(r)
	d := f.Date("day")
	f.String("kind")
	return d, f.Err()
}

// TestNewParams: a route that is no list takes its own parameters only:
// paging and order are as unknown as a misspelt parameter, and each bad
// one is named.
func TestNewParams(t *testing.T) {
	tests := []struct {
		query   string
		want    string
		wantErr errs.FieldErrors
	}{
		{query: "day=2026-01-02&kind=x", want: "2026-01-02"},
		{query: "", want: ""},
		{query: "day=2026-02-30", wantErr: errs.FieldErrors{"day": "must be a date like 2026-01-02"}},
		{query: "day=2026-01-02T00:00:00Z", wantErr: errs.FieldErrors{"day": "must be a date like 2026-01-02"}},
		{query: "day=2026-01-02&page=1&rows=10", wantErr: errs.FieldErrors{
			"page": "unknown parameter; this route takes day, kind",
			"rows": "unknown parameter; this route takes day, kind",
		}},
		{query: "Day=2026-01-02", wantErr: errs.FieldErrors{"Day": "unknown parameter; this route takes day, kind"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			d, err := parseDay(context.Background(), httptest.NewRequest(http.MethodGet, "/?"+tt.query, nil))
			var gotErr errs.FieldErrors
			var e *errs.Error
			if errors.As(err, &e) {
				gotErr = e.Fields
			} else if err != nil {
				t.Fatalf("error %v is no field error", err)
			}
			got := ""
			if d != nil {
				got = d.String()
			}
			if diff := cmp.Diff(tt.wantErr, gotErr); diff != "" {
				t.Errorf("field errors (-want +got):\n%s", diff)
			}
			if err == nil && got != tt.want {
				t.Errorf("day %q, want %q", got, tt.want)
			}
		})
	}
}

// TestParamsDocumentsWhatParseReads: the documentation of a route's
// parameters is what its parser reads, with the descriptions given.
func TestParamsDocumentsWhatParseReads(t *testing.T) {
	got := query.Params(parseDay, map[string]string{"day": "the day to report", "kind": "what to report"})
	want := []apidoc.Param{
		{Name: "day", Type: "string", Format: "date", Description: "the day to report; a UTC day, like 2026-01-02"},
		{Name: "kind", Type: "string", Description: "what to report"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
