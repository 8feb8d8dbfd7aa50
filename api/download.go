package api

// Downloads of /collections/{id}/items: f=csv (spreadsheets, GDAL's CSV
// driver) and f=fgb (FlatGeobuf, flatgeobuf.go). Both serve the same page
// as the GeoJSON (limit, offset, filters, zoom, precision apply) with the
// paging links in a Link header, and carry the scalar properties: arrays of
// objects appear through their flat fields (member_codes, …), arrays of
// scalars joined with commas, objects only through their flat fields.

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
)

const mediaFGB = "application/flatgeobuf"

const asFGB negotiated = "fgb"

var (
	itemsAllowedF = []negotiated{asJSON, asHTML, asCSV, asFGB}
	itemsOffers   = []string{mediaGeoJSON, mediaJSON, mediaHTML, mediaCSV, mediaFGB}
	itemsFormats  = []negotiated{asJSON, asJSON, asHTML, asCSV, asFGB}
)

func init() {
	featureTypes[asCSV] = mediaCSV
	featureTypes[asFGB] = mediaFGB
}

var itemsFormatParam = paramDef{Name: "f", Description: "Output format; overrides the Accept header. csv: UTF-8 with a byte-order mark (spreadsheets read the Chinese names), a header row, the geometry as WKT in the first column, arrays as their flat comma-separated fields. fgb: FlatGeobuf (one geometry type, the same columns).",
	Schema: map[string]any{"type": "string", "enum": []any{"json", "html", "csv", "fgb"}}}

// downloadLinks are the alternate links to the page as CSV and FlatGeobuf.
func (s *Server) downloadLinks(c *fiber.Ctx, path string, f negotiated) []Link {
	var out []Link
	for _, d := range []struct {
		f           negotiated
		media, what string
	}{{asCSV, mediaCSV, "this page as CSV (WKT geometry)"}, {asFGB, mediaFGB, "this page as FlatGeobuf"}} {
		if d.f != f {
			out = append(out, Link{Href: s.linkTo(c, path, map[string]string{"f": string(d.f)}), Rel: "alternate", Type: d.media, Title: d.what})
		}
	}
	return out
}

// downloadColumn is one column of a download: a scalar property or the
// flat form of an array of scalars.
type downloadColumn struct {
	Name string
	Type string // string, integer, number, boolean
}

// downloadColumns picks the columns from the collection schema.
func downloadColumns(sch *collectionSchema) []downloadColumn {
	var cols []downloadColumn
	for i := range sch.Fields {
		f := &sch.Fields[i]
		switch {
		case f.Queryable():
			cols = append(cols, downloadColumn{f.Name, f.Type})
		case f.Type == "array" && f.Items != "" && f.Items != "object":
			cols = append(cols, downloadColumn{f.Name, "string"})
		}
	}
	return cols
}

// cellValue is a property as download text ("" for null).
func cellValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, cellValue(e))
		}
		return strings.Join(parts, data.FlatListSeparator)
	}
	return cellText(v)
}

// sendDownload writes the page as CSV or FlatGeobuf.
func (s *Server) sendDownload(c *fiber.Ctx, st *State, name string, coll *geo.Collection, page []int, links []Link, opts featureOptions, straight bool, f negotiated) error {
	cols := downloadColumns(st.meta[name].Schema)
	geoms := make([]orb.Geometry, len(page))
	for n, i := range page {
		geoms[n] = promotePolygon(servedGeometry(st, name, i, &coll.Features[i], opts.geometryOptions, straight))
	}
	var body []byte
	var err error
	var media string
	switch f {
	case asFGB:
		body, err = encodeFlatGeobuf(name, st.meta[name].Schema.GeometryType, cols, coll.Features, page, geoms, opts.Precision)
		media = mediaFGB
	default:
		body, err = encodeCSV(cols, coll.Features, page, geoms, opts.Precision)
		media = mediaCSV + "; charset=utf-8; header=present"
	}
	if err != nil {
		return err
	}
	var link []string
	for _, l := range links {
		if l.Rel == "next" || l.Rel == "prev" {
			link = append(link, "<"+l.Href+`>; rel="`+l.Rel+`"`)
		}
	}
	if len(link) > 0 {
		c.Set(fiber.HeaderLink, strings.Join(link, ", "))
	}
	c.Set(fiber.HeaderContentType, media)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+"."+string(f)+`"`)
	return c.Send(body)
}

// encodeCSV writes RFC 4180 CSV with a UTF-8 byte-order mark: WKT, id, then
// the columns.
func encodeCSV(cols []downloadColumn, feats []data.Feature, page []int, geoms []orb.Geometry, precision int) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	header := []string{"WKT", "id"}
	for _, col := range cols {
		if col.Name == "id" {
			continue
		}
		header = append(header, col.Name)
	}
	if err := w.Write(header); err != nil {
		return nil, err
	}
	row := make([]string, 0, len(header))
	var wkt []byte
	for n, i := range page {
		f := &feats[i]
		wkt = appendWKT(wkt[:0], geoms[n], precision)
		row = append(row[:0], string(wkt), f.ID)
		for _, col := range cols {
			if col.Name == "id" {
				continue
			}
			row = append(row, cellValue(f.Properties[col.Name]))
		}
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// appendWKT writes g as OGC WKT ("" for no geometry, which GDAL reads as
// an empty geometry).
func appendWKT(buf []byte, g orb.Geometry, precision int) []byte {
	pts := func(buf []byte, ps []orb.Point) []byte {
		buf = append(buf, '(')
		for i, p := range ps {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendCoord(buf, p[0], precision)
			buf = append(buf, ' ')
			buf = appendCoord(buf, p[1], precision)
		}
		return append(buf, ')')
	}
	poly := func(buf []byte, p orb.Polygon) []byte {
		buf = append(buf, '(')
		for i, r := range p {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = pts(buf, r)
		}
		return append(buf, ')')
	}
	switch t := g.(type) {
	case orb.Point:
		return pts(append(buf, "POINT "...), []orb.Point{t})
	case orb.MultiPoint:
		buf = append(buf, "MULTIPOINT ("...)
		for i, p := range t {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = pts(buf, []orb.Point{p})
		}
		return append(buf, ')')
	case orb.LineString:
		return pts(append(buf, "LINESTRING "...), t)
	case orb.MultiLineString:
		buf = append(buf, "MULTILINESTRING ("...)
		for i, l := range t {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = pts(buf, l)
		}
		return append(buf, ')')
	case orb.Polygon:
		return poly(append(buf, "POLYGON "...), t)
	case orb.MultiPolygon:
		buf = append(buf, "MULTIPOLYGON ("...)
		for i, p := range t {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = poly(buf, p)
		}
		return append(buf, ')')
	}
	return buf
}
