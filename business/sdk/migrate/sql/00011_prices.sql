-- +goose Up
-- The least an online buyer pays for one unit, when the seller sets it
-- below the cost (the price); NULL is the cost. In cents.
ALTER TABLE products ADD COLUMN min_price bigint CHECK (min_price >= 0);

-- A buy counts the buyer's purchases of the last hour.
CREATE INDEX sales_buyer_id_date_created_idx ON sales (buyer_id, date_created);
DROP INDEX sales_buyer_id_idx;

-- +goose Down
CREATE INDEX sales_buyer_id_idx ON sales (buyer_id);
DROP INDEX sales_buyer_id_date_created_idx;
ALTER TABLE products DROP COLUMN min_price;
