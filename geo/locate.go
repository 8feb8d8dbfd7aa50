package geo

import (
	"math"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/paulmach/orb"
)

// locateOrder is the order in which Locate reports collections, and for
// each whether it reports every feature containing the point (plans
// overlap) or only the first (a partition, where a border point is in
// either side).
var locateOrder = [...]struct {
	name string
	all  bool
}{
	{data.Clusters, true},
	{data.Cities, false},
	{data.TransferZones, true},
	{data.MetroAreas, true},
	{data.Provinces, false},
	{data.Regions, false},
}

// Locate reverse-geocodes p: every cluster, transfer zone and metro area
// containing it, and the city, province and macro-region containing it (the
// lowest index when p lies on a border between two).
func (a *Atlas) Locate(p orb.Point) Location {
	var loc Location
	a.LocateEach(p, func(c *Collection, i int) {
		f := &c.Features[i]
		switch c.Name {
		case data.Clusters:
			loc.Clusters = append(loc.Clusters, f)
		case data.Cities:
			loc.City = f
		case data.TransferZones:
			loc.Zones = append(loc.Zones, f)
		case data.MetroAreas:
			loc.MetroAreas = append(loc.MetroAreas, f)
		case data.Provinces:
			loc.Province = f
		case data.Regions:
			loc.Region = f
		}
	})
	return loc
}

// LocateEach calls found for each feature Locate reports, collection by
// collection in Locate's order (clusters, cities, zones, metro areas,
// provinces, regions) and by ascending index within one: the answer
// without building a Location.
func (a *Atlas) LocateEach(p orb.Point, found func(c *Collection, i int)) {
	if g := a.locateGrid; g != nil {
		if k, ok := g.cell(p); ok {
			g.each(k, p, found)
			return
		}
	}
	for slot := range locateOrder {
		c := a.collections[locateOrder[slot].name]
		if c == nil {
			continue
		}
		if !locateOrder[slot].all {
			if i := c.firstContaining(p); i >= 0 {
				found(c, i)
			}
			continue
		}
		var buf [8]int // no allocation for the usual handful
		for _, i := range c.appendContaining(buf[:0], p) {
			found(c, i)
		}
	}
}

// firstContaining is the lowest-index feature containing p, or -1.
func (c *Collection) firstContaining(p orb.Point) int {
	if c.cells != nil {
		if i, ok := c.cells.first(p, c); ok {
			return i
		}
	}
	var buf [4]int
	if idx := c.appendContaining(buf[:0], p); len(idx) > 0 {
		return idx[0]
	}
	return -1
}

// locateGrid is the cell grids of Locate's collections merged into one, so
// a point query reads one offset pair and one run of items instead of a
// pair and a run per collection: under load these scattered reads (a few
// MB of offsets per collection) are what /locate's geometry costs. It
// exists when every grid lies on the common lattice (multiples of
// cellSize), as newCellIndex builds them; a snapshot from before the
// lattice gets none, and Locate asks each collection instead.
//
// An item packs the collection's slot in locateOrder (top 4 bits), a
// boundary flag, and the feature index: within a cell, items run by slot,
// then by index.
type locateGrid struct {
	minX, minY float64
	nx, ny     int
	start      []int32
	items      []uint32
	colls      [len(locateOrder)]*Collection
}

const (
	locateSlotShift = 28
	locateCross     = 1 << 27
	locateIndexMask = locateCross - 1
)

// newLocateGrid merges the collections' grids; nil when there is nothing
// to merge, a grid is off the lattice, or a collection is too large for
// the packing.
func newLocateGrid(a *Atlas) *locateGrid {
	g := &locateGrid{}
	var grids [len(locateOrder)]*cellIndex
	first := true
	var maxX, maxY float64
	for slot, o := range locateOrder {
		c := a.collections[o.name]
		if c == nil || c.cells == nil {
			continue
		}
		if len(c.Features) > locateIndexMask {
			return nil
		}
		ci := c.cells
		if !onLattice(ci.minX) || !onLattice(ci.minY) {
			return nil
		}
		g.colls[slot], grids[slot] = c, ci
		x1, y1 := ci.minX+float64(ci.nx)*cellSize, ci.minY+float64(ci.ny)*cellSize
		if first {
			g.minX, g.minY, maxX, maxY, first = ci.minX, ci.minY, x1, y1, false
			continue
		}
		g.minX, g.minY = math.Min(g.minX, ci.minX), math.Min(g.minY, ci.minY)
		maxX, maxY = math.Max(maxX, x1), math.Max(maxY, y1)
	}
	if first {
		return nil
	}
	g.nx, g.ny = int(math.Round((maxX-g.minX)/cellSize)), int(math.Round((maxY-g.minY)/cellSize))
	if g.nx*g.ny > 4_000_000 {
		return nil
	}
	// each grid's offset on the merged one, in cells
	var offX, offY [len(locateOrder)]int
	total := 0
	for slot, ci := range grids {
		if ci != nil {
			offX[slot], offY[slot] = int(math.Round((ci.minX-g.minX)/cellSize)), int(math.Round((ci.minY-g.minY)/cellSize))
			total += len(ci.cells.items)
		}
	}
	g.start = make([]int32, g.nx*g.ny+1)
	g.items = make([]uint32, 0, total)
	for cy := 0; cy < g.ny; cy++ {
		for cx := 0; cx < g.nx; cx++ {
			g.start[cy*g.nx+cx] = int32(len(g.items))
			for slot, ci := range grids {
				if ci == nil {
					continue
				}
				x, y := cx-offX[slot], cy-offY[slot]
				if x < 0 || y < 0 || x >= ci.nx || y >= ci.ny {
					continue
				}
				for _, i := range ci.cells.of(y*ci.nx + x) {
					item := uint32(slot) << locateSlotShift
					if i < 0 {
						item |= locateCross | uint32(^i)
					} else {
						item |= uint32(i)
					}
					g.items = append(g.items, item)
				}
			}
		}
	}
	g.start[g.nx*g.ny] = int32(len(g.items))
	return g
}

// onLattice reports whether v is a multiple of cellSize (a power of two,
// so the test is exact for a grid newCellIndex built).
func onLattice(v float64) bool {
	n := v / cellSize
	return n == math.Trunc(n) && math.Abs(n) < 1<<30
}

func (g *locateGrid) cell(p orb.Point) (int, bool) {
	cx, cy := int(math.Floor((p[0]-g.minX)/cellSize)), int(math.Floor((p[1]-g.minY)/cellSize))
	if cx < 0 || cy < 0 || cx >= g.nx || cy >= g.ny {
		return 0, false
	}
	return cy*g.nx + cx, true
}

// each reports cell k's features containing p, skipping the rest of a
// first-only collection once it has its answer.
func (g *locateGrid) each(k int, p orb.Point, found func(c *Collection, i int)) {
	done := -1 // the slot whose first feature was found
	for _, item := range g.items[g.start[k]:g.start[k+1]] {
		slot := int(item >> locateSlotShift)
		if slot == done {
			continue
		}
		c, i := g.colls[slot], int(item&locateIndexMask)
		if item&locateCross != 0 {
			if pg := c.preparedAt(i); pg == nil || !pg.contains(p) {
				continue
			}
		}
		found(c, i)
		if !locateOrder[slot].all {
			done = slot
		}
	}
}
