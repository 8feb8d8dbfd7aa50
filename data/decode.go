package data

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// The dataset is ~58 MB of GeoJSON, nearly all of it coordinates. Decoding
// them through encoding/json's reflection (orb's geojson types) costs a
// slice header and a reflect call per number; here the coordinates stay a
// json.RawMessage and a small parser turns them into orb types directly,
// several times faster. Anything but the (Multi)Polygon and LineString
// types the dataset holds goes through orb's own decoder.

type fastGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// decodeGeometry decodes one GeoJSON geometry (nil for null).
func decodeGeometry(raw json.RawMessage) (orb.Geometry, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var g fastGeometry
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, err
	}
	depth := map[string]int{"LineString": 2, "Polygon": 3, "MultiPolygon": 4}[g.Type]
	if depth == 0 || len(g.Coordinates) == 0 {
		gg, err := geojson.UnmarshalGeometry(raw)
		if err != nil {
			return nil, err
		}
		return gg.Geometry(), nil
	}
	p := coordParser{b: g.Coordinates}
	switch g.Type {
	case "LineString":
		ls, err := p.line()
		return orb.LineString(ls), p.finish(err)
	case "Polygon":
		poly, err := p.polygon()
		return poly, p.finish(err)
	default:
		mp := orb.MultiPolygon{}
		err := p.list(func() error {
			poly, err := p.polygon()
			mp = append(mp, poly)
			return err
		})
		return mp, p.finish(err)
	}
}

// coordParser reads nested arrays of numbers. The input is a RawMessage
// that encoding/json has already checked to be valid JSON, so the parser
// only needs to check the shape: arrays where positions belong, numbers
// in positions.
type coordParser struct {
	b []byte
	i int
}

func (p *coordParser) skipSpace() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\n' || p.b[p.i] == '\t' || p.b[p.i] == '\r') {
		p.i++
	}
}

func (p *coordParser) errorf(format string, args ...any) error {
	return fmt.Errorf("coordinates: byte %d: %s", p.i, fmt.Sprintf(format, args...))
}

// list reads [item, item, ...], calling item for each element.
func (p *coordParser) list(item func() error) error {
	p.skipSpace()
	if p.i >= len(p.b) || p.b[p.i] != '[' {
		return p.errorf("want an array")
	}
	p.i++
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return nil
	}
	for {
		if err := item(); err != nil {
			return err
		}
		p.skipSpace()
		if p.i >= len(p.b) {
			return p.errorf("unterminated array")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return nil
		default:
			return p.errorf("want , or ]")
		}
	}
}

// point reads [x, y] or [x, y, z] (a third value is dropped, as orb does).
func (p *coordParser) point() (orb.Point, error) {
	var pt orb.Point
	n := 0
	err := p.list(func() error {
		p.skipSpace()
		start := p.i
		for p.i < len(p.b) && isNumberByte(p.b[p.i]) {
			p.i++
		}
		v, err := strconv.ParseFloat(string(p.b[start:p.i]), 64)
		if err != nil {
			return p.errorf("want a number")
		}
		if n < 2 {
			pt[n] = v
		}
		n++
		return nil
	})
	if err == nil && n < 2 {
		err = p.errorf("a position needs two numbers, got %d", n)
	}
	return pt, err
}

func (p *coordParser) line() ([]orb.Point, error) {
	out := []orb.Point{}
	err := p.list(func() error {
		pt, err := p.point()
		out = append(out, pt)
		return err
	})
	return out, err
}

func (p *coordParser) polygon() (orb.Polygon, error) {
	poly := orb.Polygon{}
	err := p.list(func() error {
		r, err := p.line()
		poly = append(poly, orb.Ring(r))
		return err
	})
	return poly, err
}

// finish fails on anything after the outermost array.
func (p *coordParser) finish(err error) error {
	if err != nil {
		return err
	}
	p.skipSpace()
	if p.i != len(p.b) {
		return p.errorf("unexpected data after the coordinates")
	}
	return nil
}

func isNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// decodeFast decodes a FeatureCollection with decodeGeometry; ok is false
// when orb's decoder might read it differently (the caller then uses orb).
// Members are matched case-sensitively and the types checked, as orb does.
func decodeFast(raw []byte) ([]Feature, bool) {
	var top map[string]json.RawMessage
	if json.Unmarshal(raw, &top) != nil || string(top["type"]) != `"FeatureCollection"` {
		return nil, false
	}
	var feats []map[string]json.RawMessage
	if f, ok := top["features"]; ok && json.Unmarshal(f, &feats) != nil {
		return nil, false
	}
	out := make([]Feature, 0, len(feats))
	for _, f := range feats {
		if f == nil || string(f["type"]) != `"Feature"` {
			return nil, false
		}
		var id any
		if raw, ok := f["id"]; ok && json.Unmarshal(raw, &id) != nil {
			return nil, false
		}
		var props map[string]any
		if raw, ok := f["properties"]; ok && json.Unmarshal(raw, &props) != nil {
			return nil, false
		}
		if props == nil {
			props = map[string]any{}
		}
		g, err := decodeGeometry(f["geometry"])
		if err != nil {
			return nil, false
		}
		out = append(out, Feature{ID: featureID(id, props), Geometry: g, Properties: props})
	}
	return out, true
}
