-- Emails are unique regardless of case, and a login finds its account in
-- any case; lower() is not enough for that. It leaves the letters that
-- are lower case already yet stand for another one, which Unicode's case
-- folding maps: the Greek final sigma above all (lower('ΣΟΦΊΑΣ') is
-- 'σοφίασ', while the address was written 'σοφίας'), so one address made
-- two accounts, and an account's address in capitals did not log in.
-- email_fold maps those letters as the folding does (the Turkish dotless
-- ı stays: it is no i), then lowers, then maps a final sigma once more
-- (a database whose locale is ICU's lowers a closing Σ to ς, and İ to i
-- with a dot above, so İ is mapped to i first); the unique index, under
-- the name it had, and every lookup by address use it. users is live: the index
-- is built beside the old one, swapped in by two renames, the old one
-- dropped, all concurrently, and each step is safe to run again
-- (docs/migrations.md). Accounts whose addresses are now equal stop the
-- migration, named, before it builds anything. Pods of the release before
-- still look addresses up by lower(email): the order index on
-- (lower(email), user_id) answers them.

-- +goose NO TRANSACTION
-- +goose Up
SET lock_timeout = 0;
SET statement_timeout = 0;
CREATE OR REPLACE FUNCTION email_fold(email text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$ SELECT translate(lower(translate(email, 'µſͅςϐϑϕϖϰϱϵᲀᲁᲂᲃᲄᲅᲆᲇᲈẛιİ', 'μsισβθφπκρεвдосттъѣꙋṡιi')), 'ς', 'σ') $$;
-- +goose StatementBegin
DO $$
DECLARE
	same text;
BEGIN
	SELECT string_agg(format('%s (%s)', addresses, ids), '; ') INTO same
	FROM (SELECT string_agg(email, ' and ' ORDER BY email) AS addresses, string_agg(user_id::text, ', ' ORDER BY email) AS ids
		FROM users GROUP BY email_fold(email) HAVING count(*) > 1) d;
	IF same IS NOT NULL THEN
		RAISE EXCEPTION 'accounts whose addresses differ only in case: %: give all but one of each another address (PUT /v1/users/{userID}), or delete them, then migrate again', same;
	END IF;
END
$$;
-- +goose StatementEnd
DROP INDEX CONCURRENTLY IF EXISTS users_email_key_old;
DROP INDEX CONCURRENTLY IF EXISTS users_email_key_new;
CREATE UNIQUE INDEX CONCURRENTLY users_email_key_new ON users (email_fold(email));
-- +goose StatementBegin
DO $$
BEGIN
	ALTER INDEX users_email_key RENAME TO users_email_key_old;
	ALTER INDEX users_email_key_new RENAME TO users_email_key;
END
$$;
-- +goose StatementEnd
DROP INDEX CONCURRENTLY IF EXISTS users_email_key_old;
RESET lock_timeout;
RESET statement_timeout;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS users_email_key;
CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (lower(email));
DROP FUNCTION IF EXISTS email_fold(text);
