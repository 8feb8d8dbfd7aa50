package geo

import (
	"github.com/paulmach/orb"
)

// QueryGeometry is a user geometry (a CQL2 S_INTERSECTS operand, say)
// prepared once and tested against many features with Intersects.
type QueryGeometry struct {
	bound  orb.Bound
	prep   *prepared
	points []orb.Point // Point and MultiPoint parts (no edges to index)
}

// PrepareQuery indexes g for Intersects. Points, lines, polygons, their
// Multi forms, orb.Bound and collections of these are supported.
func PrepareQuery(g orb.Geometry) *QueryGeometry {
	q := &QueryGeometry{prep: prepare(g)}
	if g != nil {
		q.bound = g.Bound()
	}
	var walk func(g orb.Geometry)
	walk = func(g orb.Geometry) {
		switch t := g.(type) {
		case orb.Point:
			q.points = append(q.points, t)
		case orb.MultiPoint:
			q.points = append(q.points, t...)
		case orb.Collection:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(g)
	return q
}

// Bound is the query geometry's bounding box (for an index probe).
func (q *QueryGeometry) Bound() orb.Bound { return q.bound }

// Intersects reports whether feature i of the collection and q share at
// least one point (touching counts), planar in lon/lat like the rest of the
// package: an edge of one crosses or touches an edge of the other, a point
// of q lies in or on the feature, or one lies wholly inside the other.
func (c *Collection) Intersects(i int, q *QueryGeometry) bool {
	if i < 0 || i >= len(c.prep) || q == nil {
		return false
	}
	fp := c.preparedAt(i)
	if fp == nil {
		return false
	}
	return preparedIntersects(fp, q)
}

// GeometryIntersects is Intersects for a geometry outside any collection
// (a flow drawn curved at request time); it indexes g on every call.
func GeometryIntersects(g orb.Geometry, q *QueryGeometry) bool {
	if g == nil || q == nil {
		return false
	}
	return preparedIntersects(prepare(g), q)
}

func preparedIntersects(fp *prepared, q *QueryGeometry) bool {
	if !fp.bound.Intersects(q.bound) {
		return false
	}
	for _, p := range q.points {
		if fp.intersectsBound(orb.Bound{Min: p, Max: p}) {
			return true
		}
	}
	if len(q.prep.edges) == 0 {
		return false
	}
	if fp.crosses(q.prep) {
		return true
	}
	// No edges meet: each ring or line lies wholly inside or outside the
	// other, so one vertex of each decides.
	if fp.polygonal {
		for _, v := range q.prep.firstVertex {
			if fp.contains(v) {
				return true
			}
		}
	}
	if q.prep.polygonal {
		for _, v := range fp.firstVertex {
			if q.prep.contains(v) {
				return true
			}
		}
	}
	return false
}
