package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"math"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb/geojson"
)

// The HTML pages are deliberately plain: they make the API browsable and
// satisfy the OGC HTML conformance class. The one script is the small map
// of the page's features (mapBlock): the GeoJSON is embedded in the page
// and drawn by the viewer's feature-map.js with the vendored MapLibre, so
// nothing is loaded from outside the service.
var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"json": func(v any) string {
		b, _ := json.MarshalIndent(v, "", "  ")
		return string(b)
	},
	"fmt": func(v any) string {
		switch x := v.(type) {
		case nil:
			return ""
		case string:
			return x
		case float64, bool:
			return fmt.Sprint(x)
		}
		b, _ := json.Marshal(v)
		return string(b)
	},
}).Parse(`
{{define "head"}}<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{if eq .Title "Cluster Atlas"}}{{.Title}}{{else}}{{.Title}} — Cluster Atlas{{end}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:70em;margin:1em auto;padding:0 1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}pre{background:#f6f6f6;padding:.5em;overflow:auto}nav a{margin-right:1em}</style>
</head><body><nav><a href="{{.Base}}/">Home</a><a href="{{.Base}}/collections">Collections</a><a href="{{.Base}}/viewer/">Map viewer</a><a href="{{.Base}}/api?f=html">API</a><a href="{{.Base}}/conformance">Conformance</a></nav><h1>{{.Title}}</h1>{{end}}
{{define "links"}}<h2>Links</h2><ul>{{range .}}<li><a href="{{.Href}}">{{if .Title}}{{.Title}}{{else}}{{.Href}}{{end}}</a> <small>({{.Rel}}{{if .Type}}, {{.Type}}{{end}})</small></li>{{end}}</ul>{{end}}
{{define "landing"}}{{template "head" .}}<p>{{index .Doc "description"}}</p><p>Data version {{index .Doc "version"}}.</p><p><a href="{{.Base}}/viewer/"><b>Open the map viewer</b></a> (clusters, cities, transfer zones and flows from the <a href="{{.Base}}/tiles.json">vector tiles</a>).</p><p>Coordinates are WGS84 (CRS84), for OpenStreetMap, Mapbox, MapLibre or Tianditu maps. An AMap (高德) or Tencent map is GCJ-02: send its click position as it is and get GCJ-02 back with <code>crs</code>, e.g. <a href="{{.Base}}/locate?lon=114.546&amp;lat=36.611&amp;crs=GCJ-02">/locate?lon=114.546&amp;lat=36.611&amp;crs=GCJ-02</a> (邯郸), and overlay the <a href="{{.Base}}/tiles/gcj02.json">GCJ-02 vector tiles</a>; Baidu (BD-09): <code>crs=BD-09</code>.</p>{{.Map}}{{template "links" index .Doc "links"}}</body></html>{{end}}
{{define "conformance"}}{{template "head" .}}<ul>{{range index .Doc "conformsTo"}}<li>{{.}}</li>{{end}}</ul>{{template "links" index .Doc "links"}}</body></html>{{end}}
{{define "collections"}}{{template "head" .}}{{.Map}}<table><tr><th>Collection</th><th>Description</th><th>Extent</th></tr>{{range index .Doc "collections"}}<tr><td><a href="{{$.Base}}/collections/{{index . "id"}}?f=html">{{index . "title"}}</a> <small>({{index . "id"}})</small></td><td>{{index . "description"}}</td><td><small>{{fmt (index . "extent")}}</small></td></tr>{{end}}</table>{{template "links" index .Doc "links"}}</body></html>{{end}}
{{define "collection"}}{{template "head" .}}<p>{{index .Doc "description"}}</p>{{.Map}}<p><a href="{{.Base}}/collections/{{index .Doc "id"}}/items?f=html">Browse the features</a></p><pre>{{json (index .Doc "extent")}}</pre>{{template "links" index .Doc "links"}}</body></html>{{end}}
{{define "items"}}{{template "head" .}}<p>{{.Returned}} of {{.Matched}} matching features.</p>{{.Map}}<table><tr><th>id</th>{{range .Columns}}<th>{{.}}</th>{{end}}</tr>{{range .Rows}}<tr><td><a href="{{$.Base}}/collections/{{$.Collection}}/items/{{.ID}}?f=html">{{.ID}}</a></td>{{range .Cells}}<td>{{.}}</td>{{end}}</tr>{{end}}</table>{{template "links" .Links}}</body></html>{{end}}
{{define "item"}}{{template "head" .}}{{.Map}}<table>{{range .Props}}<tr><th>{{.Key}}</th><td>{{.Value}}</td></tr>{{end}}</table><p>Geometry: {{.GeometryType}}.</p>{{template "links" .Links}}</body></html>{{end}}
{{define "api"}}{{template "head" .}}<p>The machine-readable definition is <a href="{{.Base}}/api">/api</a> (OpenAPI 3.0, JSON). Endpoints:</p><table><tr><th>Method</th><th>Path</th><th>Summary</th><th>Query parameters</th></tr>{{range .Routes}}<tr><td>{{.Method}}</td><td>{{.Path}}</td><td>{{.Summary}}</td><td>{{range .Params}}<b>{{.Name}}</b>: {{.Description}}<br>{{end}}</td></tr>{{end}}</table></body></html>{{end}}
`))

type pageData struct {
	Title string
	Base  string
	Doc   map[string]any
	Map   template.HTML
}

func renderPage(c *fiber.Ctx, name string, v any) error {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, v); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/html; charset=utf-8")
	return c.Send(buf.Bytes())
}

// renderHTML renders a document page; mapJSON (nil for none) is the
// GeoJSON its map shows.
func renderHTML(c *fiber.Ctx, name string, doc map[string]any, mapJSON []byte) error {
	title := map[string]string{"landing": "Cluster Atlas", "conformance": "Conformance", "collections": "Collections"}[name]
	if t, ok := doc["title"].(string); ok && name != "landing" {
		title = t
	}
	return renderPage(c, name, pageData{Title: title, Base: baseOf(c), Doc: doc, Map: mapBlock(baseOf(c), mapJSON)})
}

// baseOf recovers the link base from the Ctx (set by the server per request).
func baseOf(c *fiber.Ctx) string {
	if b, ok := c.Locals(localBase).(string); ok {
		return b
	}
	return ""
}

const localBase = "clusteratlas.base"

// itemColumns are the properties shown in the items table per collection.
var itemColumns = map[string][]string{
	data.Clusters:      {"name_zh", "name_en", "tier", "area_km2", "members_whole", "members_partial"},
	data.Cities:        {"name_zh", "province", "area_km2"},
	data.TransferZones: {"name_zh", "name_en", "approved", "area_km2"},
	data.Flows:         {"from_name", "to_name", "kind", "year"},
	data.MetroAreas:    {"name_zh", "name_en", "confidence", "area_km2", "official_area_km2"},
	data.Provinces:     {"name_zh", "name_en", "kind", "region", "area_km2", "population_2020"},
	data.Regions:       {"name_zh", "name_en", "area_km2", "population_2020"},
	data.Country:       {"name_zh", "area_km2", "population_2020"},
}

func renderItemsHTML(c *fiber.Ctx, st *State, name string, coll *geo.Collection, page []int, matched int, links []Link, mapJSON []byte) error {
	type row struct {
		ID    string
		Cells []string
	}
	cols := itemColumns[name]
	rows := make([]row, 0, len(page))
	for _, i := range page {
		f := &coll.Features[i]
		r := row{ID: f.ID}
		for _, col := range cols {
			r.Cells = append(r.Cells, cellText(f.Properties[col]))
		}
		rows = append(rows, r)
	}
	return renderPage(c, "items", map[string]any{
		"Title": st.meta[name].Title, "Base": baseOf(c), "Collection": name, "Columns": cols, "Rows": rows,
		"Matched": matched, "Returned": len(page), "Links": links, "Map": mapBlock(baseOf(c), mapJSON),
	})
}

func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64, bool:
		return fmt.Sprint(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func renderItemHTML(c *fiber.Ctx, name string, f *data.Feature, links []Link, mapJSON []byte) error {
	type kv struct {
		Key   string
		Value template.HTML
	}
	var props []kv
	for _, k := range sortedKeys(f.Properties) {
		props = append(props, kv{k, cellHTML(f.Properties[k])})
	}
	gt := "none"
	if f.Geometry != nil {
		gt = f.Geometry.GeoJSONType()
	}
	title := f.String("name_zh")
	if title == "" {
		title = f.ID
	}
	return renderPage(c, "item", map[string]any{"Title": title, "Base": baseOf(c), "Props": props, "GeometryType": gt, "Links": links,
		"Map": mapBlock(baseOf(c), mapJSON)})
}

// Zoom levels of the page maps: simplified geometry keeps the pages small
// (the map is a few hundred pixels wide). A request's own zoom wins. The
// collections and collection pages map extents (collectionsMap): a whole
// collection of city outlines, even simplified, is most of a megabyte.
const (
	landingMapZoom = 3 // the 19 clusters
	itemsMapZoom   = 6 // items pages: a page of up to 1,000 features
	itemMapZoom    = 8 // one feature, seen closer
)

// mapDecimals is the coordinate precision of a page map at a zoom: one
// decimal more than half a 256-px pixel needs (z3 and z6: 3, z8: 4).
func mapDecimals(zoom int) int {
	halfPixel := 360 / (256 * math.Exp2(float64(zoom))) / 2
	return min(MaxPrecision, int(math.Ceil(-math.Log10(halfPixel)))+1)
}

// mapFeatures encodes features idx of a collection for a page map: the
// geometry at zoom (or the request's zoom; flows curved unless straight),
// mapDecimals (or the request's precision, if coarser), and only the names
// as properties. It returns nil, no map, for a polygon layer before the
// simplified levels are built: full detail would make pages of megabytes.
func mapFeatures(st *State, name string, coll *geo.Collection, idx []int, o geometryOptions, zoom int, straight bool) []byte {
	if isPolygonLayer(name) && st.Levels == nil {
		return nil
	}
	if o.Zoom >= 0 {
		zoom = o.Zoom
	}
	fo := featureOptions{geometryOptions: geometryOptions{Precision: mapDecimals(zoom), Zoom: zoom}, Keep: []string{"name_zh", "name_en"}}
	if o.Precision >= 0 && o.Precision < fo.Precision {
		fo.Precision = o.Precision
	}
	buf := append(make([]byte, 0, 4096), `{"type":"FeatureCollection","features":[`...)
	n := 0
	for _, i := range idx {
		f := &coll.Features[i]
		g := servedGeometry(st, name, i, f, fo.geometryOptions, straight)
		if g == nil {
			continue
		}
		if n > 0 {
			buf = append(buf, ',')
		}
		n++
		buf = appendFeature(buf, f, g, fo)
	}
	return append(buf, "]}"...)
}

// noGeometryOptions are geometry options nobody asked for (full precision,
// stored geometry): the page maps then pick their own.
var noGeometryOptions = geometryOptions{Precision: -1, Zoom: -1}

// allFeatures is 0..n-1.
func allFeatures(coll *geo.Collection) []int {
	idx := make([]int, len(coll.Features))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// extentsMap is the spatial extents of the named collections as
// rectangles (the collections and collection pages; the map draws the
// atlas faintly behind them).
func extentsMap(st *State, names ...string) []byte {
	fc := geojson.NewFeatureCollection()
	for _, name := range names {
		m := st.meta[name]
		if m == nil || !m.HasExtent {
			continue
		}
		f := geojson.NewFeature(m.Extent.ToPolygon())
		f.ID = name
		f.Properties["name_en"] = m.Title
		fc.Append(f)
	}
	raw, err := json.Marshal(fc)
	if err != nil {
		return nil
	}
	return raw
}

// mapBlock is the small map of a page: a container, the GeoJSON in a
// data block and the viewer's feature-map.js, addressed from the link base
// (--base-url or the request's scheme and Host) so it works behind a
// prefix and TLS. Nil GeoJSON gives no map.
func mapBlock(base string, geoJSON []byte) template.HTML {
	if geoJSON == nil {
		return ""
	}
	return template.HTML(`<div id="map" data-feature-map style="height:320px;max-width:48em;margin:1em 0;border:1px solid #ccc" role="region" aria-label="Map of the features on this page"></div>` + "\n" +
		`<script type="application/geo+json" id="features">` + string(scriptSafeJSON(geoJSON)) + `</script>` + "\n" +
		`<script type="module" src="` + template.HTMLEscapeString(base+"/viewer/feature-map.js") + `"></script>`)
}

// scriptSafeJSON escapes <, > and & inside JSON (they can only occur in
// strings, where \u escapes mean the same), so no property value can close
// the script element or open a comment.
func scriptSafeJSON(raw []byte) []byte {
	out := make([]byte, 0, len(raw))
	for _, b := range raw {
		switch b {
		case '<':
			out = append(out, `\u003c`...)
		case '>':
			out = append(out, `\u003e`...)
		case '&':
			out = append(out, `\u0026`...)
		default:
			out = append(out, b)
		}
	}
	return out
}
