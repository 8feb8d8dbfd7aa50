package tiles

import (
	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo/topo"
	"github.com/paulmach/orb"
)

// BuildLevels simplifies the polygon collections of ds for zooms
// 0..maxZoom, in the layer names and feature order New expects. The api
// builds its own (same layers, same order) and can pass that instead; this
// one is for tests and tools that have no api.
func BuildLevels(ds *data.Dataset, maxZoom int) (*topo.Levels, error) {
	layers := map[string][]orb.Geometry{}
	for _, name := range []string{data.Clusters, data.Cities, data.TransferZones, data.MetroAreas, data.Provinces, data.Regions, data.Country} {
		for _, f := range ds.Collections[name] {
			layers[name] = append(layers[name], f.Geometry)
		}
	}
	zooms := make([]int, maxZoom+1)
	for z := range zooms {
		zooms[z] = z
	}
	return topo.Build(layers, zooms)
}
