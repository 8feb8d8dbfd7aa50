package tiles

import (
	"math"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// In the GCJ-02 tileset every feature sits where the GCJ-02 forward
// transform puts it (what an AMap base map expects), not where the WGS84
// tileset draws it: the cluster label points, decoded back to lon/lat on
// the tile grid, land on WGS84ToGCJ02(label) within a tile unit and are
// hundreds of metres from the WGS84 position.
func TestGCJ02TilesShiftFeatures(t *testing.T) {
	ds, _ := fixture(t)
	gcj := newTestTiles(t, Options{Datum: geo.GCJ02})
	const z = 10
	unit := 360 / math.Exp2(z) / Extent // degrees of longitude per tile unit
	checked := 0
	for _, f := range ds.Collections[data.Clusters] {
		label, ok := labelPoint(&f)
		if !ok {
			continue
		}
		want := geo.WGS84ToGCJ02(label)
		x, y := tileAt(want[0], want[1], z)
		body := mustTile(t, gcj, z, x, y)
		layers := decode(t, body)
		l := layers[LayerLabels]
		if l == nil {
			t.Fatalf("%s: no labels in GCJ-02 tile %d/%d/%d", f.ID, z, x, y)
		}
		l.ProjectToWGS84(maptile.New(uint32(x), uint32(y), z)) // inverse Mercator: GCJ-02 lon/lat here
		found := false
		for _, lf := range l.Features {
			if lf.Properties["id"] != f.ID {
				continue
			}
			found = true
			got := lf.Geometry.(orb.Point)
			if d := math.Max(math.Abs(got[0]-want[0]), math.Abs(got[1]-want[1])); d > 2*unit {
				t.Errorf("%s: label at %v in the GCJ-02 tile, want %v (off by %.2g°)", f.ID, got, want, d)
			}
			if geo.DistanceKm(got, label) < 0.05 {
				t.Errorf("%s: label not shifted from its WGS84 position %v", f.ID, label)
			}
		}
		if !found {
			t.Errorf("%s: label missing from GCJ-02 tile %d/%d/%d", f.ID, z, x, y)
		}
		checked++
	}
	if checked < 19 {
		t.Fatalf("checked %d clusters", checked)
	}
	tj := gcj.TileJSON("http://x/tiles/gcj02/{z}/{x}/{y}.mvt")
	if tj["x-datum"] != "GCJ-02" {
		t.Errorf("TileJSON x-datum %v", tj["x-datum"])
	}
	if w := newTestTiles(t, Options{}).TileJSON("u"); w["x-datum"] != "WGS84" {
		t.Errorf("WGS84 TileJSON x-datum %v", w["x-datum"])
	}
}

// Neighbouring cities share their border in the GCJ-02 tiles as in the
// WGS84 ones: the shift is a function of the vertex alone, so a vertex two
// outlines share lands on the same tile coordinates in both.
func TestGCJ02TilesKeepSharedBorders(t *testing.T) {
	const z = 9
	x, y := tileAt(114.6, 37.05, z) // 邯郸 (130400) / 邢台 (130500)
	shared := func(tl *Tiles) int {
		layers := decode(t, mustTile(t, tl, z, x, y))
		sets := map[any]map[orb.Point]bool{}
		for _, f := range layers[LayerCities].Features {
			set := map[orb.Point]bool{}
			var add func(g orb.Geometry)
			add = func(g orb.Geometry) {
				switch g := g.(type) {
				case orb.Polygon:
					for _, r := range g {
						for _, p := range r {
							// the tile edge is cut, not shared
							if p[0] > 0 && p[1] > 0 && p[0] < Extent && p[1] < Extent {
								set[p] = true
							}
						}
					}
				case orb.MultiPolygon:
					for _, p := range g {
						add(p)
					}
				}
			}
			add(f.Geometry)
			sets[f.Properties["code"]] = set
		}
		n := 0
		for p := range sets["130400"] {
			if sets["130500"][p] {
				n++
			}
		}
		return n
	}
	w, g := shared(newTestTiles(t, Options{})), shared(newTestTiles(t, Options{Datum: geo.GCJ02}))
	if w < 20 || g < w*9/10 {
		t.Errorf("邯郸 and 邢台 share %d tile vertices in WGS84, %d in GCJ-02", w, g)
	}
	t.Logf("shared border vertices in tile %d/%d/%d: WGS84 %d, GCJ-02 %d", z, x, y, w, g)
}
