package api

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

func TestETagAndNotModified(t *testing.T) {
	s := newTestServer(t, Config{CacheMaxAge: 10 * time.Minute})
	targets := []string{"/", "/conformance", "/api", "/collections", "/collections/cities", "/collections/cities/items?limit=2",
		"/collections/cities/items/130400", "/locate?lon=114.5&lat=36.5", "/nearest?lon=114&lat=35", "/within?lon=114&lat=35&radius_km=10",
		"/compare?ids=jing-jin-ji,central-plains", "/clusters/jing-jin-ji/flows"}
	for _, target := range targets {
		r := get(t, s, target)
		wantStatus(t, r, 200)
		tag := r.Header.Get("ETag")
		if !strings.HasPrefix(tag, `"`) || strings.HasPrefix(tag, "W/") {
			t.Fatalf("%s: ETag %q is not strong", target, tag)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=600" {
			t.Errorf("%s: Cache-Control %q", target, cc)
		}
		again := get(t, s, target)
		if again.Header.Get("ETag") != tag || !bytes.Equal(again.Body, r.Body) {
			t.Errorf("%s: same request, different tag or body", target)
		}
		nm := get(t, s, target, "If-None-Match", tag)
		wantStatus(t, nm, 304)
		if len(nm.Body) != 0 || nm.Header.Get("ETag") != tag {
			t.Errorf("%s: 304 body %q tag %q", target, nm.Body, nm.Header.Get("ETag"))
		}
		wantStatus(t, get(t, s, target, "If-None-Match", `"other", W/`+tag), 304)
		wantStatus(t, get(t, s, target, "If-None-Match", `"other"`), 200)
	}
	// The normalized request: parameter order does not matter, values and the Accept header do.
	a := get(t, s, "/collections/cities/items?limit=2&offset=1").Header.Get("ETag")
	b := get(t, s, "/collections/cities/items?offset=1&limit=2").Header.Get("ETag")
	c := get(t, s, "/collections/cities/items?offset=2&limit=2").Header.Get("ETag")
	d := get(t, s, "/collections/cities/items?offset=1&limit=2", "Accept", "text/html").Header.Get("ETag")
	if a != b || a == c || a == d {
		t.Errorf("tags: %s %s %s %s", a, b, c, d)
	}
	// A new data version changes every tag.
	st := *s.State()
	st.Version = "other-version"
	s.SetState(&st)
	if get(t, s, "/collections/cities/items?limit=2&offset=1").Header.Get("ETag") == a {
		t.Error("tag did not change with the data version")
	}
	// Errors carry no validator.
	if e := get(t, s, "/collections/nope"); e.Header.Get("ETag") != "" {
		t.Error("problem response has an ETag")
	}
}

func TestNoCacheByDefault(t *testing.T) {
	s := newTestServer(t, Config{})
	if cc := get(t, s, "/collections").Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control %q", cc)
	}
	if cc := get(t, s, "/healthz").Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("healthz Cache-Control %q", cc)
	}
}

func TestCompressionAndItsETag(t *testing.T) {
	s := newTestServer(t, Config{})
	plain := get(t, s, "/collections/cities/items")
	gz := get(t, s, "/collections/cities/items", "Accept-Encoding", "gzip")
	if gz.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("no gzip: %v", gz.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz.Body))
	if err != nil {
		t.Fatal(err)
	}
	unz, _ := io.ReadAll(zr)
	if !bytes.Equal(unz, plain.Body) {
		t.Error("gzip body differs from the identity body")
	}
	pt, gt := plain.Header.Get("ETag"), gz.Header.Get("ETag")
	if gt != strings.TrimSuffix(pt, `"`)+`-gzip"` {
		t.Errorf("gzip tag %s for identity tag %s", gt, pt)
	}
	wantStatus(t, get(t, s, "/collections/cities/items", "Accept-Encoding", "gzip", "If-None-Match", gt), 304)
	br := get(t, s, "/collections/cities/items", "Accept-Encoding", "br")
	if br.Header.Get("Content-Encoding") != "br" {
		t.Errorf("no brotli: %v", br.Header.Get("Content-Encoding"))
	}
}

func TestCORS(t *testing.T) {
	s := newTestServer(t, Config{CORSOrigins: []string{"https://maps.example.org"}})
	pre := do(t, s, http.MethodOptions, "/intersects", nil,
		"Origin", "https://maps.example.org", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "Content-Type")
	if pre.StatusCode != 204 || pre.Header.Get("Access-Control-Allow-Origin") != "https://maps.example.org" ||
		!strings.Contains(pre.Header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight: %d %v", pre.StatusCode, pre.Header)
	}
	simple := get(t, s, "/collections", "Origin", "https://maps.example.org")
	if simple.Header.Get("Access-Control-Allow-Origin") != "https://maps.example.org" || !strings.Contains(simple.Header.Get("Access-Control-Expose-Headers"), "ETag") {
		t.Errorf("simple request CORS headers: %v", simple.Header)
	}
	other := get(t, s, "/collections", "Origin", "https://evil.example.com")
	if other.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("foreign origin allowed: %v", other.Header.Get("Access-Control-Allow-Origin"))
	}
	any := newTestServer(t, Config{})
	if got := get(t, any, "/collections", "Origin", "https://x.example").Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("default CORS origin %q", got)
	}
}

func TestRouteErrors(t *testing.T) {
	s := newTestServer(t, Config{})
	wantProblem(t, get(t, s, "/no/such/route"), 404, "")
	wantProblem(t, get(t, s, "/collections/"), 404, "") // strict routing: one URL per resource
	wantProblem(t, do(t, s, http.MethodPost, "/collections", strings.NewReader("{}")), 405, "")
	wantProblem(t, do(t, s, http.MethodDelete, "/locate?lon=1&lat=1", nil), 405, "")
	head := do(t, s, http.MethodHead, "/collections", nil)
	wantStatus(t, head, 200)
}

func TestPanicBecomesProblem(t *testing.T) {
	var logs bytes.Buffer
	s := New(Config{Logger: slogTo(&logs)}, readyFixture(t))
	s.App().Get("/test-panic", func(c *fiber.Ctx) error { panic("boom") })
	p := wantProblem(t, get(t, s, "/test-panic"), 500, "")
	if strings.Contains(fmt.Sprint(p), "boom") {
		t.Error("panic value leaked to the client")
	}
	if !strings.Contains(logs.String(), "boom") {
		t.Errorf("panic not logged: %s", logs.String())
	}
	wantStatus(t, get(t, s, "/healthz"), 200) // still serving
}

func TestMetricsByRoutePattern(t *testing.T) {
	s := newTestServer(t, Config{})
	get(t, s, "/collections/cities/items?limit=1")
	get(t, s, "/collections/clusters/items?limit=1")
	get(t, s, "/collections/nope/items")
	get(t, s, "/nope")
	m := get(t, s, "/metrics")
	wantStatus(t, m, 200)
	body := string(m.Body)
	for _, want := range []string{
		`clusteratlas_http_requests_total{method="GET",route="/collections/{collectionId}/items",status="200"} 2`,
		`clusteratlas_http_requests_total{method="GET",route="/collections/{collectionId}/items",status="404"} 1`,
		`clusteratlas_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`clusteratlas_http_request_duration_seconds_bucket{method="GET",route="/collections/{collectionId}/items"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s\n%s", want, grepLines(body, "requests_total"))
		}
	}
	if strings.Contains(body, "/collections/cities/items") {
		t.Error("metrics labelled by raw URL")
	}
}

func TestReadiness(t *testing.T) {
	s := newTestServer(t, Config{})
	r := get(t, s, "/readyz")
	wantStatus(t, r, 200)
	if r.json(t)["status"] != "ready" {
		t.Errorf("readyz %s", r.Body)
	}
}

// liveServer serves s on a loopback port (for what app.Test cannot do,
// such as the server's body limit) and returns its base URL.
func liveServer(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.App().Listener(ln)
	t.Cleanup(func() { _ = s.App().ShutdownWithTimeout(time.Second) })
	return "http://" + ln.Addr().String()
}

func TestBodyLimit413(t *testing.T) {
	s := newTestServer(t, Config{BodyLimit: 4096})
	base := liveServer(t, s)
	huge := `{"type":"Point","coordinates":[1,1],"pad":"` + strings.Repeat("x", 5000) + `"}`
	resp, err := http.Post(base+"/intersects", mediaGeoJSON, strings.NewReader(huge))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantProblem(t, response{resp, body}, 413, "body")
	// A body under the limit is fine.
	resp, err = http.Post(base+"/intersects", mediaGeoJSON, strings.NewReader(`{"type":"Point","coordinates":[114.5,36.5]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("small body: %d", resp.StatusCode)
	}
}
