#!/usr/bin/env bash
# Abuse test (issue #10): reproduces each way a client could take the
# service down and prints the figures, on loopback only and bounded in time.
# Run it against two binaries for before/after figures:
#   BIN=/tmp/old-clusteratlas bash scripts/abuse.sh; bash scripts/abuse.sh
#
#  1. /compare with every cluster, cold, then reversed
#  2. /locate throughput alone and while 4 clients post 10k-vertex polygons;
#     8 simultaneous 10k-vertex posts against cities; wrk -c64 posting 0.5°
#     squares; peak RSS of each
#  3. answer sizes: /nearest k=5, /within radius_km=20037 on cities
#  4. /metrics after GET, PUT and POST traffic
#  5. a forged X-Forwarded-Host in links
#  6. 5 MB and 64 MB bodies from Python's urllib (no Expect: 100-continue)
#  7. an over-long URL
#
# Needs: go (unless BIN is given), wrk, curl, python3.
# Tunables: BIN, PORT (random high), DURATION per wrk run (5s), ROUNDS of /locate alone vs loaded (2),
# DATA (--data dir, default embedded), COMPARE_MAX_TIME (s, 300).
set -euo pipefail

DURATION=${DURATION:-5s}
PORT=${PORT:-$((20000 + RANDOM % 20000))}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
BASE="http://127.0.0.1:$PORT"
SERVER_PID=""
SAMPLER_PID=""

cleanup() {
	[ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null || true
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID"
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

for tool in wrk curl python3; do
	command -v "$tool" >/dev/null || { echo "$tool not found" >&2; exit 1; }
done
if [ -z "${BIN:-}" ]; then
	echo "building..." >&2
	(cd "$ROOT" && go build -o "$WORK/clusteratlas" ./cmd/clusteratlas)
	BIN="$WORK/clusteratlas"
fi
ARGS=(serve --addr "127.0.0.1:$PORT" --log-level warn)
[ -n "${DATA:-}" ] && ARGS+=(--data "$DATA")
"$BIN" "${ARGS[@]}" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 900); do
	curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
	kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
	sleep 0.2
done
curl -fsS "$BASE/readyz" >/dev/null || { echo "server not ready" >&2; exit 1; }

rss() { awk '/VmRSS/ {printf "%d MB", $2/1024}' "/proc/$SERVER_PID/status"; }
# peak RSS between sample_start and sample_stop
sample_start() {
	echo 0 >"$WORK/peak"
	(while kill -0 "$SERVER_PID" 2>/dev/null; do
		r=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)
		[ "${r:-0}" -gt "$(cat "$WORK/peak")" ] && echo "$r" >"$WORK/peak"
		sleep 0.1
	done) &
	SAMPLER_PID=$!
}
sample_stop() { kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""; echo "$(($(cat "$WORK/peak") / 1024)) MB"; }

echo "binary: $BIN"
echo "RSS when ready: $(rss)"

cat >"$WORK/client.py" <<'PY'
import http.client, json, math, sys, threading, time, urllib.request, urllib.error, collections

host, port = "127.0.0.1", int(sys.argv[2])

def circle(lon, lat, r, n):
    ring = [[round(lon + r * math.cos(2 * math.pi * i / n), 6), round(lat + r * math.sin(2 * math.pi * i / n), 6)] for i in range(n)]
    ring.append(ring[0])
    return json.dumps({"type": "Polygon", "coordinates": [ring]}).encode()

def post(path, body, timeout=120):
    c = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        c.request("POST", path, body, {"Content-Type": "application/geo+json"})
        r = c.getresponse()
        data = r.read()
        return r.status, len(data)
    except Exception as e:
        return type(e).__name__, 0
    finally:
        c.close()

mode = sys.argv[1]
big = circle(114.0, 30.5, 3.0, 9999)  # 10,000 vertices, within --max-vertices
if mode == "posters":  # N clients posting for D seconds
    n, secs, path = int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
    stop = time.time() + secs
    counts, lock = collections.Counter(), threading.Lock()
    def run():
        while time.time() < stop:
            st, _ = post(path, big, timeout=secs + 30)
            with lock:
                counts[st] += 1
    ts = [threading.Thread(target=run) for _ in range(n)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    print("  posting clients: %s in %.0fs (%.2f req/s)" % (dict(counts), secs, sum(counts.values()) / secs))
elif mode == "burst":  # N simultaneous posts, wait for all
    n, path = int(sys.argv[3]), sys.argv[4]
    res = [None] * n
    t0 = time.time()
    def run(i):
        res[i] = post(path, big) + (time.time() - t0,)
    ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    print("  %d x 10k-vertex POST %s: statuses %s, bytes %s, all done in %.1fs" % (
        n, path, dict(collections.Counter(r[0] for r in res)), sorted(set(r[1] for r in res)), max(r[2] for r in res)))
elif mode == "urllib":  # a big body without Expect: 100-continue
    size = int(sys.argv[3])
    req = urllib.request.Request("http://%s:%d/intersects" % (host, port), data=b" " * size, headers={"Content-Type": "application/geo+json"})
    try:
        urllib.request.urlopen(req, timeout=30)
        print("  %d MB body: accepted?!" % (size >> 20))
    except urllib.error.HTTPError as e:
        print("  %d MB body: HTTP %d %s %s" % (size >> 20, e.code, e.headers.get("Content-Type"), e.read()[:80]))
    except Exception as e:
        print("  %d MB body: %s: %s" % (size >> 20, type(e).__name__, e))
PY

cat >"$WORK/locate.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  local lon = 73 + ((n * 7919) % 6200) / 100
  local lat = 18 + ((n * 104729) % 3600) / 100
  return wrk.format("GET", "/locate?lon=" .. lon .. "&lat=" .. lat)
end
LUA
cat >"$WORK/squares.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  local x = 100 + (n * 7919) % 20
  local y = 22 + (n * 104729) % 18
  local body = string.format('{"type":"Polygon","coordinates":[[[%d,%d],[%d.5,%d],[%d.5,%d.5],[%d,%d.5],[%d,%d]]]}', x, y, x, y, x, y, x, y, x, y)
  return wrk.format("POST", "/intersects?collection=cities", {["Content-Type"] = "application/geo+json"}, body)
end
LUA
reqs() { awk '/Requests\/sec/ {print $2}' "$1"; }

echo "== 1. /compare, every cluster"
IDS=$(curl -fsS "$BASE/collections/clusters/items?limit=100&properties=name_en" | python3 -c 'import json,sys; print(",".join(f["id"] for f in json.load(sys.stdin)["features"]))')
REV=$(echo "$IDS" | tr ',' '\n' | tac | paste -sd, -)
for ids in "$IDS" "$REV" "$IDS"; do
	curl -sS -o /dev/null --max-time "${COMPARE_MAX_TIME:-300}" -w "  %{http_code} in %{time_total}s, %{size_download} B\n" "$BASE/compare?ids=$ids" || echo "  (gave up after ${COMPARE_MAX_TIME:-300}s)"
done

echo "== 2. /locate while costly requests run"
# alone and loaded alternate ROUNDS times: other load on a shared machine
# then hits both alike
SECS=${DURATION%s}
sample_start
for round in $(seq 1 "${ROUNDS:-2}"); do
	wrk -t1 -c16 -d"$DURATION" -s "$WORK/locate.lua" "$BASE" >"$WORK/alone.txt"
	ALONE=$(reqs "$WORK/alone.txt")
	python3 "$WORK/client.py" posters "$PORT" 4 "$((SECS + 2))" /intersects >"$WORK/posters.txt" &
	POSTERS=$!
	sleep 1
	wrk -t1 -c16 -d"$DURATION" -s "$WORK/locate.lua" "$BASE" >"$WORK/loaded.txt"
	wait "$POSTERS"
	LOADED=$(reqs "$WORK/loaded.txt")
	python3 -c "print('  round $round: /locate alone %s req/s, with 4 clients posting 10k-vertex polygons %s req/s = %.2fx' % ('$ALONE', '$LOADED', float('$LOADED') / float('$ALONE')))"
	cat "$WORK/posters.txt"
done
echo "  peak RSS: $(sample_stop)"
sample_start
python3 "$WORK/client.py" burst "$PORT" 8 "/intersects?collection=cities"
python3 "$WORK/client.py" burst "$PORT" 8 "/intersects?collection=cities&geometry=true"
echo "  peak RSS: $(sample_stop)"
sample_start
wrk -t2 -c64 -d"$DURATION" --timeout 10s -s "$WORK/squares.lua" "$BASE" >"$WORK/squares.txt"
echo "  wrk -c64 posting 0.5° squares to cities: $(reqs "$WORK/squares.txt") req/s, $(grep -E 'requests in|Non-2xx|timeout' "$WORK/squares.txt" | tr -s ' ' | paste -sd';' - || true)"
echo "  peak RSS: $(sample_stop), now $(rss)"

echo "== 3. answer sizes"
for q in "/nearest?lon=114.5&lat=36.5&k=5" "/nearest?lon=114.5&lat=36.5&k=5&geometry=true" \
	"/within?lon=114.5&lat=36.5&radius_km=20037&collection=cities" "/within?lon=114.5&lat=36.5&radius_km=20037&collection=cities&geometry=true"; do
	curl -sS -o /dev/null --max-time 120 -w "  %{http_code} %{size_download} B  $q\n" "$BASE$q"
done

echo "== 4. /metrics after mixed methods"
for m in GET PUT POST; do curl -sS -o /dev/null -X "$m" --max-time 10 "$BASE/intersects" -d '{"type":"Point","coordinates":[114.5,36.5]}' || true; done
curl -sS -o /dev/null -I --max-time 10 "$BASE/conformance" || true
curl -sS -o /dev/null -w "  /metrics: %{http_code}\n" "$BASE/metrics"

echo "== 5. forged X-Forwarded-Host / -Proto"
LINK=$(curl -sS -H "X-Forwarded-Host: evil.example" -H "X-Forwarded-Proto: https" "$BASE/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["links"][0]["href"])')
echo "  landing self link: $LINK"
echo "  /viewer redirect: $(curl -sS -o /dev/null -w '%{redirect_url}' -H 'X-Forwarded-Host: evil.example' "$BASE/viewer")"

echo "== 6. oversized bodies without Expect: 100-continue (urllib)"
python3 "$WORK/client.py" urllib "$PORT" $((5 << 20))
python3 "$WORK/client.py" urllib "$PORT" $((64 << 20))

echo "== 7. over-long URL"
curl -sS --max-time 10 -w "  %{http_code} %{content_type}\n" -o "$WORK/long.json" "$BASE/locate?lon=1&lat=1&x=$(head -c 10000 /dev/zero | tr '\0' a)" || true
head -c 200 "$WORK/long.json"; echo

echo "RSS at the end: $(rss)"
