-- +goose Up

-- Raised by every change that must end the sessions a user has: a new
-- password, a change of roles, disabling. A token carries the version it
-- was issued under and is refused once the user's has moved on.
ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;

-- Counters of failed logins and of signups, per account and per client
-- address, shared by every replica. A key is locked until locked_until
-- once it has used up its free events within the window.
CREATE TABLE throttles (
	key          TEXT        NOT NULL, -- "login:account:<email>", "login:client:<address>", ...
	events       INTEGER     NOT NULL,
	window_start TIMESTAMPTZ NOT NULL,
	locked_until TIMESTAMPTZ NULL,
	updated      TIMESTAMPTZ NOT NULL,

	PRIMARY KEY (key)
);

CREATE INDEX throttles_updated_idx ON throttles (updated);

-- +goose Down
DROP TABLE throttles;
ALTER TABLE users DROP COLUMN token_version;
