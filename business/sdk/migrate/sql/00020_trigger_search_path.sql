-- The triggers' functions name the tables and the sequence they use
-- without a schema, so they ran only where the session's search_path
-- found them. pg_restore empties it: a restore of data alone into a
-- migrated database (--data-only, the way to move rows into a schema the
-- API made) failed on every user and product, and the rows that refer to
-- them after. Each function now carries the search_path of the
-- migration that made it, whoever calls it. Altering a function locks
-- no table.

-- +goose Up
ALTER FUNCTION notify_user_change() SET search_path FROM CURRENT;
ALTER FUNCTION product_owner_name() SET search_path FROM CURRENT;
ALTER FUNCTION owner_renamed() SET search_path FROM CURRENT;

-- +goose Down
ALTER FUNCTION notify_user_change() RESET search_path;
ALTER FUNCTION product_owner_name() RESET search_path;
ALTER FUNCTION owner_renamed() RESET search_path;
