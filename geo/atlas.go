// Package geo indexes the atlas collections and answers spatial queries on
// them: containment, bounding-box intersection, nearest, within a distance,
// and overlap with a user geometry. All coordinates are lon/lat (CRS84);
// distances, lengths and areas are geodesic on the WGS84 ellipsoid.
// It knows nothing about HTTP.
//
// Boundary rule: a point exactly on an edge or a vertex of a polygon (shell
// or hole) is inside it, so a point on the shared border of two cities is in
// both. Edges are straight lines in lon/lat, as GeoJSON (RFC 7946) defines
// them.
//
// An Atlas is read-only after NewAtlas and safe for concurrent use.
package geo

import (
	"fmt"
	"math"
	"sort"
	"sync"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Atlas holds the four collections of a dataset, each with its own R-tree.
type Atlas struct {
	dataset     *data.Dataset
	collections map[string]*Collection
	locateGrid  *locateGrid // nil: Locate asks each collection
}

// Collection is one indexed collection.
type Collection struct {
	Name     string
	Features []data.Feature

	tree rtree.RTreeG[int] // feature bounds → feature index
	// prep is each feature's edge index, built on first use (preparedAt):
	// a snapshot-loaded atlas answers most point queries from the cell grid
	// alone, so the ~100 MB of edge indexes are only paid for features a
	// query actually reaches. nil for a nil geometry.
	prep      []*prepared
	prepOnce  []sync.Once
	polygonal []bool // per feature: a (Multi)Polygon
	bounds    []orb.Bound
	areaKm2   []float64 // per feature, for shares of overlap
	ids       map[string]int
	extent    orb.Bound
	cells     *cellIndex // nil for a collection without polygons
}

// Location is the reverse-geocoder answer for a point.
type Location struct {
	Clusters []*data.Feature // every cluster containing the point (plans overlap)
	City     *data.Feature   // the member city containing the point, if any
	Zones    []*data.Feature // every transfer zone containing the point
	// MetroAreas are the metropolitan areas containing the point (南京's
	// and 合肥's plans share 芜湖, 马鞍山 and 滁州 units).
	MetroAreas []*data.Feature
	Province   *data.Feature // the provincial-level unit, if any
	Region     *data.Feature // the NBS macro-region, if any (none for Hong Kong, Macao, Taiwan)
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

// NewAtlas builds every index once: an R-tree of feature bounds per
// collection and a prepared edge index per feature. It fails on a nil
// dataset, a duplicate feature id or a non-finite coordinate.
func NewAtlas(ds *data.Dataset) (*Atlas, error) {
	if ds == nil {
		return nil, fmt.Errorf("geo: nil dataset")
	}
	a := &Atlas{dataset: ds, collections: map[string]*Collection{}}
	for name, features := range ds.Collections {
		c, err := newCollection(name, features)
		if err != nil {
			return nil, err
		}
		a.collections[name] = c
	}
	// The four known collections always exist, if empty, so callers need not
	// nil-check them.
	for _, name := range data.CollectionNames {
		if a.collections[name] == nil {
			a.collections[name], _ = newCollection(name, nil)
		}
	}
	a.locateGrid = newLocateGrid(a)
	return a, nil
}

func newCollection(name string, features []data.Feature) (*Collection, error) {
	c, err := indexCollection(name, features)
	if err != nil {
		return nil, err
	}
	polygonal := false
	for i := range features {
		if features[i].Geometry != nil {
			c.areaKm2[i] = AreaKm2(features[i].Geometry)
		}
		polygonal = polygonal || c.polygonal[i]
	}
	if polygonal {
		prep := make([]*prepared, len(features))
		for i := range prep {
			prep[i] = c.preparedAt(i)
		}
		c.cells = newCellIndex(c.extent, prep)
	}
	return c, nil
}

// indexCollection does the cheap part of indexing: ids, bounds and the
// R-tree of bounds. Areas and the cell grid are left to the caller (computed
// by newCollection, or taken from a snapshot by NewAtlasFromIndex).
func indexCollection(name string, features []data.Feature) (*Collection, error) {
	c := &Collection{
		Name:      name,
		Features:  features,
		prep:      make([]*prepared, len(features)),
		prepOnce:  make([]sync.Once, len(features)),
		polygonal: make([]bool, len(features)),
		bounds:    make([]orb.Bound, len(features)),
		areaKm2:   make([]float64, len(features)),
		ids:       make(map[string]int, len(features)),
	}
	first := true
	for i := range features {
		f := &features[i]
		if f.ID != "" {
			if j, dup := c.ids[f.ID]; dup {
				return nil, fmt.Errorf("geo: %s: duplicate feature id %q (features %d and %d)", name, f.ID, j, i)
			}
			c.ids[f.ID] = i
		}
		if f.Geometry == nil {
			continue
		}
		if err := checkFinite(f.Geometry); err != nil {
			return nil, fmt.Errorf("geo: %s feature %q: %w", name, f.ID, err)
		}
		b := f.Geometry.Bound()
		c.bounds[i] = b
		c.polygonal[i] = isPolygonal(f.Geometry)
		c.tree.Insert(b.Min, b.Max, i)
		if first {
			c.extent, first = b, false
		} else {
			c.extent = c.extent.Union(b)
		}
	}
	return c, nil
}

// preparedAt returns feature i's edge index, building it on first use
// (safe for concurrent callers). nil for a nil geometry.
func (c *Collection) preparedAt(i int) *prepared {
	c.prepOnce[i].Do(func() {
		if g := c.Features[i].Geometry; g != nil {
			c.prep[i] = prepare(g)
		}
	})
	return c.prep[i]
}

// isPolygonal is prepare's notion of a polygonal geometry.
func isPolygonal(g orb.Geometry) bool {
	switch t := g.(type) {
	case orb.Polygon, orb.MultiPolygon, orb.Ring, orb.Bound:
		return true
	case orb.Collection:
		for _, x := range t {
			if isPolygonal(x) {
				return true
			}
		}
	}
	return false
}

// Dataset returns the dataset the atlas was built from.
func (a *Atlas) Dataset() *data.Dataset { return a.dataset }

// Collection returns the named collection.
func (a *Atlas) Collection(name string) (*Collection, bool) {
	c, ok := a.collections[name]
	return c, ok
}

// FeatureContains reports whether feature i contains p (boundary counts as
// inside); false for a feature without polygons.
func (c *Collection) FeatureContains(i int, p orb.Point) bool {
	if i < 0 || i >= len(c.Features) || !c.polygonal[i] || !c.bounds[i].Contains(p) {
		return false
	}
	return c.preparedAt(i).contains(p)
}

// Index returns the index of the feature with the given id.
func (c *Collection) Index(id string) (int, bool) {
	i, ok := c.ids[id]
	return i, ok
}

// Extent is the union of the feature bounds (the zero Bound when empty).
func (c *Collection) Extent() orb.Bound { return c.extent }

// Containing returns, in ascending order, the indexes of the polygonal
// features containing p (boundary counts as inside).
func (c *Collection) Containing(p orb.Point) []int {
	return c.appendContaining(nil, p)
}

func (c *Collection) appendContaining(out []int, p orb.Point) []int {
	if c.cells != nil {
		if out, ok := c.cells.containing(p, c, out); ok {
			return out
		}
	}
	n := len(out)
	c.tree.Search(p, p, func(_, _ [2]float64, i int) bool {
		if c.preparedAt(i).contains(p) {
			out = append(out, i)
		}
		return true
	})
	sort.Ints(out[n:])
	return out
}

// IntersectingBound returns, in ascending order, the features whose geometry
// (not just its bounding box) meets the closed box b. A box crossing the
// antimeridian must be split by the caller.
func (c *Collection) IntersectingBound(b orb.Bound) []int {
	var out []int
	c.tree.Search(b.Min, b.Max, func(_, _ [2]float64, i int) bool {
		if c.preparedAt(i).intersectsBound(b) {
			out = append(out, i)
		}
		return true
	})
	sort.Ints(out)
	return out
}

func lessHit(a, b Hit) bool {
	if a.DistanceKm != b.DistanceKm {
		return a.DistanceKm < b.DistanceKm
	}
	return a.Index < b.Index
}

// Nearest returns the k features nearest to p by geodesic distance to the
// nearest point of each (0 inside a polygon), nearest first, ties by index.
//
// The R-tree yields features in order of a rigorous lower bound of the
// distance to their bounding box; each is then measured exactly, and the
// walk stops once the next lower bound exceeds the k-th exact distance.
func (c *Collection) Nearest(p orb.Point, k int) []Hit {
	if k <= 0 || !validPoint(p) {
		return nil
	}
	hits := make([]Hit, 0, k)
	c.tree.Nearby(
		func(min, max [2]float64, _ int, _ bool) float64 { return boxLowerBoundKm(p, min, max) },
		func(_, _ [2]float64, i int, lb float64) bool {
			cutoff := math.Inf(1)
			if len(hits) == k {
				cutoff = hits[k-1].DistanceKm
				if lb > cutoff {
					return false
				}
			}
			d := c.preparedAt(i).distanceKm(p, cutoff)
			if math.IsInf(d, 1) {
				return true
			}
			h := Hit{Index: i, DistanceKm: d}
			if len(hits) == k {
				if !lessHit(h, hits[k-1]) {
					return true
				}
				hits = hits[:k-1]
			}
			j := sort.Search(len(hits), func(j int) bool { return lessHit(h, hits[j]) })
			hits = append(hits, Hit{})
			copy(hits[j+1:], hits[j:])
			hits[j] = h
			return true
		})
	return hits
}

// Within returns every feature whose nearest point is at most radiusKm from
// p, nearest first, ties by index.
func (c *Collection) Within(p orb.Point, radiusKm float64) []Hit {
	if !(radiusKm >= 0) || !validPoint(p) {
		return nil
	}
	var hits []Hit
	c.tree.Nearby(
		func(min, max [2]float64, _ int, _ bool) float64 { return boxLowerBoundKm(p, min, max) },
		func(_, _ [2]float64, i int, lb float64) bool {
			if lb > radiusKm {
				return false
			}
			if d := c.preparedAt(i).distanceKm(p, radiusKm); d <= radiusKm {
				hits = append(hits, Hit{Index: i, DistanceKm: d})
			}
			return true
		})
	sort.Slice(hits, func(i, j int) bool { return lessHit(hits[i], hits[j]) })
	return hits
}

// DistanceBetweenKm is GeometryDistanceKm between feature i of c and feature
// j of other, reusing both features' prepared indexes (no re-indexing of
// 100k-vertex outlines per call). It is +Inf when either has no geometry.
func (c *Collection) DistanceBetweenKm(i int, other *Collection, j int) float64 {
	if i < 0 || i >= len(c.prep) || j < 0 || j >= len(other.prep) {
		return math.Inf(1)
	}
	a, b := c.preparedAt(i), other.preparedAt(j)
	if a == nil || b == nil {
		return math.Inf(1)
	}
	return preparedDistanceKm(a, b, math.Inf(1))
}

func validPoint(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && !math.IsInf(p[0], 0) && !math.IsInf(p[1], 0)
}

// checkFinite rejects NaN and ±Inf coordinates, which would poison the
// indexes and every comparison.
func checkFinite(g orb.Geometry) error {
	var bad error
	var walk func(g orb.Geometry)
	pts := func(ps []orb.Point) {
		for _, p := range ps {
			if bad == nil && !validPoint(p) {
				bad = fmt.Errorf("non-finite coordinate %v", p)
			}
		}
	}
	walk = func(g orb.Geometry) {
		switch t := g.(type) {
		case orb.Point:
			pts([]orb.Point{t})
		case orb.MultiPoint:
			pts(t)
		case orb.LineString:
			pts(t)
		case orb.Ring:
			pts(t)
		case orb.MultiLineString:
			for _, l := range t {
				pts(l)
			}
		case orb.Polygon:
			for _, r := range t {
				pts(r)
			}
		case orb.MultiPolygon:
			for _, p := range t {
				walk(p)
			}
		case orb.Collection:
			for _, x := range t {
				walk(x)
			}
		case orb.Bound:
			pts([]orb.Point{t.Min, t.Max})
		}
	}
	walk(g)
	return bad
}
