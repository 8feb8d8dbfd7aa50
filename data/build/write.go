package build

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/paulmach/orb"
)

// coordinateDecimals: 5 decimals is ≈1.1 m, a hundredth of the source grid
// (1/1024° ≈ 108 m): distinct grid points stay distinct and no line moves
// by more than 0.6 m, while the files are about half the size of the grid
// values written in full (up to 10 decimals).
const coordinateDecimals = 5

// Encode renders a collection as a GeoJSON FeatureCollection, one feature per
// line, properties in key order: the same input gives the same bytes.
func Encode(features []Feature) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, f := range features {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n")
		if err := encodeFeature(&buf, f); err != nil {
			return nil, fmt.Errorf("feature %s: %w", f.ID, err)
		}
	}
	buf.WriteString("\n]}\n")
	return buf.Bytes(), nil
}

func encodeFeature(buf *bytes.Buffer, f Feature) error {
	buf.WriteString(`{"type":"Feature","id":`)
	writeJSON(buf, f.ID)
	if f.Geometry != nil {
		b := f.Geometry.Bound()
		buf.WriteString(`,"bbox":[`)
		writeCoords(buf, b.Min)
		buf.WriteByte(',')
		writeCoords(buf, b.Max)
		buf.WriteByte(']')
	}
	buf.WriteString(`,"properties":`)
	if err := writeJSON(buf, f.Properties); err != nil {
		return err
	}
	buf.WriteString(`,"geometry":`)
	switch g := f.Geometry.(type) {
	case nil:
		buf.WriteString("null")
	case orb.Polygon:
		buf.WriteString(`{"type":"Polygon","coordinates":`)
		writePolygon(buf, g)
		buf.WriteByte('}')
	case orb.MultiPolygon:
		buf.WriteString(`{"type":"MultiPolygon","coordinates":[`)
		for i, p := range g {
			if i > 0 {
				buf.WriteByte(',')
			}
			writePolygon(buf, p)
		}
		buf.WriteString("]}")
	case orb.LineString:
		buf.WriteString(`{"type":"LineString","coordinates":`)
		writeLine(buf, g)
		buf.WriteByte('}')
	default:
		return fmt.Errorf("unsupported geometry %T", g)
	}
	buf.WriteByte('}')
	return nil
}

func writeJSON(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline
	return nil
}

func writeCoords(buf *bytes.Buffer, p orb.Point) {
	buf.Write(strconv.AppendFloat(buf.AvailableBuffer(), round(p[0], coordinateDecimals), 'f', -1, 64))
	buf.WriteByte(',')
	buf.Write(strconv.AppendFloat(buf.AvailableBuffer(), round(p[1], coordinateDecimals), 'f', -1, 64))
}

func writeLine(buf *bytes.Buffer, pts []orb.Point) {
	buf.WriteByte('[')
	for i, p := range pts {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('[')
		writeCoords(buf, p)
		buf.WriteByte(']')
	}
	buf.WriteByte(']')
}

func writePolygon(buf *bytes.Buffer, p orb.Polygon) {
	buf.WriteByte('[')
	for i, r := range p {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeLine(buf, r)
	}
	buf.WriteByte(']')
}

// Files renders the dataset directory: each collection gzipped (written
// without a timestamp, so it is deterministic), the manifest and the
// /compare table (CompareTable).
func (r *Result) Files() (map[string][]byte, error) {
	out := map[string][]byte{}
	encoded := map[string][]byte{}
	for _, name := range data.CollectionNames {
		raw, err := Encode(r.Collections[name])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		encoded[name] = raw
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(raw)
		if err := zw.Close(); err != nil {
			return nil, err
		}
		out[name+".geojson.gz"] = gz.Bytes()
	}
	var m bytes.Buffer
	enc := json.NewEncoder(&m)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(r.Manifest); err != nil {
		return nil, err
	}
	out["manifest.json"] = m.Bytes()
	table, err := CompareTable(encoded)
	if err != nil {
		return nil, err
	}
	out[data.CompareFile] = table
	return out, nil
}

// CompareTable measures the /compare table (data.CompareCollections) on
// the collections exactly as written (encoded GeoJSON by collection name),
// so the server can check it was computed from the files it loads.
func CompareTable(encoded map[string][]byte) ([]byte, error) {
	ds := &data.Dataset{Collections: map[string][]data.Feature{}, ContentHash: map[string]string{}}
	for name, raw := range encoded {
		feats, err := data.DecodeFeatures(raw)
		if err != nil {
			return nil, fmt.Errorf("compare table: %s: %w", name, err)
		}
		ds.Collections[name] = feats
		ds.ContentHash[name] = data.ContentHash(raw)
	}
	atlas, err := geo.NewAtlas(ds)
	if err != nil {
		return nil, fmt.Errorf("compare table: %w", err)
	}
	t, err := atlas.CompareTable(data.CompareCollections)
	if err != nil {
		return nil, err
	}
	return data.EncodeCompareTable(t)
}

// WriteDir writes the files into dir. Each file is written to a temporary
// name first and renamed into place only after every file has been
// written, so a failed build never leaves a half-written dataset.
func WriteDir(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var temps []string
	cleanup := func() {
		for _, t := range temps {
			os.Remove(t)
		}
	}
	for _, name := range sortedKeys(files) {
		f, err := os.CreateTemp(dir, "."+name+".tmp*")
		if err != nil {
			cleanup()
			return err
		}
		temps = append(temps, f.Name())
		if _, err := f.Write(files[name]); err != nil {
			f.Close()
			cleanup()
			return err
		}
		if err := f.Close(); err != nil {
			cleanup()
			return err
		}
	}
	for i, name := range sortedKeys(files) {
		if err := os.Rename(temps[i], filepath.Join(dir, name)); err != nil {
			cleanup()
			return err
		}
	}
	return nil
}
