package tiles

import (
	"math"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/maptile"
)

// projector maps lon/lat to the tile coordinates of one tile (Web Mercator,
// y down, 0..Extent inside the tile) and clips to the buffered tile. It
// always writes new slices: the input geometries are shared by every tile
// and the topo levels, and orb's clip uses its input as scratch space.
//
// Polygons are clipped in lon/lat, before projecting: the buffered tile is
// the same box in both (Mercator is monotonic in each axis), and a tile
// usually needs a small part of a large ring, so only that part pays for
// the projection. A cut edge differs from its Mercator-straight version by
// far less than a tile unit, and lies in the buffer, outside the tile.
type projector struct {
	world  float64 // Extent · 2^z
	x0, y0 float64 // tile origin in world units
	box    orb.Bound
	llBox  orb.Bound // box in lon/lat
	bounds *ringBounds
	// shift maps a stored WGS84 point to the tile grid's datum (nil: none)
	shift func(orb.Point) orb.Point
}

func newProjector(z, x, y int, rb *ringBounds) *projector {
	w := Extent * math.Exp2(float64(z))
	return &projector{
		world: w, x0: float64(x) * Extent, y0: float64(y) * Extent, bounds: rb,
		box:   orb.Bound{Min: orb.Point{-Buffer, -Buffer}, Max: orb.Point{Extent + Buffer, Extent + Buffer}},
		llBox: maptile.New(uint32(x), uint32(y), maptile.Zoom(z)).Bound(float64(Buffer) / Extent),
	}
}

// maxLat keeps the Mercator y finite (the web-map limit).
const maxLat = 85.05112878

func (p *projector) project(pt orb.Point) orb.Point {
	if p.shift != nil {
		pt = p.shift(pt)
	}
	lat := math.Max(-maxLat, math.Min(maxLat, pt[1]))
	s := math.Sin(lat * math.Pi / 180)
	x := (pt[0] + 180) / 360 * p.world
	y := (0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)) * p.world
	return orb.Point{x - p.x0, y - p.y0}
}

func (p *projector) projectAll(pts []orb.Point) ([]orb.Point, orb.Bound) {
	out := make([]orb.Point, len(pts))
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for i, pt := range pts {
		q := p.project(pt)
		out[i] = q
		b.Min[0], b.Max[0] = math.Min(b.Min[0], q[0]), math.Max(b.Max[0], q[0])
		b.Min[1], b.Max[1] = math.Min(b.Min[1], q[1]), math.Max(b.Max[1], q[1])
	}
	return out, b
}

func (p *projector) inside(b orb.Bound) bool {
	return b.Min[0] >= p.box.Min[0] && b.Max[0] <= p.box.Max[0] && b.Min[1] >= p.box.Min[1] && b.Max[1] <= p.box.Max[1]
}

// point keeps a label point only inside the tile proper, so a label is in
// exactly one tile and clients see it once.
func (p *projector) point(pt orb.Point) orb.Geometry {
	q := p.project(pt)
	x, y := math.Floor(q[0]), math.Floor(q[1])
	if x < 0 || y < 0 || x >= Extent || y >= Extent {
		return nil
	}
	return orb.Point{x, y}
}

// line projects, clips and rounds a line; nil when nothing is left.
func (p *projector) line(ls orb.LineString) orb.Geometry {
	if len(ls) < 2 {
		return nil
	}
	pts, b := p.projectAll(ls)
	if !b.Intersects(p.box) {
		return nil
	}
	var parts orb.MultiLineString
	if p.inside(b) {
		parts = orb.MultiLineString{pts}
	} else {
		parts = clip.LineString(p.box, orb.LineString(pts))
	}
	var out orb.MultiLineString
	for _, part := range parts {
		if r := roundLine(part); len(r) >= 2 {
			out = append(out, r)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return out
}

// polygons projects, clips, rounds and orients polygons: shells get a
// positive area in tile coordinates (clockwise on screen), holes negative,
// as MVT 2.1 requires. Rings that round to nothing are dropped (a shell with
// its holes). Returns nil, an orb.Polygon or an orb.MultiPolygon.
func (p *projector) polygons(polys []orb.Polygon) orb.Geometry {
	var out orb.MultiPolygon
	for _, poly := range polys {
		var np orb.Polygon
		for ri, r := range poly {
			tr := p.ring(r)
			if tr == nil {
				if ri == 0 {
					break // shell gone: holes go with it
				}
				continue
			}
			a := ringArea(tr)
			if (ri == 0) != (a > 0) {
				reverse(tr)
			}
			np = append(np, tr)
		}
		if len(np) > 0 {
			out = append(out, np)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return out
}

func (p *projector) ring(r orb.Ring) orb.Ring {
	if len(r) < 4 {
		return nil
	}
	b := p.bounds.of(r)
	if !b.Intersects(p.llBox) {
		return nil
	}
	src := r
	if !(b.Min[0] >= p.llBox.Min[0] && b.Max[0] <= p.llBox.Max[0] && b.Min[1] >= p.llBox.Min[1] && b.Max[1] <= p.llBox.Max[1]) {
		// clip.Ring uses its input as scratch: clip a (reduced) copy,
		// never the shared level geometry.
		src = clip.Ring(p.llBox, reduceRing(p.llBox, r))
		if len(src) < 4 {
			return nil
		}
	}
	pts, _ := p.projectAll(src)
	ring := roundRing(orb.Ring(pts))
	if len(ring) < 4 || ringArea(ring) == 0 {
		return nil
	}
	return ring
}

// roundLine snaps to integers and drops repeated points.
func roundLine(ls orb.LineString) orb.LineString {
	out := ls[:0:0]
	for _, pt := range ls {
		q := orb.Point{math.Round(pt[0]), math.Round(pt[1])}
		if len(out) > 0 && out[len(out)-1] == q {
			continue
		}
		out = append(out, q)
	}
	return out
}

// roundRing snaps to integers, drops repeated points and closes the ring.
func roundRing(r orb.Ring) orb.Ring {
	out := orb.Ring(roundLine(orb.LineString(r)))
	for len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	if len(out) < 3 {
		return nil
	}
	return append(out, out[0])
}

// ringArea is twice the signed shoelace area in tile coordinates (y down:
// positive means clockwise on screen, an MVT exterior ring).
func ringArea(r orb.Ring) float64 {
	a := 0.0
	for i := 0; i+1 < len(r); i++ {
		a += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return a
}

func reverse(r orb.Ring) {
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
}

// ringBounds memoises the lon/lat bound of each ring of the (immutable,
// shared) level geometries, keyed by the address of its first point, so
// that a deep tile skips the many rings nowhere near it without a pass over
// their vertices. It holds at most one entry per distinct ring of the
// levels (full-detail levels share the input's rings).
type ringBounds struct{ m sync.Map }

func (rb *ringBounds) of(r orb.Ring) orb.Bound {
	if rb == nil {
		return r.Bound()
	}
	k := &r[0]
	if b, ok := rb.m.Load(k); ok {
		return b.(orb.Bound)
	}
	b := r.Bound()
	rb.m.Store(k, b)
	return b
}

// reduceRing copies r without the inner points of runs that stay in one
// outside region of box (left, top-left, top, ...; each region is convex).
// The chord that replaces such a run lies in the same region, so the ring's
// intersection with box is unchanged, and a large ring of which a deep tile
// needs a corner shrinks to a few points before it is clipped and projected.
func reduceRing(box orb.Bound, r orb.Ring) orb.Ring {
	out := make(orb.Ring, 0, 64)
	prev, cur := -1, outCode(box, r[0])
	for i := range r {
		next := -1
		if i+1 < len(r) {
			next = outCode(box, r[i+1])
		}
		if cur == 0 || cur != prev || cur != next {
			out = append(out, r[i])
		}
		prev, cur = cur, next
	}
	return out
}

// outCode is the Cohen–Sutherland region of p: 0 inside box, else a bit
// per side it lies beyond.
func outCode(b orb.Bound, p orb.Point) int {
	c := 0
	if p[0] < b.Min[0] {
		c |= 1
	} else if p[0] > b.Max[0] {
		c |= 2
	}
	if p[1] < b.Min[1] {
		c |= 4
	} else if p[1] > b.Max[1] {
		c |= 8
	}
	return c
}
