package topo

import (
	"github.com/clusteratlas/clusteratlas/geo"
	"math"
	"runtime"
	"testing"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"
)

var allZooms = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}

func buildFixture(t testing.TB, seed int64) (*atlasFixture, *Levels) {
	t.Helper()
	f := newAtlasFixture(seed)
	// The fixture must itself be valid, or the checks prove nothing.
	for name, gs := range f.layers {
		for i, g := range gs {
			if g != nil {
				if err := validate(g); err != nil {
					t.Fatalf("fixture %s[%d] invalid: %v", name, i, err)
				}
			}
		}
	}
	l, err := Build(f.layers, allZooms)
	if err != nil {
		t.Fatal(err)
	}
	return f, l
}

func TestToleranceDegrees(t *testing.T) {
	if got, want := ToleranceDegrees(0), 360.0/256/2; got != want {
		t.Fatalf("z0 = %v, want %v", got, want)
	}
	for z := 0; z < 20; z++ {
		if r := ToleranceDegrees(z) / ToleranceDegrees(z+1); math.Abs(r-2) > 1e-12 {
			t.Fatalf("tolerance does not halve per zoom at z%d", z)
		}
	}
	if ToleranceDegrees(9) < GridStep || ToleranceDegrees(10) > GridStep {
		t.Fatalf("grid step expected between z9 and z10 tolerances")
	}
}

func TestValidAtEveryLevel(t *testing.T) {
	for _, seed := range []int64{1, 2, 3, 4, 5} {
		f, l := buildFixture(t, seed)
		checkValid(t, f.layers, l)
		for _, ls := range l.Stats().Levels {
			if ls.Unresolved > 0 {
				t.Errorf("seed %d z%d: %d unresolved: %v", seed, ls.Zoom, ls.Unresolved, ls.InvalidSample)
			}
		}
	}
}

func TestSharedBordersIdentical(t *testing.T) {
	for _, seed := range []int64{1, 2, 3, 4, 5} {
		f, l := buildFixture(t, seed)
		rep := checkSharedBorders(t, f.layers, l, allZooms, true, nil)
		rep.errorf(t)
		if rep.Pairs < 20 {
			t.Fatalf("only %d neighbour pairs found; fixture broken?", rep.Pairs)
		}
	}
}

// TestNoGapNoOverlap checks the tiling cities by area: no two overlap, and
// their union has no holes (a gap between neighbours would be one).
func TestNoGapNoOverlap(t *testing.T) {
	f, l := buildFixture(t, 1)
	for _, z := range allZooms {
		var gs []geom.Geometry
		sum := 0.0
		for _, i := range f.tiling {
			g := l.Geometry("cities", i, z)
			if g == nil {
				continue
			}
			sg := sfGeom(g)
			gs = append(gs, sg)
			sum += sg.Area()
		}
		u, err := geom.UnionMany(gs)
		if err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(u.Area() - sum); d > 1e-9 {
			t.Errorf("z%d: union area %v != sum %v (overlap %g)", z, u.Area(), sum, d)
		}
		holes := 0
		mp, _ := u.AsMultiPolygon()
		if p, ok := u.AsPolygon(); ok {
			mp = geom.NewMultiPolygon([]geom.Polygon{p})
		}
		for i := 0; i < mp.NumPolygons(); i++ {
			holes += mp.PolygonN(i).NumInteriorRings()
		}
		if holes != 0 {
			t.Errorf("z%d: union of the tiling cities has %d holes (gaps between neighbours)", z, holes)
		}
	}
}

// TestClusterOnCityEdges: a cluster made as the union of cities stays
// edge-to-edge with them: it contains each member and its area is their sum.
func TestClusterOnCityEdges(t *testing.T) {
	f, l := buildFixture(t, 2)
	for _, z := range allZooms {
		for ci, mem := range f.members {
			cg := l.Geometry("clusters", ci, z)
			if cg == nil {
				t.Fatalf("z%d cluster %d dropped", z, ci)
			}
			c := sfGeom(cg)
			sum := 0.0
			for _, m := range mem {
				g := l.Geometry("cities", m, z)
				if g == nil {
					continue
				}
				sg := sfGeom(g)
				sum += sg.Area()
				d, err := geom.Difference(sg, c)
				if err != nil {
					t.Fatal(err)
				}
				if d.Area() > 1e-9 {
					t.Errorf("z%d: city %d sticks out of cluster %d by %g deg²", z, m, ci, d.Area())
				}
			}
			if d := math.Abs(c.Area() - sum); d > 1e-9 {
				t.Errorf("z%d: cluster %d area %v, members %v", z, ci, c.Area(), sum)
			}
		}
	}
}

func TestVertexCountsFall(t *testing.T) {
	f, l := buildFixture(t, 3)
	for name := range f.layers {
		prev := l.Vertices(name, 99)
		full := prev
		for z := 12; z >= 0; z-- {
			n := l.Vertices(name, z)
			if n > prev {
				t.Errorf("%s: %d vertices at z%d > %d at z%d", name, n, z, prev, z+1)
			}
			prev = n
		}
		if l.Vertices(name, 0) >= full {
			t.Errorf("%s: z0 has %d vertices, full detail %d", name, l.Vertices(name, 0), full)
		}
		t.Logf("%s: full %d, z9 %d, z6 %d, z3 %d, z0 %d", name, full,
			l.Vertices(name, 9), l.Vertices(name, 6), l.Vertices(name, 3), l.Vertices(name, 0))
	}
}

func TestTinyIslandsDrop(t *testing.T) {
	f, l := buildFixture(t, 4)
	sawDrop, sawKeep := false, false
	for _, z := range allZooms {
		parts := len(polygonsOf(l.Geometry("cities", 0, z)))
		want := 2
		if f.tinyIsl < MinAreaDegrees2(z) {
			want = 1
			sawDrop = true
		} else {
			sawKeep = true
		}
		if parts != want {
			t.Errorf("z%d: city 0 has %d parts, want %d (island %g deg², min %g)", z, parts, want, f.tinyIsl, MinAreaDegrees2(z))
		}
		only := l.Geometry("cities", f.tinyOne, z)
		if dropped := only == nil; dropped != (math.Abs(ringArea(f.layers["cities"][f.tinyOne].(orb.Polygon)[0])) < MinAreaDegrees2(z)) {
			t.Errorf("z%d: tiny-only city dropped=%v", z, dropped)
		}
		// The duplicate zone keeps exactly what the city keeps.
		if !orb.Equal(l.Geometry("transfer-zones", 1, z), l.Geometry("cities", 0, z)) {
			t.Errorf("z%d: identical inputs simplified differently", z)
		}
	}
	if !sawDrop || !sawKeep {
		t.Fatalf("fixture island should drop at some zooms and stay at others")
	}
	// Holes and their enclave drop together.
	for _, z := range allZooms {
		hole := len(l.Geometry("cities", 4, z).(orb.Polygon)) == 2
		encl := l.Geometry("cities", 9, z) != nil
		if hole != encl {
			t.Errorf("z%d: hole kept=%v but enclave kept=%v", z, hole, encl)
		}
	}
}

func TestGeometryAccess(t *testing.T) {
	f, l := buildFixture(t, 1)
	if g := l.Geometry("cities", 12, 5); g != nil {
		t.Errorf("nil input should stay nil, got %v", g)
	}
	if g := l.Geometry("nope", 0, 5); g != nil {
		t.Errorf("unknown layer should be nil")
	}
	if g := l.Geometry("cities", 999, 5); g != nil {
		t.Errorf("out-of-range index should be nil")
	}
	// Above the highest built zoom: the input itself.
	if g := l.Geometry("cities", 3, 13); !orb.Equal(g, f.layers["cities"][3]) {
		t.Errorf("z13 should be the input")
	}
	// Below z0 clamps to z0.
	if !orb.Equal(l.Geometry("cities", 3, -4), l.Geometry("cities", 3, 0)) {
		t.Errorf("negative zoom should clamp to z0")
	}
	// Types are kept.
	for z := 0; z <= 13; z++ {
		if _, ok := l.Geometry("cities", 0, z).(orb.MultiPolygon); !ok {
			t.Errorf("z%d: MultiPolygon input should stay MultiPolygon", z)
		}
		if _, ok := l.Geometry("cities", 3, z).(orb.Polygon); !ok {
			t.Errorf("z%d: Polygon input should stay Polygon", z)
		}
	}
	// Sparse zooms: a zoom between built ones gets the next finer level.
	l2, err := Build(f.layers, []int{2, 6})
	if err != nil {
		t.Fatal(err)
	}
	if !orb.Equal(l2.Geometry("cities", 3, 4), l2.Geometry("cities", 3, 6)) {
		t.Errorf("z4 should be served by the z6 level")
	}
	if _, err := Build(f.layers, nil); err == nil {
		t.Errorf("no zooms should be an error")
	}
}

func TestSelfTouchingKept(t *testing.T) {
	_, l := buildFixture(t, 5)
	for _, z := range allZooms {
		p, ok := l.Geometry("cities", 10, z).(orb.Polygon)
		if !ok {
			t.Fatalf("z%d: self-touching polygon dropped", z)
		}
		if len(p) != 2 && MinAreaDegrees2(z) < 0.1 {
			t.Errorf("z%d: hole lost", z)
		}
	}
}

func TestRepairKeepsIslandOffshore(t *testing.T) {
	layers := coastFixture()
	l, err := Build(layers, allZooms)
	if err != nil {
		t.Fatal(err)
	}
	checkValid(t, layers, l)
	if l.Stats().Levels[3].ArcsRefined == 0 {
		t.Errorf("z3 should have needed a repair: %+v", l.Stats().Levels[3])
	}
	for _, z := range allZooms {
		a, b := l.Geometry("cities", 0, z), l.Geometry("cities", 1, z)
		if a == nil || b == nil {
			continue
		}
		x, err := geom.Intersection(sfGeom(a), sfGeom(b))
		if err != nil {
			t.Fatal(err)
		}
		if x.Area() > 1e-12 {
			t.Errorf("z%d: coast overlaps the island by %g deg²", z, x.Area())
		}
	}
	// The repair shrank the tolerance of the coast arc only: z3 still has
	// far fewer points than full detail.
	if l.Vertices("cities", 3) >= l.Vertices("cities", 99) {
		t.Errorf("z3 not simplified at all")
	}
}

func TestSegConflict(t *testing.T) {
	P := func(x, y float64) orb.Point { return orb.Point{x, y} }
	cases := []struct {
		a, b, c, d orb.Point
		want       bool
	}{
		{P(0, 0), P(2, 2), P(0, 2), P(2, 0), true},  // cross
		{P(0, 0), P(1, 0), P(1, 0), P(2, 1), false}, // share an end
		{P(0, 0), P(2, 0), P(1, 0), P(1, 1), true},  // T touch
		{P(0, 0), P(2, 0), P(0, 0), P(1, 0), true},  // overlap from a shared end
		{P(0, 0), P(2, 0), P(2, 0), P(0, 0), true},  // same segment
		{P(0, 0), P(1, 0), P(1, 0), P(0.5, 0), true},
		{P(0, 0), P(1, 0), P(2, 0), P(3, 0), false}, // collinear apart
		{P(0, 0), P(1, 1), P(1, 0), P(2, 1), false},
	}
	for i, c := range cases {
		if got := segConflict(c.a, c.b, c.c, c.d); got != c.want {
			t.Errorf("case %d: got %v", i, got)
		}
	}
}

func TestImportanceNested(t *testing.T) {
	f := newGridFixture(2, 200, 2, 7)
	ls := f.hEdge[0][1]
	imp := importance(ls, false)
	prev := len(ls) + 1
	for z := 12; z >= 0; z-- {
		k := keep(imp, ToleranceDegrees(z), nil)
		if len(k) > prev || k[0] != 0 || int(k[len(k)-1]) != len(ls)-1 {
			t.Fatalf("z%d: bad kept set", z)
		}
		prev = len(k)
	}
	r := jaggedRing(f.rnd, orb.Point{0, 0}, 0.01, 0.3, 30)
	imp = importance(orb.LineString(r), true)
	if k := keep(imp, 100, nil); len(k) != 4 {
		t.Fatalf("closed arc kept %d points at huge tolerance, want a triangle (4)", len(k))
	}
}

func BenchmarkBuild(b *testing.B) {
	f := newGridFixture(12, 400, 1, 1)
	layers := benchLayers(f)
	n := 0
	for _, gs := range layers {
		for _, g := range gs {
			n += geo.Vertices(g)
		}
	}
	b.ReportMetric(float64(n), "vertices")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Build(layers, allZooms); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildLarge is the real scale: about 2 million vertices (run with
// -bench BuildLarge -benchtime 1x -cpu 2).
func BenchmarkBuildLarge(b *testing.B) {
	f := newGridFixture(30, 400, 1, 1)
	layers := benchLayers(f)
	n := 0
	for _, gs := range layers {
		for _, g := range gs {
			n += geo.Vertices(g)
		}
	}
	b.ReportMetric(float64(n), "vertices")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l, err := Build(layers, allZooms)
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			s := l.Stats()
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			b.Logf("%d vertices, %d arcs, topology %v, total %v; live heap with input and levels %d MB",
				s.InputVertices, s.Arcs, s.Topology, s.Total, ms.HeapAlloc>>20)
			runtime.KeepAlive(l)
			for _, ls := range s.Levels {
				b.Logf("z%d: %d vertices, %d refined, %d rounds, %v", ls.Zoom, ls.Vertices, ls.ArcsRefined, ls.Rounds, ls.Time)
			}
		}
	}
}

// benchLayers makes the three layers from a grid: every cell a city,
// overlapping 4×4 blocks as clusters and 2×3 blocks as zones.
func benchLayers(f *gridFixture) map[string][]orb.Geometry {
	var cities, clusters, zones []orb.Geometry
	for i := 0; i < f.n; i++ {
		for j := 0; j < f.n; j++ {
			cities = append(cities, orb.Polygon{f.blockRing(i, j, i+1, j+1)})
		}
	}
	for i := 0; i+4 <= f.n; i += 3 {
		for j := 0; j+4 <= f.n; j += 3 {
			clusters = append(clusters, orb.Polygon{f.blockRing(i, j, i+4, j+4)})
		}
	}
	for i := 0; i+2 <= f.n; i += 4 {
		for j := 0; j+3 <= f.n; j += 5 {
			zones = append(zones, orb.Polygon{f.blockRing(i, j, i+2, j+3)})
		}
	}
	return map[string][]orb.Geometry{"cities": cities, "clusters": clusters, "transfer-zones": zones}
}

// TestOverlayBuiltCluster: a cluster made by a real overlay (simplefeatures
// Union, as the data pipeline does) rather than by concatenating borders,
// so ring start points, orientation and any inserted nodes are the
// library's. It must still stay on its cities' edges.
func TestOverlayBuiltCluster(t *testing.T) {
	f := newAtlasFixture(6)
	cities := f.layers["cities"]
	mem := []int{6, 7, 8} // the column i=2
	var gs []geom.Geometry
	for _, m := range mem {
		gs = append(gs, sfGeom(cities[m]))
	}
	u, err := geom.UnionMany(gs)
	if err != nil {
		t.Fatal(err)
	}
	var cl orb.Polygon
	p, ok := u.AsPolygon()
	if !ok {
		t.Fatalf("union is %s, want one polygon", u.Type())
	}
	for i := 0; i < 1+p.NumInteriorRings(); i++ {
		ring := p.ExteriorRing()
		if i > 0 {
			ring = p.InteriorRingN(i - 1)
		}
		seq := ring.Coordinates()
		var r orb.Ring
		for k := 0; k < seq.Length(); k++ {
			xy := seq.GetXY(k)
			r = append(r, orb.Point{xy.X, xy.Y})
		}
		cl = append(cl, r)
	}
	layers := map[string][]orb.Geometry{"cities": cities, "clusters": {cl}}
	l, err := Build(layers, allZooms)
	if err != nil {
		t.Fatal(err)
	}
	checkValid(t, layers, l)
	checkSharedBorders(t, layers, l, allZooms, true, nil).errorf(t)
	for _, z := range allZooms {
		c := sfGeom(l.Geometry("clusters", 0, z))
		sum := 0.0
		for _, m := range mem {
			sum += area(l.Geometry("cities", m, z))
		}
		if d := math.Abs(c.Area() - sum); d > 1e-9 {
			t.Errorf("z%d: cluster area %v, members %v", z, c.Area(), sum)
		}
	}
}
