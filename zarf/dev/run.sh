#!/usr/bin/env bash
# The body of `make run`. pgrun has started Postgres and set SALES_DB_* to
# point at it; this migrates and seeds it, makes a signing key if there is
# none, and runs sales-api in the foreground. Ctrl-C stops the API, then
# pgrun stops Postgres.
set -euo pipefail

bin=${BIN:-./bin}
keys=${SALES_AUTH_KEYS_FOLDER:-zarf/keys}
api_host=${SALES_WEB_API_HOST:-0.0.0.0:3000}
port=${api_host##*:}

"$bin/sales-admin" migrate
"$bin/sales-admin" seed

if ! compgen -G "$keys/*.pem" >/dev/null; then
	echo "no signing key in $keys: creating one"
	"$bin/sales-admin" genkey >/dev/null
fi

kid=${SALES_AUTH_ACTIVE_KID:-}
if [ -z "$kid" ]; then
	pems=("$keys"/*.pem)
	if [ "${#pems[@]}" -ne 1 ]; then
		echo "$keys holds ${#pems[@]} keys: set SALES_AUTH_ACTIVE_KID to the one that signs" >&2
		exit 1
	fi
	kid=$(basename "${pems[0]}" .pem)
fi

cat <<MSG

==> sales-api on http://localhost:$port (debug on :3010). Ctrl-C stops it and Postgres.
    In another terminal, get an admin token and list the users:

TOKEN=\$(curl -s --user admin@example.com:gophers http://localhost:$port/v1/users/token/$kid | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'); curl -s -H "Authorization: Bearer \$TOKEN" http://localhost:$port/v1/users; echo

MSG

exec "$bin/sales-api"
