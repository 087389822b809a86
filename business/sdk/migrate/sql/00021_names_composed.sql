-- Names are kept composed (Unicode's NFC) from this release on, and a
-- search composes its term: a name stored decomposed ("Cafe" and a
-- combining accent) would be found by no term at all. The pods of the
-- release before still store names as sent while the release rolls out,
-- so the database composes every name written, whoever writes it (a
-- trigger on each table, made first), then composes those stored before,
-- each table in a statement of its own; a row composed already is not
-- touched. products.user_name follows its owner's name (the users
-- trigger). Audit records keep names as written. normalize() needs a
-- UTF8 database: another stops the file before it makes anything.
--
-- Each trigger's creation waits for the writes in progress on its table
-- and holds up the writes after it meanwhile (reads go on), at most the
-- lock timeout (5 s; migrate then tries again), as 00018's did. The
-- backfill is one statement a table, not batches: it writes only the
-- rows stored decomposed, which clients seldom send. A user composed
-- renames their products in the same statement: with thousands of such
-- users owning many products, compose them in batches before deploying
-- (UPDATE users SET name = normalize(name, NFC) WHERE user_id IN (SELECT
-- user_id FROM users WHERE name IS NOT NFC NORMALIZED LIMIT 100), run
-- until it updates none).

-- +goose NO TRANSACTION
-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
	IF current_setting('server_encoding') <> 'UTF8' THEN
		RAISE EXCEPTION 'the database''s encoding is %, not UTF8: names cannot be composed (create it with ENCODING ''UTF8'')',
			current_setting('server_encoding');
	END IF;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION compose_names() RETURNS trigger
	LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	NEW.name := normalize(NEW.name, NFC);
	IF TG_TABLE_NAME = 'users' THEN
		NEW.department := normalize(NEW.department, NFC);
	END IF;
	RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE OR REPLACE TRIGGER users_compose_names BEFORE INSERT OR UPDATE OF name, department ON users
	FOR EACH ROW EXECUTE FUNCTION compose_names();
CREATE OR REPLACE TRIGGER products_compose_names BEFORE INSERT OR UPDATE OF name ON products
	FOR EACH ROW EXECUTE FUNCTION compose_names();
UPDATE users SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED;
UPDATE users SET department = normalize(department, NFC) WHERE department IS NOT NFC NORMALIZED;
UPDATE products SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED;

-- +goose Down
DROP TRIGGER IF EXISTS users_compose_names ON users;
DROP TRIGGER IF EXISTS products_compose_names ON products;
DROP FUNCTION IF EXISTS compose_names();
