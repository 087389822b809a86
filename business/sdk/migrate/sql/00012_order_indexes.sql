-- +goose Up

-- Every ordering a list documents gets an index on its column (or the
-- expression the store orders by) with the row's key as the tiebreak, so
-- page 1 and a cursor page deep in the list read only their own rows at any
-- table size; a single-column index a new one begins with is dropped. The
-- name searches (ILIKE '%...%') get trigram indexes: pg_trgm is a trusted
-- extension, which the database's owner may create.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX products_user_id_key_idx ON products (user_id, product_id);
DROP INDEX products_user_id_idx;
CREATE INDEX products_cost_idx ON products (cost, product_id);
CREATE INDEX products_quantity_idx ON products (quantity, product_id);
CREATE INDEX products_name_trgm_idx ON products USING gin (name gin_trgm_ops);

CREATE INDEX users_name_idx ON users (name, user_id);
CREATE INDEX users_email_order_idx ON users (lower(email), user_id);
CREATE INDEX users_enabled_idx ON users (enabled, user_id);
CREATE INDEX users_name_trgm_idx ON users USING gin (name gin_trgm_ops);

CREATE INDEX sales_product_id_key_idx ON sales (product_id, sale_id);
DROP INDEX sales_product_id_idx;
-- The store orders by buyer with the sales of deleted buyers (NULL) first.
CREATE INDEX sales_buyer_order_idx ON sales (COALESCE(buyer_id, CAST('00000000-0000-0000-0000-000000000000' AS uuid)), sale_id);
CREATE INDEX sales_quantity_idx ON sales (quantity, sale_id);
CREATE INDEX sales_paid_idx ON sales (paid, sale_id);

CREATE INDEX audits_obj_id_key_idx ON audits (obj_id, audit_id);
DROP INDEX audits_obj_id_idx;
CREATE INDEX audits_obj_domain_idx ON audits (obj_domain, audit_id);
CREATE INDEX audits_obj_name_idx ON audits (obj_name, audit_id);
CREATE INDEX audits_actor_id_key_idx ON audits (actor_id, audit_id);
DROP INDEX audits_actor_id_idx;
CREATE INDEX audits_action_idx ON audits (action, audit_id);
CREATE INDEX audits_obj_name_trgm_idx ON audits USING gin (obj_name gin_trgm_ops);

-- +goose Down
CREATE INDEX audits_actor_id_idx ON audits (actor_id);
CREATE INDEX audits_obj_id_idx ON audits (obj_id);
DROP INDEX audits_obj_name_trgm_idx;
DROP INDEX audits_action_idx;
DROP INDEX audits_actor_id_key_idx;
DROP INDEX audits_obj_name_idx;
DROP INDEX audits_obj_domain_idx;
DROP INDEX audits_obj_id_key_idx;
CREATE INDEX sales_product_id_idx ON sales (product_id);
DROP INDEX sales_paid_idx;
DROP INDEX sales_quantity_idx;
DROP INDEX sales_buyer_order_idx;
DROP INDEX sales_product_id_key_idx;
DROP INDEX users_name_trgm_idx;
DROP INDEX users_enabled_idx;
DROP INDEX users_email_order_idx;
DROP INDEX users_name_idx;
CREATE INDEX products_user_id_idx ON products (user_id);
DROP INDEX products_name_trgm_idx;
DROP INDEX products_quantity_idx;
DROP INDEX products_cost_idx;
DROP INDEX products_user_id_key_idx;
