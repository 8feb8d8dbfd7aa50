package api

import (
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/gofiber/fiber/v2"
)

// Conformance classes declared: only those the tests exercise.
var conformanceClasses = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
}

const crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

// Link is an OGC/Atom-style link.
type Link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// negotiated is the representation chosen for a request.
type negotiated string

const (
	asJSON negotiated = "json"
	asHTML negotiated = "html"
	asCSV  negotiated = "csv"
)

// chooseFormat applies f (which wins) or the Accept header. offers maps
// media types to formats in order of preference.
func chooseFormat(c *fiber.Ctx, allowedF []negotiated, offers []string, formats []negotiated) (negotiated, string, error) {
	if c.Context().QueryArgs().Has("f") {
		f := negotiated(c.Query("f"))
		for i, a := range allowedF {
			if a == f {
				// The first offer of that format is its canonical media type.
				for j, ff := range formats {
					if ff == f {
						return f, offers[j], nil
					}
				}
				return f, offers[i], nil
			}
		}
		names := make([]string, len(allowedF))
		for i, a := range allowedF {
			names[i] = string(a)
		}
		return "", "", invalidParam("f", "must be one of %s, got %q", strings.Join(names, ", "), clip(string(f)))
	}
	m := negotiate(c.Get(fiber.HeaderAccept), offers)
	if m == "" {
		return "", "", &Problem{Type: problemNotAcceptable, Title: "Not Acceptable", Status: fiber.StatusNotAcceptable,
			Detail: "the Accept header allows none of: " + strings.Join(offers, ", ")}
	}
	for i, o := range offers {
		if o == m {
			return formats[i], m, nil
		}
	}
	return formats[0], offers[0], nil
}

var (
	docOffers    = []string{mediaJSON, mediaHTML}
	docFormats   = []negotiated{asJSON, asHTML}
	featOffers   = []string{mediaGeoJSON, mediaJSON, mediaHTML}
	featFormats  = []negotiated{asJSON, asJSON, asHTML}
	jsonAndHTML  = []negotiated{asJSON, asHTML}
	featureTypes = map[negotiated]string{asJSON: mediaGeoJSON, asHTML: mediaHTML}
)

// base is the URL prefix links are built on: --base-url if set, else the
// request's scheme and Host. X-Forwarded-Proto/-Host are client input: they
// count only from a peer in --trusted-proxies (Fiber's trusted-proxy check),
// otherwise one request could poison a shared cache with another host's links.
func (s *Server) base(c *fiber.Ctx) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL
	}
	if b, ok := c.Locals(localBase).(string); ok && b != "" {
		return b // computed once per request by the route wrapper
	}
	if len(s.cfg.TrustedProxies) > 0 && c.IsProxyTrusted() {
		return c.Protocol() + "://" + c.Hostname()
	}
	scheme := "http://"
	if c.Context().IsTLS() {
		scheme = "https://"
	}
	return scheme + string(c.Request().URI().Host()) // one allocation: the concatenation copies
}

// boxedBase is base(c) as an interface value for Locals. The common case
// (no --base-url, no trusted proxy, the same Host as the last request)
// reuses the last value: neither the concatenation nor the boxing
// allocates.
func (s *Server) boxedBase(c *fiber.Ctx) any {
	if s.cfg.BaseURL != "" || len(s.cfg.TrustedProxies) > 0 && c.IsProxyTrusted() {
		return s.base(c)
	}
	host, tls := c.Request().URI().Host(), c.Context().IsTLS()
	if last := s.lastBase.Load(); last != nil && last.tls == tls && last.host == string(host) {
		return last.boxed
	}
	b := s.base(c)
	s.lastBase.Store(&cachedBase{host: string(host), tls: tls, boxed: b})
	return b
}

type cachedBase struct {
	host  string
	tls   bool
	boxed any
}

// linkTo builds an absolute link to path carrying every parameter of the
// current request, with overrides applied ("" removes a parameter).
func (s *Server) linkTo(c *fiber.Ctx, path string, overrides map[string]string) string {
	q := url.Values{}
	c.Context().QueryArgs().VisitAll(func(k, v []byte) { q.Set(string(k), string(v)) })
	for k, v := range overrides {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	u := s.base(c) + path
	if enc := q.Encode(); enc != "" { // Encode sorts keys: stable links
		u += "?" + enc
	}
	return u
}

// selfLinks are the self and alternate links of a json/html resource.
func (s *Server) selfLinks(c *fiber.Ctx, path string, f negotiated, jsonType string) []Link {
	self := Link{Href: s.linkTo(c, path, map[string]string{"f": string(f)}), Rel: "self"}
	alt := Link{Rel: "alternate"}
	if f == asHTML {
		self.Type, self.Title = mediaHTML, "this document"
		alt.Href, alt.Type, alt.Title = s.linkTo(c, path, map[string]string{"f": "json"}), jsonType, "this document as JSON"
	} else {
		self.Type, self.Title = jsonType, "this document"
		alt.Href, alt.Type, alt.Title = s.linkTo(c, path, map[string]string{"f": "html"}), mediaHTML, "this document as HTML"
	}
	return []Link{self, alt}
}

func sendJSON(c *fiber.Ctx, contentType string, v any) error {
	body, err := marshalJSON(v)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, contentType)
	return c.Send(body)
}

func (s *Server) landing() fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, _, err := chooseFormat(c, jsonAndHTML, docOffers, docFormats)
		if err != nil {
			return err
		}
		st := s.snapshot(c)
		links := s.selfLinks(c, "/", f, mediaJSON)
		links = append(links,
			Link{Href: s.base(c) + "/api", Rel: "service-desc", Type: mediaOpenAPI, Title: "OpenAPI 3.0 definition"},
			Link{Href: s.base(c) + "/api?f=html", Rel: "service-doc", Type: mediaHTML, Title: "API documentation"},
			Link{Href: s.base(c) + "/conformance", Rel: "conformance", Type: mediaJSON, Title: "Conformance classes"},
			Link{Href: s.base(c) + "/conformance", Rel: "http://www.opengis.net/def/rel/ogc/1.0/conformance", Type: mediaJSON, Title: "Conformance classes"},
			Link{Href: s.base(c) + "/collections", Rel: "data", Type: mediaJSON, Title: "Collections"},
			Link{Href: s.base(c) + "/collections", Rel: "http://www.opengis.net/def/rel/ogc/1.0/data", Type: mediaJSON, Title: "Collections"},
			Link{Href: s.base(c) + "/viewer/", Rel: "related", Type: mediaHTML, Title: "Map viewer"},
			Link{Href: s.base(c) + "/tiles.json", Rel: "related", Type: mediaJSON, Title: "Vector tiles (TileJSON 3.0.0)"},
			Link{Href: s.base(c) + "/tiles/gcj02.json", Rel: "related", Type: mediaJSON, Title: "Vector tiles in GCJ-02, for AMap and Tencent base maps (TileJSON 3.0.0)"},
		)
		links = append(links, tilesLinks(s.base(c))...)
		doc := map[string]any{
			"title":       "Cluster Atlas",
			"description": "China's 19 city clusters, national industrial-transfer demonstration zones and industry-transfer flows.",
			"version":     st.Version,
			"links":       links,
		}
		if f == asHTML {
			clusters, _ := st.Atlas.Collection(data.Clusters)
			return renderHTML(c, "landing", doc, mapFeatures(st, data.Clusters, clusters, allFeatures(clusters), noGeometryOptions, landingMapZoom, false))
		}
		return sendJSON(c, mediaJSON, doc)
	}
}

func (s *Server) conformance() fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, _, err := chooseFormat(c, jsonAndHTML, docOffers, docFormats)
		if err != nil {
			return err
		}
		doc := map[string]any{"conformsTo": conformanceClasses, "links": s.selfLinks(c, "/conformance", f, mediaJSON)}
		if f == asHTML {
			return renderHTML(c, "conformance", doc, nil)
		}
		return sendJSON(c, mediaJSON, doc)
	}
}

// collectionDoc is the /collections/{id} document.
func (s *Server) collectionDoc(c *fiber.Ctx, st *State, name string) map[string]any {
	m := st.meta[name]
	base := s.base(c) + "/collections/" + name
	doc := map[string]any{
		"id":          name,
		"title":       m.Title,
		"description": m.Description,
		"itemType":    "feature",
		"crs":         crsURIs(),
		"storageCrs":  crs84,
		"links": []Link{
			{Href: base, Rel: "self", Type: mediaJSON, Title: "this collection"},
			{Href: base + "?f=html", Rel: "alternate", Type: mediaHTML, Title: "this collection as HTML"},
			{Href: base + "/items", Rel: "items", Type: mediaGeoJSON, Title: "features as GeoJSON"},
			{Href: base + "/items?f=html", Rel: "items", Type: mediaHTML, Title: "features as HTML"},
		},
	}
	doc["links"] = append(doc["links"].([]Link), collectionGISLinks(base)...)
	extent := map[string]any{}
	if m.HasExtent {
		b := m.Extent
		extent["spatial"] = map[string]any{"bbox": [][]float64{{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}}, "crs": crs84}
	}
	if m.HasTime {
		from, _ := yearSpan(m.MinYear)
		_, to := yearSpan(m.MaxYear)
		extent["temporal"] = map[string]any{
			"interval": [][]string{{from.Format(time.RFC3339), to.Add(-time.Second).Format(time.RFC3339)}},
			"trs":      "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
		}
	}
	if len(extent) > 0 {
		doc["extent"] = extent
	}
	return doc
}

func (s *Server) collections() fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, _, err := chooseFormat(c, jsonAndHTML, docOffers, docFormats)
		if err != nil {
			return err
		}
		st := s.snapshot(c)
		var list []map[string]any
		for _, name := range data.CollectionNames {
			list = append(list, s.collectionDoc(c, st, name))
		}
		doc := map[string]any{"links": s.selfLinks(c, "/collections", f, mediaJSON), "collections": list}
		if f == asHTML {
			return renderHTML(c, "collections", doc, extentsMap(st, data.CollectionNames...))
		}
		return sendJSON(c, mediaJSON, doc)
	}
}

// lookupCollection resolves a collection name from a path or query parameter.
func lookupCollection(st *State, param, name string) (*geo.Collection, *Problem) {
	coll, ok := st.Atlas.Collection(name)
	if !ok {
		return nil, notFound(param, "collection %q does not exist; collections are %s", clip(name), strings.Join(data.CollectionNames, ", "))
	}
	return coll, nil
}

func (s *Server) collection() fiber.Handler {
	return func(c *fiber.Ctx) error {
		st := s.snapshot(c)
		name := c.Params("collectionId")
		if _, p := lookupCollection(st, "collectionId", name); p != nil {
			return p
		}
		f, _, err := chooseFormat(c, jsonAndHTML, docOffers, docFormats)
		if err != nil {
			return err
		}
		doc := s.collectionDoc(c, st, name)
		doc["links"] = append(s.selfLinks(c, "/collections/"+name, f, mediaJSON), doc["links"].([]Link)[2:]...)
		if f == asHTML {
			return renderHTML(c, "collection", doc, extentsMap(st, name))
		}
		return sendJSON(c, mediaJSON, doc)
	}
}

// itemsQuery is the parsed query of /collections/{id}/items.
type itemsQuery struct {
	Limit, Offset int
	BBox          *BBox
	Datetime      *TimeInterval
	Keep          []string
	Geometry      geometryOptions
}

// parseFeatureOptions reads properties, precision and zoom (shared by the
// items and query endpoints).
func parseFeatureOptions(c *fiber.Ctx, st *State, collection string) (featureOptions, *Problem) {
	o := featureOptions{geometryOptions: geometryOptions{Precision: -1, Zoom: -1}}
	args := c.Context().QueryArgs()
	if args.Has("crs") {
		d, p := parseCRS("crs", c.Query("crs"))
		if p != nil {
			return o, p
		}
		o.CRS = d
		if d.Datum != geo.WGS84 {
			o.Precision = transformedDecimals // unless precision says otherwise
		}
	}
	if args.Has("precision") {
		v, p := parseInt("precision", c.Query("precision"), 0, MaxPrecision)
		if p != nil {
			return o, p
		}
		o.Precision = v
	}
	if args.Has("zoom") {
		v, p := parseInt("zoom", c.Query("zoom"), 0, MaxZoom)
		if p != nil {
			return o, p
		}
		if st.Levels == nil && isPolygonLayer(collection) {
			return o, &Problem{Type: problemNotReady, Title: "Not ready", Status: fiber.StatusServiceUnavailable, Parameter: "zoom",
				Detail: "simplified levels are still being built; retry shortly or omit zoom"}
		}
		o.Zoom = v
	}
	if args.Has("properties") {
		keep, p := parseList("properties", c.Query("properties"))
		if p != nil {
			return o, p
		}
		if m := st.meta[collection]; m != nil {
			for _, k := range keep {
				if !m.PropertyNames[k] {
					return o, invalidParam("properties", "%q is not a property of %s; properties are %s", clip(k), collection, strings.Join(m.propertyList(), ", "))
				}
			}
		}
		o.Keep = keep
	}
	if args.Has("geometry") {
		v, p := parseBool("geometry", c.Query("geometry"))
		if p != nil {
			return o, p
		}
		o.Omit = !v
	}
	return o, nil
}

func (s *Server) items() fiber.Handler {
	return func(c *fiber.Ctx) error {
		st := s.snapshot(c)
		name := c.Params("collectionId")
		coll, p := lookupCollection(st, "collectionId", name)
		if p != nil {
			return p
		}
		f, media, err := chooseFormat(c, itemsAllowedF, itemsOffers, itemsFormats)
		if err != nil {
			return err
		}
		args := c.Context().QueryArgs()
		limit, offset := DefaultLimit, 0
		if args.Has("limit") {
			if limit, p = parseInt("limit", c.Query("limit"), 1, math.MaxInt); p != nil {
				return p
			}
		}
		served := min(limit, s.cfg.MaxLimit)
		if args.Has("offset") {
			if offset, p = parseInt("offset", c.Query("offset"), 0, math.MaxInt); p != nil {
				return p
			}
		}
		straight, p := parseFlowShape(c)
		if p != nil {
			return p
		}
		var matches []int
		bboxCRS := crsCRS84
		if args.Has("bbox-crs") {
			if bboxCRS, p = parseCRS("bbox-crs", c.Query("bbox-crs")); p != nil {
				return p
			}
		}
		if args.Has("bbox") {
			box, p := parseBBoxCRS(c.Query("bbox"), bboxCRS)
			if p != nil {
				return p
			}
			if name == data.Flows && !straight {
				matches = flowBBoxMatches(st, coll, box)
			} else {
				matches = bboxMatches(coll, box)
			}
		} else {
			matches = make([]int, len(coll.Features))
			for i := range matches {
				matches[i] = i
			}
		}
		if args.Has("datetime") {
			t, p := parseDatetime(c.Query("datetime"))
			if p != nil {
				return p
			}
			matches = filterDatetime(coll, st.meta[name].TimeProperty, matches, t)
		}
		if matches, p = s.filterFeatures(c, st, name, coll, matches, straight); p != nil {
			return p
		}
		opts, p := parseFeatureOptions(c, st, name)
		if p != nil {
			return p
		}
		page := []int{}
		if offset < len(matches) {
			page = matches[offset:min(len(matches), offset+served)]
		}
		path := "/collections/" + name + "/items"
		links := append(s.selfLinks(c, path, f, mediaGeoJSON), s.downloadLinks(c, path, f)...)
		if offset+len(page) < len(matches) {
			links = append(links, Link{Href: s.linkTo(c, path, map[string]string{"offset": fmt.Sprint(offset + len(page)), "f": string(f)}), Rel: "next", Type: featureTypes[f], Title: "next page"})
		}
		if offset > 0 {
			prev := max(0, offset-served)
			links = append(links, Link{Href: s.linkTo(c, path, map[string]string{"offset": fmt.Sprint(prev), "f": string(f)}), Rel: "prev", Type: featureTypes[f], Title: "previous page"})
		}
		links = append(links, Link{Href: s.base(c) + "/collections/" + name, Rel: "collection", Type: mediaJSON, Title: "the collection"})
		if f == asCSV || f == asFGB {
			return s.sendDownload(c, st, name, coll, page, links, opts, straight, f)
		}
		if f == asHTML {
			return renderItemsHTML(c, st, name, coll, page, len(matches), links,
				mapFeatures(st, name, coll, page, opts.geometryOptions, itemsMapZoom, straight))
		}
		buf := make([]byte, 0, 4096)
		buf = append(buf, `{"type":"FeatureCollection","numberMatched":`...)
		buf = fmt.Append(buf, len(matches))
		buf = append(buf, `,"numberReturned":`...)
		buf = fmt.Append(buf, len(page))
		buf = append(buf, `,"timeStamp":`...)
		// The data's load time, not the clock: equal requests give equal
		// bytes, as the strong ETag promises.
		buf = appendJSONString(buf, st.LoadedAt.Format(time.RFC3339))
		buf = append(buf, `,"links":`...)
		raw, _ := marshalJSON(links)
		buf = append(buf, raw...)
		buf = append(buf, `,"features":[`...)
		for n, i := range page {
			if n > 0 {
				buf = append(buf, ',')
			}
			feat := &coll.Features[i]
			buf = appendFeature(buf, feat, servedGeometry(st, name, i, feat, opts.geometryOptions, straight), opts)
		}
		buf = append(buf, "]}"...)
		c.Set(fiber.HeaderContentType, media)
		contentCRS(c, opts.CRS)
		return c.Send(buf)
	}
}

// bboxMatches is the sorted, distinct union of the box parts' matches.
func bboxMatches(coll *geo.Collection, box BBox) []int {
	parts := box.Bounds()
	if len(parts) == 1 {
		out := coll.IntersectingBound(parts[0])
		sort.Ints(out)
		return out
	}
	seen := map[int]bool{}
	var out []int
	for _, b := range parts {
		for _, i := range coll.IntersectingBound(b) {
			if !seen[i] {
				seen[i] = true
				out = append(out, i)
			}
		}
	}
	sort.Ints(out)
	return out
}

// filterDatetime keeps features whose year overlaps the filter; features
// without a year never match (OGC 17-069r4 /req/core/fc-time-response:
// only features with temporal information that intersects are returned).
func filterDatetime(coll *geo.Collection, prop string, in []int, t TimeInterval) []int {
	out := in[:0:0]
	for _, i := range in {
		from, to, ok := featureSpan(&coll.Features[i], prop)
		if ok && t.Overlaps(from, to) {
			out = append(out, i)
		}
	}
	return out
}

func (s *Server) item() fiber.Handler {
	return func(c *fiber.Ctx) error {
		st := s.snapshot(c)
		name := c.Params("collectionId")
		coll, p := lookupCollection(st, "collectionId", name)
		if p != nil {
			return p
		}
		fid := c.Params("featureId")
		i, ok := coll.Index(fid)
		if !ok {
			return notFound("featureId", "feature %q does not exist in %s", clip(fid), name)
		}
		f, media, err := chooseFormat(c, jsonAndHTML, featOffers, featFormats)
		if err != nil {
			return err
		}
		opts, p := parseFeatureOptions(c, st, name)
		if p != nil {
			return p
		}
		straight, p := parseFlowShape(c)
		if p != nil {
			return p
		}
		feat := &coll.Features[i]
		path := "/collections/" + name + "/items/" + url.PathEscape(fid)
		links := append(s.selfLinks(c, path, f, mediaGeoJSON),
			Link{Href: s.base(c) + "/collections/" + name, Rel: "collection", Type: mediaJSON, Title: "the collection"})
		if f == asHTML {
			return renderItemHTML(c, name, feat, links, mapFeatures(st, name, coll, []int{i}, opts.geometryOptions, itemMapZoom, straight))
		}
		buf := appendFeature(make([]byte, 0, 4096), feat, servedGeometry(st, name, i, feat, opts.geometryOptions, straight), opts)
		// Splice the links in as a foreign member before the closing brace.
		raw, _ := marshalJSON(links)
		buf = append(buf[:len(buf)-1], `,"links":`...)
		buf = append(buf, raw...)
		buf = append(buf, '}')
		c.Set(fiber.HeaderContentType, media)
		contentCRS(c, opts.CRS)
		return c.Send(buf)
	}
}
