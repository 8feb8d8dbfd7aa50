package geo

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// lbRadiusKm is a radius no larger than any radius of curvature of WGS84
// (the meridian radius at the equator, a(1−e²) = 6335.44 km). Since
// ds² = M²dφ² + N²cos²φ dλ² ≥ lbRadius²(dφ² + cos²φ dλ²), a geodesic is at
// least lbRadius × the great-circle angle between the same lon/lat pairs on
// a unit sphere: a rigorous lower bound for pruning.
const lbRadiusKm = 6335.0

// ubRadiusKm bounds every radius of curvature from above (a/√(1−e²) =
// 6399.59 km at the poles): geodesic ≤ ubRadius × great-circle angle.
const ubRadiusKm = 6400.0

// centralAngle is the great-circle angle (radians) between two lon/lat
// points on a unit sphere (haversine).
func centralAngle(lon1, lat1, lon2, lat2 float64) float64 {
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	sdp := math.Sin((p2 - p1) / 2)
	sdl := math.Sin((lon2 - lon1) * math.Pi / 360)
	h := sdp*sdp + math.Cos(p1)*math.Cos(p2)*sdl*sdl
	return 2 * math.Asin(math.Min(1, math.Sqrt(h)))
}

// mod360 maps degrees into [0, 360).
func mod360(x float64) float64 {
	x = math.Mod(x, 360)
	if x < 0 {
		x += 360
	}
	return x
}

// boxLowerBoundKm is a lower bound (never above the true value) of the
// geodesic distance from p to any point of the lon/lat box [min, max]. The
// nearest point of a box outside the point's longitude range lies on the
// box's nearer meridian edge, at the latitude where that meridian's great
// circle comes closest to p, clamped to the box.
func boxLowerBoundKm(p orb.Point, min, max [2]float64) float64 {
	lon, lat := p[0], p[1]
	width := max[0] - min[0]
	if width >= 360 || mod360(lon-min[0]) <= width {
		switch {
		case lat < min[1]:
			return lbRadiusKm * (min[1] - lat) * math.Pi / 180
		case lat > max[1]:
			return lbRadiusKm * (lat - max[1]) * math.Pi / 180
		}
		return 0
	}
	// Outside the longitude range the nearest point lies on one of the two
	// meridian edges: where that meridian's great circle comes closest to p
	// (clamped to the edge), or at an end of the edge when the closest
	// approach is over a pole, beyond the edge's own half-meridian.
	phi := lat * math.Pi / 180
	sinPhi, cosPhi := math.Sincos(phi)
	best := math.Inf(1)
	for _, mlon := range [2]float64{min[0], max[0]} {
		dl := wrap180(mlon-lon) * math.Pi / 180
		phiC := math.Atan2(sinPhi, cosPhi*math.Cos(dl)) * 180 / math.Pi
		best = math.Min(best, centralAngle(lon, lat, mlon, math.Max(min[1], math.Min(max[1], phiC))))
		if math.Abs(dl) > math.Pi/2 { // closest approach beyond a pole
			best = math.Min(best, math.Min(centralAngle(lon, lat, mlon, min[1]), centralAngle(lon, lat, mlon, max[1])))
		}
	}
	return lbRadiusKm * best
}

// localFrame approximates distances near p by an equirectangular frame with
// the ellipsoid's meridian and prime-vertical radii at the mean latitude of
// p and the edges measured (Bowring's flat-earth formula). Relative error is
// about (d/R)² for a distance d, a few 1e-4 at 100 km; it is used only to
// find the nearest point along an edge and to skip edges that cannot win,
// and every candidate is then measured geodesically.
type localFrame struct {
	p      orb.Point
	kx, ky float64 // km per degree of longitude / latitude
	tanLat float64
}

func newLocalFrame(p orb.Point, lat float64) localFrame {
	phi := (p[1] + lat) / 2 * math.Pi / 180
	s, c := math.Sincos(phi)
	w := 1 - wgs84E2*s*s
	n := wgs84A / math.Sqrt(w) / 1000
	m := wgs84A * (1 - wgs84E2) / (w * math.Sqrt(w)) / 1000
	return localFrame{p: p, kx: n * c * math.Pi / 180, ky: m * math.Pi / 180, tanLat: math.Tan(p[1] * math.Pi / 180)}
}

func wrap180(x float64) float64 {
	if x > 180 || x < -180 {
		x = mod360(x+180) - 180
	}
	return x
}

// segment returns the approximate distance from the frame's point to the
// edge and the edge parameter t ∈ [0,1] of the nearest point.
func (f *localFrame) segment(e *edge) (float64, float64) {
	ax, ay := wrap180(e.ax-f.p[0])*f.kx, (e.ay-f.p[1])*f.ky
	bx, by := wrap180(e.bx-f.p[0])*f.kx, (e.by-f.p[1])*f.ky
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
	}
	return math.Hypot(ax+t*dx, ay+t*dy), t
}

// tol is the relative error allowance for an approximate distance d to an
// edge of a chunk spanning ±halfHeight degrees of latitude around the
// frame's latitude. Measured over China's box against Vincenty, the frame's
// error is ≤ 0.11·(d/R)² (2.4e-3 at 1000 km, 2e-4 at 300 km); the allowance
// takes over twice that, grown towards the poles, plus the error of using
// one latitude for the whole chunk. Long edges bypass the filter (isLong).
func (f *localFrame) tol(d, halfHeight float64) float64 {
	r := d / 6371
	t2 := f.tanLat * f.tanLat
	return 1e-5 + math.Sqrt(1+t2)*halfHeight*math.Pi/180 + 0.25*r*r*(1+t2)
}

// longEdgeDeg: edges longer than this (in either coordinate) are measured by
// a geodesic search along the edge instead of trusting the local frame.
const longEdgeDeg = 0.05

func isLong(e *edge) bool {
	return math.Abs(e.bx-e.ax) > longEdgeDeg || math.Abs(e.by-e.ay) > longEdgeDeg
}

// segmentDistanceKm is the geodesic distance from p to the nearest point of
// the edge (a straight line in lon/lat), given the frame's estimate t of
// where that point is. On short edges (polygon edges of a few hundred
// metres) the error of t enters the distance only to second order: well
// under a metre. Long edges are searched by golden section on the exact
// geodesic distance (converged to ~1e-8 of the edge length).
func segmentDistanceKm(p orb.Point, e *edge, t float64) float64 {
	at := func(t float64) float64 {
		return DistanceKm(p, orb.Point{e.ax + t*(e.bx-e.ax), e.ay + t*(e.by-e.ay)})
	}
	d := at(t)
	if !isLong(e) {
		return d
	}
	d = math.Min(d, math.Min(at(0), at(1)))
	const g = 0.6180339887498949
	lo, hi := 0.0, 1.0
	x1, x2 := hi-g*(hi-lo), lo+g*(hi-lo)
	f1, f2 := at(x1), at(x2)
	for i := 0; i < 45; i++ {
		if f1 <= f2 {
			hi, x2, f2 = x2, x1, f1
			x1 = hi - g*(hi-lo)
			f1 = at(x1)
		} else {
			lo, x1, f1 = x1, x2, f2
			x2 = lo + g*(hi-lo)
			f2 = at(x2)
		}
	}
	return math.Min(d, math.Min(f1, f2))
}

// DistanceToKm is the geodesic distance in km from p to the nearest point of
// g: 0 inside (or on the boundary of) a polygon, else the distance to the
// nearest point of its rings; for lines the nearest point of the line; for
// points the nearest point. Accuracy: exact geodesic distance to a point of
// the edge found within well under a metre for polygon-sized edges.
func DistanceToKm(p orb.Point, g orb.Geometry) float64 {
	pts, pg := splitGeometry(g)
	best := math.Inf(1)
	for _, q := range pts {
		best = math.Min(best, DistanceKm(p, q))
	}
	if pg != nil {
		best = math.Min(best, pg.distanceKm(p, best))
	}
	return best
}

// splitGeometry separates the point parts of g from the rest, which it
// prepares (nil when there is no line or polygon part).
func splitGeometry(g orb.Geometry) ([]orb.Point, *prepared) {
	var pts []orb.Point
	var rest orb.Collection
	var walk func(g orb.Geometry)
	walk = func(g orb.Geometry) {
		switch t := g.(type) {
		case orb.Point:
			pts = append(pts, t)
		case orb.MultiPoint:
			pts = append(pts, t...)
		case orb.Collection:
			for _, x := range t {
				walk(x)
			}
		case nil:
		default:
			rest = append(rest, t)
		}
	}
	walk(g)
	if len(rest) == 0 {
		return pts, nil
	}
	if len(rest) == 1 {
		return pts, prepare(rest[0])
	}
	return pts, prepare(rest)
}

// GeometryDistanceKm is the geodesic distance in km between the nearest
// points of two geometries: 0 when they intersect (touching or one inside
// the other), else the least distance between their edges (or points).
func GeometryDistanceKm(a, b orb.Geometry) float64 {
	ptsA, pa := splitGeometry(a)
	ptsB, pb := splitGeometry(b)
	best := math.Inf(1)
	for _, x := range ptsA {
		for _, y := range ptsB {
			best = math.Min(best, DistanceKm(x, y))
		}
	}
	if pb != nil {
		for _, x := range ptsA {
			best = math.Min(best, pb.distanceKm(x, best))
		}
	}
	if pa != nil {
		for _, y := range ptsB {
			best = math.Min(best, pa.distanceKm(y, best))
		}
	}
	if pa != nil && pb != nil {
		best = math.Min(best, preparedDistanceKm(pa, pb, best))
	}
	return best
}

// preparedDistanceKm is the least distance between two prepared geometries
// (0 if they meet), or a value ≥ cutoff when they are no closer than cutoff.
//
// Between two disjoint polylines the least distance is reached at a vertex
// of one of them, so it scans vertices of both sides against the other's
// edge index. Chunks are visited nearest first, and a chunk is skipped when
// (distance from its centre) − (its radius) cannot beat the best so far;
// for two 40k-vertex clusters this checks a few hundred vertices.
func preparedDistanceKm(pa, pb *prepared, cutoff float64) float64 {
	if pa.crosses(pb) {
		return 0
	}
	// With no edge crossing, a ring inside the other geometry has all its
	// vertices inside: one per ring decides.
	for _, v := range pa.firstVertex {
		if pb.contains(v) {
			return 0
		}
	}
	for _, v := range pb.firstVertex {
		if pa.contains(v) {
			return 0
		}
	}
	best := cutoff
	side := func(x, y *prepared) {
		type cand struct {
			ci     int
			lb, r  float64
			centre orb.Point
		}
		// A cheap lower bound per chunk first (its centre against y's whole
		// box, less its radius); chunks are then refined nearest first, so
		// best is finite after the first few and the rest are pruned
		// without an index search each.
		cands := make([]cand, 0, len(x.chunks))
		for ci := range x.chunks {
			ch := &x.chunks[ci]
			c := ch.bound.Center()
			r := 0.0
			for _, q := range [4]orb.Point{ch.bound.Min, ch.bound.Max, ch.bound.LeftTop(), ch.bound.RightBottom()} {
				r = math.Max(r, ubRadiusKm*centralAngle(c[0], c[1], q[0], q[1]))
			}
			r = r*1.01 + 1e-6
			lb := boxLowerBoundKm(c, y.bound.Min, y.bound.Max) - r
			if lb >= best {
				continue
			}
			cands = append(cands, cand{ci, lb, r, c})
		}
		sort.Slice(cands, func(i, j int) bool { return cands[i].lb < cands[j].lb })
		for _, cd := range cands {
			if cd.lb >= best {
				break
			}
			if d := y.boundaryDistanceKm(cd.centre, best+cd.r); d-cd.r >= best {
				continue
			}
			ch := &x.chunks[cd.ci]
			for i := ch.lo; i < ch.hi; i++ {
				e := &x.edges[i]
				for _, v := range [2]orb.Point{{e.ax, e.ay}, {e.bx, e.by}} {
					if d := y.boundaryDistanceKm(v, best); d < best {
						best = d
					}
				}
			}
		}
	}
	side(pa, pb)
	side(pb, pa)
	return best
}
