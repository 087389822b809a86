#!/usr/bin/env bash
# Runs every Go fuzz target of the repository for a while each (FUZZTIME,
# default 5s): each `func FuzzX` in a _test.go file is found here, so a new
# target needs no list updated. A target that finds a failing input fails
# the run and leaves the input in its package's testdata/fuzz/FuzzX/: commit
# it with the fix, and plain `go test` replays it from then on.
#
# Each new input that widens coverage is first made smaller, for up to
# -fuzzminimizetime (60s by default), while no other input runs: a 5s run
# of FuzzDecode spent 3s fuzzing and the rest at 0 execs/sec, 4,648 execs
# in 20s where 2s of minimizing let it run 102,285. FUZZMINIMIZETIME
# (default 2s) bounds it; a failing input is made smaller the same way.
#
# Go 1.26's fuzz coordinator can report "context deadline exceeded" at the
# end of -fuzztime when a worker is slow to stop (golang/go#75804, fixed in
# Go 1.27), with no failing input. Such a run, and only such a run (no new
# input written), is tried once more.
set -euo pipefail
cd "$(dirname "$0")/../.."

fuzztime=${FUZZTIME:-5s}
minimizetime=${FUZZMINIMIZETIME:-2s}
status=0

# inputs counts the failing inputs saved for a target.
inputs() {
	find "$1/testdata/fuzz/$2" -type f 2>/dev/null | wc -l
}

while IFS=: read -r file line; do
	dir=./$(dirname "$file")
	name=$(sed -E 's/^func (Fuzz[A-Za-z0-9_]*).*/\1/' <<<"$line")
	for attempt in 1 2; do
		echo "--- $name in $dir for $fuzztime"
		before=$(inputs "$dir" "$name")
		out=$(mktemp)
		if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimizetime" "$dir" 2>&1 | tee "$out"; then
			rm -f "$out"
			break
		fi
		if [ "$attempt" = 1 ] && grep -q 'context deadline exceeded' "$out" && [ "$(inputs "$dir" "$name")" = "$before" ]; then
			echo "--- $name: the fuzz coordinator's deadline race (golang/go#75804), no failing input: once more"
			rm -f "$out"
			continue
		fi
		rm -f "$out"
		status=1
		break
	done
done < <(grep -r --include='*_test.go' --exclude-dir=vendor --exclude-dir=.data -H '^func Fuzz' . | sed 's|^\./||' | sort)
exit "$status"
