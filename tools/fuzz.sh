#!/usr/bin/env bash
# Runs every fuzz target for FUZZTIME each (default 10s), one after another.
# Add a line per target: run FuzzName ./package
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME="${FUZZTIME:-10s}"

run() {
	echo "== $1 ($2, $FUZZTIME)"
	go test -run='^$' -fuzz="^$1\$" -fuzztime="$FUZZTIME" "$2"
}

run FuzzParseAtomic ./importers/atomic
run FuzzParseCaldera ./importers/caldera
run FuzzParseLayer ./importers/navigator
run FuzzParseVectrCSV ./importers/vectr
run FuzzParse ./importers/vectrbundle
run FuzzParseAtomicLog ./importers/atomiclog
run FuzzParseSigma ./importers/sigma
run FuzzParseElastic ./importers/elastic
run FuzzParseBundle ./importers/attack
run FuzzParseChunked ./importers/attack
run FuzzDecodeVector ./internal/coverage
run FuzzNextRun ./internal/jobs
run FuzzHidesNoRow ./internal/security
