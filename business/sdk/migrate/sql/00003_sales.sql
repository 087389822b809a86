-- +goose Up
CREATE TABLE sales (
	sale_id      UUID        NOT NULL,
	product_id   UUID        NOT NULL,
	buyer_id     UUID        NOT NULL,
	quantity     INTEGER     NOT NULL CHECK (quantity > 0),
	paid         BIGINT      NOT NULL CHECK (paid >= 0), -- cents
	date_created TIMESTAMPTZ NOT NULL,

	PRIMARY KEY (sale_id),
	-- Sales are history: their product and buyer cannot be deleted from under them.
	FOREIGN KEY (product_id) REFERENCES products(product_id) ON DELETE RESTRICT,
	FOREIGN KEY (buyer_id) REFERENCES users(user_id) ON DELETE RESTRICT
);

CREATE INDEX sales_product_id_idx ON sales (product_id);
CREATE INDEX sales_buyer_id_idx ON sales (buyer_id);

-- +goose Down
DROP TABLE sales;
