package api

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/data/snapshot"
)

var (
	embeddedOnce   sync.Once
	embeddedServer *Server
	embeddedErr    error
)

// embeddedTestServer serves the embedded dataset (without simplified
// levels: these tests query, they do not zoom). It skips while the
// embedded files are still the empty placeholders.
func embeddedTestServer(t *testing.T) *Server {
	t.Helper()
	embeddedOnce.Do(func() {
		st, err := embeddedState()
		if err != nil {
			embeddedErr = err
			return
		}
		if st != nil {
			embeddedServer = New(Config{Logger: quietLogger()}, st)
		}
	})
	if embeddedErr != nil {
		t.Fatalf("embedded data: %v", embeddedErr)
	}
	if embeddedServer == nil {
		t.Skip("embedded dataset has no clusters yet (placeholder files): run `clusteratlas build`")
	}
	return embeddedServer
}

// embeddedState is the embedded dataset's state, from the embedded
// snapshot when there is one (as serve starts; the levels are dropped to
// keep these tests' memory down), else indexed from the GeoJSON. nil while
// the embedded files are placeholders.
func embeddedState() (*State, error) {
	if b := data.EmbeddedSnapshot(); b != nil {
		c, err := snapshot.Decode(b)
		if err != nil {
			return nil, err
		}
		st, _, err := NewStateFromSnapshot(c, nil)
		return st, err
	}
	ds, err := data.Load()
	if err != nil || len(ds.Collection(data.Clusters)) == 0 {
		return nil, err
	}
	return NewState(ds, nil)
}

type located struct {
	Clusters   []string
	City       string
	Zones      []string
	MetroAreas []string
	Province   string
	Region     string
}

func locateAt(t *testing.T, s *Server, lon, lat float64) located {
	t.Helper()
	r := get(t, s, fmt.Sprintf("/locate?lon=%v&lat=%v", lon, lat))
	wantStatus(t, r, 200)
	loc := r.json(t)["location"].(map[string]any)
	var out located
	for _, c := range loc["clusters"].([]any) {
		out.Clusters = append(out.Clusters, c.(string))
	}
	if c, ok := loc["city"].(string); ok {
		out.City = c
	}
	for _, z := range loc["zones"].([]any) {
		out.Zones = append(out.Zones, z.(string))
	}
	for _, m := range loc["metro_areas"].([]any) {
		out.MetroAreas = append(out.MetroAreas, m.(string))
	}
	out.Province, _ = loc["province"].(string)
	out.Region, _ = loc["region"].(string)
	return out
}

// Every member city's label point (an interior point chosen by the build)
// locates to that city and to every cluster listing it as a whole member.
// Partial members are left out: their label may sit in the part outside.
func TestEmbeddedLocateEveryMemberCityLabel(t *testing.T) {
	s := embeddedTestServer(t)
	cities, _ := s.State().Atlas.Collection(data.Cities)
	checked := 0
	for i := range cities.Features {
		city := &cities.Features[i]
		label, ok := featureLabel(city)
		if !ok {
			t.Errorf("city %s has no label", city.ID)
			continue
		}
		var want []string
		memberships, _ := city.Properties["clusters"].([]any)
		for _, m := range memberships {
			obj, _ := m.(map[string]any)
			id, _ := obj["id"].(string)
			if partial, _ := obj["partial"].(bool); id != "" && !partial {
				want = append(want, id)
			}
		}
		got := locateAt(t, s, label[0], label[1])
		if got.City != city.ID {
			t.Errorf("%s %s label %v: located city %q", city.ID, city.String("name_zh"), label, got.City)
		}
		for _, id := range want {
			if !slices.Contains(got.Clusters, id) {
				t.Errorf("%s %s label %v: not in cluster %s (got %v)", city.ID, city.String("name_zh"), label, id, got.Clusters)
			}
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no cities checked")
	}
	t.Logf("checked %d member cities", checked)
}

func TestEmbeddedLocateOverlapsAndOutside(t *testing.T) {
	s := embeddedTestServer(t)
	handan := locateAt(t, s, 114.54, 36.61)
	for _, id := range []string{"jing-jin-ji", "central-plains"} {
		if !slices.Contains(handan.Clusters, id) {
			t.Errorf("邯郸 (114.54, 36.61) not in %s: %v", id, handan.Clusters)
		}
	}
	for name, p := range map[string][2]float64{"拉萨": {91.13, 29.65}, "三亚": {109.51, 18.25}, "East China Sea": {125.0, 30.0}} {
		if got := locateAt(t, s, p[0], p[1]); len(got.Clusters) != 0 {
			t.Errorf("%s %v located in clusters %v", name, p, got.Clusters)
		}
	}
}

// Points whose province, macro-region, metro area and cluster are known
// independently (city centres; NBS 2011 regions; the plans' member lists).
func TestEmbeddedLocateRegions(t *testing.T) {
	s := embeddedTestServer(t)
	for _, c := range []struct {
		name                      string
		lon, lat                  float64
		province, region          string
		clusters, metros, notIn   []string
		wantNoCluster, wantNoMetr bool
	}{
		{name: "南京 (新街口)", lon: 118.78, lat: 32.06, province: "320000", region: "east",
			clusters: []string{"yangtze-river-delta"}, metros: []string{"nanjing-metro"}},
		{name: "西安 (钟楼)", lon: 108.94, lat: 34.26, province: "610000", region: "west",
			clusters: []string{"guanzhong-plain"}, metros: []string{"xian-metro"}},
		{name: "拉萨", lon: 91.13, lat: 29.65, province: "540000", region: "west", wantNoCluster: true, wantNoMetr: true},
		{name: "邯郸", lon: 114.54, lat: 36.61, province: "130000", region: "east",
			clusters: []string{"jing-jin-ji", "central-plains"}},
		{name: "无为 (芜湖 in 南京's plan, 无为市 in 合肥's)", lon: 117.90, lat: 31.30, province: "340000", region: "central",
			metros: []string{"nanjing-metro", "hefei-metro"}},
		{name: "沈阳", lon: 123.43, lat: 41.80, province: "210000", region: "northeast", metros: []string{"shenyang-metro"}},
		{name: "香港", lon: 114.17, lat: 22.32, province: "810000", region: ""},
		{name: "台北", lon: 121.52, lat: 25.04, province: "710000", region: "", wantNoCluster: true, wantNoMetr: true},
		{name: "East China Sea", lon: 125.0, lat: 30.0, province: "", region: "", wantNoCluster: true, wantNoMetr: true},
	} {
		got := locateAt(t, s, c.lon, c.lat)
		if got.Province != c.province || got.Region != c.region {
			t.Errorf("%s: province %q region %q, want %q %q", c.name, got.Province, got.Region, c.province, c.region)
		}
		for _, id := range c.clusters {
			if !slices.Contains(got.Clusters, id) {
				t.Errorf("%s: not in cluster %s: %v", c.name, id, got.Clusters)
			}
		}
		for _, id := range c.metros {
			if !slices.Contains(got.MetroAreas, id) {
				t.Errorf("%s: not in metro area %s: %v", c.name, id, got.MetroAreas)
			}
		}
		if c.wantNoCluster && len(got.Clusters) > 0 {
			t.Errorf("%s: in clusters %v", c.name, got.Clusters)
		}
		if c.wantNoMetr && len(got.MetroAreas) > 0 {
			t.Errorf("%s: in metro areas %v", c.name, got.MetroAreas)
		}
	}
}

// /regions/{id}/flows: the west receives the flows that name it (and
// central-west); a flow into a zone whose point lies in the west matches
// as inside; an unknown region is a 404 problem.
func TestEmbeddedRegionFlows(t *testing.T) {
	s := embeddedTestServer(t)
	doc := get(t, s, "/regions/west/flows?direction=in").json(t)
	match := map[string]string{}
	for _, f := range doc["features"].([]any) {
		p := f.(map[string]any)["properties"].(map[string]any)
		match[p["id"].(string)] = p["match"].(string)
		if p["direction"] != "in" {
			t.Errorf("%s: direction %v", p["id"], p["direction"])
		}
	}
	for id, want := range map[string]string{
		"mfg2021-east-to-west":                 "named",
		"gf2010-28-east-coast-to-central-west": "named", // central-west counts for west
		"east-to-chongqing-yanjiang":           "inside",
	} {
		if match[id] != want {
			t.Errorf("flow %s: match %q, want %q (all: %v)", id, match[id], want, match)
		}
	}
	if _, ok := match["mfg2021-east-to-northeast"]; ok {
		t.Errorf("a flow into the northeast listed for the west")
	}
	out := get(t, s, "/regions/east/flows?direction=out").json(t)
	if n := len(out["features"].([]any)); n < 5 {
		t.Errorf("east: %d outgoing flows, want the many east → … statements", n)
	}
	r := get(t, s, "/regions/atlantis/flows")
	wantProblem(t, r, 404, "regionId")
}

// /compare spans clusters, metro areas, regions and provinces: the share
// of the west inside any cluster, of 长三角 inside 南京/杭州/合肥都市圈.
func TestEmbeddedCompareRegions(t *testing.T) {
	s := embeddedTestServer(t)
	doc := get(t, s, "/compare?ids=west,yangtze-river-delta,nanjing-metro,hangzhou-metro,hefei-metro,320000").json(t)
	cols := doc["features"].([]any)
	col := func(i int) map[string]any { return cols[i].(map[string]any) }
	westInClusters := col(0)["covered_by"].(map[string]any)["clusters"].(float64)
	// the western clusters (成渝, 关中平原, 北部湾 in part, 呼包鄂榆, 黔中,
	// 滇中, 兰州-西宁, 宁夏沿黄, 天山北坡) cover a small part of 6.7 million km²
	if westInClusters < 0.05 || westInClusters > 0.3 {
		t.Errorf("share of the west inside clusters %.3f", westInClusters)
	}
	if col(0)["collection"] != "regions" || col(5)["collection"] != "provinces" {
		t.Errorf("collections %v, %v", col(0)["collection"], col(5)["collection"])
	}
	var shareSum, shareMax float64
	for _, p := range doc["pairs"].([]any) {
		pm := p.(map[string]any)
		if pm["a"] == "yangtze-river-delta" && strings.HasSuffix(pm["b"].(string), "-metro") {
			v := pm["share_of_a"].(float64)
			shareSum += v
			shareMax = max(shareMax, v)
		}
	}
	inMetros := col(1)["covered_by"].(map[string]any)["metro-areas"].(float64)
	// the union of all metro areas inside 长三角 covers at least the three
	// named ones' largest share, and at most their sum plus the others'
	if inMetros < shareMax || inMetros <= 0.2 || inMetros > 1 {
		t.Errorf("长三角 inside metro areas %.3f; the three named: max %.3f, sum %.3f", inMetros, shareMax, shareSum)
	}
	// 江苏 lies wholly in the east
	for _, p := range doc["pairs"].([]any) {
		pm := p.(map[string]any)
		if pm["a"] == "west" && pm["b"] == "320000" && pm["overlap_area_km2"].(float64) > 1 {
			t.Errorf("江苏 overlaps the west by %v km²", pm["overlap_area_km2"])
		}
	}
}

func TestEmbeddedCollectionsServe(t *testing.T) {
	s := embeddedTestServer(t)
	for _, name := range data.CollectionNames {
		ids, _ := walk(t, s, "/collections/"+name+"/items?limit=250")
		if want := allIDs(s, name); !slices.Equal(ids, want) {
			t.Errorf("%s: walked %d of %d features", name, len(ids), len(want))
		}
	}
	doc := get(t, s, "/compare?ids=jing-jin-ji,central-plains").json(t)
	if len(doc["pairs"].([]any)) != 1 {
		t.Errorf("compare on embedded data: %v", doc)
	}
}

// The query and items routes take the regional collections like any other.
func TestEmbeddedQueriesOnRegionalCollections(t *testing.T) {
	s := embeddedTestServer(t)
	ids := func(doc map[string]any) []string {
		var out []string
		for _, f := range doc["features"].([]any) {
			out = append(out, f.(map[string]any)["id"].(string))
		}
		return out
	}
	// 南京's centre is in 南京都市圈: the nearest metro area, at 0 km
	near := get(t, s, "/nearest?lon=118.78&lat=32.06&k=2&collection=metro-areas").json(t)
	first := near["features"].([]any)[0].(map[string]any)
	if first["id"] != "nanjing-metro" || first["properties"].(map[string]any)["distance_km"].(float64) != 0 {
		t.Errorf("nearest metro area to 南京: %v", ids(near))
	}
	// 100 km around 邯郸 reaches 河南 (安阳 is ~40 km south) but not 北京
	within := ids(get(t, s, "/within?lon=114.54&lat=36.61&radius_km=100&collection=provinces").json(t))
	if !slices.Contains(within, "130000") || !slices.Contains(within, "410000") || slices.Contains(within, "110000") {
		t.Errorf("provinces within 100 km of 邯郸: %v", within)
	}
	// a square inside 江苏 lies wholly in the east
	r := do(t, s, "POST", "/intersects?collection=regions", strings.NewReader(`{"type":"Polygon","coordinates":[[[119.6,32],[120,32],[120,32.4],[119.6,32.4],[119.6,32]]]}`), "Content-Type", "application/geo+json")
	wantStatus(t, r, 200)
	doc := r.json(t)
	if got := ids(doc); len(got) != 1 || got[0] != "east" {
		t.Errorf("regions intersecting a square in 江苏: %v", got)
	} else if share := doc["features"].([]any)[0].(map[string]any)["properties"].(map[string]any)["share_of_input"].(float64); share < 0.999 {
		t.Errorf("share of the square in the east %v", share)
	}
	items := get(t, s, "/collections/provinces/items?limit=50").json(t)
	if n := items["numberMatched"].(float64); n != 34 {
		t.Errorf("provinces: %v matched", n)
	}
	wuhan := get(t, s, "/collections/metro-areas/items/wuhan-metro").json(t)
	if wuhan["geometry"] != nil || wuhan["properties"].(map[string]any)["drawn"] != false {
		t.Errorf("武汉都市圈 has no published scope, got geometry %v", wuhan["geometry"])
	}
}
