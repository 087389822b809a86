-- Development sales of the seeded products; paid is in cents. Each sale
-- takes its quantity out of the product's stock, exactly once: the stock
-- changes only for the sale rows this run really inserts, so seeding again
-- changes nothing. The stock check of products refuses a seed that would
-- oversell.
WITH inserted AS (
	INSERT INTO sales (sale_id, product_id, buyer_id, quantity, paid, date_created, taken_at) VALUES
		-- user@example.com buys from admin@example.com
		('c6a1d3a2-5f0e-4b8e-9a51-6a3f2b7d9e01', 'a2b0639f-2cc6-44b8-b97b-15d69dbb511e', '45b5fbd3-755f-4379-8f07-a58d4a30fa2f', 2, 10000, '2026-01-02 10:00:00', '2026-01-02 10:00:00'),
		('1f4e8b7c-2d3a-4c5b-8e6f-7a9b0c1d2e02', '72f8b983-3eb4-48db-9ed0-e45cc6bd716b', '45b5fbd3-755f-4379-8f07-a58d4a30fa2f', 5, 375, '2026-01-02 11:30:00', '2026-01-02 11:30:00'),
		-- admin@example.com buys from user@example.com
		('9b8a7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c03', '98b6d4b8-f04b-4c79-8c2e-a0aef46854b7', '5cf37266-3473-4006-984f-9325122678b7', 1, 1250, '2026-01-03 09:15:00', '2026-01-03 09:15:00')
	ON CONFLICT DO NOTHING
	RETURNING product_id, quantity
)
UPDATE products p
SET quantity = p.quantity - sold.quantity
FROM (SELECT product_id, sum(quantity) AS quantity FROM inserted GROUP BY product_id) sold
WHERE p.product_id = sold.product_id;
