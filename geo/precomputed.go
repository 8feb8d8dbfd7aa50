package geo

import (
	"fmt"
	"math"
	"sort"

	"github.com/clusteratlas/clusteratlas/data"
)

// Precomputed is what NewAtlas derives from one collection beyond its
// features: the geodesic area of each feature and the containment grid.
// Both are a function of the data alone, so `clusteratlas build` computes
// them once and stores them in the snapshot; NewAtlasFromIndex takes them
// back instead of recomputing (about a second on the real data).
type Precomputed struct {
	AreasKm2 []float64 // per feature (0 for a nil or non-polygonal geometry)
	Grid     *Grid     // nil for a collection without polygons
}

// Grid is the containment grid of a collection (see cellIndex): cells of
// CellSizeDegrees from (MinX, MinY), NX × NY of them, row-major. For cell k,
// Inside[InsideStart[k]:InsideStart[k+1]] lists the features containing
// the whole cell and Cross[CrossStart[k]:CrossStart[k+1]] those whose
// boundary touches it.
type Grid struct {
	MinX, MinY  float64
	NX, NY      int
	InsideStart []int32
	Inside      []int32
	CrossStart  []int32
	Cross       []int32
}

// CellSizeDegrees is the side of a grid cell.
const CellSizeDegrees = cellSize

// Precomputed returns the named collection's areas and grid (shared with
// the atlas, except the grid, which is split back into its two lists: do
// not modify).
func (a *Atlas) Precomputed(name string) (Precomputed, bool) {
	c, ok := a.collections[name]
	if !ok {
		return Precomputed{}, false
	}
	p := Precomputed{AreasKm2: c.areaKm2}
	if ci := c.cells; ci != nil {
		p.Grid = ci.grid()
	}
	return p, true
}

// NewAtlasFromIndex is NewAtlas with the areas and grids given (from a
// snapshot) instead of computed. Every collection of ds needs an entry.
// The entries are checked for shape (lengths, offsets, feature indexes),
// so a damaged snapshot gives an error, never a wrong answer or a panic;
// their content is trusted. Edge indexes are built lazily, per feature,
// on the first query that needs one.
func NewAtlasFromIndex(ds *data.Dataset, pre map[string]Precomputed) (*Atlas, error) {
	if ds == nil {
		return nil, fmt.Errorf("geo: nil dataset")
	}
	a := &Atlas{dataset: ds, collections: map[string]*Collection{}}
	names := make([]string, 0, len(ds.Collections))
	for name := range ds.Collections {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		features := ds.Collections[name]
		p, ok := pre[name]
		if !ok {
			return nil, fmt.Errorf("geo: %s: no precomputed index", name)
		}
		if len(p.AreasKm2) != len(features) {
			return nil, fmt.Errorf("geo: %s: %d areas for %d features", name, len(p.AreasKm2), len(features))
		}
		c, err := indexCollection(name, features)
		if err != nil {
			return nil, err
		}
		copy(c.areaKm2, p.AreasKm2)
		if p.Grid != nil {
			ci, err := gridIndex(p.Grid, len(features))
			if err != nil {
				return nil, fmt.Errorf("geo: %s: %w", name, err)
			}
			c.cells = ci
		}
		a.collections[name] = c
	}
	for _, name := range data.CollectionNames {
		if a.collections[name] == nil {
			a.collections[name], _ = newCollection(name, nil)
		}
	}
	a.locateGrid = newLocateGrid(a)
	return a, nil
}

func gridIndex(g *Grid, features int) (*cellIndex, error) {
	if g.NX <= 0 || g.NY <= 0 || g.NX > 4_000_000 || g.NY > 4_000_000 || g.NX*g.NY > 4_000_000 || math.IsNaN(g.MinX) || math.IsNaN(g.MinY) ||
		math.IsInf(g.MinX, 0) || math.IsInf(g.MinY, 0) {
		return nil, fmt.Errorf("grid: bad shape %d×%d at (%v, %v)", g.NX, g.NY, g.MinX, g.MinY)
	}
	cells := g.NX * g.NY
	if err := checkLists("inside", g.InsideStart, g.Inside, cells, features); err != nil {
		return nil, err
	}
	if err := checkLists("cross", g.CrossStart, g.Cross, cells, features); err != nil {
		return nil, err
	}
	// merge each cell's two sorted runs into the one list cellIndex keeps
	merged := lists{start: make([]int32, cells+1), items: make([]int32, 0, len(g.Inside)+len(g.Cross))}
	for k := 0; k < cells; k++ {
		merged.start[k] = int32(len(merged.items))
		in, cr := g.Inside[g.InsideStart[k]:g.InsideStart[k+1]], g.Cross[g.CrossStart[k]:g.CrossStart[k+1]]
		for len(in) > 0 || len(cr) > 0 {
			if len(cr) == 0 || (len(in) > 0 && in[0] < cr[0]) {
				merged.items = append(merged.items, in[0])
				in = in[1:]
			} else {
				merged.items = append(merged.items, ^cr[0])
				cr = cr[1:]
			}
		}
	}
	merged.start[cells] = int32(len(merged.items))
	return &cellIndex{minX: g.MinX, minY: g.MinY, nx: g.NX, ny: g.NY, cells: merged}, nil
}

// grid is the stored form of the index: the two kinds as separate lists.
func (ci *cellIndex) grid() *Grid {
	g := &Grid{MinX: ci.minX, MinY: ci.minY, NX: ci.nx, NY: ci.ny,
		InsideStart: make([]int32, 1, len(ci.cells.start)), CrossStart: make([]int32, 1, len(ci.cells.start))}
	for k := 0; k < ci.nx*ci.ny; k++ {
		for _, i := range ci.cells.of(k) {
			if i >= 0 {
				g.Inside = append(g.Inside, i)
			} else {
				g.Cross = append(g.Cross, ^i)
			}
		}
		g.InsideStart = append(g.InsideStart, int32(len(g.Inside)))
		g.CrossStart = append(g.CrossStart, int32(len(g.Cross)))
	}
	return g
}

// checkLists checks one stored list's shape. Each cell's run must be
// strictly ascending: lookups rely on index order (the first hit is the
// lowest index), and the merge above on it.
func checkLists(what string, start, items []int32, cells, features int) error {
	if len(start) != cells+1 || start[0] != 0 || int(start[cells]) != len(items) {
		return fmt.Errorf("grid: %s lists: offsets do not fit %d cells and %d items", what, cells, len(items))
	}
	for k := 1; k <= cells; k++ {
		if start[k] < start[k-1] {
			return fmt.Errorf("grid: %s lists: offsets decrease at cell %d", what, k)
		}
	}
	for k := 1; k <= cells; k++ { // offsets are now known to lie in items
		run := items[start[k-1]:start[k]]
		for j, i := range run {
			if i < 0 || int(i) >= features {
				return fmt.Errorf("grid: %s lists: feature index %d out of range (%d features)", what, i, features)
			}
			if j > 0 && i <= run[j-1] {
				return fmt.Errorf("grid: %s lists: cell %d is not in ascending feature order", what, k-1)
			}
		}
	}
	return nil
}
