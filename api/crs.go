package api

// Coordinate reference systems, per OGC API - Features Part 2 (OGC 18-058r1):
// the atlas stores WGS84 lon/lat (CRS84) and serves any of supportedCRS on
// request, transforming only when a crs other than the storage one is
// asked for, so the default paths do no extra work.

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
)

// crsDef is one supported coordinate reference system.
type crsDef struct {
	URI   string
	Short string // the short form also accepted (documented)
	Datum geo.Datum
	// LatFirst: the EPSG definition's axis order is latitude, longitude
	// (EPSG:4326, EPSG:4490); coordinates are written and read that way.
	LatFirst bool
	Title    string
}

// The project's own URIs for the two Chinese web-map datums, which have
// no EPSG code. Their axis order is longitude, latitude, as AMap's,
// Tencent's and Baidu's APIs use.
const (
	crsURIGCJ02 = "urn:clusteratlas:crs:GCJ-02"
	crsURIBD09  = "urn:clusteratlas:crs:BD-09"
	crsURI4326  = "http://www.opengis.net/def/crs/EPSG/0/4326"
	crsURI4490  = "http://www.opengis.net/def/crs/EPSG/0/4490"
)

var (
	crsCRS84 = &crsDef{URI: crs84, Short: "CRS84", Datum: geo.WGS84, Title: "WGS84 longitude/latitude (storage CRS, default)"}
	// supportedCRS lists, in each collection's "crs", what crs and bbox-crs
	// accept.
	supportedCRS = []*crsDef{
		crsCRS84,
		{URI: crsURI4326, Short: "EPSG:4326", Datum: geo.WGS84, LatFirst: true, Title: "WGS84 latitude/longitude (EPSG axis order)"},
		// CGCS2000 (China's official datum) and WGS84 agree to within
		// centimetres to decimetres, far below the data's ±50 m: served
		// as WGS84, latitude first as EPSG:4490 defines its axes.
		{URI: crsURI4490, Short: "EPSG:4490", Datum: geo.WGS84, LatFirst: true, Title: "CGCS2000 latitude/longitude (served as WGS84: they differ by cm–dm)"},
		{URI: crsURIGCJ02, Short: "GCJ-02", Datum: geo.GCJ02, Title: "GCJ-02 longitude/latitude (AMap, Tencent): the public transform of WGS84"},
		{URI: crsURIBD09, Short: "BD-09", Datum: geo.BD09, Title: "BD-09 longitude/latitude (Baidu): the public transform of GCJ-02"},
	}
)

func crsURIs() []string {
	out := make([]string, len(supportedCRS))
	for i, d := range supportedCRS {
		out[i] = d.URI
	}
	return out
}

// parseCRS reads a crs or bbox-crs value: one of the URIs, or its short
// form (case-insensitive).
func parseCRS(param, raw string) (*crsDef, *Problem) {
	v := strings.TrimSpace(raw)
	// Part 2 also allows the safe-CURIE form [EPSG:4326]
	v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	for _, d := range supportedCRS {
		if v == d.URI || strings.EqualFold(v, d.Short) || strings.EqualFold(v, "OGC:"+d.Short) {
			return d, nil
		}
	}
	names := make([]string, 0, 2*len(supportedCRS))
	for _, d := range supportedCRS {
		names = append(names, d.URI+" ("+d.Short+")")
	}
	return nil, invalidParam(param, "unsupported CRS %q; supported: %s", clip(raw), strings.Join(names, ", "))
}

// isStorage reports whether d is served exactly as stored (nil is CRS84).
func (d *crsDef) isStorage() bool { return d == nil || d == crsCRS84 }

// uri is d's URI (CRS84 for nil).
func (d *crsDef) uri() string {
	if d == nil {
		return crs84
	}
	return d.URI
}

// fromStorage maps a stored (CRS84) point to d's datum and axis order.
func (d *crsDef) fromStorage(p orb.Point) orb.Point {
	p = d.Datum.FromWGS84(p)
	if d.LatFirst {
		p[0], p[1] = p[1], p[0]
	}
	return p
}

// toStorage maps a point given in d's datum and axis order to CRS84.
func (d *crsDef) toStorage(p orb.Point) orb.Point {
	if d.LatFirst {
		p[0], p[1] = p[1], p[0]
	}
	return d.Datum.ToWGS84(p)
}

// output returns g as served in d: a transformed copy, or g itself for
// the storage CRS (no copy, no work).
func (d *crsDef) output(g orb.Geometry) orb.Geometry {
	if d.isStorage() || g == nil {
		return g
	}
	return geo.TransformGeometry(g, d.fromStorage)
}

// lonLatToStorage maps a point given as lon= and lat= in d's datum to
// CRS84 (named parameters: no axis order to swap). The default path
// (nil, CRS84, EPSG:4326/4490) returns p untouched.
func (d *crsDef) lonLatToStorage(p orb.Point) orb.Point {
	if d == nil || d.Datum == geo.WGS84 {
		return p
	}
	return d.Datum.ToWGS84(p)
}

// inputDatum maps a geometry given in d (axes already in lon/lat order:
// see parseGeometryBodyAxes) to CRS84.
func (d *crsDef) inputDatum(g orb.Geometry) orb.Geometry {
	if d.isStorage() || d.Datum == geo.WGS84 {
		return g
	}
	return geo.TransformGeometry(g, d.Datum.ToWGS84)
}

// contentCRS sets the Content-Crs header Part 2 requires on features.
func contentCRS(c *fiber.Ctx, d *crsDef) {
	c.Set("Content-Crs", "<"+d.uri()+">")
}

// parseBBoxCRS parses bbox given in bbox-crs: for a latitude-first CRS the
// numbers come south,west,north,east; the box is mapped to CRS84 (covering
// its image: see geo.TransformBound).
func parseBBoxCRS(raw string, d *crsDef) (BBox, *Problem) {
	if d.LatFirst {
		parts := strings.Split(raw, ",")
		switch len(parts) {
		case 4:
			parts[0], parts[1], parts[2], parts[3] = parts[1], parts[0], parts[3], parts[2]
		case 6:
			parts[0], parts[1], parts[3], parts[4] = parts[1], parts[0], parts[4], parts[3]
		}
		raw = strings.Join(parts, ",")
	}
	b, p := parseBBox(raw)
	if p != nil {
		if d.LatFirst {
			p.Detail += " (with bbox-crs " + d.Short + " the order is south,west,north,east)"
		}
		return b, p
	}
	if d.Datum == geo.WGS84 || b.West > b.East {
		return b, nil // an antimeridian box lies outside China: identity there
	}
	tb := geo.TransformBound(orb.Bound{Min: orb.Point{b.West, b.South}, Max: orb.Point{b.East, b.North}}, d.Datum.ToWGS84)
	return BBox{West: max(-180, tb.Min[0]), South: max(-90, tb.Min[1]), East: min(180, tb.Max[0]), North: min(90, tb.Max[1])}, nil
}

func swapAxes(p orb.Point) orb.Point { return orb.Point{p[1], p[0]} }

// transformedDecimals is the default precision of coordinates served in
// GCJ-02 or BD-09: the stored 5 decimals (≈1 m) plus one, so the
// transform's rounding adds no visible error (0.1 m).
const transformedDecimals = 6

// crsParamDescription documents crs in /api (routeSpecs' Params).
const crsParamDescription = "Coordinate reference system (OGC API - Features Part 2) of the geometries answered and, on the query routes, of the point (lon, lat) or posted geometry given. " +
	"http://www.opengis.net/def/crs/OGC/1.3/CRS84 (default, as stored: WGS84 lon/lat); " +
	"http://www.opengis.net/def/crs/EPSG/0/4326 (WGS84, latitude first as EPSG defines it); " +
	"http://www.opengis.net/def/crs/EPSG/0/4490 (CGCS2000, latitude first; served as WGS84, which it equals to within cm–dm, far below the outlines' accuracy); " +
	"urn:clusteratlas:crs:GCJ-02 (lon/lat in GCJ-02, the datum of AMap/高德 and Tencent maps) and urn:clusteratlas:crs:BD-09 (Baidu): no EPSG code exists, so these are the project's own URIs, computed with the public transforms (see geo/datum.go). " +
	"Short forms CRS84, EPSG:4326, EPSG:4490, GCJ-02, BD-09 are accepted too. The answer names its CRS in the Content-Crs header. GCJ-02/BD-09 coordinates default to 6 decimals."

// crsEnum lists the crs values for the OpenAPI schema.
func crsEnum() []any {
	out := make([]any, 0, 2*len(supportedCRS))
	for _, d := range supportedCRS {
		out = append(out, d.URI)
	}
	for _, d := range supportedCRS {
		out = append(out, d.Short)
	}
	return out
}

// relabel moves a feature's label property (a [lon, lat] point) into the
// datum of o.CRS, so an AMap client can put the label where its map
// shows the feature. It stays [lon, lat]: a property, not geometry, and
// its order is documented as such. Only called off the default path.
func relabel(f *data.Feature, o featureOptions) featureOptions {
	l, ok := f.Properties["label"].([]any)
	if !ok || len(l) != 2 {
		return o
	}
	lon, ok1 := l[0].(float64)
	lat, ok2 := l[1].(float64)
	if !ok1 || !ok2 {
		return o
	}
	p := o.CRS.Datum.FromWGS84(orb.Point{lon, lat})
	moved := []float64{roundTo(p[0], transformedDecimals), roundTo(p[1], transformedDecimals)}
	if o.Encoded != nil {
		o.Encoded = replaceLabel(o.Encoded, moved)
		return o
	}
	if o.Keep != nil && !slices.Contains(o.Keep, "label") {
		return o
	}
	extra := make(map[string]any, len(o.Extra)+1)
	for k, v := range o.Extra {
		extra[k] = v
	}
	extra["label"] = moved // Extra overrides the stored property
	o.Extra = extra
	return o
}

// replaceLabel rewrites the "label":[…] member of encoded properties.
func replaceLabel(encoded []byte, p []float64) []byte {
	key := []byte(`"label":[`)
	i := bytes.Index(encoded, key)
	if i < 0 {
		return encoded
	}
	j := bytes.IndexByte(encoded[i:], ']')
	if j < 0 {
		return encoded
	}
	out := make([]byte, 0, len(encoded)+16)
	out = append(out, encoded[:i+len(key)]...)
	out = strconv.AppendFloat(out, p[0], 'f', -1, 64)
	out = append(out, ',')
	out = strconv.AppendFloat(out, p[1], 'f', -1, 64)
	return append(out, encoded[i+j:]...)
}
