package api

import (
	"bytes"
	"encoding/csv"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/paulmach/orb"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/clusteratlas/clusteratlas/data"
)

func TestCompareJSON(t *testing.T) {
	s := newTestServer(t, Config{})
	r := get(t, s, "/compare?ids=jing-jin-ji,central-plains,middle-yangtze")
	wantStatus(t, r, 200)
	doc := r.json(t)
	clusters := doc["features"].([]any)
	if len(clusters) != 3 || len(doc["pairs"].([]any)) != 3 {
		t.Fatalf("compare: %d clusters, %d pairs", len(clusters), len(doc["pairs"].([]any)))
	}
	jjj := clusters[0].(map[string]any)
	for _, k := range []string{"area_km2", "official_area_km2", "perimeter_km", "members_whole", "members_partial", "label", "centroid", "bbox", "flows_in", "flows_out"} {
		if _, ok := jjj[k]; !ok {
			t.Errorf("cluster metrics lack %s", k)
		}
	}
	if in := jjj["flows_in"].(map[string]any); in["count"].(float64) != 1 || in["ids"].([]any)[0] != "east-to-jing-jin-ji" {
		t.Errorf("flows_in %v", in)
	}
	if out := jjj["flows_out"].(map[string]any); out["count"].(float64) != 2 {
		t.Errorf("flows_out %v", out)
	}
	if clusters[1].(map[string]any)["official_area_km2"] != nil {
		t.Error("null official area should stay null")
	}
	pair := doc["pairs"].([]any)[0].(map[string]any)
	if pair["a"] != "jing-jin-ji" || pair["b"] != "central-plains" {
		t.Errorf("pair %v", pair)
	}
	for _, k := range []string{"edge_distance_km", "label_distance_km", "centroid_distance_km", "overlap_area_km2"} {
		if _, ok := pair[k]; !ok {
			t.Errorf("pair lacks %s", k)
		}
	}
	if pair["label_distance_km"].(float64) < 500 {
		t.Errorf("label distance %v", pair["label_distance_km"])
	}
	// independent: the geodesic distance between the two centroids the
	// clusters report
	ca := jjj["centroid"].([]any)
	cb := clusters[1].(map[string]any)["centroid"].([]any)
	want := geo.DistanceKm(orb.Point{ca[0].(float64), ca[1].(float64)}, orb.Point{cb[0].(float64), cb[1].(float64)})
	if got := pair["centroid_distance_km"].(float64); math.Abs(got-want) > 0.01 {
		t.Errorf("centroid distance %v, want %.3f", got, want)
	}
	wantProblem(t, get(t, s, "/compare"), 400, "ids")
	wantProblem(t, get(t, s, "/compare?ids="), 400, "ids")
	wantProblem(t, get(t, s, "/compare?ids=jing-jin-ji,jing-jin-ji"), 400, "ids")
	wantProblem(t, get(t, s, "/compare?ids=jing-jin-ji,atlantis"), 404, "ids")
	wantProblem(t, get(t, s, "/compare?ids=jing-jin-ji&f=xlsx"), 400, "f")
	wantProblem(t, get(t, s, "/compare?ids="+strings.Repeat("a,", MaxCompareIDs)+"a"), 400, "ids")
}

func TestCompareCSV(t *testing.T) {
	s := newTestServer(t, Config{})
	r := get(t, s, "/compare?ids=jing-jin-ji,central-plains&f=csv")
	wantStatus(t, r, 200)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") ||
		r.Header.Get("Content-Disposition") != `attachment; filename="clusteratlas-compare-jing-jin-ji_central-plains.csv"` {
		t.Errorf("headers %v", r.Header)
	}
	if !bytes.HasPrefix(r.Body, []byte("\xef\xbb\xbf")) {
		t.Error("no UTF-8 BOM")
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "id" || rows[1][1] != "京津冀城市群" {
		t.Fatalf("csv rows %v", rows)
	}
	col := func(name string) int {
		for i, h := range rows[0] {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s in %v", name, rows[0])
		return -1
	}
	if rows[1][col("overlap_area_km2_with_central-plains")] == "" || rows[1][col("flows_out")] != "2" {
		t.Errorf("row %v", rows[1])
	}
	// the share columns read as "share of this row inside that column's
	// feature": the JSON's share_of_a for jing-jin-ji's row, share_of_b for
	// central-plains' row
	pair := get(t, s, "/compare?ids=jing-jin-ji,central-plains").json(t)["pairs"].([]any)[0].(map[string]any)
	if got, want := rows[1][col("share_inside_central-plains")], fmtFloat(pair["share_of_a"].(float64)); got != want {
		t.Errorf("jing-jin-ji share inside central-plains %q, want %q", got, want)
	}
	if got, want := rows[2][col("share_inside_jing-jin-ji")], fmtFloat(pair["share_of_b"].(float64)); got != want {
		t.Errorf("central-plains share inside jing-jin-ji %q, want %q", got, want)
	}
	if rows[1][col("share_inside_jing-jin-ji")] != "1" {
		t.Errorf("a feature's share inside itself %q", rows[1][col("share_inside_jing-jin-ji")])
	}
}

func TestCompareIndicators(t *testing.T) {
	ind, err := LoadIndicators("testdata/indicators.csv")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := data.LoadDir(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := NewState(ds, ind)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Logger: quietLogger()}, st)
	doc := get(t, s, "/compare?ids=jing-jin-ji,central-plains").json(t)
	cols := doc["indicator_columns"].([]any)
	if len(cols) != 2 {
		t.Fatalf("indicator columns %v", cols)
	}
	jjj := doc["features"].([]any)[0].(map[string]any)["indicators"].(map[string]any)
	pop := jjj["population_10k"].(map[string]any)
	if pop["sum_whole_members"].(float64) != 2189+1387+1124+941 || pop["whole_members_counted"].(float64) != 4 {
		t.Errorf("jing-jin-ji population %v", pop)
	}
	gdp := jjj["gdp_100m_yuan"].(map[string]any)
	if gdp["sum_whole_members"].(float64) != 36103+14084+3636 || len(gdp["whole_members_missing"].([]any)) != 1 {
		t.Errorf("jing-jin-ji gdp (130100 empty) %v", gdp)
	}
	cp := doc["features"].([]any)[1].(map[string]any)["indicators"].(map[string]any)["population_10k"].(map[string]any)
	// 411700 is a partial member: listed, never summed.
	if cp["sum_whole_members"].(float64) != 1260+941 || len(cp["partial_members"].([]any)) != 1 || cp["partial_members"].([]any)[0] != "411700" {
		t.Errorf("central-plains population %v", cp)
	}
	r := get(t, s, "/compare?ids=central-plains&f=csv")
	if !strings.Contains(string(r.Body), "population_10k_partial_members") {
		t.Errorf("csv lacks indicator columns: %s", r.Body)
	}
	// The indicators are part of the cache version.
	plain := newTestServer(t, Config{})
	if get(t, plain, "/compare?ids=central-plains").Header.Get("ETag") == get(t, s, "/compare?ids=central-plains").Header.Get("ETag") {
		t.Error("same ETag with and without indicators")
	}
}

// Lookups are order-independent: the reversed request answers the same
// distances and overlap with the shares swapped, and a qualified id is
// the same feature as the bare one.
func TestCompareOrderAndQualifiedIDs(t *testing.T) {
	s := newTestServer(t, Config{})
	fwd := get(t, s, "/compare?ids=jing-jin-ji,central-plains")
	rev := get(t, s, "/compare?ids=clusters:central-plains,jing-jin-ji")
	wantStatus(t, fwd, 200)
	wantStatus(t, rev, 200)
	pf := fwd.json(t)["pairs"].([]any)[0].(map[string]any)
	pr := rev.json(t)["pairs"].([]any)[0].(map[string]any)
	if pr["a"] != "clusters:central-plains" || pr["b"] != "jing-jin-ji" {
		t.Errorf("pair names %v %v: want the ids as requested", pr["a"], pr["b"])
	}
	for _, k := range []string{"edge_distance_km", "label_distance_km", "centroid_distance_km", "overlap_area_km2"} {
		if pf[k] != pr[k] {
			t.Errorf("%s: %v forward, %v reversed", k, pf[k], pr[k])
		}
	}
	if pf["share_of_a"] != pr["share_of_b"] || pf["share_of_b"] != pr["share_of_a"] {
		t.Errorf("shares not swapped: %v/%v vs %v/%v", pf["share_of_a"], pf["share_of_b"], pr["share_of_a"], pr["share_of_b"])
	}
	// independent expectation: 邯郸 (130400) is the overlap of the two fixture
	// clusters; the shares are the overlap over each cluster's own area
	st := readyFixture(t)
	clusters, _ := st.Atlas.Collection(data.Clusters)
	ia, _ := clusters.Index("jing-jin-ji")
	ib, _ := clusters.Index("central-plains")
	overlap, err := geo.IntersectionAreaKm2(clusters.Features[ia].Geometry, clusters.Features[ib].Geometry)
	if err != nil || overlap <= 0 {
		t.Fatalf("fixture overlap %v %v", overlap, err)
	}
	if got := pf["overlap_area_km2"].(float64); math.Abs(got-overlap) > 0.01 {
		t.Errorf("overlap %v, want %.3f", got, overlap)
	}
	if got, want := pf["share_of_a"].(float64), overlap/geo.AreaKm2(clusters.Features[ia].Geometry); math.Abs(got-want) > 1e-5 {
		t.Errorf("share_of_a %v, want %.6f", got, want)
	}
	wantProblem(t, get(t, s, "/compare?ids=cities:jing-jin-ji"), 404, "ids")
	wantProblem(t, get(t, s, "/compare?ids=jing-jin-ji,clusters:jing-jin-ji"), 400, "ids")
}

// A bare id held by two compared collections is refused with the
// qualified names to choose from.
func TestCompareAmbiguousID(t *testing.T) {
	ci := &compareIndex{table: &data.CompareTable{Features: []data.CompareFeature{
		{Collection: "clusters", ID: "chengdu"}, {Collection: "metro-areas", ID: "chengdu"}, {Collection: "metro-areas", ID: "xian"},
	}}, byQualified: map[string]int{}, byBare: map[string][]int{}}
	for i, f := range ci.table.Features {
		ci.byQualified[data.QualifiedID(f.Collection, f.ID)] = i
		ci.byBare[f.ID] = append(ci.byBare[f.ID], i)
	}
	if _, p := ci.resolve("chengdu"); p == nil || p.Status != 400 || !strings.Contains(p.Detail, "metro-areas:chengdu") {
		t.Errorf("ambiguous id: %v", p)
	}
	if n, p := ci.resolve("metro-areas:chengdu"); p != nil || n != 1 {
		t.Errorf("qualified id: %d %v", n, p)
	}
	if n, p := ci.resolve("xian"); p != nil || n != 2 {
		t.Errorf("unique bare id: %d %v", n, p)
	}
}

// BenchmarkCompareAll: /compare with every cluster of the embedded data
// (171 pairs), through the whole Fiber stack; each iteration varies the
// order so no HTTP-level cache helps.
func BenchmarkCompareAll(b *testing.B) {
	ds, err := data.Load()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	st, err := NewState(ds, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("state with compare table (%s) in %v", st.CompareSource(), time.Since(start))
	clusters, _ := st.Atlas.Collection(data.Clusters)
	ids := make([]string, len(clusters.Features))
	for i := range clusters.Features {
		ids[i] = clusters.Features[i].ID
	}
	h := New(Config{Logger: quietLogger()}, st).App().Handler()
	var ctx fasthttp.RequestCtx
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rot := append(append([]string{}, ids[i%len(ids):]...), ids[:i%len(ids)]...)
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.Request.SetRequestURI("/compare?ids=" + strings.Join(rot, ","))
		ctx.Request.Header.SetMethod("GET")
		h(&ctx)
		if ctx.Response.StatusCode() != 200 {
			b.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
		}
	}
}
