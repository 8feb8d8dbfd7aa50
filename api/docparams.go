package api

// GDAL's OAPIF driver sends the query of the URL it was given
// ("OAPIF:http://host/?zoom=6") to every request it makes: the landing
// page, /conformance, /api, /collections and each collection, not only
// items. Those document routes therefore accept zoom, precision and crs,
// check them by the items rules (a bad value is still a 400) and otherwise
// ignore them: the documents carry no geometry.

import (
	"fmt"

	"github.com/gofiber/fiber/v2"
)

var docParamDefs = map[string]paramDef{
	"zoom-doc": {Name: "zoom", Description: fmt.Sprintf("Accepted for clients that send one query to every request (GDAL's OAPIF driver); checked (0..%d) and ignored here: it applies to items.", MaxZoom),
		Schema: map[string]any{"type": "integer", "minimum": 0, "maximum": MaxZoom}},
	"precision-doc": {Name: "precision", Description: fmt.Sprintf("Accepted for clients that send one query to every request (GDAL's OAPIF driver); checked (0..%d) and ignored here: it applies to items.", MaxPrecision),
		Schema: map[string]any{"type": "integer", "minimum": 0, "maximum": MaxPrecision}},
	"crs-doc": {Name: "crs", Description: "Accepted for clients that send one query to every request (GDAL's OAPIF driver); checked like items' crs and ignored here: the documents carry no geometry.",
		Schema: map[string]any{"type": "string"}},
}

var docParams = []string{"zoom-doc", "precision-doc", "crs-doc"}

// docRoutes are the document routes (by operationId) that take docParams.
var docRoutes = map[string]bool{
	"getLandingPage": true, "getConformanceDeclaration": true, "getAPIDefinition": true,
	"getCollections": true, "describeCollection": true, "getSchema": true, "getQueryables": true,
	"getTileMatrixSets": true, "getTileMatrixSet": true, "getTileSets": true, "getTileSet": true, "getCollectionTileSets": true, "getCollectionTileSet": true,
}

// checkDocParams applies the items rules to zoom, precision and crs.
func checkDocParams(c *fiber.Ctx) *Problem {
	args := c.Context().QueryArgs()
	if args.Has("zoom") {
		if _, p := parseInt("zoom", c.Query("zoom"), 0, MaxZoom); p != nil {
			return p
		}
	}
	if args.Has("precision") {
		if _, p := parseInt("precision", c.Query("precision"), 0, MaxPrecision); p != nil {
			return p
		}
	}
	if args.Has("crs") {
		if _, p := parseCRS("crs", c.Query("crs")); p != nil {
			return p
		}
	}
	return nil
}

// withDocParams adds docParams to a document route and checks them
// before its handler runs.
func withDocParams(rs *routeSpec) {
	rs.Params = append(append([]string{}, rs.Params...), docParams...)
	inner := rs.handler
	rs.handler = func(s *Server) fiber.Handler {
		h := inner(s)
		return func(c *fiber.Ctx) error {
			if p := checkDocParams(c); p != nil {
				return p
			}
			return h(c)
		}
	}
}
