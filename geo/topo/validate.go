package topo

import (
	"github.com/clusteratlas/clusteratlas/geo/sfconv"
	"github.com/paulmach/orb"
)

// validate checks OGC validity with simplefeatures (pure Go): simple closed
// rings, rings touching at most at one point, holes inside their shell, a
// connected interior and multipolygon parts meeting only at points. Other
// geometries (and nil, a feature dropped at this zoom) pass.
func validate(g orb.Geometry) error {
	switch g.(type) {
	case orb.Polygon, orb.MultiPolygon:
		return sfconv.ValidatePolygonal(g)
	}
	return nil
}
