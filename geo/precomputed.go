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
// CellSizeDegrees from (MinX, MinY), a multiple of the cell size, NX × NY
// of them, row-major. Cell k's features are Items[Start[k]:Start[k+1]] in
// ascending feature order: index i for a feature containing the whole
// cell, ^i (negative) for one whose boundary touches it.
type Grid struct {
	MinX, MinY float64
	NX, NY     int
	Start      []int32
	Items      []int32
}

// CellSizeDegrees is the side of a grid cell.
const CellSizeDegrees = cellSize

// Precomputed returns the named collection's areas and grid (shared with
// the atlas: do not modify).
func (a *Atlas) Precomputed(name string) (Precomputed, bool) {
	c, ok := a.collections[name]
	if !ok {
		return Precomputed{}, false
	}
	p := Precomputed{AreasKm2: c.areaKm2}
	if ci := c.cells; ci != nil {
		p.Grid = &Grid{MinX: ci.minX, MinY: ci.minY, NX: ci.nx, NY: ci.ny, Start: ci.cells.start, Items: ci.cells.items}
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
	if err := checkLists(g.Start, g.Items, g.NX*g.NY, features); err != nil {
		return nil, err
	}
	return &cellIndex{minX: g.MinX, minY: g.MinY, nx: g.NX, ny: g.NY, cells: lists{start: g.Start, items: g.Items}}, nil
}

// checkLists checks a stored grid's lists. Each cell's run must be strictly
// ascending by feature: lookups rely on index order (the first hit is the
// lowest index).
func checkLists(start, items []int32, cells, features int) error {
	if len(start) != cells+1 || start[0] != 0 || int(start[cells]) != len(items) {
		return fmt.Errorf("grid: offsets do not fit %d cells and %d items", cells, len(items))
	}
	for k := 1; k <= cells; k++ {
		if start[k] < start[k-1] {
			return fmt.Errorf("grid: offsets decrease at cell %d", k)
		}
	}
	for k := 1; k <= cells; k++ { // offsets are now known to lie in items
		prev := int32(-1)
		for _, item := range items[start[k-1]:start[k]] {
			i := item
			if i < 0 {
				i = ^i
			}
			if int(i) >= features {
				return fmt.Errorf("grid: feature index %d out of range (%d features)", i, features)
			}
			if i <= prev {
				return fmt.Errorf("grid: cell %d is not in ascending feature order", k-1)
			}
			prev = i
		}
	}
	return nil
}
