package api

import (
	"bytes"
	"encoding/json"
	"github.com/clusteratlas/clusteratlas/geo"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/paulmach/orb"
)

// geometryOptions shape the geometry part of an encoded feature.
type geometryOptions struct {
	Omit      bool // geometry: null
	Precision int  // coordinate decimals; <0 keeps full precision
	Zoom      int  // simplification level; <0 serves the stored geometry
	// CRS of the served coordinates (nil: CRS84, as stored; see crs.go)
	CRS *crsDef
}

// featureOptions shape one encoded feature.
type featureOptions struct {
	geometryOptions
	Keep  []string       // property names to keep (nil: all)
	Extra map[string]any // properties added by the query (distance_km, ...)
	// Encoded, when set, is the feature's properties already encoded as
	// JSON (see propcache.go); Extra is appended to it.
	Encoded []byte
	// Tag, with Encoded and no Extra, is a pre-rendered member appended to
	// the encoded properties (`"collection":"clusters"`).
	Tag []byte
	// CurvedFlows serves flows as the curved lines the tiles draw (the items
	// endpoints decide this through flow_shape; see servedGeometry).
	CurvedFlows bool
	// Summary asks for the collection's summary properties (a /locate
	// answer) unless Keep names others.
	Summary bool
}

// featureGeometry picks the geometry to serve for feature i of a collection.
func featureGeometry(st *State, collection string, i int, f *data.Feature, o geometryOptions) orb.Geometry {
	if o.Omit {
		return nil
	}
	if o.Zoom >= 0 && st.Levels != nil && isPolygonLayer(collection) {
		return st.Levels.Geometry(collection, i, o.Zoom)
	}
	return f.Geometry
}

func isPolygonLayer(name string) bool {
	for _, l := range polygonLayers {
		if l == name {
			return true
		}
	}
	return false
}

// appendFeature writes one GeoJSON Feature. Properties go through
// encoding/json (sorted keys, so equal requests give equal bytes, which the
// strong ETag promises); geometry is written by hand to apply precision
// without copying the shared geometry.
func appendFeature(buf []byte, f *data.Feature, geom orb.Geometry, o featureOptions) []byte {
	buf = append(buf, `{"type":"Feature","id":`...)
	buf = appendJSONString(buf, f.ID)
	buf = append(buf, `,"geometry":`...)
	buf = appendGeometry(buf, promotePolygon(geom), o.Precision)
	buf = append(buf, `,"properties":`...)
	if !o.CRS.isStorage() && o.CRS.Datum != geo.WGS84 {
		o = relabel(f, o) // the label point follows the datum asked for
	}
	if o.Encoded != nil && o.Tag != nil && len(o.Extra) == 0 {
		buf = append(buf, o.Encoded[:len(o.Encoded)-1]...) // without its "}"
		if len(o.Encoded) > 2 {
			buf = append(buf, ',')
		}
		buf = append(buf, o.Tag...)
		return append(buf, "}}"...)
	}
	if o.Encoded != nil {
		return append(appendExtra(buf, o.Encoded, o.Extra), '}')
	}
	props := f.Properties
	if o.Keep != nil || len(o.Extra) > 0 {
		props = make(map[string]any, len(f.Properties)+len(o.Extra))
		if o.Keep == nil {
			for k, v := range f.Properties {
				props[k] = v
			}
		} else {
			for _, k := range o.Keep {
				if v, ok := f.Properties[k]; ok {
					props[k] = v
				}
			}
		}
		for k, v := range o.Extra {
			props[k] = v
		}
	}
	raw, err := json.Marshal(props)
	if err != nil {
		raw = []byte("{}") // properties come from decoded JSON: cannot fail in practice
	}
	buf = append(buf, raw...)
	return append(buf, '}')
}

// appendExtra appends an encoded properties object with the query's extra
// members spliced in before its closing brace (sorted, so the bytes are
// the same for the same request).
func appendExtra(buf, encoded []byte, extra map[string]any) []byte {
	if len(extra) == 0 {
		return append(buf, encoded...)
	}
	body := bytes.TrimSuffix(bytes.TrimSpace(encoded), []byte("}"))
	buf = append(buf, body...)
	first := len(body) == 1 // "{" only: an empty object
	for _, k := range sortedKeys(extra) {
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = appendJSONString(buf, k)
		buf = append(buf, ':')
		buf = append(buf, mustMarshal(extra[k])...)
	}
	return append(buf, '}')
}

// appendJSONString writes s as a JSON string. Written by hand because the
// answers write many short strings and json.Marshal allocates for each:
// quotes, backslashes and control characters are escaped, everything else
// (UTF-8 included) is copied; invalid UTF-8 becomes U+FFFD, as
// encoding/json does.
func appendJSONString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				buf = append(buf, '\\', c)
			case c < 0x20:
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				buf = append(buf, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, "\\ufffd"...)
		} else {
			buf = append(buf, s[i:i+size]...)
		}
		i += size
	}
	return append(buf, '"')
}

// appendGeometry writes g as GeoJSON ("null" for nil).
func appendGeometry(buf []byte, g orb.Geometry, precision int) []byte {
	switch g := g.(type) {
	case nil:
		return append(buf, "null"...)
	case orb.Point:
		buf = append(buf, `{"type":"Point","coordinates":`...)
		buf = appendPoint(buf, g, precision)
	case orb.MultiPoint:
		buf = append(buf, `{"type":"MultiPoint","coordinates":`...)
		buf = appendPoints(buf, g, precision)
	case orb.LineString:
		buf = append(buf, `{"type":"LineString","coordinates":`...)
		buf = appendPoints(buf, g, precision)
	case orb.MultiLineString:
		buf = append(buf, `{"type":"MultiLineString","coordinates":[`...)
		for i, l := range g {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendPoints(buf, l, precision)
		}
		buf = append(buf, ']')
	case orb.Ring:
		return appendGeometry(buf, orb.Polygon{g}, precision)
	case orb.Polygon:
		buf = append(buf, `{"type":"Polygon","coordinates":`...)
		buf = appendPolygon(buf, g, precision)
	case orb.MultiPolygon:
		buf = append(buf, `{"type":"MultiPolygon","coordinates":[`...)
		for i, p := range g {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendPolygon(buf, p, precision)
		}
		buf = append(buf, ']')
	case orb.Collection:
		buf = append(buf, `{"type":"GeometryCollection","geometries":[`...)
		for i, c := range g {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendGeometry(buf, c, precision)
		}
		return append(buf, "]}"...)
	case orb.Bound:
		return appendGeometry(buf, g.ToPolygon(), precision)
	default:
		return append(buf, "null"...)
	}
	return append(buf, '}')
}

func appendPolygon(buf []byte, p orb.Polygon, precision int) []byte {
	buf = append(buf, '[')
	for i, r := range p {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendPoints(buf, r, precision)
	}
	return append(buf, ']')
}

func appendPoints(buf []byte, pts []orb.Point, precision int) []byte {
	buf = append(buf, '[')
	for i, p := range pts {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendPoint(buf, p, precision)
	}
	return append(buf, ']')
}

func appendPoint(buf []byte, p orb.Point, precision int) []byte {
	buf = append(buf, '[')
	buf = appendCoord(buf, p[0], precision)
	buf = append(buf, ',')
	buf = appendCoord(buf, p[1], precision)
	return append(buf, ']')
}

var pow10 = func() [MaxPrecision + 1]float64 {
	var t [MaxPrecision + 1]float64
	for i := range t {
		t[i] = math.Pow(10, float64(i))
	}
	return t
}()

// appendCoord writes a coordinate rounded to precision decimals (shortest
// form, no trailing zeros); precision < 0 keeps the stored value.
func appendCoord(buf []byte, v float64, precision int) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(buf, '0') // cannot occur in checked data; keeps the JSON valid
	}
	if precision >= 0 && precision <= MaxPrecision {
		v = math.Round(v*pow10[precision]) / pow10[precision]
		if v == 0 {
			v = 0 // no "-0"
		}
	}
	return strconv.AppendFloat(buf, v, 'f', -1, 64)
}

// roundTo rounds a measure for display (areas, distances).
func roundTo(v float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(v*p) / p
}

func appendInt(buf []byte, v int) []byte { return strconv.AppendInt(buf, int64(v), 10) }

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// marshalJSON is json.Marshal without HTML escaping, so links keep a
// literal "&" (the output is never embedded in HTML).
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
