package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routeSpec describes one endpoint once: the router, the unknown-parameter
// check and the OpenAPI document are all generated from routeSpecs.
type routeSpec struct {
	Method string
	Path   string // OpenAPI form, /collections/{collectionId}
	Params []string
	// PathParams are documented in OpenAPI (all strings).
	PathParams  []string
	OperationID string
	Summary     string
	Tag         string
	// Produces lists the success media types.
	Produces []string
	// Body is the accepted request body media type ("" for none).
	Body    string
	handler func(s *Server) fiber.Handler
	// ops routes are operational (no ETag, no f).
	ops bool
	// Empty, if set, documents a 204 answer (an empty vector tile).
	Empty string
	// Unready documents a 503 while the simplified levels are built (routes
	// with a zoom parameter document it anyway).
	Unready bool
	// Costly routes do request-dependent geometry work: they run in the
	// bounded pool under a deadline (guard.go) and document 503.
	Costly bool
	// QueryableParams: the collection's queryable properties are also
	// parameters (?tier=national; see checkItemsArgs).
	QueryableParams bool
}

const (
	mediaGeoJSON  = "application/geo+json"
	mediaJSON     = "application/json"
	mediaHTML     = "text/html"
	mediaCSV      = "text/csv"
	mediaOpenAPI  = "application/vnd.oai.openapi+json;version=3.0"
	mediaProblem  = "application/problem+json"
	mediaTextPlan = "text/plain"
)

var itemsParams = []string{"limit", "offset", "bbox", "bbox-crs", "datetime", "properties", "precision", "zoom", "flow_shape", "crs", "f"}

// routeSpecs is filled in init: the handlers (via /api) refer back to it.
var routeSpecs []routeSpec

func init() { routeSpecs = withGISRoutes(allRoutes()) }

func allRoutes() []routeSpec {
	return []routeSpec{
		{Method: "GET", Path: "/", Params: []string{"f"}, OperationID: "getLandingPage", Tag: "Capabilities",
			Summary: "Landing page", Produces: []string{mediaJSON, mediaHTML}, handler: (*Server).landing},
		{Method: "GET", Path: "/conformance", Params: []string{"f"}, OperationID: "getConformanceDeclaration", Tag: "Capabilities",
			Summary: "Conformance classes this service passes", Produces: []string{mediaJSON, mediaHTML}, handler: (*Server).conformance},
		{Method: "GET", Path: "/api", Params: []string{"f"}, OperationID: "getAPIDefinition", Tag: "Capabilities",
			Summary: "This OpenAPI 3.0 document (f=html: a readable list)", Produces: []string{mediaOpenAPI, mediaHTML}, handler: (*Server).apiDocument},
		{Method: "GET", Path: "/collections", Params: []string{"f"}, OperationID: "getCollections", Tag: "Capabilities",
			Summary: "The collections (clusters, cities, transfer zones, flows, metro areas, provinces, regions, the national outline) with their extents", Produces: []string{mediaJSON, mediaHTML}, handler: (*Server).collections},
		{Method: "GET", Path: "/collections/{collectionId}", Params: []string{"f"}, PathParams: []string{"collectionId"}, OperationID: "describeCollection", Tag: "Capabilities",
			Summary: "One collection", Produces: []string{mediaJSON, mediaHTML}, handler: (*Server).collection},
		{Method: "GET", Path: "/collections/{collectionId}/items", Params: itemsParams, PathParams: []string{"collectionId"}, OperationID: "getFeatures", Tag: "Data",
			Summary: "Features of a collection, paged, filtered by bbox and datetime", Produces: []string{mediaGeoJSON, mediaHTML}, handler: (*Server).items},
		{Method: "GET", Path: "/collections/{collectionId}/items/{featureId}", Params: []string{"properties", "precision", "zoom", "flow_shape", "crs", "f"}, PathParams: []string{"collectionId", "featureId"}, OperationID: "getFeature", Tag: "Data",
			Summary: "One feature", Produces: []string{mediaGeoJSON, mediaHTML}, handler: (*Server).item},
		{Method: "GET", Path: "/locate", Params: []string{"lon", "lat", "geometry", "properties", "precision", "zoom", "crs"}, OperationID: "locate", Tag: "Queries",
			Summary: "Reverse geocoder: the clusters, member city and transfer zones containing a point", Produces: []string{mediaGeoJSON}, handler: (*Server).locate},
		{Method: "GET", Path: "/nearest", Params: []string{"lon", "lat", "k", "collection", "geometry", "properties", "precision", "zoom", "crs"}, OperationID: "nearest", Tag: "Queries",
			Summary: "The k features nearest a point, with distance_km", Produces: []string{mediaGeoJSON}, handler: (*Server).nearest, Costly: true},
		{Method: "GET", Path: "/within", Params: []string{"lon", "lat", "radius_km", "collection", "geometry", "properties", "precision", "zoom", "crs"}, OperationID: "within", Tag: "Queries",
			Summary: "Features within a distance of a point, with distance_km", Produces: []string{mediaGeoJSON}, handler: (*Server).within, Costly: true},
		{Method: "POST", Path: "/intersects", Params: []string{"collection", "geometry", "properties", "precision", "zoom", "crs"}, OperationID: "intersects", Tag: "Queries", Body: mediaGeoJSON,
			Summary: "Features intersecting a posted GeoJSON geometry or Feature, with overlap area and shares", Produces: []string{mediaGeoJSON}, handler: (*Server).intersects, Costly: true},
		{Method: "GET", Path: "/compare", Params: []string{"ids", "f-compare"}, OperationID: "compareClusters", Tag: "Planner",
			Summary: "Side-by-side metrics of clusters, pairwise distances and overlaps, indicator sums", Produces: []string{mediaJSON, mediaCSV}, handler: (*Server).compare},
		{Method: "GET", Path: "/clusters/{clusterId}/flows", Params: []string{"direction", "flow_shape", "precision", "crs"}, PathParams: []string{"clusterId"}, OperationID: "clusterFlows", Tag: "Planner",
			Summary: "Industry-transfer flows into and out of a cluster", Produces: []string{mediaGeoJSON}, handler: (*Server).clusterFlows},
		{Method: "GET", Path: "/regions/{regionId}/flows", Params: []string{"direction", "flow_shape", "precision", "crs"}, PathParams: []string{"regionId"}, OperationID: "regionFlows", Tag: "Planner",
			Summary:  "Industry-transfer flows into and out of a macro-region (east, central, west, northeast): match=named where the flow's stated end is the region (east-coast counts as east, central-west as central and west), match=inside where its end is a cluster or zone whose drawn point lies in the region",
			Produces: []string{mediaGeoJSON}, handler: (*Server).regionFlows},
		{Method: "GET", Path: "/tiles/{z}/{x}/{y}.mvt", PathParams: []string{"z", "x", "y"}, OperationID: "getTile", Tag: "Tiles",
			Summary:  "Mapbox Vector Tile 2.1 (XYZ scheme, extent 4096) with layers provinces (context: provinces and the national outline, kind=country), clusters, cities (from z3), transfer-zones, metro-areas (low_confidence flagged), flows (curved) and labels; polygons simplified for the zoom with shared borders kept shared",
			Produces: []string{mediaMVT}, Empty: "The tile holds no feature", Unready: true, handler: (*Server).tile},
		{Method: "GET", Path: "/tiles.json", OperationID: "getTileJSON", Tag: "Tiles",
			Summary:  "TileJSON 3.0.0 of the vector tiles: URL template, bounds, center, zooms and vector_layers with their fields",
			Produces: []string{mediaJSON}, Unready: true, handler: (*Server).tileJSON},
		{Method: "GET", Path: "/tiles/gcj02/{z}/{x}/{y}.mvt", PathParams: []string{"z", "x", "y"}, OperationID: "getTileGCJ02", Tag: "Tiles",
			Summary:  "The same vector tiles drawn in GCJ-02 (every vertex through the public WGS84→GCJ-02 transform before Web Mercator), to line up with AMap (高德) and Tencent base maps, which are GCJ-02. OSM, Mapbox, MapLibre and Tianditu base maps are WGS84: use /tiles/{z}/{x}/{y}.mvt there. Baidu (BD-09) has its own tile grid, not offered",
			Produces: []string{mediaMVT}, Empty: "The tile holds no feature", Unready: true, handler: (*Server).gcj02Tile},
		{Method: "GET", Path: "/tiles/gcj02.json", OperationID: "getTileJSONGCJ02", Tag: "Tiles",
			Summary:  "TileJSON 3.0.0 of the GCJ-02 vector tiles (bounds and center in GCJ-02; x-datum: GCJ-02)",
			Produces: []string{mediaJSON}, Unready: true, handler: (*Server).gcj02TileJSON},
		{Method: "GET", Path: "/healthz", OperationID: "healthz", Tag: "Operations", Summary: "Liveness: the process serves", Produces: []string{mediaJSON}, handler: (*Server).healthz, ops: true},
		{Method: "GET", Path: "/readyz", OperationID: "readyz", Tag: "Operations", Summary: "Readiness: data, simplified levels and tiles loaded (503 until then)", Produces: []string{mediaJSON}, Unready: true, handler: (*Server).readyz, ops: true},
		{Method: "GET", Path: "/metrics", OperationID: "metrics", Tag: "Operations", Summary: "Prometheus metrics", Produces: []string{mediaTextPlan}, handler: (*Server).metricsHandler, ops: true},
	}
}

// fiberPath turns /a/{b} into Fiber's /a/:b.
func fiberPath(p string) string {
	out := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '{':
			out = append(out, ':')
		case '}':
		default:
			out = append(out, p[i])
		}
	}
	return string(out)
}

func (s *Server) registerRoutes() {
	for _, rs := range routeSpecs {
		inner := rs.handler(s)
		if rs.Costly {
			inner = s.costly(inner)
		}
		h := s.wrap(rs, inner)
		switch rs.Method {
		case "GET":
			s.app.Get(fiberPath(rs.Path), h) // Fiber adds HEAD
		case "POST":
			s.app.Post(fiberPath(rs.Path), h)
		}
	}
	s.registerViewer()
}

// wrap applies what every route shares: the unknown-parameter rule and the
// ETag precondition.
func (s *Server) wrap(rs routeSpec, h fiber.Handler) fiber.Handler {
	// a pointer, made once: Locals would box a string per request
	route := any(s.metrics.forRoute(rs.Path))
	names := paramNames(rs.Params)
	return func(c *fiber.Ctx) error {
		c.Locals(localRoute, route)
		if rs.ops { // not derived from the dataset: no ETag, never cached
			c.Response().Header.Set(fiber.HeaderCacheControl, "no-store")
		}
		if rs.QueryableParams {
			if p := s.checkItemsArgs(c, rs.Params); p != nil {
				return p
			}
		} else if p := checkArgNames(c.Context().QueryArgs(), names); p != nil {
			return p
		}
		c.Locals(localBase, s.boxedBase(c))
		if !rs.ops && s.checkNotModified(c) {
			return nil
		}
		return h(c)
	}
}

func (s *Server) healthz() fiber.Handler {
	body := []byte(`{"status":"ok"}`)
	return func(c *fiber.Ctx) error {
		c.Response().Header.SetContentType(fiber.MIMEApplicationJSON)
		c.Response().SetBodyRaw(body) // a constant: no encoding per probe
		return nil
	}
}

func (s *Server) readyz() fiber.Handler {
	return func(c *fiber.Ctx) error {
		st := s.State()
		if !st.Ready() {
			return &Problem{Type: problemNotReady, Title: "Not ready", Status: fiber.StatusServiceUnavailable,
				Detail: "simplified levels are still being built"}
		}
		return c.JSON(fiber.Map{"status": "ready", "version": st.Version, "loaded_at": st.LoadedAt})
	}
}

func (s *Server) metricsHandler() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}))
}
