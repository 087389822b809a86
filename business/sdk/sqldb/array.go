package sqldb

import (
	"sync"

	"github.com/jackc/pgx/v5/pgtype"
)

// StringArray is a Postgres text[] column. It scans through pgx's own
// array parser; as a bound value pgx encodes it directly.
type StringArray []string

// typeMaps holds pgx type maps for Scan: building one registers every
// Postgres type, which cost more than the rest of a row's scan, and a Map
// is not safe for concurrent use.
var typeMaps = sync.Pool{New: func() any { return pgtype.NewMap() }}

// Scan implements sql.Scanner.
func (a *StringArray) Scan(src any) error {
	m := typeMaps.Get().(*pgtype.Map)
	defer typeMaps.Put(m)
	return m.SQLScanner((*[]string)(a)).Scan(src)
}
