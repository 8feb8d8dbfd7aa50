package api

import (
	"encoding/json"
	"github.com/clusteratlas/clusteratlas/geo"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
)

func mvtLayers(t *testing.T, body []byte, gzipped bool) mvt.Layers {
	t.Helper()
	var layers mvt.Layers
	var err error
	if gzipped {
		layers, err = mvt.UnmarshalGzipped(body)
	} else {
		layers, err = mvt.Unmarshal(body)
	}
	if err != nil {
		t.Fatalf("tile does not decode: %v", err)
	}
	return layers
}

func layerByName(layers mvt.Layers, name string) *mvt.Layer {
	for _, l := range layers {
		if l.Name == name {
			return l
		}
	}
	return nil
}

// Tile 4/13/6 covers lon 112.5–135, lat 21.9–41.0: Beijing and the
// fixture's three clusters.
func TestTileDecodesWithClusters(t *testing.T) {
	s := newTestServer(t, Config{})
	r := get(t, s, "/tiles/4/13/6.mvt")
	wantStatus(t, r, 200)
	if ct := r.Header.Get("Content-Type"); ct != "application/vnd.mapbox-vector-tile" {
		t.Errorf("content type %q", ct)
	}
	layers := mvtLayers(t, r.Body, false)
	clusters := layerByName(layers, "clusters")
	if clusters == nil {
		t.Fatalf("no clusters layer; layers %v", layerNames(layers))
	}
	if clusters.Version != 2 || clusters.Extent != 4096 {
		t.Errorf("clusters layer version %d extent %d", clusters.Version, clusters.Extent)
	}
	var ids []string
	for _, f := range clusters.Features {
		ids = append(ids, f.Properties.MustString("id", ""))
	}
	slices.Sort(ids)
	if want := []string{"central-plains", "jing-jin-ji", "middle-yangtze"}; !slices.Equal(ids, want) {
		t.Errorf("clusters %v, want %v", ids, want)
	}
	for _, name := range []string{"cities", "labels"} {
		if layerByName(layers, name) == nil {
			t.Errorf("no %s layer; layers %v", name, layerNames(layers))
		}
	}

	// Compressed on request (MVT is application/*), with its own ETag.
	gz := get(t, s, "/tiles/4/13/6.mvt", "Accept-Encoding", "gzip")
	wantStatus(t, gz, 200)
	if gz.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q", gz.Header.Get("Content-Encoding"))
	}
	if len(mvtLayers(t, gz.Body, true)) != len(layers) {
		t.Error("gzipped tile differs")
	}
	if gz.Header.Get("ETag") == r.Header.Get("ETag") || !strings.HasSuffix(gz.Header.Get("ETag"), `-gzip"`) {
		t.Errorf("ETags %s and %s", r.Header.Get("ETag"), gz.Header.Get("ETag"))
	}

	// HEAD answers like GET, without the body.
	head := do(t, s, http.MethodHead, "/tiles/4/13/6.mvt", nil)
	wantStatus(t, head, 200)
	if len(head.Body) != 0 || head.Header.Get("ETag") != r.Header.Get("ETag") {
		t.Errorf("HEAD: %d bytes, ETag %s", len(head.Body), head.Header.Get("ETag"))
	}
}

func layerNames(layers mvt.Layers) []string {
	var out []string
	for _, l := range layers {
		out = append(out, l.Name)
	}
	return out
}

func TestTileCoordinatesValidated(t *testing.T) {
	s := newTestServer(t, Config{})
	for path, param := range map[string]string{
		"/tiles/15/0/0.mvt":   "z", // above MaxZoom 14
		"/tiles/-1/0/0.mvt":   "z",
		"/tiles/04/13/6.mvt":  "z", // one URL per tile
		"/tiles/z/0/0.mvt":    "z",
		"/tiles/4/16/6.mvt":   "x", // 0..15 at z4
		"/tiles/4/-1/6.mvt":   "x",
		"/tiles/4/1.5/6.mvt":  "x",
		"/tiles/4/13/16.mvt":  "y",
		"/tiles/0/0/1.mvt":    "y",
		"/tiles/4/13/+6.mvt":  "y",
		"/tiles/4/13/6.mvt?f": "f", // the unknown-parameter rule applies
	} {
		p := wantProblem(t, get(t, s, path), 400, param)
		if strings.Contains(path, "?") {
			continue
		}
		if d := p["detail"].(string); !strings.HasPrefix(d, `parameter "`+param+`"`) {
			t.Errorf("%s: detail %q", path, d)
		}
	}
	// Not a tile route at all.
	wantProblem(t, get(t, s, "/tiles/4/13/6.pbf"), 404, "")
}

func TestEmptyTileIs204(t *testing.T) {
	s := newTestServer(t, Config{CacheMaxAge: time.Hour})
	// 4/8/12: lon 0–22.5, lat −66.5 to −40.9, the Southern Ocean.
	r := get(t, s, "/tiles/4/8/12.mvt", "Accept-Encoding", "gzip")
	wantStatus(t, r, 204)
	if len(r.Body) != 0 {
		t.Errorf("204 with a %d-byte body", len(r.Body))
	}
	// Cacheable like any tile, and revalidates.
	if r.Header.Get("Cache-Control") != "public, max-age=3600" || r.Header.Get("ETag") == "" {
		t.Errorf("Cache-Control %q ETag %q", r.Header.Get("Cache-Control"), r.Header.Get("ETag"))
	}
	wantStatus(t, get(t, s, "/tiles/4/8/12.mvt", "If-None-Match", r.Header.Get("ETag")), 304)
	// The whole world at z0 is not empty.
	wantStatus(t, get(t, s, "/tiles/0/0/0.mvt"), 200)
}

func TestTileETagAndNotModified(t *testing.T) {
	s := newTestServer(t, Config{CacheMaxAge: 10 * time.Minute})
	r := get(t, s, "/tiles/4/13/6.mvt")
	wantStatus(t, r, 200)
	etag := r.Header.Get("ETag")
	if !regexp.MustCompile(`^"[0-9a-f]{32}"$`).MatchString(etag) {
		t.Fatalf("ETag %q", etag)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=600" {
		t.Errorf("Cache-Control %q", cc)
	}
	nm := get(t, s, "/tiles/4/13/6.mvt", "If-None-Match", etag)
	wantStatus(t, nm, 304)
	if len(nm.Body) != 0 || nm.Header.Get("ETag") != etag || nm.Header.Get("Cache-Control") != "public, max-age=600" {
		t.Errorf("304: %d bytes, ETag %q, Cache-Control %q", len(nm.Body), nm.Header.Get("ETag"), nm.Header.Get("Cache-Control"))
	}
	// Another tile has another tag.
	other := get(t, s, "/tiles/4/12/6.mvt", "If-None-Match", etag)
	if other.StatusCode == 304 {
		t.Error("4/12/6 matched the ETag of 4/13/6")
	}
	// The same tile from the cache is byte-identical.
	again := get(t, s, "/tiles/4/13/6.mvt")
	if string(again.Body) != string(r.Body) || again.Header.Get("ETag") != etag {
		t.Error("second response differs")
	}
}

func TestTilesNotReady(t *testing.T) {
	st := *readyFixture(t)
	st.Levels, st.Tiles = nil, nil
	s := New(Config{Logger: quietLogger()}, &st)
	wantProblem(t, get(t, s, "/tiles/4/13/6.mvt"), 503, "")
	wantProblem(t, get(t, s, "/tiles.json"), 503, "")
	// Bad coordinates are still 400.
	wantProblem(t, get(t, s, "/tiles/99/0/0.mvt"), 400, "z")
	// Levels in via SetState: tiles come with them.
	s.SetState(s.WithLevels(&st, readyFixture(t).Levels))
	wantStatus(t, get(t, s, "/tiles/4/13/6.mvt"), 200)
}

func TestTileCacheBytesConfig(t *testing.T) {
	st := *readyFixture(t)
	s := New(Config{Logger: quietLogger(), TileCacheBytes: 1}, &st)
	ready := s.WithLevels(&st, st.Levels)
	if got := ready.Tiles.CacheStats().MaxBytes; got != 1 {
		t.Errorf("tile cache bound %d, want 1", got)
	}
	if got := readyFixture(t).Tiles.CacheStats().MaxBytes; got != 64<<20 {
		t.Errorf("default tile cache bound %d, want 64 MiB", got)
	}
}

func TestTileJSON(t *testing.T) {
	s := newTestServer(t, Config{})
	// The tile URL follows the request's own host.
	req := httptest.NewRequest(http.MethodGet, "http://atlas.test:8080/tiles.json", nil)
	resp, err := s.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	r := response{resp, raw}
	wantStatus(t, r, 200)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("content type %q", ct)
	}
	if r.Header.Get("ETag") == "" {
		t.Error("no ETag")
	}
	tj := r.json(t)
	if tj["tilejson"] != "3.0.0" || tj["scheme"] != "xyz" {
		t.Errorf("tilejson %v scheme %v", tj["tilejson"], tj["scheme"])
	}
	tl, _ := tj["tiles"].([]any)
	if len(tl) != 1 || tl[0] != "http://atlas.test:8080/tiles/{z}/{x}/{y}.mvt" {
		t.Errorf("tiles %v", tj["tiles"])
	}
	if tj["minzoom"] != 0.0 || tj["maxzoom"] != 14.0 {
		t.Errorf("zooms %v..%v", tj["minzoom"], tj["maxzoom"])
	}
	if b, _ := tj["bounds"].([]any); len(b) != 4 || b[0].(float64) >= b[2].(float64) || b[1].(float64) >= b[3].(float64) {
		t.Errorf("bounds %v", tj["bounds"])
	}
	if c, _ := tj["center"].([]any); len(c) != 3 {
		t.Errorf("center %v", tj["center"])
	}
	var ids []string
	for _, l := range tj["vector_layers"].([]any) {
		m := l.(map[string]any)
		ids = append(ids, m["id"].(string))
		if _, ok := m["fields"].(map[string]any); !ok {
			t.Errorf("layer %v has no fields", m["id"])
		}
	}
	if want := []string{"provinces", "clusters", "cities", "transfer-zones", "metro-areas", "flows", "labels"}; !slices.Equal(ids, want) {
		t.Errorf("vector_layers %v", ids)
	}
	// Behind a proxy: --base-url wins, prefix included.
	p := newTestServer(t, Config{BaseURL: "https://maps.example.org/atlas/"})
	tj = get(t, p, "/tiles.json").json(t)
	if tl := tj["tiles"].([]any); tl[0] != "https://maps.example.org/atlas/tiles/{z}/{x}/{y}.mvt" {
		t.Errorf("tiles behind a prefix: %v", tl)
	}
}

func TestViewerRoutes(t *testing.T) {
	s := newTestServer(t, Config{})
	r := get(t, s, "/viewer")
	wantStatus(t, r, http.StatusMovedPermanently)
	if loc := r.Header.Get("Location"); loc != "http://example.com/viewer/" {
		t.Errorf("Location %q", loc)
	}
	p := newTestServer(t, Config{BaseURL: "https://maps.example.org/atlas"})
	if loc := get(t, p, "/viewer").Header.Get("Location"); loc != "https://maps.example.org/atlas/viewer/" {
		t.Errorf("Location behind a prefix %q", loc)
	}

	page := get(t, s, "/viewer/")
	wantStatus(t, page, 200)
	if ct := page.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	if !strings.Contains(string(page.Body), `<script type="module" src="viewer.js">`) {
		t.Errorf("viewer page lacks the map script:\n%s", clipBody(page.Body))
	}
	// A query string is not an API parameter here.
	wantStatus(t, get(t, s, "/viewer/?v=2"), 200)

	for path, want := range map[string]string{
		"/viewer/viewer.js":                     "text/javascript; charset=utf-8",
		"/viewer/feature-map.js":                "text/javascript; charset=utf-8",
		"/viewer/vendor/maplibre-gl.mjs":        "text/javascript; charset=utf-8",
		"/viewer/vendor/maplibre-gl-worker.mjs": "text/javascript; charset=utf-8",
		"/viewer/vendor/maplibre-gl.css":        "text/css; charset=utf-8",
	} {
		r := get(t, s, path)
		wantStatus(t, r, 200)
		if ct := r.Header.Get("Content-Type"); ct != want {
			t.Errorf("%s: content type %q, want %q", path, ct, want)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || len(r.Body) == 0 {
			t.Errorf("%s: nosniff %q, %d bytes", path, r.Header.Get("X-Content-Type-Options"), len(r.Body))
		}
	}
	// Static files revalidate by a hash of their bytes.
	js := get(t, s, "/viewer/vendor/maplibre-gl.mjs")
	if tag := js.Header.Get("ETag"); !strings.HasPrefix(tag, `"v-`) {
		t.Errorf("ETag %q", tag)
	}
	wantStatus(t, get(t, s, "/viewer/vendor/maplibre-gl.mjs", "If-None-Match", js.Header.Get("ETag")), 304)

	for _, path := range []string{"/viewer/nope.js", "/viewer/vendor", "/viewer/../api/viewer/viewer.go", "/viewer/vendor/"} {
		r := get(t, s, path)
		if r.StatusCode != 404 || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s", path, r.StatusCode, r.Header.Get("Content-Type"))
		}
	}
}

var featuresScript = regexp.MustCompile(`(?s)<script type="application/geo\+json" id="features">(.*?)</script>`)

// pageMap checks an HTML page's map: the GeoJSON data block (returned) and
// feature-map.js addressed from the link base.
func pageMap(t *testing.T, s *Server, path, base string) *geojson.FeatureCollection {
	t.Helper()
	r := get(t, s, path)
	wantStatus(t, r, 200)
	body := string(r.Body)
	m := featuresScript.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s: no features script:\n%s", path, clipBody(r.Body))
	}
	if !strings.Contains(body, `<script type="module" src="`+base+`/viewer/feature-map.js"></script>`) {
		t.Errorf("%s: no feature-map.js script from %s", path, base)
	}
	fc, err := geojson.UnmarshalFeatureCollection([]byte(m[1]))
	if err != nil {
		t.Fatalf("%s: embedded GeoJSON: %v", path, err)
	}
	return fc
}

func TestHTMLPagesHaveMaps(t *testing.T) {
	s := newTestServer(t, Config{})
	const base = "http://example.com"
	if fc := pageMap(t, s, "/?f=html", base); len(fc.Features) != 3 {
		t.Errorf("landing map has %d clusters", len(fc.Features))
	}
	landing := string(get(t, s, "/?f=html").Body)
	if !strings.Contains(landing, `href="`+base+`/viewer/"`) {
		t.Error("landing page does not link the viewer")
	}
	if fc := pageMap(t, s, "/collections?f=html", base); len(fc.Features) != 4 {
		t.Errorf("collections map has %d extents", len(fc.Features))
	}
	if fc := pageMap(t, s, "/collections/cities?f=html", base); len(fc.Features) != 1 || fc.Features[0].ID != "cities" {
		t.Errorf("collection map: %v", fc.Features)
	}

	// Items: the page's features at zoom 6 unless the request says.
	fc := pageMap(t, s, "/collections/clusters/items?f=html", base)
	if len(fc.Features) != 3 {
		t.Fatalf("items map has %d features", len(fc.Features))
	}
	st := readyFixture(t)
	coll, _ := st.Atlas.Collection("clusters")
	for _, f := range fc.Features {
		i, _ := coll.Index(f.ID.(string))
		want := geo.Vertices(st.Levels.Geometry("clusters", i, itemsMapZoom))
		if got := geo.Vertices(f.Geometry); got != want {
			t.Errorf("%v: %d vertices on the map, want %d (zoom %d)", f.ID, got, want, itemsMapZoom)
		}
		if len(f.Properties) > 2 {
			t.Errorf("%v: map carries properties %v", f.ID, f.Properties)
		}
	}
	limited := pageMap(t, s, "/collections/cities/items?f=html&limit=2", base)
	if len(limited.Features) != 2 {
		t.Errorf("items map of a 2-feature page has %d features", len(limited.Features))
	}

	// Item: one feature; flows curved like everywhere else.
	if fc := pageMap(t, s, "/collections/clusters/items/jing-jin-ji?f=html", base); len(fc.Features) != 1 || fc.Features[0].ID != "jing-jin-ji" {
		t.Errorf("item map %v", fc.Features)
	}
	flow := pageMap(t, s, "/collections/flows/items/jing-jin-ji-to-zone-a?f=html", base)
	if ls, ok := flow.Features[0].Geometry.(orb.LineString); !ok || len(ls) != 33 {
		t.Errorf("flow on the item map: %v", flow.Features[0].Geometry)
	}

	// Behind a prefix the script comes from the base URL.
	p := newTestServer(t, Config{BaseURL: "https://maps.example.org/atlas"})
	pageMap(t, p, "/collections/clusters/items?f=html", "https://maps.example.org/atlas")

	// Before the levels, polygon pages have no map (full detail is too big).
	nr := *readyFixture(t)
	nr.Levels, nr.Tiles = nil, nil
	r := get(t, New(Config{Logger: quietLogger()}, &nr), "/collections/cities/items?f=html")
	wantStatus(t, r, 200)
	if strings.Contains(string(r.Body), `id="features"`) {
		t.Error("map before the levels are built")
	}
}

func TestScriptSafeJSON(t *testing.T) {
	raw := []byte(`{"name":"</script><!-- & -->"}`)
	safe := scriptSafeJSON(raw)
	if strings.ContainsAny(string(safe), "<>&") {
		t.Errorf("unsafe: %s", safe)
	}
	var a, b map[string]any
	_ = json.Unmarshal(raw, &a)
	if err := json.Unmarshal(safe, &b); err != nil || a["name"] != b["name"] {
		t.Errorf("escaping changed the value: %v %v", b, err)
	}
}

func flowLine(t *testing.T, f map[string]any) []any {
	t.Helper()
	g, _ := f["geometry"].(map[string]any)
	if g == nil {
		return nil
	}
	if g["type"] != "LineString" {
		t.Fatalf("flow geometry %v", g["type"])
	}
	return g["coordinates"].([]any)
}

func TestFlowShape(t *testing.T) {
	s := newTestServer(t, Config{})
	// Default curved: 33 points from origin to destination; null stays null.
	fc := get(t, s, "/collections/flows/items").json(t)
	byID := map[string][]any{}
	for _, f := range fc["features"].([]any) {
		m := f.(map[string]any)
		byID[m["id"].(string)] = flowLine(t, m)
	}
	curved := byID["jing-jin-ji-to-zone-a"]
	if len(curved) != 33 {
		t.Fatalf("curved flow has %d points", len(curved))
	}
	if first, last := curved[0].([]any), curved[32].([]any); first[0] != 116.5 || first[1] != 39.5 || last[0] != 113.5 || last[1] != 34.5 {
		t.Errorf("curved flow ends %v %v", first, last)
	}
	if byID["east-to-jing-jin-ji"] != nil {
		t.Error("a flow without geometry got one")
	}
	explicit := get(t, s, "/collections/flows/items?flow_shape=curved").json(t)
	if got := flowLine(t, explicit["features"].([]any)[0].(map[string]any)); len(got) != 33 {
		t.Errorf("flow_shape=curved: %d points", len(got))
	}

	straight := get(t, s, "/collections/flows/items?flow_shape=straight").json(t)
	for _, f := range straight["features"].([]any) {
		if ls := flowLine(t, f.(map[string]any)); ls != nil && len(ls) != 2 {
			t.Errorf("straight flow with %d points", len(ls))
		}
	}
	paged := get(t, s, "/collections/flows/items?flow_shape=straight&limit=1").json(t)
	if l := linkHref(paged, "next"); !strings.Contains(l, "flow_shape=straight") {
		t.Errorf("next link drops flow_shape: %q", l)
	}

	one := get(t, s, "/collections/flows/items/jing-jin-ji-to-zone-a").json(t)
	if len(flowLine(t, one)) != 33 {
		t.Error("item not curved by default")
	}
	one = get(t, s, "/collections/flows/items/jing-jin-ji-to-zone-a?flow_shape=straight&precision=1").json(t)
	if len(flowLine(t, one)) != 2 {
		t.Error("item flow_shape=straight not straight")
	}

	for _, path := range []string{
		"/collections/flows/items?flow_shape=bent",
		"/collections/flows/items?flow_shape=",
		"/collections/flows/items?flow_shape=Curved",
		"/collections/flows/items/jing-jin-ji-to-zone-a?flow_shape=arc",
		"/collections/clusters/items?flow_shape=bent", // checked everywhere
	} {
		wantProblem(t, get(t, s, path), 400, "flow_shape")
	}
	// Other collections accept and ignore it.
	wantStatus(t, get(t, s, "/collections/clusters/items?flow_shape=straight"), 200)
}

// bbox filters flows on the geometry served: a box on the arc's bulge
// finds the curved flow but not the straight one, and a box on the chord
// the other way round.
func TestFlowShapeBBox(t *testing.T) {
	s := newTestServer(t, Config{})
	one := get(t, s, "/collections/flows/items/jing-jin-ji-to-zone-a").json(t)
	mid := flowLine(t, one)[16].([]any)
	lon, lat := mid[0].(float64), mid[1].(float64)
	box := func(lon, lat float64) string {
		return "bbox=" + ftoa(lon-0.05) + "," + ftoa(lat-0.05) + "," + ftoa(lon+0.05) + "," + ftoa(lat+0.05)
	}
	ids := func(q string) []string {
		return featureIDs(t, get(t, s, "/collections/flows/items?"+q).json(t))
	}
	if got := ids(box(lon, lat)); !slices.Contains(got, "jing-jin-ji-to-zone-a") {
		t.Errorf("box on the arc: %v", got)
	}
	if got := ids(box(lon, lat) + "&flow_shape=straight"); slices.Contains(got, "jing-jin-ji-to-zone-a") {
		t.Errorf("box on the arc matched the straight line: %v", got)
	}
	chordLon, chordLat := (116.5+113.5)/2, (39.5+34.5)/2
	if got := ids(box(chordLon, chordLat) + "&flow_shape=straight"); !slices.Contains(got, "jing-jin-ji-to-zone-a") {
		t.Errorf("box on the chord, straight: %v", got)
	}
	if got := ids(box(chordLon, chordLat)); slices.Contains(got, "jing-jin-ji-to-zone-a") {
		t.Errorf("box on the chord matched the curve: %v", got)
	}
}

func ftoa(v float64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestLineIntersectsBound(t *testing.T) {
	b := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}
	for _, c := range []struct {
		ls   orb.LineString
		want bool
	}{
		{orb.LineString{{-1, 0.5}, {2, 0.5}}, true},    // crosses
		{orb.LineString{{0.2, 0.2}, {0.3, 0.3}}, true}, // inside
		{orb.LineString{{-1, 2}, {2, -1}}, true},       // diagonal through
		{orb.LineString{{-1, 1.5}, {1.5, 3}}, false},   // passes above
		{orb.LineString{{1, 1}, {2, 2}}, true},         // touches a corner
		{orb.LineString{{-1, -0.5}, {0.5, -1}, {2, -0.5}}, false},
	} {
		if got := lineIntersectsBound(c.ls, b); got != c.want {
			t.Errorf("%v: %v, want %v", c.ls, got, c.want)
		}
	}
}

func TestOpenAPIDocumentsTilesAndFlowShape(t *testing.T) {
	s := newTestServer(t, Config{})
	doc := loadOpenAPI(t, s)
	tile := doc.Paths.Find("/tiles/{z}/{x}/{y}.mvt")
	if tile == nil || tile.Get == nil {
		t.Fatal("no tile operation")
	}
	for _, code := range []string{"200", "204", "304", "400", "503"} {
		if tile.Get.Responses.Value(code) == nil {
			t.Errorf("tile response %s undocumented", code)
		}
	}
	if c := tile.Get.Responses.Value("200").Value.Content.Get("application/vnd.mapbox-vector-tile"); c == nil {
		t.Error("tile media type undocumented")
	}
	if z := tile.Get.Parameters.GetByInAndName("path", "z"); z == nil || !z.Schema.Value.Type.Is("integer") {
		t.Error("z is not an integer path parameter")
	}
	if doc.Paths.Find("/tiles.json") == nil {
		t.Error("no /tiles.json")
	}
	for _, p := range []string{"/collections/{collectionId}/items", "/collections/{collectionId}/items/{featureId}"} {
		fs := doc.Paths.Find(p).Get.Parameters.GetByInAndName("query", "flow_shape")
		if fs == nil || len(fs.Schema.Value.Enum) != 2 {
			t.Errorf("%s: flow_shape %v", p, fs)
		}
	}
	if doc.ExternalDocs == nil || doc.ExternalDocs.URL != "http://example.com/viewer/" {
		t.Errorf("externalDocs %v", doc.ExternalDocs)
	}
}

func TestMapDecimals(t *testing.T) {
	for z, want := range map[int]int{0: 2, 3: 3, 6: 3, 8: 4, 12: 5} {
		if got := mapDecimals(z); got != want {
			t.Errorf("zoom %d: %d decimals, want %d", z, got, want)
		}
	}
}
