package tiles

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/paulmach/orb/geojson"
)

// busyArea is the Yangtze delta around Shanghai (121.47E 31.23N) and
// Suzhou, where cluster, city and zone borders and flows pile up.
var busyArea = [4]float64{120.4, 30.7, 122.0, 31.9}

// busiestTile is the largest tile at zoom z over busyArea: a fixed tile for
// a given dataset (the one at 121.47E 31.23N is mostly one city and sea
// from z7 on, which says little about encoding cost).
func busiestTile(tb testing.TB, tl *Tiles, z int) (x, y int) {
	tb.Helper()
	x0, y0 := tileAt(busyArea[0], busyArea[3], z)
	x1, y1 := tileAt(busyArea[2], busyArea[1], z)
	best := -1
	for tx := x0; tx <= x1; tx++ {
		for ty := y0; ty <= y1; ty++ {
			body, err := tl.render(z, tx, ty)
			if err != nil {
				tb.Fatal(err)
			}
			if len(body) > best {
				best, x, y = len(body), tx, ty
			}
		}
	}
	return x, y
}

// BenchmarkTile renders (no cache) the busiest tile over the Yangtze delta
// at z4, z7 and z10 and reports its size:
//
//	go test -run '^$' -bench BenchmarkTile ./api/tiles/
func BenchmarkTile(b *testing.B) {
	tl := newTestTiles(b, Options{CacheBytes: -1})
	for _, z := range []int{4, 7, 10} {
		x, y := busiestTile(b, tl, z)
		b.Run(fmt.Sprintf("z%d", z), func(b *testing.B) {
			var body []byte
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				var err error
				if body, err = tl.render(z, x, y); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(body)), "bytes")
			b.ReportMetric(float64(gzipLen(body)), "gzip-bytes")
		})
	}
}

// BenchmarkTileCached is the same request served from the cache.
func BenchmarkTileCached(b *testing.B) {
	tl := newTestTiles(b, Options{})
	x, y := busiestTile(b, tl, 10)
	if _, err := tl.Tile(10, x, y); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, _ = tl.Tile(10, x, y)
	}
}

func gzipLen(b []byte) int {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Len()
}

// TestPayloadFigures prints the payload table for the README (run with -v;
// skipped otherwise):
//
//	go test -run TestPayloadFigures -v ./api/tiles/
//
// Items: the clusters collection as one GeoJSON FeatureCollection with every
// property, geometry at the topo level for zoom 3, 6, 9 and full detail —
// what /collections/clusters/items?zoom=Z&limit=19 carries, give or take the
// api's links and members. Tiles: the busiest tile over the Yangtze delta at
// z4, z7, z10.
func TestPayloadFigures(t *testing.T) {
	if !testing.Verbose() {
		t.Skip("prints figures; run with -v")
	}
	ds, levels := fixture(t)
	var out strings.Builder
	fmt.Fprintf(&out, "\n/collections/clusters/items (19 features, all properties)\n")
	fmt.Fprintf(&out, "%-6s %9s %12s %10s\n", "zoom", "vertices", "bytes", "gzip")
	for _, z := range []int{3, 6, 9, -1} {
		fc := geojson.NewFeatureCollection()
		for i, f := range ds.Collections[data.Clusters] {
			g := f.Geometry
			if z >= 0 {
				g = levels.Geometry(data.Clusters, i, z)
			}
			gf := geojson.NewFeature(g)
			gf.ID = f.ID
			gf.Properties = f.Properties
			fc.Append(gf)
		}
		body, err := json.Marshal(fc)
		if err != nil {
			t.Fatal(err)
		}
		label, verts := fmt.Sprint(z), 0
		if z < 0 {
			label, verts = "full", levels.Vertices(data.Clusters, 99)
		} else {
			verts = levels.Vertices(data.Clusters, z)
		}
		fmt.Fprintf(&out, "%-6s %9d %12d %10d\n", label, verts, len(body), gzipLen(body))
	}

	tl := newTestTiles(t, Options{CacheBytes: -1})
	fmt.Fprintf(&out, "\nbusiest tile over the Yangtze delta %v (MVT, uncompressed / gzip; encode time, mean of 20)\n", busyArea)
	fmt.Fprintf(&out, "%-14s %9s %9s %10s  %s\n", "tile", "bytes", "gzip", "encode", "features per layer")
	for _, z := range []int{4, 7, 10} {
		x, y := busiestTile(t, tl, z)
		var body []byte
		start := time.Now()
		const n = 20
		for i := 0; i < n; i++ {
			body, _ = tl.render(z, x, y)
		}
		per := time.Since(start) / n
		var counts []string
		for _, name := range LayerNames {
			if l := decode(t, body)[name]; l != nil {
				counts = append(counts, fmt.Sprintf("%s %d", name, len(l.Features)))
			}
		}
		fmt.Fprintf(&out, "%-14s %9d %9d %10s  %s\n", fmt.Sprintf("%d/%d/%d", z, x, y), len(body), gzipLen(body), per.Round(10*time.Microsecond), strings.Join(counts, ", "))
	}

	// The whole low-zoom pyramid over China, to size the cache bound.
	total, count := 0, 0
	for z := 0; z <= 8; z++ {
		x0, y0 := tileAt(73, 54, z)
		x1, y1 := tileAt(136, 18, z)
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				body, err := tl.render(z, x, y)
				if err != nil {
					t.Fatal(err)
				}
				total += len(body)
				count++
			}
		}
	}
	fmt.Fprintf(&out, "\nall tiles z0..z8 over China: %d tiles, %.1f MB\n", count, float64(total)/1e6)
	t.Log(out.String())
}
