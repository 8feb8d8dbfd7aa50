#!/usr/bin/env bash
# Load test, on loopback only. The baseline is a *bare* Fiber app with one
# static route and no middleware (scripts/barestatic, started by this
# script), so the ratios show what the atlas's own middleware and handlers
# cost. Against it, in the same run: /locate with random points in China's
# bounding box, a cached vector tile (/tiles/6/52/26.mvt), /conformance (a
# fixed document through the whole middleware chain) and /healthz.
# Routes alternate for ROUNDS rounds so drift on a shared machine hits all
# alike; the script prints each round, the median requests/s and p99, and
# for each route the median of its per-round ratios to the bare route.
#
# Needs: go, wrk (Debian package wrk).
# Tunables (environment): DURATION per round (default 3s), WARMUP per route before the rounds (1s), ROUNDS (5), THREADS (2), CONNECTIONS (32), PORT (18080).
set -euo pipefail

DURATION=${DURATION:-3s}
WARMUP=${WARMUP:-1s}
ROUNDS=${ROUNDS:-5}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18080}
BARE_PORT=${BARE_PORT:-18081}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
SERVER_PID=""
BARE_PID=""

cleanup() {
	for pid in "$SERVER_PID" "$BARE_PID"; do
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid"
			wait "$pid" 2>/dev/null || true
		fi
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 1; }

echo "building..." >&2
(cd "$ROOT" && go build -o "$WORK/clusteratlas" ./cmd/clusteratlas && go build -o "$WORK/barestatic" ./scripts/barestatic)

"$WORK/barestatic" --addr "127.0.0.1:$BARE_PORT" >"$WORK/bare.log" 2>&1 &
BARE_PID=$!

"$WORK/clusteratlas" serve --addr "127.0.0.1:$PORT" --log-level warn >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

# Wait until the data and simplified levels are in.
for _ in $(seq 1 600); do
	if curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then break; fi
	if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$WORK/server.log" >&2; exit 1; fi
	sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "server not ready" >&2; cat "$WORK/server.log" >&2; exit 1; }
curl -fsS "http://127.0.0.1:$BARE_PORT/static" >/dev/null || { echo "bare baseline not up" >&2; cat "$WORK/bare.log" >&2; exit 1; }
# warm the tile cache so the tile route measures serving, not encoding
curl -fsS -o /dev/null "http://127.0.0.1:$PORT/tiles/6/52/26.mvt"

# Random points in 73..135E, 18..54N; a per-thread seed so threads differ.
# The same script drives the bare route (path /static, which ignores the
# query): wrk's Lua request() costs the client as much CPU as a small
# server, and on 2 shared cores that would otherwise count against
# /locate alone.
cat >"$WORK/points.lua" <<'LUA'
local counter = 0
function setup(thread)
	counter = counter + 1
	thread:set("seed", counter)
end
function init(args)
	math.randomseed(os.time() + (seed or 0) * 7919)
end
function request()
	local lon = 73 + math.random() * 62
	local lat = 18 + math.random() * 36
	return wrk.format("GET", string.format(path .. "?lon=%.5f&lat=%.5f", lon, lat))
end
LUA
{ echo 'path = "/locate"'; cat "$WORK/points.lua"; } >"$WORK/locate.lua"
{ echo 'path = "/static"'; cat "$WORK/points.lua"; } >"$WORK/bare-points.lua"

# wrk --latency prints a percentile table; pick Requests/sec and the 99% line.
run() {
	local label=$1 url=$2 script=${3:-}
	local out
	if [ -n "$script" ]; then
		out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$script" "$url")
	else
		out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url")
	fi
	local rps p99 non2xx
	rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
	p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
	non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
	printf '  %-12s %12s req/s   p99 %10s   non-2xx %s\n' "$label" "$rps" "$p99" "${non2xx:-0}"
	echo "$rps" >>"$WORK/$label.rps"
	echo "$p99" >>"$WORK/$label.p99"
}

median() { sort -g "$1" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
# p99 values carry units (us/ms/s): convert to ms for the median.
median_ms() {
	awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' "$1" >"$1.ms"
	median "$1.ms"
}

echo "wrk: $THREADS threads, $CONNECTIONS connections, $DURATION per route, $ROUNDS rounds, 127.0.0.1:$PORT"
# One unmeasured second per route first: /locate's first touches of each
# polygon build its edge index (lazily, so start-up stays under a second),
# and the ratios are about the steady state. scripts/startup.sh measures
# the cold start.
warm() { wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$@" >/dev/null; }
warm -s "$WORK/bare-points.lua" "http://127.0.0.1:$BARE_PORT/"
warm -s "$WORK/locate.lua" "http://127.0.0.1:$PORT/"
for route in tiles/6/52/26.mvt conformance healthz; do warm "http://127.0.0.1:$PORT/$route"; done
for r in $(seq 1 "$ROUNDS"); do
	echo "round $r"
	run bare "http://127.0.0.1:$BARE_PORT/" "$WORK/bare-points.lua"
	run bare-plain "http://127.0.0.1:$BARE_PORT/static"
	run locate "http://127.0.0.1:$PORT/" "$WORK/locate.lua"
	run tile "http://127.0.0.1:$PORT/tiles/6/52/26.mvt"
	run conformance "http://127.0.0.1:$PORT/conformance"
	run healthz "http://127.0.0.1:$PORT/healthz"
done
# Each round's bare run sits next to the routes it is compared with, so
# the ratio of a route is taken per round and the median of those ratios
# reported: on a shared machine the absolute rate drifts by 15% between
# runs seconds apart, and a ratio of medians would mix rounds.
echo "medians of req/s and p99, and the median of the per-round ratios to the bare Fiber static route"
echo "driven by the same random-point script as /locate (bare-plain: the same route, one fixed URL, no"
echo "script; the other routes are fixed URLs too):"
for l in bare bare-plain locate tile conformance healthz; do
	paste "$WORK/$l.rps" "$WORK/bare.rps" | awk '{print $1 / $2}' >"$WORK/$l.ratio"
	printf '  %-12s %12s req/s   p99 %8.2f ms   %5.3fx bare (rounds: %s)\n' "$l" "$(median "$WORK/$l.rps")" "$(median_ms "$WORK/$l.p99")" \
		"$(median "$WORK/$l.ratio")" "$(awk '{printf "%s%.3f", (NR > 1 ? " " : ""), $1}' "$WORK/$l.ratio")"
done
