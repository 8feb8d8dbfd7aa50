// Package viewer holds the built-in map viewer as static files embedded in
// the binary: index.html, viewer.js and viewer.css (the /viewer page),
// feature-map.js (a small map for the OGC API HTML pages), and MapLibre GL JS
// vendored from npm under vendor/ (see scripts/vendor-maplibre.sh). Nothing
// is loaded from a CDN and the style has no external URL, so the viewer
// works offline and behind TLS.
//
// Serve Files() under /viewer/ (redirect /viewer to /viewer/: the pages use
// relative URLs so the service can sit under a path prefix). Each script
// finds the API at "../" relative to its own URL.
package viewer

import (
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// MapLibreVersion is the vendored maplibre-gl release.
const MapLibreVersion = "6.17.0"

//go:embed index.html viewer.js viewer.css feature-map.js vendor/maplibre-gl.mjs vendor/maplibre-gl-worker.mjs vendor/maplibre-gl.css vendor/LICENSE.txt vendor/VERSION
var files embed.FS

// Files is the viewer's file tree: index.html, viewer.js, viewer.css,
// feature-map.js, vendor/maplibre-gl.mjs, vendor/maplibre-gl-worker.mjs,
// vendor/maplibre-gl.css, vendor/LICENSE.txt, vendor/VERSION.
func Files() fs.FS { return files }

// ContentType is the media type to serve a viewer file with. Module scripts
// and module workers (MapLibre 6 is ES modules only) are refused by
// browsers unless served as JavaScript, so .mjs is spelled out rather than
// left to the platform's MIME table.
func ContentType(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".mjs", ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case ".txt", "":
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// Handler serves Files() for requests whose path has already had the
// "/viewer" prefix stripped ("/" or "" is index.html). It is a plain
// net/http handler (Fiber: adaptor.HTTPHandler); the api may equally use
// Fiber's filesystem middleware over http.FS(Files()).
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" || name == "." {
			name = "index.html"
		}
		body, err := fs.ReadFile(files, name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", ContentType(name))
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(body)
	})
}
