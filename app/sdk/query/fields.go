package query

import (
	"errors"
	"time"

	"github.com/google/uuid"
)

// errRequired is a required body field that was not sent.
var errRequired = errors.New("is required")

// ParseUUID reads a body field holding an ID, with a message fit for the
// field's error: the client's text is not echoed back.
func ParseUUID(s string) (uuid.UUID, error) {
	if s == "" {
		return uuid.Nil, errRequired
	}
	id, err := parseUUID(s)
	if err != nil {
		return uuid.Nil, errors.New("must be a UUID")
	}
	return id, nil
}

// parseUUID reads the one form of a UUID the API documents, 36
// characters of hex digits and hyphens (8-4-4-4-12, either case):
// uuid.Parse also takes it in braces, after "urn:uuid:" and as 32 bare
// digits, which a client checked against the document would not send and
// a cache keyed by the path would count as other resources.
func parseUUID(s string) (uuid.UUID, error) {
	if len(s) != 36 {
		return uuid.Nil, errors.New("not 36 characters")
	}
	return uuid.Parse(s)
}

// TimeLayout is how the API answers a time: RFC 3339 in UTC to the
// microsecond, as Postgres keeps it, so a time answered is the time
// stored (and a filter's bound hits it exactly), in a fixed width whose
// text sorts as the time does.
const TimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// FormatTime is t as the API answers it (TimeLayout).
func FormatTime(t time.Time) string {
	return t.UTC().Format(TimeLayout)
}

// ParseTime reads a body field holding a time in RFC 3339, in UTC at the
// database's microsecond precision, so what is stored is what was sent.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errRequired
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, errors.New("must be a time in RFC 3339, like 2026-01-02T15:04:05Z")
	}
	return t.UTC().Truncate(time.Microsecond), nil
}
