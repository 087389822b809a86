package sqldb

import (
	"github.com/jackc/pgx/v5/pgtype"
)

// StringArray is a Postgres text[] column. It scans through pgx's own
// array parser; as a bound value pgx encodes it directly.
type StringArray []string

// Scan implements sql.Scanner.
func (a *StringArray) Scan(src any) error {
	return pgtype.NewMap().SQLScanner((*[]string)(a)).Scan(src)
}
