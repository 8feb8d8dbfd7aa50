package api

import (
	"bytes"
	"fmt"
	"math/rand"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestLocate(t *testing.T) {
	s := newTestServer(t, Config{})
	r := get(t, s, "/locate?lon=114.5&lat=36.5") // fixture 邯郸: in two clusters
	wantStatus(t, r, 200)
	fc := r.json(t)
	loc := fc["location"].(map[string]any)
	clusters := loc["clusters"].([]any)
	got := []string{}
	for _, c := range clusters {
		got = append(got, c.(string))
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"central-plains", "jing-jin-ji"}) || loc["city"] != "130400" {
		t.Errorf("location %v", loc)
	}
	for _, f := range fc["features"].([]any) {
		m := f.(map[string]any)
		if m["geometry"] != nil {
			t.Error("locate returns geometry by default")
		}
		if m["properties"].(map[string]any)["collection"] == nil {
			t.Error("feature lacks its collection")
		}
	}
	// a reverse-geocoder answer carries the summary properties by default;
	// properties=... asks for others (and only those)
	for _, f := range fc["features"].([]any) {
		props := f.(map[string]any)["properties"].(map[string]any)
		if props["name_zh"] == nil || props["label"] == nil {
			t.Errorf("summary lacks name_zh or label: %v", props)
		}
		if _, ok := props["members"]; ok {
			t.Errorf("summary should leave out members: %v", props)
		}
	}
	full := get(t, s, "/locate?lon=114.5&lat=36.5&properties=name_zh,members").json(t)
	for _, f := range full["features"].([]any) {
		props := f.(map[string]any)["properties"].(map[string]any)
		if props["collection"] == "clusters" && (props["members"] == nil || props["area_km2"] != nil) {
			t.Errorf("properties=name_zh,members gave %v", props)
		}
	}
	withGeom := get(t, s, "/locate?lon=113.5&lat=34.5&geometry=true&precision=2").json(t)
	if len(withGeom["location"].(map[string]any)["zones"].([]any)) != 1 || withGeom["features"].([]any)[0].(map[string]any)["geometry"] == nil {
		t.Errorf("locate with geometry: %v", withGeom["location"])
	}
	nowhere := get(t, s, "/locate?lon=125&lat=30").json(t)
	if loc := nowhere["location"].(map[string]any); len(loc["clusters"].([]any)) != 0 || loc["city"] != nil || len(nowhere["features"].([]any)) != 0 {
		t.Errorf("sea point located: %v", loc)
	}
	for _, c := range []struct{ q, param string }{
		{"lon=181&lat=30", "lon"}, {"lon=-180.5&lat=30", "lon"}, {"lon=100&lat=91", "lat"}, {"lon=100&lat=-90.1", "lat"},
		{"lon=abc&lat=30", "lon"}, {"lon=100&lat=", "lat"}, {"lat=30", "lon"}, {"lon=100", "lat"},
		{"lon=NaN&lat=1", "lon"}, {"lon=Inf&lat=1", "lon"}, {"lon=1&lat=1&geometry=maybe", "geometry"},
	} {
		wantProblem(t, get(t, s, "/locate?"+c.q), 400, c.param)
	}
}

func TestNearest(t *testing.T) {
	s := newTestServer(t, Config{})
	fc := get(t, s, "/nearest?lon=114.5&lat=33&k=2&collection=cities").json(t)
	feats := fc["features"].([]any)
	if len(feats) != 2 {
		t.Fatalf("k=2 gave %d", len(feats))
	}
	prev := -1.0
	for _, f := range feats {
		d := f.(map[string]any)["properties"].(map[string]any)["distance_km"].(float64)
		if d < prev {
			t.Errorf("not ordered by distance: %v after %v", d, prev)
		}
		prev = d
	}
	def := get(t, s, "/nearest?lon=114.5&lat=33").json(t)
	if len(def["features"].([]any)) != 3 || def["query"].(map[string]any)["collection"] != "clusters" {
		t.Errorf("default k/collection: %v", def["query"])
	}
	wantProblem(t, get(t, s, "/nearest?lon=1&lat=1&k=0"), 400, "k")
	wantProblem(t, get(t, s, "/nearest?lon=1&lat=1&k=101"), 400, "k")
	wantProblem(t, get(t, s, "/nearest?lon=1&lat=1&k=two"), 400, "k")
	wantProblem(t, get(t, s, "/nearest?lon=1&lat=1&collection=rivers"), 404, "collection")
}

func TestWithin(t *testing.T) {
	s := newTestServer(t, Config{})
	fc := get(t, s, "/within?lon=114.5&lat=36.5&radius_km=1&collection=cities&geometry=false").json(t)
	if ids := featureIDs(t, fc); !slices.Equal(ids, []string{"130400"}) {
		t.Errorf("within 1 km of 邯郸: %v", ids)
	}
	far := get(t, s, "/within?lon=114.5&lat=36.5&radius_km=20000&collection=cities").json(t)
	if n := len(far["features"].([]any)); n != 8 {
		t.Errorf("within 20000 km: %d cities", n)
	}
	for _, bad := range []string{"0", "-5", "x", "20038", ""} {
		wantProblem(t, get(t, s, "/within?lon=1&lat=1&radius_km="+bad), 400, "radius_km")
	}
	wantProblem(t, get(t, s, "/within?lon=1&lat=1"), 400, "radius_km")
}

func post(t *testing.T, s *Server, target, body string) response {
	t.Helper()
	return do(t, s, http.MethodPost, target, strings.NewReader(body), "Content-Type", mediaGeoJSON)
}

func TestIntersects(t *testing.T) {
	s := newTestServer(t, Config{MaxVertices: 50, BodyLimit: 4096})
	poly := `{"type":"Polygon","coordinates":[[[113.5,34.5],[114.8,34.5],[114.8,36.8],[113.5,36.8],[113.5,34.5]]]}`
	r := post(t, s, "/intersects?collection=cities", poly)
	wantStatus(t, r, 200)
	fc := r.json(t)
	if len(fc["features"].([]any)) == 0 {
		t.Fatal("no intersecting cities")
	}
	props := fc["features"].([]any)[0].(map[string]any)["properties"].(map[string]any)
	for _, k := range []string{"overlap_area_km2", "share_of_input", "share_of_feature", "collection"} {
		if _, ok := props[k]; !ok {
			t.Errorf("intersects feature lacks %s", k)
		}
	}
	feature := `{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[114.5,36.5]}}`
	wantStatus(t, post(t, s, "/intersects", feature), 200)
	wantStatus(t, post(t, s, "/intersects?collection=flows&geometry=false", `{"type":"LineString","coordinates":[[113,34],[117,40]]}`), 200)

	bad := []string{
		``, `not json`, `[1,2]`, `{"foo":1}`, `{"type":5}`, `{"type":"Circle","coordinates":[1,2]}`,
		`{"type":"FeatureCollection","features":[]}`, `{"type":"Feature","geometry":null,"properties":{}}`,
		`{"type":"Point","coordinates":[200,0]}`, `{"type":"Point","coordinates":"x"}`, `{"type":"Point"}`,
		`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0.5]]]}`, `{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`,
		`{"type":"LineString","coordinates":[[0,0]]}`, `{"type":"Polygon","coordinates":[]}`,
	}
	for _, b := range bad {
		wantProblem(t, post(t, s, "/intersects", b), 400, "body")
	}
	var many bytes.Buffer
	many.WriteString(`{"type":"LineString","coordinates":[`)
	for i := 0; i < 60; i++ {
		if i > 0 {
			many.WriteString(",")
		}
		many.WriteString("[1,1]")
	}
	many.WriteString("]}")
	p := wantProblem(t, post(t, s, "/intersects", many.String()), 400, "body")
	if p["type"] != problemTooManyVertices || !strings.Contains(p["detail"].(string), "50") {
		t.Errorf("too many vertices: %v", p)
	}
	wantProblem(t, post(t, s, "/intersects?collection=nope", poly), 404, "collection")
	wantProblem(t, get(t, s, "/intersects"), 405, "")
}

func TestClusterFlows(t *testing.T) {
	s := newTestServer(t, Config{})
	cases := map[string][]string{
		"":                {"jing-jin-ji-to-zone-a", "east-to-jing-jin-ji", "jing-jin-ji-to-overseas"},
		"?direction=both": {"jing-jin-ji-to-zone-a", "east-to-jing-jin-ji", "jing-jin-ji-to-overseas"},
		"?direction=in":   {"east-to-jing-jin-ji"},
		"?direction=out":  {"jing-jin-ji-to-zone-a", "jing-jin-ji-to-overseas"},
	}
	for q, want := range cases {
		fc := get(t, s, "/clusters/jing-jin-ji/flows"+q).json(t)
		if got := featureIDs(t, fc); !slices.Equal(got, want) {
			t.Errorf("flows%s: %v, want %v", q, got, want)
		}
	}
	// drawn curved like the tiles by default; flow_shape=straight gives the chord
	coords := func(q string) int {
		fc := get(t, s, "/clusters/jing-jin-ji/flows?direction=out"+q).json(t)
		g := fc["features"].([]any)[0].(map[string]any)["geometry"].(map[string]any)
		return len(g["coordinates"].([]any))
	}
	if curved, straight := coords(""), coords("&flow_shape=straight"); curved <= 2 || straight != 2 {
		t.Errorf("flow vertices: default %d (want a curve), straight %d (want 2)", curved, straight)
	}
	wantProblem(t, get(t, s, "/clusters/jing-jin-ji/flows?flow_shape=wiggly"), 400, "flow_shape")
	wantProblem(t, get(t, s, "/clusters/jing-jin-ji/flows?direction=up"), 400, "direction")
	wantProblem(t, get(t, s, "/clusters/nope/flows"), 404, "clusterId")
}

// The pre-rendered /locate answer is byte for byte the generic encoder's:
// precision changes nothing in an answer without geometry, but takes the
// generic path.
func TestLocatePrerenderedMatchesGeneric(t *testing.T) {
	s := embeddedTestServer(t)
	rng := rand.New(rand.NewSource(5))
	features, cached := 0, 0
	var queries []string
	for n := 0; n < 300; n++ {
		queries = append(queries, fmt.Sprintf("/locate?lon=%.5f&lat=%.5f", 73+rng.Float64()*62, 18+rng.Float64()*36))
	}
	// the same point with a different spelling (an echo of its own)
	queries = append(queries, "/locate?lon=114.49&lat=36.61", "/locate?lon=114.490&lat=36.610", "/locate?lat=36.61&lon=114.49")
	// the second pass answers uniform cells from the run cache the first filled
	for pass := 0; pass < 2; pass++ {
		for _, q := range queries {
			fast, generic := get(t, s, q), get(t, s, q+"&precision=6")
			wantStatus(t, fast, 200)
			if !bytes.Equal(fast.Body, generic.Body) {
				t.Fatalf("pass %d, %s:\n pre-rendered %s\n generic      %s", pass, q, clipBody(fast.Body), clipBody(generic.Body))
			}
			features += len(featureIDs(t, fast.json(t)))
		}
	}
	for i := range s.State().locatedRuns {
		if s.State().locatedRuns[i].Load() != nil {
			cached++
		}
	}
	if features < 600 { // most points lie in China and find several features
		t.Fatalf("only %d features in 600 answers", features)
	}
	if cached < 20 {
		t.Fatalf("only %d runs cached after 300 points", cached)
	}
}
