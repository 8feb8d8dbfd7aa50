package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// cellSize is the side of a containment cell in degrees (≈7 km). Most of a
// collection's area lies in cells no boundary touches, where the answer is
// a precomputed list; only the cells along borders need exact tests.
const cellSize = 1.0 / 16

// cellIndex answers containment from a grid over a polygonal collection.
// For each cell it lists the features that contain the whole cell and the
// features whose boundary touches the (closed) cell. A point in a cell is
// in every feature of the first kind, in a feature of the second kind when
// the exact test says so, and in no other: a feature whose boundary does
// not touch the cell contains all of it or none of it, decided at build
// time by the cell's centre.
//
// Both kinds share one list per cell, in ascending feature order, with a
// boundary feature i stored as ^i (negative): a lookup reads one offset
// pair and one run of items. Under load the grid's memory reads, not the
// arithmetic, are what a point query costs (seven collections, a few MB of
// offsets each), so one list instead of two halves them.
type cellIndex struct {
	minX, minY float64
	nx, ny     int
	cells      lists
}

// lists are per-cell feature lists stored flat: cell k owns
// items[start[k]:start[k+1]].
type lists struct {
	start []int32
	items []int32
}

func (l *lists) of(k int) []int32 { return l.items[l.start[k]:l.start[k+1]] }

// newCellIndex builds the grid over extent; nil when the collection has no
// polygons or the grid would be unreasonably large.
func newCellIndex(extent orb.Bound, prep []*prepared) *cellIndex {
	if extent.IsEmpty() {
		return nil
	}
	// the origin on the lattice of cellSize multiples, so the grids of
	// different collections line up cell for cell (see locateGrid)
	minX, minY := math.Floor(extent.Min[0]/cellSize)*cellSize, math.Floor(extent.Min[1]/cellSize)*cellSize
	nx := int(math.Ceil((extent.Max[0]-minX)/cellSize)) + 1
	ny := int(math.Ceil((extent.Max[1]-minY)/cellSize)) + 1
	if nx*ny > 4_000_000 {
		return nil
	}
	ci := &cellIndex{minX: minX, minY: minY, nx: nx, ny: ny}
	// features in ascending order, each finished before the next: every
	// cell's list comes out sorted
	perCell := make([][]int32, nx*ny)
	marked := make([]int32, nx*ny) // last feature that marked the cell, +1
	for i, p := range prep {
		if p == nil || !p.polygonal {
			continue
		}
		tag := int32(i) + 1
		for _, e := range p.edges {
			x0, y0 := ci.cellOf(math.Min(e.ax, e.bx), math.Min(e.ay, e.by))
			x1, y1 := ci.cellOf(math.Max(e.ax, e.bx), math.Max(e.ay, e.by))
			// a cell box is closed and grown by a hair, so a boundary on
			// the cell's edge (or a rounding away from it) marks it
			x0, y0, x1, y1 = max(x0-1, 0), max(y0-1, 0), min(x1+1, nx-1), min(y1+1, ny-1)
			for cy := y0; cy <= y1; cy++ {
				for cx := x0; cx <= x1; cx++ {
					k := cy*nx + cx
					if marked[k] == tag || !SegmentIntersectsBound(orb.Point{e.ax, e.ay}, orb.Point{e.bx, e.by}, ci.cellBound(cx, cy)) {
						continue
					}
					marked[k] = tag
					perCell[k] = append(perCell[k], ^int32(i))
				}
			}
		}
		// cells of the feature's bbox that no boundary touches: all in or all out
		bx0, by0 := ci.cellOf(p.bound.Min[0], p.bound.Min[1])
		bx1, by1 := ci.cellOf(p.bound.Max[0], p.bound.Max[1])
		for cy := max(by0, 0); cy <= min(by1, ny-1); cy++ {
			for cx := max(bx0, 0); cx <= min(bx1, nx-1); cx++ {
				k := cy*nx + cx
				if marked[k] == tag {
					continue
				}
				if p.contains(ci.cellBound(cx, cy).Center()) {
					perCell[k] = append(perCell[k], int32(i))
				}
			}
		}
	}
	ci.cells = flatten(perCell)
	return ci
}

func flatten(per [][]int32) lists {
	l := lists{start: make([]int32, len(per)+1)}
	n := 0
	for k, s := range per {
		l.start[k] = int32(n)
		n += len(s)
	}
	l.start[len(per)] = int32(n)
	l.items = make([]int32, 0, n)
	for _, s := range per {
		l.items = append(l.items, s...)
	}
	return l
}

func (ci *cellIndex) cellOf(x, y float64) (int, int) {
	return int(math.Floor((x - ci.minX) / cellSize)), int(math.Floor((y - ci.minY) / cellSize))
}

// cellBound is the closed box of a cell, grown by 1e-9° against rounding.
func (ci *cellIndex) cellBound(cx, cy int) orb.Bound {
	const hair = 1e-9
	x, y := ci.minX+float64(cx)*cellSize, ci.minY+float64(cy)*cellSize
	return orb.Bound{Min: orb.Point{x - hair, y - hair}, Max: orb.Point{x + cellSize + hair, y + cellSize + hair}}
}

// containing appends to out, in ascending order, the features containing
// p; ok is false for a point off the grid.
func (ci *cellIndex) containing(p orb.Point, c *Collection, out []int) (_ []int, ok bool) {
	k, ok := ci.cell(p)
	if !ok {
		return out, false
	}
	for _, i := range ci.cells.of(k) {
		if i >= 0 {
			out = append(out, int(i))
		} else if pg := c.preparedAt(int(^i)); pg != nil && pg.contains(p) {
			out = append(out, int(^i))
		}
	}
	return out, true
}

// first is the lowest-index feature containing p, or -1; ok is false for
// a point off the grid. It stops at the first hit, so it skips the exact
// tests a full answer would need.
func (ci *cellIndex) first(p orb.Point, c *Collection) (_ int, ok bool) {
	k, ok := ci.cell(p)
	if !ok {
		return -1, false
	}
	for _, i := range ci.cells.of(k) {
		if i >= 0 {
			return int(i), true
		}
		if pg := c.preparedAt(int(^i)); pg != nil && pg.contains(p) {
			return int(^i), true
		}
	}
	return -1, true
}

func (ci *cellIndex) cell(p orb.Point) (int, bool) {
	cx, cy := ci.cellOf(p[0], p[1])
	if cx < 0 || cy < 0 || cx >= ci.nx || cy >= ci.ny {
		return 0, false
	}
	return cy*ci.nx + cx, true
}
