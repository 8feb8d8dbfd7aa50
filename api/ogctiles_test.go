package api

import (
	"math"
	"net/url"
	"strings"
	"testing"
)

// TestOGCTilesLinkWalk follows the links alone from the landing page to a
// tile, as an OGC API - Tiles client does.
func TestOGCTilesLinkWalk(t *testing.T) {
	s := newTestServer(t, Config{})
	rel := func(doc map[string]any, r string) string {
		t.Helper()
		h := linkHref(doc, r)
		if h == "" {
			t.Fatalf("no %s link in %v", r, doc["links"])
		}
		u, _ := url.Parse(h)
		return u.RequestURI()
	}
	landing := get(t, s, "/").json(t)
	sets := get(t, s, rel(landing, "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector")).json(t)
	list := sets["tilesets"].([]any)
	if len(list) != 1 {
		t.Fatalf("tilesets %v", list)
	}
	ts0 := list[0].(map[string]any)
	if ts0["dataType"] != "vector" || ts0["tileMatrixSetURI"] != webMercatorQuadURI {
		t.Errorf("tileset summary %v", ts0)
	}
	meta := get(t, s, rel(ts0, "self")).json(t)
	var template string
	for _, l := range meta["links"].([]any) {
		m := l.(map[string]any)
		if m["rel"] == "item" && m["type"] == mediaMVT && m["templated"] == true {
			template = m["href"].(string)
		}
	}
	if !strings.Contains(template, "{tileMatrix}") || !strings.Contains(template, "{tileRow}") || !strings.Contains(template, "{tileCol}") {
		t.Fatalf("no templated MVT item link: %v", meta["links"])
	}
	// Beijing at z4 is column 13, row 6 (slippy-map formula by hand:
	// x = floor((116.4+180)/360·16) = 13, y = floor((1-ln(tan φ+sec φ)/π)/2·16) = 6).
	u, _ := url.Parse(strings.NewReplacer("{tileMatrix}", "4", "{tileCol}", "13", "{tileRow}", "6").Replace(template))
	r := get(t, s, u.RequestURI())
	wantStatus(t, r, 200)
	if ct := r.Header.Get("Content-Type"); ct != mediaMVT {
		t.Errorf("tile content type %q", ct)
	}
	// The tiling scheme: WebMercatorQuad as OGC 17-083r4 defines it.
	tms := get(t, s, rel(meta, "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme")).json(t)
	if tms["id"] != "WebMercatorQuad" || tms["crs"] != epsg3857 {
		t.Errorf("tms %v %v", tms["id"], tms["crs"])
	}
	m4 := tms["tileMatrices"].([]any)[4].(map[string]any)
	// Scale denominator at z4 = 559082264.028717/16; cell size 156543.033928041/16.
	if m4["id"] != "4" || math.Abs(m4["scaleDenominator"].(float64)-34942641.501794812) > 1e-3 || m4["matrixWidth"].(float64) != 16 ||
		math.Abs(m4["cellSize"].(float64)-9783.939620502563) > 1e-6 {
		t.Errorf("tile matrix 4: %v", m4)
	}
	// Limits hold Beijing's tile at z4.
	for _, l := range meta["tileMatrixSetLimits"].([]any) {
		m := l.(map[string]any)
		if m["tileMatrix"] == "4" && (m["minTileCol"].(float64) > 13 || m["maxTileCol"].(float64) < 13 || m["minTileRow"].(float64) > 6 || m["maxTileRow"].(float64) < 6) {
			t.Errorf("z4 limits exclude Beijing's tile: %v", m)
		}
	}
	all := get(t, s, "/tileMatrixSets").json(t)
	if got := all["tileMatrixSets"].([]any)[0].(map[string]any)["id"]; got != "WebMercatorQuad" {
		t.Errorf("tileMatrixSets %v", got)
	}
	// A collection's tilesets: its own layer.
	coll := get(t, s, "/collections/clusters").json(t)
	csets := get(t, s, rel(coll, "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector")).json(t)
	cmeta := get(t, s, rel(csets["tilesets"].([]any)[0].(map[string]any), "self")).json(t)
	layers := cmeta["layers"].([]any)
	if len(layers) != 1 || layers[0].(map[string]any)["id"] != "clusters" || layers[0].(map[string]any)["geometryType"] != "polygons" {
		t.Errorf("clusters tileset layers %v", layers)
	}
	// Failures.
	wantProblem(t, get(t, s, "/tileMatrixSets/WorldCRS84Quad"), 404, "tileMatrixSetId")
	wantProblem(t, get(t, s, "/tiles/WorldCRS84Quad"), 404, "tileMatrixSetId")
	wantProblem(t, get(t, s, "/collections/nope/tiles"), 404, "collectionId")
	wantProblem(t, get(t, s, "/tiles?limit=1"), 400, "limit")
	wantStatus(t, get(t, s, "/tiles/WebMercatorQuad?f=html"), 200)
	wantStatus(t, get(t, s, "/tiles/WebMercatorQuad?zoom=3"), 200) // GDAL's URL parameters
	wantStatus(t, get(t, s, "/tiles.json"), 200)                   // TileJSON stays
}
