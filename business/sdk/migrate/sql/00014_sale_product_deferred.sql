-- +goose Up
-- A purchase writes its sale before it takes its product's row lock, so
-- that the lock, which every buyer of the product queues on, is held for
-- the audit rows and the commit alone. The sale's reference to its
-- product is checked at commit, when the purchase holds that lock. Checked
-- at the insert, it would take a share lock on the product's row first,
-- and a product delete waiting between two buyers' share locks and their
-- updates would deadlock with the second buyer. A delete is still
-- refused at once while sales refer to the product (RESTRICT never
-- waits for commit).
ALTER TABLE sales ALTER CONSTRAINT sales_product_id_fkey DEFERRABLE INITIALLY DEFERRED;

-- +goose Down
ALTER TABLE sales ALTER CONSTRAINT sales_product_id_fkey NOT DEFERRABLE;
