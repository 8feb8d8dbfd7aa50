package build

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// GridPoint is a vertex on the source grid, in integer units of 1/1024°.
// Working on integers makes "do two outlines share this vertex" an exact
// question, which is what lets unions cancel shared borders without slivers.
type GridPoint [2]int

// Ring is an open ring of grid points (the closing point is implied).
type Ring []GridPoint

// GridPolygon is a shell followed by its holes.
type GridPolygon []Ring

func (p GridPoint) lonLat() orb.Point {
	return orb.Point{float64(p[0]) / echartsScale, float64(p[1]) / echartsScale}
}

// toGrid snaps a lon/lat point to the source grid.
func toGrid(p orb.Point) GridPoint {
	return GridPoint{int(math.Round(p[0] * echartsScale)), int(math.Round(p[1] * echartsScale))}
}

// signedArea2 is twice the signed planar area in grid units² (positive when
// counter-clockwise). Exact in int64 for rings of the size of China.
func (r Ring) signedArea2() int64 {
	var s int64
	n := len(r)
	for i := 0; i < n; i++ {
		a, b := r[i], r[(i+1)%n]
		s += int64(a[0])*int64(b[1]) - int64(b[0])*int64(a[1])
	}
	return s
}

// open drops a closing point equal to the first and consecutive duplicates.
func (r Ring) open() (Ring, int) {
	out := make(Ring, 0, len(r))
	dups := 0
	for _, p := range r {
		if len(out) > 0 && out[len(out)-1] == p {
			dups++
			continue
		}
		out = append(out, p)
	}
	for len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	return out, dups
}

func (r Ring) reversed() Ring {
	out := make(Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

func (r Ring) orbRing() orb.Ring {
	out := make(orb.Ring, 0, len(r)+1)
	for _, p := range r {
		out = append(out, p.lonLat())
	}
	if len(r) > 0 {
		out = append(out, r[0].lonLat())
	}
	return out
}

func (p GridPolygon) orbPolygon() orb.Polygon {
	out := make(orb.Polygon, 0, len(p))
	for _, r := range p {
		out = append(out, r.orbRing())
	}
	return out
}

// gridMultiPolygon converts polygons to an orb.MultiPolygon.
func gridMultiPolygon(polys []GridPolygon) orb.MultiPolygon {
	out := make(orb.MultiPolygon, 0, len(polys))
	for _, p := range polys {
		out = append(out, p.orbPolygon())
	}
	return out
}

// edge is a directed edge between grid points.
type edge struct{ a, b GridPoint }

// RepairStats counts what repairRings changed.
type RepairStats struct {
	DuplicatePoints int // consecutive repeated vertices removed
	CancelledEdges  int // edges removed with their reverse twin (spikes, cut lines, doubled borders)
	RingsSplit      int // extra rings produced by splitting self-touching rings
	DegenerateRings int // rings with no area dropped
	NodesInserted   int // vertices added where a vertex lay inside an edge
	// CrossingsSnapped counts edge crossings resolved by inserting the
	// crossing point, rounded to the grid, into both edges.
	CrossingsSnapped int
}

func (s *RepairStats) add(o RepairStats) {
	s.DuplicatePoints += o.DuplicatePoints
	s.CancelledEdges += o.CancelledEdges
	s.RingsSplit += o.RingsSplit
	s.DegenerateRings += o.DegenerateRings
	s.NodesInserted += o.NodesInserted
	s.CrossingsSnapped += o.CrossingsSnapped
}

func (s RepairStats) changed() bool {
	return s.CancelledEdges+s.RingsSplit+s.DegenerateRings+s.NodesInserted+s.CrossingsSnapped > 0
}

// dissolve turns a set of polygons on the grid into non-overlapping simple
// rings: shells counter-clockwise, holes clockwise. Every edge is oriented
// with the interior on its left; an edge and its reverse cancel, which
// removes spikes (a, b, a), cut lines, and — when several polygons are passed
// — the borders they share. The remaining edges are walked into rings,
// turning at each vertex to the first outgoing edge clockwise from the way
// back, which splits self-touching rings at the touching vertex instead of
// producing a figure eight. Crossing edges (true self-intersections) are not
// resolved here; the caller validates and falls back to an overlay.
func dissolve(polys []GridPolygon) ([]GridPolygon, RepairStats) {
	var st RepairStats
	count := map[edge]int{}
	inputRings := 0
	var oriented []Ring
	for _, poly := range polys {
		for i, r := range poly {
			r, d := r.open()
			st.DuplicatePoints += d
			if len(r) < 3 {
				if len(r) > 0 {
					st.DegenerateRings++
				}
				continue
			}
			area := r.signedArea2()
			if area == 0 && len(uniquePoints(r)) < 3 {
				st.DegenerateRings++
				continue
			}
			// shells CCW, holes CW
			if (i == 0) != (area > 0) {
				r = r.reversed()
			}
			inputRings++
			oriented = append(oriented, r)
		}
	}
	noded, inserted := nodeRings(oriented)
	st.NodesInserted += inserted
	for round := 0; round < 8; round++ {
		hot := crossings(noded)
		if len(hot) == 0 {
			break
		}
		st.CrossingsSnapped += len(hot)
		noded, inserted = nodeRings(snapInsert(noded, hot))
		st.NodesInserted += inserted
	}
	for _, r := range noded {
		for k := range r {
			count[edge{r[k], r[(k+1)%len(r)]}]++
		}
	}
	// cancel each edge against its reverse
	out := map[GridPoint][]GridPoint{}
	keys := make([]edge, 0, len(count))
	for e := range count {
		keys = append(keys, e)
	}
	sortEdges(keys)
	remaining := 0
	for _, e := range keys {
		n := count[e]
		rev := count[edge{e.b, e.a}]
		if n > rev {
			st.CancelledEdges += rev
			for i := 0; i < n-rev; i++ {
				out[e.a] = append(out[e.a], e.b)
				remaining++
			}
		} else {
			st.CancelledEdges += n
		}
	}
	for a := range out {
		sortByAngle(a, out[a])
	}
	// walk rings
	used := map[edge]int{}
	var rings []Ring
	for _, e := range keys {
		for used[e] < countOut(out, e) {
			for _, ring := range splitAtRepeats(walk(out, used, e)) {
				if len(ring) >= 3 {
					rings = append(rings, ring)
				}
			}
		}
	}
	// Shell or hole by nesting depth (even-odd), not by orientation: a
	// twisted lobe of a self-crossing ring keeps its area instead of
	// vanishing as an orphan "hole". For well-formed input the two agree.
	var live []Ring
	for _, r := range rings {
		if r.signedArea2() == 0 {
			st.DegenerateRings++
			continue
		}
		live = append(live, r)
	}
	bounds := make([]orb.Bound, len(live))
	for i, r := range live {
		bounds[i] = r.orbRing().Bound()
	}
	var shells, holes []Ring
	for i, r := range live {
		probe := probeInside(r.orbRing())
		depth := 0
		for j, o := range live {
			if j != i && bounds[j].Contains(probe) && ringContains(o, probe) {
				depth++
			}
		}
		ccw := r.signedArea2() > 0
		if depth%2 == 0 {
			if !ccw {
				r = r.reversed()
			}
			shells = append(shells, r)
		} else {
			if ccw {
				r = r.reversed()
			}
			holes = append(holes, r)
		}
	}
	if n := len(shells) + len(holes) - inputRings; n > 0 && len(polys) == 1 {
		st.RingsSplit = n
	}
	return assignHoles(shells, holes), st
}

func countOut(out map[GridPoint][]GridPoint, e edge) int {
	n := 0
	for _, b := range out[e.a] {
		if b == e.b {
			n++
		}
	}
	return n
}

// walk follows unused edges from start until it returns to start's origin.
func walk(out map[GridPoint][]GridPoint, used map[edge]int, start edge) Ring {
	var ring Ring
	e := start
	for {
		used[e]++
		ring = append(ring, e.a)
		next, ok := nextEdge(out, used, e)
		if !ok || next == start {
			break
		}
		e = next
		if len(ring) > 50_000_000 {
			break // cannot happen on a finite graph; guards a bug from hanging the build
		}
	}
	return ring
}

// splitAtRepeats cuts a closed walk that visits a vertex more than once
// (a pinched face) into loops that each visit every vertex once, so every
// ring is simple; touching rings are valid where one ring touching itself
// is not.
func splitAtRepeats(walked Ring) []Ring {
	var loops []Ring
	var stack Ring
	at := map[GridPoint]int{}
	for _, p := range walked {
		if i, seen := at[p]; seen {
			loop := append(Ring(nil), stack[i:]...)
			loops = append(loops, loop)
			for _, q := range stack[i+1:] {
				delete(at, q)
			}
			stack = stack[:i+1]
			continue
		}
		at[p] = len(stack)
		stack = append(stack, p)
	}
	return append(loops, stack)
}

// nextEdge picks, at e.b, the first unused outgoing edge clockwise from the
// direction back along e.
func nextEdge(out map[GridPoint][]GridPoint, used map[edge]int, e edge) (edge, bool) {
	v := e.b
	back := math.Atan2(float64(e.a[1]-v[1]), float64(e.a[0]-v[0]))
	best, bestTurn := edge{}, math.Inf(1)
	found := false
	for _, w := range out[v] {
		cand := edge{v, w}
		if used[cand] >= countOut(out, cand) {
			continue
		}
		ang := math.Atan2(float64(w[1]-v[1]), float64(w[0]-v[0]))
		turn := back - ang // clockwise sweep from back to candidate
		for turn <= 0 {
			turn += 2 * math.Pi
		}
		if turn < bestTurn {
			best, bestTurn, found = cand, turn, true
		}
	}
	return best, found
}

func sortByAngle(a GridPoint, bs []GridPoint) {
	sort.Slice(bs, func(i, j int) bool {
		ai := math.Atan2(float64(bs[i][1]-a[1]), float64(bs[i][0]-a[0]))
		aj := math.Atan2(float64(bs[j][1]-a[1]), float64(bs[j][0]-a[0]))
		if ai != aj {
			return ai < aj
		}
		return lessPoint(bs[i], bs[j])
	})
}

func lessPoint(p, q GridPoint) bool {
	if p[0] != q[0] {
		return p[0] < q[0]
	}
	return p[1] < q[1]
}

func sortEdges(es []edge) {
	sort.Slice(es, func(i, j int) bool {
		if es[i].a != es[j].a {
			return lessPoint(es[i].a, es[j].a)
		}
		return lessPoint(es[i].b, es[j].b)
	})
}

// assignHoles puts each hole into the smallest shell that contains it.
func assignHoles(shells, holes []Ring) []GridPolygon {
	// deterministic order: largest shell first
	sort.SliceStable(shells, func(i, j int) bool { return shells[i].signedArea2() > shells[j].signedArea2() })
	polys := make([]GridPolygon, len(shells))
	bounds := make([]orb.Bound, len(shells))
	for i, s := range shells {
		polys[i] = GridPolygon{s}
		bounds[i] = s.orbRing().Bound()
	}
	for _, h := range holes {
		probe := probeInside(h.orbRing())
		best := -1
		var bestArea int64
		for i, s := range shells {
			if !bounds[i].Contains(probe) || !ringContains(s, probe) {
				continue
			}
			a := s.signedArea2()
			if best < 0 || a < bestArea {
				best, bestArea = i, a
			}
		}
		if best >= 0 {
			polys[best] = append(polys[best], h)
		}
		// a hole in no shell bounds nothing: it cannot occur for a closed
		// edge set, and dropping it loses no area.
	}
	return polys
}

// ringContains is an even-odd point-in-ring test in lon/lat.
func ringContains(r Ring, p orb.Point) bool {
	in := false
	n := len(r)
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		a, b := r[i].lonLat(), r[j].lonLat()
		if (a[1] > p[1]) != (b[1] > p[1]) &&
			p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

func uniquePoints(r Ring) map[GridPoint]bool {
	out := map[GridPoint]bool{}
	for _, p := range r {
		out[p] = true
	}
	return out
}
