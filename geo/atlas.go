// Package geo indexes the atlas collections and answers spatial queries on
// them: containment, bounding-box intersection, nearest, within a distance,
// and overlap with a user geometry. All coordinates are lon/lat (CRS84);
// distances, lengths and areas are geodesic on the WGS84 ellipsoid.
// It knows nothing about HTTP.
package geo

import (
	"github.com/clusteratlas/clusteratlas/data"
	"github.com/paulmach/orb"
)

// Atlas holds the four collections of a dataset, each with its own R-tree.
type Atlas struct {
	dataset     *data.Dataset
	collections map[string]*Collection
}

// Collection is one indexed collection.
type Collection struct {
	Name     string
	Features []data.Feature
}

// Location is the reverse-geocoder answer for a point.
type Location struct {
	Clusters []*data.Feature // every cluster containing the point (plans overlap)
	City     *data.Feature   // the member city containing the point, if any
	Zones    []*data.Feature // every transfer zone containing the point
}

// Hit is a feature found near a point.
type Hit struct {
	Index      int     // index into Collection.Features
	DistanceKm float64 // geodesic distance from the point to the nearest point of the feature (0 inside)
}

// Overlap is the intersection of a user geometry with one feature.
type Overlap struct {
	Index          int
	AreaKm2        float64 // overlap area (polygonal input)
	LengthKm       float64 // length of the input inside the feature (linear input)
	ShareOfInput   float64 // overlap / input area (or length); 1 for a point inside
	ShareOfFeature float64 // overlap area / feature area (0 for points and lines)
}

var _ = orb.Point{}
