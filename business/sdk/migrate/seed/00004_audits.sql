-- The audit rows of the seeded sales, as the API writes them with a sale:
-- every sale has one, seeded or not. Fixed IDs keep seeding idempotent.
INSERT INTO audits (audit_id, obj_id, obj_domain, obj_name, actor_id, action, data, message, timestamp) VALUES
	('d1a0c3f4-6b7e-4f8a-9c1d-2e3f4a5b6c01', 'c6a1d3a2-5f0e-4b8e-9a51-6a3f2b7d9e01', 'sale', 'Comic Books', '45b5fbd3-755f-4379-8f07-a58d4a30fa2f', 'created',
		'{"productID": "a2b0639f-2cc6-44b8-b97b-15d69dbb511e", "buyerID": "45b5fbd3-755f-4379-8f07-a58d4a30fa2f", "quantity": 2, "paid": "100"}', 'created sale', '2026-01-02 10:00:00'),
	('d1a0c3f4-6b7e-4f8a-9c1d-2e3f4a5b6c02', '1f4e8b7c-2d3a-4c5b-8e6f-7a9b0c1d2e02', 'sale', 'McDonalds Toys', '45b5fbd3-755f-4379-8f07-a58d4a30fa2f', 'created',
		'{"productID": "72f8b983-3eb4-48db-9ed0-e45cc6bd716b", "buyerID": "45b5fbd3-755f-4379-8f07-a58d4a30fa2f", "quantity": 5, "paid": "3.75"}', 'created sale', '2026-01-02 11:30:00'),
	('d1a0c3f4-6b7e-4f8a-9c1d-2e3f4a5b6c03', '9b8a7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c03', 'sale', 'Vinyl Records', '5cf37266-3473-4006-984f-9325122678b7', 'created',
		'{"productID": "98b6d4b8-f04b-4c79-8c2e-a0aef46854b7", "buyerID": "5cf37266-3473-4006-984f-9325122678b7", "quantity": 1, "paid": "12.5"}', 'created sale', '2026-01-03 09:15:00')
ON CONFLICT DO NOTHING;
