package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/gofiber/fiber/v2"
)

// The HTML pages are deliberately plain (no scripts, no external assets):
// they make the API browsable and satisfy the OGC HTML conformance class;
// the map viewer is a separate piece.
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
{{define "head"}}<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{.Title}} — Cluster Atlas</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:70em;margin:1em auto;padding:0 1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}pre{background:#f6f6f6;padding:.5em;overflow:auto}nav a{margin-right:1em}</style>
</head><body><nav><a href="{{.Base}}/">Home</a><a href="{{.Base}}/collections">Collections</a><a href="{{.Base}}/api?f=html">API</a><a href="{{.Base}}/conformance">Conformance</a></nav><h1>{{.Title}}</h1>{{end}}
{{define "links"}}<h2>Links</h2><ul>{{range .}}<li><a href="{{.Href}}">{{if .Title}}{{.Title}}{{else}}{{.Href}}{{end}}</a> <small>({{.Rel}}{{if .Type}}, {{.Type}}{{end}})</small></li>{{end}}</ul>{{end}}
{{define "landing"}}{{template "head" .}}<p>{{index .Doc "description"}}</p><p>Data version {{index .Doc "version"}}.</p>{{template "links" index .Doc "links"}}</body></html>{{end}}
{{define "conformance"}}{{template "head" .}}<ul>{{range index .Doc "conformsTo"}}<li>{{.}}</li>{{end}}</ul>{{template "links" index .Doc "links"}}</body></html>{{end}}
{{define "collections"}}{{template "head" .}}<table><tr><th>Collection</th><th>Description</th><th>Extent</th></tr>{{range index .Doc "collections"}}<tr><td><a href="{{$.Base}}/collections/{{index . "id"}}?f=html">{{index . "title"}}</a> <small>({{index . "id"}})</small></td><td>{{index . "description"}}</td><td><small>{{fmt (index . "extent")}}</small></td></tr>{{end}}</table>{{template "links" index .Doc "links"}}</body></html>{{end}}
{{define "collection"}}{{template "head" .}}<p>{{index .Doc "description"}}</p><p><a href="{{.Base}}/collections/{{index .Doc "id"}}/items?f=html">Browse the features</a></p><pre>{{json (index .Doc "extent")}}</pre>{{template "links" index .Doc "links"}}</body></html>{{end}}
{{define "items"}}{{template "head" .}}<p>{{.Returned}} of {{.Matched}} matching features.</p><table><tr><th>id</th>{{range .Columns}}<th>{{.}}</th>{{end}}</tr>{{range .Rows}}<tr><td><a href="{{$.Base}}/collections/{{$.Collection}}/items/{{.ID}}?f=html">{{.ID}}</a></td>{{range .Cells}}<td>{{.}}</td>{{end}}</tr>{{end}}</table>{{template "links" .Links}}</body></html>{{end}}
{{define "item"}}{{template "head" .}}<table>{{range .Props}}<tr><th>{{.Key}}</th><td>{{.Value}}</td></tr>{{end}}</table><p>Geometry: {{.GeometryType}}.</p>{{template "links" .Links}}</body></html>{{end}}
{{define "api"}}{{template "head" .}}<p>The machine-readable definition is <a href="{{.Base}}/api">/api</a> (OpenAPI 3.0, JSON). Endpoints:</p><table><tr><th>Method</th><th>Path</th><th>Summary</th><th>Query parameters</th></tr>{{range .Routes}}<tr><td>{{.Method}}</td><td>{{.Path}}</td><td>{{.Summary}}</td><td>{{range .Params}}<b>{{.Name}}</b>: {{.Description}}<br>{{end}}</td></tr>{{end}}</table></body></html>{{end}}
`))

type pageData struct {
	Title string
	Base  string
	Doc   map[string]any
}

func renderPage(c *fiber.Ctx, name string, v any) error {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, v); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/html; charset=utf-8")
	return c.Send(buf.Bytes())
}

func renderHTML(c *fiber.Ctx, name string, doc map[string]any) error {
	title := map[string]string{"landing": "Cluster Atlas", "conformance": "Conformance", "collections": "Collections"}[name]
	if t, ok := doc["title"].(string); ok && name != "landing" {
		title = t
	}
	return renderPage(c, name, pageData{Title: title, Base: baseOf(c), Doc: doc})
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
}

func renderItemsHTML(c *fiber.Ctx, st *State, name string, coll *geo.Collection, page []int, matched int, links []Link) error {
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
		"Matched": matched, "Returned": len(page), "Links": links,
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

func renderItemHTML(c *fiber.Ctx, name string, f *data.Feature, links []Link) error {
	type kv struct{ Key, Value string }
	var props []kv
	for _, k := range sortedKeys(f.Properties) {
		props = append(props, kv{k, cellText(f.Properties[k])})
	}
	gt := "none"
	if f.Geometry != nil {
		gt = f.Geometry.GeoJSONType()
	}
	title := f.String("name_zh")
	if title == "" {
		title = f.ID
	}
	return renderPage(c, "item", map[string]any{"Title": title, "Base": baseOf(c), "Props": props, "GeometryType": gt, "Links": links})
}
