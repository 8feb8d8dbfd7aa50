package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// prepared is a geometry indexed once so that point queries touch only the
// few edges near the query instead of all of them (features have up to
// ~100k vertices).
//
// Two indexes share one flat edge array:
//   - latitude bands: every edge is listed in each horizontal band its
//     y-range overlaps, so a point-in-polygon test looks only at the edges
//     of the point's band (a few dozen) instead of the whole ring;
//   - chunks of consecutive edges (compact boxes, since rings are
//     continuous) in an R-tree, for distance, box and crossing queries.
//
// Edges are straight lines in lon/lat (RFC 7946 §3.1.1).
type prepared struct {
	bound     orb.Bound
	polygonal bool
	edges     []edge

	bandY0    float64
	bandInvH  float64
	bands     int
	bandStart []int32 // len bands+1: bandEdges[bandStart[b]:bandStart[b+1]] are band b's edges
	bandEdges []int32

	chunks []chunk
	tree   rtree.RTreeG[int32]

	// firstVertex holds one vertex of each ring (or line): with no boundary
	// crossing between two geometries, a ring lies wholly inside or wholly
	// outside the other, so one vertex decides.
	firstVertex []orb.Point
}

type edge struct{ ax, ay, bx, by float64 }

type chunk struct {
	lo, hi int32 // edges[lo:hi]
	bound  orb.Bound
}

const (
	chunkSize    = 16 // edges per chunk: small boxes, few tree entries
	edgesPerBand = 8  // target band population before duplication
)

// prepare indexes g. Points and empty geometries give an empty index.
func prepare(g orb.Geometry) *prepared {
	pg := &prepared{}
	if g == nil {
		return pg
	}
	pg.bound = g.Bound()
	// One edge per vertex at most: sizing the array once avoids regrowing
	// (and copying) it while walking 100k-vertex outlines.
	pg.edges = make([]edge, 0, Vertices(g))
	addLine := func(pts []orb.Point) {
		if len(pts) == 0 {
			return
		}
		pg.firstVertex = append(pg.firstVertex, pts[0])
		start := len(pg.edges)
		for i := 1; i < len(pts); i++ {
			a, b := pts[i-1], pts[i]
			if a == b {
				continue
			}
			pg.edges = append(pg.edges, edge{a[0], a[1], b[0], b[1]})
			// Chunks never straddle rings, so their boxes stay tight.
			if len(pg.edges)-start == chunkSize {
				pg.addChunk(start, len(pg.edges))
				start = len(pg.edges)
			}
		}
		if len(pg.edges) > start {
			pg.addChunk(start, len(pg.edges))
		}
	}
	addRing := func(r orb.Ring) {
		if len(r) == 0 {
			return
		}
		addLine(r)
		if r[0] != r[len(r)-1] { // tolerate unclosed rings
			addLine([]orb.Point{r[len(r)-1], r[0]})
			pg.firstVertex = pg.firstVertex[:len(pg.firstVertex)-1]
		}
	}
	var walk func(g orb.Geometry)
	walk = func(g orb.Geometry) {
		switch t := g.(type) {
		case orb.Polygon:
			pg.polygonal = true
			for _, r := range t {
				addRing(r)
			}
		case orb.MultiPolygon:
			pg.polygonal = true
			for _, p := range t {
				walk(p)
			}
		case orb.Ring:
			pg.polygonal = true
			addRing(t)
		case orb.Bound:
			walk(t.ToPolygon())
		case orb.LineString:
			addLine(t)
		case orb.MultiLineString:
			for _, l := range t {
				addLine(l)
			}
		case orb.Collection:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(g)
	if pg.polygonal {
		pg.buildBands()
	}
	return pg
}

func (pg *prepared) addChunk(lo, hi int) {
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, e := range pg.edges[lo:hi] {
		b.Min[0] = math.Min(b.Min[0], math.Min(e.ax, e.bx))
		b.Min[1] = math.Min(b.Min[1], math.Min(e.ay, e.by))
		b.Max[0] = math.Max(b.Max[0], math.Max(e.ax, e.bx))
		b.Max[1] = math.Max(b.Max[1], math.Max(e.ay, e.by))
	}
	pg.chunks = append(pg.chunks, chunk{int32(lo), int32(hi), b})
	pg.tree.Insert(b.Min, b.Max, int32(len(pg.chunks)-1))
}

// band maps a latitude to its band. (y-y0)*invH is monotone in y under
// rounding, so an edge whose y-range holds y is always filed under y's band.
func (pg *prepared) band(y float64) int {
	b := int((y - pg.bandY0) * pg.bandInvH)
	if b < 0 {
		return 0
	}
	if b >= pg.bands {
		return pg.bands - 1
	}
	return b
}

func (pg *prepared) buildBands() {
	n := len(pg.edges)
	pg.bandY0 = pg.bound.Min[1]
	h := pg.bound.Max[1] - pg.bound.Min[1]
	nb := n / edgesPerBand
	if nb < 1 || h <= 0 {
		nb = 1
	}
	// Long edges are listed in every band they span: shrink the band count
	// until the duplication stays bounded (memory is ~4 bytes an entry).
	for {
		pg.bands = nb
		pg.bandInvH = 0
		if h > 0 {
			pg.bandInvH = float64(nb) / h
		}
		total := 0
		for i := range pg.edges {
			e := &pg.edges[i]
			total += pg.band(math.Max(e.ay, e.by)) - pg.band(math.Min(e.ay, e.by)) + 1
		}
		if nb == 1 || total <= 6*n+1024 {
			break
		}
		nb /= 2
	}
	counts := make([]int32, nb+1)
	for i := range pg.edges {
		e := &pg.edges[i]
		for b := pg.band(math.Min(e.ay, e.by)); b <= pg.band(math.Max(e.ay, e.by)); b++ {
			counts[b+1]++
		}
	}
	for b := 1; b <= nb; b++ {
		counts[b] += counts[b-1]
	}
	pg.bandStart = counts
	pg.bandEdges = make([]int32, counts[nb])
	fill := append([]int32(nil), counts[:nb]...)
	for i := range pg.edges {
		e := &pg.edges[i]
		for b := pg.band(math.Min(e.ay, e.by)); b <= pg.band(math.Max(e.ay, e.by)); b++ {
			pg.bandEdges[fill[b]] = int32(i)
			fill[b]++
		}
	}
}

// contains reports whether p is inside the polygonal geometry. Boundary
// rule: a point exactly on an edge or a vertex (of the shell or of a hole)
// is inside, so a point on the border of two neighbours is in both.
//
// Crossing parity over all rings of all parts (OGC-valid parts do not
// overlap), with a half-open rule at vertices. The side test is computed on
// the edge with its endpoints in a canonical order (lower y first), so the
// shared edge of two neighbours gives the same answer for both whatever
// their ring directions: no point falls into a gap between them.
func (pg *prepared) contains(p orb.Point) bool {
	if !pg.polygonal || !pg.bound.Contains(p) {
		return false
	}
	px, py := p[0], p[1]
	b := pg.band(py)
	in := false
	for _, ei := range pg.bandEdges[pg.bandStart[b]:pg.bandStart[b+1]] {
		e := &pg.edges[ei]
		ax, ay, bx, by := e.ax, e.ay, e.bx, e.by
		if ay > by {
			ax, ay, bx, by = bx, by, ax, ay
		}
		if py < ay || py > by {
			continue
		}
		if ay == by { // horizontal edge on the point's latitude
			if px >= math.Min(ax, bx) && px <= math.Max(ax, bx) {
				return true
			}
			continue
		}
		cross := (bx-ax)*(py-ay) - (by-ay)*(px-ax)
		if cross == 0 {
			return true // on the edge's line within its y-range: on the edge
		}
		if py == by {
			continue // half-open: the upper endpoint belongs to the next edge
		}
		if cross > 0 { // point left of the upward edge: the +x ray crosses it
			in = !in
		}
	}
	return in
}

// boundaryDistanceKm is the geodesic distance from p to the nearest point of
// the edges, or +Inf when every edge is farther than cutoff (a caller's
// current best; pass +Inf for none).
func (pg *prepared) boundaryDistanceKm(p orb.Point, cutoff float64) float64 {
	best := math.Inf(1)
	if len(pg.chunks) == 0 {
		return best
	}
	limit := cutoff
	pg.tree.Nearby(
		func(min, max [2]float64, _ int32, _ bool) float64 { return boxLowerBoundKm(p, min, max) },
		func(_, _ [2]float64, ci int32, lb float64) bool {
			if lb > limit || lb > best {
				return false
			}
			ch := &pg.chunks[ci]
			fr := newLocalFrame(p, (ch.bound.Min[1]+ch.bound.Max[1])/2)
			halfHeight := (ch.bound.Max[1] - ch.bound.Min[1]) / 2
			// First pass: approximate distances. The nearest by approximation
			// bounds the chunk's exact minimum from above, so edges that
			// cannot beat it skip the geodesic measurement.
			var approx, ts [chunkSize]float64
			n := int(ch.hi - ch.lo)
			bound := math.Min(best, limit)
			for k := 0; k < n; k++ {
				approx[k], ts[k] = fr.segment(&pg.edges[int(ch.lo)+k])
				bound = math.Min(bound, approx[k]*(1+fr.tol(approx[k], halfHeight)))
			}
			for k := 0; k < n; k++ {
				e := &pg.edges[int(ch.lo)+k]
				if !isLong(e) && approx[k]*(1-fr.tol(approx[k], halfHeight)) > bound {
					continue
				}
				if d := segmentDistanceKm(p, e, ts[k]); d < best {
					best = d
				}
			}
			return true
		})
	if best > cutoff {
		return math.Inf(1)
	}
	return best
}

// distanceKm is 0 inside a polygonal geometry, else the boundary distance.
func (pg *prepared) distanceKm(p orb.Point, cutoff float64) float64 {
	if pg.contains(p) {
		return 0
	}
	return pg.boundaryDistanceKm(p, cutoff)
}

// intersectsBound reports whether the geometry (area for polygons, edges for
// lines) meets the closed box b.
func (pg *prepared) intersectsBound(b orb.Bound) bool {
	if !pg.bound.Intersects(b) {
		return false
	}
	if b.Contains(pg.bound.Min) && b.Contains(pg.bound.Max) {
		return true
	}
	if pg.polygonal {
		// A box wholly inside the polygon crosses no edge: test a corner.
		if pg.contains(b.Min) || pg.contains(b.Max) ||
			pg.contains(orb.Point{b.Min[0], b.Max[1]}) || pg.contains(orb.Point{b.Max[0], b.Min[1]}) {
			return true
		}
	}
	found := false
	pg.tree.Search(b.Min, b.Max, func(_, _ [2]float64, ci int32) bool {
		ch := &pg.chunks[ci]
		for i := ch.lo; i < ch.hi; i++ {
			if segmentIntersectsBox(&pg.edges[i], b) {
				found = true
				return false
			}
		}
		return true
	})
	return found
}

// crosses reports whether any edge of pg meets (crosses or touches) any edge
// of q.
func (pg *prepared) crosses(q *prepared) bool {
	if !pg.bound.Intersects(q.bound) {
		return false
	}
	small, big := q, pg
	if len(small.chunks) > len(big.chunks) {
		small, big = big, small
	}
	found := false
	for ci := range small.chunks {
		sc := &small.chunks[ci]
		if !sc.bound.Intersects(big.bound) {
			continue
		}
		big.tree.Search(sc.bound.Min, sc.bound.Max, func(_, _ [2]float64, bi int32) bool {
			bc := &big.chunks[bi]
			for i := sc.lo; i < sc.hi; i++ {
				e := &small.edges[i]
				for j := bc.lo; j < bc.hi; j++ {
					if segmentsIntersect(e, &big.edges[j]) {
						found = true
						return false
					}
				}
			}
			return true
		})
		if found {
			return true
		}
	}
	return false
}

// anyVertexInside reports whether a vertex of pg lying in q's box is inside
// the polygonal q.
func (pg *prepared) anyVertexInside(q *prepared) bool {
	found := false
	pg.tree.Search(q.bound.Min, q.bound.Max, func(_, _ [2]float64, ci int32) bool {
		ch := &pg.chunks[ci]
		for i := ch.lo; i < ch.hi; i++ {
			e := &pg.edges[i]
			if q.contains(orb.Point{e.ax, e.ay}) || q.contains(orb.Point{e.bx, e.by}) {
				found = true
				return false
			}
		}
		return true
	})
	return found
}

func orient(ax, ay, bx, by, cx, cy float64) float64 {
	return (bx-ax)*(cy-ay) - (by-ay)*(cx-ax)
}

func onSegment(ax, ay, bx, by, px, py float64) bool {
	return px >= math.Min(ax, bx) && px <= math.Max(ax, bx) && py >= math.Min(ay, by) && py <= math.Max(ay, by)
}

// segmentsIntersect: closed segments meet (touching and collinear overlap
// count).
func segmentsIntersect(e, f *edge) bool {
	if math.Max(e.ax, e.bx) < math.Min(f.ax, f.bx) || math.Max(f.ax, f.bx) < math.Min(e.ax, e.bx) ||
		math.Max(e.ay, e.by) < math.Min(f.ay, f.by) || math.Max(f.ay, f.by) < math.Min(e.ay, e.by) {
		return false
	}
	d1 := orient(f.ax, f.ay, f.bx, f.by, e.ax, e.ay)
	d2 := orient(f.ax, f.ay, f.bx, f.by, e.bx, e.by)
	d3 := orient(e.ax, e.ay, e.bx, e.by, f.ax, f.ay)
	d4 := orient(e.ax, e.ay, e.bx, e.by, f.bx, f.by)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	return (d1 == 0 && onSegment(f.ax, f.ay, f.bx, f.by, e.ax, e.ay)) ||
		(d2 == 0 && onSegment(f.ax, f.ay, f.bx, f.by, e.bx, e.by)) ||
		(d3 == 0 && onSegment(e.ax, e.ay, e.bx, e.by, f.ax, f.ay)) ||
		(d4 == 0 && onSegment(e.ax, e.ay, e.bx, e.by, f.bx, f.by))
}

// segmentIntersectsBox reports whether edge e touches the closed box.
func segmentIntersectsBox(e *edge, b orb.Bound) bool {
	return SegmentIntersectsBound(orb.Point{e.ax, e.ay}, orb.Point{e.bx, e.by}, b)
}

// SegmentIntersectsBound reports whether segment a-c touches the closed box
// (Liang–Barsky clipping).
func SegmentIntersectsBound(a, c orb.Point, b orb.Bound) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := c[0]-a[0], c[1]-a[1]
	clip := func(p, q float64) bool {
		if p == 0 {
			return q >= 0
		}
		r := q / p
		if p < 0 {
			if r > t1 {
				return false
			}
			if r > t0 {
				t0 = r
			}
		} else {
			if r < t0 {
				return false
			}
			if r < t1 {
				t1 = r
			}
		}
		return true
	}
	return clip(-dx, a[0]-b.Min[0]) && clip(dx, b.Max[0]-a[0]) &&
		clip(-dy, a[1]-b.Min[1]) && clip(dy, b.Max[1]-a[1]) && t0 <= t1
}
