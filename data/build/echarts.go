package build

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf16"
)

// echartsScale is echarts' default quantisation: coordinates are integers in
// units of 1/1024 degree.
const echartsScale = 1024

// rawFeature is one feature of an echarts map, before decoding.
type rawFeature struct {
	ID         json.RawMessage `json:"id"`
	Properties struct {
		Name string `json:"name"`
	} `json:"properties"`
	Geometry struct {
		Type          string          `json:"type"`
		Coordinates   json.RawMessage `json:"coordinates"`
		EncodeOffsets json.RawMessage `json:"encodeOffsets"`
	} `json:"geometry"`
}

type rawMap struct {
	Features     []rawFeature `json:"features"`
	UTF8Encoding bool         `json:"UTF8Encoding"`
}

// SourceFeature is a decoded boundary feature: rings in integer grid units
// (1/1024°), as polygons of rings (first ring the shell).
type SourceFeature struct {
	Code     string // GB/T 2260 code, "" when the source has none
	Name     string
	Polygons [][]Ring
}

// DecodeRegisterMap extracts the GeoJSON object passed to
// echarts.registerMap(name, {...}) in a JS file and decodes its features.
func DecodeRegisterMap(js []byte) (mapName string, features []SourceFeature, err error) {
	i := bytes.Index(js, []byte("registerMap("))
	if i < 0 {
		return "", nil, fmt.Errorf("no echarts.registerMap call")
	}
	rest := js[i+len("registerMap("):]
	dec := json.NewDecoder(bytes.NewReader(rest))
	if err := dec.Decode(&mapName); err != nil {
		// the name is a JS string literal in single quotes: read it by hand
		rest = bytes.TrimSpace(rest)
		if len(rest) == 0 || rest[0] != '\'' {
			return "", nil, fmt.Errorf("registerMap: cannot read map name")
		}
		end := bytes.IndexByte(rest[1:], '\'')
		if end < 0 {
			return "", nil, fmt.Errorf("registerMap: unterminated map name")
		}
		mapName = string(rest[1 : end+1])
		rest = rest[end+2:]
	} else {
		rest = rest[dec.InputOffset():]
	}
	j := bytes.IndexByte(rest, '{')
	if j < 0 {
		return mapName, nil, fmt.Errorf("registerMap(%q): no map object", mapName)
	}
	var m rawMap
	if err := json.NewDecoder(bytes.NewReader(rest[j:])).Decode(&m); err != nil {
		return mapName, nil, fmt.Errorf("registerMap(%q): %w", mapName, err)
	}
	for k, f := range m.Features {
		sf, err := decodeFeature(f, m.UTF8Encoding)
		if err != nil {
			return mapName, nil, fmt.Errorf("registerMap(%q) feature %d (%s): %w", mapName, k, f.Properties.Name, err)
		}
		features = append(features, sf)
	}
	return mapName, features, nil
}

func decodeFeature(f rawFeature, encoded bool) (SourceFeature, error) {
	sf := SourceFeature{Name: f.Properties.Name}
	var code string
	if len(f.ID) > 0 && json.Unmarshal(f.ID, &code) != nil {
		var n json.Number
		if json.Unmarshal(f.ID, &n) == nil {
			code = n.String()
		}
	}
	sf.Code = code
	if !encoded {
		return sf, fmt.Errorf("map is not UTF8Encoding: plain coordinates are read with --boundaries")
	}
	switch f.Geometry.Type {
	case "Polygon":
		var rings []string
		var offsets [][2]int
		if err := json.Unmarshal(f.Geometry.Coordinates, &rings); err != nil {
			return sf, fmt.Errorf("coordinates: %w", err)
		}
		if err := json.Unmarshal(f.Geometry.EncodeOffsets, &offsets); err != nil {
			return sf, fmt.Errorf("encodeOffsets: %w", err)
		}
		poly, err := decodeRings(rings, offsets)
		if err != nil {
			return sf, err
		}
		if len(poly) > 0 { // 蓟州区 has "coordinates": []
			sf.Polygons = append(sf.Polygons, poly)
		}
	case "MultiPolygon":
		var polys [][]string
		var offsets [][][2]int
		if err := json.Unmarshal(f.Geometry.Coordinates, &polys); err != nil {
			return sf, fmt.Errorf("coordinates: %w", err)
		}
		if err := json.Unmarshal(f.Geometry.EncodeOffsets, &offsets); err != nil {
			return sf, fmt.Errorf("encodeOffsets: %w", err)
		}
		if len(offsets) != len(polys) {
			return sf, fmt.Errorf("%d polygons but %d offset lists", len(polys), len(offsets))
		}
		for p := range polys {
			poly, err := decodeRings(polys[p], offsets[p])
			if err != nil {
				return sf, fmt.Errorf("polygon %d: %w", p, err)
			}
			sf.Polygons = append(sf.Polygons, poly)
		}
	case "":
		// empty geometry (e.g. 蓟州区 in the counties package): no polygons
	default:
		return sf, fmt.Errorf("unsupported geometry type %q", f.Geometry.Type)
	}
	return sf, nil
}

func decodeRings(rings []string, offsets [][2]int) ([]Ring, error) {
	if len(offsets) != len(rings) {
		return nil, fmt.Errorf("%d rings but %d offsets", len(rings), len(offsets))
	}
	out := make([]Ring, 0, len(rings))
	for i, s := range rings {
		r, err := DecodeRing(s, offsets[i])
		if err != nil {
			return nil, fmt.Errorf("ring %d: %w", i, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// DecodeRing decodes one echarts-compressed ring: pairs of UTF-16 code units,
// each minus 64, zigzag-decoded, delta-coded from the given offset. The
// result stays in integer 1/1024° units, so no precision is lost.
func DecodeRing(s string, offset [2]int) (Ring, error) {
	units := utf16.Encode([]rune(s))
	if len(units)%2 != 0 {
		return nil, fmt.Errorf("odd number of code units (%d)", len(units))
	}
	ring := make(Ring, 0, len(units)/2)
	x, y := offset[0], offset[1]
	for i := 0; i < len(units); i += 2 {
		dx := int(units[i]) - 64
		dy := int(units[i+1]) - 64
		if dx < 0 || dy < 0 {
			return nil, fmt.Errorf("code unit below 64 at %d", i)
		}
		x += (dx >> 1) ^ -(dx & 1)
		y += (dy >> 1) ^ -(dy & 1)
		ring = append(ring, GridPoint{x, y})
	}
	return ring, nil
}
