package geo

import (
	"encoding/binary"
	"math"
	"slices"

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
// a point query reads one cell and one run of items instead of a pair of
// offsets and a run per collection: under load these scattered reads (a
// few MB of offsets per collection) are what /locate's geometry costs. It
// exists when every grid lies on the common lattice (multiples of
// cellSize), as newCellIndex builds them; a snapshot from before the
// lattice gets none, and Locate asks each collection instead.
//
// Most cells repeat a neighbour's run (the embedded data: 787k cells, 1.8k
// distinct runs), so each distinct run is stored once and a cell holds its
// run's number, two bytes while there are at most 65536 runs: the cells
// shrink from 6 MB of offsets and items to 1.6 MB, and the runs stay in
// cache.
//
// An item packs the collection's slot in locateOrder (top 4 bits), a
// boundary flag, and the feature index: within a run, items go by slot,
// then by index.
type locateGrid struct {
	minX, minY float64
	nx, ny     int
	cells16    []uint16 // run of each cell, when the runs fit in 16 bits
	cells32    []uint32 // otherwise
	runStart   []int32  // run r is items[runStart[r]:runStart[r+1]]; run 0 is empty
	items      []uint32
	uniform    []bool // by run: no outline crosses its cells, so the run alone is the answer
	colls      [len(locateOrder)]*Collection
}

const (
	locateSlotShift = 28
	locateCross     = 1 << 27
	locateIndexMask = locateCross - 1
)

// maxRuns16 is how many distinct runs two-byte cell numbers hold (a
// variable so a test can force the four-byte form).
var maxRuns16 = 1 << 16

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
	for slot, ci := range grids {
		if ci != nil {
			offX[slot], offY[slot] = int(math.Round((ci.minX-g.minX)/cellSize)), int(math.Round((ci.minY-g.minY)/cellSize))
		}
	}
	cells := make([]uint32, g.nx*g.ny)
	g.runStart = []int32{0, 0} // run 0: the empty run
	runOf := map[string]uint32{"": 0}
	var run, prev []uint32
	var key []byte
	prevRun := uint32(0)
	for cy := 0; cy < g.ny; cy++ {
		for cx := 0; cx < g.nx; cx++ {
			run = run[:0]
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
					run = append(run, item)
				}
			}
			// a cell mostly repeats its left neighbour: compare before hashing
			if !slices.Equal(run, prev) {
				key = appendRunKey(key[:0], run)
				r, ok := runOf[string(key)]
				if !ok {
					r = uint32(len(g.runStart) - 1)
					runOf[string(key)] = r
					g.items = append(g.items, run...)
					g.runStart = append(g.runStart, int32(len(g.items)))
				}
				prevRun, prev = r, append(prev[:0], run...)
			}
			cells[cy*g.nx+cx] = prevRun
		}
	}
	g.uniform = make([]bool, len(g.runStart)-1)
	for r := range g.uniform {
		g.uniform[r] = !slices.ContainsFunc(g.items[g.runStart[r]:g.runStart[r+1]], func(item uint32) bool { return item&locateCross != 0 })
	}
	if len(g.runStart)-1 > maxRuns16 {
		g.cells32 = cells
		return g
	}
	g.cells16 = make([]uint16, len(cells))
	for k, r := range cells {
		g.cells16[k] = uint16(r)
	}
	return g
}

// appendRunKey appends a run's items as bytes, its key in the run map.
func appendRunKey(b []byte, run []uint32) []byte {
	for _, v := range run {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b
}

// LocateRun numbers the answers of uniform cells, so a caller can keep
// what it renders for one: when no outline crosses p's cell, run is the
// number (below LocateRuns) of the cell's run of features, and every point
// of every cell with that run gets the same answer from LocateEach. ok is
// false where p's answer needs geometry tests (or off the merged grid).
func (a *Atlas) LocateRun(p orb.Point) (run int, ok bool) {
	g := a.locateGrid
	if g == nil {
		return 0, false
	}
	k, ok := g.cell(p)
	if !ok {
		return 0, false
	}
	if g.cells16 != nil {
		run = int(g.cells16[k])
	} else {
		run = int(g.cells32[k])
	}
	return run, g.uniform[run]
}

// LocateRuns is how many run numbers LocateRun can return.
func (a *Atlas) LocateRuns() int {
	if a.locateGrid == nil {
		return 0
	}
	return len(a.locateGrid.uniform)
}

// run is cell k's items.
func (g *locateGrid) run(k int) []uint32 {
	var r int
	if g.cells16 != nil {
		r = int(g.cells16[k])
	} else {
		r = int(g.cells32[k])
	}
	return g.items[g.runStart[r]:g.runStart[r+1]]
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
	for _, item := range g.run(k) {
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
