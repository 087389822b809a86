package sqldb

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// pgx encodes a uuid.UUID through the string its driver.Valuer returns:
// it tries that string in binary, fails (formatting an error), parses it
// back and encodes the result; a []string for a uuid[] failed in binary
// and went as text for Postgres to parse. That was a tenth of the API's
// CPU on a purchase. Wrapped as a pgtype.UUID, a uuid.UUID or
// uuid.NullUUID goes as its 16 bytes at once, alone or in an array.
func registerUUID(_ context.Context, conn *pgx.Conn) error {
	m := conn.TypeMap()
	m.TryWrapEncodePlanFuncs = append([]pgtype.TryWrapEncodePlanFunc{tryWrapUUID}, m.TryWrapEncodePlanFuncs...)
	return nil
}

// tryWrapUUID plans a uuid.UUID or uuid.NullUUID (NULL when not Valid)
// as the pgtype.UUID pgx encodes directly.
func tryWrapUUID(value any) (pgtype.WrappedEncodePlanNextSetter, any, bool) {
	v, ok := pgUUID(value)
	if !ok {
		return nil, nil, false
	}
	return &uuidPlan{}, v, true
}

func pgUUID(value any) (pgtype.UUID, bool) {
	switch id := value.(type) {
	case uuid.UUID:
		return pgtype.UUID{Bytes: id, Valid: true}, true
	case uuid.NullUUID:
		return pgtype.UUID{Bytes: id.UUID, Valid: id.Valid}, true
	}
	return pgtype.UUID{}, false
}

type uuidPlan struct{ next pgtype.EncodePlan }

func (p *uuidPlan) SetNext(next pgtype.EncodePlan) { p.next = next }

func (p *uuidPlan) Encode(value any, buf []byte) ([]byte, error) {
	v, ok := pgUUID(value)
	if !ok {
		return nil, fmt.Errorf("uuid plan given %T", value)
	}
	return p.next.Encode(v, buf)
}
