-- +goose Up
CREATE TABLE products (
	product_id   UUID        NOT NULL,
	user_id      UUID        NOT NULL,
	name         TEXT        NOT NULL,
	cost         BIGINT      NOT NULL CHECK (cost >= 0),     -- cents
	quantity     INTEGER     NOT NULL CHECK (quantity >= 0), -- stock can never go negative, whatever the code does
	date_created TIMESTAMPTZ NOT NULL,
	date_updated TIMESTAMPTZ NOT NULL,

	PRIMARY KEY (product_id),
	-- A user who still owns products cannot be deleted: nothing vanishes silently.
	FOREIGN KEY (user_id) REFERENCES users(user_id) ON DELETE RESTRICT
);

CREATE INDEX products_user_id_idx ON products (user_id);

-- Products with their owner's name, for the admin read model.
CREATE VIEW view_products AS
SELECT
	p.product_id,
	p.user_id,
	p.name,
	p.cost,
	p.quantity,
	p.date_created,
	p.date_updated,
	u.name AS user_name
FROM products p
JOIN users u ON u.user_id = p.user_id;

-- +goose Down
DROP VIEW view_products;
DROP TABLE products;
