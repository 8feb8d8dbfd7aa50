package topo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// In the noded topology, distinct arcs meet only at their end nodes and an
// arc does not touch itself, so any other contact between simplified
// segments was created by simplification: a crossing, a segment running over
// another (a collapsed ring or a spike) or a point touching a segment. The
// exception is input whose outlines cross (overlapping sources: noding
// inserts vertices, it does not cut crossings): such arcs conflict even at
// full detail, so the repair ends with them keeping all their points.

type seg struct {
	minX, maxX, minY, maxY float64
	p, q                   orb.Point
	tag                    uint8 // which arc of the pair
}

func (s *levelState) segments(a int32, clip orb.Bound, tag uint8, dst []seg) []seg {
	pts := s.t.arcs[a].pts
	idx := s.kept[a]
	for i := 0; i+1 < len(idx); i++ {
		p, q := pts[idx[i]], pts[idx[i+1]]
		sg := seg{
			minX: math.Min(p[0], q[0]), maxX: math.Max(p[0], q[0]),
			minY: math.Min(p[1], q[1]), maxY: math.Max(p[1], q[1]),
			p: p, q: q, tag: tag,
		}
		if sg.maxX < clip.Min[0] || sg.minX > clip.Max[0] || sg.maxY < clip.Min[1] || sg.minY > clip.Max[1] {
			continue
		}
		dst = append(dst, sg)
	}
	return dst
}

// selfConflict reports whether two segments of arc a meet other than at a
// single shared end point (adjacent segments share one; folding back is a
// conflict).
func (s *levelState) selfConflict(a int32) bool {
	if len(s.kept[a]) < 3 {
		return false
	}
	segs := s.segments(a, s.t.arcs[a].bound, 0, nil)
	return sweep(segs, true)
}

// pairConflict reports whether arcs a and b meet other than at shared end
// points. Only segments inside the overlap of the two original bounding
// boxes can meet.
func (s *levelState) pairConflict(a, b int32) bool {
	ba, bb := s.t.arcs[a].bound, s.t.arcs[b].bound
	if !ba.Intersects(bb) {
		return false
	}
	clip := orb.Bound{
		Min: orb.Point{math.Max(ba.Min[0], bb.Min[0]), math.Max(ba.Min[1], bb.Min[1])},
		Max: orb.Point{math.Min(ba.Max[0], bb.Max[0]), math.Min(ba.Max[1], bb.Max[1])},
	}
	segs := s.segments(a, clip, 0, nil)
	if len(segs) == 0 {
		return false
	}
	n := len(segs)
	segs = s.segments(b, clip, 1, segs)
	if len(segs) == n {
		return false
	}
	return sweep(segs, false)
}

// sweep sorts segments by minX and tests the pairs whose x ranges overlap:
// all pairs when self, else only pairs of different tags.
func sweep(segs []seg, self bool) bool {
	slices.SortFunc(segs, func(x, y seg) int {
		switch {
		case x.minX < y.minX:
			return -1
		case x.minX > y.minX:
			return 1
		}
		return 0
	})
	for i := range segs {
		si := &segs[i]
		for j := i + 1; j < len(segs) && segs[j].minX <= si.maxX; j++ {
			sj := &segs[j]
			if !self && si.tag == sj.tag {
				continue
			}
			if sj.maxY < si.minY || sj.minY > si.maxY {
				continue
			}
			if segConflict(si.p, si.q, sj.p, sj.q) {
				return true
			}
		}
	}
	return false
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// onSegment: c is collinear with ab and inside its bounding box.
func onSegment(a, b, c orb.Point) bool {
	return c[0] >= math.Min(a[0], b[0]) && c[0] <= math.Max(a[0], b[0]) &&
		c[1] >= math.Min(a[1], b[1]) && c[1] <= math.Max(a[1], b[1])
}

// segConflict reports whether segments p1p2 and q1q2 meet anywhere other
// than in exactly one common end point.
func segConflict(p1, p2, q1, q2 orb.Point) bool {
	if (p1 == q1 && p2 == q2) || (p1 == q2 && p2 == q1) {
		return true
	}
	var c, x, y orb.Point // shared end point, the other ends
	shared := true
	switch {
	case p1 == q1:
		c, x, y = p1, p2, q2
	case p1 == q2:
		c, x, y = p1, p2, q1
	case p2 == q1:
		c, x, y = p2, p1, q2
	case p2 == q2:
		c, x, y = p2, p1, q1
	default:
		shared = false
	}
	if shared {
		// Only a collinear overlap beyond the shared point is a conflict.
		if orient(c, x, y) != 0 {
			return false
		}
		return (x[0]-c[0])*(y[0]-c[0])+(x[1]-c[1])*(y[1]-c[1]) > 0
	}
	d1 := orient(q1, q2, p1)
	d2 := orient(q1, q2, p2)
	d3 := orient(p1, p2, q1)
	d4 := orient(p1, p2, q2)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	return (d1 == 0 && onSegment(q1, q2, p1)) || (d2 == 0 && onSegment(q1, q2, p2)) ||
		(d3 == 0 && onSegment(p1, p2, q1)) || (d4 == 0 && onSegment(p1, p2, q2))
}
