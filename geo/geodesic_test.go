package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// zoneAreaKm2 is the exact area of the WGS84 zone between the equator and
// latitude phi over dlon degrees of longitude (closed form, independent of
// the spherical-excess code under test).
func zoneAreaKm2(phiDeg, dlonDeg float64) float64 {
	b := wgs84A * (1 - wgs84F)
	e := wgs84E
	s := math.Sin(phiDeg * math.Pi / 180)
	q := s/(2*(1-e*e*s*s)) + math.Log((1+e*s)/(1-e*s))/(4*e)
	return 2 * math.Pi * b * b * q * dlonDeg / 360 / 1e6
}

// cell is a lon/lat cell whose parallel edges are densified so that the
// great-circle edges AreaKm2 assumes follow the parallels closely.
func cell(x0, y0, x1, y1 float64, n int) orb.Polygon {
	var r orb.Ring
	for i := 0; i <= n; i++ {
		r = append(r, orb.Point{x0 + (x1-x0)*float64(i)/float64(n), y0})
	}
	for i := 0; i <= n; i++ {
		r = append(r, orb.Point{x1 - (x1-x0)*float64(i)/float64(n), y1})
	}
	return orb.Polygon{append(r, r[0])}
}

func TestAreaKm2(t *testing.T) {
	eq := AreaKm2(orb.Polygon{square(0, 0, 1, 1)})
	if math.Abs(eq-12308.8) > 1 {
		t.Errorf("1°×1° equator cell = %.2f km², want ≈12308.8", eq)
	}
	for _, lat := range []float64{0, 30, 45, 60} {
		got := AreaKm2(cell(10, lat, 11, lat+1, 200))
		want := zoneAreaKm2(lat+1, 1) - zoneAreaKm2(lat, 1)
		if rel := math.Abs(got-want) / want; rel > 1e-6 {
			t.Errorf("cell at %v°: %.6f km², closed form %.6f (rel %.1e)", lat, got, want, rel)
		}
	}
	// Hole subtracted; multipolygon summed; ring direction irrelevant.
	outer := orb.Polygon{square(0, 0, 2, 2)}
	withHole := orb.Polygon{square(0, 0, 2, 2), reversed(square(0.5, 0.5, 1.5, 1.5))}
	hole := AreaKm2(orb.Polygon{square(0.5, 0.5, 1.5, 1.5)})
	if d := AreaKm2(outer) - hole - AreaKm2(withHole); math.Abs(d) > 1e-6 {
		t.Errorf("hole not subtracted: diff %v", d)
	}
	mp := orb.MultiPolygon{{square(0, 0, 1, 1)}, {reversed(square(5, 5, 6, 6))}}
	if d := AreaKm2(mp) - eq - AreaKm2(orb.Polygon{square(5, 5, 6, 6)}); math.Abs(d) > 1e-6 {
		t.Errorf("multipolygon sum off by %v", d)
	}
	if AreaKm2(orb.LineString{{0, 0}, {1, 1}}) != 0 {
		t.Error("line has area")
	}
}

func TestDistanceKm(t *testing.T) {
	cases := []struct {
		a, b     orb.Point
		lo, hi   float64
		relation string
	}{
		// 1065.85 km on the ellipsoid (an independent Vincenty agrees to 1 mm);
		// the often-quoted 1067.3 km is the mean-sphere haversine.
		{orb.Point{116.4074, 39.9042}, orb.Point{121.4737, 31.2304}, 1065.8, 1065.9, "Beijing–Shanghai"},
		{orb.Point{0, 0}, orb.Point{1, 0}, 111.3194, 111.3196, "1° of equator"},
		{orb.Point{0, 0}, orb.Point{0, 1}, 110.573, 110.575, "1° of meridian at the equator"},
		{orb.Point{10, 10}, orb.Point{10, 10}, 0, 0, "same point"},
		// Nearly antipodal: Vincenty does not converge; the fallback must
		// still be close to the half meridian (20003.93 km).
		{orb.Point{0, 0}, orb.Point{180, 0}, 19900, 20100, "antipodal on the equator"},
		{orb.Point{0, 0}, orb.Point{179.7, 0.2}, 19800, 20100, "near-antipodal"},
	}
	for _, c := range cases {
		d := DistanceKm(c.a, c.b)
		if d < c.lo || d > c.hi {
			t.Errorf("%s: %.4f km, want %v..%v", c.relation, d, c.lo, c.hi)
		}
		if r := DistanceKm(c.b, c.a); math.Abs(r-d) > 1e-6 {
			t.Errorf("%s: not symmetric: %v vs %v", c.relation, d, r)
		}
	}
}

func TestLengthAndPerimeter(t *testing.T) {
	l := LengthKm(orb.LineString{{0, 0}, {1, 0}, {2, 0}})
	if math.Abs(l-2*111.3195) > 0.01 {
		t.Errorf("length %v", l)
	}
	p := PerimeterKm(orb.Polygon{square(0, 0, 1, 1)})
	want := DistanceKm(orb.Point{0, 0}, orb.Point{1, 0}) + DistanceKm(orb.Point{0, 1}, orb.Point{1, 1}) + 2*DistanceKm(orb.Point{0, 0}, orb.Point{0, 1})
	if math.Abs(p-want) > 1e-9 {
		t.Errorf("perimeter %v want %v", p, want)
	}
}

func TestBoxLowerBound(t *testing.T) {
	// The bound must never exceed the true distance to any point of the box.
	boxes := [][2][2]float64{{{100, 20}, {101, 21}}, {{-10, -5}, {10, 5}}, {{170, 60}, {179, 70}}, {{0, 80}, {40, 89}}}
	pts := []orb.Point{{0, 0}, {116, 40}, {-170, 65}, {100.5, 50}, {90, 21}, {60, 85}, {-179, -80}}
	for _, b := range boxes {
		for _, p := range pts {
			lb := boxLowerBoundKm(p, b[0], b[1])
			for i := 0; i <= 20; i++ {
				for j := 0; j <= 20; j++ {
					q := orb.Point{b[0][0] + (b[1][0]-b[0][0])*float64(i)/20, b[0][1] + (b[1][1]-b[0][1])*float64(j)/20}
					if d := DistanceKm(p, q); lb > d+1e-9 {
						t.Fatalf("box %v point %v: bound %v > distance %v to %v", b, p, lb, d, q)
					}
				}
			}
		}
	}
	if lb := boxLowerBoundKm(orb.Point{100.5, 20.5}, [2]float64{100, 20}, [2]float64{101, 21}); lb != 0 {
		t.Errorf("inside box: %v", lb)
	}
}

func TestDistanceToKm(t *testing.T) {
	sq := orb.Polygon{square(0, 0, 1, 1)}
	if d := DistanceToKm(orb.Point{0.5, 0.5}, sq); d != 0 {
		t.Errorf("inside: %v", d)
	}
	if d := DistanceToKm(orb.Point{1, 0.5}, sq); d != 0 {
		t.Errorf("on edge: %v", d)
	}
	// East of the square: nearest point is on the east edge at the same
	// latitude (to within the edge's curvature, far below a metre).
	p := orb.Point{2, 0.5}
	want := DistanceKm(p, orb.Point{1, 0.5})
	if d := DistanceToKm(p, sq); math.Abs(d-want) > 0.001 {
		t.Errorf("east: %v want %v", d, want)
	}
	// Beyond a corner: the corner.
	p = orb.Point{1.5, 1.5}
	want = DistanceKm(p, orb.Point{1, 1})
	if d := DistanceToKm(p, sq); math.Abs(d-want) > 0.001 {
		t.Errorf("corner: %v want %v", d, want)
	}
	// Long line (flow-like): Beijing→Shanghai, point near the middle.
	line := orb.LineString{{116.4074, 39.9042}, {121.4737, 31.2304}}
	mid := orb.Point{(116.4074 + 121.4737) / 2, (39.9042 + 31.2304) / 2}
	if d := DistanceToKm(mid, line); d > 0.001 {
		t.Errorf("point on the line: %v", d)
	}
	off := orb.Point{mid[0] + 1, mid[1]}
	d := DistanceToKm(off, line)
	// Brute force along the line.
	best := math.Inf(1)
	for i := 0; i <= 20000; i++ {
		f := float64(i) / 20000
		best = math.Min(best, DistanceKm(off, orb.Point{line[0][0] + f*(line[1][0]-line[0][0]), line[0][1] + f*(line[1][1]-line[0][1])}))
	}
	if math.Abs(d-best) > 0.01 {
		t.Errorf("off the long line: %v, brute force %v", d, best)
	}
	if d := DistanceToKm(orb.Point{0, 0}, orb.MultiPoint{{1, 0}, {0, 2}}); math.Abs(d-111.3195) > 0.001 {
		t.Errorf("multipoint: %v", d)
	}
}

func TestGeometryDistanceKm(t *testing.T) {
	a := orb.Polygon{square(0, 0, 1, 1)}
	b := orb.Polygon{square(2, 0, 3, 1)}
	d := GeometryDistanceKm(a, b)
	// Nearest points are the top corners: 1° of longitude is shortest there.
	if math.Abs(d-DistanceKm(orb.Point{1, 1}, orb.Point{2, 1})) > 0.001 {
		t.Errorf("side by side: %v", d)
	}
	if d := GeometryDistanceKm(a, orb.Polygon{square(0.5, 0.5, 2, 2)}); d != 0 {
		t.Errorf("overlapping: %v", d)
	}
	if d := GeometryDistanceKm(a, orb.Polygon{square(1, 0, 2, 1)}); d != 0 {
		t.Errorf("touching: %v", d)
	}
	if d := GeometryDistanceKm(orb.Polygon{square(0, 0, 10, 10)}, orb.Polygon{square(4, 4, 5, 5)}); d != 0 {
		t.Errorf("nested: %v", d)
	}
	if d := GeometryDistanceKm(orb.Point{0.5, 3}, a); math.Abs(d-DistanceKm(orb.Point{0.5, 3}, orb.Point{0.5, 1})) > 0.01 {
		t.Errorf("point vs polygon: %v", d)
	}
	// Jagged shapes: compare against vertex brute force.
	jA := orb.Polygon{jagged(newRand(3), orb.Point{100, 30}, 1, 3000)}
	jB := orb.Polygon{jagged(newRand(4), orb.Point{102.6, 30.3}, 1, 3000)}
	got := GeometryDistanceKm(jA, jB)
	pb := prepare(jB)
	pa := prepare(jA)
	best := math.Inf(1)
	for _, v := range jA[0] {
		best = math.Min(best, pb.boundaryDistanceKm(v, math.Inf(1)))
	}
	for _, v := range jB[0] {
		best = math.Min(best, pa.boundaryDistanceKm(v, math.Inf(1)))
	}
	if math.Abs(got-best) > 1e-9 {
		t.Errorf("jagged: %v, brute force %v", got, best)
	}
}
