-- +goose Up

-- Lists are paged by keyset (after the last row's order key and ID): each
-- order a list offers that many rows may share gets an index on the key and
-- the ID, so a page costs the same at any depth and any table size.
CREATE INDEX products_name_idx ON products (name, product_id);
CREATE INDEX products_date_created_idx ON products (date_created, product_id);
CREATE INDEX users_date_created_idx ON users (date_created, user_id);
CREATE INDEX sales_date_created_idx ON sales (date_created, sale_id);
CREATE INDEX audits_timestamp_id_idx ON audits (timestamp, audit_id);
DROP INDEX audits_timestamp_idx;

-- +goose Down
CREATE INDEX audits_timestamp_idx ON audits (timestamp);
DROP INDEX audits_timestamp_id_idx;
DROP INDEX sales_date_created_idx;
DROP INDEX users_date_created_idx;
DROP INDEX products_date_created_idx;
DROP INDEX products_name_idx;
