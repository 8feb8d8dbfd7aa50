package topo

import (
	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"
)

// validate checks OGC validity with simplefeatures (pure Go): simple closed
// rings, rings touching at most at one point, holes inside their shell, a
// connected interior and multipolygon parts meeting only at points.
func validate(g orb.Geometry) error {
	switch g := g.(type) {
	case orb.Polygon:
		return toSFPolygon(g).Validate()
	case orb.MultiPolygon:
		polys := make([]geom.Polygon, len(g))
		for i, p := range g {
			polys[i] = toSFPolygon(p)
		}
		return geom.NewMultiPolygon(polys).Validate()
	}
	return nil
}

func toSFPolygon(p orb.Polygon) geom.Polygon {
	rings := make([]geom.LineString, len(p))
	for i, r := range p {
		flat := make([]float64, 0, 2*len(r))
		for _, pt := range r {
			flat = append(flat, pt[0], pt[1])
		}
		rings[i] = geom.NewLineString(geom.NewSequence(flat, geom.DimXY))
	}
	return geom.NewPolygon(rings)
}
