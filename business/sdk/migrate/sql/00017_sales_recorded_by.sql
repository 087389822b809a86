-- Deleting a user checks that no sale was recorded by them (the foreign
-- key's ON DELETE RESTRICT): without an index on recorded_by, by itself,
-- that check read every sale, a tenth of a second at half a million and
-- past the statement timeout at tens of millions. Online purchases record
-- no one, so the index holds the uploaded sales alone and adds nothing to
-- a purchase's writes. sales is a live table: the index is built
-- concurrently, outside a transaction, with no lock or statement timeout
-- (the build waits for older transactions, holding up no query, and may
-- outrun half an hour on a large table), as docs/migrations.md says.

-- +goose NO TRANSACTION
-- +goose Up
SET lock_timeout = 0;
SET statement_timeout = 0;
DROP INDEX CONCURRENTLY IF EXISTS sales_recorded_by_idx;
CREATE INDEX CONCURRENTLY sales_recorded_by_idx ON sales (recorded_by) WHERE recorded_by IS NOT NULL;
RESET lock_timeout;
RESET statement_timeout;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS sales_recorded_by_idx;
