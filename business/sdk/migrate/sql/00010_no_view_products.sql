-- The products read model joins products and users in its query, so a
-- column added to products needs no view to be made again.

-- +goose Up
DROP VIEW view_products;

-- +goose Down
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
