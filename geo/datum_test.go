package geo

import (
	"math"
	"math/rand"
	"testing"

	"github.com/paulmach/orb"
)

// Published sample values: gcoord's unit tests (hujiulong/gcoord,
// test/unit/crs/WGS84.spec.js, GCJ02.spec.js, checked there to 5 decimals)
// and wandergis/coordtransform's test/app.js (printed to full precision).
func TestDatumPublishedSamples(t *testing.T) {
	cases := []struct {
		name string
		f    func(orb.Point) orb.Point
		in   orb.Point
		want orb.Point
		tol  float64
	}{
		{"gcoord WGS84→GCJ02", WGS84ToGCJ02, orb.Point{123, 45}, orb.Point{123.00607541, 45.00197815}, 5e-6},
		{"gcoord GCJ02→WGS84", GCJ02ToWGS84, orb.Point{123, 45}, orb.Point{122.99395597, 44.99804071}, 5e-6},
		{"gcoord WGS84→BD09", WGS84ToBD09, orb.Point{123, 45}, orb.Point{123.0124491, 45.0083293}, 5e-6},
		{"gcoord GCJ02→BD09", GCJ02ToBD09, orb.Point{123, 45}, orb.Point{123.00636499, 45.00636899}, 5e-6},
		{"coordtransform wgs84togcj02", WGS84ToGCJ02, orb.Point{116.404, 39.915}, orb.Point{116.41024449916938, 39.91640428150164}, 1e-12},
		{"coordtransform gcj02tobd09", GCJ02ToBD09, orb.Point{116.404, 39.915}, orb.Point{116.41036949371029, 39.92133699351021}, 1e-12},
		// coordtransform's inverses are one-step approximations, good to
		// a few metres; ours iterate, so they agree only that far.
		{"coordtransform gcj02towgs84", GCJ02ToWGS84, orb.Point{116.404, 39.915}, orb.Point{116.39775550083061, 39.91359571849836}, 5e-5},
		{"coordtransform bd09togcj02", BD09ToGCJ02, orb.Point{116.404, 39.915}, orb.Point{116.39762729119315, 39.90865673957631}, 5e-5},
		// outside the China box every transform is the identity (gcoord:
		// "not in China" → [183, 45] unchanged)
		{"outside WGS84→GCJ02", WGS84ToGCJ02, orb.Point{183, 45}, orb.Point{183, 45}, 0},
		{"outside GCJ02→WGS84", GCJ02ToWGS84, orb.Point{2.35, 48.85}, orb.Point{2.35, 48.85}, 0},
	}
	for _, c := range cases {
		got := c.f(c.in)
		if math.Abs(got[0]-c.want[0]) > c.tol || math.Abs(got[1]-c.want[1]) > c.tol {
			t.Errorf("%s(%v) = %.12f, %.12f; want %.12f, %.12f (±%g)", c.name, c.in, got[0], got[1], c.want[0], c.want[1], c.tol)
		}
	}
}

// The GCJ-02 shift is 0.1–0.7 km over China, never zero and never more
// than a kilometre: the size the issue measured on the borders.
func TestGCJ02OffsetMagnitude(t *testing.T) {
	for _, p := range []orb.Point{{116.4, 39.9}, {107.0, 21.6}, {129.5, 42.9}, {87.6, 43.8}, {121.5, 31.2}, {113.3, 23.1}} {
		g := WGS84ToGCJ02(p)
		d := DistanceKm(p, g)
		if d < 0.05 || d > 1 {
			t.Errorf("offset at %v is %.3f km, want 0.05–1 km", p, d)
		}
	}
}

func roundTripError(a, b orb.Point) float64 {
	return math.Max(math.Abs(a[0]-b[0]), math.Abs(a[1]-b[1]))
}

// Inverses round-trip to under 1e-9° (≈0.1 mm) over all of China, both
// ways, for GCJ-02 and BD-09.
func TestDatumRoundTrips(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	worst := 0.0
	for i := 0; i < 20000; i++ {
		p := orb.Point{73.5 + rng.Float64()*61.5, 3.9 + rng.Float64()*49.7}
		for _, d := range []Datum{GCJ02, BD09} {
			if e := roundTripError(d.FromWGS84(d.ToWGS84(p)), p); e > worst {
				worst = e
			}
			if e := roundTripError(d.ToWGS84(d.FromWGS84(p)), p); e > worst {
				worst = e
			}
		}
	}
	if worst > 1e-9 {
		t.Fatalf("worst round trip %.3g°, want < 1e-9°", worst)
	}
	t.Logf("worst round trip over 20000 points: %.3g° (%.3g m)", worst, worst*111320)
}

// A pure function of its input: the same vertex converts to the same bits
// wherever it appears, which is what keeps shared borders shared.
func TestGCJ02ToWGS84Deterministic(t *testing.T) {
	p := orb.Point{113.2890625, 23.1015625}
	a, b := GCJ02ToWGS84(p), GCJ02ToWGS84(orb.Point{p[0], p[1]})
	if a != b {
		t.Fatalf("%v then %v", a, b)
	}
}

func TestParseDatum(t *testing.T) {
	for in, want := range map[string]Datum{"CRS84": WGS84, "epsg:4326": WGS84, "EPSG:4490": WGS84, "": WGS84, "gcj-02": GCJ02, "GCJ02": GCJ02, "BD-09": BD09,
		"http://www.opengis.net/def/crs/EPSG/0/4490": WGS84, "urn:clusteratlas:crs:GCJ-02": GCJ02} {
		if got, err := ParseDatum(in); err != nil || got != want {
			t.Errorf("ParseDatum(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"EPSG:3857", "WGS-84x", "gcj"} {
		if _, err := ParseDatum(bad); err == nil {
			t.Errorf("ParseDatum(%q) accepted", bad)
		}
	}
}

func TestTransformGeometryCopies(t *testing.T) {
	poly := orb.Polygon{{{116, 39}, {117, 39}, {117, 40}, {116, 39}}}
	out := TransformGeometry(poly, WGS84ToGCJ02).(orb.Polygon)
	if poly[0][0] != (orb.Point{116, 39}) {
		t.Fatal("input modified")
	}
	if out[0][0] != WGS84ToGCJ02(orb.Point{116, 39}) {
		t.Fatalf("vertex not transformed: %v", out[0][0])
	}
}

// The transformed bound covers the image of every point of the box.
func TestTransformBoundCovers(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	for i := 0; i < 200; i++ {
		w := []float64{0.01, 0.3, 2, 20}[i%4]
		x, y := 75+rng.Float64()*55, 20+rng.Float64()*30
		b := orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + w, y + w*0.7}}
		for _, f := range []func(orb.Point) orb.Point{WGS84ToGCJ02, GCJ02ToWGS84, WGS84ToBD09, BD09ToWGS84} {
			tb := TransformBound(b, f)
			for j := 0; j < 200; j++ {
				p := orb.Point{x + rng.Float64()*w, y + rng.Float64()*w*0.7}
				if q := f(p); !tb.Contains(q) {
					t.Fatalf("box %v: image %v of %v outside %v", b, q, p, tb)
				}
			}
		}
	}
}

func FuzzGCJ02Inverse(f *testing.F) {
	f.Add(116.404, 39.915)
	f.Add(72.004, 0.8293)
	f.Add(137.8347, 55.8271)
	f.Fuzz(func(t *testing.T, lon, lat float64) {
		if math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0) {
			return
		}
		p := orb.Point{lon, lat}
		w := GCJ02ToWGS84(p)
		if math.IsNaN(w[0]) || math.IsNaN(w[1]) {
			t.Fatalf("NaN for %v", p)
		}
		// away from the box edge (where the forward map is discontinuous
		// and no exact inverse exists) the round trip is exact
		if lon > 73 && lon < 137 && lat > 2 && lat < 55 {
			if e := roundTripError(WGS84ToGCJ02(w), p); e > 1e-9 {
				t.Fatalf("round trip of %v off by %g°", p, e)
			}
			if e := roundTripError(BD09ToWGS84(WGS84ToBD09(p)), p); e > 1e-9 {
				t.Fatalf("BD-09 round trip of %v off by %g°", p, e)
			}
		}
	})
}
