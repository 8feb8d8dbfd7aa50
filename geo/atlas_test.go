package geo

import (
	"errors"
	"math"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// testAtlas: two cities sharing the border x=1 (A has a hole), a two-part
// city, two overlapping clusters, a zone and flows (one without geometry).
func testAtlas(t testing.TB) *Atlas {
	t.Helper()
	ds := &data.Dataset{Collections: map[string][]data.Feature{
		data.Cities: {
			{ID: "A", Geometry: orb.Polygon{square(0, 0, 1, 1), reversed(square(0.4, 0.4, 0.6, 0.6))}},
			{ID: "B", Geometry: orb.Polygon{reversed(square(1, 0, 2, 1))}}, // clockwise on purpose
			{ID: "C", Geometry: orb.MultiPolygon{{square(5, 5, 6, 6)}, {square(7, 5, 8, 6)}}},
		},
		data.Clusters: {
			{ID: "k1", Geometry: orb.Polygon{square(0, 0, 1.5, 1)}},
			{ID: "k2", Geometry: orb.Polygon{square(0.5, 0, 2, 1)}},
		},
		data.TransferZones: {
			{ID: "z", Geometry: orb.Polygon{square(0.9, 0.9, 1.1, 1.1)}},
		},
		data.Flows: {
			{ID: "f1", Geometry: orb.LineString{{0, 3}, {2, 3}}},
			{ID: "f2"},
		},
	}}
	a, err := NewAtlas(ds)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestContaining(t *testing.T) {
	a := testAtlas(t)
	cities, _ := a.Collection(data.Cities)
	cases := []struct {
		p    orb.Point
		want []int
	}{
		{orb.Point{0.2, 0.2}, []int{0}},
		{orb.Point{0.5, 0.5}, nil},       // in A's hole
		{orb.Point{0.4, 0.5}, []int{0}},  // on the hole's edge: boundary is inside
		{orb.Point{0.4, 0.4}, []int{0}},  // hole vertex
		{orb.Point{1, 0.5}, []int{0, 1}}, // shared border: in both
		{orb.Point{1, 1}, []int{0, 1}},   // shared vertex
		{orb.Point{1.5, 0}, []int{1}},    // on the bottom edge (horizontal)
		{orb.Point{0, 0}, []int{0}},      // corner
		{orb.Point{1.5, 0.5}, []int{1}},  // clockwise ring works
		{orb.Point{5.5, 5.5}, []int{2}},  // first part
		{orb.Point{7.5, 5.5}, []int{2}},  // second part
		{orb.Point{6.5, 5.5}, nil},       // between parts, inside the bbox
		{orb.Point{3, 3}, nil},           // outside everything
		{orb.Point{2.0000001, 0.5}, nil}, // just outside
		{orb.Point{1.9999999, 0.9999999}, []int{1}},
	}
	for _, c := range cases {
		if got := cities.Containing(c.p); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Containing(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	loc := a.Locate(orb.Point{1, 0.95})
	if len(loc.Clusters) != 2 || loc.City == nil || loc.City.ID != "A" || len(loc.Zones) != 1 {
		t.Errorf("Locate on the border: %+v", loc)
	}
	loc = a.Locate(orb.Point{50, 50})
	if loc.Clusters != nil || loc.City != nil || loc.Zones != nil {
		t.Errorf("Locate outside: %+v", loc)
	}
	flows, _ := a.Collection(data.Flows)
	if got := flows.Containing(orb.Point{1, 3}); got != nil {
		t.Errorf("lines contain nothing: %v", got)
	}
}

func TestIndexExtent(t *testing.T) {
	a := testAtlas(t)
	c, ok := a.Collection(data.Cities)
	if !ok || a.Dataset() == nil {
		t.Fatal("collection missing")
	}
	if i, ok := c.Index("B"); !ok || i != 1 {
		t.Errorf("Index(B) = %d %v", i, ok)
	}
	if _, ok := c.Index("nope"); ok {
		t.Error("unknown id found")
	}
	if e := c.Extent(); e != (orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{8, 6}}) {
		t.Errorf("extent %v", e)
	}
	if _, ok := a.Collection("nope"); ok {
		t.Error("unknown collection")
	}
	ds := &data.Dataset{Collections: map[string][]data.Feature{data.Cities: {{ID: "x", Geometry: orb.Polygon{square(0, 0, 1, 1)}}, {ID: "x", Geometry: orb.Polygon{square(0, 0, 1, 1)}}}}}
	if _, err := NewAtlas(ds); err == nil {
		t.Error("duplicate id accepted")
	}
	ds = &data.Dataset{Collections: map[string][]data.Feature{data.Cities: {{ID: "x", Geometry: orb.Polygon{{{0, 0}, {math.NaN(), 0}, {1, 1}, {0, 0}}}}}}}
	if _, err := NewAtlas(ds); err == nil {
		t.Error("NaN accepted")
	}
	if _, err := NewAtlas(nil); err == nil {
		t.Error("nil dataset accepted")
	}
}

func TestIntersectingBound(t *testing.T) {
	// An L whose bbox covers the test box but whose arms miss it.
	L := orb.Polygon{{{0, 0}, {3, 0}, {3, 0.5}, {0.5, 0.5}, {0.5, 3}, {0, 3}, {0, 0}}}
	ds := &data.Dataset{Collections: map[string][]data.Feature{data.Cities: {
		{ID: "L", Geometry: L},
		{ID: "big", Geometry: orb.Polygon{square(-10, -10, 10, 10)}},
		{ID: "far", Geometry: orb.Polygon{square(20, 20, 21, 21)}},
	}, data.Flows: {{ID: "line", Geometry: orb.LineString{{0, 2}, {2, 0}}}}}}
	a, err := NewAtlas(ds)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := a.Collection(data.Cities)
	for _, tc := range []struct {
		b    orb.Bound
		want []int
	}{
		{orb.Bound{Min: orb.Point{1, 1}, Max: orb.Point{2, 2}}, []int{1}},            // in L's bbox, not in L
		{orb.Bound{Min: orb.Point{0.5, 1}, Max: orb.Point{2, 2}}, []int{0, 1}},       // touches L's inner edge
		{orb.Bound{Min: orb.Point{0.1, 0.1}, Max: orb.Point{0.2, 0.2}}, []int{0, 1}}, // inside L
		{orb.Bound{Min: orb.Point{-20, -20}, Max: orb.Point{30, 30}}, []int{0, 1, 2}},
		{orb.Bound{Min: orb.Point{15, 15}, Max: orb.Point{16, 16}}, nil},
	} {
		if got := c.IntersectingBound(tc.b); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("IntersectingBound(%v) = %v, want %v", tc.b, got, tc.want)
		}
	}
	f, _ := a.Collection(data.Flows)
	if got := f.IntersectingBound(orb.Bound{Min: orb.Point{1.5, 1.5}, Max: orb.Point{2, 2}}); got != nil {
		t.Errorf("line misses box: %v", got)
	}
	if got := f.IntersectingBound(orb.Bound{Min: orb.Point{0.9, 0.9}, Max: orb.Point{1.2, 1.2}}); len(got) != 1 {
		t.Errorf("line crosses box: %v", got)
	}
}

func TestNearestReranks(t *testing.T) {
	// "diag" is a thin diagonal strip whose bbox contains the query point
	// (bbox distance 0) but whose nearest point is ~50 km away; "small" is
	// a small square ~11 km away with bbox distance > 0. True order: small,
	// diag, far.
	diag := orb.Polygon{{{0, 0}, {0.05, 0}, {2, 1.95}, {2, 2}, {1.95, 2}, {0, 0.05}, {0, 0}}}
	ds := &data.Dataset{Collections: map[string][]data.Feature{data.Cities: {
		{ID: "diag", Geometry: diag},
		{ID: "far", Geometry: orb.Polygon{square(5, 5, 6, 6)}},
		{ID: "small", Geometry: orb.Polygon{square(1.6, 0.3, 1.7, 0.4)}},
	}}}
	a, err := NewAtlas(ds)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := a.Collection(data.Cities)
	p := orb.Point{1.5, 0.3}
	hits := c.Nearest(p, 3)
	if len(hits) != 3 || hits[0].Index != 2 || hits[1].Index != 0 || hits[2].Index != 1 {
		t.Fatalf("Nearest order = %+v", hits)
	}
	if want := DistanceKm(p, orb.Point{1.6, 0.3}); math.Abs(hits[0].DistanceKm-want) > 0.001 {
		t.Errorf("small: %v want %v", hits[0].DistanceKm, want)
	}
	if want := DistanceToKm(p, diag); math.Abs(hits[1].DistanceKm-want) > 1e-9 || want < 40 {
		t.Errorf("diag: %v want %v", hits[1].DistanceKm, want)
	}
	if want := DistanceKm(p, orb.Point{5, 5}); math.Abs(hits[2].DistanceKm-want) > 0.001 {
		t.Errorf("far: %v want %v", hits[2].DistanceKm, want)
	}
	if h := c.Nearest(p, 1); len(h) != 1 || h[0].Index != 2 {
		t.Errorf("k=1: %+v", h)
	}
	if h := c.Nearest(p, 10); len(h) != 3 {
		t.Errorf("k>n: %+v", h)
	}
	if h := c.Nearest(p, 0); h != nil {
		t.Errorf("k=0: %+v", h)
	}
	if h := c.Nearest(orb.Point{0.01, 0.01}, 1); h[0].Index != 0 || h[0].DistanceKm != 0 {
		t.Errorf("inside: %+v", h)
	}
	// Ties by index: a point on the shared border of two squares.
	a2 := testAtlas(t)
	c2, _ := a2.Collection(data.Cities)
	if h := c2.Nearest(orb.Point{1, 0.5}, 2); h[0].Index != 0 || h[1].Index != 1 || h[0].DistanceKm != 0 || h[1].DistanceKm != 0 {
		t.Errorf("tie: %+v", h)
	}
	f, _ := a2.Collection(data.Flows)
	if h := f.Nearest(orb.Point{1, 4}, 5); len(h) != 1 || math.Abs(h[0].DistanceKm-DistanceKm(orb.Point{1, 4}, orb.Point{1, 3})) > 0.001 {
		t.Errorf("flow nearest: %+v", h)
	}
}

func TestNearestMatchesBruteForce(t *testing.T) {
	a, err := NewAtlas(syntheticDataset(2000))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := a.Collection(data.Cities)
	rng := rand.New(rand.NewSource(7))
	for n := 0; n < 30; n++ {
		p := orb.Point{70 + rng.Float64()*70, 15 + rng.Float64()*45}
		got := c.Nearest(p, 4)
		all := make([]Hit, len(c.Features))
		for i := range c.Features {
			all[i] = Hit{i, c.preparedAt(i).distanceKm(p, math.Inf(1))}
		}
		sortHits(all)
		for i := range got {
			if got[i] != all[i] {
				t.Fatalf("p=%v: Nearest %+v, brute force %+v", p, got, all[:4])
			}
		}
		w := c.Within(p, all[2].DistanceKm)
		if len(w) < 3 || !reflect.DeepEqual(w[:3], all[:3]) {
			t.Fatalf("Within: %+v vs %+v", w, all[:3])
		}
	}
}

func sortHits(h []Hit) {
	for i := 1; i < len(h); i++ {
		for j := i; j > 0 && lessHit(h[j], h[j-1]); j-- {
			h[j], h[j-1] = h[j-1], h[j]
		}
	}
}

func TestWithin(t *testing.T) {
	a := testAtlas(t)
	c, _ := a.Collection(data.Cities)
	p := orb.Point{3, 0.5}
	d1 := DistanceKm(p, orb.Point{2, 0.5})
	if h := c.Within(p, d1-0.01); h != nil {
		t.Errorf("too small radius: %+v", h)
	}
	h := c.Within(p, d1+0.01)
	if len(h) != 1 || h[0].Index != 1 {
		t.Errorf("one: %+v", h)
	}
	h = c.Within(p, 700)
	if len(h) != 3 || h[0].Index != 1 || h[1].Index != 0 || h[2].Index != 2 {
		t.Errorf("all, by distance: %+v", h)
	}
	if h := c.Within(p, -1); h != nil {
		t.Errorf("negative radius: %+v", h)
	}
}

func TestIntersecting(t *testing.T) {
	a := testAtlas(t)
	c, _ := a.Collection(data.Cities)
	// The right half of A (minus the hole's right half) and the left half of B.
	in := orb.Polygon{square(0.5, 0, 1.5, 1)}
	ov, err := c.Intersecting(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(ov) != 2 || ov[0].Index != 0 || ov[1].Index != 1 {
		t.Fatalf("overlaps %+v", ov)
	}
	inArea := AreaKm2(in)
	wantA := AreaKm2(orb.Polygon{square(0.5, 0, 1, 1), reversed(square(0.5, 0.4, 0.6, 0.6))})
	wantB := AreaKm2(orb.Polygon{square(1, 0, 1.5, 1)})
	if math.Abs(ov[0].AreaKm2-wantA) > 1e-3 || math.Abs(ov[1].AreaKm2-wantB) > 1e-3 {
		t.Errorf("areas %v %v want %v %v", ov[0].AreaKm2, ov[1].AreaKm2, wantA, wantB)
	}
	if math.Abs(ov[1].ShareOfInput-wantB/inArea) > 1e-6 || math.Abs(ov[1].ShareOfFeature-0.5) > 1e-3 {
		t.Errorf("shares %+v", ov[1])
	}
	// Wholly inside B (fast path, no overlay).
	ov, _ = c.Intersecting(orb.Polygon{square(1.2, 0.2, 1.3, 0.3)})
	if len(ov) != 1 || ov[0].Index != 1 || math.Abs(ov[0].ShareOfInput-1) > 1e-9 {
		t.Errorf("inside: %+v", ov)
	}
	// Covering the whole multipolygon C (fast path, feature inside input).
	ov, _ = c.Intersecting(orb.Polygon{square(4, 4, 9, 7)})
	if len(ov) != 1 || ov[0].Index != 2 || math.Abs(ov[0].ShareOfFeature-1) > 1e-9 {
		t.Errorf("covering: %+v", ov)
	}
	// Inside A's hole: nothing (both ways nested check).
	ov, _ = c.Intersecting(orb.Polygon{square(0.45, 0.45, 0.55, 0.55)})
	if len(ov) != 0 {
		t.Errorf("in hole: %+v", ov)
	}
	// Around the hole, inside A's shell: overlay path.
	ov, _ = c.Intersecting(orb.Polygon{square(0.3, 0.3, 0.7, 0.7)})
	if want := AreaKm2(orb.Polygon{square(0.3, 0.3, 0.7, 0.7), reversed(square(0.4, 0.4, 0.6, 0.6))}); len(ov) != 1 || math.Abs(ov[0].AreaKm2-want) > 1e-3 {
		t.Errorf("around hole: %+v want %v", ov, want)
	}
	// A line across A and B: half its length in each (it skips the hole).
	line := orb.LineString{{0, 0.2}, {2, 0.2}}
	ov, err = c.Intersecting(line)
	if err != nil || len(ov) != 2 {
		t.Fatalf("line: %+v %v", ov, err)
	}
	if math.Abs(ov[0].ShareOfInput-0.5) > 1e-3 || math.Abs(ov[0].LengthKm-LengthKm(line)/2) > 0.01 || ov[0].ShareOfFeature != 0 {
		t.Errorf("line shares %+v", ov)
	}
	ov, _ = c.Intersecting(orb.LineString{{1.2, 0.5}, {1.8, 0.5}})
	if len(ov) != 1 || math.Abs(ov[0].ShareOfInput-1) > 1e-9 {
		t.Errorf("line inside: %+v", ov)
	}
	// Points.
	ov, _ = c.Intersecting(orb.Point{1, 0.5})
	if len(ov) != 2 || ov[0].ShareOfInput != 1 {
		t.Errorf("point on border: %+v", ov)
	}
	ov, _ = c.Intersecting(orb.MultiPoint{{0.2, 0.2}, {1.5, 0.5}, {1.6, 0.5}, {30, 30}})
	if len(ov) != 2 || ov[0].ShareOfInput != 0.25 || ov[1].ShareOfInput != 0.5 {
		t.Errorf("multipoint: %+v", ov)
	}
}

func TestIntersectingErrors(t *testing.T) {
	a := testAtlas(t)
	c, _ := a.Collection(data.Cities)
	bowtie := orb.Polygon{{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}}
	for name, tc := range map[string]struct {
		g    orb.Geometry
		rule string
	}{
		"self-intersecting": {bowtie, "not simple"},
		"unclosed":          {orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}}, "not closed"},
		"too few":           {orb.Polygon{{{0, 0}, {1, 0}, {0, 0}}}, "at least 4"},
		"hole outside":      {orb.Polygon{square(0, 0, 1, 1), square(3, 3, 4, 4)}, "outside"},
		"overlapping parts": {orb.MultiPolygon{{square(0, 0, 1, 1)}, {square(0.5, 0.5, 2, 2)}}, "multipolygon"},
		"nan":               {orb.Point{math.NaN(), 0}, "non-finite"},
		"off globe":         {orb.Point{200, 0}, "outside lon"},
		"short line":        {orb.LineString{{0, 0}}, "at least 2"},
		"nil":               {nil, "no geometry"},
		"collection":        {orb.Collection{orb.Point{0, 0}}, "unsupported"},
	} {
		_, err := c.Intersecting(tc.g)
		if err == nil || !errors.Is(err, ErrInvalidGeometry) || !strings.Contains(err.Error(), tc.rule) {
			t.Errorf("%s: err = %v, want one naming %q", name, err, tc.rule)
		}
	}
	if _, err := IntersectionAreaKm2(orb.LineString{{0, 0}, {1, 1}}, orb.Polygon{square(0, 0, 1, 1)}); err == nil {
		t.Error("line accepted by IntersectionAreaKm2")
	}
}

func TestIntersectionAreaKm2(t *testing.T) {
	a := orb.Polygon{square(0, 0, 2, 2)}
	b := orb.MultiPolygon{{square(1, 1, 3, 3)}, {square(10, 10, 11, 11)}}
	got, err := IntersectionAreaKm2(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if want := AreaKm2(orb.Polygon{square(1, 1, 2, 2)}); math.Abs(got-want) > 1e-6 {
		t.Errorf("overlap %v want %v", got, want)
	}
	if got, _ := IntersectionAreaKm2(a, orb.Polygon{square(2, 0, 3, 1)}); got != 0 {
		t.Errorf("touching: %v", got)
	}
	if got, _ := IntersectionAreaKm2(a, orb.Polygon{square(20, 20, 21, 21)}); got != 0 {
		t.Errorf("disjoint: %v", got)
	}
}

// TestEmbeddedDataset checks prepared containment against orb's brute force
// on the real data, and that the collections index cleanly.
func TestEmbeddedDataset(t *testing.T) {
	a := embeddedAtlas(t)
	rng := rand.New(rand.NewSource(42))
	n := 5000
	if testing.Short() {
		n = 500
	}
	for _, name := range []string{data.Clusters, data.Cities, data.TransferZones} {
		start := time.Now()
		c, _ := a.Collection(name)
		ext := c.Extent()
		for k := 0; k < n; k++ {
			p := orb.Point{ext.Min[0] + rng.Float64()*(ext.Max[0]-ext.Min[0]), ext.Min[1] + rng.Float64()*(ext.Max[1]-ext.Min[1])}
			var want []int
			for i, f := range c.Features {
				if f.Geometry != nil && c.bounds[i].Contains(p) && bruteContains(f.Geometry, p) {
					want = append(want, i)
				}
			}
			if got := c.Containing(p); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: Containing(%v) = %v, brute force %v", name, p, got, want)
			}
		}
		t.Logf("%s: %d random points agree with brute force (%v)", name, n, time.Since(start).Round(time.Millisecond))
	}
	// Every cluster is at distance 0 from itself and its members overlap it.
	cl, _ := a.Collection(data.Clusters)
	if d := cl.DistanceBetweenKm(0, cl, 0); d != 0 {
		t.Errorf("self distance %v", d)
	}
}

func bruteContains(g orb.Geometry, p orb.Point) bool {
	switch t := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(t, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(t, p)
	}
	return false
}

// FuzzContains compares prepared containment with orb's ray casting on a
// fixed jagged polygon with a hole. The two may differ only on the
// boundary, where orb puts hole edges outside and this package inside.
func FuzzContains(f *testing.F) {
	poly := orb.Polygon{jagged(newRand(11), orb.Point{100, 30}, 2, 3000), reversed(square(99.8, 29.8, 100.2, 30.2))}
	pg := prepare(poly)
	f.Add(100.0, 30.0)
	f.Add(99.8, 30.0)
	f.Add(101.5, 30.0)
	f.Add(poly[0][17][0], poly[0][17][1])
	f.Fuzz(func(t *testing.T, x, y float64) {
		if !validPoint(orb.Point{x, y}) {
			return
		}
		p := orb.Point{x, y}
		got, want := pg.contains(p), planar.PolygonContains(poly, p)
		if got == want {
			return
		}
		if pg.boundaryDistanceKm(p, math.Inf(1)) > 1e-9 {
			t.Fatalf("contains(%v) = %v, brute force %v, and the point is off the boundary", p, got, want)
		}
	})
}

func TestContainsRandomJagged(t *testing.T) {
	poly := orb.Polygon{jagged(newRand(11), orb.Point{100, 30}, 2, 3000), reversed(square(99.8, 29.8, 100.2, 30.2))}
	pg := prepare(poly)
	rng := rand.New(rand.NewSource(5))
	for i := 0; i < 20000; i++ {
		p := orb.Point{97.9 + rng.Float64()*4.2, 27.9 + rng.Float64()*4.2}
		if got, want := pg.contains(p), planar.PolygonContains(poly, p); got != want {
			t.Fatalf("contains(%v) = %v, brute force %v", p, got, want)
		}
	}
	// Every vertex is on the boundary: inside by the rule.
	for _, v := range poly[0] {
		if !pg.contains(v) {
			t.Fatalf("vertex %v not inside", v)
		}
	}
}
