#!/usr/bin/env bash
# Start-up cost of `clusteratlas serve`, on loopback. For each run it starts
# the binary, polls /healthz and /readyz with curl every 10 ms and prints the
# seconds from exec to the first 200 of each, the VmRSS once ready, and the
# time a SIGHUP reload takes (from the signal to the "reloaded" log line).
# RUNS=N repeats and prints the medians.
#
# Needs: go (unless BIN is given), curl.
# Tunables (environment): BIN (a built binary; default: build one), RUNS (3),
# PORT (18090), ARGS (extra serve flags, e.g. "--data /path/to/dir").
set -euo pipefail

RUNS=${RUNS:-3}
PORT=${PORT:-18090}
ARGS=${ARGS:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
PID=""
cleanup() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID"
		wait "$PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

if [ -z "${BIN:-}" ]; then
	echo "building..." >&2
	(cd "$ROOT" && go build -o "$WORK/clusteratlas" ./cmd/clusteratlas)
	BIN=$WORK/clusteratlas
fi
echo "binary: $BIN ($(stat -c %s "$BIN") bytes)"

now() { date +%s.%N; }
# wait_for URL T0: seconds from T0 until URL answers 200 (30 s at most).
wait_for() {
	local deadline=$(( $(date +%s) + 30 ))
	while ! curl -fs -o /dev/null "$1"; do
		[ "$(date +%s)" -lt "$deadline" ] || { echo "timeout waiting for $1" >&2; return 1; }
		sleep 0.01
	done
	awk -v a="$(now)" -v b="$2" 'BEGIN {printf "%.3f\n", a - b}'
}

median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2}'; }

printf "%-4s %9s %9s %9s %9s\n" run healthz_s readyz_s rss_MB reload_s
for run in $(seq 1 "$RUNS"); do
	log=$WORK/log.$run
	t0=$(now)
	# shellcheck disable=SC2086
	"$BIN" serve --addr "127.0.0.1:$PORT" --log-format text $ARGS 2>"$log" &
	PID=$!
	health=$(wait_for "http://127.0.0.1:$PORT/healthz" "$t0")
	ready=$(wait_for "http://127.0.0.1:$PORT/readyz" "$t0")
	rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$PID/status")
	t1=$(now)
	kill -HUP "$PID"
	deadline=$(( $(date +%s) + 60 ))
	until grep -q 'msg=reloaded\|reload failed' "$log"; do
		[ "$(date +%s)" -lt "$deadline" ] || { echo "timeout waiting for the reload" >&2; exit 1; }
		sleep 0.01
	done
	grep -q 'msg=reloaded' "$log" || { echo "reload failed:" >&2; cat "$log" >&2; exit 1; }
	reload=$(awk -v a="$(now)" -v b="$t1" 'BEGIN {printf "%.3f\n", a - b}')
	kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=""
	printf "%-4s %9.3f %9.3f %9s %9.3f\n" "$run" "$health" "$ready" "$rss" "$reload"
	echo "$health $ready $rss $reload" >>"$WORK/all"
done
printf "%-4s %9.3f %9.3f %9s %9.3f\n" median \
	"$(cut -d' ' -f1 "$WORK/all" | median)" "$(cut -d' ' -f2 "$WORK/all" | median)" \
	"$(cut -d' ' -f3 "$WORK/all" | median)" "$(cut -d' ' -f4 "$WORK/all" | median)"
