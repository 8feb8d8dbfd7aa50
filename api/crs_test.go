package api

import (
	"fmt"
	"math"
	"math/rand"
	"net/url"
	"strings"
	"testing"

	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/paulmach/orb"
)

const (
	gcjURI = "urn:clusteratlas:crs:GCJ-02"
	bdURI  = "urn:clusteratlas:crs:BD-09"
)

func q(s string) string { return url.QueryEscape(s) }

func TestCollectionsListCRS(t *testing.T) {
	s := newTestServer(t, Config{})
	doc := get(t, s, "/collections/clusters").json(t)
	if doc["storageCrs"] != crs84 {
		t.Errorf("storageCrs %v", doc["storageCrs"])
	}
	have := map[string]bool{}
	for _, c := range doc["crs"].([]any) {
		have[c.(string)] = true
	}
	for _, want := range []string{crs84, crsURI4326, crsURI4490, gcjURI, bdURI} {
		if !have[want] {
			t.Errorf("crs lacks %s: %v", want, doc["crs"])
		}
	}
}

// firstVertex is the first position of a (Multi)Polygon feature's first ring.
func firstVertex(t *testing.T, feat map[string]any) orb.Point {
	t.Helper()
	g := feat["geometry"].(map[string]any)
	c := g["coordinates"].([]any)
	if g["type"] == "MultiPolygon" {
		c = c[0].([]any)
	}
	p := c[0].([]any)[0].([]any)
	return orb.Point{p[0].(float64), p[1].(float64)}
}

func TestItemCRS(t *testing.T) {
	s := newTestServer(t, Config{})
	base := "/collections/cities/items/130400"
	plain := get(t, s, base)
	wantStatus(t, plain, 200)
	if h := plain.Header.Get("Content-Crs"); h != "<"+crs84+">" {
		t.Errorf("default Content-Crs %q", h)
	}
	v := firstVertex(t, plain.json(t))

	for _, c := range []struct {
		crs  string
		want orb.Point
		tol  float64
	}{
		{crsURI4326, orb.Point{v[1], v[0]}, 0},    // latitude first
		{"EPSG:4490", orb.Point{v[1], v[0]}, 0},   // CGCS2000 served as WGS84, latitude first
		{gcjURI, geo.WGS84ToGCJ02(v), 5e-7},       // 6 decimals by default
		{"gcj-02", geo.WGS84ToGCJ02(v), 5e-7},     // short form
		{bdURI, geo.WGS84ToBD09(v), 5e-7},         // Baidu
		{crs84, v, 0},                             // explicit default
		{"[EPSG:4326]", orb.Point{v[1], v[0]}, 0}, // safe CURIE
	} {
		r := get(t, s, base+"?crs="+q(c.crs))
		wantStatus(t, r, 200)
		got := firstVertex(t, r.json(t))
		if math.Abs(got[0]-c.want[0]) > c.tol || math.Abs(got[1]-c.want[1]) > c.tol {
			t.Errorf("crs=%s: first vertex %v, want %v", c.crs, got, c.want)
		}
		if h := r.Header.Get("Content-Crs"); !strings.HasPrefix(h, "<") || !strings.HasSuffix(h, ">") {
			t.Errorf("crs=%s: Content-Crs %q", c.crs, h)
		}
	}
	if h := get(t, s, base+"?crs=GCJ-02").Header.Get("Content-Crs"); h != "<"+gcjURI+">" {
		t.Errorf("Content-Crs %q for GCJ-02", h)
	}
	// the label property follows the datum (still [lon, lat])
	label := func(feat map[string]any) orb.Point {
		l := feat["properties"].(map[string]any)["label"].([]any)
		return orb.Point{l[0].(float64), l[1].(float64)}
	}
	wl := label(plain.json(t))
	gl := label(get(t, s, base+"?crs=GCJ-02").json(t))
	if want := geo.WGS84ToGCJ02(wl); math.Abs(gl[0]-want[0]) > 5e-7 || math.Abs(gl[1]-want[1]) > 5e-7 {
		t.Errorf("GCJ-02 label %v, want %v", gl, want)
	}
	if l := label(get(t, s, base+"?crs=EPSG:4326").json(t)); l != wl {
		t.Errorf("EPSG:4326 label %v, want %v unchanged", l, wl)
	}
	// the shift is real: hundreds of metres
	g := firstVertex(t, get(t, s, base+"?crs=GCJ-02").json(t))
	if d := geo.DistanceKm(g, v); d < 0.3 || d > 0.8 {
		t.Errorf("GCJ-02 vertex %.3f km from WGS84", d)
	}
	for _, bad := range []string{"EPSG:3857", "http://www.opengis.net/def/crs/EPSG/0/3857", "", "urn:clusteratlas:crs:WGS-72"} {
		p := wantProblem(t, get(t, s, base+"?crs="+q(bad)), 400, "crs")
		if !strings.Contains(p["detail"].(string), gcjURI) {
			t.Errorf("crs=%q: detail should list the supported CRS: %v", bad, p["detail"])
		}
	}
	wantProblem(t, get(t, s, "/collections/cities/items?crs=EPSG:900913"), 400, "crs")
}

func TestItemsCRSAndBBoxCRS(t *testing.T) {
	s := newTestServer(t, Config{})
	ids := func(target string) []string {
		t.Helper()
		r := get(t, s, target)
		wantStatus(t, r, 200)
		return featureIDs(t, r.json(t))
	}
	// a box in 邯郸 (130400) only, away from its edges
	want := ids("/collections/cities/items?bbox=114.4,36.4,114.6,36.6")
	if fmt.Sprint(want) != "[130400]" {
		t.Fatalf("plain bbox: %v", want)
	}
	// the same box latitude first
	if got := ids("/collections/cities/items?bbox=36.4,114.4,36.6,114.6&bbox-crs=" + q(crsURI4326)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("EPSG:4326 bbox: %v", got)
	}
	// a thin box just east of 邯郸's east edge (lon 115) in WGS84 holds
	// nothing; the same numbers in GCJ-02 lie 500 m further west, over 邯郸
	if got := ids("/collections/cities/items?bbox=115.001,36.4,115.004,36.6"); len(got) != 0 {
		t.Errorf("WGS84 thin box east of 邯郸: %v", got)
	}
	if got := ids("/collections/cities/items?bbox=115.001,36.4,115.004,36.6&bbox-crs=GCJ-02"); fmt.Sprint(got) != "[130400]" {
		t.Errorf("GCJ-02 thin box: %v", got)
	}
	wantProblem(t, get(t, s, "/collections/cities/items?bbox=114,36,115,37&bbox-crs=EPSG:3857"), 400, "bbox-crs")
	// a latitude-first box given in lon/lat order is out of range
	wantProblem(t, get(t, s, "/collections/cities/items?bbox=114.4,36.4,114.6,36.6&bbox-crs=EPSG:4326"), 400, "bbox")
	r := get(t, s, "/collections/cities/items?crs=GCJ-02&limit=2")
	wantStatus(t, r, 200)
	if h := r.Header.Get("Content-Crs"); h != "<"+gcjURI+">" {
		t.Errorf("items Content-Crs %q", h)
	}
}

// An AMap front end sends its click position as it is: a point 330 m
// inside 邯郸's east edge (lon 115) in WGS84 reads, in GCJ-02, as a point
// east of the edge; with crs=GCJ-02 it is located in 邯郸 again.
func TestLocateCRS(t *testing.T) {
	s := newTestServer(t, Config{})
	w := orb.Point{114.997, 36.5}
	g := geo.WGS84ToGCJ02(w)
	city := func(target string) any {
		t.Helper()
		r := get(t, s, target)
		wantStatus(t, r, 200)
		return r.json(t)["location"].(map[string]any)["city"]
	}
	if c := city(fmt.Sprintf("/locate?lon=%v&lat=%v", w[0], w[1])); c != "130400" {
		t.Fatalf("WGS84 point in %v", c)
	}
	if c := city(fmt.Sprintf("/locate?lon=%v&lat=%v", g[0], g[1])); c != nil {
		t.Fatalf("the GCJ-02 position read as WGS84 should fall east of 邯郸, got %v", c)
	}
	r := get(t, s, fmt.Sprintf("/locate?lon=%v&lat=%v&crs=%s&geometry=true", g[0], g[1], q(gcjURI)))
	wantStatus(t, r, 200)
	fc := r.json(t)
	if c := fc["location"].(map[string]any)["city"]; c != "130400" {
		t.Errorf("crs=GCJ-02 located %v", c)
	}
	if h := r.Header.Get("Content-Crs"); h != "<"+gcjURI+">" {
		t.Errorf("Content-Crs %q", h)
	}
	// the answer's geometry is GCJ-02 too: 邯郸's east edge sits east of lon 115
	maxLon := -180.0
	for _, f := range fc["features"].([]any) {
		m := f.(map[string]any)
		if m["properties"].(map[string]any)["collection"] != "cities" {
			continue
		}
		for _, poly := range m["geometry"].(map[string]any)["coordinates"].([]any) { // polygons are served as MultiPolygons
			for _, p := range poly.([]any)[0].([]any) {
				maxLon = math.Max(maxLon, p.([]any)[0].(float64))
			}
		}
	}
	if maxLon < 115.004 || maxLon > 115.007 {
		t.Errorf("GCJ-02 east edge of 邯郸 at lon %v, want ≈115.0059", maxLon)
	}
	// the summary's label points are GCJ-02 too (encoded-properties path)
	for _, f := range fc["features"].([]any) {
		props := f.(map[string]any)["properties"].(map[string]any)
		l := props["label"].([]any)
		gl := orb.Point{l[0].(float64), l[1].(float64)}
		plain := get(t, s, "/collections/"+props["collection"].(string)+"/items/"+url.PathEscape(f.(map[string]any)["id"].(string))).json(t)
		pl := plain["properties"].(map[string]any)["label"].([]any)
		want := geo.WGS84ToGCJ02(orb.Point{pl[0].(float64), pl[1].(float64)})
		if math.Abs(gl[0]-want[0]) > 5e-7 || math.Abs(gl[1]-want[1]) > 5e-7 {
			t.Errorf("%v: label %v in the GCJ-02 answer, want %v", f.(map[string]any)["id"], gl, want)
		}
	}
	// BD-09 too
	b := geo.WGS84ToBD09(w)
	if c := city(fmt.Sprintf("/locate?lon=%v&lat=%v&crs=BD-09", b[0], b[1])); c != "130400" {
		t.Errorf("crs=BD-09 located %v", c)
	}
	// EPSG:4326 changes nothing for named lon/lat parameters
	if c := city(fmt.Sprintf("/locate?lon=%v&lat=%v&crs=EPSG:4326", w[0], w[1])); c != "130400" {
		t.Errorf("crs=EPSG:4326 located %v", c)
	}
	wantProblem(t, get(t, s, "/locate?lon=114.5&lat=36.5&crs=EPSG:2385"), 400, "crs")
	// the default answer does no CRS work and names none
	if h := get(t, s, "/locate?lon=114.5&lat=36.5").Header.Get("Content-Crs"); h != "" {
		t.Errorf("default /locate has Content-Crs %q", h)
	}
}

func TestNearestWithinCRS(t *testing.T) {
	s := newTestServer(t, Config{})
	w := orb.Point{115.003, 36.5} // 270 m east of 邯郸 in WGS84
	g := geo.WGS84ToGCJ02(w)
	dist := func(target string) float64 {
		t.Helper()
		r := get(t, s, target)
		wantStatus(t, r, 200)
		f := r.json(t)["features"].([]any)[0].(map[string]any)
		if f["id"] != "130400" {
			t.Fatalf("%s: nearest %v", target, f["id"])
		}
		return f["properties"].(map[string]any)["distance_km"].(float64)
	}
	a := dist(fmt.Sprintf("/nearest?collection=cities&k=1&lon=%v&lat=%v", w[0], w[1]))
	b := dist(fmt.Sprintf("/nearest?collection=cities&k=1&lon=%v&lat=%v&crs=GCJ-02", g[0], g[1]))
	if math.Abs(a-b) > 0.001 || a < 0.2 || a > 0.35 {
		t.Errorf("distance %v (WGS84) vs %v (GCJ-02 input)", a, b)
	}
	c := dist(fmt.Sprintf("/within?collection=cities&radius_km=1&lon=%v&lat=%v&crs=GCJ-02", g[0], g[1]))
	if math.Abs(a-c) > 0.001 {
		t.Errorf("within distance %v vs %v", c, a)
	}
}

func TestIntersectsCRS(t *testing.T) {
	s := newTestServer(t, Config{MaxVertices: 50, BodyLimit: 4096})
	area := func(target, body string) float64 {
		t.Helper()
		r := post(t, s, target, body)
		wantStatus(t, r, 200)
		fs := r.json(t)["features"].([]any)
		if len(fs) != 1 {
			t.Fatalf("%s: %d features", target, len(fs))
		}
		return fs[0].(map[string]any)["properties"].(map[string]any)["overlap_area_km2"].(float64)
	}
	ring := []orb.Point{{114.2, 36.2}, {114.8, 36.2}, {114.8, 36.8}, {114.2, 36.8}, {114.2, 36.2}}
	body := func(f func(orb.Point) orb.Point) string {
		var parts []string
		for _, p := range ring {
			q := f(p)
			parts = append(parts, fmt.Sprintf("[%v,%v]", q[0], q[1]))
		}
		return `{"type":"Polygon","coordinates":[[` + strings.Join(parts, ",") + `]]}`
	}
	id := func(p orb.Point) orb.Point { return p }
	want := area("/intersects?collection=cities", body(id))
	if got := area("/intersects?collection=cities&crs=EPSG:4326", body(func(p orb.Point) orb.Point { return orb.Point{p[1], p[0]} })); math.Abs(got-want) > 1e-6*want {
		t.Errorf("lat-first body: %v km², want %v", got, want)
	}
	// vertices through the forward transform and back: the same box to
	// 1e-9°, the same area to well under 0.1 %
	if got := area("/intersects?collection=cities&crs="+q(gcjURI), body(geo.WGS84ToGCJ02)); math.Abs(got-want) > 1e-3*want {
		t.Errorf("GCJ-02 body: %v km², want %v", got, want)
	}
	wantProblem(t, post(t, s, "/intersects?crs=EPSG:4326", body(id)), 400, "body") // lon/lat given where lat/lon is due
}

func TestClusterFlowsCRS(t *testing.T) {
	s := newTestServer(t, Config{})
	a := get(t, s, "/clusters/jing-jin-ji/flows?flow_shape=straight").json(t)
	r := get(t, s, "/clusters/jing-jin-ji/flows?flow_shape=straight&crs=GCJ-02")
	wantStatus(t, r, 200)
	b := r.json(t)
	if r.Header.Get("Content-Crs") != "<"+gcjURI+">" {
		t.Errorf("Content-Crs %q", r.Header.Get("Content-Crs"))
	}
	fa, fb := a["features"].([]any), b["features"].([]any)
	n := 0
	for i := range fa {
		ga, _ := fa[i].(map[string]any)["geometry"].(map[string]any)
		gb, _ := fb[i].(map[string]any)["geometry"].(map[string]any)
		if ga == nil {
			continue
		}
		pa := ga["coordinates"].([]any)[0].([]any)
		pb := gb["coordinates"].([]any)[0].([]any)
		w := orb.Point{pa[0].(float64), pa[1].(float64)}
		want := geo.WGS84ToGCJ02(w)
		if math.Abs(pb[0].(float64)-want[0]) > 5e-7 || math.Abs(pb[1].(float64)-want[1]) > 5e-7 {
			t.Errorf("flow start %v in GCJ-02: %v, want %v", w, pb, want)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no flow geometry compared")
	}
}

func TestGCJ02Tiles(t *testing.T) {
	s := newTestServer(t, Config{})
	tj := get(t, s, "/tiles/gcj02.json")
	wantStatus(t, tj, 200)
	doc := tj.json(t)
	if doc["x-datum"] != "GCJ-02" || !strings.Contains(fmt.Sprint(doc["tiles"]), "/tiles/gcj02/{z}/{x}/{y}.mvt") {
		t.Errorf("gcj02.json: x-datum %v tiles %v", doc["x-datum"], doc["tiles"])
	}
	if get(t, s, "/tiles.json").json(t)["x-datum"] != "WGS84" {
		t.Error("tiles.json should say WGS84")
	}
	// z8 tile over 邯郸: both tilesets draw it, differently
	x, y := 209, 100
	w, g := get(t, s, fmt.Sprintf("/tiles/8/%d/%d.mvt", x, y)), get(t, s, fmt.Sprintf("/tiles/gcj02/8/%d/%d.mvt", x, y))
	wantStatus(t, w, 200)
	wantStatus(t, g, 200)
	if string(w.Body) == string(g.Body) {
		t.Error("GCJ-02 tile identical to the WGS84 tile")
	}
	wantProblem(t, get(t, s, "/tiles/gcj02/8/999/1.mvt"), 400, "x")
}

// The landing page shows an AMap user what to send.
func TestLandingShowsGCJ02Example(t *testing.T) {
	s := newTestServer(t, Config{})
	r := get(t, s, "/?f=html")
	wantStatus(t, r, 200)
	for _, want := range []string{"crs=GCJ-02", "/tiles/gcj02.json", "AMap"} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("landing page lacks %q", want)
		}
	}
	if !strings.Contains(linkHref(get(t, s, "/").json(t), "related")+fmt.Sprint(get(t, s, "/").json(t)["links"]), "/tiles/gcj02.json") {
		t.Error("landing links lack the GCJ-02 TileJSON")
	}
}

// BenchmarkLocateHandlerGCJ02: /locate with crs=GCJ-02 (an AMap click):
// the input goes through the iterated inverse, the labels forward.
func BenchmarkLocateHandlerGCJ02(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	uris := make([]string, 1024)
	for i := range uris {
		uris[i] = fmt.Sprintf("/locate?lon=%.5f&lat=%.5f&crs=GCJ-02", 73+r.Float64()*62, 18+r.Float64()*36)
	}
	benchHandler(b, uris)
}

// /api documents crs, bbox-crs and the Content-Crs header.
func TestOpenAPIDocumentsCRS(t *testing.T) {
	s := newTestServer(t, Config{})
	doc := get(t, s, "/api").json(t)
	paths := doc["paths"].(map[string]any)
	for path, params := range map[string][]string{
		"/collections/{collectionId}/items": {"crs", "bbox-crs"},
		"/locate":                           {"crs"},
		"/intersects":                       {"crs"},
		"/clusters/{clusterId}/flows":       {"crs"},
	} {
		var op map[string]any
		for _, m := range []string{"get", "post"} {
			if o, ok := paths[path].(map[string]any)[m].(map[string]any); ok {
				op = o
			}
		}
		if op == nil {
			t.Fatalf("%s not documented", path)
		}
		names := map[string]bool{}
		for _, p := range op["parameters"].([]any) {
			if n, ok := p.(map[string]any)["name"].(string); ok {
				names[n] = true
			}
		}
		for _, want := range params {
			if !names[want] {
				t.Errorf("%s: parameter %s not documented", path, want)
			}
		}
		h, _ := op["responses"].(map[string]any)["200"].(map[string]any)["headers"].(map[string]any)
		if h["Content-Crs"] == nil {
			t.Errorf("%s: Content-Crs header not documented", path)
		}
	}
	if paths["/tiles/gcj02/{z}/{x}/{y}.mvt"] == nil || paths["/tiles/gcj02.json"] == nil {
		t.Error("GCJ-02 tiles not documented")
	}
}
