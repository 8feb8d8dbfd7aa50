#!/usr/bin/env bash
# Payload figures for map frontends, measured over HTTP on loopback:
# bytes of /collections/clusters/items (all 19 clusters) at zoom 3, 6, 9 and
# full detail, without and with gzip; bytes of the busiest tiles at z4, z7
# and z10. Tile encode times come from the Go benchmark (printed after).
# Needs: go, curl.
set -euo pipefail
PORT=${PORT:-18090}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
(cd "$ROOT" && go build -o "$WORK/clusteratlas" ./cmd/clusteratlas)
"$WORK/clusteratlas" serve --addr "127.0.0.1:$PORT" --log-level warn >"$WORK/log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
B="http://127.0.0.1:$PORT"
size() { curl -fsS -o /dev/null -w '%{size_download}' "$@"; }

echo "| /collections/clusters/items?limit=19 | bytes | gzip bytes |"
echo "|---|---:|---:|"
for z in 3 6 9 full; do
	q="limit=19"
	[ "$z" != full ] && q="$q&zoom=$z"
	printf '| zoom %s | %s | %s |\n' "$z" "$(size "$B/collections/clusters/items?$q")" "$(size -H 'Accept-Encoding: gzip' "$B/collections/clusters/items?$q")"
done
echo
echo "| tile (busiest over the Yangtze delta) | bytes | gzip bytes |"
echo "|---|---:|---:|"
for t in 4/13/6 7/106/52 10/854/420; do
	printf '| %s | %s | %s |\n' "$t" "$(size "$B/tiles/$t.mvt")" "$(size -H 'Accept-Encoding: gzip' "$B/tiles/$t.mvt")"
done
echo
echo "tile encode time (no cache), go test -bench BenchmarkTile ./api/tiles:"
(cd "$ROOT" && go test -run '^$' -bench 'BenchmarkTile' -benchtime 20x ./api/tiles/ | grep -E '^Benchmark')
