package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/clusteratlas/clusteratlas/data"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const fixtureDir = "../../api/testdata/fixture"

// syncBuffer is a log sink the test can read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type running struct {
	base string
	sigs chan os.Signal
	done chan struct{} // closed when serve returned
	code int           // serve's exit code, valid once done is closed
	logs *syncBuffer
}

// wait returns serve's exit code, failing after a timeout.
func (r *running) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-r.done:
		return r.code
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not return")
		return -1
	}
}

// startServe runs serve() on a loopback port with the given flags.
func startServe(t *testing.T, args ...string) *running {
	t.Helper()
	o, err := parseServeFlags(append([]string{"--addr", "127.0.0.1:0"}, args...), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &running{base: "http://" + ln.Addr().String(), sigs: make(chan os.Signal, 1), done: make(chan struct{}), logs: &syncBuffer{}}
	log := slog.New(slog.NewTextHandler(r.logs, nil))
	go func() {
		r.code = serve(o, log, ln, r.sigs)
		close(r.done)
	}()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			r.sigs <- syscall.SIGTERM
			r.wait(t)
		}
	})
	r.waitFor(t, "/readyz", func(status int, _ map[string]any) bool { return status == 200 })
	return r
}

func (r *running) get(t *testing.T, path string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(r.base + path)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var v map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&v)
	return resp.StatusCode, v
}

func (r *running) waitFor(t *testing.T, path string, ok func(int, map[string]any) bool) {
	t.Helper()
	// the race detector slows the level build on the real data ~20×
	deadline := time.Now().Add(120 * time.Second)
	for time.Now().Before(deadline) {
		if status, v := r.get(t, path); ok(status, v) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting on %s; logs:\n%s", path, r.logs.String())
}

func matched(v map[string]any) int {
	n, _ := v["numberMatched"].(float64)
	return int(n)
}

func TestServeReloadKeepsOldDataOnFailureAndSwapsGoodData(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, fixtureDir, dir)
	r := startServe(t, "--data", dir)
	if _, v := r.get(t, "/collections/cities/items"); matched(v) != 8 {
		t.Fatalf("cities %d", matched(v))
	}
	_, before := r.get(t, "/readyz")

	// A broken dataset is refused; the old one keeps serving.
	citiesPath := filepath.Join(dir, "cities.geojson")
	good, _ := os.ReadFile(citiesPath)
	if err := os.WriteFile(citiesPath, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"x","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]},"properties":{}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r.sigs <- syscall.SIGHUP
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(r.logs.String(), "reload failed") {
		if time.Now().After(deadline) {
			t.Fatalf("no reload failure logged:\n%s", r.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, v := r.get(t, "/collections/cities/items"); matched(v) != 8 {
		t.Fatalf("after failed reload: cities %d", matched(v))
	}

	// A good dataset (one city fewer) is swapped in.
	var fc map[string]any
	_ = json.Unmarshal(good, &fc)
	feats := fc["features"].([]any)
	fc["features"] = feats[:len(feats)-1]
	raw, _ := json.Marshal(fc)
	if err := os.WriteFile(citiesPath, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	r.sigs <- syscall.SIGHUP
	r.waitFor(t, "/collections/cities/items", func(_ int, v map[string]any) bool { return matched(v) == 7 })
	_, after := r.get(t, "/readyz")
	if after["status"] != "ready" || after["version"] == before["version"] {
		t.Errorf("readyz after reload %v (before %v)", after, before)
	}

	r.sigs <- syscall.SIGTERM
	if code := r.wait(t); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

func TestServeGracefulShutdownFinishesInFlight(t *testing.T) {
	r := startServe(t, "--data", fixtureDir)
	// Hold a keep-alive connection with a request in flight while SIGTERM
	// arrives: the response must still be complete.
	conn, err := net.Dial("tcp", strings.TrimPrefix(r.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /collections/cities/items HTTP/1.1\r\nHost: x\r\n")
	r.sigs <- syscall.SIGTERM
	time.Sleep(50 * time.Millisecond)
	fmt.Fprintf(conn, "\r\n")
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	body, _ := io.ReadAll(conn)
	if !bytes.HasPrefix(body, []byte("HTTP/1.1 200")) || !bytes.Contains(body, []byte(`"numberMatched":8`)) {
		t.Errorf("in-flight response: %.200q", body)
	}
	if code := r.wait(t); code != 0 {
		t.Errorf("exit %d", code)
	}
}

func TestServeRefusesBadIndicatorsWithLineAndColumn(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "ind.csv")
	_ = os.WriteFile(bad, []byte("code,pop\n110000,1\n120000,lots\n"), 0o644)
	o, err := parseServeFlags([]string{"--data", fixtureDir, "--indicators", bad}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = loadState(o, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "line 3, column 2") {
		t.Errorf("error %v", err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	var logs syncBuffer
	if code := serve(o, slog.New(slog.NewTextHandler(&logs, nil)), ln, make(chan os.Signal, 1)); code != 1 {
		t.Errorf("exit %d", code)
	}
	if !strings.Contains(logs.String(), "line 3, column 2") {
		t.Errorf("log %s", logs.String())
	}
}

func TestServeRefusesBadDataDir(t *testing.T) {
	o, _ := parseServeFlags([]string{"--data", t.TempDir()}, io.Discard)
	if _, _, err := loadState(o, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("empty directory accepted")
	}
}

func TestServeFlagsAndEnvironment(t *testing.T) {
	t.Setenv("CLUSTERATLAS_ADDR", ":9999")
	t.Setenv("CLUSTERATLAS_CACHE_MAX_AGE", "5m")
	t.Setenv("CLUSTERATLAS_MAX_VERTICES", "77")
	o, err := parseServeFlags([]string{"--body-limit", "2048"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.Addr != ":9999" || o.CacheMaxAge != 5*time.Minute || o.MaxVertices != 77 || o.BodyLimit != 2048 {
		t.Errorf("options %+v", o)
	}
	if o.TileCacheBytes != 64<<20 {
		t.Errorf("default --tile-cache-bytes %d, want 64 MiB", o.TileCacheBytes)
	}
	t.Setenv("CLUSTERATLAS_TILE_CACHE_BYTES", "1048576")
	if o, err := parseServeFlags(nil, io.Discard); err != nil || o.TileCacheBytes != 1<<20 {
		t.Errorf("CLUSTERATLAS_TILE_CACHE_BYTES: %v %+v", err, o)
	}
	if o, err := parseServeFlags([]string{"--tile-cache-bytes", "-1"}, io.Discard); err != nil || o.TileCacheBytes != -1 {
		t.Errorf("--tile-cache-bytes -1: %v %+v", err, o)
	}
	t.Setenv("CLUSTERATLAS_TILE_CACHE_BYTES", "lots")
	if _, err := parseServeFlags(nil, io.Discard); err == nil || !strings.Contains(err.Error(), "CLUSTERATLAS_TILE_CACHE_BYTES") {
		t.Errorf("bad CLUSTERATLAS_TILE_CACHE_BYTES accepted: %v", err)
	}
	t.Setenv("CLUSTERATLAS_TILE_CACHE_BYTES", "")
	if o.MemoryLimit != 300<<20 {
		t.Errorf("default --memory-limit-bytes %d, want 300 MiB", o.MemoryLimit)
	}
	t.Setenv("CLUSTERATLAS_MEMORY_LIMIT_BYTES", "0")
	if o, err := parseServeFlags(nil, io.Discard); err != nil || o.MemoryLimit != 0 {
		t.Errorf("CLUSTERATLAS_MEMORY_LIMIT_BYTES=0: %v %+v", err, o)
	}
	if _, err := parseServeFlags([]string{"--memory-limit-bytes", "-5"}, io.Discard); err == nil || !strings.Contains(err.Error(), "--memory-limit-bytes") {
		t.Errorf("negative --memory-limit-bytes accepted: %v", err)
	}
	t.Setenv("CLUSTERATLAS_MEMORY_LIMIT_BYTES", "")
	t.Setenv("CLUSTERATLAS_READ_TIMEOUT", "soon")
	if _, err := parseServeFlags(nil, io.Discard); err == nil || !strings.Contains(err.Error(), "CLUSTERATLAS_READ_TIMEOUT") {
		t.Errorf("bad env accepted: %v", err)
	}
	var help bytes.Buffer
	if _, err := parseServeFlags([]string{"--help"}, &help); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("help: %v", err)
	}
	for _, env := range []string{"ADDR", "DATA", "INDICATORS", "CORS_ORIGINS", "CACHE_MAX_AGE", "BODY_LIMIT", "MAX_VERTICES", "READ_TIMEOUT", "WRITE_TIMEOUT", "IDLE_TIMEOUT", "SHUTDOWN_TIMEOUT", "BASE_URL", "LOG_FORMAT", "LOG_LEVEL", "TILE_CACHE_BYTES",
		"TRUSTED_PROXIES", "MAX_COSTLY", "COSTLY_QUEUE", "REQUEST_TIMEOUT", "MAX_RESPONSE_BYTES", "MAX_URI_BYTES", "MAX_HEADER_BYTES", "DRAIN_BYTES", "DRAIN_TIMEOUT", "MEMORY_LIMIT_BYTES"} {
		if !strings.Contains(help.String(), "CLUSTERATLAS_"+env) {
			t.Errorf("--help does not list CLUSTERATLAS_%s", env)
		}
	}
}

// TestOGRInfoInterop drives GDAL's OGC API - Features client against the
// real server (runs only where ogrinfo is installed: apt-get install gdal-bin).
func TestOGRInfoInterop(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Skip("ogrinfo not on PATH (apt-get install gdal-bin)")
	}
	r := startServe(t, "--data", fixtureDir)
	ogr := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("ogrinfo", args...)
		cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=30", "CPL_DEBUG=OFF")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	list := ogr("-ro", "OAPIF:"+r.base+"/")
	for _, c := range []string{"clusters", "cities", "transfer-zones", "flows"} {
		if !strings.Contains(list, c) {
			t.Errorf("ogrinfo lists no %s:\n%s", c, list)
		}
	}
	if so := ogr("-ro", "-so", "OAPIF:"+r.base+"/", "clusters"); !strings.Contains(so, "Feature Count: 3") {
		t.Errorf("clusters summary:\n%s", so)
	}
	// A small page size makes GDAL follow next links to the end.
	all := ogr("-ro", "-oo", "PAGE_SIZE=3", "OAPIF:"+r.base+"/", "cities")
	if n := strings.Count(all, "OGRFeature(cities)"); n != 8 {
		t.Errorf("ogrinfo read %d cities through paging, want 8:\n%s", n, all)
	}

	// GDAL's MVT driver reads a served tile, georeferenced by the z/x/y
	// of its path (4/13/6: Beijing to Shanghai).
	resp, err := http.Get(r.base + "/tiles/4/13/6.mvt")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
		t.Fatalf("tile: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	dir := filepath.Join(t.TempDir(), "4", "13")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "6.mvt")
	if err := os.WriteFile(file, body, 0o644); err != nil {
		t.Fatal(err)
	}
	mvt := ogr("-ro", "-al", "-so", "MVT:"+file)
	for _, layer := range []string{"clusters", "cities", "labels"} {
		if !strings.Contains(mvt, "Layer name: "+layer) {
			t.Errorf("ogrinfo lists no %s layer in the tile:\n%s", layer, mvt)
		}
	}
	// Web Mercator metres around x = 1.25e7..1.5e7.
	if !strings.Contains(mvt, "Extent: (1") {
		t.Errorf("tile not georeferenced from its path:\n%s", mvt)
	}
	if n := strings.Count(ogr("-ro", "MVT:"+file, "clusters"), "OGRFeature(clusters)"); n != 3 {
		t.Errorf("ogrinfo read %d clusters from the tile, want 3", n)
	}
}

// TestOGRInfoInteropEmbedded: GDAL's OAPIF client on the embedded atlas
// reports the 19 clusters and reads every city by following next links.
func TestOGRInfoInteropEmbedded(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Skip("ogrinfo not on PATH (apt-get install gdal-bin)")
	}
	if testing.Short() {
		t.Skip("pages through every city outline (~25 MB)")
	}
	ds, err := data.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := startServe(t)
	ogr := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("ogrinfo", args...)
		cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=60", "CPL_DEBUG=OFF")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo %v: %v\n%.2000s", args, err, out)
		}
		return string(out)
	}
	want := fmt.Sprintf("Feature Count: %d", len(ds.Collection(data.Clusters)))
	if so := ogr("-ro", "-so", "OAPIF:"+r.base+"/", "clusters"); !strings.Contains(so, want) || want != "Feature Count: 19" {
		t.Errorf("clusters summary, want %q:\n%s", want, so)
	}
	all := ogr("-ro", "-geom=NO", "-fields=NO", "-oo", "PAGE_SIZE=40", "OAPIF:"+r.base+"/", "cities")
	if n, want := strings.Count(all, "OGRFeature(cities)"), len(ds.Collection(data.Cities)); n != want {
		t.Errorf("ogrinfo read %d cities through pages of 40, want %d", n, want)
	}
}

// The abuse limits come from flags or the environment and are checked.
func TestServeLimitFlags(t *testing.T) {
	t.Setenv("CLUSTERATLAS_MAX_COSTLY", "3")
	t.Setenv("CLUSTERATLAS_REQUEST_TIMEOUT", "2s")
	t.Setenv("CLUSTERATLAS_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.1")
	o, err := parseServeFlags([]string{"--drain-bytes", "0", "--max-response-bytes", "1000"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.MaxCostly != 3 || o.RequestTimeout != 2*time.Second || o.DrainBytes != 0 || o.MaxResponse != 1000 {
		t.Errorf("options %+v", o)
	}
	if p, _ := parseTrustedProxies(o.TrustedProxies); len(p) != 2 || p[1] != "192.168.1.1" {
		t.Errorf("trusted proxies %v", p)
	}
	for _, bad := range [][]string{{"--trusted-proxies", "10.0.0.0/33"}, {"--trusted-proxies", "proxy.local"}, {"--max-costly", "0"}, {"--costly-queue", "-1"}, {"--request-timeout", "0s"}} {
		if _, err := parseServeFlags(bad, io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// TestServeDataDirSnapshot: `snapshot DIR` writes DIR/atlas.snap, serve
// starts from it (ready with the load, no background simplification),
// ignores it with a warning once the GeoJSON changes (and serves the new
// GeoJSON), and refuses a damaged one naming the section.
func TestServeDataDirSnapshot(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, fixtureDir, dir)
	if code := run([]string{"snapshot", dir}); code != 0 {
		t.Fatalf("snapshot exit %d", code)
	}
	r := startServe(t, "--data", dir)
	if logs := r.logs.String(); !strings.Contains(logs, "snapshot=true") || strings.Contains(logs, "levels_took") {
		t.Errorf("not started from the snapshot:\n%s", logs)
	}
	if _, v := r.get(t, "/collections/cities/items"); matched(v) != 8 {
		t.Fatalf("cities %d", matched(v))
	}
	r.sigs <- syscall.SIGTERM
	r.wait(t)

	// Edit the GeoJSON: the snapshot is stale and the edit is served.
	citiesPath := filepath.Join(dir, "cities.geojson")
	var fc map[string]any
	good, _ := os.ReadFile(citiesPath)
	_ = json.Unmarshal(good, &fc)
	fc["features"] = fc["features"].([]any)[1:]
	raw, _ := json.Marshal(fc)
	if err := os.WriteFile(citiesPath, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	r = startServe(t, "--data", dir)
	if logs := r.logs.String(); !strings.Contains(logs, "stale") || !strings.Contains(logs, "cities.geojson changed") {
		t.Errorf("no stale-snapshot warning:\n%s", logs)
	}
	if _, v := r.get(t, "/collections/cities/items"); matched(v) != 7 {
		t.Errorf("stale snapshot served: cities %d", matched(v))
	}
	r.sigs <- syscall.SIGTERM
	r.wait(t)

	// Damage the snapshot: a clear refusal naming the section.
	snapPath := filepath.Join(dir, "atlas.snap")
	b, _ := os.ReadFile(snapPath)
	b[len(b)-2] ^= 0xff
	if err := os.WriteFile(snapPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	o, _ := parseServeFlags([]string{"--data", dir}, io.Discard)
	_, _, err := loadState(o, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), `section "levels": checksum mismatch`) {
		t.Errorf("damaged snapshot: %v", err)
	}
	// check reports it as a problem too.
	if code := run([]string{"check", dir}); code != 1 {
		t.Errorf("check on a damaged snapshot: exit %d, want 1", code)
	}
}
