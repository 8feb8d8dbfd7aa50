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
// the atlas: do not modify).
func (a *Atlas) Precomputed(name string) (Precomputed, bool) {
	c, ok := a.collections[name]
	if !ok {
		return Precomputed{}, false
	}
	p := Precomputed{AreasKm2: c.areaKm2}
	if ci := c.cells; ci != nil {
		p.Grid = &Grid{MinX: ci.minX, MinY: ci.minY, NX: ci.nx, NY: ci.ny,
			InsideStart: ci.inside.start, Inside: ci.inside.items,
			CrossStart: ci.cross.start, Cross: ci.cross.items}
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
	return a, nil
}

func gridIndex(g *Grid, features int) (*cellIndex, error) {
	if g.NX <= 0 || g.NY <= 0 || g.NX > 4_000_000 || g.NY > 4_000_000 || g.NX*g.NY > 4_000_000 || math.IsNaN(g.MinX) || math.IsNaN(g.MinY) ||
		math.IsInf(g.MinX, 0) || math.IsInf(g.MinY, 0) {
		return nil, fmt.Errorf("grid: bad shape %d×%d at (%v, %v)", g.NX, g.NY, g.MinX, g.MinY)
	}
	inside, err := checkedLists("inside", g.InsideStart, g.Inside, g.NX*g.NY, features)
	if err != nil {
		return nil, err
	}
	cross, err := checkedLists("cross", g.CrossStart, g.Cross, g.NX*g.NY, features)
	if err != nil {
		return nil, err
	}
	return &cellIndex{minX: g.MinX, minY: g.MinY, nx: g.NX, ny: g.NY, inside: inside, cross: cross}, nil
}

func checkedLists(what string, start, items []int32, cells, features int) (lists, error) {
	if len(start) != cells+1 || start[0] != 0 || int(start[cells]) != len(items) {
		return lists{}, fmt.Errorf("grid: %s lists: offsets do not fit %d cells and %d items", what, cells, len(items))
	}
	for k := 1; k <= cells; k++ {
		if start[k] < start[k-1] {
			return lists{}, fmt.Errorf("grid: %s lists: offsets decrease at cell %d", what, k)
		}
	}
	for _, i := range items {
		if i < 0 || int(i) >= features {
			return lists{}, fmt.Errorf("grid: %s lists: feature index %d out of range (%d features)", what, i, features)
		}
	}
	return lists{start: start, items: items}, nil
}
