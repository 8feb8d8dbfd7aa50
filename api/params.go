package api

// Request parameter parsing, kept apart from the handlers so every rule can
// be unit-tested and fuzzed without an HTTP round trip. Each parser takes the
// raw string and returns a value or a *Problem naming the parameter and the
// rule it broke; none of them may panic on any input.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/valyala/fasthttp"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Paging limits of /collections/{id}/items. The default keeps a page of full
// city polygons around a megabyte; the maximum bounds one response. A limit
// above the maximum is served at the maximum with a next link (OGC 17-069r4
// /req/core/fc-limit-response-1), not refused.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
	// DefaultNearestK and MaxNearestK bound /nearest.
	DefaultNearestK = 5
	MaxNearestK     = 100
	// MaxRadiusKm is half the equator: any larger radius covers the globe.
	MaxRadiusKm = 20037.5
	// MaxPrecision is the most coordinate decimals served (1e-10° ≈ 10 µm).
	MaxPrecision = 10
	// MaxZoom is the deepest simplification level built (web-map zoom).
	MaxZoom = 12
	// MaxCompareIDs bounds /compare: every compared feature (19 clusters
	// today, ~75 with the regional collections) fits, and the answer is a
	// lookup, so the bound only caps the answer's size.
	MaxCompareIDs = 100
)

// paramDef documents one query parameter; the OpenAPI document and the
// unknown-parameter check are both generated from these.
type paramDef struct {
	Name        string
	Description string
	Schema      map[string]any
	Required    bool
	// Explode false + style form: bbox=1,2,3,4 rather than bbox=1&bbox=2.
	CommaList bool
}

var paramDefs = map[string]paramDef{
	"f": {Name: "f", Description: "Output format; overrides the Accept header.",
		Schema: map[string]any{"type": "string", "enum": []any{"json", "html"}}},
	"f-compare": {Name: "f", Description: "Output format; overrides the Accept header. csv is UTF-8 with a header row.",
		Schema: map[string]any{"type": "string", "enum": []any{"json", "csv"}}},
	"limit": {Name: "limit", Description: fmt.Sprintf("Maximum number of features in the page (default %d). Values above %d are served as %d with a next link.", DefaultLimit, MaxLimit, MaxLimit),
		Schema: map[string]any{"type": "integer", "minimum": 1, "default": DefaultLimit}},
	"offset": {Name: "offset", Description: "Number of matching features to skip (paging; follow the next/prev links).",
		Schema: map[string]any{"type": "integer", "minimum": 0, "default": 0}},
	"bbox": {Name: "bbox", Description: "Only features whose geometry intersects the box west,south,east,north (or with minimum/maximum heights: 6 numbers), in bbox-crs (default CRS84; south,west,north,east for EPSG:4326/4490). west > east crosses the antimeridian.",
		Schema:    map[string]any{"type": "array", "minItems": 4, "maxItems": 6, "items": map[string]any{"type": "number"}},
		CommaList: true},
	"datetime": {Name: "datetime", Description: "RFC 3339 date or date-time instant, or an interval start/end with '..' (or empty) for an open end. Extensions: a bare year (2012) or year-month (2016-05) stands for that whole span, also as interval ends (2010/2015, ../2015). A feature matches when its time span overlaps: flows on their year, transfer zones on their approval year, clusters on their plan's date (plan_date: a year, month or day). Features without a time (and every city) match no datetime filter.",
		Schema: map[string]any{"type": "string"}},
	"properties": {Name: "properties", Description: "Comma-separated property names to keep (default: all).",
		Schema:    map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
		CommaList: true},
	"precision": {Name: "precision", Description: fmt.Sprintf("Coordinate decimals, 0..%d (default: full stored precision).", MaxPrecision),
		Schema: map[string]any{"type": "integer", "minimum": 0, "maximum": MaxPrecision}},
	"zoom": {Name: "zoom", Description: fmt.Sprintf("Web-map zoom 0..%d: polygons simplified for that zoom with shared borders kept shared (features too small to see get a null geometry). Flows are not simplified.", MaxZoom),
		Schema: map[string]any{"type": "integer", "minimum": 0, "maximum": MaxZoom}},
	"lon": {Name: "lon", Description: "Longitude in degrees, -180..180 (CRS84, or the datum crs names: an AMap click position goes in as it is with crs=GCJ-02).", Required: true,
		Schema: map[string]any{"type": "number", "minimum": -180, "maximum": 180}},
	"lat": {Name: "lat", Description: "Latitude in degrees, -90..90 (CRS84, or the datum crs names).", Required: true,
		Schema: map[string]any{"type": "number", "minimum": -90, "maximum": 90}},
	"k": {Name: "k", Description: fmt.Sprintf("Number of nearest features, 1..%d (default %d).", MaxNearestK, DefaultNearestK),
		Schema: map[string]any{"type": "integer", "minimum": 1, "maximum": MaxNearestK, "default": DefaultNearestK}},
	"radius_km": {Name: "radius_km", Description: fmt.Sprintf("Search radius in km, >0 and at most %g (geodesic distance to the nearest point of the feature).", MaxRadiusKm), Required: true,
		Schema: map[string]any{"type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": MaxRadiusKm}},
	"collection": {Name: "collection", Description: "Collection to query (default clusters): " + strings.Join(data.CollectionNames, ", ") + ".",
		Schema: map[string]any{"type": "string", "default": "clusters", "enum": stringsAsAny(data.CollectionNames)}},
	"geometry": {Name: "geometry", Description: "Include feature geometries (true|false). The query routes default to false (names, ids and measures) unless zoom is given, which includes the geometry simplified for that zoom.",
		Schema: map[string]any{"type": "boolean"}},
	"ids": {Name: "ids", Description: fmt.Sprintf("Comma-separated ids to compare (1..%d, distinct), from the collections %s; write collection:id when a bare id is in several. Answers come from a table precomputed by the build.", MaxCompareIDs, strings.Join(data.CompareCollections, ", ")), Required: true,
		Schema:    map[string]any{"type": "array", "items": map[string]any{"type": "string"}, "minItems": 1, "maxItems": MaxCompareIDs},
		CommaList: true},
	"flow_shape": {Name: "flow_shape", Description: "Geometry of flows (the flows collection only; other collections check the value and ignore it). curved (default): the line the vector tiles draw, a quadratic Bézier arc in Web Mercator from origin to destination (33 points, 1e-5°), bowing to the right of the direction of travel, so flows between the same two places in either direction never draw on top of each other; bbox then filters on the curve. straight: the stored straight origin→destination line.",
		Schema: map[string]any{"type": "string", "enum": []any{"curved", "straight"}, "default": "curved"}},
	"crs": {Name: "crs", Description: crsParamDescription,
		Schema: map[string]any{"type": "string", "format": "uri", "enum": crsEnum(), "default": crs84}},
	"bbox-crs": {Name: "bbox-crs", Description: "CRS of bbox (OGC API - Features Part 2): the values crs takes. GCJ-02/BD-09 boxes are mapped to a CRS84 box covering them (a feature a few metres outside may match, none inside is missed).",
		Schema: map[string]any{"type": "string", "format": "uri", "enum": crsEnum(), "default": crs84}},
	"direction": {Name: "direction", Description: "in (flows whose to is the cluster), out (whose from is), or both (default).",
		Schema: map[string]any{"type": "string", "enum": []any{"in", "out", "both"}, "default": "both"}},
}

// checkKnownArgs rejects a query that names a parameter the route does not
// accept (OGC 17-069r4 /req/core/query-param-unknown), or repeats one.
func checkKnownArgs(args *fasthttp.Args, allowed []string) *Problem {
	return checkArgNames(args, paramNames(allowed))
}

// paramNames are the query names of the parameter definitions allowed.
func paramNames(allowed []string) []string {
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = paramDefs[a].Name
	}
	return names
}

// checkArgNames is checkKnownArgs with the names resolved: the route
// wrapper resolves them once, and this reads the raw query without
// allocating on the happy path, as it runs on every request.
func checkArgNames(args *fasthttp.Args, names []string) *Problem {
	var seen [32]bool
	var bad *Problem
	args.VisitAll(func(k, _ []byte) {
		if bad != nil {
			return
		}
		for i, name := range names {
			if name == string(k) {
				if i < len(seen) && seen[i] {
					bad = invalidParam(string(k), "given more than once; give it once")
				}
				if i < len(seen) {
					seen[i] = true
				}
				return
			}
		}
		bad = &Problem{Type: problemUnknownParameter, Title: "Unknown parameter", Status: 400, Parameter: string(k),
			Detail: fmt.Sprintf("parameter %q is not accepted here; accepted: %s", string(k), strings.Join(names, ", "))}
	})
	return bad
}

// parseFloat parses a finite decimal number.
func parseFloat(param, raw string) (float64, *Problem) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return 0, invalidParam(param, "must be a number, got an empty value")
	}
	v, ok := parsePlainDecimal(s)
	var err error
	if !ok {
		v, err = strconv.ParseFloat(s, 64)
	}
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, invalidParam(param, "must be a finite decimal number, got %q", clip(raw))
	}
	return v, nil
}

// parsePlainDecimal parses the usual coordinate, [-]digits[.digits] with
// at most 15 significant digits, exactly as strconv.ParseFloat would: the
// digits make an integer below 2^53 and the scale a power of ten up to
// 1e22, both exact in a float64, so their quotient is correctly rounded
// (strconv's own exact fast path). It skips strconv's general scanning,
// which was a tenth of /locate's handler time. ok is false for anything
// else (exponents, hex, "inf", more digits), which ParseFloat then reads.
func parsePlainDecimal(s string) (v float64, ok bool) {
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	var mant uint64
	digits, frac, sawDot, sawDigit := 0, 0, false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			sawDigit = true
			if mant == 0 && c == '0' { // leading zeros are not significant
				if sawDot {
					frac++
				}
				continue
			}
			if digits++; digits > 15 {
				return 0, false
			}
			mant = mant*10 + uint64(c-'0')
			if sawDot {
				frac++
			}
		case c == '.' && !sawDot:
			sawDot = true
		default:
			return 0, false
		}
	}
	if !sawDigit || frac > 22 {
		return 0, false
	}
	v = float64(mant) / exactPow10[frac]
	if neg {
		v = -v
	}
	return v, true
}

// appendShortest appends v as strconv.AppendFloat(v, 'f', -1) does, taking
// raw (the text v was parsed from) as is when it is already that text: a
// canonical decimal ([-]int[.frac], no leading or trailing zeros) of at
// most 15 significant digits, which every float64 round-trips, so its
// shortest form is itself. The query echo of /locate costs no formatting.
func appendShortest(dst []byte, raw string, v float64) []byte {
	if canonicalDecimal(raw) {
		return append(dst, raw...)
	}
	return strconv.AppendFloat(dst, v, 'f', -1, 64)
}

func canonicalDecimal(s string) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	intEnd := 0
	for intEnd < len(s) && s[intEnd] >= '0' && s[intEnd] <= '9' {
		intEnd++
	}
	if intEnd == 0 || (intEnd > 1 && s[0] == '0') {
		return false // no integer part, or a leading zero
	}
	digits := intEnd
	if s[0] == '0' {
		digits = 0
	}
	if intEnd < len(s) {
		frac := s[intEnd:]
		if frac[0] != '.' || len(frac) < 2 || frac[len(frac)-1] == '0' {
			return false
		}
		for i := 1; i < len(frac); i++ {
			if frac[i] < '0' || frac[i] > '9' {
				return false
			}
			if digits > 0 || frac[i] != '0' { // zeros before the first significant digit do not count
				digits++
			}
		}
	}
	return digits <= 15
}

// exactPow10 are the powers of ten a float64 holds exactly.
var exactPow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseFloatIn parses a number within [lo, hi].
func parseFloatIn(param, raw string, lo, hi float64) (float64, *Problem) {
	v, p := parseFloat(param, raw)
	if p != nil {
		return 0, p
	}
	if v < lo || v > hi {
		return 0, invalidParam(param, "must be between %g and %g, got %g", lo, hi, v)
	}
	return v, nil
}

// parseInt parses a base-10 integer within [lo, hi].
func parseInt(param, raw string, lo, hi int) (int, *Problem) {
	s := strings.TrimSpace(raw)
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, invalidParam(param, "must be an integer, got %q", clip(raw))
	}
	if v < lo || v > hi {
		if hi == math.MaxInt {
			return 0, invalidParam(param, "must be an integer of at least %d, got %d", lo, v)
		}
		return 0, invalidParam(param, "must be an integer between %d and %d, got %d", lo, hi, v)
	}
	return v, nil
}

// parseLonLat parses the lon and lat parameters (both required).
func parseLonLat(lonRaw, latRaw string, lonGiven, latGiven bool) (orb.Point, *Problem) {
	if !lonGiven {
		return orb.Point{}, invalidParam("lon", "is required")
	}
	if !latGiven {
		return orb.Point{}, invalidParam("lat", "is required")
	}
	lon, p := parseFloatIn("lon", lonRaw, -180, 180)
	if p != nil {
		return orb.Point{}, p
	}
	lat, p := parseFloatIn("lat", latRaw, -90, 90)
	if p != nil {
		return orb.Point{}, p
	}
	return orb.Point{lon, lat}, nil
}

// parseBool accepts true/false (and 1/0).
func parseBool(param, raw string) (bool, *Problem) {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, invalidParam(param, "must be true or false, got %q", clip(raw))
}

// BBox is a CRS84 query box. West > East means the box crosses the
// antimeridian.
type BBox struct {
	West, South, East, North float64
}

// Bounds splits the box at the antimeridian so each part is a plain
// orb.Bound.
func (b BBox) Bounds() []orb.Bound {
	if b.West <= b.East {
		return []orb.Bound{{Min: orb.Point{b.West, b.South}, Max: orb.Point{b.East, b.North}}}
	}
	return []orb.Bound{
		{Min: orb.Point{b.West, b.South}, Max: orb.Point{180, b.North}},
		{Min: orb.Point{-180, b.South}, Max: orb.Point{b.East, b.North}},
	}
}

// parseBBox parses "west,south,east,north" or the 6-number form with
// heights "west,south,min,east,north,max" (heights are checked and ignored:
// the atlas is 2D). South above north is an error; west above east is a
// valid antimeridian crossing (OGC 17-069r4 /req/core/fc-bbox-definition).
func parseBBox(raw string) (BBox, *Problem) {
	parts := strings.Split(raw, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return BBox{}, invalidParam("bbox", "must be 4 numbers west,south,east,north (or 6 with heights), got %d values", len(parts))
	}
	nums := make([]float64, len(parts))
	for i, s := range parts {
		v, p := parseFloat("bbox", s)
		if p != nil {
			return BBox{}, invalidParam("bbox", "value %d must be a finite number, got %q", i+1, clip(s))
		}
		nums[i] = v
	}
	var b BBox
	if len(nums) == 4 {
		b = BBox{nums[0], nums[1], nums[2], nums[3]}
	} else {
		if nums[2] > nums[5] {
			return BBox{}, invalidParam("bbox", "minimum height %g is above maximum height %g", nums[2], nums[5])
		}
		b = BBox{nums[0], nums[1], nums[3], nums[4]}
	}
	for _, lon := range []float64{b.West, b.East} {
		if lon < -180 || lon > 180 {
			return BBox{}, invalidParam("bbox", "longitudes must be between -180 and 180, got %g", lon)
		}
	}
	for _, lat := range []float64{b.South, b.North} {
		if lat < -90 || lat > 90 {
			return BBox{}, invalidParam("bbox", "latitudes must be between -90 and 90, got %g", lat)
		}
	}
	if b.South > b.North {
		return BBox{}, invalidParam("bbox", "south %g is above north %g (order is west,south,east,north)", b.South, b.North)
	}
	return b, nil
}

// TimeInterval is a datetime filter: [Start, End], each end possibly open.
// An instant is an interval with Start == End (a date instant spans its day).
type TimeInterval struct {
	Start, End         time.Time
	OpenStart, OpenEnd bool
}

// Overlaps reports whether the filter intersects [from, to).
func (t TimeInterval) Overlaps(from, to time.Time) bool {
	if !t.OpenStart && !t.Start.Before(to) {
		return false
	}
	if !t.OpenEnd && t.End.Before(from) {
		return false
	}
	return true
}

// parseDatetime parses an OGC datetime: an instant (RFC 3339 date or
// date-time) or an interval "start/end" where either end may be ".." or
// empty for open. A date stands for its whole (UTC) day.
func parseDatetime(raw string) (TimeInterval, *Problem) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return TimeInterval{}, invalidParam("datetime", "must be an RFC 3339 date/date-time or an interval start/end, got an empty value")
	}
	if !strings.Contains(s, "/") {
		start, end, ok := parseInstant(s)
		if !ok {
			return TimeInterval{}, invalidParam("datetime", "must be an RFC 3339 date (2019-01-01) or date-time (2019-01-01T00:00:00Z), a year (2019) or year-month (2019-05), got %q", clip(raw))
		}
		return TimeInterval{Start: start, End: end}, nil
	}
	halves := strings.Split(s, "/")
	if len(halves) != 2 {
		return TimeInterval{}, invalidParam("datetime", "an interval has exactly one '/', got %q", clip(raw))
	}
	var t TimeInterval
	if h := strings.TrimSpace(halves[0]); h == "" || h == ".." {
		t.OpenStart = true
	} else {
		start, _, ok := parseInstant(h)
		if !ok {
			return TimeInterval{}, invalidParam("datetime", "interval start must be an RFC 3339 date or date-time, a year, a year-month or '..', got %q", clip(h))
		}
		t.Start = start
	}
	if h := strings.TrimSpace(halves[1]); h == "" || h == ".." {
		t.OpenEnd = true
	} else {
		_, end, ok := parseInstant(h)
		if !ok {
			return TimeInterval{}, invalidParam("datetime", "interval end must be an RFC 3339 date or date-time, a year, a year-month or '..', got %q", clip(h))
		}
		t.End = end
	}
	if !t.OpenStart && !t.OpenEnd && t.End.Before(t.Start) {
		return TimeInterval{}, invalidParam("datetime", "interval end is before its start")
	}
	return t, nil
}

// parseInstant returns the span an instant stands for: a date-time is a
// point, a date is its UTC day (end inclusive at the last nanosecond).
func parseInstant(s string) (start, end time.Time, ok bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), t.UTC(), true
	}
	// A date, and (extension) a bare year or year-month: the span named.
	return parsePartialDate(s)
}

// yearSpan is the time a year-valued property stands for: [Jan 1, next Jan 1).
func yearSpan(year int) (time.Time, time.Time) {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	return from, from.AddDate(1, 0, 0)
}

// parseList splits a comma list, trimming blanks and rejecting empty items.
func parseList(param, raw string) ([]string, *Problem) {
	parts := strings.Split(raw, ",")
	out := make([]string, 0, len(parts))
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			return nil, invalidParam(param, "item %d of the comma-separated list is empty", i+1)
		}
		out = append(out, p)
	}
	return out, nil
}

// mediaRange is one entry of an Accept header.
type mediaRange struct {
	Type, Subtype string
	Q             float64
}

// parseAccept parses an Accept header leniently: malformed entries are
// skipped, a missing q is 1.
func parseAccept(header string) []mediaRange {
	var out []mediaRange
	for _, entry := range strings.Split(header, ",") {
		fields := strings.Split(entry, ";")
		mt := strings.ToLower(strings.TrimSpace(fields[0]))
		slash := strings.IndexByte(mt, '/')
		if slash <= 0 || slash == len(mt)-1 {
			continue
		}
		r := mediaRange{Type: mt[:slash], Subtype: mt[slash+1:], Q: 1}
		for _, f := range fields[1:] {
			k, v, found := strings.Cut(strings.TrimSpace(f), "=")
			if found && strings.EqualFold(strings.TrimSpace(k), "q") {
				if q, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && q >= 0 && q <= 1 {
					r.Q = q
				}
			}
		}
		out = append(out, r)
	}
	return out
}

// negotiate picks the offer (media types without parameters, in order of
// preference) the Accept header ranks highest. An empty header accepts the
// first offer; "" means none is acceptable.
func negotiate(accept string, offers []string) string {
	if strings.TrimSpace(accept) == "" {
		return offers[0]
	}
	ranges := parseAccept(accept)
	if len(ranges) == 0 {
		return offers[0]
	}
	best, bestQ, bestSpec := "", 0.0, -1
	for _, offer := range offers {
		t, st, _ := strings.Cut(offer, "/")
		// The most specific matching range decides the offer's q (RFC 9110 §12.5.1).
		q, spec := -1.0, -1
		for _, r := range ranges {
			s := -1
			switch {
			case r.Type == t && r.Subtype == st:
				s = 2
			case r.Type == t && r.Subtype == "*":
				s = 1
			case r.Type == "*" && r.Subtype == "*":
				s = 0
			}
			if s > spec {
				q, spec = r.Q, s
			}
		}
		if spec >= 0 && q > 0 && (q > bestQ || (q == bestQ && spec > bestSpec)) {
			best, bestQ, bestSpec = offer, q, spec
		}
	}
	return best
}

// parseGeometryBody decodes a POST body that is a GeoJSON geometry or a
// Feature with a geometry, and checks it: finite coordinates within lon/lat
// range, closed rings of at least 4 points, at most maxVertices points.
func parseGeometryBody(body []byte, maxVertices int) (orb.Geometry, *Problem) {
	return parseGeometryBodyAxes(body, maxVertices, false)
}

// parseGeometryBodyAxes is parseGeometryBody for a body whose positions
// are latitude first (crs EPSG:4326 or EPSG:4490): they are swapped to
// lon/lat before the checks.
func parseGeometryBodyAxes(body []byte, maxVertices int, latFirst bool) (orb.Geometry, *Problem) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, invalidBody("the body is empty; send a GeoJSON geometry or Feature")
	}
	var head struct {
		Type json.RawMessage `json:"type"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return nil, invalidBody("the body is not a JSON object: %s", clip(err.Error()))
	}
	var typ string
	if err := json.Unmarshal(head.Type, &typ); err != nil || typ == "" {
		return nil, invalidBody("the body is not GeoJSON: it needs a string \"type\" member")
	}
	var g orb.Geometry
	switch typ {
	case "Feature":
		f, err := safeUnmarshalFeature(body)
		if err != nil {
			return nil, invalidBody("the Feature is not valid GeoJSON: %s", clip(err.Error()))
		}
		if f.Geometry == nil {
			return nil, invalidBody("the Feature has no geometry")
		}
		g = f.Geometry
	case "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon":
		geom, err := safeUnmarshalGeometry(body)
		if err != nil {
			return nil, invalidBody("the %s is not valid GeoJSON: %s", typ, clip(err.Error()))
		}
		g = geom.Geometry()
	case "FeatureCollection", "GeometryCollection":
		return nil, invalidBody("a %s is not accepted; send one geometry or one Feature", typ)
	default:
		return nil, invalidBody("GeoJSON type %q is not a geometry or Feature", clip(typ))
	}
	if g == nil {
		return nil, invalidBody("the geometry is empty")
	}
	if n := geo.Vertices(g); n > maxVertices {
		return nil, &Problem{Type: problemTooManyVertices, Title: "Too many vertices", Status: 400, Parameter: "body",
			Detail: fmt.Sprintf("request body: the geometry has %d vertices; the limit is %d", n, maxVertices)}
	}
	if latFirst {
		g = geo.TransformGeometry(g, swapAxes)
	}
	if p := checkGeometry(g); p != nil {
		return nil, p
	}
	return g, nil
}

// safeUnmarshalGeometry guards orb's decoder: it is not written for
// hostile input, and no request may panic the server.
func safeUnmarshalGeometry(body []byte) (geom *geojson.Geometry, err error) {
	defer func() {
		if r := recover(); r != nil {
			geom, err = nil, fmt.Errorf("malformed coordinates")
		}
	}()
	geom = &geojson.Geometry{}
	if err := json.Unmarshal(body, geom); err != nil {
		return nil, err
	}
	if geom.Coordinates == nil {
		return nil, fmt.Errorf("no coordinates")
	}
	return geom, nil
}

func safeUnmarshalFeature(body []byte) (f *geojson.Feature, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("malformed coordinates")
		}
	}()
	return geojson.UnmarshalFeature(body)
}

// checkGeometry enforces what the geodesic code relies on.
func checkGeometry(g orb.Geometry) *Problem {
	badPoint := func(p orb.Point) *Problem {
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) ||
			p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
			return invalidBody("coordinate [%g, %g] is outside lon -180..180, lat -90..90", p[0], p[1])
		}
		return nil
	}
	checkLine := func(ls []orb.Point, what string, min int) *Problem {
		if len(ls) < min {
			return invalidBody("a %s needs at least %d positions, got %d", what, min, len(ls))
		}
		for _, p := range ls {
			if bad := badPoint(p); bad != nil {
				return bad
			}
		}
		return nil
	}
	checkPolygon := func(poly orb.Polygon) *Problem {
		if len(poly) == 0 {
			return invalidBody("a Polygon needs at least one ring")
		}
		for _, r := range poly {
			if p := checkLine(r, "Polygon ring", 4); p != nil {
				return p
			}
			if r[0] != r[len(r)-1] {
				return invalidBody("a Polygon ring must be closed (first position equal to the last)")
			}
		}
		return nil
	}
	switch g := g.(type) {
	case orb.Point:
		return badPoint(g)
	case orb.MultiPoint:
		return checkLine(g, "MultiPoint", 1)
	case orb.LineString:
		return checkLine(g, "LineString", 2)
	case orb.MultiLineString:
		if len(g) == 0 {
			return invalidBody("a MultiLineString needs at least one line")
		}
		for _, ls := range g {
			if p := checkLine(ls, "LineString", 2); p != nil {
				return p
			}
		}
	case orb.Polygon:
		return checkPolygon(g)
	case orb.MultiPolygon:
		if len(g) == 0 {
			return invalidBody("a MultiPolygon needs at least one polygon")
		}
		for _, poly := range g {
			if p := checkPolygon(poly); p != nil {
				return p
			}
		}
	default:
		return invalidBody("geometry type %s is not supported", g.GeoJSONType())
	}
	return nil
}

// clip shortens echoed input so a problem detail stays readable.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}

func stringsAsAny(list []string) []any {
	out := make([]any, len(list))
	for i, v := range list {
		out[i] = v
	}
	return out
}
