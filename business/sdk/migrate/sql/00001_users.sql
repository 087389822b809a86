-- +goose Up
CREATE TABLE users (
	user_id       UUID        NOT NULL,
	name          TEXT        NOT NULL,
	email         TEXT        NOT NULL,
	roles         TEXT[]      NOT NULL,
	password_hash TEXT        NOT NULL,
	department    TEXT        NULL,
	enabled       BOOLEAN     NOT NULL,
	date_created  TIMESTAMPTZ NOT NULL,
	date_updated  TIMESTAMPTZ NOT NULL,

	PRIMARY KEY (user_id)
);

-- Emails are compared without regard to case: Bob@x and bob@x are one user.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- +goose Down
DROP TABLE users;
