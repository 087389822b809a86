-- +goose Up
CREATE TABLE audits (
	audit_id   UUID        NOT NULL,
	obj_id     UUID        NOT NULL,
	obj_domain TEXT        NOT NULL,
	obj_name   TEXT        NOT NULL,
	actor_id   UUID        NOT NULL, -- no foreign key: the record outlives the actor; the nil UUID is the system
	action     TEXT        NOT NULL,
	data       JSONB       NULL,
	message    TEXT        NOT NULL,
	timestamp  TIMESTAMPTZ NOT NULL,

	PRIMARY KEY (audit_id)
);

CREATE INDEX audits_obj_id_idx ON audits (obj_id);
CREATE INDEX audits_actor_id_idx ON audits (actor_id);
CREATE INDEX audits_timestamp_idx ON audits (timestamp);

-- +goose Down
DROP TABLE audits;
