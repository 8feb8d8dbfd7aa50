package viewer

import (
	"io/fs"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func TestFiles(t *testing.T) {
	for _, name := range []string{"index.html", "viewer.js", "viewer.css", "feature-map.js",
		"vendor/maplibre-gl.mjs", "vendor/maplibre-gl-worker.mjs", "vendor/maplibre-gl.css", "vendor/LICENSE.txt"} {
		b, err := fs.ReadFile(Files(), name)
		if err != nil || len(b) == 0 {
			t.Errorf("%s: %v (%d bytes)", name, err, len(b))
		}
	}
	v, _ := fs.ReadFile(Files(), "vendor/VERSION")
	if !strings.HasPrefix(string(v), "maplibre-gl "+MapLibreVersion+"\n") {
		t.Errorf("vendor/VERSION says %q, want maplibre-gl %s", v, MapLibreVersion)
	}
}

// The viewer works offline: our own files name no absolute URL outside
// comments (the style is built in JS from tiles.json; no CDN, sprite or
// glyph server).
func TestNoExternalURLs(t *testing.T) {
	url := regexp.MustCompile(`(?i)\b(https?:)?//[a-z0-9.-]+\.[a-z]{2,}`)
	comment := regexp.MustCompile(`(?m)^\s*//.*$|<!--[\s\S]*?-->`)
	for _, name := range []string{"index.html", "viewer.js", "viewer.css", "feature-map.js"} {
		b, _ := fs.ReadFile(Files(), name)
		code := comment.ReplaceAllString(string(b), "")
		if m := url.FindString(code); m != "" {
			t.Errorf("%s refers to %q", name, m)
		}
	}
}

func TestHandler(t *testing.T) {
	h := Handler()
	for path, want := range map[string]string{
		"/":                       "text/html; charset=utf-8",
		"/viewer.js":              "text/javascript; charset=utf-8",
		"/vendor/maplibre-gl.mjs": "text/javascript; charset=utf-8",
		"/vendor/maplibre-gl.css": "text/css; charset=utf-8",
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 200 || rec.Header().Get("Content-Type") != want {
			t.Errorf("GET %s: %d %q", path, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	for _, path := range []string{"/nope.js", "/../viewer.go", "/vendor"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 404 {
			t.Errorf("GET %s: %d, want 404", path, rec.Code)
		}
	}
}
