package errs_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/google/go-cmp/cmp"
)

// TestOfClassifies: what the client is told about each kind of failure.
func TestOfClassifies(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantCode   errs.Code
		wantStatus int
		wantRetry  string // Retry-After
	}{
		{"a plain error is internal", errors.New("boom"), errs.Internal, 500, ""},
		{"an internal error with no cause stays internal", &errs.Error{Code: errs.Internal, Message: "x"}, errs.Internal, 500, ""},
		{"the database unavailable", fmt.Errorf("query: %w", sqldb.ErrDBUnavailable), errs.Unavailable, 503, "1"},
		{"wrapped as internal by a handler", errs.New(errs.Internal, fmt.Errorf("q: %w", sqldb.ErrDBUnavailable)), errs.Unavailable, 503, "1"},
		{"the request's deadline", fmt.Errorf("q: %w", context.DeadlineExceeded), errs.Unavailable, 503, "1"},
		{"the client gone", fmt.Errorf("q: %w: %w", sqldb.ErrDBUnavailable, context.Canceled), errs.ClientClosed, 499, ""},
		{"a lost race", fmt.Errorf("tx: %w", sqldb.ErrDBConflict), errs.Aborted, 409, ""},
		{"a client error stays what it is", errs.Newf(errs.NotFound, "no such user"), errs.NotFound, 404, ""},
		{"a client error with a database cause stays too", &errs.Error{Code: errs.InvalidArgument, Cause: sqldb.ErrDBUnavailable}, errs.InvalidArgument, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := errs.Of(tt.err)
			got := struct {
				Code   errs.Code
				Status int
				Retry  string
			}{e.Code, e.HTTPStatus(), http.Header(e.HTTPHeader()).Get("Retry-After")}
			want := struct {
				Code   errs.Code
				Status int
				Retry  string
			}{tt.wantCode, tt.wantStatus, tt.wantRetry}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
