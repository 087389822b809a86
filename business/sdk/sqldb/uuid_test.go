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
// that is not Valid), and the pool's connections encode it in binary,
// which pgx cannot do from the string uuid's driver.Valuer returns (it
// fails, then sends text: the cost this registration removes).
func TestUUIDParameters(t *testing.T) {
	t.Parallel()
	a, b := uuid.MustParse("0b5bd8f6-7b43-4e7b-9d1e-55a1ad1e0c01"), uuid.MustParse("f3e1c2a4-1111-4c2d-8e9f-000000000002")
	tests := []struct {
		name  string
		value any
		cast  string // the SQL type the parameter is cast to
		oid   uint32
		want  sql.NullString
	}{
		{"uuid", a, "uuid", pgtype.UUIDOID, sql.NullString{String: a.String(), Valid: true}},
		{"valid NullUUID", uuid.NullUUID{UUID: b, Valid: true}, "uuid", pgtype.UUIDOID, sql.NullString{String: b.String(), Valid: true}},
		{"NullUUID not valid", uuid.NullUUID{UUID: b}, "uuid", pgtype.UUIDOID, sql.NullString{}},
		{"slice", []uuid.UUID{a, b}, "uuid[]", pgtype.UUIDArrayOID, sql.NullString{String: "{" + a.String() + "," + b.String() + "}", Valid: true}},
		{"slice of NullUUID", []uuid.NullUUID{{UUID: a, Valid: true}, {}}, "uuid[]", pgtype.UUIDArrayOID, sql.NullString{String: "{" + a.String() + ",NULL}", Valid: true}},
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
			err := conn.Raw(func(dc any) error {
				m := dc.(*stdlib.Conn).Conn().TypeMap()
				if _, err := m.Encode(tt.oid, pgtype.BinaryFormatCode, tt.value, nil); err != nil {
					return err
				}
				// pgx's fallback for a driver.Valuer encodes too, the slow
				// way; a plan of that type means the registration is gone.
				elem := reflect.ValueOf(tt.value)
				if elem.Kind() == reflect.Slice {
					elem = elem.Index(0)
				}
				if plan := m.PlanEncode(pgtype.UUIDOID, pgtype.BinaryFormatCode, elem.Interface()); fmt.Sprintf("%T", plan) == "*pgtype.encodePlanDriverValuer" {
					return fmt.Errorf("%T is encoded through the string its driver.Valuer returns", elem.Interface())
				}
				return nil
			})
			if err != nil {
				t.Errorf("binary encoding: %v", err)
			}
		})
	}
}
