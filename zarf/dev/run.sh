#!/usr/bin/env bash
# The body of `make run`. pgrun has started Postgres and set SALES_DB_* to
# point at it; this migrates and seeds it and makes a signing key if there
# is none (zarf/dev/setup.sh), and runs sales-api with the metrics sidecar
# beside it, both logging through logfmt. Ctrl-C stops the API gracefully
# and the sidecar, then pgrun stops Postgres.
#
# Ctrl-C must stop everything whenever it comes, and nothing here may wait
# without a bound: pgrun stops Postgres only once this script has exited.
set -euo pipefail

bin=${BIN:-./bin}
# Only this machine reaches a laptop's API, its debug port and the seeded
# admin: loopback unless asked otherwise.
export SALES_WEB_API_HOST=${SALES_WEB_API_HOST:-127.0.0.1:3000}
export SALES_WEB_DEBUG_HOST=${SALES_WEB_DEBUG_HOST:-127.0.0.1:3010}
export METRICS_WEB_METRICS_HOST=${METRICS_WEB_METRICS_HOST:-127.0.0.1:4000}
export METRICS_WEB_DEBUG_HOST=${METRICS_WEB_DEBUG_HOST:-127.0.0.1:4010}
# And only by the name localhost (or an address): a page on another site
# that points a name of its own at 127.0.0.1 would otherwise be
# same-origin with the API, seeded passwords and all (DNS rebinding).
export SALES_WEB_HOSTS=${SALES_WEB_HOSTS-localhost}
# The sidecar reads this API's debug server, wherever it was moved to: on
# its default, it would read another instance's, or nothing. Set empty,
# METRICS_COLLECT_READY stays empty (the sidecar then skips readiness).
export METRICS_COLLECT_FROM=${METRICS_COLLECT_FROM-http://$SALES_WEB_DEBUG_HOST/debug/vars}
export METRICS_COLLECT_READY=${METRICS_COLLECT_READY-http://$SALES_WEB_DEBUG_HOST/debug/readiness}
api_host=$SALES_WEB_API_HOST

# No Tempo runs locally: spans stay in-process unless a host is given.
export SALES_TEMPO_HOST=${SALES_TEMPO_HOST-}
# No load balancer routes to a laptop: Ctrl-C needs no drain delay.
export SALES_WEB_SHUTDOWN_DELAY=${SALES_WEB_SHUTDOWN_DELAY-0s}
port=${api_host##*:}
here=$(dirname "$0")

# The trap comes first: a Ctrl-C before it would end this shell alone and
# leave what it had started running. It asks the services that run to
# stop; the SIGINT of a Ctrl-C does not stop them by itself, because a
# script's background commands start with SIGINT ignored (the services
# take it back only once they serve).
api='' metrics='' stopping=0
trap 'stopping=1; for pid in $api $metrics; do kill -TERM "$pid" 2>/dev/null || true; done' INT TERM

BIN=$bin "$here/setup.sh"
[ "$stopping" = 0 ] || exit 130

cat <<MSG

==> sales-api on http://localhost:$port (debug on :${SALES_WEB_DEBUG_HOST##*:}), Prometheus metrics on http://localhost:${METRICS_WEB_METRICS_HOST##*:}/metrics.
    Postgres on $SALES_DB_HOST (database $SALES_DB_NAME, user $SALES_DB_USER): "make psql" opens psql on it,
    and ./bin/sales-admin run from the repo root uses it by itself (.data/pg/connection.env).
    Logs are pretty-printed by ./bin/logfmt. Ctrl-C stops the API, the sidecar and Postgres.
    In another terminal, get an admin token and list the users (the README has more):

TOKEN=\$(curl -s --user admin@example.com:gophers http://localhost:$port/v1/users/token | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'); curl -s -H "Authorization: Bearer \$TOKEN" http://localhost:$port/v1/users; echo

MSG

# From here on every line goes through logfmt, and so does every process
# started below: each holds logfmt's pipe open while it runs. logfmt
# ignores Ctrl-C and ends when the last of them closes it, so the API's
# shutdown lines still show.
exec > >("$bin/logfmt") 2>&1
logfmt=$!

# A stop asked while one was starting may have missed it.
"$bin/sales-api" &
api=$!
[ "$stopping" = 0 ] || kill -TERM "$api" 2>/dev/null || true
# The metrics sidecar (Prometheus on :4000) lives as long as the API.
"$bin/metrics" &
metrics=$!
[ "$stopping" = 0 ] || kill -TERM "$metrics" 2>/dev/null || true

# ended PID LIMIT returns once process PID has exited. After a stop is
# asked it asks again every 5s (a TERM that lands between the fork and
# the exec of a service is lost) and kills the process after LIMIT
# seconds. It polls rather than waits: bash's wait for one PID can miss a
# child reaped while a trap ran, and then waits forever. sleep writes
# nowhere, so it does not hold logfmt's pipe, and a Ctrl-C that ends it
# does not end the script.
ended() {
	local pid=$1 limit=$2 ticks=0
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$stopping" = 1 ]; then
			ticks=$((ticks + 1))
			if [ "$ticks" -ge $((limit * 10)) ]; then
				echo "run.sh: pid $pid did not stop within ${limit}s of Ctrl-C: killing it"
				kill -KILL "$pid" 2>/dev/null || true
			elif [ $((ticks % 50)) = 0 ]; then
				kill -TERM "$pid" 2>/dev/null || true
			fi
		fi
		sleep 0.1 >/dev/null 2>&1 || true
	done
}

# The API stops in well under a second; past its shutdown timeout (20s)
# something is wrong.
ended "$api" 30
stopped_by_us=$stopping
stopping=1
kill -TERM "$metrics" 2>/dev/null || true
ended "$metrics" 30

# Close our end of the pipe and let logfmt print the last lines before
# pgrun stops Postgres; it ignores every signal but KILL.
exec >&- 2>&-
ticks=0
while kill -0 "$logfmt" 2>/dev/null; do
	ticks=$((ticks + 1))
	[ "$ticks" -lt 50 ] || kill -KILL "$logfmt" 2>/dev/null || true
	sleep 0.1 >/dev/null 2>&1 || true
done

# Every child has exited: this wait returns at once.
status=0
wait "$api" || status=$?
# After Ctrl-C a status above 128 is the stop that was asked for, not a
# failure: the TERM may land before the API handles signals (once it has
# shut down it ignores them, to write its last lines). An API that fails
# to shut down exits 1, which stays.
if [ "$stopped_by_us" = 1 ] && [ "$status" -gt 128 ]; then
	status=0
fi
exit "$status"
