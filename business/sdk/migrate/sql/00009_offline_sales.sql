-- +goose Up

-- Sales recorded offline at a garage sale's table and uploaded later
-- (POST /v1/sales/ingest). Such a sale:
--   - may have no buyer account: a walk-in buyer is a NULL buyer_id;
--   - carries the id the seller's device gave it (client_id), unique per
--     uploader (recorded_by), so uploading the same line again, or
--     resuming a broken upload from any point, records nothing twice;
--   - happened at taken_at, which may be long before it reached us
--     (date_created). Online sales are taken when they are created.
-- A sale without a buyer must have come from an upload.
ALTER TABLE sales ALTER COLUMN buyer_id DROP NOT NULL;
ALTER TABLE sales ADD COLUMN client_id TEXT;
ALTER TABLE sales ADD COLUMN recorded_by UUID REFERENCES users(user_id) ON DELETE RESTRICT;
ALTER TABLE sales ADD COLUMN taken_at TIMESTAMPTZ;
UPDATE sales SET taken_at = date_created;
ALTER TABLE sales ALTER COLUMN taken_at SET NOT NULL;
-- The service always sets it; the default serves hand-written inserts.
ALTER TABLE sales ALTER COLUMN taken_at SET DEFAULT now();
ALTER TABLE sales ADD CONSTRAINT sales_offline_check
	CHECK ((client_id IS NULL) = (recorded_by IS NULL) AND (buyer_id IS NOT NULL OR client_id IS NOT NULL));

CREATE UNIQUE INDEX sales_recorded_by_client_id_idx ON sales (recorded_by, client_id) WHERE client_id IS NOT NULL;
-- Daily dumps and statistics read a day of sales by when they happened.
CREATE INDEX sales_taken_at_idx ON sales (taken_at, sale_id);

-- +goose Down
DROP INDEX sales_taken_at_idx;
DROP INDEX sales_recorded_by_client_id_idx;
ALTER TABLE sales DROP CONSTRAINT sales_offline_check;
-- Walk-in sales cannot exist without these columns: they go, and their
-- quantities leave stock_added with them, so that quantity + sold =
-- stock_added still holds for every product.
UPDATE products p SET stock_added = p.stock_added - w.quantity
FROM (SELECT product_id, sum(quantity) AS quantity FROM sales WHERE buyer_id IS NULL GROUP BY product_id) w
WHERE p.product_id = w.product_id;
DELETE FROM audits WHERE obj_domain = 'sale' AND obj_id IN (SELECT sale_id FROM sales WHERE buyer_id IS NULL);
DELETE FROM sales WHERE buyer_id IS NULL;
ALTER TABLE sales DROP COLUMN taken_at;
ALTER TABLE sales DROP COLUMN recorded_by;
ALTER TABLE sales DROP COLUMN client_id;
ALTER TABLE sales ALTER COLUMN buyer_id SET NOT NULL;
