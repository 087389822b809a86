package idempotency_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/garagesale/service/app/sdk/errs"
	"github.com/garagesale/service/app/sdk/idempotency"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/foundation/web"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

type created struct {
	N       int `json:"n"`
	Attempt int `json:"attempt"`
}

type answer struct {
	Status int
	Body   string
	Replay string
}

// TestDo: a write sent with a key runs once, in one transaction with its
// answer: a deadlock on its first attempt runs the whole write again, a
// failed write stores nothing and may be retried, a retry of a success
// replays the stored answer, and the key with another body is refused.
// DoKnown keeps all of it and has stored the answer when the write runs.
func TestDo(t *testing.T) {
	for _, known := range []bool{false, true} {
		name := map[bool]string{false: "Do", true: "DoKnown"}[known]
		t.Run(name, func(t *testing.T) { testDo(t, known) })
	}
}

func testDo(t *testing.T, known bool) {
	db := dbtest.New(t, t.Name()).DB
	if _, err := db.Exec(`CREATE TABLE things (n INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	store := idempotency.NewStore(db, 0, nil)
	caller := uuid.New()
	errRefused := errs.Newf(errs.InvalidArgument, "refused")

	attempts := 0
	// write inserts n and fails as n and the attempt say; it reports how
	// many keys its transaction saw recorded as it started.
	write := func(ctx context.Context, tx *sqlx.Tx, n int) (recorded int, err error) {
		attempts++
		if err := tx.GetContext(ctx, &recorded, `SELECT count(*) FROM idempotency_keys`); err != nil {
			return 0, err
		}
		if err := sqldb.NamedExec(ctx, tx, `INSERT INTO things (n) VALUES (:n)`, map[string]any{"n": n}); err != nil {
			return 0, err
		}
		switch {
		case n < 0:
			return 0, errRefused
		case attempts == 1:
			return 0, sqldb.NamedExec(ctx, tx, `DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = 'deadlock_detected'; END $$`, map[string]any{})
		}
		return recorded, nil
	}
	recordedAtWrite := map[int]int{} // by n: keys recorded when its write ran
	send := func(key string, n int) answer {
		app := web.NewApp(web.Config{Mid: []web.MidFunc{errorsAsAnswers}})
		app.HandlerFunc(http.MethodPost, "/things", func(ctx context.Context, r *http.Request) (any, error) {
			if known {
				return store.DoKnown(ctx, r, caller, struct{ N int }{n}, web.Created(created{N: n}), func(tx *sqlx.Tx) error {
					recorded, err := write(ctx, tx, n)
					if err == nil {
						recordedAtWrite[n] = recorded
					}
					return err
				})
			}
			return store.Do(ctx, r, caller, struct{ N int }{n}, func(tx *sqlx.Tx) (any, error) {
				recorded, err := write(ctx, tx, n)
				if err != nil {
					return nil, err
				}
				recordedAtWrite[n] = recorded
				return web.Created(created{N: n, Attempt: attempts}), nil
			})
		})
		r := httptest.NewRequest(http.MethodPost, "/things", nil)
		if key != "none" {
			// "a\nb" sends the header twice.
			for _, k := range strings.Split(key, "\n") {
				r.Header.Add(idempotency.Header, k)
			}
		}
		w := httptest.NewRecorder()
		app.ServeHTTP(w, r)
		b, _ := io.ReadAll(w.Body)
		return answer{Status: w.Code, Body: string(b), Replay: w.Header().Get("Idempotent-Replayed")}
	}
	// body is a success's answer: DoKnown's was made before the write ran.
	body := func(n, attempt int) string {
		if known {
			attempt = 0
		}
		return fmt.Sprintf(`{"n":%d,"attempt":%d}`, n, attempt)
	}

	steps := []struct {
		name     string
		key      string
		n        int
		want     answer
		attempts int // writes run so far
	}{
		{"a deadlock runs the whole write again", "k1", 7, answer{Status: 201, Body: body(7, 2)}, 2},
		{"a retry replays the answer", "k1", 7, answer{Status: 201, Body: body(7, 2), Replay: "true"}, 2},
		{"the key with another body is refused", "k1", 8, answer{Status: 422}, 2},
		{"a failed write stores nothing", "k2", -1, answer{Status: 400}, 3},
		{"so the key runs again", "k2", 9, answer{Status: 201, Body: body(9, 4)}, 4},
		{"without a key nothing is kept", "none", 10, answer{Status: 201, Body: body(10, 5)}, 5},
		{"a malformed key is a 400", "\x01", 11, answer{Status: 400}, 5},
		{"an empty key is a 400, not none", "", 12, answer{Status: 400}, 5},
		{"two keys are a 400, not either", "k3\nk4", 13, answer{Status: 400}, 5},
	}
	for _, st := range steps {
		got := send(st.key, st.n)
		if st.want.Body == "" {
			got.Body = ""
		}
		if diff := cmp.Diff(st.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", st.name, diff)
		}
		if attempts != st.attempts {
			t.Errorf("%s: %d writes run, want %d", st.name, attempts, st.attempts)
		}
	}
	if diff := cmp.Diff([]int{7, 9, 10}, rows(t, db, `SELECT n FROM things ORDER BY n`)); diff != "" {
		t.Errorf("things (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{2}, rows(t, db, `SELECT count(*) FROM idempotency_keys`)); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	// Do records a key after its write, DoKnown before: k1 (n 7) is the
	// first key, k2's write (n 9) ran after k1's was committed, and n 10
	// has none of its own.
	want := map[int]int{7: 0, 9: 1, 10: 2}
	if known {
		want = map[int]int{7: 1, 9: 2, 10: 2}
	}
	if diff := cmp.Diff(want, recordedAtWrite); diff != "" {
		t.Errorf("keys recorded when each write ran (-want +got):\n%s", diff)
	}
}

// errorsAsAnswers is the API's error middleware in brief: an error is sent
// as its errs body.
func errorsAsAnswers(next web.HandlerFunc) web.HandlerFunc {
	return func(ctx context.Context, r *http.Request) (any, error) {
		resp, err := next(ctx, r)
		if err != nil {
			var e *errs.Error
			if errors.As(err, &e) {
				return e, nil
			}
			return errs.Of(err), nil
		}
		return resp, nil
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
