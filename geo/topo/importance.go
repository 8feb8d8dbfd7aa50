package topo

import (
	"math"

	"github.com/paulmach/orb"
)

// importance ranks the points of an arc for Douglas-Peucker: point k
// survives DP at tolerance t exactly when imp[k] > t. DP's recursion tree
// does not depend on t (each step splits at the farthest point), t only
// prunes it, so capping each point's split distance by its parent's gives
// that property. One O(n log n) pass then serves every zoom and every
// halving of the repair loop as a filter, and the levels of an arc are
// nested. (orb/simplify returns new line strings rather than this ranking,
// and degenerates on closed arcs, hence the few lines here.)
//
// End points are fixed (+Inf). A closed arc (first == last point, a ring
// with at most one node) also fixes the point farthest from the node and the
// next split point, so it always keeps a triangle; tiny rings are dropped by
// area instead (MinAreaDegrees2).
func importance(pts []orb.Point, closed bool) []float64 {
	n := len(pts)
	imp := make([]float64, n)
	if n == 0 {
		return imp
	}
	imp[0], imp[n-1] = math.Inf(1), math.Inf(1)
	if n <= 2 {
		return imp
	}
	type span struct {
		lo, hi int
		cap    float64
	}
	stack := make([]span, 0, 64)
	if closed {
		f, best := -1, -1.0
		for i := 1; i < n-1; i++ {
			if d := dist2(pts[i], pts[0]); d > best {
				f, best = i, d
			}
		}
		imp[f] = math.Inf(1)
		stack = append(stack, span{0, f, math.Inf(1)}, span{f, n - 1, math.Inf(1)})
	} else {
		stack = append(stack, span{0, n - 1, math.Inf(1)})
	}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s.hi-s.lo < 2 {
			continue
		}
		k, best := -1, -1.0
		a, b := pts[s.lo], pts[s.hi]
		for i := s.lo + 1; i < s.hi; i++ {
			if d := segDist2(pts[i], a, b); d > best {
				k, best = i, d
			}
		}
		v := math.Min(math.Sqrt(best), s.cap)
		imp[k] = v
		stack = append(stack, span{s.lo, k, v}, span{k, s.hi, v})
	}
	if closed {
		// Keep a triangle: force the most important remaining point. Its
		// descendants are already capped below it, so nesting holds.
		g, best := -1, -1.0
		for i := 1; i < n-1; i++ {
			if !math.IsInf(imp[i], 1) && imp[i] > best {
				g, best = i, imp[i]
			}
		}
		if g >= 0 {
			imp[g] = math.Inf(1)
		}
	}
	return imp
}

func dist2(a, b orb.Point) float64 {
	dx, dy := a[0]-b[0], a[1]-b[1]
	return dx*dx + dy*dy
}

// segDist2 is the squared distance from p to segment ab (as orb's DP uses).
func segDist2(p, a, b orb.Point) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return dist2(p, a)
	}
	u := ((p[0]-a[0])*dx + (p[1]-a[1])*dy) / l2
	switch {
	case u <= 0:
		return dist2(p, a)
	case u >= 1:
		return dist2(p, b)
	}
	q := orb.Point{a[0] + u*dx, a[1] + u*dy}
	return dist2(p, q)
}

// keep returns the indexes of the points of an arc kept at tolerance tol (a
// negative tol keeps every point).
func keep(imp []float64, tol float64, dst []int32) []int32 {
	dst = dst[:0]
	for i, v := range imp {
		if v > tol || tol < 0 {
			dst = append(dst, int32(i))
		}
	}
	return dst
}
