-- +goose Up

-- The admin's products list orders and searches by the owner's name. As a
-- column of a join it was sorted on every request (half a second at a
-- million products); kept on the product, it is read from an index like
-- every other ordering. Triggers keep it: a product takes its owner's
-- name when it is written with an owner, and a user's new name goes to
-- each of their products in the renaming transaction. A rename waits for
-- each of those products' writers, so renaming a user with very many
-- products is a large write.

-- No user changes while the names are copied: one renamed in between
-- would keep the old name on its products.
LOCK TABLE users IN SHARE MODE;
ALTER TABLE products ADD COLUMN user_name TEXT;
UPDATE products p SET user_name = u.name FROM users u WHERE u.user_id = p.user_id;
ALTER TABLE products ALTER COLUMN user_name SET NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION product_owner_name() RETURNS trigger AS $$
BEGIN
	-- FOR SHARE waits for a rename of the owner in progress and then reads
	-- the new name, and holds off a later one until this product is
	-- committed, where the rename sees it. No owner is the foreign key's
	-- error to report, not this column's.
	NEW.user_name := COALESCE((SELECT name FROM users WHERE user_id = NEW.user_id FOR SHARE), '');
	RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER products_owner_name BEFORE INSERT OR UPDATE OF user_id ON products
	FOR EACH ROW EXECUTE FUNCTION product_owner_name();

-- +goose StatementBegin
CREATE FUNCTION owner_renamed() RETURNS trigger AS $$
BEGIN
	UPDATE products SET user_name = NEW.name WHERE user_id = NEW.user_id;
	RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER users_renamed AFTER UPDATE OF name ON users
	FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION owner_renamed();

CREATE INDEX products_user_name_idx ON products (user_name, product_id);
CREATE INDEX products_user_name_trgm_idx ON products USING gin (user_name gin_trgm_ops);

-- +goose Down
DROP INDEX products_user_name_trgm_idx;
DROP INDEX products_user_name_idx;
DROP TRIGGER users_renamed ON users;
DROP FUNCTION owner_renamed();
DROP TRIGGER products_owner_name ON products;
DROP FUNCTION product_owner_name();
ALTER TABLE products DROP COLUMN user_name;
