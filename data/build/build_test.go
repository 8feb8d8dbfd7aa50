package build

import (
	"bytes"
	"flag"
	"github.com/clusteratlas/clusteratlas/geo/sfconv"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/paulmach/orb"
)

var update = flag.Bool("update", false, "rewrite testdata/fixture/expected from the current build code")

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "fixture", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fixtureOptions(t *testing.T) Options {
	return Options{
		Boundaries: filepath.Join("testdata", "fixture", "boundaries.geojson"),
		CodeList:   readFixture(t, "codes.json"),
		Table:      readFixture(t, "clusters.json"),
		ToolName:   "test",
	}
}

func buildFixture(t *testing.T) *Result {
	t.Helper()
	res, err := Run(fixtureOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func fixtureFeature(t *testing.T, res *Result, collection, id string) Feature {
	t.Helper()
	for _, f := range res.Collections[collection] {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("%s has no feature %s", collection, id)
	return Feature{}
}

// The committed expected files are what the build code produces from the
// fixture source; a change to the pipeline that changes its output shows
// up here (rerun with -update after checking the diff is intended).
func TestFixtureBuildMatchesCommittedOutput(t *testing.T) {
	res := buildFixture(t)
	again := buildFixture(t)
	dir := filepath.Join("testdata", "fixture", "expected")
	for _, name := range data.CollectionNames {
		got, err := Encode(res.Collections[name])
		if err != nil {
			t.Fatal(err)
		}
		second, _ := Encode(again.Collections[name])
		if !bytes.Equal(got, second) {
			t.Errorf("%s: two builds differ", name)
		}
		path := filepath.Join(dir, name+".geojson")
		if *update {
			os.MkdirAll(dir, 0o755)
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./data/build -run TestFixture -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s", name, path)
		}
	}
	files, err := res.Files()
	if err != nil {
		t.Fatal(err)
	}
	files2, _ := again.Files()
	for name, b := range files {
		if !bytes.Equal(b, files2[name]) {
			t.Errorf("%s: gzip output is not deterministic", name)
		}
	}
}

func TestFixtureUnionKeepsTrueHoleAndFillsSliver(t *testing.T) {
	res := buildFixture(t)
	var rep data.UnionReport
	for _, u := range res.Manifest.Clusters {
		if u.ID == "fx-a" {
			rep = u
		}
	}
	// 戊县, 庚县 and 辛县 (non-members, a third of the centre each) sit in the
	// middle: a true hole, though neither holds most of it alone. The
	// one-cell notch between 甲县 and 丁县 is occupied by no county: filled.
	if rep.HolesKept != 1 || rep.HolesFilled != 1 {
		t.Fatalf("fx-a: holes kept %d filled %d, want 1 and 1", rep.HolesKept, rep.HolesFilled)
	}
	if len(rep.KeptHoles) != 1 || (rep.KeptHoles[0].County[:4] != "8803") {
		t.Errorf("kept hole should be occupied by a county of 南市, got %+v", rep.KeptHoles)
	}
	f := fixtureFeature(t, res, data.Clusters, "fx-a")
	poly, ok := f.Geometry.(orb.Polygon)
	if !ok || len(poly) != 2 {
		t.Fatalf("fx-a should be one polygon with one hole, got %T %v", f.Geometry, f.Geometry)
	}
	if err := sfconv.ValidatePolygonal(f.Geometry); err != nil {
		t.Fatal(err)
	}
	// the four member counties and the filled notch
	want := countyArea(t, "880101", "880102", "880201", "880202") +
		geo.AreaKm2(orb.Polygon{{{101 - 1.0/1024, 30.5}, {101, 30.5}, {101, 30.75}, {101 - 1.0/1024, 30.75}, {101 - 1.0/1024, 30.5}}})
	if got := geo.AreaKm2(f.Geometry); math.Abs(got-want) > 1e-9*want {
		t.Errorf("fx-a area %.3f, want %.3f", got, want)
	}
	// a point in the enclave is outside, a point in the notch inside
	if ringContains(toGridRing(poly[1]), orb.Point{101.5, 31.5}) == false {
		t.Errorf("the hole should be the enclave")
	}
}

// countyArea sums the areas of fixture counties as drawn in the source.
func countyArea(t *testing.T, codes ...string) float64 {
	t.Helper()
	cs, err := boundaryCounties("boundaries.geojson", readFixture(t, "boundaries.geojson"), "code", "name")
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, c := range cs {
		for _, want := range codes {
			if c.Code == want {
				sum += geo.AreaKm2(gridMultiPolygon(c.Polygons))
			}
		}
	}
	return sum
}

func toGridRing(r orb.Ring) Ring {
	out := make(Ring, 0, len(r))
	for _, p := range r {
		out = append(out, toGrid(p))
	}
	out, _ = out.open()
	return out
}

func TestFixtureMembership(t *testing.T) {
	res := buildFixture(t)
	b := fixtureFeature(t, res, data.Clusters, "fx-b")
	if b.Properties["members_whole"] != 0 || b.Properties["members_partial"] != 2 {
		t.Errorf("fx-b counts: %v whole, %v partial", b.Properties["members_whole"], b.Properties["members_partial"])
	}
	// 西市 minus 丁县 = 丙县 only; 南市 include 戊县 (己县 is a part with no
	// list: not drawn) — so fx-b covers 丙县 + 戊县, two unit cells
	want := countyArea(t, "880201", "880301")
	if got := geo.AreaKm2(b.Geometry); math.Abs(got-want) > 1e-6*want {
		t.Errorf("fx-b area %.1f, want %.1f", got, want)
	}
	members := b.Properties["members"].([]map[string]any)
	if u, _ := members[1]["undrawn"].([]string); len(u) != 1 || u[0] != "己县" {
		t.Errorf("己县 should be listed as undrawn, got %v", members[1]["undrawn"])
	}
	// cities: 西市 is whole in fx-a and partial in fx-b (an overlap)
	west := fixtureFeature(t, res, data.Cities, "880200")
	refs := west.Properties["clusters"]
	s := strings.ReplaceAll(strings.ReplaceAll(jsonString(t, refs), " ", ""), "\n", "")
	if s != `[{"id":"fx-a","partial":false},{"id":"fx-b","partial":true}]` {
		t.Errorf("880200 clusters = %s", s)
	}
}

func TestFixtureFlows(t *testing.T) {
	res := buildFixture(t)
	flows := res.Collections[data.Flows]
	ids := map[string]Feature{}
	for _, f := range flows {
		ids[f.ID] = f
	}
	for _, id := range []string{"a-to-z", "a-to-far", "a-to-nowhere", "fx-b-to-fz"} {
		if _, ok := ids[id]; !ok {
			t.Errorf("missing flow %s (have %v)", id, keys(ids))
		}
	}
	if g := ids["a-to-nowhere"].Geometry; g != nil {
		t.Errorf("a flow to a place with no location must have no geometry, got %v", g)
	}
	if ids["a-to-nowhere"].Properties["drawable"] != false {
		t.Error("a-to-nowhere should not be drawable")
	}
	far, ok := ids["a-to-far"].Geometry.(orb.LineString)
	if !ok || far[1] != (orb.Point{110.5, 35.25}) {
		t.Errorf("a-to-far should end at the place's point, got %v", ids["a-to-far"].Geometry)
	}
	for id, f := range ids {
		if f.Properties["magnitude"] != nil {
			t.Errorf("%s: no source gives a magnitude, got %v", id, f.Properties["magnitude"])
		}
	}
}

func keys[V any](m map[string]V) []string { return sortedKeys(m) }

func jsonString(t *testing.T, v any) string {
	var buf bytes.Buffer
	if err := writeJSON(&buf, v); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestUnknownAndAmbiguousMembersFailTheBuild(t *testing.T) {
	counties := []County{
		{Code: "880101", Name: "甲县"}, {Code: "880201", Name: "甲县"}, {Code: "880202", Name: "丁县"},
	}
	codes := CodeList{"880100": "东市", "880200": "西市", "880101": "甲县", "880201": "甲县", "880202": "丁县"}
	g := NewGazetteer(counties, codes, nil)
	cases := []struct {
		name   string
		member Member
		want   []string
	}{
		{"unknown code", Member{Name: "庚县", Code: "889999", Whole: true}, []string{"cluster c1", "889999 庚县", "unknown code"}},
		{"name differs from code", Member{Name: "乙县", Code: "880101", Whole: true}, []string{"880101 乙县", "甲县", "mapping table"}},
		{"ambiguous name", Member{Name: "甲县", Whole: true}, []string{"ambiguous", "880101 甲县", "880201 甲县"}},
		{"unknown name", Member{Name: "辛县", Whole: true}, []string{"unknown name", "辛县"}},
		{"excluded county elsewhere", Member{Name: "东市", Code: "880100", Exclude: []SubUnit{{Name: "丁县", Code: "880202"}}}, []string{"excluded county 880202", "not part of it"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := g.Resolve("cluster", Entity{ID: "c1", Members: []Member{c.member}})
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	// the mapping table resolves a renamed unit, and only under its old name
	g = NewGazetteer(counties, codes, []AdminChange{{Code: "880199", Name: "旧县", Counties: []string{"880101"}, Why: "renamed"}})
	r, err := g.Resolve("cluster", Entity{ID: "c1", Members: []Member{{Name: "旧县", Code: "880199", Whole: true}}})
	if err != nil || len(r[0].Counties) != 1 || r[0].Counties[0] != "880101" {
		t.Fatalf("mapping row: %v %v", r, err)
	}
}

func TestAdminChangesPointAtOutlineCodes(t *testing.T) {
	seen := map[[2]string]bool{}
	for _, ch := range AdminChanges {
		key := [2]string{ch.Code, ch.Name}
		if seen[key] {
			t.Errorf("duplicate row %v", key)
		}
		seen[key] = true
		if ch.Why == "" {
			t.Errorf("row %v has no comment", key)
		}
		if ch.Undrawn == (len(ch.Counties) > 0) {
			t.Errorf("row %v: either counties or undrawn", key)
		}
		for _, c := range ch.Counties {
			if len(c) != 6 {
				t.Errorf("row %v: bad county code %q", key, c)
			}
		}
	}
}

func TestBoundariesFileErrors(t *testing.T) {
	cases := map[string]string{
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"12"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`: "not a six-digit",
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"110101"},"geometry":{"type":"Point","coordinates":[0,0]}}]}`:                     "not a (Multi)Polygon",
		`not json`: "not a GeoJSON FeatureCollection",
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"110101"},"geometry":{"type":"Polygon","coordinates":[[[39,116],[40,116],[40,117],[39,116]]]}}]}`:                                                                                                               "outside lon -180..180 / lat -90..90",
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"110101"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},{"type":"Feature","properties":{"code":"110101"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`: "already used by feature 0",
	}
	for in, want := range cases {
		_, err := boundaryCounties("x.geojson", []byte(in), "code", "name")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%.40s: got %v, want %q", in, err, want)
		}
	}
}

// The build writes the /compare table next to the collections; loading the
// directory picks it up, its figures match an independent overlay of the
// two fixture clusters, and a changed collection file makes it stale.
func TestFixtureBuildWritesCompareTable(t *testing.T) {
	res := buildFixture(t)
	files, err := res.Files()
	if err != nil {
		t.Fatal(err)
	}
	if len(files[data.CompareFile]) == 0 {
		t.Fatalf("no %s among the built files", data.CompareFile)
	}
	dir := t.TempDir()
	if err := WriteDir(dir, files); err != nil {
		t.Fatal(err)
	}
	ds, err := data.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Compare == nil {
		t.Fatalf("table not used: %v", ds.CompareStale)
	}
	tab := ds.Compare
	// the two clusters, then the fixture's one province (it has no metro
	// areas and no regions): 3 features, 3 pairs
	if len(tab.Features) != 3 || len(tab.Pairs) != 3 || tab.Features[2].Collection != data.Provinces {
		t.Fatalf("%d features, %d pairs; want 2 clusters + 1 province and 3 pairs: %+v", len(tab.Features), len(tab.Pairs), tab.Features)
	}
	a, b := fixtureFeature(t, res, data.Clusters, "fx-a"), fixtureFeature(t, res, data.Clusters, "fx-b")
	if tab.Features[0].ID != "fx-a" || tab.Features[1].ID != "fx-b" {
		t.Fatalf("features %v", tab.Features)
	}
	want, err := geo.IntersectionAreaKm2(a.Geometry, b.Geometry)
	if err != nil {
		t.Fatal(err)
	}
	p := tab.Pairs[0]
	if p.OverlapAreaKm2 == nil || math.Abs(*p.OverlapAreaKm2-want) > 0.01 {
		t.Errorf("overlap %v, want %.3f", p.OverlapAreaKm2, want)
	}
	if p.ShareOfB == nil || math.Abs(*p.ShareOfB-want/geo.AreaKm2(b.Geometry)) > 1e-5 {
		t.Errorf("share of fx-b %v, want %.6f", p.ShareOfB, want/geo.AreaKm2(b.Geometry))
	}
	if p.EdgeDistanceKm == nil || *p.EdgeDistanceKm != 0 {
		t.Errorf("overlapping clusters: edge distance %v, want 0", p.EdgeDistanceKm)
	}
	if got := tab.Features[1].AreaKm2; math.Abs(got-geo.AreaKm2(b.Geometry)) > 0.01 {
		t.Errorf("fx-b area %v", got)
	}
	// the same build gives the same bytes
	again, _ := buildFixture(t).Files()
	if !bytes.Equal(again[data.CompareFile], files[data.CompareFile]) {
		t.Error("compare table is not deterministic")
	}
	// a collection edited after the build: the table is refused as stale
	raw, err := Encode(res.Collections[data.Clusters][:1])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "clusters.geojson"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "clusters.geojson.gz"))
	ds, err = data.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Compare != nil || ds.CompareStale == nil || !strings.Contains(ds.CompareStale.Error(), "clusters") {
		t.Errorf("stale table: Compare %v, CompareStale %v", ds.Compare != nil, ds.CompareStale)
	}
}
