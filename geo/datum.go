package geo

import (
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
)

// Datum names the datum a set of lon/lat coordinates is expressed in.
//
// GCJ-02 ("Mars coordinates") is the obfuscated datum Chinese online maps
// (AMap/高德, Tencent) must publish; BD-09 is Baidu's further offset of it.
// Neither has an EPSG code. The forward GCJ-02 formula below is the public
// one, as implemented by the npm package gcoord (hujiulong/gcoord,
// src/crs/GCJ02.ts, MIT) and by eviltransform (googollee/eviltransform):
// Krasovsky ellipsoid constants, the same sine series, and identity outside
// the rough China box. BD-09 is gcoord's src/crs/BD09.ts.
type Datum string

// The datums the atlas converts between. WGS84 is what the dataset stores
// and serves by default (CGCS2000 equals it to within cm–dm here).
const (
	WGS84 Datum = "WGS84"
	GCJ02 Datum = "GCJ-02"
	BD09  Datum = "BD-09"
)

// ParseDatum accepts the datum names the build's --boundaries-crs and the
// manifest use, case-insensitively: CRS84 / EPSG:4326 / EPSG:4490 / WGS84
// (all taken as WGS84; axis order is the caller's business), GCJ-02,
// BD-09, and the OGC and project URIs of each (the API's crs values).
func ParseDatum(s string) (Datum, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	u = strings.TrimPrefix(u, "HTTP://WWW.OPENGIS.NET/DEF/CRS/")
	u = strings.TrimPrefix(u, "URN:CLUSTERATLAS:CRS:")
	switch u {
	case "", "CRS84", "OGC:CRS84", "OGC/1.3/CRS84", "EPSG:4326", "EPSG/0/4326", "EPSG:4490", "EPSG/0/4490", "WGS84", "WGS 84", "CGCS2000":
		return WGS84, nil
	case "GCJ-02", "GCJ02":
		return GCJ02, nil
	case "BD-09", "BD09":
		return BD09, nil
	}
	return "", fmt.Errorf("unknown datum %q: use CRS84, EPSG:4326, EPSG:4490, GCJ-02 or BD-09", s)
}

// ToWGS84 converts a point in datum d to WGS84.
func (d Datum) ToWGS84(p orb.Point) orb.Point {
	switch d {
	case GCJ02:
		return GCJ02ToWGS84(p)
	case BD09:
		return BD09ToWGS84(p)
	}
	return p
}

// FromWGS84 converts a WGS84 point to datum d.
func (d Datum) FromWGS84(p orb.Point) orb.Point {
	switch d {
	case GCJ02:
		return WGS84ToGCJ02(p)
	case BD09:
		return WGS84ToBD09(p)
	}
	return p
}

// Krasovsky 1940 ellipsoid, which the GCJ-02 formula uses.
const (
	gcjA  = 6378245.0
	gcjEE = 0.006693421622965823
)

// InChinaBox reports whether the GCJ-02 transform applies at lon/lat: the
// rough rectangle gcoord and eviltransform use. Outside it both
// transforms are the identity, as in those libraries.
func InChinaBox(lon, lat float64) bool {
	return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271
}

// WGS84ToGCJ02 is the public GCJ-02 forward transform.
func WGS84ToGCJ02(p orb.Point) orb.Point {
	if !InChinaBox(p[0], p[1]) {
		return p
	}
	dLon, dLat := gcjDelta(p[0], p[1])
	return orb.Point{p[0] + dLon, p[1] + dLat}
}

// gcjInverseTolerance: the inverse iterates until the forward transform of
// its answer is within 1e-10° (about 1 cm is 9e-8°) of the input.
const gcjInverseTolerance = 1e-10

// GCJ02ToWGS84 inverts WGS84ToGCJ02 by fixed-point iteration: the offset
// varies by under 1e-4 per degree, so each step gains about four digits and
// three steps reach the tolerance. It is a pure function of its input, so
// a vertex shared by two outlines converts to the same bits in both.
func GCJ02ToWGS84(p orb.Point) orb.Point {
	if !InChinaBox(p[0], p[1]) {
		return p
	}
	w := p
	for i := 0; i < 50; i++ {
		g := WGS84ToGCJ02(w)
		dx, dy := g[0]-p[0], g[1]-p[1]
		if math.Abs(dx) < gcjInverseTolerance && math.Abs(dy) < gcjInverseTolerance {
			break
		}
		w = orb.Point{w[0] - dx, w[1] - dy}
	}
	return w
}

func gcjDelta(lon, lat float64) (dLon, dLat float64) {
	x, y := lon-105, lat-35
	dLon = gcjTransformLon(x, y)
	dLat = gcjTransformLat(x, y)
	radLat := lat / 180 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - gcjEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLon = (dLon * 180) / (gcjA / sqrtMagic * math.Cos(radLat) * math.Pi)
	dLat = (dLat * 180) / ((gcjA * (1 - gcjEE)) / (magic * sqrtMagic) * math.Pi)
	return dLon, dLat
}

func gcjTransformLat(x, y float64) float64 {
	r := -100 + 2*x + 3*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	r += (20*math.Sin(6*x*math.Pi) + 20*math.Sin(2*x*math.Pi)) * 2 / 3
	r += (20*math.Sin(y*math.Pi) + 40*math.Sin(y/3*math.Pi)) * 2 / 3
	r += (160*math.Sin(y/12*math.Pi) + 320*math.Sin(y*math.Pi/30)) * 2 / 3
	return r
}

func gcjTransformLon(x, y float64) float64 {
	r := 300 + x + 2*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	r += (20*math.Sin(6*x*math.Pi) + 20*math.Sin(2*x*math.Pi)) * 2 / 3
	r += (20*math.Sin(x*math.Pi) + 40*math.Sin(x/3*math.Pi)) * 2 / 3
	r += (150*math.Sin(x/12*math.Pi) + 300*math.Sin(x/30*math.Pi)) * 2 / 3
	return r
}

const baiduFactor = math.Pi * 3000.0 / 180.0

// GCJ02ToBD09 is Baidu's public offset of GCJ-02 (a small rotation and
// scaling about the origin plus a fixed shift).
func GCJ02ToBD09(p orb.Point) orb.Point {
	x, y := p[0], p[1]
	z := math.Sqrt(x*x+y*y) + 0.00002*math.Sin(y*baiduFactor)
	theta := math.Atan2(y, x) + 0.000003*math.Cos(x*baiduFactor)
	return orb.Point{z*math.Cos(theta) + 0.0065, z*math.Sin(theta) + 0.006}
}

// BD09ToGCJ02 inverts GCJ02ToBD09: the closed form gcoord uses (good to
// about 1e-6°) refined by fixed-point iteration to the same 1e-10° as
// the GCJ-02 inverse.
func BD09ToGCJ02(p orb.Point) orb.Point {
	x, y := p[0]-0.0065, p[1]-0.006
	z := math.Sqrt(x*x+y*y) - 0.00002*math.Sin(y*baiduFactor)
	theta := math.Atan2(y, x) - 0.000003*math.Cos(x*baiduFactor)
	g := orb.Point{z * math.Cos(theta), z * math.Sin(theta)}
	for i := 0; i < 20; i++ {
		b := GCJ02ToBD09(g)
		dx, dy := b[0]-p[0], b[1]-p[1]
		if math.Abs(dx) < gcjInverseTolerance && math.Abs(dy) < gcjInverseTolerance {
			break
		}
		g = orb.Point{g[0] - dx, g[1] - dy}
	}
	return g
}

// WGS84ToBD09 chains WGS84 → GCJ-02 → BD-09, as gcoord does.
func WGS84ToBD09(p orb.Point) orb.Point { return GCJ02ToBD09(WGS84ToGCJ02(p)) }

// BD09ToWGS84 chains BD-09 → GCJ-02 → WGS84.
func BD09ToWGS84(p orb.Point) orb.Point { return GCJ02ToWGS84(BD09ToGCJ02(p)) }

// TransformGeometry returns a copy of g with every vertex mapped by f
// (nil for nil). The input is never modified: the atlas shares its
// geometries between requests.
func TransformGeometry(g orb.Geometry, f func(orb.Point) orb.Point) orb.Geometry {
	switch g := g.(type) {
	case nil:
		return nil
	case orb.Point:
		return f(g)
	case orb.MultiPoint:
		return orb.MultiPoint(mapPoints(g, f))
	case orb.LineString:
		return orb.LineString(mapPoints(g, f))
	case orb.MultiLineString:
		out := make(orb.MultiLineString, len(g))
		for i, l := range g {
			out[i] = mapPoints(l, f)
		}
		return out
	case orb.Ring:
		return orb.Ring(mapPoints(g, f))
	case orb.Polygon:
		return transformPolygon(g, f)
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			out[i] = transformPolygon(p, f)
		}
		return out
	case orb.Collection:
		out := make(orb.Collection, len(g))
		for i, c := range g {
			out[i] = TransformGeometry(c, f)
		}
		return out
	case orb.Bound:
		return TransformBound(g, f)
	}
	return g
}

func transformPolygon(p orb.Polygon, f func(orb.Point) orb.Point) orb.Polygon {
	out := make(orb.Polygon, len(p))
	for i, r := range p {
		out[i] = mapPoints(r, f)
	}
	return out
}

func mapPoints[S ~[]orb.Point](s S, f func(orb.Point) orb.Point) []orb.Point {
	out := make([]orb.Point, len(s))
	for i, p := range s {
		out[i] = f(p)
	}
	return out
}

// TransformBound maps a bounding box into another datum: it maps 9 points
// along each side and pads their bound by 3e-4° (≈30 m). The offsets'
// shortest sine period is 1/3°, so between samples 1/8 of a side apart
// they change by far less than the padding when the box spans a few
// degrees, and the result covers the image of the box: a bbox filter in
// another datum may return a feature a few metres outside, never miss one.
func TransformBound(b orb.Bound, f func(orb.Point) orb.Point) orb.Bound {
	const n = 8
	out := orb.Bound{Min: f(b.Min), Max: f(b.Min)}
	for i := 0; i <= n; i++ {
		t := float64(i) / n
		x := b.Min[0] + t*(b.Max[0]-b.Min[0])
		y := b.Min[1] + t*(b.Max[1]-b.Min[1])
		for _, p := range []orb.Point{{x, b.Min[1]}, {x, b.Max[1]}, {b.Min[0], y}, {b.Max[0], y}} {
			out = out.Extend(f(p))
		}
	}
	// Between samples 1/8° apart the fastest term (amplitude ≈1.2e-4°,
	// period 1/3°) leaves its chord by under 1e-4°. On larger boxes pad by
	// 0.02°, more than either transform ever moves a point, so the bound
	// holds whatever the box.
	pad := 3e-4
	if b.Max[0]-b.Min[0] > 1 || b.Max[1]-b.Min[1] > 1 {
		pad = 0.02
	}
	out.Min = orb.Point{out.Min[0] - pad, out.Min[1] - pad}
	out.Max = orb.Point{out.Max[0] + pad, out.Max[1] + pad}
	return out
}
