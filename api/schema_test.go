package api

import (
	"strings"
	"testing"
)

func TestOneGeometryTypePerCollection(t *testing.T) {
	s := newTestServer(t, Config{})
	// The fixture stores Polygons (every city, one cluster) beside
	// MultiPolygons; every polygon must be served as a MultiPolygon.
	want := map[string]string{"clusters": "MultiPolygon", "cities": "MultiPolygon", "transfer-zones": "MultiPolygon", "flows": "LineString"}
	for coll, typ := range want {
		for _, q := range []string{"", "&zoom=4", "&flow_shape=straight"} {
			fc := get(t, s, "/collections/"+coll+"/items?limit=1000"+q).json(t)
			for _, f := range fc["features"].([]any) {
				g, _ := f.(map[string]any)["geometry"].(map[string]any)
				if g == nil {
					continue
				}
				if g["type"] != typ {
					t.Errorf("%s%s: feature %v is %v, want %s", coll, q, f.(map[string]any)["id"], g["type"], typ)
				}
			}
		}
		doc := get(t, s, "/collections/"+coll+"/schema").json(t)
		geom := doc["properties"].(map[string]any)["geometry"].(map[string]any)
		if geom["format"] != "geometry-"+strings.ToLower(typ) || geom["x-ogc-role"] != "primary-geometry" {
			t.Errorf("%s schema geometry = %v, want format geometry-%s", coll, geom, strings.ToLower(typ))
		}
	}
	// A single feature and /locate (the same encoder) too.
	f := get(t, s, "/collections/cities/items/130400").json(t)
	if f["geometry"].(map[string]any)["type"] != "MultiPolygon" {
		t.Errorf("item 130400 geometry %v", f["geometry"].(map[string]any)["type"])
	}
}

func TestSchemaDocument(t *testing.T) {
	s := newTestServer(t, Config{})
	r := get(t, s, "/collections/cities/schema")
	wantStatus(t, r, 200)
	if ct := r.Header.Get("Content-Type"); ct != "application/schema+json" {
		t.Errorf("content type %q", ct)
	}
	doc := r.json(t)
	if doc["$schema"] != "https://json-schema.org/draft/2020-12/schema" || doc["type"] != "object" {
		t.Errorf("not a JSON Schema 2020-12 object: %v", doc)
	}
	if !strings.HasSuffix(doc["$id"].(string), "/collections/cities/schema") {
		t.Errorf("$id %v", doc["$id"])
	}
	props := doc["properties"].(map[string]any)
	// Expectations from the fixture file itself.
	wantType := map[string]any{
		"code":        "string",
		"name_zh":     "string",
		"area_km2":    "number", // 10000.0 in JSON is integral: but 1234.5 elsewhere
		"clusters":    "array",
		"cluster_ids": "string",
		"zone_ids":    "string",
	}
	for k, want := range wantType {
		p, ok := props[k].(map[string]any)
		if !ok {
			t.Errorf("schema lacks %s", k)
			continue
		}
		if k == "area_km2" {
			if p["type"] != "number" && p["type"] != "integer" {
				t.Errorf("%s type %v, want number", k, p["type"])
			}
			continue
		}
		if p["type"] != want {
			t.Errorf("%s type %v, want %v", k, p["type"], want)
		}
	}
	if props["code"].(map[string]any)["x-ogc-role"] != "id" {
		t.Errorf("code is the cities' id property: %v", props["code"])
	}
	// The collection links to it as describedby.
	coll := get(t, s, "/collections/cities").json(t)
	if h := linkHref(coll, "describedby"); !strings.HasSuffix(h, "/collections/cities/schema") {
		t.Errorf("describedby link %q", h)
	}
	if h := linkHref(coll, "http://www.opengis.net/def/rel/ogc/1.0/queryables"); !strings.HasSuffix(h, "/collections/cities/queryables") {
		t.Errorf("queryables link %q", h)
	}
	wantProblem(t, get(t, s, "/collections/nope/schema"), 404, "")
	wantProblem(t, get(t, s, "/collections/cities/schema?limit=3"), 400, "limit")
	wantStatus(t, get(t, s, "/collections/cities/schema?f=html"), 200)
}

func TestInferSchemaTypes(t *testing.T) {
	s := newTestServer(t, Config{})
	sch := s.State().meta["flows"].Schema
	cases := map[string]struct {
		typ      string
		nullable bool
	}{
		"year":    {"integer", true}, // one fixture flow has no year
		"kind":    {"string", false},
		"sectors": {"array", false},
		"source":  {"object", false},
	}
	for name, want := range cases {
		f, ok := sch.Field(name)
		if !ok {
			t.Errorf("no field %s", name)
			continue
		}
		if f.Type != want.typ || f.Nullable != want.nullable {
			t.Errorf("%s: type %q nullable %v, want %q %v", name, f.Type, f.Nullable, want.typ, want.nullable)
		}
	}
	if sch.GeometryType != "LineString" {
		t.Errorf("flows geometry type %q", sch.GeometryType)
	}
}
