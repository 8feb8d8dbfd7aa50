package api

// Feature schemas (OGC API - Features Part 5, /collections/{id}/schema) and
// queryables (Part 3, /collections/{id}/queryables), both JSON Schema 2020-12
// inferred once per State from the features themselves, so any collection
// (including ones added later) is described without code.

import (
	"html/template"
	"sort"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
)

const (
	mediaSchema      = "application/schema+json"
	relSchema        = "http://www.opengis.net/def/rel/ogc/1.0/schema"
	relQueryables    = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
	jsonSchema2020   = "https://json-schema.org/draft/2020-12/schema"
	geometryProperty = "geometry"
)

// fieldInfo is what the features say about one property.
type fieldInfo struct {
	Name string
	// Type is the JSON Schema type: string, integer, number, boolean, array,
	// object; "" when features disagree (string in one, number in another).
	Type     string
	Nullable bool   // null (or absent) in some feature
	Items    string // array element type ("" if mixed or objects)
	// IsID marks the property that equals the feature id in every feature.
	IsID bool
}

// Queryable reports whether CQL2 and the simple form filter on it: a
// scalar (arrays and objects have their flat string fields for that).
func (f *fieldInfo) Queryable() bool {
	switch f.Type {
	case "string", "integer", "number", "boolean":
		return true
	}
	return false
}

// collectionSchema is the inferred schema of one collection.
type collectionSchema struct {
	// GeometryType is the one geometry type served: MultiPolygon for any
	// polygonal collection (Polygons are served as MultiPolygons, see
	// servedGeometryType), LineString, ..., or "" with no geometry at all.
	GeometryType string
	Fields       []fieldInfo // sorted by name
	byName       map[string]int
}

// Field looks a property up.
func (s *collectionSchema) Field(name string) (*fieldInfo, bool) {
	i, ok := s.byName[name]
	if !ok {
		return nil, false
	}
	return &s.Fields[i], true
}

// QueryableNames are the queryable property names, sorted.
func (s *collectionSchema) QueryableNames() []string {
	var out []string
	for i := range s.Fields {
		if s.Fields[i].Queryable() {
			out = append(out, s.Fields[i].Name)
		}
	}
	return out
}

func jsonType(v any) string {
	switch x := v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "" // nil
}

// mergeType combines two observed types: integer and number make number.
func mergeType(a, b string) (string, bool) {
	switch {
	case a == "" || a == b:
		return b, true
	case b == "":
		return a, true
	case (a == "integer" && b == "number") || (a == "number" && b == "integer"):
		return "number", true
	}
	return "", false
}

// inferSchema reads every feature once.
func inferSchema(features []data.Feature) *collectionSchema {
	type acc struct {
		typ, items          string
		mixed, itemsMixed   bool
		seen, nulls, idHits int
	}
	fields := map[string]*acc{}
	geomTypes := map[string]bool{}
	for i := range features {
		f := &features[i]
		if f.Geometry != nil {
			geomTypes[servedGeometryType(f.Geometry.GeoJSONType())] = true
		}
		for k, v := range f.Properties {
			a := fields[k]
			if a == nil {
				a = &acc{}
				fields[k] = a
			}
			a.seen++
			if s, ok := v.(string); ok && s == f.ID {
				a.idHits++
			}
			t := jsonType(v)
			if t == "" {
				a.nulls++
				continue
			}
			if !a.mixed {
				if m, ok := mergeType(a.typ, t); ok {
					a.typ = m
				} else {
					a.mixed, a.typ = true, ""
				}
			}
			if list, ok := v.([]any); ok {
				for _, e := range list {
					et := jsonType(e)
					if et == "object" || et == "" {
						a.itemsMixed = true
						continue
					}
					if m, ok := mergeType(a.items, et); ok && !a.itemsMixed {
						a.items = m
					} else {
						a.itemsMixed = true
					}
				}
			}
		}
	}
	s := &collectionSchema{byName: map[string]int{}}
	switch len(geomTypes) {
	case 0:
	case 1:
		for t := range geomTypes {
			s.GeometryType = t
		}
	default:
		s.GeometryType = "Geometry"
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		a := fields[k]
		fi := fieldInfo{Name: k, Type: a.typ, Nullable: a.nulls > 0 || a.seen < len(features), IsID: a.idHits == len(features) && len(features) > 0}
		if a.typ == "" && !a.mixed {
			// Null in every feature: nothing to infer; clients read a string.
			fi.Type, fi.Nullable = "string", true
		}
		if a.typ == "array" && !a.itemsMixed {
			fi.Items = a.items
		}
		s.byName[k] = len(s.Fields)
		s.Fields = append(s.Fields, fi)
	}
	return s
}

// servedGeometryType is the GeoJSON type a stored type is served as: one
// type per collection, so Polygons go out as MultiPolygons (GDAL otherwise
// reports "Unknown (any)" and GeoPackage export warns).
func servedGeometryType(t string) string {
	if t == "Polygon" {
		return "MultiPolygon"
	}
	return t
}

// promotePolygon serves a Polygon as a one-part MultiPolygon (no copy of
// the rings) and returns other geometries unchanged.
func promotePolygon(g orb.Geometry) orb.Geometry {
	if p, ok := g.(orb.Polygon); ok {
		return orb.MultiPolygon{p}
	}
	return g
}

// geometryFormats are the Part 5 format keywords of each geometry type.
var geometryFormats = map[string]string{
	"Point": "geometry-point", "MultiPoint": "geometry-multipoint",
	"LineString": "geometry-linestring", "MultiLineString": "geometry-multilinestring",
	"Polygon": "geometry-polygon", "MultiPolygon": "geometry-multipolygon",
	"Geometry": "geometry-any",
}

// geometrySchema describes the primary geometry (format for Part 5
// clients, the GeoJSON schema $ref for older Part 3 drafts' clients).
func geometrySchema(t string) map[string]any {
	m := map[string]any{"x-ogc-role": "primary-geometry", "format": geometryFormats[t]}
	if t != "Geometry" {
		m["$ref"] = "https://geojson.org/schema/" + t + ".json"
	}
	return m
}

func fieldSchema(f *fieldInfo) map[string]any {
	m := map[string]any{"title": f.Name}
	if f.Type != "" {
		if f.Nullable {
			m["type"] = []string{f.Type, "null"}
		} else {
			m["type"] = f.Type
		}
	}
	if f.Type == "array" && f.Items != "" {
		m["items"] = map[string]any{"type": f.Items}
	}
	if f.IsID {
		m["x-ogc-role"] = "id"
	}
	return m
}

// schemaDocument is the Part 5 feature schema (every property) or, with
// queryablesOnly, the Part 3 queryables (scalar properties and the
// geometry; additionalProperties false: anything else is a 400).
func schemaDocument(id, title, description string, s *collectionSchema, queryablesOnly bool) map[string]any {
	props := map[string]any{}
	if s.GeometryType != "" {
		props[geometryProperty] = geometrySchema(s.GeometryType)
	}
	for i := range s.Fields {
		f := &s.Fields[i]
		if queryablesOnly && !f.Queryable() {
			continue
		}
		props[f.Name] = fieldSchema(f)
	}
	doc := map[string]any{
		"$schema": jsonSchema2020, "$id": id, "type": "object",
		"title": title, "description": description, "properties": props,
	}
	if queryablesOnly {
		doc["additionalProperties"] = false
		// The Part 3 draft's (19-079r1) list, which GDAL's OAPIF driver
		// up to 3.7 reads to decide what it may filter on the server; an
		// extra keyword, ignored by JSON Schema readers.
		var draft []map[string]any
		for _, name := range s.QueryableNames() {
			draft = append(draft, map[string]any{"id": name, "type": props[name].(map[string]any)["type"]})
		}
		doc["queryables"] = draft
	}
	return doc
}

// schemaLinks are the collection links to its schema and queryables.
func schemaLinks(collectionURL string) []Link {
	return []Link{
		{Href: collectionURL + "/schema", Rel: "describedby", Type: mediaSchema, Title: "feature schema (JSON Schema)"},
		{Href: collectionURL + "/schema", Rel: relSchema, Type: mediaSchema, Title: "feature schema (JSON Schema)"},
		{Href: collectionURL + "/queryables", Rel: relQueryables, Type: mediaSchema, Title: "queryable properties (JSON Schema)"},
		// The Part 3 draft's relation names, which GDAL's OAPIF driver up
		// to 3.7 matches exactly (link relations are case-insensitive).
		{Href: collectionURL + "/schema", Rel: "describedBy", Type: mediaSchema, Title: "feature schema (JSON Schema)"},
		{Href: collectionURL + "/queryables", Rel: "queryables", Type: mediaJSON, Title: "queryable properties"},
	}
}

// schemaPage holds the HTML pages of this work (schema, tiles documents),
// on the shared page layout.
var schemaPage = template.Must(template.Must(pages.Clone()).Parse(`
{{define "tilesdoc"}}{{template "head" .}}<pre>{{json .Doc}}</pre></body></html>{{end}}
{{define "schema"}}{{template "head" .}}<p>{{.Description}}</p><table><tr><th>Property</th><th>Type</th><th>Role</th></tr>{{range .Rows}}<tr><td>{{.Name}}</td><td>{{.Type}}</td><td>{{.Role}}</td></tr>{{end}}</table><p><a href="{{.Self}}">This document as JSON Schema</a></p></body></html>{{end}}
`))

// schemaHandler serves /schema (queryablesOnly false) or /queryables.
func (s *Server) schemaHandler(queryablesOnly bool) fiber.Handler {
	suffix, what := "/schema", "Schema"
	if queryablesOnly {
		suffix, what = "/queryables", "Queryables"
	}
	return func(c *fiber.Ctx) error {
		st := s.snapshot(c)
		name := c.Params("collectionId")
		if _, p := lookupCollection(st, "collectionId", name); p != nil {
			return p
		}
		f, media, err := chooseFormat(c, jsonAndHTML, []string{mediaSchema, mediaJSON, mediaHTML}, []negotiated{asJSON, asJSON, asHTML})
		if err != nil {
			return err
		}
		m := st.meta[name]
		id := s.base(c) + "/collections/" + name + suffix
		doc := schemaDocument(id, what+" of "+m.Title, m.Description, m.Schema, queryablesOnly)
		if f == asHTML {
			type row struct{ Name, Type, Role string }
			var rows []row
			props := doc["properties"].(map[string]any)
			for _, k := range sortedKeys(props) {
				p := props[k].(map[string]any)
				r := row{Name: k, Type: cellText(p["type"])}
				if fm, ok := p["format"].(string); ok {
					r.Type = fm
				}
				r.Role, _ = p["x-ogc-role"].(string)
				rows = append(rows, r)
			}
			var buf = &bytesBuffer{}
			if err := schemaPage.ExecuteTemplate(buf, "schema", map[string]any{
				"Title": what + " of " + m.Title, "Base": baseOf(c), "Description": m.Description, "Rows": rows, "Self": id + "?f=json",
			}); err != nil {
				return err
			}
			c.Set(fiber.HeaderContentType, "text/html; charset=utf-8")
			return c.Send(buf.b)
		}
		// application/json when the client asked for it (GDAL refuses a
		// content type it did not ask for).
		return sendJSON(c, media, doc)
	}
}

// bytesBuffer is a minimal io.Writer (templates write into it).
type bytesBuffer struct{ b []byte }

func (w *bytesBuffer) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }
