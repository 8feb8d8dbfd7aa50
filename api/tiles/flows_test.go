package tiles

import (
	"math"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestFlowLineShape(t *testing.T) {
	a, b := orb.Point{118.54, 32.05}, orb.Point{99.70, 35.81}
	if s := FlowLine(a, b, 0, 1, true); len(s) != 2 || s[0] != a || s[1] != b {
		t.Errorf("straight: %v", s)
	}
	c := FlowLine(a, b, 0, 1, false)
	if len(c) != FlowSegments+1 || c[0] != a || c[len(c)-1] != b {
		t.Fatalf("curved: %d points, ends %v %v", len(c), c[0], c[len(c)-1])
	}
	// Travelling west, the right-hand side is north: the arc bows north of
	// the chord, by about bowMin of its length.
	mid := c[FlowSegments/2]
	chordMid := orb.Point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2}
	if mid[1] <= chordMid[1] {
		t.Errorf("arc middle %v is not north of the chord middle %v", mid, chordMid)
	}
	bow := planar.Distance(mid, chordMid) / planar.Distance(a, b)
	if bow < bowMin*0.8 || bow > bowMin*1.3 {
		t.Errorf("bow %.3f of the chord, want about %.2f", bow, bowMin)
	}
	if FlowLine(a, a, 0, 1, false).Equal(orb.LineString{a, a}) == false {
		t.Errorf("degenerate flow should be a 2-point line")
	}
}

// Flows between the same pair of places, either way round, must not draw on
// top of each other: no shared point but the ends, and apart in the middle.
func TestFlowSlotsSeparate(t *testing.T) {
	a, b := orb.Point{113.24, 23.17}, orb.Point{110.32, 23.22}
	flows := []data.Feature{
		{ID: "f1", Geometry: orb.LineString{a, b}},
		{ID: "f2", Geometry: orb.LineString{a, b}},
		{ID: "f3", Geometry: orb.LineString{b, a}}, // reverse direction
		{ID: "f4", Geometry: orb.LineString{b, a}},
		{ID: "solo", Geometry: orb.LineString{a, orb.Point{112, 30}}},
		{ID: "nil"},
	}
	g := FlowGeometries(flows, false)
	if g[5] != nil {
		t.Errorf("nil geometry became %v", g[5])
	}
	for i := 0; i < 4; i++ {
		for j := i + 1; j < 4; j++ {
			checkApart(t, flows[i].ID, flows[j].ID, g[i].(orb.LineString), g[j].(orb.LineString))
		}
	}
	straight := FlowGeometries(flows, true)
	if len(straight[0].(orb.LineString)) != 2 {
		t.Errorf("straight flows: %v", straight[0])
	}
}

func TestFlowSlotsRealData(t *testing.T) {
	ds, _ := fixture(t)
	flows := ds.Collections[data.Flows]
	g := FlowGeometries(flows, false)
	pairs := 0
	for i := range flows {
		for j := i + 1; j < len(flows); j++ {
			li, ok1 := flows[i].Geometry.(orb.LineString)
			lj, ok2 := flows[j].Geometry.(orb.LineString)
			if !ok1 || !ok2 {
				continue
			}
			same := li[0] == lj[0] && li[1] == lj[1] || li[0] == lj[1] && li[1] == lj[0]
			if !same {
				continue
			}
			pairs++
			checkApart(t, flows[i].ID, flows[j].ID, g[i].(orb.LineString), g[j].(orb.LineString))
		}
	}
	if pairs == 0 {
		t.Errorf("the data has flows sharing both ends (east → central-west); found none")
	}
	t.Logf("%d pairs of flows share both ends; all drawn apart", pairs)
}

func checkApart(t *testing.T, ida, idb string, a, b orb.LineString) {
	t.Helper()
	if a.Equal(b) {
		t.Errorf("%s and %s have the same geometry", ida, idb)
		return
	}
	ma, mb := a[len(a)/2], b[len(b)/2]
	chord := math.Max(planar.Distance(a[0], a[len(a)-1]), 1e-9)
	if d := planar.Distance(ma, mb) / chord; d < 0.05 {
		t.Errorf("%s and %s: middles only %.3f chord lengths apart", ida, idb, d)
	}
	for _, p := range a[1 : len(a)-1] {
		for _, q := range b[1 : len(b)-1] {
			if p == q {
				t.Errorf("%s and %s share inner point %v", ida, idb, p)
				return
			}
		}
	}
}
