package mid_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/mid"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/idempotency"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/foundation/web"
	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"
)

func TestMain(m *testing.M) {
	dbtest.Main(m)
}

type created struct {
	N       int `json:"n"`
	Attempt int `json:"attempt"`
}

// TestIdempotentRetriesTheWholeRequest: a handler whose transaction loses
// a deadlock on its first attempt is run again, body and all, in a fresh
// transaction; the key is stored once, with the answer of the attempt
// that committed, and a retry of the request replays that answer.
func TestIdempotentRetriesTheWholeRequest(t *testing.T) {
	db := dbtest.New(t, t.Name()).DB
	if _, err := db.Exec(`CREATE TABLE things (n INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}

	var attempts atomic.Int64
	handler := func(ctx context.Context, r *http.Request) any {
		attempt := int(attempts.Add(1))
		var body struct{ N int }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return errs.Newf(errs.InvalidArgument, "body: %v", err)
		}
		// A business's own transaction: under the middleware it is a
		// savepoint of the request's.
		err := sqldb.Transact(ctx, db, func(ctx context.Context) error {
			if err := sqldb.NamedExec(ctx, db, `INSERT INTO things (n) VALUES (:n)`, map[string]any{"n": body.N}); err != nil {
				return err
			}
			if attempt == 1 {
				return sqldb.NamedExec(ctx, db, `DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = 'deadlock_detected'; END $$`, map[string]any{})
			}
			return nil
		})
		if err != nil {
			return errs.Of(err)
		}
		return web.Created(created{N: body.N, Attempt: attempt})
	}

	app := web.NewApp(web.Config{})
	store := idempotency.NewStore(db, 0, nil)
	app.HandlerFunc(http.MethodPost, "/things", handler, mid.Idempotent(db, store))

	send := func() (int, string, http.Header) {
		r := httptest.NewRequest(http.MethodPost, "/things", strings.NewReader(`{"N":7}`))
		r.Header.Set(mid.IdempotencyHeader, "key-1")
		w := httptest.NewRecorder()
		app.ServeHTTP(w, r)
		b, _ := io.ReadAll(w.Body)
		return w.Code, string(b), w.Header()
	}

	status, body, _ := send()
	if status != http.StatusCreated || body != `{"n":7,"attempt":2}` {
		t.Fatalf("first send: %d %s; want 201 from the second attempt", status, body)
	}
	status, replay, header := send()
	if status != http.StatusCreated || replay != body || header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry: %d %s %v; want the stored 201 replayed", status, replay, header)
	}
	if got := attempts.Load(); got != 2 {
		t.Errorf("handler ran %d times, want 2 (the retry is a replay)", got)
	}
	if diff := cmp.Diff([]int{7}, rows(t, db, `SELECT n FROM things`)); diff != "" {
		t.Errorf("things (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{1}, rows(t, db, `SELECT count(*) FROM idempotency_keys`)); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}

func rows(t *testing.T, db *sqlx.DB, q string) []int {
	t.Helper()
	var out []int
	if err := db.Select(&out, q); err != nil {
		t.Fatal(err)
	}
	return out
}
