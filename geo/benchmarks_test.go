package geo

import (
	"math/rand"
	"sync"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

var (
	benchOnce  sync.Once
	benchAtlas *Atlas
	benchName  string
)

// benchmarkAtlas is the embedded dataset when it has clusters, else a
// synthetic one (jagged 50k-vertex polygons over China's box), so the
// benchmarks always run.
func benchmarkAtlas(b *testing.B) *Atlas {
	benchOnce.Do(func() {
		ds, err := data.Load()
		benchName = "embedded"
		if err != nil || len(ds.Collection(data.Clusters)) == 0 {
			ds, benchName = syntheticDataset(50000), "synthetic"
		}
		if benchAtlas, err = NewAtlas(ds); err != nil {
			panic(err)
		}
	})
	b.Logf("dataset: %s", benchName)
	return benchAtlas
}

// chinaPoints are random points in China's box, 73..135E, 18..54N.
func chinaPoints(n int) []orb.Point {
	rng := rand.New(rand.NewSource(99))
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{73 + rng.Float64()*62, 18 + rng.Float64()*36}
	}
	return pts
}

// BenchmarkLocate: one point against Locate's six collections (clusters,
// cities, zones, metro areas, provinces, regions).
func BenchmarkLocate(b *testing.B) {
	a := benchmarkAtlas(b)
	pts := chinaPoints(4096)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.Locate(pts[i%len(pts)])
	}
}

// BenchmarkLocateCold: the same over a million points, as under load,
// where every point is new and the cells it reads are rarely in cache.
func BenchmarkLocateCold(b *testing.B) {
	a := benchmarkAtlas(b)
	pts := chinaPoints(1 << 20)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.Locate(pts[i%len(pts)])
	}
}

// BenchmarkLocateBrute is the same query with a plain R-tree and orb's
// ray casting over every edge of each candidate: the baseline the prepared
// band index is measured against.
func BenchmarkLocateBrute(b *testing.B) {
	a := benchmarkAtlas(b)
	type coll struct {
		tree rtree.RTreeG[int]
		fs   []data.Feature
	}
	var colls []*coll
	for _, name := range []string{data.Clusters, data.Cities, data.TransferZones} {
		c, _ := a.Collection(name)
		bc := &coll{fs: c.Features}
		for i, f := range c.Features {
			if f.Geometry != nil {
				bd := f.Geometry.Bound()
				bc.tree.Insert(bd.Min, bd.Max, i)
			}
		}
		colls = append(colls, bc)
	}
	pts := chinaPoints(4096)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := pts[i%len(pts)]
		for _, c := range colls {
			c.tree.Search(p, p, func(_, _ [2]float64, j int) bool {
				bruteContains(c.fs[j].Geometry, p)
				return true
			})
		}
	}
}

// BenchmarkIntersectingBound: a ~1°×1° map viewport against cities.
func BenchmarkIntersectingBound(b *testing.B) {
	a := benchmarkAtlas(b)
	c, _ := a.Collection(data.Cities)
	pts := chinaPoints(1024)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := pts[i%len(pts)]
		c.IntersectingBound(orb.Bound{Min: p, Max: orb.Point{p[0] + 1, p[1] + 1}})
	}
}

// BenchmarkNearest: the 5 nearest cities to a random point.
func BenchmarkNearest(b *testing.B) {
	a := benchmarkAtlas(b)
	c, _ := a.Collection(data.Cities)
	pts := chinaPoints(1024)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Nearest(pts[i%len(pts)], 5)
	}
}

// BenchmarkWithin: cities within 50 km of a random point.
func BenchmarkWithin(b *testing.B) {
	a := benchmarkAtlas(b)
	c, _ := a.Collection(data.Cities)
	pts := chinaPoints(1024)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Within(pts[i%len(pts)], 50)
	}
}

// BenchmarkIntersecting: a 0.5° square drawn somewhere in China against the
// cities (overlay only for the cities whose border it crosses).
func BenchmarkIntersecting(b *testing.B) {
	a := benchmarkAtlas(b)
	c, _ := a.Collection(data.Cities)
	pts := chinaPoints(256)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := pts[i%len(pts)]
		if _, err := c.Intersecting(orb.Polygon{square(p[0], p[1], p[0]+0.5, p[1]+0.5)}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIntersectingLine: a 3° line against the cities.
func BenchmarkIntersectingLine(b *testing.B) {
	a := benchmarkAtlas(b)
	c, _ := a.Collection(data.Cities)
	pts := chinaPoints(256)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := pts[i%len(pts)]
		if _, err := c.Intersecting(orb.LineString{p, {p[0] + 3, p[1] + 1}}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDistanceKm(b *testing.B) {
	p, q := orb.Point{116.4074, 39.9042}, orb.Point{121.4737, 31.2304}
	for i := 0; i < b.N; i++ {
		DistanceKm(p, q)
	}
}
