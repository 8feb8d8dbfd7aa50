package topo

import (
	"maps"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
)

// unnodedLayers is a grid atlas whose outlines are not noded against each
// other, as in the real data: the cluster was (as if) made by an overlay
// that put a vertex in the middle of every edge, and city (2,2) leaves its
// neighbour's border at a T-vertex in the middle of one of the neighbour's
// segments, leaving a sliver gap.
func unnodedLayers(t *testing.T) map[string][]orb.Geometry {
	t.Helper()
	f := newGridFixture(6, 30, 1, 11)
	layers := benchLayers(f)
	mid := func(a, b orb.Point) orb.Point { return orb.Point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2} }
	for i, g := range layers["clusters"] {
		var p orb.Polygon
		for _, r := range g.(orb.Polygon) {
			var nr orb.Ring
			for k := 0; k+1 < len(r); k++ {
				nr = append(nr, r[k], mid(r[k], r[k+1]))
			}
			p = append(p, append(nr, r[0]))
		}
		layers["clusters"][i] = p
	}
	ci := 2*6 + 2
	r := layers["cities"][ci].(orb.Polygon)[0]
	left := 1.0 // interior side of a counter-clockwise ring
	if ringArea(r) < 0 {
		left = -1
	}
	k := 7
	u, v := r[k], r[k+1]
	w := mid(u, v)
	m := mid(w, v)
	dx, dy := v[0]-w[0], v[1]-w[1]
	c := orb.Point{m[0] - left*0.2*dy, m[1] + left*0.2*dx}
	nr := append(slices.Clone(r[:k+1]), w, c)
	nr = append(nr, r[k+1:]...)
	layers["cities"][ci] = orb.Polygon{nr}
	for name, gs := range layers {
		for i, g := range gs {
			if err := validate(g); err != nil {
				t.Fatalf("fixture %s[%d] invalid: %v", name, i, err)
			}
		}
	}
	return layers
}

func TestUnnodedNeighbours(t *testing.T) {
	layers := unnodedLayers(t)
	l, err := Build(layers, allZooms)
	if err != nil {
		t.Fatal(err)
	}
	if n := l.Stats().Noded; n == 0 {
		t.Errorf("nothing noded")
	}
	checkValid(t, layers, l)
	// Not strict: at z0 the 1-degree cities are below a pixel² and drop.
	rep := checkSharedBorders(t, layers, l, allZooms, false, nil)
	rep.errorf(t)
	if rep.Pairs < 50 {
		t.Errorf("only %d neighbour pairs", rep.Pairs)
	}

	// Without noding, city 14 simplifies across the T-vertex its neighbour
	// does not have: the fixture exercises what noding fixes.
	skipNoding = true
	defer func() { skipNoding = false }()
	l, err = Build(layers, allZooms)
	if err != nil {
		t.Fatal(err)
	}
	if rep := checkSharedBorders(t, layers, l, allZooms, false, nil); len(rep.Failing) == 0 {
		t.Errorf("unnoded build passes the border check: the fixture does not test noding")
	} else {
		t.Logf("unnoded build: %d pairs fail", len(rep.failingPairs()))
	}
}

// TestBorderCheckCatchesGap: the shared-border check is geometric: it
// catches one vertex dropped on one side of a shared border, and
// per-polygon simplification (tegola #341), on noded and unnoded outlines.
func TestBorderCheckCatchesGap(t *testing.T) {
	const z = 2
	for _, fx := range []struct {
		name   string
		layers map[string][]orb.Geometry
		city   int // an inland city
	}{
		{"noded", newAtlasFixture(1).layers, 4},
		{"unnoded", unnodedLayers(t), 2*6 + 2},
	} {
		layers, ci := fx.layers, fx.city
		l, err := Build(layers, allZooms)
		if err != nil {
			t.Fatal(err)
		}
		if rep := checkSharedBorders(t, layers, l, allZooms, false, nil); len(rep.Failing) != 0 {
			t.Fatalf("%s: unmodified levels fail: %v", fx.name, rep.Failing)
		}
		lvl := l.Geometry("cities", ci, z).(orb.Polygon)
		// The level vertex farthest from the chord of its neighbours.
		r := lvl[0]
		best, bk := -1.0, 0
		for k := 1; k+1 < len(r); k++ {
			if d := segDist2(r[k], r[k-1], r[k+1]); d > best {
				best, bk = d, k
			}
		}
		dropped := orb.Ring(slices.Delete(slices.Clone(r), bk, bk+1))
		dp := simplify.DouglasPeucker(ToleranceDegrees(z)).Simplify(orb.Clone(layers["cities"][ci]))
		for _, m := range []struct {
			what string
			g    orb.Geometry
		}{
			{"one vertex dropped", append(orb.Polygon{dropped}, lvl[1:]...)},
			{"own Douglas-Peucker", dp},
		} {
			if orb.Equal(m.g, lvl) {
				t.Logf("%s, %s: same as the level, skipped", fx.name, m.what)
				continue
			}
			zi := slices.Index(l.zooms, z)
			lv := *l.levels[zi]
			lv.geoms = maps.Clone(lv.geoms)
			lv.geoms["cities"] = slices.Clone(lv.geoms["cities"])
			lv.geoms["cities"][ci] = m.g
			bad := *l
			bad.levels = slices.Clone(l.levels)
			bad.levels[zi] = &lv
			rep := checkSharedBorders(t, layers, &bad, allZooms, false, nil)
			n := 0
			for p := range rep.Failing[z] {
				if p[0] != (featRef{"cities", ci}) && p[1] != (featRef{"cities", ci}) {
					t.Errorf("%s, %s: unrelated pair %v fails", fx.name, m.what, p)
				}
				n++
			}
			if n == 0 || len(rep.Failing) != 1 {
				t.Errorf("%s, %s: not caught: %v", fx.name, m.what, rep.Failing)
			}
			t.Logf("%s, %s: %d pairs with city %d caught at z%d", fx.name, m.what, n, ci, z)
		}
	}
}
