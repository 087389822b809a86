-- A replica's user cache remembers a user it found gone, lest a deleted
-- user's tokens, signed until they expire, read the database on every
-- request. A row that comes back under that id (a restore, plain SQL, the
-- development seed after its user was deleted) must reach every cache as
-- a deletion does: the trigger tells inserts too. users is live: the
-- trigger's replacement takes the table's lock for an instant, in its own
-- transaction.

-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION notify_user_change() RETURNS trigger AS $$
BEGIN
	PERFORM pg_notify('users_changed', nextval('users_change_seq') || ':' ||
		CASE TG_OP WHEN 'INSERT' THEN NEW.user_id ELSE OLD.user_id END);
	RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE OR REPLACE TRIGGER users_changed AFTER INSERT OR UPDATE OR DELETE ON users
	FOR EACH ROW EXECUTE FUNCTION notify_user_change();

-- +goose Down
CREATE OR REPLACE TRIGGER users_changed AFTER UPDATE OR DELETE ON users
	FOR EACH ROW EXECUTE FUNCTION notify_user_change();
