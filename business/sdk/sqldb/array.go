package sqldb

import (
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5/pgtype"
)

// StringArray is a Postgres text[] column. It scans through pgx's own
// array parser; as a bound value pgx encodes it directly.
type StringArray []string

// textArrayPlans holds pgx's plan for scanning a text[] into a []string,
// each with the type map it was made from and uses: building a map
// registers every Postgres type, which cost more than the rest of a row's
// scan; planning again on each scan (as pgx's SQLScanner does) cost half
// of the scan; and neither a map nor its plans are safe for concurrent use.
var textArrayPlans = sync.Pool{New: func() any {
	return pgtype.NewMap().PlanScan(pgtype.TextArrayOID, pgtype.TextFormatCode, new([]string))
}}

// Scan implements sql.Scanner.
func (a *StringArray) Scan(src any) error {
	var text []byte
	switch src := src.(type) {
	case nil: // NULL
	case string:
		text = []byte(src)
	case []byte:
		text = src
	default:
		return fmt.Errorf("scan %T into a text array", src)
	}
	plan := textArrayPlans.Get().(pgtype.ScanPlan)
	defer textArrayPlans.Put(plan)
	return plan.Scan(text, (*[]string)(a))
}
