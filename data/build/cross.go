package build

import (
	"math"

	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/paulmach/orb"
)

// crossings finds pairs of edges that cross at a point that is not a vertex
// of both, and returns for each crossing the intersection rounded to the
// grid. Inserting those points into both edges (snap rounding) lets
// dissolve split the rings there; a line moves by at most half a grid cell,
// which is within the source's own resolution.
func crossings(rings []Ring) map[GridPoint]bool {
	const cell = 16
	type seg struct{ a, b GridPoint }
	buckets := map[[2]int][]seg{}
	for _, r := range rings {
		for k := range r {
			s := seg{r[k], r[(k+1)%len(r)]}
			x0, x1 := floorDiv(min(s.a[0], s.b[0]), cell), floorDiv(max(s.a[0], s.b[0]), cell)
			y0, y1 := floorDiv(min(s.a[1], s.b[1]), cell), floorDiv(max(s.a[1], s.b[1]), cell)
			for x := x0; x <= x1; x++ {
				for y := y0; y <= y1; y++ {
					buckets[[2]int{x, y}] = append(buckets[[2]int{x, y}], s)
				}
			}
		}
	}
	out := map[GridPoint]bool{}
	for _, segs := range buckets {
		for i := 0; i < len(segs); i++ {
			for j := i + 1; j < len(segs); j++ {
				if p, ok := properCrossing(segs[i].a, segs[i].b, segs[j].a, segs[j].b); ok {
					out[p] = true
				}
			}
		}
	}
	return out
}

// properCrossing reports whether segments ab and cd cross at a single point
// interior to both, and that point rounded to the grid.
func properCrossing(a, b, c, d GridPoint) (GridPoint, bool) {
	o1, o2 := orient(a, b, c), orient(a, b, d)
	o3, o4 := orient(c, d, a), orient(c, d, b)
	if o1 == 0 || o2 == 0 || o3 == 0 || o4 == 0 || o1 == o2 || o3 == o4 {
		return GridPoint{}, false
	}
	// intersection parameter along ab, in float (only the rounded point matters)
	ax, ay := float64(a[0]), float64(a[1])
	rx, ry := float64(b[0]-a[0]), float64(b[1]-a[1])
	sx, sy := float64(d[0]-c[0]), float64(d[1]-c[1])
	den := rx*sy - ry*sx
	t := ((float64(c[0])-ax)*sy - (float64(c[1])-ay)*sx) / den
	return GridPoint{int(math.Round(ax + t*rx)), int(math.Round(ay + t*ry))}, true
}

func orient(p, q, r GridPoint) int {
	v := int64(q[0]-p[0])*int64(r[1]-p[1]) - int64(q[1]-p[1])*int64(r[0]-p[0])
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// snapInsert adds each crossing point to the edges whose grid cell it
// rounds from: the point is inserted into every edge passing within half a
// cell of it (the "hot pixel" of snap rounding).
func snapInsert(rings []Ring, hot map[GridPoint]bool) []Ring {
	if len(hot) == 0 {
		return rings
	}
	out := make([]Ring, len(rings))
	for i, r := range rings {
		var nr Ring
		for k := range r {
			a, b := r[k], r[(k+1)%len(r)]
			nr = append(nr, a)
			var mids []GridPoint
			for p := range hot {
				if p != a && p != b && passesPixel(a, b, p) {
					mids = append(mids, p)
				}
			}
			if len(mids) > 1 {
				sortAlong(a, mids)
			}
			nr = append(nr, mids...)
		}
		out[i] = nr
	}
	return out
}

// passesPixel: does segment ab pass through the unit square centred on p?
func passesPixel(a, b, p GridPoint) bool {
	px := orb.Bound{Min: orb.Point{float64(p[0]) - 0.5, float64(p[1]) - 0.5}, Max: orb.Point{float64(p[0]) + 0.5, float64(p[1]) + 0.5}}
	return geo.SegmentIntersectsBound(orb.Point{float64(a[0]), float64(a[1])}, orb.Point{float64(b[0]), float64(b[1])}, px)
}

func sortAlong(a GridPoint, pts []GridPoint) {
	d := func(p GridPoint) int64 { return abs64(int64(p[0]-a[0])) + abs64(int64(p[1]-a[1])) }
	for i := 1; i < len(pts); i++ {
		for j := i; j > 0 && d(pts[j]) < d(pts[j-1]); j-- {
			pts[j], pts[j-1] = pts[j-1], pts[j]
		}
	}
}
