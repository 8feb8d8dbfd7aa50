#!/usr/bin/env bash
# Memory under mixed load, on loopback. Starts the server, then runs wrk for
# DURATION with a mix of requests at random places in China: /locate (50%),
# vector tiles at zooms 3–10 (20%), /nearest k=5 on cities (10%), /within
# 50 km of clusters (10%) and zoomed city items in a bbox (10%). It samples
# the server's VmRSS every 5 s and prints the RSS when ready, the peak, the
# RSS at the end, and the Go heap from /metrics. KEEP=DIR keeps the log and
# the samples.
#
# Needs: go (unless BIN is given), wrk, curl.
# Tunables (environment): BIN, DURATION (5m), THREADS (2), CONNECTIONS (16), PORT (18095).
set -euo pipefail

DURATION=${DURATION:-5m}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
PORT=${PORT:-18095}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${KEEP:-$(mktemp -d)}
mkdir -p "$WORK"
PID=""
cleanup() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID"
		wait "$PID" 2>/dev/null || true
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 1; }

if [ -z "${BIN:-}" ]; then
	echo "building..." >&2
	(cd "$ROOT" && go build -o "$WORK/clusteratlas" ./cmd/clusteratlas)
	BIN=$WORK/clusteratlas
fi
"$BIN" serve --addr "127.0.0.1:$PORT" --log-level warn >"$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 600); do
	curl -fs -o /dev/null "http://127.0.0.1:$PORT/readyz" && break
	kill -0 "$PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
	sleep 0.1
done
rss() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$PID/status"; }
echo "ready: RSS $(rss) MB"

cat >"$WORK/mix.lua" <<'LUA'
local counter = 0
function setup(thread)
	counter = counter + 1
	thread:set("seed", counter)
end
function init(args)
	math.randomseed(os.time() + (seed or 0) * 7919)
end
local function tile(z, lon, lat)
	local n = 2 ^ z
	local x = math.floor((lon + 180) / 360 * n)
	local r = math.rad(lat)
	local y = math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
	return string.format("/tiles/%d/%d/%d.mvt", z, x, y)
end
function request()
	local lon = 75 + math.random() * 58
	local lat = 20 + math.random() * 32
	local k = math.random(10)
	local path
	if k <= 5 then
		path = string.format("/locate?lon=%.5f&lat=%.5f", lon, lat)
	elseif k <= 7 then
		path = tile(math.random(3, 10), lon, lat)
	elseif k == 8 then
		path = string.format("/nearest?collection=cities&lon=%.5f&lat=%.5f&k=5", lon, lat)
	elseif k == 9 then
		path = string.format("/within?collection=clusters&lon=%.5f&lat=%.5f&radius_km=50", lon, lat)
	else
		path = string.format("/collections/cities/items?bbox=%.3f,%.3f,%.3f,%.3f&zoom=%d", lon, lat, lon + 2, lat + 2, math.random(3, 9))
	end
	return wrk.format("GET", path)
end
LUA

peak=0
( while kill -0 "$PID" 2>/dev/null; do rss >>"$WORK/rss"; echo >>"$WORK/rss"; sleep 5; done ) &
SAMPLER=$!
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/mix.lua" "http://127.0.0.1:$PORT/" | sed -n '/Requests\/sec\|Non-2xx\|requests in/p'
kill "$SAMPLER" 2>/dev/null || true
peak=$(sort -g "$WORK/rss" | tail -1)
echo "peak RSS $peak MB, at the end $(rss) MB"
curl -fs "http://127.0.0.1:$PORT/metrics" | awk '/^go_memstats_heap_inuse_bytes|^go_memstats_heap_sys_bytes|^go_memstats_heap_released_bytes/ {printf "%s %.0f MB\n", $1, $2/1048576}'
