package geo

import (
	"math"
	"math/rand"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/paulmach/orb"
)

// square is the closed box ring [x0,x1]×[y0,y1], counter-clockwise.
func square(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

func reversed(r orb.Ring) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

// jagged is a star-shaped ring of n vertices around c whose radius wanders
// between 0.5·r and r: a stand-in for a county-union outline. Star-shaped
// about c, so it is always simple.
func jagged(rng *rand.Rand, c orb.Point, r float64, n int) orb.Ring {
	ring := make(orb.Ring, 0, n+1)
	rad := 0.75 * r
	for i := 0; i < n; i++ {
		a := 2 * math.Pi * float64(i) / float64(n)
		rad += (rng.Float64() - 0.5) * r * 0.05
		rad = math.Max(0.5*r, math.Min(r, rad))
		ring = append(ring, orb.Point{c[0] + rad*math.Cos(a), c[1] + rad*math.Sin(a)})
	}
	return append(ring, ring[0])
}

// syntheticDataset lays a grid of jagged polygons (each with a hole) over
// China's box, with a coarser overlapping "cluster" layer and a few zones:
// the benchmarks' fallback when the embedded data is a placeholder.
func syntheticDataset(vertices int) *data.Dataset {
	rng := rand.New(rand.NewSource(1))
	var cities, clusters, zones []data.Feature
	id := 0
	next := func(prefix string) string {
		id++
		return prefix + string(rune('a'+id%26)) + string(rune('a'+id/26%26)) + string(rune('a'+id/676%26))
	}
	for x := 75.0; x < 135; x += 10 {
		for y := 20.0; y < 54; y += 8 {
			c := orb.Point{x + 5, y + 4}
			shell := jagged(rng, c, 4.2, vertices)
			hole := reversed(square(c[0]-0.3, c[1]-0.3, c[0]+0.3, c[1]+0.3))
			cities = append(cities, data.Feature{ID: next("city-"), Geometry: orb.Polygon{shell, hole}})
		}
	}
	for x := 75.0; x < 135; x += 20 {
		for y := 20.0; y < 54; y += 16 {
			c := orb.Point{x + 10, y + 8}
			clusters = append(clusters, data.Feature{ID: next("cl-"), Geometry: orb.Polygon{jagged(rng, c, 9, vertices)}})
		}
	}
	for i := 0; i < 8; i++ {
		c := orb.Point{80 + float64(i)*7, 25 + float64(i)*3}
		zones = append(zones, data.Feature{ID: next("zone-"), Geometry: orb.MultiPolygon{{jagged(rng, c, 1, vertices/10)}, {jagged(rng, orb.Point{c[0] + 3, c[1]}, 1, vertices/10)}}})
	}
	flows := []data.Feature{
		{ID: "f1", Geometry: orb.LineString{{121.47, 31.23}, {104.07, 30.67}}},
		{ID: "f2", Geometry: nil},
	}
	return &data.Dataset{Collections: map[string][]data.Feature{
		data.Clusters: clusters, data.Cities: cities, data.TransferZones: zones, data.Flows: flows,
	}}
}

func newRand(seed int64) *rand.Rand { return rand.New(rand.NewSource(seed)) }
