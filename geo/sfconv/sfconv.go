// Package sfconv converts geometries between paulmach/orb, which the
// atlas uses everywhere, and peterstace/simplefeatures, which supplies the
// OGC validity rules and the overlay (union, intersection, difference).
// The pipeline, the validator and the query engine share it.
package sfconv

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"
)

// ToSF converts an orb geometry to simplefeatures (XY only, no validation:
// callers validate explicitly).
func ToSF(g orb.Geometry) (geom.Geometry, error) {
	seq := func(pts []orb.Point) geom.Sequence {
		fl := make([]float64, 0, 2*len(pts))
		for _, p := range pts {
			fl = append(fl, p[0], p[1])
		}
		return geom.NewSequence(fl, geom.DimXY)
	}
	poly := func(p orb.Polygon) geom.Polygon {
		rings := make([]geom.LineString, len(p))
		for i, r := range p {
			rings[i] = geom.NewLineString(seq(r))
		}
		return geom.NewPolygon(rings)
	}
	switch t := g.(type) {
	case orb.Point:
		return geom.NewPoint(geom.Coordinates{XY: geom.XY{X: t[0], Y: t[1]}, Type: geom.DimXY}).AsGeometry(), nil
	case orb.MultiPoint:
		pts := make([]geom.Point, len(t))
		for i, p := range t {
			pts[i] = geom.NewPoint(geom.Coordinates{XY: geom.XY{X: p[0], Y: p[1]}, Type: geom.DimXY})
		}
		return geom.NewMultiPoint(pts).AsGeometry(), nil
	case orb.LineString:
		return geom.NewLineString(seq(t)).AsGeometry(), nil
	case orb.MultiLineString:
		ls := make([]geom.LineString, len(t))
		for i, l := range t {
			ls[i] = geom.NewLineString(seq(l))
		}
		return geom.NewMultiLineString(ls).AsGeometry(), nil
	case orb.Polygon:
		return poly(t).AsGeometry(), nil
	case orb.MultiPolygon:
		ps := make([]geom.Polygon, len(t))
		for i, p := range t {
			ps[i] = poly(p)
		}
		return geom.NewMultiPolygon(ps).AsGeometry(), nil
	}
	return geom.Geometry{}, fmt.Errorf("unsupported geometry type %T", g)
}

// FromSF converts a simplefeatures result back to orb as a flat
// collection of its points, lines and polygons.
func FromSF(g geom.Geometry) orb.Geometry {
	pts := func(s geom.Sequence) []orb.Point {
		out := make([]orb.Point, s.Length())
		for i := range out {
			xy := s.GetXY(i)
			out[i] = orb.Point{xy.X, xy.Y}
		}
		return out
	}
	poly := func(p geom.Polygon) orb.Polygon {
		if p.IsEmpty() {
			return nil
		}
		out := orb.Polygon{orb.Ring(pts(p.ExteriorRing().Coordinates()))}
		for i := 0; i < p.NumInteriorRings(); i++ {
			out = append(out, orb.Ring(pts(p.InteriorRingN(i).Coordinates())))
		}
		return out
	}
	var coll orb.Collection
	for _, part := range g.Dump() {
		switch part.Type() {
		case geom.TypePolygon:
			p, _ := part.AsPolygon()
			if q := poly(p); q != nil {
				coll = append(coll, q)
			}
		case geom.TypeLineString:
			l, _ := part.AsLineString()
			coll = append(coll, orb.LineString(pts(l.Coordinates())))
		case geom.TypePoint:
			p, _ := part.AsPoint()
			if xy, ok := p.XY(); ok {
				coll = append(coll, orb.Point{xy.X, xy.Y})
			}
		}
	}
	return coll
}

// PolygonalParts keeps the polygons of a FromSF collection (an overlay can
// leave points and lines, which carry no area).
func PolygonalParts(g orb.Geometry) orb.MultiPolygon {
	var mp orb.MultiPolygon
	if c, ok := g.(orb.Collection); ok {
		for _, x := range c {
			if p, ok := x.(orb.Polygon); ok {
				mp = append(mp, p)
			}
		}
	}
	return mp
}

// LinearParts keeps the lines of a FromSF collection.
func LinearParts(g orb.Geometry) orb.MultiLineString {
	var ml orb.MultiLineString
	if c, ok := g.(orb.Collection); ok {
		for _, x := range c {
			if l, ok := x.(orb.LineString); ok {
				ml = append(ml, l)
			}
		}
	}
	return ml
}

// ValidatePolygonal validates a Polygon or MultiPolygon with the OGC rules
// (closed rings of at least 4 points, simple rings, holes inside shells,
// no overlapping parts) and says what is wrong (nil when valid). A panic in
// the library becomes an error.
func ValidatePolygonal(g orb.Geometry) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("geometry could not be validated: %v", r)
		}
	}()
	var polys []orb.Polygon
	switch t := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{t}
	case orb.MultiPolygon:
		polys = t
	default:
		return fmt.Errorf("%T is not a Polygon or MultiPolygon", g)
	}
	for _, p := range polys {
		for i, r := range p {
			if len(r) < 4 {
				return fmt.Errorf("ring %d has %d points; a closed ring needs at least 4", i, len(r))
			}
		}
	}
	sg, err := ToSF(orb.MultiPolygon(polys))
	if err != nil {
		return err
	}
	return sg.Validate()
}
