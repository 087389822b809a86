-- +goose Up
-- An offline sale cancelled after it was recorded leaves its device's id
-- here. Uploading the whole file again is how a seller goes on after a
-- broken connection: without this, the cancelled line would be a sale
-- again, and the goods returned sold twice.
CREATE TABLE sale_cancellations (
	recorded_by  UUID        NOT NULL,
	client_id    TEXT        NOT NULL,
	sale_id      UUID        NOT NULL,
	cancelled_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (recorded_by, client_id)
);

-- +goose Down
DROP TABLE sale_cancellations;
