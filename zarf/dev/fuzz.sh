#!/usr/bin/env bash
# Runs every Go fuzz target of the repository for a while each (FUZZTIME,
# default 5s): each `func FuzzX` in a _test.go file is found here, so a new
# target needs no list updated. A target that finds a failing input fails
# the run and leaves the input in its package's testdata/fuzz/FuzzX/: commit
# it with the fix, and plain `go test` replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/../.."

fuzztime=${FUZZTIME:-5s}
status=0
while IFS=: read -r file line; do
	dir=./$(dirname "$file")
	name=$(sed -E 's/^func (Fuzz[A-Za-z0-9_]*).*/\1/' <<<"$line")
	echo "--- $name in $dir for $fuzztime"
	if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$dir"; then
		status=1
	fi
done < <(grep -r --include='*_test.go' --exclude-dir=vendor --exclude-dir=.data -H '^func Fuzz' . | sed 's|^\./||' | sort)
exit "$status"
