package sqldb

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestTranslate: which driver errors are the database's state (try later),
// which a lost race, and which stay what they are.
func TestTranslate(t *testing.T) {
	pg := func(code string) error { return &pgconn.PgError{Code: code, Message: "m"} }
	tests := []struct {
		name string
		err  error
		want error // nil: none of the sentinels
	}{
		{"connection failure", pg("08006"), ErrDBUnavailable},
		{"too many connections", pg("53300"), ErrDBUnavailable},
		{"admin shutdown", pg("57P01"), ErrDBUnavailable},
		{"cannot connect now", pg("57P03"), ErrDBUnavailable},
		{"system I/O error", pg("58030"), ErrDBUnavailable},
		{"statement timeout", pg("57014"), ErrDBUnavailable},
		{"lock timeout", pg("55P03"), ErrDBUnavailable},
		{"serialization failure", pg("40001"), ErrDBConflict},
		{"deadlock", pg("40P01"), ErrDBConflict},
		{"unique violation", pg("23505"), ErrDBDuplicatedEntry},
		{"foreign key violation", pg("23503"), ErrDBReferenced},
		{"idle in transaction is a bug, not the database's state", pg("25P03"), nil},
		{"a wrong password is a setup error", pg("28P01"), nil},
		{"a syntax error is a bug", pg("42601"), nil},
		{"a refused dial", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, ErrDBUnavailable},
		{"a deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), ErrDBUnavailable},
		{"a closed connection", fmt.Errorf("query: %w", pgconn.ErrConnClosed), ErrDBUnavailable},
		{"any other error", errors.New("scan: bad column"), nil},
	}
	sentinels := []error{ErrDBUnavailable, ErrDBConflict, ErrDBDuplicatedEntry, ErrDBReferenced}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := translate(tt.err)
			if !errors.Is(got, tt.err) {
				t.Errorf("the original error is lost from %v", got)
			}
			for _, s := range sentinels {
				if errors.Is(got, s) != (s == tt.want) {
					t.Errorf("errors.Is(%v, %v) = %v", got, s, !(s == tt.want))
				}
			}
		})
	}
}
