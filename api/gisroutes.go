package api

// Routes, parameters and conformance classes of the GIS-client work (issue
// #12: schemas, queryables, CQL2 filtering, downloads, OGC API - Tiles),
// registered from here so the shared route table only gains one line.

import (
	"path"

	"github.com/clusteratlas/clusteratlas/api/tiles"
	"github.com/gofiber/fiber/v2"
)

type fiberHandler = fiber.Handler

var gisConformance = []string{
	"http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas",
	"http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/core-roles-features",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
	"http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
}

func init() {
	conformanceClasses = append(conformanceClasses, gisConformance...)
	for _, defs := range []map[string]paramDef{featureQueryParamDefs, docParamDefs} {
		for k, v := range defs {
			paramDefs[k] = v
		}
	}
	paramDefs["f-items"] = itemsFormatParam
}

// withGISRoutes adds the routes of this work and extends the items route
// with the Part 3 parameters.
func withGISRoutes(routes []routeSpec) []routeSpec {
	for i := range routes {
		if routes[i].OperationID == "getFeatures" {
			rs := &routes[i]
			rs.Params = append(append([]string{}, rs.Params...), featureQueryParams...)
			for j, name := range rs.Params {
				if name == "f" {
					rs.Params[j] = "f-items"
				}
			}
			rs.Produces = append(append([]string{}, rs.Produces...), mediaCSV, mediaFGB)
			rs.QueryableParams = true
			rs.Summary += "; CQL2 filter, ?property=value on queryables, sortby"
		}
	}
	routes = append(append(routes, gisRoutes()...), tilesRoutes()...)
	for i := range routes {
		if docRoutes[routes[i].OperationID] {
			withDocParams(&routes[i])
		}
	}
	return routes
}

func gisRoutes() []routeSpec {
	return []routeSpec{
		{Method: "GET", Path: "/collections/{collectionId}/schema", Params: []string{"f"}, PathParams: []string{"collectionId"}, OperationID: "getSchema", Tag: "Capabilities",
			Summary:  "Feature schema of a collection (OGC API - Features Part 5, JSON Schema 2020-12): every property with its type, the one geometry type, the id property",
			Produces: []string{mediaSchema, mediaHTML}, handler: func(s *Server) fiberHandler { return s.schemaHandler(false) }},
		{Method: "GET", Path: "/collections/{collectionId}/queryables", Params: []string{"f"}, PathParams: []string{"collectionId"}, OperationID: "getQueryables", Tag: "Capabilities",
			Summary:  "Queryable properties of a collection (OGC API - Features Part 3): the scalar properties and the geometry, usable in filter and as ?property=value",
			Produces: []string{mediaSchema, mediaHTML}, handler: func(s *Server) fiberHandler { return s.schemaHandler(true) }},
	}
}

// collectionGISLinks are the links a collection document gains.
func collectionGISLinks(collectionURL string) []Link {
	links := schemaLinks(collectionURL)
	name := path.Base(collectionURL)
	for _, l := range tiles.LayerNames {
		if l == name {
			links = append(links, Link{Href: collectionURL + "/tiles", Rel: relTilesetsVector, Type: mediaJSON, Title: "vector tilesets of this collection"})
		}
	}
	return links
}
