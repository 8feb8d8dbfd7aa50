package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
)

// fixtureDir is a hand-made dataset: 3 clusters (jing-jin-ji and
// central-plains overlap on 130400 邯郸), 8 cities (two either side of the
// antimeridian), 3 zones (one without an approval year) and 4 flows (two
// without geometry, one without a year).
const fixtureDir = "testdata/fixture"

var (
	fixtureOnce  sync.Once
	fixtureState *State
	fixtureErr   error
)

// readyFixture is the fixture state with its simplified levels, built once.
func readyFixture(t testing.TB) *State {
	t.Helper()
	fixtureOnce.Do(func() {
		ds, err := data.LoadDir(fixtureDir)
		if err != nil {
			fixtureErr = err
			return
		}
		st, err := NewState(ds, nil)
		if err != nil {
			fixtureErr = err
			return
		}
		levels, err := BuildLevels(st.Atlas)
		if err != nil {
			fixtureErr = err
			return
		}
		fixtureState = st.WithLevels(levels)
	})
	if fixtureErr != nil {
		t.Fatalf("fixture: %v", fixtureErr)
	}
	return fixtureState
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newTestServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	return New(cfg, readyFixture(t))
}

type response struct {
	*http.Response
	Body []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, clipBody(r.Body))
	}
	return v
}

func clipBody(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// do sends a request through the real Fiber app (app.Test).
func do(t testing.TB, s *Server, method, target string, body io.Reader, header ...string) response {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := s.App().Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return response{resp, raw}
}

func get(t testing.TB, s *Server, target string, header ...string) response {
	t.Helper()
	return do(t, s, http.MethodGet, target, nil, header...)
}

// wantStatus fails unless the response has the status.
func wantStatus(t testing.TB, r response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d\n%s", r.Request.Method, r.Request.URL, r.StatusCode, status, clipBody(r.Body))
	}
}

// wantProblem checks an RFC 9457 problem response with the status and,
// if given, the parameter it names.
func wantProblem(t testing.TB, r response, status int, param string) map[string]any {
	t.Helper()
	wantStatus(t, r, status)
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json", ct)
	}
	p := r.json(t)
	for _, k := range []string{"type", "title", "detail"} {
		if s, _ := p[k].(string); s == "" {
			t.Errorf("problem lacks %s: %v", k, p)
		}
	}
	if st, _ := p["status"].(float64); int(st) != status {
		t.Errorf("problem status %v, want %d", p["status"], status)
	}
	if param != "" && p["parameter"] != param {
		t.Errorf("problem names parameter %v, want %q (detail %v)", p["parameter"], param, p["detail"])
	}
	if param != "" && status == 400 && !strings.Contains(p["detail"].(string), param) {
		t.Errorf("detail %q does not name %q", p["detail"], param)
	}
	return p
}

func featureIDs(t testing.TB, fc map[string]any) []string {
	t.Helper()
	feats, ok := fc["features"].([]any)
	if !ok {
		t.Fatalf("no features array: %v", fc)
	}
	ids := make([]string, 0, len(feats))
	for _, f := range feats {
		ids = append(ids, f.(map[string]any)["id"].(string))
	}
	return ids
}

func linkHref(doc map[string]any, rel string) string {
	links, _ := doc["links"].([]any)
	for _, l := range links {
		m := l.(map[string]any)
		if m["rel"] == rel {
			return m["href"].(string)
		}
	}
	return ""
}

func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
