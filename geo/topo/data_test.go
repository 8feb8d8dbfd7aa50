package topo

import (
	"os"
	"sync"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/paulmach/orb"
)

// The real atlas is built once per test binary and shared by the tests
// below. TOPO_DATASET_DIR points them at a dataset directory (same layout as
// the embedded one) instead, e.g. to check a rebuilt dataset before
// embedding it.
var embedded struct {
	once   sync.Once
	layers map[string][]orb.Geometry
	levels *Levels
	err    error
	skip   string
}

func embeddedLevels(t *testing.T) (map[string][]orb.Geometry, *Levels) {
	t.Helper()
	if testing.Short() {
		t.Skip("real dataset: skipped in -short")
	}
	embedded.once.Do(func() {
		var ds *data.Dataset
		var err error
		if dir := os.Getenv("TOPO_DATASET_DIR"); dir != "" {
			ds, err = data.LoadDir(dir)
		} else {
			ds, err = data.Load()
		}
		if err != nil {
			embedded.err = err
			return
		}
		if len(ds.Collections[data.Clusters]) == 0 {
			embedded.skip = "embedded dataset has no clusters yet (placeholder files): run `clusteratlas build` to embed the real data"
			return
		}
		layers := map[string][]orb.Geometry{}
		for _, name := range []string{data.Clusters, data.Cities, data.TransferZones} {
			for _, f := range ds.Collections[name] {
				layers[name] = append(layers[name], f.Geometry)
			}
		}
		embedded.layers = layers
		embedded.levels, embedded.err = Build(layers, allZooms)
	})
	if embedded.err != nil {
		t.Fatal(embedded.err)
	}
	if embedded.skip != "" {
		t.Skip(embedded.skip)
	}
	return embedded.layers, embedded.levels
}

// TestEmbeddedDataset: every level of every collection of the real atlas
// is OGC-valid and vertex counts fall with zoom.
func TestEmbeddedDataset(t *testing.T) {
	layers, l := embeddedLevels(t)
	s := l.Stats()
	t.Logf("input %d vertices, %d distinct arcs (%d vertices), %d nodes; topology %v, total %v",
		s.InputVertices, s.Arcs, s.ArcVertices, s.Nodes, s.Topology, s.Total)
	for _, ls := range s.Levels {
		t.Logf("z%-2d tol %.2e: %8d vertices, %4d rings dropped, %4d arcs refined, %v",
			ls.Zoom, ls.Tolerance, ls.Vertices, ls.DroppedRings, ls.ArcsRefined, ls.Time)
		if ls.Unresolved > 0 {
			t.Errorf("z%d: %d features still invalid: %v", ls.Zoom, ls.Unresolved, ls.InvalidSample)
		}
	}
	checkValid(t, layers, l)
	for _, name := range []string{data.Clusters, data.Cities, data.TransferZones} {
		full := l.Vertices(name, 99)
		prev := full
		for z := len(allZooms) - 1; z >= 0; z-- {
			n := l.Vertices(name, allZooms[z])
			if n > prev {
				t.Errorf("%s: %d vertices at z%d, more than the next finer level's %d", name, n, allZooms[z], prev)
			}
			prev = n
		}
		if l.Vertices(name, 0) >= full {
			t.Errorf("%s: z0 not simplified (%d vertices)", name, full)
		}
	}
}

// TestEmbeddedSharedBorders: neighbouring cities keep identical shared
// borders at every simplified level, and clusters and transfer zones stay
// on the borders of the cities they share an edge with. The only exemption
// is a stretch of border on a ring that one side drops at that zoom (below
// MinAreaDegrees2, e.g. a sub-pixel island split between two cities).
func TestEmbeddedSharedBorders(t *testing.T) {
	layers, l := embeddedLevels(t)
	rep := checkSharedBorders(t, layers, l, allZooms, false, func(a, b featRef) bool {
		return a.layer == data.Cities || b.layer == data.Cities
	})
	t.Logf("%d neighbour pairs (city-city, cluster-city, zone-city) checked; pairs differing only where a ring below the minimum area dropped, per zoom: %v", rep.Pairs, rep.Exempt)
	rep.errorf(t)
}
