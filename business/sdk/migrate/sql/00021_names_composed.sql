-- Names are kept composed (Unicode's NFC) from this release on, and a
-- search composes its term: a name stored decomposed before ("Cafe" and a
-- combining accent) would be found by no term at all. This composes them.
-- Each table in a statement, and so a transaction, of its own; a row
-- already composed is not touched. products.user_name follows its
-- owner's name (the users trigger). Audit records keep names as written.

-- +goose NO TRANSACTION
-- +goose Up
UPDATE users SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED;
UPDATE users SET department = normalize(department, NFC) WHERE department IS NOT NFC NORMALIZED;
UPDATE products SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED;

-- +goose Down
SELECT 1;
