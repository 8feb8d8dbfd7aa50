package api

// OGC API - Tiles (OGC 20-057) over the existing vector tiles: the
// WebMercatorQuad tile matrix set (OGC 17-083r4, TMS 2.0 JSON), the dataset
// tileset list (/tiles) and its metadata (/tiles/WebMercatorQuad), and the
// geodata tilesets of each collection drawn in the tiles
// (/collections/{id}/tiles). The tiles are the ones /tiles/{z}/{x}/{y}.mvt
// serves (a templated "item" link); TileJSON stays for MapLibre & co.

import (
	"math"
	"strconv"

	"github.com/clusteratlas/clusteratlas/api/tiles"
	"github.com/gofiber/fiber/v2"
)

const (
	webMercatorQuad    = "WebMercatorQuad"
	webMercatorQuadURI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
	epsg3857           = "http://www.opengis.net/def/crs/EPSG/0/3857"
	relTilingScheme    = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
	relTilingSchemes   = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"
	relTilesetsVector  = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
	// tileTemplate is the existing tile route in OGC's variable names.
	tileTemplate = "/tiles/{tileMatrix}/{tileCol}/{tileRow}.mvt"
)

var tilesConformance = []string{
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/dataset-tilesets",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
	"http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
	"http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
}

func init() { conformanceClasses = append(conformanceClasses, tilesConformance...) }

func tilesRoutes() []routeSpec {
	doc := []string{mediaJSON, mediaHTML}
	return []routeSpec{
		{Method: "GET", Path: "/tileMatrixSets", Params: []string{"f"}, OperationID: "getTileMatrixSets", Tag: "Tiles",
			Summary: "Tile matrix sets (OGC API - Tiles): WebMercatorQuad, the grid of the vector tiles", Produces: doc, handler: (*Server).tileMatrixSets},
		{Method: "GET", Path: "/tileMatrixSets/{tileMatrixSetId}", Params: []string{"f"}, PathParams: []string{"tileMatrixSetId"}, OperationID: "getTileMatrixSet", Tag: "Tiles",
			Summary: "A tile matrix set definition (OGC TMS 2.0 JSON)", Produces: doc, handler: (*Server).tileMatrixSet},
		{Method: "GET", Path: "/tiles", Params: []string{"f"}, OperationID: "getTileSets", Tag: "Tiles",
			Summary: "Vector tilesets of the dataset (OGC API - Tiles)", Produces: doc, Unready: true, handler: func(s *Server) fiber.Handler { return s.tileSets("") }},
		{Method: "GET", Path: "/tiles/{tileMatrixSetId}", Params: []string{"f"}, PathParams: []string{"tileMatrixSetId"}, OperationID: "getTileSet", Tag: "Tiles",
			Summary: "Tileset metadata: the MVT tile URL template (/tiles/{tileMatrix}/{tileCol}/{tileRow}.mvt), layers, limits and bounds", Produces: doc, Unready: true, handler: func(s *Server) fiber.Handler { return s.tileSet("") }},
		{Method: "GET", Path: "/collections/{collectionId}/tiles", Params: []string{"f"}, PathParams: []string{"collectionId"}, OperationID: "getCollectionTileSets", Tag: "Tiles",
			Summary: "Vector tilesets of a collection (its layer of the dataset tiles)", Produces: doc, Unready: true, handler: func(s *Server) fiber.Handler { return s.tileSets("collection") }},
		{Method: "GET", Path: "/collections/{collectionId}/tiles/{tileMatrixSetId}", Params: []string{"f"}, PathParams: []string{"collectionId", "tileMatrixSetId"}, OperationID: "getCollectionTileSet", Tag: "Tiles",
			Summary: "Tileset metadata of a collection: the dataset tiles, whose layer of the collection's name holds its features", Produces: doc, Unready: true, handler: func(s *Server) fiber.Handler { return s.tileSet("collection") }},
	}
}

// Web Mercator constants of OGC 17-083r4 Annex D (WebMercatorQuad).
const (
	webMercatorHalf      = 20037508.3427892
	webMercatorCellSize0 = 156543.033928041
	webMercatorScale0    = 559082264.028717
)

// webMercatorQuadDoc is the TMS 2.0 JSON of WebMercatorQuad for the zooms
// the tiles serve.
func webMercatorQuadDoc() map[string]any {
	matrices := make([]map[string]any, 0, tiles.MaxZoom+1)
	for z := 0; z <= tiles.MaxZoom; z++ {
		n := 1 << z
		matrices = append(matrices, map[string]any{
			"id": strconv.Itoa(z), "scaleDenominator": webMercatorScale0 / float64(n), "cellSize": webMercatorCellSize0 / float64(n),
			"cornerOfOrigin": "topLeft", "pointOfOrigin": []float64{-webMercatorHalf, webMercatorHalf},
			"tileWidth": 256, "tileHeight": 256, "matrixWidth": n, "matrixHeight": n,
		})
	}
	// The same matrices in TMS 1.0 JSON (OGC 17-083r2) members, for clients
	// that only read that (GDAL up to 3.6 takes "type": "TileMatrixSetType"
	// and ignores the 2.0 members; 2.0 readers ignore these).
	v1 := make([]map[string]any, len(matrices))
	for i, m := range matrices {
		v1[i] = map[string]any{
			"type": "TileMatrixType", "identifier": m["id"], "scaleDenominator": m["scaleDenominator"],
			"topLeftCorner": m["pointOfOrigin"], "tileWidth": 256, "tileHeight": 256,
			"matrixWidth": m["matrixWidth"], "matrixHeight": m["matrixHeight"],
		}
	}
	return map[string]any{
		"type": "TileMatrixSetType", "identifier": webMercatorQuad, "supportedCRS": epsg3857, "tileMatrix": v1,
		"id": webMercatorQuad, "title": "Google Maps Compatible for the World", "uri": webMercatorQuadURI,
		"crs": epsg3857, "orderedAxes": []string{"X", "Y"},
		"wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
		"boundingBox": map[string]any{
			"lowerLeft": []float64{-webMercatorHalf, -webMercatorHalf}, "upperRight": []float64{webMercatorHalf, webMercatorHalf}, "crs": epsg3857,
			// TMS 1.0 names of the same corners.
			"type": "BoundingBoxType", "lowerCorner": []float64{-webMercatorHalf, -webMercatorHalf}, "upperCorner": []float64{webMercatorHalf, webMercatorHalf},
		},
		"tileMatrices": matrices,
	}
}

func (s *Server) tileMatrixSets() fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, _, err := chooseFormat(c, jsonAndHTML, docOffers, docFormats)
		if err != nil {
			return err
		}
		base := s.base(c)
		doc := map[string]any{
			"title": "Tile matrix sets",
			"links": s.selfLinks(c, "/tileMatrixSets", f, mediaJSON),
			"tileMatrixSets": []map[string]any{{
				"id": webMercatorQuad, "title": "Google Maps Compatible for the World", "uri": webMercatorQuadURI, "crs": epsg3857,
				"links": []Link{{Href: base + "/tileMatrixSets/" + webMercatorQuad, Rel: "self", Type: mediaJSON, Title: "WebMercatorQuad definition"}},
			}},
		}
		return sendDoc(c, f, doc)
	}
}

func (s *Server) tileMatrixSet() fiber.Handler {
	return func(c *fiber.Ctx) error {
		id := c.Params("tileMatrixSetId")
		if id != webMercatorQuad {
			return notFound("tileMatrixSetId", "tile matrix set %q does not exist; the tiles use %s", clip(id), webMercatorQuad)
		}
		f, _, err := chooseFormat(c, jsonAndHTML, docOffers, docFormats)
		if err != nil {
			return err
		}
		doc := webMercatorQuadDoc()
		doc["links"] = s.selfLinks(c, "/tileMatrixSets/"+webMercatorQuad, f, mediaJSON)
		return sendDoc(c, f, doc)
	}
}

// tileScope resolves the collection of a /collections/{id}/tiles route
// ("" for the dataset routes): it must be a layer of the tiles.
func (s *Server) tileScope(c *fiber.Ctx, scope string) (string, string, *Problem) {
	if scope == "" {
		return "", "/tiles", nil
	}
	name := c.Params("collectionId")
	if _, p := lookupCollection(s.snapshot(c), "collectionId", name); p != nil {
		return "", "", p
	}
	for _, l := range tiles.LayerNames {
		if l == name {
			return name, "/collections/" + name + "/tiles", nil
		}
	}
	return "", "", notFound("collectionId", "collection %q is not drawn in the vector tiles", clip(name))
}

func (s *Server) tileSets(scope string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		coll, path, p := s.tileScope(c, scope)
		if p != nil {
			return p
		}
		f, _, err := chooseFormat(c, jsonAndHTML, docOffers, docFormats)
		if err != nil {
			return err
		}
		base := s.base(c)
		title := "Cluster Atlas vector tiles"
		if coll != "" {
			title = coll + " vector tiles"
		}
		doc := map[string]any{
			"title": title,
			"links": s.selfLinks(c, path, f, mediaJSON),
			"tilesets": []map[string]any{{
				"title": title, "dataType": "vector", "crs": epsg3857, "tileMatrixSetURI": webMercatorQuadURI,
				"links": []Link{
					{Href: base + path + "/" + webMercatorQuad, Rel: "self", Type: mediaJSON, Title: "tileset metadata"},
					{Href: base + "/tileMatrixSets/" + webMercatorQuad, Rel: relTilingScheme, Type: mediaJSON, Title: "WebMercatorQuad"},
				},
			}},
		}
		return sendDoc(c, f, doc)
	}
}

func (s *Server) tileSet(scope string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		coll, path, p := s.tileScope(c, scope)
		if p != nil {
			return p
		}
		if id := c.Params("tileMatrixSetId"); id != webMercatorQuad {
			return notFound("tileMatrixSetId", "no tileset in tile matrix set %q; the tiles use %s", clip(id), webMercatorQuad)
		}
		f, _, err := chooseFormat(c, jsonAndHTML, docOffers, docFormats)
		if err != nil {
			return err
		}
		st := s.snapshot(c)
		if !st.Ready() || st.Tiles == nil {
			return tilesNotReady()
		}
		base := s.base(c)
		tj := st.Tiles.TileJSON(base + "/tiles/{z}/{x}/{y}.mvt")
		var layers []map[string]any
		for _, l := range tj["vector_layers"].([]map[string]any) {
			if coll != "" && l["id"] != coll {
				continue
			}
			layer := map[string]any{
				"id": l["id"], "description": l["description"], "dataType": "vector",
				"geometryType":  tileGeometryType(st, l["id"].(string)),
				"minTileMatrix": strconv.Itoa(l["minzoom"].(int)), "maxTileMatrix": strconv.Itoa(l["maxzoom"].(int)),
				"propertiesSchema": map[string]any{"type": "object", "properties": layerFieldSchemas(l["fields"].(map[string]string))},
			}
			if m := st.meta[l["id"].(string)]; m != nil {
				layer["links"] = []Link{{Href: base + "/collections/" + l["id"].(string), Rel: "collection", Type: mediaJSON, Title: m.Title}}
			}
			layers = append(layers, layer)
		}
		b := tj["bounds"].([]float64)
		title := "Cluster Atlas vector tiles"
		desc := "All layers in one tileset; the URL template is the one TileJSON (/tiles.json) gives."
		if coll != "" {
			title = coll + " vector tiles"
			desc = "The dataset tiles: the layer " + coll + " holds this collection's features (the tiles also carry the other layers)."
		}
		doc := map[string]any{
			"title": title, "description": desc, "dataType": "vector", "crs": epsg3857, "tileMatrixSetURI": webMercatorQuadURI,
			"links": append(s.selfLinks(c, path+"/"+webMercatorQuad, f, mediaJSON),
				Link{Href: base + "/tileMatrixSets/" + webMercatorQuad, Rel: relTilingScheme, Type: mediaJSON, Title: "WebMercatorQuad"},
				Link{Href: base + tileTemplate, Rel: "item", Type: mediaMVT, Title: "Mapbox vector tiles (templated: tileMatrix, tileCol, tileRow)"},
				Link{Href: base + "/tiles.json", Rel: "describedby", Type: mediaJSON, Title: "TileJSON 3.0.0"},
			),
			"tileMatrixSetLimits": tileMatrixSetLimits(b),
			"boundingBox":         map[string]any{"lowerLeft": []float64{b[0], b[1]}, "upperRight": []float64{b[2], b[3]}, "crs": crs84},
			"centerPoint":         map[string]any{"coordinates": tj["center"].([]float64)[:2], "crs": crs84, "tileMatrix": "3"},
			"layers":              layers,
		}
		// OGC 20-057 requires the template link to say it is templated.
		links := doc["links"].([]Link)
		out := make([]map[string]any, len(links))
		for i, l := range links {
			m := map[string]any{"href": l.Href, "rel": l.Rel, "type": l.Type, "title": l.Title}
			if l.Rel == "item" {
				m["templated"] = true
			}
			out[i] = m
		}
		doc["links"] = out
		return sendDoc(c, f, doc)
	}
}

// tileGeometryType is the OGC tileset layer geometryType of a layer.
func tileGeometryType(st *State, layer string) string {
	if m := st.meta[layer]; m != nil && m.Schema != nil {
		switch m.Schema.GeometryType {
		case "MultiPolygon", "Polygon":
			return "polygons"
		case "LineString", "MultiLineString":
			return "lines"
		case "Point", "MultiPoint":
			return "points"
		}
	}
	if layer == tiles.LayerLabels {
		return "points"
	}
	return "geometry"
}

// layerFieldSchemas turns TileJSON's "Type: text" field descriptions into
// JSON Schema properties.
func layerFieldSchemas(fields map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range fields {
		typ := "string"
		switch {
		case len(v) >= 6 && v[:6] == "Number":
			typ = "number"
		case len(v) >= 7 && v[:7] == "Boolean":
			typ = "boolean"
		}
		out[k] = map[string]any{"type": typ, "description": v}
	}
	return out
}

// tileMatrixSetLimits are the tile rows and columns covering the bounds
// (lon/lat) at each served zoom.
func tileMatrixSetLimits(b []float64) []map[string]any {
	var out []map[string]any
	for z := tiles.MinZoom; z <= tiles.MaxZoom; z++ {
		n := float64(int(1) << z)
		col := func(lon float64) int { return clampTile(int(math.Floor((lon+180)/360*n)), z) }
		row := func(lat float64) int {
			lat = math.Max(-85.0511287798, math.Min(85.0511287798, lat))
			r := lat * math.Pi / 180
			return clampTile(int(math.Floor((1-math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi)/2*n)), z)
		}
		out = append(out, map[string]any{
			"tileMatrix": strconv.Itoa(z),
			"minTileRow": row(b[3]), "maxTileRow": row(b[1]),
			"minTileCol": col(b[0]), "maxTileCol": col(b[2]),
		})
	}
	return out
}

func clampTile(v, z int) int { return max(0, min(v, (1<<z)-1)) }

// sendDoc sends a document as JSON or as the generic HTML page.
func sendDoc(c *fiber.Ctx, f negotiated, doc map[string]any) error {
	if f == asHTML {
		buf := &bytesBuffer{}
		if err := schemaPage.ExecuteTemplate(buf, "tilesdoc", map[string]any{"Title": doc["title"], "Base": baseOf(c), "Doc": doc}); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "text/html; charset=utf-8")
		return c.Send(buf.b)
	}
	return sendJSON(c, mediaJSON, doc)
}

// tilesLinks are the landing page's links to the tiles documents.
func tilesLinks(base string) []Link {
	return []Link{
		{Href: base + "/tileMatrixSets", Rel: relTilingSchemes, Type: mediaJSON, Title: "Tile matrix sets"},
		{Href: base + "/tiles", Rel: relTilesetsVector, Type: mediaJSON, Title: "Vector tilesets (OGC API - Tiles)"},
	}
}
