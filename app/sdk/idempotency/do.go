package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/foundation/web"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// Header is the request header of the IETF Idempotency-Key draft.
const Header = "Idempotency-Key"

// HeaderPattern and HeaderMaxLength bound the header's value for its
// documentation: printable ASCII, a key of 255 characters at most, or
// its quoted form with every character escaped. They admit every value
// the API takes, and some it refuses (its description says which).
const (
	HeaderPattern   = `^[ -~]+$`
	HeaderMaxLength = 2*255 + 2
)

// ReplayedHeader marks an answer replayed for a key: "true".
const ReplayedHeader = "Idempotent-Replayed"

// Do runs write, a handler's change, in one transaction and returns its
// answer. With an Idempotency-Key from caller, the transaction first takes
// the key: a key whose first request succeeded answers that answer again
// (marked Idempotent-Replayed) and does nothing; one first sent with
// another route or body (req, decoded) is 422; one whose first request
// still runs is 409 with Retry-After. Otherwise write's answer is stored
// with the key in the work's transaction, so the key is recorded exactly
// when the work is, and a write that fails stores nothing. write may run
// more than once (sqldb.Transact) and must have no effect outside the
// database.
func (s *Store) Do(ctx context.Context, r *http.Request, caller uuid.UUID, req any, write func(tx *sqlx.Tx) (any, error)) (any, error) {
	return s.do(ctx, r, caller, req, nil, write)
}

// DoKnown is Do for a write whose answer is known before it runs, such as
// the row it creates with the ID and time the handler chose. The answer
// is stored first, in the same transaction, so a write that queues on a
// row's lock (a purchase of a popular product) holds the lock for one
// round trip fewer; a write that fails still stores nothing. A nil
// answer (no body) is stored after the write, as Do stores it.
func (s *Store) DoKnown(ctx context.Context, r *http.Request, caller uuid.UUID, req any, answer any, write func(tx *sqlx.Tx) error) (any, error) {
	return s.do(ctx, r, caller, req, answer, func(tx *sqlx.Tx) (any, error) {
		return answer, write(tx)
	})
}

// do is Do, and DoKnown when known is not nil.
func (s *Store) do(ctx context.Context, r *http.Request, caller uuid.UUID, req any, known any, write func(tx *sqlx.Tx) (any, error)) (any, error) {
	// A header sent empty is a bad key, not none: its sender meant one;
	// and of two keys, neither can be taken for the one meant.
	switch values := r.Header.Values(Header); {
	case len(values) > 1:
		return nil, errs.NewFields(errs.FieldErrors{Header: "must be sent once: one key a request"})
	case len(values) == 0:
		var resp any
		err := sqldb.Transact(ctx, s.db, func(tx *sqlx.Tx) (err error) {
			resp, err = write(tx)
			return err
		})
		return resp, err
	}
	key, err := parseKey(r.Header.Get(Header))
	if err != nil {
		return nil, errs.NewFields(errs.FieldErrors{Header: err.Error()})
	}
	fp, err := fingerprint(r, req)
	if err != nil {
		return nil, err
	}
	k := Key{UserID: caller, Key: key}

	var resp any
	err = sqldb.Transact(ctx, s.db, func(tx *sqlx.Tx) error {
		rec, err := s.Take(ctx, tx, k)
		switch {
		case err == nil:
			if string(rec.Fingerprint) != string(fp) {
				return errKeyReused
			}
			resp = replay{rec: rec, replayed: true}
			return nil
		case !errors.Is(err, ErrNotFound):
			return err
		}

		if known != nil {
			if rec, err = s.save(ctx, tx, k, fp, known); err != nil {
				return err
			}
			if _, err := write(tx); err != nil {
				return err
			}
		} else {
			answer, err := write(tx)
			if err != nil {
				return err
			}
			if rec, err = s.save(ctx, tx, k, fp, answer); err != nil {
				return err
			}
		}
		resp = replay{rec: rec}
		return nil
	})
	switch {
	case errors.Is(err, errKeyReused):
		return nil, errs.Newf(errs.IdempotencyKeyReused, "%s %q was first sent with another request: use a new key for a new request", Header, key)
	case errors.Is(err, ErrInProgress):
		return nil, &errs.Error{Code: errs.Aborted, Message: "a request with this " + Header + " is still in progress: retry after it finishes",
			Cause: err, RetryAfter: errs.RetryAfterUnavailable}
	}
	return resp, err
}

// save stores answer as the record of k, made by the request fp names.
func (s *Store) save(ctx context.Context, tx *sqlx.Tx, k Key, fp []byte, answer any) (Record, error) {
	rec := Record{Fingerprint: fp, Status: web.StatusOf(answer), DateCreated: s.now()}
	if answer != nil {
		var err error
		if rec.Body, rec.ContentType, err = web.Encode(answer); err != nil {
			return Record{}, err
		}
	}
	return rec, s.Save(ctx, tx, k, rec)
}

var errKeyReused = errors.New("idempotency key reused with another request")

var errKeyQuotes = errors.New(`must be a quoted string whose quotes inside are escaped (\"), or a bare key without quotes`)

// parseKey reads the header's value: the draft makes it a structured-field
// string ("...", with \" and \\ its only escapes, RFC 8941); a bare token
// of printable ASCII without quotes is accepted too, as the same key as
// its quoted form. Each key has one reading: `"""` is refused, not taken
// for the key `"`.
func parseKey(raw string) (string, error) {
	key := raw
	if len(key) >= 2 && strings.HasPrefix(key, `"`) && strings.HasSuffix(key, `"`) {
		var b strings.Builder
		for i := 1; i < len(key)-1; i++ {
			c := key[i]
			switch {
			case c == '"':
				return "", errKeyQuotes
			case c == '\\' && i+1 < len(key)-1 && (key[i+1] == '"' || key[i+1] == '\\'):
				i++
				c = key[i]
			case c == '\\':
				return "", errors.New(`must escape only " and \ with a backslash`)
			}
			b.WriteByte(c)
		}
		key = b.String()
	} else if strings.Contains(key, `"`) {
		return "", errKeyQuotes
	}
	if key == "" || len(key) > 255 {
		return "", errors.New("must be 1 to 255 characters")
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < 0x20 || c > 0x7e {
			return "", errors.New("must be printable ASCII")
		}
	}
	return key, nil
}

// fingerprint identifies the request a key was sent with: its route
// pattern (method and path) and its body as decoded.
func fingerprint(r *http.Request, req any) ([]byte, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("fingerprint the request: %w", err)
	}
	sum := sha256.Sum256(append([]byte(r.Pattern+"\x00"+r.URL.Path+"\x00"), body...))
	return sum[:], nil
}

// replay is a stored answer, sent as its bytes were first sent.
type replay struct {
	rec      Record
	replayed bool
}

func (r replay) Encode() ([]byte, string, error) { return r.rec.Body, r.rec.ContentType, nil }
func (r replay) HTTPStatus() int                 { return r.rec.Status }
func (r replay) HTTPHeader() http.Header {
	if !r.replayed {
		return nil
	}
	return http.Header{ReplayedHeader: {"true"}}
}
