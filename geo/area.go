package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// WGS84 ellipsoid.
const (
	wgs84A = 6378137.0
	wgs84F = 1 / 298.257223563
)

var (
	wgs84E2 = wgs84F * (2 - wgs84F)
	wgs84E  = math.Sqrt(wgs84E2)
	// authalicRadius is the radius of the sphere with the ellipsoid's area.
	authalicRadius = wgs84A * math.Sqrt((1+(1-wgs84E2)/(2*wgs84E)*math.Log((1+wgs84E)/(1-wgs84E)))/2)
	qPole          = authalicQ(math.Pi / 2)
)

func authalicQ(phi float64) float64 {
	s := math.Sin(phi)
	es := wgs84E * s
	return (1 - wgs84E2) * (s/(1-es*es) - 1/(2*wgs84E)*math.Log((1-es)/(1+es)))
}

// authalicLat maps a geodetic latitude (radians) to the authalic latitude:
// on the authalic sphere, areas between parallels equal the ellipsoid's.
func authalicLat(phi float64) float64 {
	return math.Asin(authalicQ(phi) / qPole)
}

// AreaKm2 is the geodesic area of a Polygon or MultiPolygon (holes
// subtracted) in km² on the WGS84 ellipsoid: each ring's spherical excess
// on the authalic sphere, with latitudes converted to authalic latitudes.
// Edges are taken as great-circle arcs on that sphere; on rings with edges a
// few hundred metres long (the source grid) this agrees with Karney's
// ellipsoidal method to about 1e-8. Other geometries have no area (0).
func AreaKm2(g orb.Geometry) float64 {
	switch t := g.(type) {
	case orb.Polygon:
		var a float64
		for i, r := range t {
			ra := math.Abs(ringExcess(r))
			if i == 0 {
				a += ra
			} else {
				a -= ra
			}
		}
		return a * authalicRadius * authalicRadius / 1e6
	case orb.MultiPolygon:
		var a float64
		for _, p := range t {
			a += AreaKm2(p)
		}
		return a
	case orb.Collection:
		var a float64
		for _, x := range t {
			a += AreaKm2(x)
		}
		return a
	}
	return 0
}

// ringExcess is the signed spherical excess of a ring (steradians), by the
// tangent-half-angle formula summed edge by edge (stable for small cells).
func ringExcess(r orb.Ring) float64 {
	n := len(r)
	if n < 3 {
		return 0
	}
	var sum float64
	for i := 0; i < n; i++ {
		a, b := r[i], r[(i+1)%n]
		if a == b {
			continue
		}
		lam1, lam2 := a[0]*math.Pi/180, b[0]*math.Pi/180
		phi1, phi2 := authalicLat(a[1]*math.Pi/180), authalicLat(b[1]*math.Pi/180)
		dl := lam2 - lam1
		for dl > math.Pi {
			dl -= 2 * math.Pi
		}
		for dl < -math.Pi {
			dl += 2 * math.Pi
		}
		sum += 2 * math.Atan2(math.Tan(dl/2)*(math.Tan(phi1/2)+math.Tan(phi2/2)), 1+math.Tan(phi1/2)*math.Tan(phi2/2))
	}
	return sum
}

// PerimeterKm is the geodesic length in km of every ring of a Polygon or
// MultiPolygon (0 for other geometries).
func PerimeterKm(g orb.Geometry) float64 {
	switch t := g.(type) {
	case orb.Polygon:
		var l float64
		for _, r := range t {
			l += LengthKm(orb.LineString(r))
		}
		return l
	case orb.MultiPolygon:
		var l float64
		for _, p := range t {
			l += PerimeterKm(p)
		}
		return l
	}
	return 0
}

// Vertices counts the points of any geometry (closing points included).
func Vertices(g orb.Geometry) int {
	switch g := g.(type) {
	case orb.Point:
		return 1
	case orb.MultiPoint:
		return len(g)
	case orb.LineString:
		return len(g)
	case orb.Ring:
		return len(g)
	case orb.MultiLineString:
		n := 0
		for _, l := range g {
			n += len(l)
		}
		return n
	case orb.Polygon:
		n := 0
		for _, r := range g {
			n += len(r)
		}
		return n
	case orb.MultiPolygon:
		n := 0
		for _, p := range g {
			n += Vertices(p)
		}
		return n
	case orb.Collection:
		n := 0
		for _, c := range g {
			n += Vertices(c)
		}
		return n
	}
	return 0
}
