package query_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/garagesale/service/app/sdk/query"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

func TestParseUUID(t *testing.T) {
	id := uuid.MustParse("5cf37266-3473-4006-984f-9325122678b7")
	checkParse(t, query.ParseUUID, []parseCase[uuid.UUID]{
		{in: id.String(), want: id},
		{in: "", wantErr: "is required"},
		{in: "../../etc/passwd", wantErr: "must be a UUID"},
		{in: "5CF37266-3473-4006-984F-9325122678B7", want: id},
		// uuid.Parse takes these; the document's format does not.
		{in: "{5cf37266-3473-4006-984f-9325122678b7}", wantErr: "must be a UUID"},
		{in: "urn:uuid:5cf37266-3473-4006-984f-9325122678b7", wantErr: "must be a UUID"},
		{in: "5cf3726634734006984f9325122678b7", wantErr: "must be a UUID"},
	})
}

func TestParseTime(t *testing.T) {
	checkParse(t, query.ParseTime, []parseCase[time.Time]{
		{in: "2026-01-02T15:04:05Z", want: time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)},
		// Another offset is the same instant in UTC; below a microsecond
		// is dropped, as the database would.
		{in: "2026-01-02T17:04:05.1234567+02:00", want: time.Date(2026, 1, 2, 15, 4, 5, 123456000, time.UTC)},
		{in: "", wantErr: "is required"},
		{in: "yesterday", wantErr: "must be a time in RFC 3339, like 2026-01-02T15:04:05Z"},
		{in: "2026-01-02", wantErr: "must be a time in RFC 3339, like 2026-01-02T15:04:05Z"},
	})
}

// parseCase is a body field's text, and the value or the error message
// its parser must make of it.
type parseCase[T any] struct {
	in      string
	want    T
	wantErr string
}

func checkParse[T fmt.Stringer](t *testing.T, parse func(string) (T, error), tests []parseCase[T]) {
	t.Helper()
	for _, tt := range tests {
		got, err := parse(tt.in)
		if diff := cmp.Diff([]string{tt.want.String(), tt.wantErr}, []string{got.String(), errText(err)}); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.in, diff)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
