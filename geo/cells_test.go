package geo

import (
	"math/rand"
	"slices"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/paulmach/orb"
)

// slowContaining is Containing without the cell grid: R-tree plus the exact
// test on every candidate.
func slowContaining(c *Collection, p orb.Point) []int {
	var out []int
	c.tree.Search(p, p, func(_, _ [2]float64, i int) bool {
		if c.preparedAt(i).contains(p) {
			out = append(out, i)
		}
		return true
	})
	slices.Sort(out)
	return out
}

// The grid must agree with the exact path everywhere, including on cell
// edges and corners and on vertices of the outlines.
func TestCellIndexAgreesWithExactTests(t *testing.T) {
	a := embeddedAtlas(t)
	rng := rand.New(rand.NewSource(7))
	for _, name := range []string{data.Clusters, data.Cities, data.TransferZones} {
		c, _ := a.Collection(name)
		if c.cells == nil {
			t.Fatalf("%s has no cell index", name)
		}
		var pts []orb.Point
		for n := 0; n < 3000; n++ {
			cx, cy := rng.Intn(c.cells.nx), rng.Intn(c.cells.ny)
			x, y := c.cells.minX+float64(cx)*cellSize, c.cells.minY+float64(cy)*cellSize
			pts = append(pts,
				orb.Point{x, y},                          // a cell corner
				orb.Point{x + rng.Float64()*cellSize, y}, // on a horizontal cell edge
				orb.Point{x, y + rng.Float64()*cellSize}, // on a vertical cell edge
				orb.Point{x + rng.Float64()*cellSize, y + rng.Float64()*cellSize})
		}
		for i := range c.Features { // outline vertices
			if ring := c.preparedAt(i); ring != nil && len(ring.edges) > 0 {
				for k := 0; k < 20; k++ {
					e := ring.edges[rng.Intn(len(ring.edges))]
					pts = append(pts, orb.Point{e.ax, e.ay}, orb.Point{(e.ax + e.bx) / 2, (e.ay + e.by) / 2})
				}
			}
		}
		for _, p := range pts {
			if got, want := c.Containing(p), slowContaining(c, p); !slices.Equal(got, want) {
				t.Fatalf("%s at %v: grid %v, exact %v", name, p, got, want)
			}
		}
	}
}
