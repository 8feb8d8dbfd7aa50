package api

// A small FlatGeobuf (https://flatgeobuf.org, v3) writer: the magic bytes,
// a size-prefixed FlatBuffers Header (name, envelope, geometry type, the
// columns, the feature count, no spatial index, CRS84 as EPSG:4326 with
// lon/lat order) and one size-prefixed Feature per row. The FlatBuffers
// are laid out front to back by fbWriter: a table's vtable just before it,
// its strings, vectors and sub-tables after it (uoffsets point forward, as
// the format requires), every scalar aligned to its size from the buffer
// start and each buffer padded to 8 bytes. No FlatGeobuf Go module is
// served here and the google/flatbuffers builder would add a dependency
// for ~200 lines; ogrinfo (GDAL's FlatGeobuf driver, which verifies the
// buffers) reads the output in TestFlatGeobufReadsInGDAL.

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/paulmach/orb"
)

var fgbMagic = []byte{0x66, 0x67, 0x62, 0x03, 0x66, 0x67, 0x62, 0x00}

// FlatGeobuf enums.
const (
	fgbPoint           = 1
	fgbLineString      = 2
	fgbPolygon         = 3
	fgbMultiPoint      = 4
	fgbMultiLineString = 5
	fgbMultiPolygon    = 6

	fgbColBool   = 2
	fgbColLong   = 7
	fgbColDouble = 10
	fgbColString = 11
)

var fgbGeometryTypes = map[string]byte{
	"Point": fgbPoint, "LineString": fgbLineString, "Polygon": fgbPolygon,
	"MultiPoint": fgbMultiPoint, "MultiLineString": fgbMultiLineString, "MultiPolygon": fgbMultiPolygon,
}

// fbField is one field of a table: a scalar (raw little-endian bytes) or a
// reference written after the table.
type fbField struct {
	slot   int
	scalar []byte
	ref    func(w *fbWriter) int // writes the referenced object, returns its position
}

type fbWriter struct{ b []byte }

func (w *fbWriter) pad(align int) {
	for len(w.b)%align != 0 {
		w.b = append(w.b, 0)
	}
}

func (w *fbWriter) u32At(pos int, v uint32) { binary.LittleEndian.PutUint32(w.b[pos:], v) }

// table writes a vtable and its table; returns the table's position.
func (w *fbWriter) table(fields []fbField) int {
	slots := 0
	for _, f := range fields {
		slots = max(slots, f.slot+1)
	}
	// Inline layout after the 4-byte soffset: largest scalars first keeps
	// every field aligned when the table starts 8-aligned.
	order := make([]int, len(fields))
	for i := range order {
		order[i] = i
	}
	size := func(f fbField) int {
		if f.ref != nil {
			return 4
		}
		return len(f.scalar)
	}
	sort.SliceStable(order, func(a, b int) bool { return size(fields[order[a]]) > size(fields[order[b]]) })
	offsets := make([]int, len(fields))
	at := 4
	for _, i := range order {
		s := size(fields[i])
		for at%s != 0 {
			at++
		}
		offsets[i] = at
		at += s
	}
	tableSize := at
	// vtable: [vtable size][table size][slot offsets...], 2-aligned; place
	// it so that the table after it starts 8-aligned.
	vtSize := 4 + 2*slots
	w.pad(2)
	for (len(w.b)+vtSize)%8 != 0 {
		w.b = append(w.b, 0, 0)
	}
	vt := len(w.b)
	w.b = binary.LittleEndian.AppendUint16(w.b, uint16(vtSize))
	w.b = binary.LittleEndian.AppendUint16(w.b, uint16(tableSize))
	slotOff := make([]uint16, slots)
	for i, f := range fields {
		slotOff[f.slot] = uint16(offsets[i])
	}
	for _, o := range slotOff {
		w.b = binary.LittleEndian.AppendUint16(w.b, o)
	}
	tpos := len(w.b)
	w.b = append(w.b, make([]byte, tableSize)...)
	binary.LittleEndian.PutUint32(w.b[tpos:], uint32(int32(tpos-vt)))
	for i, f := range fields {
		if f.ref == nil {
			copy(w.b[tpos+offsets[i]:], f.scalar)
		}
	}
	for i, f := range fields {
		if f.ref != nil {
			pos := tpos + offsets[i]
			child := f.ref(w)
			w.u32At(pos, uint32(child-pos))
		}
	}
	return tpos
}

func (w *fbWriter) str(s string) int {
	w.pad(4)
	pos := len(w.b)
	w.b = binary.LittleEndian.AppendUint32(w.b, uint32(len(s)))
	w.b = append(w.b, s...)
	w.b = append(w.b, 0)
	return pos
}

// scalarVector writes a vector of elemSize-byte scalars (raw bytes).
func (w *fbWriter) scalarVector(n, elemSize int, raw []byte) int {
	w.pad(4)
	for (len(w.b)+4)%max(elemSize, 4) != 0 {
		w.b = append(w.b, 0)
	}
	pos := len(w.b)
	w.b = binary.LittleEndian.AppendUint32(w.b, uint32(n))
	w.b = append(w.b, raw...)
	return pos
}

func (w *fbWriter) tableVector(tables []func(w *fbWriter) int) int {
	w.pad(4)
	pos := len(w.b)
	w.b = binary.LittleEndian.AppendUint32(w.b, uint32(len(tables)))
	w.b = append(w.b, make([]byte, 4*len(tables))...)
	for i, t := range tables {
		slot := pos + 4 + 4*i
		child := t(w)
		w.u32At(slot, uint32(child-slot))
	}
	return pos
}

// finish wraps a root table as a size-prefixed buffer (padded to 8).
func fbBuffer(root func(w *fbWriter) int) []byte {
	w := &fbWriter{b: make([]byte, 4, 256)}
	rootPos := root(w)
	w.u32At(0, uint32(rootPos))
	w.pad(8)
	out := binary.LittleEndian.AppendUint32(nil, uint32(len(w.b)))
	return append(out, w.b...)
}

func u8(v byte) []byte    { return []byte{v} }
func u16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func i32(v int32) []byte  { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }
func u64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
func strRef(s string) func(w *fbWriter) int {
	return func(w *fbWriter) int { return w.str(s) }
}
func doublesRef(vs []float64) func(w *fbWriter) int {
	return func(w *fbWriter) int {
		raw := make([]byte, 0, 8*len(vs))
		for _, v := range vs {
			raw = binary.LittleEndian.AppendUint64(raw, math.Float64bits(v))
		}
		return w.scalarVector(len(vs), 8, raw)
	}
}

func fgbColumnType(t string) byte {
	switch t {
	case "integer":
		return fgbColLong
	case "number":
		return fgbColDouble
	case "boolean":
		return fgbColBool
	}
	return fgbColString
}

// encodeFlatGeobuf writes the page as a FlatGeobuf file.
func encodeFlatGeobuf(name, geomType string, cols []downloadColumn, feats []data.Feature, page []int, geoms []orb.Geometry, precision int) ([]byte, error) {
	gt, ok := fgbGeometryTypes[geomType]
	if !ok {
		return nil, fmt.Errorf("flatgeobuf: collection %s has no single geometry type (%q)", name, geomType)
	}
	env := orb.Bound{}
	first := true
	for _, g := range geoms {
		if g == nil {
			continue
		}
		if first {
			env, first = g.Bound(), false
		} else {
			env = env.Union(g.Bound())
		}
	}
	columns := make([]func(w *fbWriter) int, 0, len(cols)+1)
	allCols := append([]downloadColumn{{Name: "id", Type: "string"}}, withoutID(cols)...)
	for _, c := range allCols {
		c := c
		columns = append(columns, func(w *fbWriter) int {
			return w.table([]fbField{{slot: 0, ref: strRef(c.Name)}, {slot: 1, scalar: u8(fgbColumnType(c.Type))}})
		})
	}
	header := []fbField{
		{slot: 0, ref: strRef(name)},
		{slot: 2, scalar: u8(gt)},
		{slot: 7, ref: func(w *fbWriter) int { return w.tableVector(columns) }},
		{slot: 8, scalar: u64(uint64(len(page)))},
		{slot: 9, scalar: u16(0)}, // no spatial index
		{slot: 10, ref: func(w *fbWriter) int {
			return w.table([]fbField{{slot: 0, ref: strRef("EPSG")}, {slot: 1, scalar: i32(4326)}})
		}},
	}
	if !first {
		header = append(header, fbField{slot: 1, ref: doublesRef([]float64{env.Min[0], env.Min[1], env.Max[0], env.Max[1]})})
	}
	out := append([]byte{}, fgbMagic...)
	out = append(out, fbBuffer(func(w *fbWriter) int { return w.table(header) })...)
	round := func(v float64) float64 {
		if precision >= 0 && precision <= MaxPrecision {
			return math.Round(v*pow10[precision]) / pow10[precision]
		}
		return v
	}
	for n, i := range page {
		f := &feats[i]
		props := fgbProperties(f, allCols)
		fields := []fbField{{slot: 1, ref: func(w *fbWriter) int { return w.scalarVector(len(props), 1, props) }}}
		if g := geoms[n]; g != nil {
			fields = append(fields, fbField{slot: 0, ref: fgbGeometry(g, round)})
		}
		out = append(out, fbBuffer(func(w *fbWriter) int { return w.table(fields) })...)
	}
	return out, nil
}

func withoutID(cols []downloadColumn) []downloadColumn {
	out := make([]downloadColumn, 0, len(cols))
	for _, c := range cols {
		if c.Name != "id" {
			out = append(out, c)
		}
	}
	return out
}

// fgbProperties encodes the non-null values: uint16 column index, value.
func fgbProperties(f *data.Feature, cols []downloadColumn) []byte {
	var b []byte
	for ci, c := range cols {
		var v any
		if ci == 0 {
			v = f.ID
		} else {
			v = f.Properties[c.Name]
		}
		if v == nil {
			continue
		}
		switch fgbColumnType(c.Type) {
		case fgbColLong:
			x, ok := v.(float64)
			if !ok {
				continue
			}
			b = binary.LittleEndian.AppendUint16(b, uint16(ci))
			b = binary.LittleEndian.AppendUint64(b, uint64(int64(x)))
		case fgbColDouble:
			x, ok := v.(float64)
			if !ok {
				continue
			}
			b = binary.LittleEndian.AppendUint16(b, uint16(ci))
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
		case fgbColBool:
			x, ok := v.(bool)
			if !ok {
				continue
			}
			b = binary.LittleEndian.AppendUint16(b, uint16(ci))
			if x {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		default:
			s := cellValue(v)
			b = binary.LittleEndian.AppendUint16(b, uint16(ci))
			b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
			b = append(b, s...)
		}
	}
	return b
}

// fgbGeometry is the Geometry table: xy and ring ends for one part, parts
// for the Multi types (MultiPolygon: one Polygon part each).
func fgbGeometry(g orb.Geometry, round func(float64) float64) func(w *fbWriter) int {
	flat := func(rings ...[]orb.Point) (xy []float64, ends []uint32) {
		for _, r := range rings {
			for _, p := range r {
				xy = append(xy, round(p[0]), round(p[1]))
			}
			ends = append(ends, uint32(len(xy)/2))
		}
		return xy, ends
	}
	endsRef := func(ends []uint32) func(w *fbWriter) int {
		return func(w *fbWriter) int {
			raw := make([]byte, 0, 4*len(ends))
			for _, e := range ends {
				raw = binary.LittleEndian.AppendUint32(raw, e)
			}
			return w.scalarVector(len(ends), 4, raw)
		}
	}
	simple := func(t byte, rings ...[]orb.Point) func(w *fbWriter) int {
		xy, ends := flat(rings...)
		fields := []fbField{{slot: 1, ref: doublesRef(xy)}, {slot: 6, scalar: u8(t)}}
		if len(rings) > 1 {
			fields = append(fields, fbField{slot: 0, ref: endsRef(ends)})
		}
		return func(w *fbWriter) int { return w.table(fields) }
	}
	switch t := g.(type) {
	case orb.Point:
		return simple(fgbPoint, []orb.Point{t})
	case orb.MultiPoint:
		return simple(fgbMultiPoint, t)
	case orb.LineString:
		return simple(fgbLineString, t)
	case orb.MultiLineString:
		rings := make([][]orb.Point, len(t))
		for i, l := range t {
			rings[i] = l
		}
		xy, ends := flat(rings...)
		return func(w *fbWriter) int {
			return w.table([]fbField{{slot: 0, ref: endsRef(ends)}, {slot: 1, ref: doublesRef(xy)}, {slot: 6, scalar: u8(fgbMultiLineString)}})
		}
	case orb.Polygon:
		rings := make([][]orb.Point, len(t))
		for i, r := range t {
			rings[i] = r
		}
		return simple(fgbPolygon, rings...)
	case orb.MultiPolygon:
		parts := make([]func(w *fbWriter) int, len(t))
		for i, p := range t {
			parts[i] = fgbGeometry(p, round)
		}
		return func(w *fbWriter) int {
			return w.table([]fbField{{slot: 6, scalar: u8(fgbMultiPolygon)}, {slot: 7, ref: func(w *fbWriter) int { return w.tableVector(parts) }}})
		}
	}
	return func(w *fbWriter) int { return w.table(nil) }
}
