-- Development products, a few for each seeded user; cost is in cents. The
-- stock put up for sale (stock_added) is the starting quantity.
INSERT INTO products (product_id, user_id, name, cost, quantity, stock_added, date_created, date_updated) VALUES
	('a2b0639f-2cc6-44b8-b97b-15d69dbb511e', '5cf37266-3473-4006-984f-9325122678b7', 'Comic Books', 5000, 42, 42, '2026-01-01 00:00:00', '2026-01-01 00:00:00'),
	('72f8b983-3eb4-48db-9ed0-e45cc6bd716b', '5cf37266-3473-4006-984f-9325122678b7', 'McDonalds Toys', 75, 120, 120, '2026-01-01 00:00:00', '2026-01-01 00:00:00'),
	('98b6d4b8-f04b-4c79-8c2e-a0aef46854b7', '45b5fbd3-755f-4379-8f07-a58d4a30fa2f', 'Vinyl Records', 1250, 15, 15, '2026-01-01 00:00:00', '2026-01-01 00:00:00'),
	('0d5d9c5a-3b59-4f27-9b7e-5d5d3a4b8c61', '45b5fbd3-755f-4379-8f07-a58d4a30fa2f', 'Board Games', 999, 3, 3, '2026-01-01 00:00:00', '2026-01-01 00:00:00')
ON CONFLICT DO NOTHING;
