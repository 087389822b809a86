// Package userdb stores users in Postgres.
package userdb

import (
	"context"
	"errors"
	"fmt"

	"github.com/garagesale/service/business/domain/userbus"
	"github.com/garagesale/service/business/sdk/order"
	"github.com/garagesale/service/business/sdk/page"
	"github.com/garagesale/service/business/sdk/sqldb"
	"github.com/garagesale/service/business/types/email"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
)

const columns = `user_id, name, email, roles, password_hash, department, enabled, token_version, date_created, date_updated`

// Store manages the users table, on the db each method is given.
type Store struct{}

// Create implements userbus.Storer.
func (s Store) Create(ctx context.Context, db sqlx.ExtContext, usr userbus.User) error {
	const q = `
	INSERT INTO users
		(user_id, name, email, roles, password_hash, department, enabled, token_version, date_created, date_updated)
	VALUES
		(:user_id, :name, :email, :roles, :password_hash, :department, :enabled, :token_version, :date_created, :date_updated)`

	return mapErr(sqldb.NamedExec(ctx, db, q, toDBUser(usr)))
}

// Update implements userbus.Storer.
func (s Store) Update(ctx context.Context, db sqlx.ExtContext, usr userbus.User) error {
	const q = `
	UPDATE users SET
		name = :name,
		email = :email,
		roles = :roles,
		password_hash = :password_hash,
		department = :department,
		enabled = :enabled,
		token_version = :token_version,
		date_updated = :date_updated
	WHERE user_id = :user_id`

	return mapErr(sqldb.NamedExecOne(ctx, db, q, toDBUser(usr)))
}

// Delete implements userbus.Storer.
func (s Store) Delete(ctx context.Context, db sqlx.ExtContext, id uuid.UUID) error {
	const q = `DELETE FROM users WHERE user_id = :user_id`

	return mapErr(sqldb.NamedExecOne(ctx, db, q, map[string]any{"user_id": id}))
}

// Query implements userbus.Storer.
func (s Store) Query(ctx context.Context, db sqlx.ExtContext, filter userbus.QueryFilter, orderBy order.By, pg page.Page) (page.Of[userbus.User], error) {
	rows, err := sqldb.QueryPage[user](ctx, db, selectUsers(filter, orderBy), pg)
	if err != nil {
		return page.Of[userbus.User]{}, err
	}
	return sqldb.LoadPage(rows, toBusUser)
}

// QueryByID implements userbus.Storer.
func (s Store) QueryByID(ctx context.Context, db sqlx.ExtContext, id uuid.UUID) (userbus.User, error) {
	return s.queryOne(ctx, db, `WHERE user_id = :user_id`, map[string]any{"user_id": id})
}

// QueryByIDForUpdate implements userbus.Storer.
func (s Store) QueryByIDForUpdate(ctx context.Context, db sqlx.ExtContext, id uuid.UUID) (userbus.User, error) {
	// NO KEY UPDATE, as an UPDATE of the row takes: the key-share locks of
	// other rows' foreign keys (a sale's buyer, an upload's seller) do
	// not wait for it. A rename updates the user's products while it
	// holds this lock, and an upload holding those products waits for its
	// seller's key share: with FOR UPDATE the two deadlocked.
	return s.queryOne(ctx, db, `WHERE user_id = :user_id FOR NO KEY UPDATE`, map[string]any{"user_id": id})
}

// LockAdmins implements userbus.Storer with a transaction-scoped advisory
// lock, taken before any user row, so it adds no lock cycle.
func (s Store) LockAdmins(ctx context.Context, db sqlx.ExtContext) error {
	const q = `SELECT pg_advisory_xact_lock(hashtextextended('userbus.admins', 0))`
	return sqldb.NamedExec(ctx, db, q, map[string]any{})
}

// CountEnabledAdmins implements userbus.Storer.
func (s Store) CountEnabledAdmins(ctx context.Context, db sqlx.ExtContext, except uuid.UUID) (int, error) {
	w := sqldb.NewWhere()
	w.AddN(`enabled AND 'ADMIN' = ANY(roles)`, nil)
	w.Add(`user_id <> :except`, "except", except)
	return sqldb.Count(ctx, db, "users", w)
}

// LastChange implements userbus.Storer: the users trigger numbered the
// change from users_change_seq.
func (s Store) LastChange(ctx context.Context, db sqlx.ExtContext) (int64, error) {
	var row struct {
		Seq int64 `db:"seq"`
	}
	if err := sqldb.NamedQueryStruct(ctx, db, `SELECT currval('users_change_seq') AS seq`, map[string]any{}, &row); err != nil {
		return 0, err
	}
	return row.Seq, nil
}

// MarkChange implements userbus.Storer: a notification sent in its own
// transaction, after the caller's committed, is heard after it. ('::' is
// sqlx's spelling of a colon.)
func (s Store) MarkChange(ctx context.Context, db sqlx.ExtContext, id uuid.UUID) (int64, error) {
	const q = `
	SELECT m.seq FROM (SELECT nextval('users_change_seq') AS seq) m
	CROSS JOIN LATERAL (SELECT pg_notify(:channel, m.seq || '::' || CAST(:user_id AS text))) n`
	var row struct {
		Seq int64 `db:"seq"`
	}
	if err := sqldb.NamedQueryStruct(ctx, db, q, map[string]any{"channel": userbus.UsersChanged, "user_id": id}, &row); err != nil {
		return 0, err
	}
	return row.Seq, nil
}

// ListenersBehind implements userbus.Storer, counting live sessions only.
func (s Store) ListenersBehind(ctx context.Context, db sqlx.ExtContext, seq int64) (int, error) {
	w := sqldb.NewWhere()
	w.Add(`l.acked < :seq`, "seq", seq)
	w.AddN(listenerLive, nil)
	return sqldb.Count(ctx, db, "user_cache_listeners l", w)
}

// listenerLive is true of a listener row l whose session still runs: a
// client session of this database, with its pid, that began before the
// row was written. A pid alone is not a session: a row restored from a
// dump, or left by a session that ended, names a pid that another
// process (the checkpointer, a later session) may have now, and every
// user change then waited a second for a listener that would never
// answer. Of another role's session, a role without pg_read_all_stats
// sees the pid and the database but not the session's kind or start:
// such a session is taken as live, lest a replica logged in as another
// role (rotated credentials) be swept while it listens. The checkpointer
// and its kind have no database, so they never match.
const listenerLive = `EXISTS (
		SELECT 1 FROM pg_stat_activity a
		WHERE a.pid = l.pid AND a.datname = current_database()
			AND coalesce(a.backend_type = 'client backend', true)
			AND coalesce(a.backend_start <= l.updated, true))`

// RegisterListener implements userbus.CacheStore, dropping ended sessions.
// The listener starts as having acknowledged every change numbered so
// far: its LISTEN is in place, so it hears every one to come, and a
// writer waiting for a mark numbered before it waited its whole bound
// for a replica that started meanwhile and never heard it. It has nothing
// of that change to drop: a mark is numbered after its change committed,
// and the cache serves nothing until it hears a heartbeat sent after
// this, so after the change's notification (if it committed after the
// LISTEN) or with the change read from the database (if before). A
// writer whose mark failed waits for its change's own number instead,
// which this may count as heard while its transaction, numbered before,
// commits after: the weaker wait that fallback already was.
func (s Store) RegisterListener(ctx context.Context, db sqlx.ExtContext, pid uint32) error {
	const q = `
	WITH gone AS (
		DELETE FROM user_cache_listeners l WHERE NOT ` + listenerLive + `
	), numbered AS (
		SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS seq FROM users_change_seq
	)
	INSERT INTO user_cache_listeners (pid, acked, updated) SELECT :pid, seq, now() FROM numbered
	ON CONFLICT (pid) DO UPDATE SET acked = EXCLUDED.acked, updated = now()`
	return sqldb.NamedExec(ctx, db, q, map[string]any{"pid": int64(pid)})
}

// AckChange implements userbus.CacheStore.
func (s Store) AckChange(ctx context.Context, db sqlx.ExtContext, pid uint32, seq int64) error {
	const q = `
	UPDATE user_cache_listeners SET acked = greatest(acked, :seq), updated = now()
	WHERE pid = :pid`
	return sqldb.NamedExec(ctx, db, q, map[string]any{"pid": int64(pid), "seq": seq})
}

// QueryByEmail implements userbus.Storer.
func (s Store) QueryByEmail(ctx context.Context, db sqlx.ExtContext, addr email.Email) (userbus.User, error) {
	return s.queryOne(ctx, db, `WHERE email_fold(email) = email_fold(:email)`, map[string]any{"email": addr.String()})
}

// ExistingIDs implements userbus.Storer.
func (s Store) ExistingIDs(ctx context.Context, db sqlx.ExtContext, ids []uuid.UUID) (map[uuid.UUID]bool, error) {
	const q = `SELECT user_id FROM users WHERE user_id = ANY(CAST(:ids AS uuid[]))`

	var rows []struct {
		ID uuid.UUID `db:"user_id"`
	}
	if err := sqldb.NamedQuerySlice(ctx, db, q, map[string]any{"ids": ids}, &rows); err != nil {
		return nil, mapErr(err)
	}
	found := make(map[uuid.UUID]bool, len(rows))
	for _, r := range rows {
		found[r.ID] = true
	}
	return found, nil
}

func (s Store) queryOne(ctx context.Context, db sqlx.ExtContext, where string, data map[string]any) (userbus.User, error) {
	q := `SELECT ` + columns + ` FROM users ` + where

	var row user
	if err := sqldb.NamedQueryStruct(ctx, db, q, data, &row); err != nil {
		return userbus.User{}, mapErr(err)
	}
	return toBusUser(row)
}

// mapErr turns the database's errors into the domain's; nil stays nil.
func mapErr(err error) error {
	switch {
	case errors.Is(err, sqldb.ErrDBNotFound):
		return userbus.ErrNotFound
	case errors.Is(err, sqldb.ErrDBDuplicatedEntry):
		return fmt.Errorf("%w: %w", userbus.ErrUniqueEmail, err)
	case errors.Is(err, sqldb.ErrDBReferenced):
		return fmt.Errorf("%w: %w", userbus.ErrHasDependents, err)
	}
	return err
}

// toWhere returns the conditions of filter on the users table.
func toWhere(filter userbus.QueryFilter) *sqldb.Where {
	w := sqldb.NewWhere()
	if filter.ID != nil {
		w.Add("user_id = :user_id", "user_id", *filter.ID)
	}
	if filter.Name != nil {
		w.Search("name", "name", *filter.Name)
	}
	if filter.Email != nil {
		w.Add("email_fold(email) = email_fold(:email)", "email", filter.Email.String())
	}
	if filter.Enabled != nil {
		w.Add("enabled = :enabled", "enabled", *filter.Enabled)
	}
	if filter.StartCreatedDate != nil {
		w.Add("date_created >= :start_date_created", "start_date_created", filter.StartCreatedDate.UTC())
	}
	if filter.EndCreatedDate != nil {
		w.Add("date_created < :end_date_created", "end_date_created", filter.EndCreatedDate.UTC())
	}
	return w
}

var orderByColumns = map[string]string{
	userbus.OrderByID:          "user_id",
	userbus.OrderByName:        "name",
	userbus.OrderByEmail:       "lower(email)",
	userbus.OrderByEnabled:     "enabled",
	userbus.OrderByDateCreated: "date_created",
}

// selectUsers is the list query for filter and orderBy.
func selectUsers(filter userbus.QueryFilter, orderBy order.By) sqldb.Select {
	return sqldb.Select{
		Columns: columns, From: "users", Where: toWhere(filter),
		Order: orderBy, OrderColumns: orderByColumns, Tiebreak: "user_id",
	}
}
