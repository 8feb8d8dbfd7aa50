package api

import (
	"fmt"
	"slices"
	"strings"

	"github.com/clusteratlas/clusteratlas/api/tiles"
	"github.com/clusteratlas/clusteratlas/data"

	"github.com/gofiber/fiber/v2"
)

// openAPIDocument generates the OpenAPI 3.0 definition from routeSpecs and
// paramDefs, so the document cannot drift from what the router accepts.
// openAPIDocument renders the OpenAPI document; limits (the server's
// configured bounds) are published as the info extension x-limits.
func openAPIDocument(serverURL, version string, limits map[string]any) map[string]any {
	paths := map[string]any{}
	problemRef := map[string]any{"$ref": "#/components/responses/Problem"}
	for _, rs := range routeSpecs {
		var params []any
		for _, name := range rs.PathParams {
			schema := pathParamSchema[name]
			if schema == nil {
				schema = map[string]any{"type": "string"}
			}
			params = append(params, map[string]any{
				"name": name, "in": "path", "required": true, "schema": schema,
				"description": pathParamText[name],
			})
		}
		for _, key := range rs.Params {
			d := paramDefs[key]
			p := map[string]any{"name": d.Name, "in": "query", "required": d.Required, "description": d.Description, "schema": d.Schema}
			if d.CommaList {
				p["style"], p["explode"] = "form", false
			}
			params = append(params, p)
		}
		content := map[string]any{}
		for _, m := range rs.Produces {
			content[m] = map[string]any{"schema": schemaFor(m)}
		}
		responses := map[string]any{
			"200": map[string]any{"description": "OK", "content": content},
		}
		if slices.Contains(rs.Params, "crs") { // OGC API - Features Part 2
			responses["200"].(map[string]any)["headers"] = map[string]any{"Content-Crs": map[string]any{
				"description": "the CRS of the coordinates, as <URI> (items and features always; query routes when crs is given)",
				"schema":      map[string]any{"type": "string"}}}
		}
		if !rs.ops {
			responses["304"] = map[string]any{"description": "Not modified (If-None-Match matched the ETag)"}
			responses["400"] = problemRef
			responses["404"] = problemRef
			responses["406"] = problemRef
		}
		responses["500"] = problemRef
		if rs.Empty != "" {
			responses["204"] = map[string]any{"description": rs.Empty}
		}
		if rs.Unready || slices.Contains(rs.Params, "zoom") {
			responses["503"] = problemRef
		}
		if !rs.ops {
			responses["414"] = map[string]any{"description": "Request target longer than --max-uri-bytes (problem+json)"}
			responses["422"] = map[string]any{"description": "The answer would exceed --max-response-bytes; ask for less (problem+json)"}
		}
		if rs.Costly {
			responses["503"] = map[string]any{"description": "Costly-work pool full (--max-costly, --costly-queue) or --request-timeout passed; retry after the Retry-After seconds (problem+json)",
				"headers": map[string]any{"Retry-After": map[string]any{"schema": map[string]any{"type": "integer"}}}}
		}
		op := map[string]any{
			"operationId": rs.OperationID, "summary": rs.Summary, "tags": []string{rs.Tag}, "responses": responses,
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rs.Body != "" {
			op["requestBody"] = map[string]any{
				"required":    true,
				"description": "A GeoJSON geometry (Point, LineString, Polygon or Multi*) or a Feature with one.",
				"content": map[string]any{
					mediaGeoJSON: map[string]any{"schema": map[string]any{"type": "object", "required": []string{"type"}}},
					mediaJSON:    map[string]any{"schema": map[string]any{"type": "object", "required": []string{"type"}}},
				},
			}
			responses["413"] = problemRef
		}
		item, _ := paths[rs.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rs.Path] = item
		}
		item[strings.ToLower(rs.Method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "Cluster Atlas",
			"version":     version,
			"description": "OGC API - Features (Core, GeoJSON, HTML, OpenAPI 3.0) for China's 19 city clusters, transfer zones and flows, plus spatial queries, a planner's comparison and Mapbox Vector Tiles (TileJSON at /tiles.json; map viewer at /viewer/). Every error is application/problem+json (RFC 9457). Unknown query parameters are rejected with 400.",
			"license":     map[string]any{"name": "see the dataset manifest"},
			"x-limits":    limits,
		},
		"servers": []any{map[string]any{"url": serverURL}},
		// The built-in map viewer is static files, not an API operation.
		"externalDocs": map[string]any{"description": "Built-in map viewer (vector tiles from /tiles.json)", "url": serverURL + "/viewer/"},
		"paths":        paths,
		"components": map[string]any{
			"schemas": map[string]any{
				"Problem": map[string]any{
					"type":     "object",
					"required": []string{"type", "title", "status"},
					"properties": map[string]any{
						"type": map[string]any{"type": "string"}, "title": map[string]any{"type": "string"},
						"status": map[string]any{"type": "integer"}, "detail": map[string]any{"type": "string"},
						"instance": map[string]any{"type": "string"}, "parameter": map[string]any{"type": "string"},
					},
				},
				"FeatureCollection": map[string]any{
					"type": "object", "required": []string{"type", "features"},
					"properties": map[string]any{
						"type":           map[string]any{"type": "string", "enum": []any{"FeatureCollection"}},
						"features":       map[string]any{"type": "array", "items": map[string]any{"type": "object"}},
						"numberMatched":  map[string]any{"type": "integer", "minimum": 0},
						"numberReturned": map[string]any{"type": "integer", "minimum": 0},
						"timeStamp":      map[string]any{"type": "string", "format": "date-time"},
						"links":          map[string]any{"type": "array", "items": map[string]any{"type": "object"}},
					},
				},
			},
			"responses": map[string]any{
				"Problem": map[string]any{
					"description": "A problem detail (RFC 9457)",
					"content":     map[string]any{mediaProblem: map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}},
				},
			},
		},
	}
}

var pathParamText = map[string]string{
	"collectionId": strings.Join(data.CollectionNames, ", "),
	"featureId":    "feature id (cities and provinces: GB/T 2260 code)",
	"clusterId":    "cluster id, e.g. jing-jin-ji",
	"regionId":     "macro-region id: east, central, west or northeast",
	"z":            fmt.Sprintf("zoom, %d..%d", tiles.MinZoom, tiles.MaxZoom),
	"x":            "column, 0..2^z-1 (west to east)",
	"y":            "row, 0..2^z-1 (north to south, XYZ scheme)",
}

// pathParamSchema overrides the string schema of a path parameter.
var pathParamSchema = map[string]map[string]any{
	"z": {"type": "integer", "minimum": tiles.MinZoom, "maximum": tiles.MaxZoom},
	"x": {"type": "integer", "minimum": 0},
	"y": {"type": "integer", "minimum": 0},
}

func schemaFor(media string) map[string]any {
	switch media {
	case mediaGeoJSON:
		return map[string]any{"$ref": "#/components/schemas/FeatureCollection"}
	case mediaHTML, mediaCSV, mediaTextPlan:
		return map[string]any{"type": "string"}
	case mediaMVT, mediaFGB:
		return map[string]any{"type": "string", "format": "binary"}
	}
	return map[string]any{"type": "object"}
}

var (
	apiOffers  = []string{"application/vnd.oai.openapi+json", mediaJSON, mediaHTML}
	apiFormats = []negotiated{asJSON, asJSON, asHTML}
)

func (s *Server) apiDocument() fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, _, err := chooseFormat(c, jsonAndHTML, apiOffers, apiFormats)
		if err != nil {
			return err
		}
		st := s.snapshot(c)
		if f == asHTML {
			type param struct{ Name, Description string }
			type route struct {
				Method, Path, Summary string
				Params                []param
			}
			var routes []route
			for _, rs := range routeSpecs {
				r := route{Method: rs.Method, Path: rs.Path, Summary: rs.Summary}
				for _, k := range rs.Params {
					r.Params = append(r.Params, param{paramDefs[k].Name, paramDefs[k].Description})
				}
				routes = append(routes, r)
			}
			return renderPage(c, "api", map[string]any{"Title": "API", "Base": baseOf(c), "Routes": routes})
		}
		return sendJSON(c, mediaOpenAPI, openAPIDocument(s.base(c), st.Version, s.limitsDoc()))
	}
}

// limitsDoc lists the configured request bounds (each a serve flag).
func (s *Server) limitsDoc() map[string]any {
	return map[string]any{
		"body_limit_bytes": s.cfg.BodyLimit, "max_vertices": s.cfg.MaxVertices,
		"max_costly": s.cfg.MaxCostly, "costly_queue": s.cfg.CostlyQueue, "request_timeout_seconds": s.cfg.RequestTimeout.Seconds(),
		"max_response_bytes": s.cfg.MaxResponseBytes, "max_uri_bytes": s.cfg.MaxURIBytes, "max_header_bytes": s.cfg.MaxHeaderBytes,
		"costly_routes": costlyRoutes(),
	}
}

func costlyRoutes() []string {
	var out []string
	for _, rs := range routeSpecs {
		if rs.Costly {
			out = append(out, rs.Method+" "+rs.Path)
		}
	}
	return out
}
