package geo

import (
	"math/rand"
	"slices"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/paulmach/orb"
)

// slowLocate is Locate from exact tests alone: every containing feature of
// the overlapping collections, the lowest-index one of the partitions.
func slowLocate(a *Atlas, p orb.Point) Location {
	var loc Location
	all := func(name string) []*data.Feature {
		c, _ := a.Collection(name)
		var out []*data.Feature
		for _, i := range slowContaining(c, p) {
			out = append(out, &c.Features[i])
		}
		return out
	}
	first := func(name string) *data.Feature {
		if fs := all(name); len(fs) > 0 {
			return fs[0]
		}
		return nil
	}
	loc.Clusters, loc.Zones, loc.MetroAreas = all(data.Clusters), all(data.TransferZones), all(data.MetroAreas)
	loc.City, loc.Province, loc.Region = first(data.Cities), first(data.Provinces), first(data.Regions)
	return loc
}

func sameLocation(a, b Location) bool {
	return slices.Equal(a.Clusters, b.Clusters) && slices.Equal(a.Zones, b.Zones) && slices.Equal(a.MetroAreas, b.MetroAreas) &&
		a.City == b.City && a.Province == b.Province && a.Region == b.Region
}

// The merged grid answers what exact tests answer, on its cell corners and
// edges, on outline vertices and edge midpoints (where a point is on two
// sides at once), and at random; so does the per-collection path Locate
// takes without it.
func TestLocateGridAgreesWithExactTests(t *testing.T) {
	a := embeddedAtlas(t)
	g := a.locateGrid
	if g == nil {
		t.Fatal("the embedded atlas has no merged locate grid")
	}
	rng := rand.New(rand.NewSource(11))
	var pts []orb.Point
	for n := 0; n < 4000; n++ {
		x, y := g.minX+float64(rng.Intn(g.nx))*cellSize, g.minY+float64(rng.Intn(g.ny))*cellSize
		pts = append(pts, orb.Point{x, y}, orb.Point{x + rng.Float64()*cellSize, y}, orb.Point{x, y + rng.Float64()*cellSize},
			orb.Point{x + rng.Float64()*cellSize, y + rng.Float64()*cellSize})
	}
	for _, name := range []string{data.Cities, data.Provinces, data.MetroAreas, data.TransferZones} {
		c, _ := a.Collection(name)
		for i := range c.Features {
			if pg := c.preparedAt(i); pg != nil && len(pg.edges) > 0 {
				for k := 0; k < 10; k++ {
					e := pg.edges[rng.Intn(len(pg.edges))]
					pts = append(pts, orb.Point{e.ax, e.ay}, orb.Point{(e.ax + e.bx) / 2, (e.ay + e.by) / 2})
				}
			}
		}
	}
	pts = append(pts, orb.Point{g.minX - 1, g.minY}, orb.Point{180, 90}) // off the grid
	perCollection := &Atlas{dataset: a.dataset, collections: a.collections}
	if g.cells16 == nil {
		t.Fatalf("%d distinct runs: the embedded grid should number its cells in two bytes", len(g.runStart)-1)
	}
	defer func(n int) { maxRuns16 = n }(maxRuns16)
	maxRuns16 = 1 // the four-byte form, as for boundaries with more than 65536 distinct runs
	fourBytes := &Atlas{dataset: a.dataset, collections: a.collections, locateGrid: newLocateGrid(a)}
	if fourBytes.locateGrid.cells32 == nil {
		t.Fatal("no four-byte cell numbers with maxRuns16 = 1")
	}
	found := 0
	byRun := map[int]Location{} // LocateRun's promise: one answer per uniform run
	for _, p := range pts {
		want := slowLocate(a, p)
		if run, ok := a.LocateRun(p); ok {
			if run < 0 || run >= a.LocateRuns() {
				t.Fatalf("run %d at %v, LocateRuns %d", run, p, a.LocateRuns())
			}
			if other, seen := byRun[run]; seen && !sameLocation(other, want) {
				t.Fatalf("run %d at %v: %+v, but elsewhere %+v", run, p, want, other)
			}
			byRun[run] = want
		}
		if got := a.Locate(p); !sameLocation(got, want) {
			t.Fatalf("merged grid at %v: %+v, exact %+v", p, got, want)
		}
		if got := fourBytes.Locate(p); !sameLocation(got, want) {
			t.Fatalf("merged grid, four-byte cells, at %v: %+v, exact %+v", p, got, want)
		}
		if got := perCollection.Locate(p); !sameLocation(got, want) {
			t.Fatalf("per-collection grids at %v: %+v, exact %+v", p, got, want)
		}
		if want.Province != nil {
			found++
		}
	}
	if found < len(pts)/4 { // the test must reach the data, not only the sea
		t.Fatalf("only %d of %d points in a province", found, len(pts))
	}
	if len(byRun) < 100 {
		t.Fatalf("only %d uniform runs met", len(byRun))
	}
}

// A grid off the common lattice (a snapshot built before it) cannot be
// merged cell for cell: no merged grid, and Locate asks each collection.
func TestLocateGridNeedsTheLattice(t *testing.T) {
	a := embeddedAtlas(t)
	if newLocateGrid(a) == nil {
		t.Fatal("aligned grids did not merge")
	}
	c, _ := a.Collection(data.MetroAreas)
	shifted := *c.cells
	shifted.minX += cellSize / 3
	moved := *c
	moved.cells = &shifted
	colls := map[string]*Collection{}
	for k, v := range a.collections {
		colls[k] = v
	}
	colls[data.MetroAreas] = &moved
	if newLocateGrid(&Atlas{dataset: a.dataset, collections: colls}) != nil {
		t.Fatal("a grid off the lattice was merged")
	}
}
