-- Development users; the password of both is "gophers".
INSERT INTO users (user_id, name, email, roles, password_hash, department, enabled, date_created, date_updated) VALUES
	('5cf37266-3473-4006-984f-9325122678b7', 'Admin Gopher', 'admin@example.com', '{ADMIN}', '$2a$10$nHurqfPXL687U.W8y1rHGOATu1wnz8ntDxnKj2vwi4Zx3Nnvsvj42', NULL, true, '2026-01-01 00:00:00', '2026-01-01 00:00:00'),
	('45b5fbd3-755f-4379-8f07-a58d4a30fa2f', 'User Gopher', 'user@example.com', '{USER}', '$2a$10$nHurqfPXL687U.W8y1rHGOATu1wnz8ntDxnKj2vwi4Zx3Nnvsvj42', NULL, true, '2026-01-01 00:00:00', '2026-01-01 00:00:00')
ON CONFLICT DO NOTHING;
