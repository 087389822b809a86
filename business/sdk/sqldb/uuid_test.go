package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// TestUUIDParameters: a uuid.UUID or uuid.NullUUID parameter, alone or in
// a slice, reaches Postgres as the value it holds (NULL for a NullUUID
// that is not Valid), as uuid or as text, and the pool's connections plan
// it with the kit's own encoding. Without that, pgx went through the
// string uuid's driver.Valuer returns, failing once in binary first.
func TestUUIDParameters(t *testing.T) {
	t.Parallel()
	a, b := uuid.MustParse("0b5bd8f6-7b43-4e7b-9d1e-55a1ad1e0c01"), uuid.MustParse("f3e1c2a4-1111-4c2d-8e9f-000000000002")
	text := func(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }
	tests := []struct {
		name  string
		value any
		cast  string // the SQL type the parameter is cast to
		want  sql.NullString
	}{
		{"uuid", a, "uuid", text(a.String())},
		{"uuid as text", a, "text", text(a.String())},
		{"valid NullUUID", uuid.NullUUID{UUID: b, Valid: true}, "uuid", text(b.String())},
		{"NullUUID not valid", uuid.NullUUID{UUID: b}, "uuid", sql.NullString{}},
		{"slice", []uuid.UUID{a, b}, "uuid[]", text("{" + a.String() + "," + b.String() + "}")},
		{"slice of NullUUID", []uuid.NullUUID{{UUID: a, Valid: true}, {}}, "uuid[]", text("{" + a.String() + ",NULL}")},
		{"empty slice", []uuid.UUID{}, "uuid[]", text("{}")},
		{"nil slice", []uuid.UUID(nil), "uuid[]", sql.NullString{}},
	}
	db := dbtest.New(t, t.Name()).DB
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct {
				V sql.NullString `db:"v"`
			}
			q := `SELECT CAST(CAST(:v AS ` + tt.cast + `) AS text) AS v`
			if err := sqldb.NamedQueryStruct(ctx, db, q, map[string]any{"v": tt.value}, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got.V); diff != "" {
				t.Errorf("value Postgres read (-want +got):\n%s", diff)
			}

			elem := reflect.ValueOf(tt.value)
			if elem.Kind() == reflect.Slice {
				elem = reflect.Zero(elem.Type().Elem())
			}
			var plan string
			err := conn.Raw(func(dc any) error {
				m := dc.(*stdlib.Conn).Conn().TypeMap()
				plan = fmt.Sprintf("%T", m.PlanEncode(pgtype.UUIDOID, pgtype.BinaryFormatCode, elem.Interface()))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if plan != "*sqldb.uuidPlan" {
				t.Errorf("a %s is planned as %s, not the kit's *sqldb.uuidPlan", elem.Type(), plan)
			}
		})
	}
}
