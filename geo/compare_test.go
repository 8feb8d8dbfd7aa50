package geo

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/paulmach/orb"
)

// box is a lon/lat square polygon with its south-west corner at x0, y0.
func box(x0, y0, size float64) orb.Polygon {
	return orb.Polygon{square(x0, y0, x0+size, y0+size)}
}

func compareFixture(t *testing.T) *Atlas {
	t.Helper()
	feat := func(id string, g orb.Geometry, label orb.Point) data.Feature {
		return data.Feature{ID: id, Geometry: g, Properties: map[string]any{"label": []any{label[0], label[1]}}}
	}
	ds := &data.Dataset{Collections: map[string][]data.Feature{
		// a (0..2) overlaps b (1..3) by a 1×1 square; c is 1° east of b; d lies inside a
		data.Clusters: {
			feat("a", box(0, 0, 2), orb.Point{1, 1}),
			feat("b", box(1, 1, 2), orb.Point{2, 2}),
			feat("c", box(4, 0, 1), orb.Point{4.5, 0.5}),
		},
		"regions": {
			feat("d", box(0.5, 0.5, 0.5), orb.Point{0.75, 0.75}),
			feat("e", box(0, 0, 4), orb.Point{2, 2}), // covers a and b and part of c
			{ID: "f", Properties: map[string]any{}},  // no geometry
		},
	}, ContentHash: map[string]string{data.Clusters: "h1", "regions": "h2"}}
	a, err := NewAtlas(ds)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestCompareTablePairsAndCoverage(t *testing.T) {
	a := compareFixture(t)
	tab, err := a.CompareTable([]string{data.Clusters, "regions"})
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Features) != 6 || len(tab.Pairs) != 15 {
		t.Fatalf("%d features, %d pairs; want 6 and 15", len(tab.Features), len(tab.Pairs))
	}
	if tab.Sources["regions"] != "h2" {
		t.Errorf("sources %v", tab.Sources)
	}
	idx := map[string]int{}
	for i, f := range tab.Features {
		idx[f.ID] = i
	}
	pair := func(x, y string) data.ComparePair {
		for _, p := range tab.Pairs {
			if p.A == idx[x] && p.B == idx[y] {
				return p
			}
		}
		t.Fatalf("no pair %s %s", x, y)
		return data.ComparePair{}
	}
	unit := AreaKm2(box(1, 1, 1)) // the a∩b square
	near := func(got *float64, want, tol float64, what string) {
		t.Helper()
		if got == nil || math.Abs(*got-want) > tol {
			t.Errorf("%s = %v, want %.4f", what, deref(got), want)
		}
	}
	ab := pair("a", "b")
	near(ab.OverlapAreaKm2, unit, 0.01, "overlap a b")
	near(ab.EdgeDistanceKm, 0, 0, "edge distance a b")
	near(ab.ShareOfA, unit/AreaKm2(box(0, 0, 2)), 1e-5, "share of a")
	near(ab.ShareOfB, unit/AreaKm2(box(1, 1, 2)), 1e-5, "share of b")
	bc := pair("b", "c")
	// b's east edge is lon 3, c's west edge lon 4; nearest points at lat 1
	near(bc.EdgeDistanceKm, DistanceKm(orb.Point{3, 1}, orb.Point{4, 1}), 0.01, "edge distance b c")
	near(bc.OverlapAreaKm2, 0, 0, "overlap b c")
	near(bc.LabelDistanceKm, DistanceKm(orb.Point{2, 2}, orb.Point{4.5, 0.5}), 0.001, "label distance b c")
	ad := pair("a", "d") // d nested in a: no overlay needed
	near(ad.ShareOfB, 1, 0, "share of d inside a")
	// covered_by: c is half inside e (lon 4..5, e ends at 4: touching only)
	if got := tab.Features[idx["c"]].CoveredBy["regions"]; got != 0 {
		t.Errorf("c covered by regions %v, want 0 (only touches e)", got)
	}
	if got := tab.Features[idx["a"]].CoveredBy["regions"]; got != 1 {
		t.Errorf("a covered by regions %v, want 1", got)
	}
	// d is inside a only: the union of clusters over d is d itself
	if got := tab.Features[idx["d"]].CoveredBy[data.Clusters]; got != 1 {
		t.Errorf("d covered by clusters %v, want 1", got)
	}
	// e (4×4) holds a ∪ b (7 unit squares, overlap counted once) and c touches
	wantE := (AreaKm2(box(0, 0, 2)) + AreaKm2(box(1, 1, 2)) - unit) / AreaKm2(box(0, 0, 4))
	if got := tab.Features[idx["e"]].CoveredBy[data.Clusters]; math.Abs(got-wantE) > 1e-5 {
		t.Errorf("e covered by clusters %v, want %v (union, not sum)", got, wantE)
	}
	if af := pair("a", "f"); af.EdgeDistanceKm != nil || af.OverlapAreaKm2 != nil || af.LabelDistanceKm != nil {
		t.Errorf("pair with a feature without geometry: %+v", af)
	}
	if f := tab.Features[idx["f"]]; f.Centroid != nil || f.CoveredBy != nil {
		t.Errorf("feature without geometry: %+v", f)
	}
	if _, ok := tab.Features[idx["a"]].CoveredBy[data.Clusters]; ok {
		t.Error("covered_by lists the feature's own collection")
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// BenchmarkCompareTableEmbedded: the table on the embedded clusters, as
// the build computes it (171 pairs for 19 clusters).
func BenchmarkCompareTableEmbedded(b *testing.B) {
	ds, err := data.Load()
	if err != nil {
		b.Fatal(err)
	}
	a, err := NewAtlas(ds)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		tab, err := a.CompareTable(data.CompareCollections)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%d features, %d pairs in %v", len(tab.Features), len(tab.Pairs), time.Since(start))
	}
}

// A done context stops the overlay loop with its error.
func TestIntersectingContextStops(t *testing.T) {
	a := compareFixture(t)
	c, _ := a.Collection(data.Clusters)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.IntersectingContext(ctx, box(0.5, 0.5, 2)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err %v, want context.Canceled", err)
	}
	out, err := c.IntersectingContext(context.Background(), box(0.5, 0.5, 2))
	if err != nil || len(out) != 2 {
		t.Errorf("live context: %d overlaps, err %v; want a and b", len(out), err)
	}
}
