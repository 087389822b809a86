-- +goose Up
-- A range filter on quantity or cost, listed in the default order (by
-- ID), walks the products in key order until a page has its matches. On
-- the primary key each row walked was read from the table to test the
-- filter: a 1% filter read a thousand rows, on a thousand pages at a
-- million products. Here the filter is tested on the index entries, and
-- only a page's matches are read from the table.
CREATE INDEX products_key_ranges_idx ON products (product_id, quantity, cost);

-- +goose Down
DROP INDEX products_key_ranges_idx;
