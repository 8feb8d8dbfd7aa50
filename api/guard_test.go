package api

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

const squareBody = `{"type":"Polygon","coordinates":[[[114.5,36.5],[116,36.5],[116,38],[114.5,38],[114.5,36.5]]]}`

// wantRetryAfter checks a 503 problem carries a positive Retry-After.
func wantRetryAfter(t *testing.T, r response) {
	t.Helper()
	wantProblem(t, r, http.StatusServiceUnavailable, "")
	if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("503 without a Retry-After (%q)", ra)
	}
}

// With every costly slot taken and no queue, a costly route is refused at
// once with 503 + Retry-After, while /locate is not affected.
func TestCostlyPoolFullIs503WithRetryAfter(t *testing.T) {
	s := newTestServer(t, Config{MaxCostly: 1, CostlyQueue: -1, RequestTimeout: 3 * time.Second})
	s.guard.slots <- struct{}{} // a costly request is running
	for _, r := range []response{
		get(t, s, "/nearest?lon=115&lat=37"),
		get(t, s, "/within?lon=115&lat=37&radius_km=100"),
		post(t, s, "/intersects", squareBody),
	} {
		wantRetryAfter(t, r)
		if p := r.json(t); !strings.Contains(p["detail"].(string), "--max-costly") {
			t.Errorf("detail does not name the limit: %v", p["detail"])
		}
	}
	wantStatus(t, get(t, s, "/locate?lon=115&lat=37"), 200)
	<-s.guard.slots
	wantStatus(t, get(t, s, "/nearest?lon=115&lat=37"), 200)
}

// One request may wait for the busy slot; the next is refused, and the
// waiting one is served once the slot frees.
func TestCostlyQueueBoundsWaiters(t *testing.T) {
	s := newTestServer(t, Config{MaxCostly: 1, CostlyQueue: 1, RequestTimeout: 5 * time.Second})
	s.guard.slots <- struct{}{}
	var wg sync.WaitGroup
	var queued response
	wg.Add(1)
	go func() {
		defer wg.Done()
		queued = get(t, s, "/nearest?lon=115&lat=37")
	}()
	deadline := time.Now().Add(3 * time.Second)
	for s.guard.waiting.Load() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the first request never queued")
		}
		time.Sleep(time.Millisecond)
	}
	wantRetryAfter(t, get(t, s, "/within?lon=115&lat=37&radius_km=10"))
	<-s.guard.slots
	wg.Wait()
	wantStatus(t, queued, 200)
}

// A waiter whose request timeout passes in the queue gets 503, not a hang.
func TestCostlyQueueWaitEndsAtTimeout(t *testing.T) {
	s := newTestServer(t, Config{MaxCostly: 1, CostlyQueue: 4, RequestTimeout: 50 * time.Millisecond})
	s.guard.slots <- struct{}{}
	defer func() { <-s.guard.slots }()
	start := time.Now()
	wantRetryAfter(t, post(t, s, "/intersects", squareBody))
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("refusal took %v", el)
	}
}

// The deadline reaches geo's overlay loop: an expired request stops there
// and answers 503 + Retry-After naming --request-timeout.
func TestCostlyDeadlineStopsIntersects(t *testing.T) {
	s := newTestServer(t, Config{RequestTimeout: time.Nanosecond})
	r := post(t, s, "/intersects", squareBody)
	wantRetryAfter(t, r)
	if p := r.json(t); p["type"] != problemDeadline || !strings.Contains(p["detail"].(string), "--request-timeout") {
		t.Errorf("problem %v", p)
	}
}

// The query routes answer without geometry unless asked (geometry=true or
// a zoom), which is what keeps /nearest and /within small.
func TestQueryRoutesOmitGeometryByDefault(t *testing.T) {
	s := newTestServer(t, Config{})
	geoms := func(r response) (null, drawn int) {
		t.Helper()
		wantStatus(t, r, 200)
		for _, f := range r.json(t)["features"].([]any) {
			if f.(map[string]any)["geometry"] == nil {
				null++
			} else {
				drawn++
			}
		}
		return
	}
	for _, target := range []string{"/nearest?lon=115&lat=37&k=3", "/within?lon=115&lat=37&radius_km=500"} {
		if null, drawn := geoms(get(t, s, target)); drawn != 0 || null == 0 {
			t.Errorf("%s: %d with geometry, %d without; want none drawn by default", target, drawn, null)
		}
		for _, opt := range []string{"&geometry=true", "&zoom=4"} {
			if null, drawn := geoms(get(t, s, target+opt)); drawn == 0 || null != 0 {
				t.Errorf("%s%s: %d with geometry, %d without", target, opt, drawn, null)
			}
		}
	}
	if null, drawn := geoms(post(t, s, "/intersects", squareBody)); drawn != 0 || null == 0 {
		t.Errorf("intersects: %d drawn, %d null", drawn, null)
	}
	if _, drawn := geoms(post(t, s, "/intersects?geometry=true", squareBody)); drawn == 0 {
		t.Error("intersects?geometry=true has no geometry")
	}
}

// An answer above --max-response-bytes is a 422 problem decided before
// sending, naming the limit; smaller answers pass.
func TestResponseSizeCap(t *testing.T) {
	s := newTestServer(t, Config{MaxResponseBytes: 2000})
	r := get(t, s, "/nearest?lon=115&lat=37&k=3&geometry=true")
	p := wantProblem(t, r, http.StatusUnprocessableEntity, "")
	if !strings.Contains(p["detail"].(string), "--max-response-bytes") {
		t.Errorf("detail %v", p["detail"])
	}
	wantStatus(t, get(t, s, "/locate?lon=115&lat=37"), 200)
}

// An over-long request target is 414 naming the real path; one past the
// read buffer is 431; both problem+json.
func TestLongURIIs414(t *testing.T) {
	s := newTestServer(t, Config{MaxURIBytes: 4096, MaxHeaderBytes: 8192})
	r := get(t, s, "/locate?lon=115&lat=37&x="+strings.Repeat("a", 5000))
	p := wantProblem(t, r, http.StatusRequestURITooLong, "")
	if p["instance"] != "/locate" || !strings.Contains(p["detail"].(string), "--max-uri-bytes") {
		t.Errorf("problem %v", p)
	}
	// past the read buffer fasthttp refuses the head itself (a real
	// connection: app.Test reports that as an error)
	base := serveOnLoopback(t, s.App(), 0, 0)
	resp, err := http.Get(base + "/locate?x=" + strings.Repeat("a", 9000))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || resp.Header.Get("Content-Type") != "application/problem+json" ||
		!bytes.Contains(body, []byte("--max-header-bytes")) || bytes.Contains(body, []byte(`"instance":"/"`)) {
		t.Errorf("head too large: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

// After GET, HEAD, PUT and POST traffic on a real connection (fasthttp
// reuses its buffers there), /metrics still answers and every method label
// is a real method: the labels were copied, not aliased.
func TestMetricsAfterMixedMethods(t *testing.T) {
	s := newTestServer(t, Config{})
	base := serveOnLoopback(t, s.App(), 0, 0)
	client := &http.Client{Timeout: 5 * time.Second}
	send := func(method, path, body string) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for i := 0; i < 3; i++ {
		send("GET", "/locate?lon=115&lat=37", "")
		send("PUT", "/intersects", squareBody)
		send("POST", "/intersects", squareBody)
		send("HEAD", "/conformance", "")
		send("GET", "/intersects", "")
		send("DELETE", "/collections", "")
		send("BREW", "/", "") // Fiber answers unknown methods itself (501)
	}
	resp, err := client.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics status %d: %.300s", resp.StatusCode, raw)
	}
	methods := map[string]bool{}
	for _, m := range regexp.MustCompile(`clusteratlas_http_requests_total\{method="([^"]*)"`).FindAllSubmatch(raw, -1) {
		methods[string(m[1])] = true
	}
	for m := range methods {
		if m != "GET" && m != "HEAD" && m != "PUT" && m != "POST" && m != "DELETE" && m != "other" {
			t.Errorf("method label %q", m)
		}
	}
	for _, m := range []string{"GET", "HEAD", "PUT", "POST"} {
		if !methods[m] {
			t.Errorf("no series for %s (have %v)", m, methods)
		}
	}
	if !bytes.Contains(raw, []byte(`method="POST",route="/intersects",status="200"`)) {
		t.Errorf("no POST /intersects 200 series:\n%s", grepLines(string(raw), "requests_total"))
	}
}

// serveOnLoopback serves app on 127.0.0.1 (through the lingering listener
// when drainBytes > 0) until the test ends; it returns the base URL.
func serveOnLoopback(t *testing.T, app interface{ Listener(net.Listener) error }, drainBytes int64, drainTimeout time.Duration) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(LingerListener(ln, drainBytes, drainTimeout))
	t.Cleanup(func() { ln.Close() })
	return "http://" + ln.Addr().String()
}

// X-Forwarded-Host/-Proto from a peer outside --trusted-proxies are ignored
// everywhere links are built; from a trusted peer they are used. (app.Test's
// peer address is 0.0.0.0.)
func TestForwardedHeadersOnlyFromTrustedProxies(t *testing.T) {
	forged := []string{"X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https"}
	check := func(s *Server, wantEvil bool) {
		t.Helper()
		has := func(what, v string) {
			t.Helper()
			if got := strings.Contains(v, "https://evil.example"); got != wantEvil {
				t.Errorf("%s: forged host present %v, want %v: %.200s", what, got, wantEvil, v)
			}
		}
		landing := get(t, s, "/", forged...)
		wantStatus(t, landing, 200)
		has("landing links", linkHref(landing.json(t), "self"))
		tj := get(t, s, "/tiles.json", forged...)
		wantStatus(t, tj, 200)
		tiles, _ := json.Marshal(tj.json(t)["tiles"])
		has("TileJSON tiles", string(tiles))
		html := get(t, s, "/?f=html", forged...)
		wantStatus(t, html, 200)
		src := regexp.MustCompile(`<script[^>]+src="([^"]+)"`).FindSubmatch(html.Body)
		if src == nil {
			t.Fatalf("no script src in the landing page")
		}
		has("HTML script src", string(src[1]))
		redirect := get(t, s, "/viewer", forged...)
		has("viewer redirect", redirect.Header.Get("Location"))
	}
	check(newTestServer(t, Config{}), false)
	check(newTestServer(t, Config{TrustedProxies: []string{"10.0.0.0/8"}}), false)
	check(newTestServer(t, Config{TrustedProxies: []string{"0.0.0.0/32"}}), true)
}

// A client that sends a too-large body without Expect: 100-continue gets
// the 413 problem+json, not a connection reset: the server drains the body
// (lingering close) before closing.
func TestOversizedBodyWithoutExpectGets413(t *testing.T) {
	s := newTestServer(t, Config{BodyLimit: 1 << 10})
	base := serveOnLoopback(t, s.App(), 16<<20, 5*time.Second)
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const size = 5 << 20
	fmt.Fprintf(conn, "POST /intersects HTTP/1.1\r\nHost: x\r\nContent-Type: application/geo+json\r\nContent-Length: %d\r\n\r\n", size)
	// write the whole body, as urllib does, before reading anything
	writeErr := make(chan error, 1)
	go func() {
		chunk := bytes.Repeat([]byte(" "), 64<<10)
		var err error
		for sent := 0; sent < size && err == nil; sent += len(chunk) {
			_, err = conn.Write(chunk)
		}
		writeErr <- err
	}()
	if err := <-writeErr; err != nil {
		t.Fatalf("writing the body: %v (the server reset instead of draining)", err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 || resp.Header.Get("Content-Type") != "application/problem+json" || !bytes.Contains(body, []byte(`"status":413`)) {
		t.Errorf("answer %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}
