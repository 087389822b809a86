#!/usr/bin/env bash
# The body of `make run`. pgrun has started Postgres and set SALES_DB_* to
# point at it; this migrates and seeds it and makes a signing key if there
# is none (zarf/dev/setup.sh), and runs sales-api in the foreground with
# the metrics sidecar beside it, both logging through logfmt. Ctrl-C stops the API gracefully (and the
# sidecar), then pgrun stops Postgres.
set -euo pipefail

bin=${BIN:-./bin}
api_host=${SALES_WEB_API_HOST:-0.0.0.0:3000}

# No Tempo runs locally: spans stay in-process unless a host is given.
export SALES_TEMPO_HOST=${SALES_TEMPO_HOST-}
# No load balancer routes to a laptop: Ctrl-C needs no drain delay.
export SALES_WEB_SHUTDOWN_DELAY=${SALES_WEB_SHUTDOWN_DELAY-0s}
port=${api_host##*:}

BIN=$bin "$(dirname "$0")/setup.sh"

cat <<MSG

==> sales-api on http://localhost:$port (debug on :3010), Prometheus metrics on http://localhost:4000/metrics.
    Postgres on $SALES_DB_HOST (database $SALES_DB_NAME, user $SALES_DB_USER): "make psql" opens psql on it,
    and ./bin/sales-admin run from the repo root uses it by itself (.data/pg/connection.env).
    Logs are pretty-printed by ./bin/logfmt. Ctrl-C stops the API, the sidecar and Postgres.
    In another terminal, get an admin token and list the users (the README has more):

TOKEN=\$(curl -s --user admin@example.com:gophers http://localhost:$port/v1/users/token | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'); curl -s -H "Authorization: Bearer \$TOKEN" http://localhost:$port/v1/users; echo

MSG

# From here on every line goes through logfmt. logfmt ignores Ctrl-C and
# ends when the last writer closes, so the API's shutdown lines still show.
exec > >("$bin/logfmt") 2>&1
logfmt=$!

# The API runs in the background so that a signal sent to this script alone
# (pgrun passes on what it gets) reaches it too; Ctrl-C in a terminal
# reaches every process anyway.
"$bin/sales-api" &
api=$!
stopping=0
trap 'stopping=1; kill -TERM "$api" 2>/dev/null || true' INT TERM

# The metrics sidecar (Prometheus on :4000) lives as long as the API.
"$bin/metrics" &
metrics=$!

# wait returns early when a trapped signal arrives: keep waiting until the
# API has finished its graceful shutdown.
status=0
while kill -0 "$api" 2>/dev/null; do
	status=0
	wait "$api" || status=$?
done

# After Ctrl-C a status above 128 is the stop that was asked for, not a
# failure: wait returns 128+n when a trapped signal cuts it short (and the
# API may exit before the loop asks again), and the TERM above may land
# after the API has shut down and given the signal back its default
# action. An API that fails to shut down exits 1, which stays.
if [ "$stopping" = 1 ] && [ "$status" -gt 128 ]; then
	status=0
fi

kill -TERM "$metrics" 2>/dev/null || true
wait "$metrics" || true

# Close our end of the pipe and let logfmt print the last lines before
# pgrun stops Postgres.
exec >&- 2>&-
while kill -0 "$logfmt" 2>/dev/null; do sleep 0.05; done
exit "$status"
