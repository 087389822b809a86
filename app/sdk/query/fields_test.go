package query_test

import (
	"testing"
	"time"

	"github.com/garagesale/service/app/sdk/query"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

func TestParseUUID(t *testing.T) {
	id := uuid.MustParse("5cf37266-3473-4006-984f-9325122678b7")
	tests := []struct {
		in      string
		want    uuid.UUID
		wantErr string
	}{
		{in: id.String(), want: id},
		{in: "", wantErr: "is required"},
		{in: "../../etc/passwd", wantErr: "must be a UUID"},
	}
	for _, tt := range tests {
		got, err := query.ParseUUID(tt.in)
		if diff := cmp.Diff([]string{tt.want.String(), tt.wantErr}, []string{got.String(), errText(err)}); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr string
	}{
		{in: "2026-01-02T15:04:05Z", want: time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)},
		// Another offset is the same instant in UTC; below a microsecond
		// is dropped, as the database would.
		{in: "2026-01-02T17:04:05.1234567+02:00", want: time.Date(2026, 1, 2, 15, 4, 5, 123456000, time.UTC)},
		{in: "", wantErr: "is required"},
		{in: "yesterday", wantErr: "must be a time in RFC 3339, like 2026-01-02T15:04:05Z"},
		{in: "2026-01-02", wantErr: "must be a time in RFC 3339, like 2026-01-02T15:04:05Z"},
	}
	for _, tt := range tests {
		got, err := query.ParseTime(tt.in)
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
