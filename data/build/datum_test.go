package build

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/clusteratlas/clusteratlas/geo/sfconv"
	"github.com/paulmach/orb"
)

func buildFixtureIn(t *testing.T, d geo.Datum) *Result {
	t.Helper()
	opt := fixtureOptions(t)
	opt.BoundariesDatum = d
	res, err := Run(opt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func vertices(g orb.Geometry) map[orb.Point]int {
	out := map[orb.Point]int{}
	switch g := g.(type) {
	case orb.Polygon:
		for _, r := range g {
			for _, p := range r {
				out[p]++
			}
		}
	case orb.MultiPolygon:
		for _, p := range g {
			for k, v := range vertices(p) {
				out[k] += v
			}
		}
	}
	return out
}

// Outlines given in GCJ-02 come out in WGS84: every output vertex, taken
// forward through the GCJ-02 transform again, lands on the vertex the same
// build makes from the same outlines read as WGS84 (to the 5-decimal
// output rounding, ≤ 1e-5° in all), and each moved 0.1–0.8 km.
func TestGCJ02BoundariesConvertedToWGS84(t *testing.T) {
	res, plain := buildFixtureIn(t, geo.GCJ02), buildFixtureIn(t, geo.WGS84)
	n := 0
	for _, name := range []string{data.Clusters, data.Cities, data.TransferZones} {
		for i, f := range res.Collections[name] {
			if err := sfconv.ValidatePolygonal(f.Geometry); err != nil {
				t.Errorf("%s %s: %v", name, f.ID, err)
			}
			want := vertices(plain.Collections[name][i].Geometry)
			for p := range vertices(f.Geometry) {
				n++
				g := geo.WGS84ToGCJ02(p)
				best := math.Inf(1)
				for q := range want {
					best = math.Min(best, math.Max(math.Abs(q[0]-g[0]), math.Abs(q[1]-g[1])))
				}
				if best > 1e-5 {
					t.Fatalf("%s %s: vertex %v goes forward to %v, %.2g° from the unconverted build's nearest vertex", name, f.ID, p, g, best)
				}
				if d := geo.DistanceKm(p, g); d < 0.1 || d > 0.8 {
					t.Fatalf("%s %s: vertex %v moved %.3f km", name, f.ID, p, d)
				}
			}
		}
	}
	if n < 50 {
		t.Fatalf("only %d vertices checked", n)
	}
	m := res.Manifest.Datum
	if m == nil || m.VerticesConverted == 0 || m.MaxRoundTripResidualM > 0.01 || m.MaxRoundTripResidualM <= 0 {
		t.Fatalf("manifest datum report %+v: want converted vertices and a residual under 1 cm", m)
	}
	var boundaryDatum string
	for _, s := range m.Sources {
		if s.Name == fixtureOptions(t).Boundaries {
			boundaryDatum = s.Datum
		}
	}
	if boundaryDatum != "GCJ-02" {
		t.Errorf("manifest records the boundaries' datum as %q", boundaryDatum)
	}
}

// WGS84 outlines are not converted: with --boundaries-crs CRS84 the build
// writes exactly the expected fixture output committed before the datum
// conversion existed.
func TestWGS84BoundariesNotConverted(t *testing.T) {
	res := buildFixtureIn(t, geo.WGS84)
	if v := res.Manifest.Datum.VerticesConverted; v != 0 {
		t.Fatalf("%d vertices converted from a WGS84 source", v)
	}
	for _, name := range data.CollectionNames {
		got, err := Encode(res.Collections[name])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, readFixture(t, filepath.Join("expected", name+".geojson"))) {
			t.Errorf("%s differs from the committed unconverted output", name)
		}
	}
}

// Neighbouring cities share their border vertex for vertex after the
// conversion exactly as before it: the conversion is per vertex and
// deterministic, so what was shared stays shared, bit for bit.
func TestConversionKeepsSharedBordersIdentical(t *testing.T) {
	shared := func(res *Result) map[[2]string]int {
		out := map[[2]string]int{}
		cs := res.Collections[data.Cities]
		for i := range cs {
			vi := vertices(cs[i].Geometry)
			for j := i + 1; j < len(cs); j++ {
				for p := range vertices(cs[j].Geometry) {
					if vi[p] > 0 {
						out[[2]string{cs[i].ID, cs[j].ID}]++
					}
				}
			}
		}
		return out
	}
	before, after := shared(buildFixtureIn(t, geo.WGS84)), shared(buildFixtureIn(t, geo.GCJ02))
	if len(before) == 0 {
		t.Fatal("fixture cities share no border")
	}
	for k, n := range before {
		if after[k] != n {
			t.Errorf("%v share %d vertices in WGS84, %d after converting from GCJ-02", k, n, after[k])
		}
	}
}

// Areas barely change: GCJ-02 is a smooth shift that is nearly uniform over
// a region (its derivative differs from 1 by ~1e-3 at most).
func TestConversionAreaChangeSmall(t *testing.T) {
	a, b := buildFixtureIn(t, geo.WGS84), buildFixtureIn(t, geo.GCJ02)
	for i, f := range a.Collections[data.Clusters] {
		x, y := geo.AreaKm2(f.Geometry), geo.AreaKm2(b.Collections[data.Clusters][i].Geometry)
		if d := math.Abs(y-x) / x; d > 0.003 {
			t.Errorf("%s: area %.1f → %.1f km² (%.3f%%)", f.ID, x, y, 100*d)
		}
	}
}

// A union that mixes datums cannot be exact: the build refuses it.
func TestUnionRefusesMixedDatums(t *testing.T) {
	o := newOutlines(map[string][]GridPolygon{"880101": nil, "880102": nil})
	o.datum["880101"], o.datum["880102"] = geo.GCJ02, geo.WGS84
	if _, err := o.unionDatum([]string{"880101", "880102"}); err == nil {
		t.Fatal("mixed datums accepted")
	}
}

// A polygon that the conversion and rounding make invalid fails the build
// with the feature named.
func TestFinishNamesInvalidFeature(t *testing.T) {
	c := newDatumConverter()
	// a bow-tie: invalid whatever the datum
	bad := orb.MultiPolygon{{{{100, 30}, {101, 31}, {101, 30}, {100, 31}, {100, 30}}}}
	_, err := c.finish("cluster fx-bad", bad, geo.GCJ02)
	if err == nil || !strings.Contains(err.Error(), "cluster fx-bad") {
		t.Fatalf("got %v", err)
	}
}
