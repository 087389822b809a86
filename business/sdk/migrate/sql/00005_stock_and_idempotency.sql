-- +goose Up

-- Every unit a product ever had put up for sale: its starting quantity plus
-- every change its owner made by hand. Sales move stock but not this, so
-- for every product quantity + the quantity of its sales = stock_added.
ALTER TABLE products ADD COLUMN stock_added BIGINT;
UPDATE products p SET stock_added = p.quantity + coalesce(
	(SELECT sum(s.quantity) FROM sales s WHERE s.product_id = p.product_id), 0);
ALTER TABLE products ALTER COLUMN stock_added SET NOT NULL;

-- The outcome of a request sent with an Idempotency-Key, kept for its
-- caller until expires_at, so that a retry gets the same answer instead of
-- doing the work twice. A row is written in the same transaction as the
-- work it records.
CREATE TABLE idempotency_keys (
	user_id      UUID        NOT NULL, -- no foreign key: keys expire, and must not keep a user from being deleted
	key          TEXT        NOT NULL,
	fingerprint  BYTEA       NOT NULL, -- SHA-256 of the method, route and body
	status       INTEGER     NOT NULL,
	content_type TEXT        NOT NULL,
	body         BYTEA       NOT NULL,
	date_created TIMESTAMPTZ NOT NULL,
	expires_at   TIMESTAMPTZ NOT NULL,

	PRIMARY KEY (user_id, key)
);

CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
ALTER TABLE products DROP COLUMN stock_added;
