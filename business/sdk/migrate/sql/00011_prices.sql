-- +goose Up
-- The least an online buyer pays for one unit, when the seller sets it
-- below the cost (the price); NULL is the cost. In cents.
ALTER TABLE products ADD COLUMN min_price bigint CHECK (min_price >= 0);

-- Each buyer's online purchases in the current hour-long window. A buy
-- counts itself here in the statement that writes the sale: the row lock
-- serialises one buyer's concurrent buys, whatever they buy.
CREATE TABLE purchase_counts (
	buyer_id     uuid        PRIMARY KEY REFERENCES users(user_id) ON DELETE CASCADE,
	window_start timestamptz NOT NULL,
	purchases    integer     NOT NULL
);

-- +goose Down
DROP TABLE purchase_counts;
ALTER TABLE products DROP COLUMN min_price;
