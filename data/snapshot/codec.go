package snapshot

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// writer appends the primitives of the section encoding.
type writer struct{ b []byte }

func (w *writer) uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *writer) varint(v int64)   { w.b = binary.AppendVarint(w.b, v) }
func (w *writer) byte(v byte)      { w.b = append(w.b, v) }
func (w *writer) float(v float64)  { w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(v)) }
func (w *writer) bytes(s []byte)   { w.uvarint(uint64(len(s))); w.b = append(w.b, s...) }
func (w *writer) string(s string)  { w.uvarint(uint64(len(s))); w.b = append(w.b, s...) }

// lists writes offsets as deltas (they ascend) and the items as they are.
// gridLists writes a grid's offsets as deltas and each item i as 2i, or
// 2(^i)+1 for a boundary item ^i, so every value is a small uvarint.
func (w *writer) gridLists(start, items []int32) {
	w.uvarint(uint64(len(start)))
	prev := int32(0)
	for _, s := range start {
		w.uvarint(uint64(s - prev))
		prev = s
	}
	w.uvarint(uint64(len(items)))
	for _, v := range items {
		if v < 0 {
			w.uvarint(uint64(^v)<<1 | 1)
		} else {
			w.uvarint(uint64(v) << 1)
		}
	}
}

// reader decodes a section; the first error sticks and later reads return
// zero values, so decoders check r.err once per item.
type reader struct {
	section string
	b       []byte
	off     int
	err     error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("snapshot: section %q at byte %d: %s", r.section, r.off, fmt.Sprintf(format, args...))
	}
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.fail("bad or truncated varint")
		return 0
	}
	r.off += n
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b[r.off:])
	if n <= 0 {
		r.fail("bad or truncated varint")
		return 0
	}
	r.off += n
	return v
}

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if r.off >= len(r.b) {
		r.fail("truncated")
		return 0
	}
	r.off++
	return r.b[r.off-1]
}

func (r *reader) float() float64 {
	if r.err != nil {
		return 0
	}
	if len(r.b)-r.off < 8 {
		r.fail("truncated")
		return 0
	}
	r.off += 8
	return math.Float64frombits(binary.LittleEndian.Uint64(r.b[r.off-8:]))
}

// count reads a count of items each at least min bytes long, rejecting one
// the rest of the section could not hold (no huge allocations on damage).
func (r *reader) count(what string, min int) int {
	n := r.uvarint()
	if r.err == nil && n > uint64((len(r.b)-r.off)/min) {
		r.fail("%s count %d exceeds the section", what, n)
		return 0
	}
	return int(n)
}

func (r *reader) bytes() []byte {
	n := r.count("byte", 1)
	if r.err != nil {
		return nil
	}
	r.off += n
	return r.b[r.off-n : r.off]
}

func (r *reader) string() string { return string(r.bytes()) }

func (r *reader) gridLists() (start, items []int32) {
	start = make([]int32, r.count("grid offset", 1))
	prev := uint64(0)
	for i := range start {
		prev += r.uvarint()
		if prev > math.MaxInt32 {
			r.fail("grid offset overflows")
		}
		start[i] = int32(prev)
	}
	items = make([]int32, r.count("grid item", 1))
	for i := range items {
		v := r.uvarint()
		if v>>1 > math.MaxInt32 {
			r.fail("grid item overflows")
		}
		if items[i] = int32(v >> 1); v&1 == 1 {
			items[i] = ^items[i]
		}
	}
	return start, items
}

func (r *reader) done() error {
	if r.err == nil && r.off != len(r.b) {
		r.fail("%d unexpected trailing bytes", len(r.b)-r.off)
	}
	return r.err
}

const (
	tagNil byte = iota
	tagPoint
	tagLineString
	tagPolygon
	tagMultiPolygon
	tagMultiLineString
	tagRaw byte = 0x80
)

// gridScale: coordinates are stored in units of 1e-5°, the precision the
// build writes the GeoJSON with.
const gridScale = 1e5

// onGrid reports whether every coordinate round-trips through the grid.
func onGrid(pts []orb.Point) bool {
	for _, p := range pts {
		for _, v := range p {
			q := math.Round(v * gridScale)
			if math.Abs(q) > 1<<52 || q/gridScale != v {
				return false
			}
		}
	}
	return true
}

func geometryOnGrid(g orb.Geometry) bool {
	switch t := g.(type) {
	case orb.Point:
		return onGrid([]orb.Point{t})
	case orb.LineString:
		return onGrid(t)
	case orb.Polygon:
		for _, r := range t {
			if !onGrid(r) {
				return false
			}
		}
	case orb.MultiPolygon:
		for _, p := range t {
			if !geometryOnGrid(p) {
				return false
			}
		}
	case orb.MultiLineString:
		for _, l := range t {
			if !onGrid(l) {
				return false
			}
		}
	}
	return true
}

// geometry writes g (one of the types of the tag list).
func (w *writer) geometry(g orb.Geometry) error {
	var tag byte
	switch g.(type) {
	case nil:
		w.byte(tagNil)
		return nil
	case orb.Point:
		tag = tagPoint
	case orb.LineString:
		tag = tagLineString
	case orb.Polygon:
		tag = tagPolygon
	case orb.MultiPolygon:
		tag = tagMultiPolygon
	case orb.MultiLineString:
		tag = tagMultiLineString
	default:
		return fmt.Errorf("snapshot: unsupported geometry %T", g)
	}
	raw := !geometryOnGrid(g)
	if raw {
		tag |= tagRaw
	}
	w.byte(tag)
	var px, py int64
	points := func(pts []orb.Point) {
		w.uvarint(uint64(len(pts)))
		for _, p := range pts {
			if raw {
				w.float(p[0])
				w.float(p[1])
				continue
			}
			x, y := int64(math.Round(p[0]*gridScale)), int64(math.Round(p[1]*gridScale))
			w.varint(x - px)
			w.varint(y - py)
			px, py = x, y
		}
	}
	polygon := func(p orb.Polygon) {
		w.uvarint(uint64(len(p)))
		for _, r := range p {
			points(r)
		}
	}
	switch t := g.(type) {
	case orb.Point:
		points([]orb.Point{t})
	case orb.LineString:
		points(t)
	case orb.Polygon:
		polygon(t)
	case orb.MultiPolygon:
		w.uvarint(uint64(len(t)))
		for _, p := range t {
			polygon(p)
		}
	case orb.MultiLineString:
		w.uvarint(uint64(len(t)))
		for _, l := range t {
			points(l)
		}
	}
	return nil
}

var errBadGeometry = errors.New("bad geometry")

// geometry reads one geometry written by writer.geometry.
func (r *reader) geometry() orb.Geometry {
	tag := r.byte()
	if r.err != nil {
		return nil
	}
	raw := tag&tagRaw != 0
	minPoint := 2 // two one-byte varints at least
	if raw {
		minPoint = 16
	}
	var px, py int64
	points := func() []orb.Point {
		pts := make([]orb.Point, r.count("point", minPoint))
		for i := range pts {
			if raw {
				pts[i] = orb.Point{r.float(), r.float()}
				continue
			}
			px += r.varint()
			py += r.varint()
			pts[i] = orb.Point{float64(px) / gridScale, float64(py) / gridScale}
		}
		return pts
	}
	polygon := func() orb.Polygon {
		p := make(orb.Polygon, r.count("ring", 1))
		for i := range p {
			p[i] = points()
		}
		return p
	}
	switch tag &^ tagRaw {
	case tagNil:
		if raw {
			r.fail("%v: raw nil", errBadGeometry)
		}
		return nil
	case tagPoint:
		pts := points()
		if r.err == nil && len(pts) != 1 {
			r.fail("%v: point with %d coordinates", errBadGeometry, len(pts))
			return nil
		}
		if r.err != nil {
			return nil
		}
		return pts[0]
	case tagLineString:
		return orb.LineString(points())
	case tagPolygon:
		return polygon()
	case tagMultiPolygon:
		mp := make(orb.MultiPolygon, r.count("polygon", 1))
		for i := range mp {
			mp[i] = polygon()
		}
		return mp
	case tagMultiLineString:
		ml := make(orb.MultiLineString, r.count("line", 1))
		for i := range ml {
			ml[i] = points()
		}
		return ml
	}
	r.fail("%v: unknown tag %#x", errBadGeometry, tag)
	return nil
}
