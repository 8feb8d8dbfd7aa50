package geo

import (
	"math"
	"sort"
	"sync"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
)

var embedded struct {
	once  sync.Once
	atlas *Atlas
	err   error
}

// embeddedAtlas indexes the embedded dataset once for all the tests that
// read it (an Atlas is read-only; indexing all collections costs seconds).
func embeddedAtlas(t *testing.T) *Atlas {
	t.Helper()
	embedded.once.Do(func() {
		ds, err := data.Load()
		if err != nil {
			embedded.err = err
			return
		}
		embedded.atlas, embedded.err = NewAtlas(ds)
	})
	if embedded.err != nil {
		t.Fatal(embedded.err)
	}
	if len(embedded.atlas.Dataset().Collection(data.Provinces)) == 0 {
		t.Skip("embedded dataset has no provinces: run `clusteratlas build`")
	}
	return embedded.atlas
}

// Every province drawn from counties has the area of its counties: the
// union (measured here from the served geometry) against the sum of the
// county outlines' areas the build recorded. Outlines that overlap a
// little make the sum the larger; a lost or doubled county would show as
// percent.
func TestEmbeddedProvinceAreasMatchCountySums(t *testing.T) {
	a := embeddedAtlas(t)
	provs, _ := a.Collection(data.Provinces)
	if n := len(provs.Features); n != 34 {
		t.Errorf("%d provinces, want 34 (31 mainland units, Hong Kong, Macao, Taiwan)", n)
	}
	for i := range provs.Features {
		f := &provs.Features[i]
		area := AreaKm2(f.Geometry)
		if f.ID == "710000" {
			// Taiwan: its own outline, no county sum; 36,197 km² is the
			// figure Taiwan's statistics publish (main island and islands)
			if area < 35500 || area > 37000 {
				t.Errorf("Taiwan: %.0f km², want about 36,197", area)
			}
			if f.Properties["county_sum_km2"] != nil {
				t.Errorf("Taiwan has a county sum: %v", f.Properties["county_sum_km2"])
			}
			continue
		}
		sum, ok := f.Float("county_sum_km2")
		if !ok || sum <= 0 {
			t.Errorf("%s: no county sum", f.ID)
			continue
		}
		// areas are published to 0.1 km²: Macao's 55 km² allows 0.1 of it
		if d := 100 * (area - sum) / sum; (d > 0.01 || d < -0.1) && math.Abs(area-sum) > 0.1 {
			t.Errorf("%s %s: union %.1f km², counties %.1f km² (%+.3f%%)", f.ID, f.String("name_zh"), area, sum, d)
		}
	}
}

// The four macro-regions partition the 31 mainland provinces: each
// province (by its properties and by where its label point falls) is in
// exactly one region, each region's area is the sum of its provinces',
// Hong Kong, Macao and Taiwan are in none, and the regions plus those three
// make the national outline.
func TestEmbeddedRegionsPartitionProvinces(t *testing.T) {
	a := embeddedAtlas(t)
	provs, _ := a.Collection(data.Provinces)
	regions, _ := a.Collection(data.Regions)
	country, _ := a.Collection(data.Country)
	want := map[string]int{"east": 10, "central": 6, "west": 12, "northeast": 3}
	if len(regions.Features) != len(want) {
		t.Fatalf("%d regions, want 4", len(regions.Features))
	}
	areaOf := map[string]float64{}
	listed := map[string]string{}
	for i := range regions.Features {
		r := &regions.Features[i]
		ps := r.Strings("provinces")
		if len(ps) != want[r.ID] {
			t.Errorf("region %s lists %d provinces, want %d (NBS 2011)", r.ID, len(ps), want[r.ID])
		}
		for _, p := range ps {
			if prev, dup := listed[p]; dup {
				t.Errorf("province %s in %s and %s", p, prev, r.ID)
			}
			listed[p] = r.ID
		}
		areaOf[r.ID] = AreaKm2(r.Geometry)
	}
	sums := map[string]float64{}
	var outside float64
	for i := range provs.Features {
		p := &provs.Features[i]
		region := p.String("region")
		if region != listed[p.ID] {
			t.Errorf("province %s says region %q, the regions list it in %q", p.ID, region, listed[p.ID])
		}
		label, ok := featureLabel(p)
		if !ok {
			t.Errorf("province %s has no label", p.ID)
			continue
		}
		var in []string
		for _, j := range regions.Containing(label) {
			in = append(in, regions.Features[j].ID)
		}
		switch {
		case region == "" && len(in) != 0:
			t.Errorf("%s %s (in no region) has its label point in %v", p.ID, p.String("name_zh"), in)
		case region != "" && (len(in) != 1 || in[0] != region):
			t.Errorf("%s %s label point in regions %v, want [%s]", p.ID, p.String("name_zh"), in, region)
		}
		if region == "" {
			outside += AreaKm2(p.Geometry)
			continue
		}
		sums[region] += AreaKm2(p.Geometry)
	}
	for _, code := range []string{"710000", "810000", "820000"} {
		if listed[code] != "" {
			t.Errorf("%s is in region %s; NBS's regions cover the 31 mainland units only", code, listed[code])
		}
	}
	var total float64
	for id, area := range areaOf {
		total += area
		if d := math.Abs(area-sums[id]) / sums[id]; d > 0.0005 {
			t.Errorf("region %s: %.0f km², its provinces %.0f km² (%.3f%%)", id, area, sums[id], 100*d)
		}
	}
	if len(country.Features) != 1 {
		t.Fatalf("%d national outlines", len(country.Features))
	}
	nation := AreaKm2(country.Features[0].Geometry)
	if d := math.Abs(total+outside-nation) / nation; d > 0.0005 {
		t.Errorf("regions %.0f + HK/Macao/Taiwan %.0f km² vs national outline %.0f km² (%.3f%%)", total, outside, nation, 100*d)
	}
	// 9.6 million km² is the usual land figure; the outlines draw 9.52
	if nation < 9.4e6 || nation > 9.7e6 {
		t.Errorf("national outline %.0f km²", nation)
	}
}

// The census table's 31 provinces sum to the bulletin's total, and every
// region's population is the sum of its provinces'.
func TestEmbeddedPopulations(t *testing.T) {
	a := embeddedAtlas(t)
	provs, _ := a.Collection(data.Provinces)
	regions, _ := a.Collection(data.Regions)
	var total float64
	byCode := map[string]float64{}
	for _, p := range provs.Features {
		if v, ok := p.Float("population_2020"); ok {
			total += v
			byCode[p.ID] = v
		}
	}
	// 第七次全国人口普查公报（第三号）: 31 provinces, without the 2,000,000
	// active-duty military counted apart
	if total != 1409778724 || len(byCode) != 31 {
		t.Errorf("%d provinces sum to %.0f, want 31 and 1,409,778,724", len(byCode), total)
	}
	for _, r := range regions.Features {
		var sum float64
		for _, p := range r.Strings("provinces") {
			sum += byCode[p]
		}
		if got, _ := r.Float("population_2020"); got != sum {
			t.Errorf("region %s population %.0f, provinces sum %.0f", r.ID, got, sum)
		}
	}
}

// Metro areas: 18 plans; the two without a published scope have no
// geometry; every low-confidence one says so; every drawn area that misses
// the official figure by more than 3% carries its explanation.
func TestEmbeddedMetroAreas(t *testing.T) {
	a := embeddedAtlas(t)
	metros, _ := a.Collection(data.MetroAreas)
	if len(metros.Features) != 18 {
		t.Errorf("%d metro areas, want 18", len(metros.Features))
	}
	var undrawn []string
	for _, f := range metros.Features {
		if f.Geometry == nil {
			undrawn = append(undrawn, f.ID)
			if f.Properties["area_km2"] != nil {
				t.Errorf("%s: no geometry but an area", f.ID)
			}
		}
		if low, _ := f.Properties["low_confidence"].(bool); low != (f.String("confidence") == "low") {
			t.Errorf("%s: low_confidence %v, confidence %q", f.ID, low, f.String("confidence"))
		}
		if d, ok := f.Float("area_diff_percent"); ok && math.Abs(d) > 3 && f.String("area_diff_note") == "" {
			t.Errorf("%s: %+.1f%% from the official figure, unexplained", f.ID, d)
		}
	}
	sort.Strings(undrawn)
	if len(undrawn) != 2 || undrawn[0] != "wuhan-metro" || undrawn[1] != "zhengzhou-metro" {
		t.Errorf("metro areas without geometry: %v, want wuhan-metro and zhengzhou-metro", undrawn)
	}
	// 南京's 27,000 km² is its core: the core is drawn and measured
	nj := &metros.Features[metros.ids["nanjing-metro"]]
	if core, ok := nj.Float("core_area_km2"); !ok || math.Abs(core-27000)/27000 > 0.03 {
		t.Errorf("南京都市圈 core %v km², plan 27,000", nj.Properties["core_area_km2"])
	}
}
