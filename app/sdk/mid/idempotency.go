package mid

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/business/sdk/idempotency"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/foundation/web"
	"github.com/jmoiron/sqlx"
)

// IdempotencyHeader is the request header of the IETF Idempotency-Key
// draft.
const IdempotencyHeader = "Idempotency-Key"

// maxKeyLen bounds an Idempotency-Key.
const maxKeyLen = 255

// Idempotent makes a route safe to retry with an Idempotency-Key (the IETF
// httpapi draft). Without the header the route runs as usual. With it,
// the whole request runs in one transaction (sqldb.Transact) that first
// takes the caller's key:
//   - a key whose first request succeeded answers with that request's
//     status and body again, marked Idempotent-Replayed, and does nothing;
//   - the same key with another method, route or body is 422;
//   - a key whose first request is still running is 409, with Retry-After;
//   - otherwise the handler runs, and a 2xx answer is stored with the key
//     in the same transaction as the work, so the key is recorded exactly
//     when the work is. An answer that is not 2xx rolls back and is not
//     stored: the work did not happen, and a retry runs it again.
//
// It belongs after Authenticate: keys are per caller.
func Idempotent(db *sqlx.DB, store *idempotency.Store) web.MidFunc {
	return func(next web.HandlerFunc) web.HandlerFunc {
		return func(ctx context.Context, r *http.Request) any {
			raw := r.Header.Get(IdempotencyHeader)
			if raw == "" {
				return next(ctx, r)
			}
			key, err := parseKey(raw)
			if err != nil {
				return errs.NewFields(errs.FieldErrors{IdempotencyHeader: err.Error()})
			}
			body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, web.MaxBodyBytes))
			if err != nil {
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) {
					return errs.Newf(errs.PayloadTooLarge, "request body must be at most %d bytes", web.MaxBodyBytes)
				}
				return errs.Newf(errs.InvalidArgument, "read body: %w", err)
			}
			k := idempotency.Key{UserID: ActorID(ctx), Key: key}
			fp := fingerprint(r, body)

			var resp any
			err = sqldb.Transact(ctx, db, func(ctx context.Context) error {
				if err := store.Lock(ctx, k); err != nil {
					return err
				}
				rec, err := store.Lookup(ctx, k)
				switch {
				case err == nil:
					if !bytes.Equal(rec.Fingerprint, fp) {
						return errKeyReused
					}
					resp = replay{rec: rec, replayed: true}
					return nil
				case !errors.Is(err, idempotency.ErrNotFound):
					return err
				}

				// The transaction may run again after a conflict: each
				// attempt reads the body afresh.
				r.Body = io.NopCloser(bytes.NewReader(body))
				resp = next(ctx, r.WithContext(ctx))
				status := web.StatusOf(resp)
				if status < 200 || status > 299 {
					if e, ok := resp.(error); ok && errors.Is(e, sqldb.ErrDBConflict) {
						return e // run the whole again
					}
					return errNotStored
				}
				rec, err = record(resp, status, fp, store)
				if err != nil {
					return err
				}
				if err := store.Save(ctx, k, rec); err != nil {
					return err
				}
				resp = replay{rec: rec}
				return nil
			})
			switch {
			case err == nil, errors.Is(err, errNotStored):
				return resp
			case errors.Is(err, errKeyReused):
				return errs.Newf(errs.IdempotencyKeyReused, "%s %q was first sent with another request: use a new key for a new request", IdempotencyHeader, key)
			case errors.Is(err, idempotency.ErrInProgress):
				return &errs.Error{
					Code:       errs.Aborted,
					Message:    "a request with this " + IdempotencyHeader + " is still in progress: retry after it finishes",
					Cause:      err,
					RetryAfter: errs.RetryAfterUnavailable,
				}
			}
			return errs.Of(err)
		}
	}
}

var (
	errKeyReused = errors.New("idempotency key reused with another request")
	errNotStored = errors.New("the answer is not a success: nothing is stored")
)

// parseKey reads the header's value: the draft makes it a structured-field
// string ("..."); a bare token is accepted too. It must be printable ASCII
// and at most maxKeyLen long.
func parseKey(raw string) (string, error) {
	key := raw
	if len(key) >= 2 && strings.HasPrefix(key, `"`) && strings.HasSuffix(key, `"`) {
		key = key[1 : len(key)-1]
	}
	if key == "" || len(key) > maxKeyLen {
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
// pattern (method and path) and its body.
func fingerprint(r *http.Request, body []byte) []byte {
	h := sha256.New()
	io.WriteString(h, r.Pattern)
	h.Write([]byte{0})
	io.WriteString(h, r.URL.Path)
	h.Write([]byte{0})
	h.Write(body)
	return h.Sum(nil)
}

func record(resp any, status int, fp []byte, store *idempotency.Store) (idempotency.Record, error) {
	rec := idempotency.Record{Fingerprint: fp, Status: status, DateCreated: store.Now()}
	if resp == nil {
		return rec, nil
	}
	data, contentType, err := web.Encode(resp)
	if err != nil {
		return idempotency.Record{}, err
	}
	rec.Body, rec.ContentType = data, contentType
	return rec, nil
}

// replay is a stored answer, sent as it was first sent: its bytes, not
// the JSON of a replay.
type replay struct {
	rec      idempotency.Record
	replayed bool
}

func (r replay) Encode() ([]byte, string, error) { return r.rec.Body, r.rec.ContentType, nil }
func (r replay) HTTPStatus() int                 { return r.rec.Status }
func (r replay) HTTPHeader() http.Header {
	if !r.replayed {
		return nil
	}
	return http.Header{"Idempotent-Replayed": {"true"}}
}
