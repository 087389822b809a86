package userdb_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/garagesale/service/business/domain/userbus/stores/userdb"
	"github.com/garagesale/service/business/sdk/dbtest"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

// TestStaleListenerRowsAreNotListeners: a listener row whose pid another
// process has now (a row restored from a dump, or left by a session that
// ended) is no listener: no change waits for it, and the next listener to
// register sweeps it. Counted by pid alone, a row naming the checkpointer
// made every user change wait a second, for good.
func TestStaleListenerRowsAreNotListeners(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t, t.Name())

	live := registeredListener(t, db.DB)
	// Stale rows: the checkpointer's pid, and a session's pid in a row
	// written before the session began.
	for _, q := range []string{
		`INSERT INTO user_cache_listeners (pid, acked, updated)
			SELECT pid, 0, now() FROM pg_stat_activity WHERE backend_type = 'checkpointer'`,
		`INSERT INTO user_cache_listeners (pid, acked, updated)
			SELECT pg_backend_pid(), 0, now() - interval '1 day'`,
	} {
		if res, err := db.DB.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		} else if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("%s: %d rows", q, n)
		}
	}

	behind, err := (userdb.Store{}).ListenersBehind(ctx, db.DB, nextChange(t, db.DB))
	if err != nil {
		t.Fatal(err)
	}
	if behind != 1 {
		t.Errorf("%d listeners behind, want 1: the live one", behind)
	}

	if err := (userdb.Store{}).RegisterListener(ctx, db.DB, live); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := db.DB.GetContext(ctx, &rows, `SELECT count(*) FROM user_cache_listeners`); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Errorf("%d listener rows after a registration, want 1: the stale ones swept", rows)
	}
}

// TestAnotherRolesListenerIsLive: a replica logged in as another role
// (rotated credentials) sees another's listener session only by its pid
// and database; that listener is live to it, and its registration sweeps
// nothing but dead rows.
func TestAnotherRolesListenerIsLive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t, t.Name())

	live := registeredListener(t, db.DB)

	role := "listener_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	for _, q := range []string{
		`CREATE ROLE ` + role + ` LOGIN PASSWORD 'other-role'`,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON user_cache_listeners TO ` + role,
		`GRANT USAGE, SELECT ON SEQUENCE users_change_seq TO ` + role,
	} {
		if _, err := db.DB.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		db.DB.ExecContext(context.Background(), `REVOKE ALL ON user_cache_listeners FROM `+role)
		db.DB.ExecContext(context.Background(), `REVOKE ALL ON SEQUENCE users_change_seq FROM `+role)
		db.DB.ExecContext(context.Background(), `DROP ROLE IF EXISTS `+role)
	})
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(role, "other-role")
	other, err := sqldb.OpenURL(u.String())
	if err != nil {
		t.Fatal(err)
	}
	// Closed after the listener session it holds (cleanups run last first).
	t.Cleanup(func() { other.Close() })
	otherPID := registeredListener(t, other.DB)

	behind, err := (userdb.Store{}).ListenersBehind(ctx, other.DB, nextChange(t, db.DB))
	if err != nil {
		t.Fatal(err)
	}
	if behind != 2 {
		t.Errorf("another role sees %d listeners behind, want 2: its own and the first role's", behind)
	}
	var pids []uint32
	if err := db.DB.SelectContext(ctx, &pids, `SELECT pid FROM user_cache_listeners ORDER BY pid`); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(pids, live) || !slices.Contains(pids, otherPID) {
		t.Errorf("listeners after the other role registered: %v, want both %d and %d", pids, live, otherPID)
	}
}

// TestANewListenerIsBehindNoEarlierChange: a listener that registers
// after a change was marked never hears it, and is not waited for; it is
// for a change marked after it. Registered as having heard nothing, it
// kept the writer of every change marked just before a replica started
// waiting its whole bound, and told it a replica was behind.
func TestANewListenerIsBehindNoEarlierChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t, t.Name())

	before, err := (userdb.Store{}).MarkChange(ctx, db.DB, uuid.New())
	if err != nil {
		t.Fatal(err)
	}
	registeredListener(t, db.DB)
	after, err := (userdb.Store{}).MarkChange(ctx, db.DB, uuid.New())
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		change int64
		want   int
	}{{before, 0}, {after, 1}} {
		behind, err := (userdb.Store{}).ListenersBehind(ctx, db.DB, c.change)
		if err != nil {
			t.Fatal(err)
		}
		if behind != c.want {
			t.Errorf("change %d: %d listeners behind, want %d", c.change, behind, c.want)
		}
	}
}

// nextChange is a change number after every one so far.
func nextChange(t *testing.T, db *sqlx.DB) int64 {
	t.Helper()
	seq, err := (userdb.Store{}).MarkChange(context.Background(), db, uuid.New())
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// registeredListener opens a session of db's that stays open while the
// test runs and registers it as a listener, as a replica's would be.
func registeredListener(t *testing.T, db *sqlx.DB) uint32 {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var pid uint32
	if err := conn.GetContext(ctx, &pid, `SELECT pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	if err := (userdb.Store{}).RegisterListener(ctx, db, pid); err != nil {
		t.Fatal(err)
	}
	return pid
}
