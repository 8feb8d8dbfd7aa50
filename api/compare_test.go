package api

import (
	"bytes"
	"encoding/csv"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/paulmach/orb"
	"math"
	"strings"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
)

func TestCompareJSON(t *testing.T) {
	s := newTestServer(t, Config{})
	r := get(t, s, "/compare?ids=jing-jin-ji,central-plains,middle-yangtze")
	wantStatus(t, r, 200)
	doc := r.json(t)
	clusters := doc["clusters"].([]any)
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
	jjj := doc["clusters"].([]any)[0].(map[string]any)["indicators"].(map[string]any)
	pop := jjj["population_10k"].(map[string]any)
	if pop["sum_whole_members"].(float64) != 2189+1387+1124+941 || pop["whole_members_counted"].(float64) != 4 {
		t.Errorf("jing-jin-ji population %v", pop)
	}
	gdp := jjj["gdp_100m_yuan"].(map[string]any)
	if gdp["sum_whole_members"].(float64) != 36103+14084+3636 || len(gdp["whole_members_missing"].([]any)) != 1 {
		t.Errorf("jing-jin-ji gdp (130100 empty) %v", gdp)
	}
	cp := doc["clusters"].([]any)[1].(map[string]any)["indicators"].(map[string]any)["population_10k"].(map[string]any)
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
