package api

import (
	"bytes"
	"sync"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
)

// queryFeature is one feature of a query answer.
type queryFeature struct {
	collection string
	index      int
	extra      map[string]any
}

var answerBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 8192); return &b }}

// locateBuffers hold /locate's summary and query echo.
var locateBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// writeQueryAnswer encodes a query answer as a GeoJSON FeatureCollection.
// Each feature gets a "collection" property (a /locate answer mixes
// collections); foreign members carry the query echo and any summary.
func writeQueryAnswer(c *fiber.Ctx, st *State, feats []queryFeature, opts featureOptions, foreign map[string]any) error {
	members := make([]foreignMember, 0, len(foreign))
	for _, k := range sortedKeys(foreign) {
		raw, err := marshalJSON(foreign[k])
		if err != nil {
			return err
		}
		members = append(members, foreignMember{k, raw})
	}
	return writeQueryAnswerRaw(c, st, feats, opts, members)
}

// foreignMember is a member of the answer beside "features", encoded.
type foreignMember struct {
	key string
	raw []byte
}

// writeQueryAnswerRaw is writeQueryAnswer with the foreign members already
// encoded, in key order (the /locate hot path: no map, no marshalling).
func writeQueryAnswerRaw(c *fiber.Ctx, st *State, feats []queryFeature, opts featureOptions, foreign []foreignMember) error {
	// a pooled scratch buffer: no per-request allocation (SetBody copies it
	// into fasthttp's own pooled body buffer)
	scratch := answerBuffers.Get().(*[]byte)
	defer answerBuffers.Put(scratch)
	buf := (*scratch)[:0]
	buf = append(buf, `{"type":"FeatureCollection","numberReturned":`...)
	buf = appendInt(buf, len(feats))
	buf = append(buf, `,"timeStamp":`...)
	buf = appendJSONString(buf, st.timeStamp())
	for _, m := range foreign {
		buf = append(buf, ',')
		buf = appendJSONString(buf, m.key)
		buf = append(buf, ':')
		buf = append(buf, m.raw...)
	}
	buf = append(buf, `,"features":[`...)
	for n, qf := range feats {
		if n > 0 {
			buf = append(buf, ',')
		}
		coll, _ := st.Atlas.Collection(qf.collection)
		feat := &coll.Features[qf.index]
		o := opts
		o.Encoded = st.encodedProperties(qf.collection, qf.index, o, o.Summary)
		if o.Encoded != nil && len(qf.extra) == 0 {
			o.Tag = collectionTags[qf.collection] // the hot path: no map
		} else {
			o.Extra = map[string]any{"collection": qf.collection}
			for k, v := range qf.extra {
				o.Extra[k] = v
			}
		}
		buf = appendFeature(buf, feat, servedGeometry(st, qf.collection, qf.index, feat, o.geometryOptions, !o.CurvedFlows), o)
	}
	buf = append(buf, "]}"...)
	*scratch = buf
	// the content type has its own field: no header-name normalising
	c.Response().Header.SetContentType(mediaGeoJSON)
	if opts.CRS != nil { // the default answer skips even the header
		contentCRS(c, opts.CRS)
	}
	c.Response().SetBody(buf)
	return nil
}

// locatedRun is a /locate answer without its query echo, which goes at
// split: what writeQueryAnswerRaw writes for a /locate without options
// (the common request), assembled from features rendered once per state
// (the same bytes, tested). For a uniform run of the locate grid
// (geo.Atlas.LocateRun) the state keeps it for every point of that run.
type locatedRun struct {
	parts []byte
	split int
}

// appendLocatedRun appends the answer's parts for these features and
// location summary to b.
func appendLocatedRun(b []byte, st *State, features [][]byte, location []byte) locatedRun {
	b = append(b, `{"type":"FeatureCollection","numberReturned":`...)
	b = appendInt(b, len(features))
	b = append(b, `,"timeStamp":`...)
	b = appendJSONString(b, st.timeStamp())
	b = append(append(b, `,"location":`...), location...)
	b = append(b, `,"query":`...)
	split := len(b)
	b = append(b, `,"features":[`...)
	for n, f := range features {
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, f...)
	}
	return locatedRun{parts: append(b, "]}"...), split: split}
}

// writeLocatedRun answers with r around the query echo: two copies.
func writeLocatedRun(c *fiber.Ctx, r locatedRun, query []byte) error {
	scratch := answerBuffers.Get().(*[]byte)
	defer answerBuffers.Put(scratch)
	buf := append(append(append((*scratch)[:0], r.parts[:r.split]...), query...), r.parts[r.split:]...)
	*scratch = buf
	c.Response().Header.SetContentType(mediaGeoJSON)
	c.Response().SetBody(buf)
	return nil
}

// pointQuery reads lon/lat plus the feature options shared by the point
// queries; collection defaults to clusters.
func (s *Server) pointQuery(c *fiber.Ctx, st *State, withCollection bool) (orb.Point, *geo.Collection, featureOptions, *Problem) {
	args := c.Context().QueryArgs()
	pt, p := parseLonLat(c.Query("lon"), c.Query("lat"), args.Has("lon"), args.Has("lat"))
	if p != nil {
		return pt, nil, featureOptions{}, p
	}
	name := data.Clusters
	if withCollection && args.Has("collection") {
		name = c.Query("collection")
	}
	coll, p := lookupCollection(st, "collection", name)
	if p != nil {
		return pt, nil, featureOptions{}, p
	}
	opts, p := parseFeatureOptions(c, st, name)
	return pt, coll, opts, p
}

// locate answers the reverse-geocoder question: which clusters (several:
// the plans overlap), member city, transfer zones, metro areas, province
// and macro-region contain the point. Geometry is omitted unless
// geometry=true. The answer is a FeatureCollection (clusters, the city,
// zones, metro areas, the province, the region, each feature tagged with
// its collection) with a "location" foreign member summarising the ids, so
// a client can read the answer without walking features.
func (s *Server) locate() fiber.Handler {
	return func(c *fiber.Ctx) error {
		st := s.snapshot(c)
		pt, _, opts, p := s.pointQuery(c, st, false)
		if p != nil {
			return p
		}
		omitGeometryByDefault(c, &opts) // a reverse-geocoder answer is names, not shapes
		opts.Summary = true
		plain := opts.Omit && opts.CRS == nil && opts.Keep == nil && opts.Precision < 0 && opts.Zoom < 0
		// most points lie in cells no outline crosses: their answer, but for
		// the query echo, is their cell's run's, rendered once
		run := -1
		if plain {
			if r, ok := st.Atlas.LocateRun(pt); ok && r < len(st.locatedRuns) {
				if cached := st.locatedRuns[r].Load(); cached != nil {
					var echo [64]byte
					return writeLocatedRun(c, *cached, appendQueryEcho(echo[:0], c, pt))
				}
				run = r
			}
		}
		var featArray [16]queryFeature // on the stack for any usual point
		var idArray, renderedArray [16][]byte
		feats, ids, rendered := featArray[:0], idArray[:0], renderedArray[:0]
		allRendered := true
		st.Atlas.LocateEach(opts.CRS.lonLatToStorage(pt), func(c *geo.Collection, i int) {
			feats = append(feats, queryFeature{collection: c.Name, index: i})
			f, id := st.locatedFeature(c, i)
			if id == nil { // not pre-rendered: every Locate collection is, but stay correct
				id, allRendered = appendJSONString(nil, c.Features[i].ID), false
			}
			ids, rendered = append(ids, id), append(rendered, f)
		})
		// the summary and the query echo are written by hand into one
		// pooled buffer: this is the hottest path
		scratch := locateBuffers.Get().(*[]byte)
		defer locateBuffers.Put(scratch)
		summary := append((*scratch)[:0], '{')
		// one key per collection, in the summary's (alphabetical) order: an
		// id for a partition, a list for the overlapping ones
		for n, k := range locateSummaryKeys {
			if n > 0 {
				summary = append(summary, ',')
			}
			summary = append(summary, k.key...)
			if k.list {
				summary = append(summary, '[')
			}
			some := false
			for j, f := range feats {
				if f.collection != k.collection {
					continue
				}
				if some {
					summary = append(summary, ',')
				}
				summary = append(summary, ids[j]...)
				some = true
			}
			switch {
			case k.list:
				summary = append(summary, ']')
			case !some:
				summary = append(summary, "null"...)
			}
		}
		summary = append(summary, '}')
		summaryEnd := len(summary)
		query := appendQueryEcho(summary, c, pt)
		*scratch = query
		if allRendered && plain {
			partsBuf := answerBuffers.Get().(*[]byte)
			defer answerBuffers.Put(partsBuf)
			r := appendLocatedRun((*partsBuf)[:0], st, rendered, query[:summaryEnd])
			*partsBuf = r.parts
			if run >= 0 {
				st.locatedRuns[run].Store(&locatedRun{parts: bytes.Clone(r.parts), split: r.split})
			}
			return writeLocatedRun(c, r, query[summaryEnd:])
		}
		return writeQueryAnswerRaw(c, st, feats, opts, []foreignMember{
			{"location", query[:summaryEnd]},
			{"query", query[summaryEnd:]},
		})
	}
}

// appendQueryEcho appends /locate's "query" member: lat and lon as sent
// when canonical, else shortest.
func appendQueryEcho(b []byte, c *fiber.Ctx, pt orb.Point) []byte {
	b = append(b, `{"lat":`...)
	b = appendShortest(b, c.Query("lat"), pt[1])
	b = append(b, `,"lon":`...)
	b = appendShortest(b, c.Query("lon"), pt[0])
	return append(b, '}')
}

// locateSummaryKeys are /locate's "location" members, in the order written.
var locateSummaryKeys = [...]struct {
	key, collection string
	list            bool
}{
	{`"city":`, data.Cities, false},
	{`"clusters":`, data.Clusters, true},
	{`"metro_areas":`, data.MetroAreas, true},
	{`"province":`, data.Provinces, false},
	{`"region":`, data.Regions, false},
	{`"zones":`, data.TransferZones, true},
}

// omitGeometryByDefault: the query routes answer names, ids and measures
// unless geometry=true or a zoom (simplified geometry) is asked for - full
// detail made /within on cities 24.8 MB and /nearest k=5 1.4-1.7 MB.
func omitGeometryByDefault(c *fiber.Ctx, opts *featureOptions) {
	args := c.Context().QueryArgs()
	if !args.Has("geometry") && !args.Has("zoom") {
		opts.Omit = true
	}
}

func hitsToFeatures(collection string, hits []geo.Hit) []queryFeature {
	out := make([]queryFeature, len(hits))
	for n, h := range hits {
		out[n] = queryFeature{collection: collection, index: h.Index, extra: map[string]any{"distance_km": roundTo(h.DistanceKm, 3)}}
	}
	return out
}

func (s *Server) nearest() fiber.Handler {
	return func(c *fiber.Ctx) error {
		st := s.snapshot(c)
		pt, coll, opts, p := s.pointQuery(c, st, true)
		if p != nil {
			return p
		}
		omitGeometryByDefault(c, &opts)
		k := DefaultNearestK
		if c.Context().QueryArgs().Has("k") {
			if k, p = parseInt("k", c.Query("k"), 1, MaxNearestK); p != nil {
				return p
			}
		}
		hits := coll.Nearest(opts.CRS.lonLatToStorage(pt), k)
		return writeQueryAnswer(c, st, hitsToFeatures(coll.Name, hits), opts, map[string]any{
			"query": map[string]any{"lon": pt[0], "lat": pt[1], "k": k, "collection": coll.Name},
		})
	}
}

func (s *Server) within() fiber.Handler {
	return func(c *fiber.Ctx) error {
		st := s.snapshot(c)
		pt, coll, opts, p := s.pointQuery(c, st, true)
		if p != nil {
			return p
		}
		if !c.Context().QueryArgs().Has("radius_km") {
			return invalidParam("radius_km", "is required")
		}
		r, p := parseFloatIn("radius_km", c.Query("radius_km"), 0, MaxRadiusKm)
		if p != nil {
			return p
		}
		if r <= 0 {
			return invalidParam("radius_km", "must be greater than 0, got %g", r)
		}
		omitGeometryByDefault(c, &opts)
		hits := coll.Within(opts.CRS.lonLatToStorage(pt), r)
		return writeQueryAnswer(c, st, hitsToFeatures(coll.Name, hits), opts, map[string]any{
			"query": map[string]any{"lon": pt[0], "lat": pt[1], "radius_km": r, "collection": coll.Name},
		})
	}
}

// intersects overlays a posted geometry with a collection: each feature it
// touches with the overlap area (polygonal input) or length (linear input)
// and the shares of the input and of the feature.
func (s *Server) intersects() fiber.Handler {
	return func(c *fiber.Ctx) error {
		st := s.snapshot(c)
		args := c.Context().QueryArgs()
		name := data.Clusters
		if args.Has("collection") {
			name = c.Query("collection")
		}
		coll, p := lookupCollection(st, "collection", name)
		if p != nil {
			return p
		}
		opts, p := parseFeatureOptions(c, st, name)
		if p != nil {
			return p
		}
		omitGeometryByDefault(c, &opts)
		body := c.Body()
		if len(body) > s.cfg.BodyLimit { // a chunked body may bypass the server's check
			return &Problem{Type: problemHTTP, Title: "Request Entity Too Large", Status: fiber.StatusRequestEntityTooLarge, Parameter: "body",
				Detail: "the request body exceeds the body size limit"}
		}
		g, p := parseGeometryBodyAxes(body, s.cfg.MaxVertices, opts.CRS != nil && opts.CRS.LatFirst)
		if p != nil {
			return p
		}
		g = opts.CRS.inputDatum(g)
		overlaps, err := coll.IntersectingContext(c.UserContext(), g)
		if isContextErr(err) {
			return err // the cost guard turns it into 503 + Retry-After
		}
		if err != nil {
			// The geometry passed our checks but the overlay refused it
			// (e.g. a self-intersecting polygon): the input's fault.
			return invalidBody("the geometry cannot be overlaid: %s", clip(err.Error()))
		}
		feats := make([]queryFeature, len(overlaps))
		for n, o := range overlaps {
			feats[n] = queryFeature{collection: name, index: o.Index, extra: map[string]any{
				"overlap_area_km2":  roundTo(o.AreaKm2, 3),
				"overlap_length_km": roundTo(o.LengthKm, 3),
				"share_of_input":    roundTo(o.ShareOfInput, 6),
				"share_of_feature":  roundTo(o.ShareOfFeature, 6),
			}}
		}
		return writeQueryAnswer(c, st, feats, opts, map[string]any{
			"query": map[string]any{"collection": name, "geometry_type": g.GeoJSONType(), "input_vertices": geo.Vertices(g)},
		})
	}
}
