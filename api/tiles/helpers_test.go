package tiles

import (
	"sync"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/data/snapshot"
	"github.com/clusteratlas/clusteratlas/geo/topo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

// The real dataset and its levels (z0..12, as the api builds them) are
// loaded once per test binary, from the embedded snapshot when there is
// one (a fraction of a second; building them takes seconds, ~20× that
// under -race).
var (
	fixtureOnce   sync.Once
	fixtureDS     *data.Dataset
	fixtureLevels *topo.Levels
	fixtureErr    error
)

func fixture(tb testing.TB) (*data.Dataset, *topo.Levels) {
	tb.Helper()
	fixtureOnce.Do(func() {
		if b := data.EmbeddedSnapshot(); b != nil {
			var c *snapshot.Contents
			if c, fixtureErr = snapshot.Decode(b); fixtureErr != nil {
				return
			}
			fixtureDS = c.Dataset
			fixtureLevels, fixtureErr = topo.FromExport(c.OrigLayers(), c.Levels)
			return
		}
		fixtureDS, fixtureErr = data.Load()
		if fixtureErr != nil {
			return
		}
		fixtureLevels, fixtureErr = BuildLevels(fixtureDS, 12)
	})
	if fixtureErr != nil {
		tb.Fatal(fixtureErr)
	}
	if len(fixtureDS.Collections[data.Clusters]) == 0 {
		tb.Skip("embedded dataset has no clusters")
	}
	return fixtureDS, fixtureLevels
}

func newTestTiles(tb testing.TB, opts Options) *Tiles {
	ds, l := fixture(tb)
	return New(ds, l, opts)
}

// tileAt is the tile holding lon/lat at zoom z.
func tileAt(lon, lat float64, z int) (int, int) {
	t := maptile.At(orb.Point{lon, lat}, maptile.Zoom(z))
	return int(t.X), int(t.Y)
}

func decode(tb testing.TB, body []byte) map[string]*mvt.Layer {
	tb.Helper()
	layers, err := mvt.Unmarshal(body)
	if err != nil {
		tb.Fatalf("mvt.Unmarshal: %v", err)
	}
	out := map[string]*mvt.Layer{}
	for _, l := range layers {
		if out[l.Name] != nil {
			tb.Errorf("layer %q twice", l.Name)
		}
		out[l.Name] = l
	}
	return out
}
