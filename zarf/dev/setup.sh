#!/usr/bin/env bash
# Readies a local database and signing key for sales-api: makes a signing
# key if there is none, and migrates and seeds the database SALES_DB_*
# names (make run's and the fleet's). make run (zarf/dev/run.sh) and the
# fleet's setup job (zarf/fleet.yaml) run it; BIN names the folder of
# sales-admin.
set -euo pipefail

bin=${BIN:-./bin}
keys=${SALES_AUTH_KEYS_FOLDER:-zarf/keys}

if ! compgen -G "$keys/*.pem" >/dev/null; then
	echo "no signing key in $keys: creating one"
	"$bin/sales-admin" genkey >/dev/null
fi

# sales-api would refuse the same, but only after the migration and in a
# log line: say it first, plainly.
if [ -z "${SALES_AUTH_ACTIVE_KID:-}" ]; then
	pems=("$keys"/*.pem)
	if [ "${#pems[@]}" -ne 1 ]; then
		# Newest first: the key genkey made last is the likely pick.
		kids=$(cd "$keys" && ls -t -- *.pem | sed 's/\.pem$//')
		newest=$(head -n 1 <<<"$kids")
		{
			echo "$keys holds ${#pems[@]} keys and SALES_AUTH_ACTIVE_KID is not set to the one that signs new tokens (newest first):"
			sed 's/^/  /' <<<"$kids"
			echo "Pick one and start again: export SALES_AUTH_ACTIVE_KID=$newest signs with the newest (every key in"
			echo "$keys still verifies the tokens it signed), or delete the .pem files of the keys you no longer want."
		} >&2
		exit 1
	fi
fi

"$bin/sales-admin" migrate
"$bin/sales-admin" seed --dev
