-- +goose Up

-- Every change to a user, whoever makes it (the API, sales-admin, psql),
-- tells every listening API replica which user changed and the change's
-- number, when it commits, so a replica's cache of users never outlives
-- the row.
CREATE SEQUENCE users_change_seq;

-- +goose StatementBegin
CREATE FUNCTION notify_user_change() RETURNS trigger AS $$
BEGIN
	PERFORM pg_notify('users_changed', nextval('users_change_seq') || ':' || OLD.user_id);
	RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER users_changed AFTER UPDATE OR DELETE ON users
	FOR EACH ROW EXECUTE FUNCTION notify_user_change();

-- The replicas' listeners, by the pid of their Postgres session, with the
-- last change each has dropped from its cache: a writer waits until every
-- live listener has passed its change before it answers, so no replica can
-- serve the old user afterwards.
CREATE UNLOGGED TABLE user_cache_listeners (
	pid     INTEGER     NOT NULL,
	acked   BIGINT      NOT NULL,
	updated TIMESTAMPTZ NOT NULL,

	PRIMARY KEY (pid)
);

-- +goose Down
DROP TABLE user_cache_listeners;
DROP TRIGGER users_changed ON users;
DROP FUNCTION notify_user_change();
DROP SEQUENCE users_change_seq;
