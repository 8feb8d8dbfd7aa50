package build

import (
	"github.com/clusteratlas/clusteratlas/geo/sfconv"
	"testing"
)

func poly(rings ...Ring) GridPolygon { return GridPolygon(rings) }

func TestMakeValidRepairsInvalidRings(t *testing.T) {
	cases := []struct {
		name      string
		in        []GridPolygon
		wantParts int
		wantHoles int
		wantArea2 int64 // twice the area in grid units²
	}{
		{"spike (a, b, a)", []GridPolygon{poly(Ring{{0, 0}, {4, 0}, {4, 4}, {6, 4}, {4, 4}, {0, 4}})}, 1, 0, 32},
		{"repeated points and closure", []GridPolygon{poly(Ring{{0, 0}, {0, 0}, {4, 0}, {4, 4}, {4, 4}, {0, 4}, {0, 0}})}, 1, 0, 32},
		{"figure eight touching at a vertex", []GridPolygon{poly(Ring{{0, 0}, {2, 2}, {4, 0}, {4, 4}, {2, 2}, {0, 4}})}, 2, 0, 16},
		{"bow-tie crossing off the grid", []GridPolygon{poly(Ring{{0, 0}, {4, 4}, {4, 0}, {0, 4}})}, 2, 0, 16},
		{"clockwise shell", []GridPolygon{poly(Ring{{0, 0}, {0, 4}, {4, 4}, {4, 0}})}, 1, 0, 32},
		{"hole touching the shell at a vertex", []GridPolygon{poly(Ring{{0, 0}, {8, 0}, {8, 8}, {0, 8}}, Ring{{0, 4}, {4, 2}, {4, 6}})}, 1, 1, 128 - 16},
		{"T-junction between two squares", []GridPolygon{poly(Ring{{0, 0}, {4, 0}, {4, 4}, {0, 4}}), poly(Ring{{4, 0}, {8, 0}, {8, 4}, {4, 4}, {4, 2}})}, 1, 0, 64},
		{"collapsed ring (a, b, a)", []GridPolygon{poly(Ring{{0, 0}, {4, 0}, {4, 4}, {0, 4}}), poly(Ring{{10, 10}, {12, 10}, {10, 10}})}, 1, 0, 32},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _, _, err := makeValid(c.in)
			if err != nil {
				t.Fatal(err)
			}
			mp := gridMultiPolygon(out)
			if err := sfconv.ValidatePolygonal(mp); err != nil {
				t.Fatalf("not valid: %v (%v)", err, out)
			}
			holes := 0
			var area int64
			for _, p := range out {
				holes += len(p) - 1
				for _, r := range p {
					area += r.signedArea2()
				}
			}
			if len(out) != c.wantParts || holes != c.wantHoles || area != c.wantArea2 {
				t.Errorf("parts %d holes %d area2 %d, want %d %d %d: %v", len(out), holes, area, c.wantParts, c.wantHoles, c.wantArea2, out)
			}
		})
	}
}

func TestDissolveCancelsSharedBorders(t *testing.T) {
	a := poly(Ring{{0, 0}, {4, 0}, {4, 4}, {0, 4}})
	b := poly(Ring{{4, 0}, {8, 0}, {8, 4}, {4, 4}})
	out, st := dissolve([]GridPolygon{a, b})
	if len(out) != 1 || len(out[0]) != 1 {
		t.Fatalf("want one ring, got %v", out)
	}
	if st.CancelledEdges != 2 {
		t.Errorf("cancelled %d edges, want the shared border's 2 directed edges", st.CancelledEdges)
	}
}
