-- Deleting a user checks that no sale was recorded by them, a query of
-- sales by recorded_by alone. The unique index of uploaded ids, partial on
-- client_id, could not answer it (recorded_by = x does not imply
-- client_id IS NOT NULL to the planner, though the table's check makes
-- them go together), so every delete read the whole table. The same
-- index, partial on recorded_by, answers both. It replaces the old one
-- under the old name, which the stores map a duplicate id by: built
-- beside it, swapped by two renames in one transaction, the old dropped
-- (until its drop ends, after every transaction open on sales then,
-- inserts still check it first: a duplicate racing in is reported as
-- sales_recorded_by_client_id_old, which the old pods do not know; that
-- upload stops, and uploading it again answers it properly).
-- sales is a live table, so the builds and drops run concurrently, and
-- each step is safe to run again: a leftover of a run that stopped is
-- dropped first (docs/migrations.md).

-- +goose NO TRANSACTION
-- +goose Up
SET lock_timeout = 0;
SET statement_timeout = 0;
DROP INDEX CONCURRENTLY IF EXISTS sales_recorded_by_client_id_old;
DROP INDEX CONCURRENTLY IF EXISTS sales_recorded_by_client_id_new;
CREATE UNIQUE INDEX CONCURRENTLY sales_recorded_by_client_id_new ON sales (recorded_by, client_id) WHERE recorded_by IS NOT NULL;
-- +goose StatementBegin
DO $$
BEGIN
	ALTER INDEX sales_recorded_by_client_id_idx RENAME TO sales_recorded_by_client_id_old;
	ALTER INDEX sales_recorded_by_client_id_new RENAME TO sales_recorded_by_client_id_idx;
END
$$;
-- +goose StatementEnd
DROP INDEX CONCURRENTLY IF EXISTS sales_recorded_by_client_id_old;
RESET lock_timeout;
RESET statement_timeout;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS sales_recorded_by_client_id_idx;
CREATE UNIQUE INDEX CONCURRENTLY sales_recorded_by_client_id_idx ON sales (recorded_by, client_id) WHERE client_id IS NOT NULL;
