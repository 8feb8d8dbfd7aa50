package build

import (
	"math"
	"sort"

	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/paulmach/orb"
)

// labelPoint returns a point inside the largest part of mp, for labels and
// flow ends: the middle of the widest interior run along a few horizontal
// scan lines, preferring lines near the middle of the part. Unlike a
// centroid it can never fall outside a crescent-shaped polygon.
func labelPoint(mp orb.MultiPolygon) orb.Point {
	if len(mp) == 0 {
		return orb.Point{}
	}
	best, bestArea := 0, -1.0
	for i, p := range mp {
		if a := geo.AreaKm2(p); a > bestArea {
			best, bestArea = i, a
		}
	}
	poly := mp[best]
	b := poly.Bound()
	const lines = 21
	var pick orb.Point
	score := -1.0
	for k := 0; k < lines; k++ {
		// offset off the 1/1024° grid so no scan line runs through a vertex
		y := b.Min[1] + (float64(k)+0.5)/lines*(b.Max[1]-b.Min[1]) + 1.234567e-7
		xs := crossingsAt(poly, y)
		for i := 0; i+1 < len(xs); i += 2 {
			w := xs[i+1] - xs[i]
			// widest run, discounted away from the middle latitude
			centre := 1 - math.Abs(float64(k)-(lines-1)/2.0)/lines
			if s := w * centre; s > score {
				score, pick = s, orb.Point{(xs[i] + xs[i+1]) / 2, y}
			}
		}
	}
	return pick
}

// crossingsAt returns the sorted x where the rings of poly cross latitude y.
func crossingsAt(poly orb.Polygon, y float64) []float64 {
	var xs []float64
	for _, r := range poly {
		for i := 0; i+1 < len(r); i++ {
			a, b := r[i], r[i+1]
			if (a[1] > y) != (b[1] > y) {
				xs = append(xs, a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]))
			}
		}
	}
	sort.Float64s(xs)
	return xs
}

// samplePoints returns the middle of every interior run of poly along n
// evenly spaced scan lines: points spread over the polygon, all inside it.
func samplePoints(poly orb.Polygon, n int) []orb.Point {
	b := poly.Bound()
	var out []orb.Point
	for k := 0; k < n; k++ {
		y := b.Min[1] + (float64(k)+0.5)/float64(n)*(b.Max[1]-b.Min[1]) + 1.234567e-7
		xs := crossingsAt(poly, y)
		for i := 0; i+1 < len(xs); i += 2 {
			out = append(out, orb.Point{(xs[i] + xs[i+1]) / 2, y})
		}
	}
	return out
}
