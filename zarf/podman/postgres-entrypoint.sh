#!/bin/sh
# The postgres stand-in's entrypoint: what the official image's does that
# the kit relies on. On an empty PGDATA it makes a cluster whose superuser
# postgres has POSTGRES_PASSWORD, reached by password from anywhere, then
# runs the command (postgres) listening on every address.
set -eu

# As the official entrypoint: flags are postgres's, any other command runs
# as it is.
case ${1:-postgres} in
postgres) shift || true ;;
-*) ;;
*) exec "$@" ;;
esac

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	if [ -z "${POSTGRES_PASSWORD:-}" ]; then
		echo "postgres: POSTGRES_PASSWORD is empty: the database would take any password" >&2
		exit 1
	fi
	mkdir -p "$PGDATA"
	chmod 0700 "$PGDATA"
	pwfile=$(mktemp)
	trap 'rm -f "$pwfile"' EXIT
	printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
	initdb --username=postgres --pwfile="$pwfile" --auth-local=trust \
		--auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
	rm -f "$pwfile"
	printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
	echo "postgres: initialized $PGDATA"
fi

# /run is the engine's tmpfs, which only root may write: the socket goes
# to /tmp (probes and clients use TCP).
exec postgres -c listen_addresses='*' -c unix_socket_directories=/tmp "$@"
