package geo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/clusteratlas/clusteratlas/geo/sfconv"
	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"
)

// ErrInvalidGeometry wraps every rejection of a user geometry by Intersecting
// and IntersectionAreaKm2 (bad type, non-finite or out-of-range coordinate,
// or an OGC validity rule broken); callers can map it to a 400.
var ErrInvalidGeometry = errors.New("invalid geometry")

// Intersecting returns, in ascending feature order, every polygonal feature
// that g meets (touching included), with the overlap measured:
//   - Point, MultiPoint: ShareOfInput is the fraction of the points inside
//     the feature (1 for a single point inside);
//   - LineString, MultiLineString: LengthKm is the geodesic length of g
//     inside the feature, ShareOfInput that over g's length;
//   - Polygon, MultiPolygon: AreaKm2 is the geodesic area of the overlap,
//     ShareOfInput and ShareOfFeature that over g's and the feature's area.
//
// Polygonal g must be OGC-valid; the error names the rule broken. The cost
// of an exact overlay (simplefeatures) is paid only for features whose
// boundary g actually crosses: disjoint features are dropped and nested ones
// measured from their precomputed areas, using the prepared edge indexes.
func (c *Collection) Intersecting(g orb.Geometry) (out []Overlap, err error) {
	return c.IntersectingContext(context.Background(), g)
}

// IntersectingContext is Intersecting that stops, returning ctx.Err(),
// when ctx is done: it checks between features, so a request's deadline
// ends the work within one overlay of its expiry.
func (c *Collection) IntersectingContext(ctx context.Context, g orb.Geometry) (out []Overlap, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("geo: intersecting %s: internal error: %v", c.Name, r)
		}
	}()
	if err := checkInput(g); err != nil {
		return nil, err
	}
	switch t := g.(type) {
	case orb.Point:
		return c.intersectPoints([]orb.Point{t}), nil
	case orb.MultiPoint:
		if len(t) == 0 {
			return nil, fmt.Errorf("%w: empty MultiPoint", ErrInvalidGeometry)
		}
		return c.intersectPoints(t), nil
	case orb.LineString, orb.MultiLineString:
		return c.intersectLines(ctx, g)
	case orb.Polygon, orb.MultiPolygon:
		return c.intersectPolygons(ctx, g)
	}
	return nil, fmt.Errorf("%w: unsupported geometry type %s", ErrInvalidGeometry, g.GeoJSONType())
}

// checkInput rejects what no query can answer: nil, non-finite or off-globe
// coordinates, degenerate lines and rings, and (for polygons) any OGC
// validity rule, named by simplefeatures' message.
func checkInput(g orb.Geometry) error {
	if g == nil {
		return fmt.Errorf("%w: no geometry", ErrInvalidGeometry)
	}
	if err := checkFinite(g); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidGeometry, err)
	}
	b := g.Bound()
	if b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 {
		return fmt.Errorf("%w: coordinates outside lon -180..180, lat -90..90", ErrInvalidGeometry)
	}
	switch t := g.(type) {
	case orb.LineString:
		if len(t) < 2 {
			return fmt.Errorf("%w: LineString needs at least 2 positions", ErrInvalidGeometry)
		}
	case orb.MultiLineString:
		if len(t) == 0 {
			return fmt.Errorf("%w: empty MultiLineString", ErrInvalidGeometry)
		}
		for i, l := range t {
			if len(l) < 2 {
				return fmt.Errorf("%w: LineString %d needs at least 2 positions", ErrInvalidGeometry, i)
			}
		}
	case orb.Polygon, orb.MultiPolygon:
		return validatePolygonal(g)
	}
	return nil
}

// validatePolygonal checks ring shape (≥4 positions, closed) itself, since
// converting an unclosed ring would hide the mistake, then the OGC rules
// (simple rings, holes inside, no crossing rings, connected interior,
// non-overlapping parts) with simplefeatures.
func validatePolygonal(g orb.Geometry) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: validation failed: %v", ErrInvalidGeometry, r)
		}
	}()
	var polys []orb.Polygon
	switch t := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{t}
	case orb.MultiPolygon:
		if len(t) == 0 {
			return fmt.Errorf("%w: empty MultiPolygon", ErrInvalidGeometry)
		}
		polys = t
	}
	for pi, p := range polys {
		if len(p) == 0 {
			return fmt.Errorf("%w: polygon %d has no rings", ErrInvalidGeometry, pi)
		}
		for ri, r := range p {
			if len(r) < 4 {
				return fmt.Errorf("%w: polygon %d ring %d has %d positions; a linear ring needs at least 4", ErrInvalidGeometry, pi, ri, len(r))
			}
			if r[0] != r[len(r)-1] {
				return fmt.Errorf("%w: polygon %d ring %d is not closed (first and last positions differ)", ErrInvalidGeometry, pi, ri)
			}
		}
	}
	sg, err := toGeom(g)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidGeometry, err)
	}
	if err := sg.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidGeometry, err)
	}
	return nil
}

func (c *Collection) intersectPoints(pts []orb.Point) []Overlap {
	count := map[int]int{}
	for _, p := range pts {
		for _, i := range c.Containing(p) {
			count[i]++
		}
	}
	out := make([]Overlap, 0, len(count))
	for i, n := range count {
		out = append(out, Overlap{Index: i, ShareOfInput: float64(n) / float64(len(pts))})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Index < out[b].Index })
	return out
}

func (c *Collection) candidates(b orb.Bound) []int {
	var idx []int
	c.tree.Search(b.Min, b.Max, func(_, _ [2]float64, i int) bool {
		if c.polygonal[i] {
			idx = append(idx, i)
		}
		return true
	})
	sort.Ints(idx)
	return idx
}

func (c *Collection) intersectLines(ctx context.Context, g orb.Geometry) ([]Overlap, error) {
	total := LengthKm(g)
	gp := prepare(g)
	var lines []orb.LineString
	switch t := g.(type) {
	case orb.LineString:
		lines = []orb.LineString{t}
	case orb.MultiLineString:
		lines = t
	}
	var sg geom.Geometry
	var out []Overlap
	for _, i := range c.candidates(gp.bound) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fp := c.preparedAt(i)
		var inside float64
		touches := false
		if fp.crosses(gp) {
			// Only a line crossing the boundary needs clipping.
			touches = true
			if sg.IsEmpty() {
				var err error
				if sg, err = toGeom(g); err != nil {
					return nil, err
				}
			}
			clipped, err := overlay(c.Features[i].Geometry, sg, gp.bound)
			if err != nil {
				return nil, fmt.Errorf("geo: clipping line with %s feature %q: %w", c.Name, c.Features[i].ID, err)
			}
			inside = LengthKm(sfconv.LinearParts(clipped))
		} else {
			// No crossing: each line is wholly inside or wholly outside.
			for _, l := range lines {
				if fp.contains(l[0]) {
					inside += LengthKm(l)
					touches = true
				}
			}
		}
		if !touches {
			continue
		}
		o := Overlap{Index: i, LengthKm: inside}
		if total > 0 {
			o.ShareOfInput = math.Min(1, inside/total)
		}
		out = append(out, o)
	}
	return out, nil
}

func (c *Collection) intersectPolygons(ctx context.Context, g orb.Geometry) ([]Overlap, error) {
	total := AreaKm2(g)
	gp := prepare(g)
	var polys []orb.Polygon
	switch t := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{t}
	case orb.MultiPolygon:
		polys = t
	}
	var sg geom.Geometry
	var out []Overlap
	for _, i := range c.candidates(gp.bound) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fp := c.preparedAt(i)
		var area float64
		touches := false
		if fp.crosses(gp) {
			touches = true
			if sg.IsEmpty() {
				var err error
				if sg, err = toGeom(g); err != nil {
					return nil, err
				}
			}
			res, err := overlay(c.Features[i].Geometry, sg, gp.bound)
			if err != nil {
				return nil, fmt.Errorf("geo: overlaying %s feature %q: %w", c.Name, c.Features[i].ID, err)
			}
			area = AreaKm2(sfconv.PolygonalParts(res))
		} else {
			// Boundaries apart: every ring of either lies wholly inside or
			// wholly outside the other, so one vertex per ring decides.
			gIn := false
			for _, p := range polys {
				if fp.contains(p[0][0]) {
					gIn = true
				}
			}
			fIn := false
			for _, v := range fp.firstVertex {
				if gp.contains(v) {
					fIn = true
				}
			}
			switch {
			case !gIn && !fIn:
				continue
			case gIn && !fIn: // parts of g inside the feature, no feature ring inside g
				for _, p := range polys {
					if fp.contains(p[0][0]) {
						area += AreaKm2(p)
					}
				}
			case fIn && !gIn: // feature parts inside g
				area = areaOfPartsInside(c.Features[i].Geometry, gp)
			default: // nested both ways (holes in play): let the overlay decide
				if sg.IsEmpty() {
					var err error
					if sg, err = toGeom(g); err != nil {
						return nil, err
					}
				}
				res, err := overlay(c.Features[i].Geometry, sg, gp.bound)
				if err != nil {
					return nil, fmt.Errorf("geo: overlaying %s feature %q: %w", c.Name, c.Features[i].ID, err)
				}
				area = AreaKm2(sfconv.PolygonalParts(res))
			}
			touches = area > 0
		}
		if !touches {
			continue
		}
		o := Overlap{Index: i, AreaKm2: area}
		if total > 0 {
			o.ShareOfInput = math.Min(1, area/total)
		}
		if c.areaKm2[i] > 0 {
			o.ShareOfFeature = math.Min(1, area/c.areaKm2[i])
		}
		out = append(out, o)
	}
	return out, nil
}

// areaOfPartsInside sums the areas of the parts of f whose shell lies inside
// the prepared polygonal g.
func areaOfPartsInside(f orb.Geometry, g *prepared) float64 {
	var a float64
	switch t := f.(type) {
	case orb.Polygon:
		if len(t) > 0 && len(t[0]) > 0 && g.contains(t[0][0]) {
			a = AreaKm2(t)
		}
	case orb.MultiPolygon:
		for _, p := range t {
			a += areaOfPartsInside(p, g)
		}
	}
	return a
}

// IntersectionAreaKm2 is the geodesic area in km² of the overlap of two
// polygonal geometries (Polygon or MultiPolygon), 0 when they are disjoint
// or only touch. Both must be OGC-valid.
func IntersectionAreaKm2(a, b orb.Geometry) (area float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			area, err = 0, fmt.Errorf("geo: intersection: internal error: %v", r)
		}
	}()
	for _, g := range []orb.Geometry{a, b} {
		switch g.(type) {
		case orb.Polygon, orb.MultiPolygon:
		default:
			return 0, fmt.Errorf("%w: intersection area needs a Polygon or MultiPolygon", ErrInvalidGeometry)
		}
		if err := checkFinite(g); err != nil {
			return 0, fmt.Errorf("%w: %v", ErrInvalidGeometry, err)
		}
	}
	if !a.Bound().Intersects(b.Bound()) {
		return 0, nil
	}
	sb, err := toGeom(b)
	if err != nil {
		return 0, err
	}
	res, err := overlay(a, sb, b.Bound())
	if err != nil {
		return 0, err
	}
	return AreaKm2(sfconv.PolygonalParts(res)), nil
}

// overlay intersects feature f with the converted user geometry g. Parts
// and holes of f whose bounds miss g's bound cannot change the result and
// are dropped first: the overlay's cost grows with the vertices it is given.
// Library panics become errors.
func overlay(f orb.Geometry, g geom.Geometry, gb orb.Bound) (res orb.Geometry, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("overlay failed: %v", r)
		}
	}()
	sf, err := toGeom(trimToBound(f, gb))
	if err != nil {
		return nil, err
	}
	if sf.IsEmpty() {
		return orb.Collection{}, nil
	}
	out, err := geom.Intersection(sf, g)
	if err != nil {
		return nil, err
	}
	return sfconv.FromSF(out), nil
}

// trimToBound keeps the polygons of f whose shell meets b, and in them the
// holes that meet b. Removing a hole or part away from b leaves f ∩ b
// unchanged and keeps f valid.
func trimToBound(f orb.Geometry, b orb.Bound) orb.Geometry {
	trimPoly := func(p orb.Polygon) orb.Polygon {
		if len(p) == 0 || !p[0].Bound().Intersects(b) {
			return nil
		}
		out := orb.Polygon{p[0]}
		for _, h := range p[1:] {
			if h.Bound().Intersects(b) {
				out = append(out, h)
			}
		}
		return out
	}
	switch t := f.(type) {
	case orb.Polygon:
		if p := trimPoly(t); p != nil {
			return p
		}
		return orb.MultiPolygon{}
	case orb.MultiPolygon:
		var out orb.MultiPolygon
		for _, p := range t {
			if q := trimPoly(p); q != nil {
				out = append(out, q)
			}
		}
		return out
	}
	return f
}

// toGeom converts to simplefeatures; callers validate user input
// explicitly, and features are valid by build.
func toGeom(g orb.Geometry) (geom.Geometry, error) {
	sg, err := sfconv.ToSF(g)
	if err != nil {
		return sg, fmt.Errorf("%w: %v", ErrInvalidGeometry, err)
	}
	return sg, nil
}
