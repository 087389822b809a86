package sqldb

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// pgx sends a uuid.UUID as the string its driver.Valuer returns, and a
// string has no binary encoding as uuid: each such parameter failed
// once (formatting an error), was encoded again as text and parsed by
// Postgres, a tenth of the API's CPU on a purchase. Wrapped as a
// pgtype.UUID it goes as its 16 bytes, alone or in a uuid[] array.
func registerUUID(_ context.Context, conn *pgx.Conn) error {
	m := conn.TypeMap()
	m.TryWrapEncodePlanFuncs = append([]pgtype.TryWrapEncodePlanFunc{tryWrapUUID}, m.TryWrapEncodePlanFuncs...)
	return nil
}

// tryWrapUUID turns a uuid.UUID or uuid.NullUUID (NULL when not Valid)
// into the pgtype.UUID pgx encodes directly.
func tryWrapUUID(value any) (pgtype.WrappedEncodePlanNextSetter, any, bool) {
	switch id := value.(type) {
	case uuid.UUID:
		return &uuidPlan{}, pgtype.UUID{Bytes: id, Valid: true}, true
	case uuid.NullUUID:
		return &uuidPlan{}, pgtype.UUID{Bytes: id.UUID, Valid: id.Valid}, true
	}
	return nil, nil, false
}

type uuidPlan struct{ next pgtype.EncodePlan }

func (p *uuidPlan) SetNext(next pgtype.EncodePlan) { p.next = next }

func (p *uuidPlan) Encode(value any, buf []byte) ([]byte, error) {
	_, wrapped, _ := tryWrapUUID(value)
	return p.next.Encode(wrapped, buf)
}
