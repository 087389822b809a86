#!/usr/bin/env bash
# Readies a local database and signing key for sales-api: migrates and
# seeds the database SALES_DB_* names (make run's and the fleet's), and
# makes a signing key if there is none. make run (zarf/dev/run.sh) and the
# fleet's setup job (zarf/fleet.yaml) run it; BIN names the folder of
# sales-admin.
set -euo pipefail

bin=${BIN:-./bin}
keys=${SALES_AUTH_KEYS_FOLDER:-zarf/keys}

"$bin/sales-admin" migrate
"$bin/sales-admin" seed --dev

if ! compgen -G "$keys/*.pem" >/dev/null; then
	echo "no signing key in $keys: creating one"
	"$bin/sales-admin" genkey >/dev/null
fi

if [ -z "${SALES_AUTH_ACTIVE_KID:-}" ]; then
	pems=("$keys"/*.pem)
	if [ "${#pems[@]}" -ne 1 ]; then
		echo "$keys holds ${#pems[@]} keys: set SALES_AUTH_ACTIVE_KID to the one that signs" >&2
		exit 1
	fi
fi
