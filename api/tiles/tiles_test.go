package tiles

import (
	"bytes"
	"errors"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"
)

func TestTileBeijingZ4(t *testing.T) {
	tl := newTestTiles(t, Options{})
	x, y := tileAt(116.4, 39.9, 4)
	body, err := tl.Tile(4, x, y)
	if err != nil || body == nil {
		t.Fatalf("Tile(4,%d,%d) = %d bytes, %v", x, y, len(body), err)
	}
	layers := decode(t, body)
	for _, name := range []string{LayerClusters, LayerCities, LayerTransferZones, LayerLabels} {
		if layers[name] == nil || len(layers[name].Features) == 0 {
			t.Errorf("layer %q missing or empty", name)
		}
	}
	for name, l := range layers {
		if l.Extent != Extent || l.Version != 2 {
			t.Errorf("layer %s: extent %d version %d", name, l.Extent, l.Version)
		}
	}

	// jing-jin-ji is there, with its styling properties, and (back in
	// lon/lat) its polygon holds Beijing: projection and ring orientation
	// survive the round trip through orb's decoder.
	beijing := orb.Point{116.4, 39.9}
	cl := layers[LayerClusters]
	cl.ProjectToWGS84(maptile.New(uint32(x), uint32(y), 4))
	var found bool
	for _, f := range cl.Features {
		if f.Properties["id"] != "jing-jin-ji" {
			continue
		}
		found = true
		if f.Properties["name_zh"] != "京津冀城市群" || f.Properties["name_en"] == nil || f.Properties["color"] == nil || f.Properties["area_km2"] == nil {
			t.Errorf("jing-jin-ji properties: %v", f.Properties)
		}
		if !contains(f.Geometry, beijing) {
			t.Errorf("decoded jing-jin-ji does not contain Beijing")
		}
	}
	if !found {
		t.Fatalf("no jing-jin-ji feature in clusters layer")
	}
	kinds := map[any]int{}
	for _, f := range layers[LayerLabels].Features {
		kinds[f.Properties["kind"]]++
		// The legend order: tier and rank, the index in clusters.json (中原 is 10th).
		if f.Properties["id"] == "jing-jin-ji" && (f.Properties["tier"] != "national" || f.Properties["rank"] != float64(0)) {
			t.Errorf("jing-jin-ji label: tier %v rank %v, want national 0", f.Properties["tier"], f.Properties["rank"])
		}
		if f.Properties["id"] == "central-plains" && (f.Properties["tier"] != "regional" || f.Properties["rank"] != float64(9)) {
			t.Errorf("central-plains label: tier %v rank %v, want regional 9", f.Properties["tier"], f.Properties["rank"])
		}
		if _, ok := f.Geometry.(orb.Point); !ok {
			t.Errorf("label %v is a %T", f.Properties["id"], f.Geometry)
		}
	}
	if kinds["cluster"] == 0 {
		t.Errorf("labels: no cluster points: %v", kinds)
	}
	if kinds["city"] != 0 {
		t.Errorf("labels: city points below z%d: %v", CityLabelsMinZoom, kinds)
	}
}

func contains(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	}
	return false
}

// Every coordinate stays within the buffered tile and every polygon ring is
// oriented as MVT 2.1 says (shell positive in tile coordinates).
func TestTileGeometryInBufferAndOriented(t *testing.T) {
	tl := newTestTiles(t, Options{})
	for _, z := range []int{2, 5, 8, 11, 13} {
		x, y := tileAt(121.47, 31.23, z)
		body, err := tl.Tile(z, x, y)
		if err != nil || body == nil {
			t.Fatalf("z%d: %v (%d bytes)", z, err, len(body))
		}
		for name, l := range decode(t, body) {
			for _, f := range l.Features {
				b := f.Geometry.Bound()
				if b.Min[0] < -Buffer || b.Min[1] < -Buffer || b.Max[0] > Extent+Buffer || b.Max[1] > Extent+Buffer {
					t.Errorf("z%d %s %v: bound %v outside the buffered tile", z, name, f.Properties["id"], b)
				}
				var polys []orb.Polygon
				switch g := f.Geometry.(type) {
				case orb.Polygon:
					polys = []orb.Polygon{g}
				case orb.MultiPolygon:
					polys = g
				}
				for _, p := range polys {
					for i, r := range p {
						if a := ringArea(r); (i == 0) != (a > 0) {
							t.Errorf("z%d %s %v ring %d: area %v has the wrong sign", z, name, f.Properties["id"], i, a)
						}
					}
				}
			}
		}
	}
}

func TestTileLayersByZoom(t *testing.T) {
	tl := newTestTiles(t, Options{})
	z := CitiesMinZoom - 1
	x, y := tileAt(116.4, 39.9, z)
	layers := decode(t, mustTile(t, tl, z, x, y))
	if layers[LayerCities] != nil {
		t.Errorf("cities layer at z%d (min zoom %d)", z, CitiesMinZoom)
	}
	if layers[LayerFlows] == nil || layers[LayerClusters] == nil {
		t.Errorf("no flows or clusters at z%d over Beijing", z)
	}
	x, y = tileAt(116.4082, 40.0983, 8) // 北京市 label point
	layers = decode(t, mustTile(t, tl, 8, x, y))
	var city bool
	for _, f := range layers[LayerLabels].Features {
		if f.Properties["kind"] == "city" && f.Properties["name_zh"] == "北京市" {
			city = true
		}
	}
	if !city {
		t.Errorf("z8: no 北京市 label point")
	}
	for _, f := range layers[LayerCities].Features {
		if f.Properties["id"] == "110000" && f.Properties["clusters"] != "jing-jin-ji" {
			t.Errorf("110000 clusters = %v", f.Properties["clusters"])
		}
	}
}

// Flows in tiles carry the arrow-friendly properties and are curved.
func TestTileFlows(t *testing.T) {
	tl := newTestTiles(t, Options{})
	seen := map[any]bool{}
	for x := 0; x < 8; x++ {
		for y := 0; y < 8; y++ {
			body, err := tl.Tile(3, x, y)
			if err != nil {
				t.Fatal(err)
			}
			if body == nil {
				continue
			}
			l := decode(t, body)[LayerFlows]
			if l == nil {
				continue
			}
			for _, f := range l.Features {
				seen[f.Properties["id"]] = true
				for _, k := range []string{"from", "to", "from_name", "to_name", "kind"} {
					if f.Properties[k] == nil {
						t.Errorf("flow %v: no %s", f.Properties["id"], k)
					}
				}
			}
		}
	}
	ds, _ := fixture(t)
	want := 0
	for _, f := range ds.Collections["flows"] {
		if f.Geometry != nil {
			want++
			if !seen[f.ID] {
				t.Errorf("drawable flow %s is in no z3 tile", f.ID)
			}
		}
	}
	t.Logf("%d drawable flows, all in z3 tiles", want)
}

func mustTile(t *testing.T, tl *Tiles, z, x, y int) []byte {
	t.Helper()
	body, err := tl.Tile(z, x, y)
	if err != nil || body == nil {
		t.Fatalf("Tile(%d,%d,%d) = %d bytes, %v", z, x, y, len(body), err)
	}
	return body
}

func TestTileOutOfRange(t *testing.T) {
	tl := newTestTiles(t, Options{})
	for _, c := range []struct {
		z, x, y int
		param   string
	}{
		{-1, 0, 0, "z"}, {MaxZoom + 1, 0, 0, "z"}, {99, 0, 0, "z"},
		{0, 1, 0, "x"}, {4, 16, 3, "x"}, {4, -1, 3, "x"},
		{0, 0, 1, "y"}, {4, 3, 16, "y"}, {4, 3, -5, "y"},
	} {
		body, err := tl.Tile(c.z, c.x, c.y)
		if body != nil || !errors.Is(err, ErrOutOfRange) {
			t.Errorf("Tile(%d,%d,%d) = %d bytes, %v; want ErrOutOfRange", c.z, c.x, c.y, len(body), err)
			continue
		}
		var re *RangeError
		if !errors.As(err, &re) || re.Param != c.param {
			t.Errorf("Tile(%d,%d,%d): %v; want parameter %q", c.z, c.x, c.y, err, c.param)
		}
		t.Log(err)
	}
	for _, c := range [][3]int{{0, 0, 0}, {MaxZoom, 1<<MaxZoom - 1, 1<<MaxZoom - 1}, {4, 15, 0}} {
		if err := Validate(c[0], c[1], c[2]); err != nil {
			t.Errorf("Validate%v: %v", c, err)
		}
	}
}

func TestEmptyTiles(t *testing.T) {
	tl := newTestTiles(t, Options{})
	for _, p := range [][3]float64{
		{-150, -40, 6}, // South Pacific
		{-30, 30, 4},   // Atlantic
		{150, 20, 10},  // Philippine Sea, off every flow
	} {
		z := int(p[2])
		x, y := tileAt(p[0], p[1], z)
		body, err := tl.Tile(z, x, y)
		if err != nil {
			t.Fatal(err)
		}
		if body != nil {
			t.Errorf("tile %d/%d/%d at %v,%v: %d bytes, want nil (empty)", z, x, y, p[0], p[1], len(body))
		}
	}
}

// The context and metro layers: 江苏 and 南京都市圈 around 南京, the
// national outline from z0, only context over Tibet (no cluster, zone,
// metro area or flow there), nothing over the open Pacific; metro areas
// read from one secondary source carry low_confidence.
func TestProvincesAndMetroLayers(t *testing.T) {
	tl := newTestTiles(t, Options{})
	has := func(layers map[string]*mvt.Layer, layer, key, want string) bool {
		if layers[layer] == nil {
			return false
		}
		for _, f := range layers[layer].Features {
			if f.Properties[key] == want {
				return true
			}
		}
		return false
	}
	x, y := tileAt(118.78, 32.06, 7)
	body, err := tl.Tile(7, x, y)
	if err != nil || body == nil {
		t.Fatalf("南京 tile: %d bytes, %v", len(body), err)
	}
	nj := decode(t, body)
	if !has(nj, LayerProvinces, "code", "320000") || !has(nj, LayerMetroAreas, "id", "nanjing-metro") {
		t.Errorf("南京 z7: provinces %v, metro areas %v", nj[LayerProvinces], nj[LayerMetroAreas])
	}
	z0, _ := tl.Tile(0, 0, 0)
	if !has(decode(t, z0), LayerProvinces, "kind", "country") {
		t.Errorf("z0 tile has no national outline")
	}
	x, y = tileAt(85, 31, 7)
	tibet, _ := tl.Tile(7, x, y)
	if got := decode(t, tibet); len(got) != 1 || !has(got, LayerProvinces, "code", "540000") {
		t.Errorf("Tibet z7: layers %v, want provinces only (西藏 540000)", keys(got))
	}
	x, y = tileAt(-150, -40, 6)
	if b, _ := tl.Tile(6, x, y); b != nil {
		t.Errorf("South Pacific tile: %d bytes", len(b))
	}
	x, y = tileAt(117.0, 36.65, 6) // 济南: its plan comes from one secondary source
	jn, _ := tl.Tile(6, x, y)
	for _, f := range decode(t, jn)[LayerMetroAreas].Features {
		if f.Properties["id"] == "jinan-metro" && f.Properties["low_confidence"] != true {
			t.Errorf("jinan-metro low_confidence %v", f.Properties["low_confidence"])
		}
	}
	if !has(decode(t, jn), LayerMetroAreas, "id", "jinan-metro") {
		t.Errorf("no jinan-metro at z6 over 济南")
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestCacheBoundAndHits(t *testing.T) {
	const bound = 200 << 10
	tl := newTestTiles(t, Options{CacheBytes: bound})
	first := map[[3]int][]byte{}
	var last [3]int // the most recently rendered non-empty tile: an LRU must still hold it
	for z := 3; z <= 6; z++ {
		x0, y0 := tileAt(100, 45, z)
		x1, y1 := tileAt(125, 20, z)
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				body, err := tl.Tile(z, x, y)
				if err != nil {
					t.Fatal(err)
				}
				first[[3]int{z, x, y}] = body
				if body != nil {
					last = [3]int{z, x, y}
				}
				if s := tl.CacheStats(); s.Bytes > bound {
					t.Fatalf("cache holds %d bytes, bound %d", s.Bytes, bound)
				}
			}
		}
	}
	s := tl.CacheStats()
	if s.Evicted == 0 || s.Entries == 0 {
		t.Errorf("expected evictions with a %d-byte bound: %+v", bound, s)
	}
	// The newest entry is a hit whatever the bound; a random re-walk of all
	// tiles could thrash the LRU and miss every time, so it checks bytes only.
	hits := s.Hits
	if again, _ := tl.Tile(last[0], last[1], last[2]); !bytes.Equal(again, first[last]) {
		t.Fatalf("tile %v differs when served from the cache", last)
	}
	if tl.CacheStats().Hits != hits+1 {
		t.Errorf("most recent tile %v not served from the cache: %+v", last, tl.CacheStats())
	}
	// Deterministic: a re-render (after eviction) or a hit gives the same bytes.
	for k, body := range first {
		again, _ := tl.Tile(k[0], k[1], k[2])
		if !bytes.Equal(body, again) {
			t.Fatalf("tile %v differs on the second request", k)
		}
	}
	t.Logf("%d tiles; cache %+v", len(first), tl.CacheStats())

	off := newTestTiles(t, Options{CacheBytes: -1})
	x, y := tileAt(121.47, 31.23, 5)
	if b, _ := off.Tile(5, x, y); b == nil || off.CacheStats().Entries != 0 {
		t.Errorf("disabled cache: %d bytes, %+v", len(b), off.CacheStats())
	}
}

func TestLRUEviction(t *testing.T) {
	c := newLRUCache(3 * (entryOverhead + 10))
	body := make([]byte, 10)
	c.add(tileKey{1, 0, 0}, body)
	c.add(tileKey{1, 0, 1}, body)
	c.add(tileKey{1, 1, 0}, body)
	c.get(tileKey{1, 0, 0}) // now most recent: {1,0,1} is the oldest
	c.add(tileKey{1, 1, 1}, body)
	if _, ok := c.get(tileKey{1, 0, 1}); ok {
		t.Errorf("least recently used entry kept")
	}
	if _, ok := c.get(tileKey{1, 0, 0}); !ok {
		t.Errorf("recently used entry evicted")
	}
	c.add(tileKey{2, 0, 0}, make([]byte, 10*entryOverhead)) // larger than the bound: not cached
	if s := c.stats(); s.Bytes > s.MaxBytes || s.Entries != 3 {
		t.Errorf("stats %+v", s)
	}
}

func TestConcurrentTiles(t *testing.T) {
	tl := newTestTiles(t, Options{})
	x, y := tileAt(121.47, 31.23, 7)
	want := mustTile(t, newTestTiles(t, Options{CacheBytes: -1}), 7, x, y)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := tl.Tile(7, x, y)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("concurrent tile: %d bytes, %v", len(got), err)
			}
		}()
	}
	wg.Wait()
}

func TestETag(t *testing.T) {
	ds, l := fixture(t)
	a := New(ds, l, Options{}).ETag(4, 13, 6)
	b := New(ds, l, Options{StraightFlows: true}).ETag(4, 13, 6)
	if a == b || a[0] != '"' || a[len(a)-1] != '"' {
		t.Errorf("ETags %s %s", a, b)
	}
}

// Without levels every zoom is full detail: same features, more bytes.
func TestNilLevels(t *testing.T) {
	ds, l := fixture(t)
	x, y := tileAt(116.4, 39.9, 4)
	simple := mustTile(t, New(ds, l, Options{}), 4, x, y)
	full := mustTile(t, New(ds, nil, Options{}), 4, x, y)
	if len(full) <= len(simple) {
		t.Errorf("full detail %d bytes <= simplified %d bytes", len(full), len(simple))
	}
	a, b := decode(t, simple), decode(t, full)
	if len(a[LayerClusters].Features) != len(b[LayerClusters].Features) {
		t.Errorf("cluster features: %d simplified vs %d full", len(a[LayerClusters].Features), len(b[LayerClusters].Features))
	}
}
