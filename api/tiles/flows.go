package tiles

import (
	"math"
	"sort"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/paulmach/orb"
)

// FlowSegments is the number of segments of a curved flow (33 points).
const FlowSegments = 32

// Bow of a curved flow: the arc's greatest distance from the chord, as a
// fraction of the chord length. Slot 0 bows by bowMin; further slots of the
// same pair bow more, up to below bowMin+bowSpread, so arcs between the same
// two places nest without touching except at their ends.
const (
	bowMin    = 0.12
	bowSpread = 0.24
)

// FlowLine draws a flow from a to b (lon/lat) as a map can show it.
//
// Curved (straight == false): a quadratic Bézier curve computed in Web
// Mercator, so it is a symmetric arc on a web map, bowing to the right of
// the direction of travel by a fraction of the chord (bowMin for slot 0,
// more for higher slots: bowMin + bowSpread·slot/slots), densified to
// FlowSegments+1 points and rounded to 1e-5°. Bowing to the right means
// a→b and b→a arcs lie on opposite sides of the chord; distinct slots of
// one pair bow by different amounts, so no two flows between the same places
// draw on top of each other. It is not a great circle: at China's scale a
// great circle is nearly straight on a Mercator map and would let opposite
// flows overlap.
//
// Straight: the 2-point line a→b.
func FlowLine(a, b orb.Point, slot, slots int, straight bool) orb.LineString {
	if straight || a == b {
		return orb.LineString{a, b}
	}
	if slots < 1 {
		slots = 1
	}
	slot = max(0, min(slot, slots-1))
	ma, mb := toMercator(a), toMercator(b)
	dx, dy := mb[0]-ma[0], mb[1]-ma[1]
	// Right-hand normal in y-up Mercator: (dy, -dx). The control point sits
	// twice the wanted bow off the chord's middle (a quadratic Bézier reaches
	// half way to its control point).
	bow := bowMin + bowSpread*float64(slot)/float64(slots)
	cx := (ma[0]+mb[0])/2 + 2*bow*dy
	cy := (ma[1]+mb[1])/2 - 2*bow*dx
	out := make(orb.LineString, FlowSegments+1)
	for i := 0; i <= FlowSegments; i++ {
		t := float64(i) / FlowSegments
		u := 1 - t
		p := orb.Point{
			u*u*ma[0] + 2*u*t*cx + t*t*mb[0],
			u*u*ma[1] + 2*u*t*cy + t*t*mb[1],
		}
		out[i] = round5(fromMercator(p))
	}
	// The ends are the places themselves, not their rounded projection.
	out[0], out[FlowSegments] = a, b
	return out
}

// FlowGeometries gives the drawable geometry of each flow (same indexes;
// nil stays nil, a non-line is passed through): FlowLine between the ends
// of its line. Flows between the same two places, in either direction, get
// slots 0..n-1 in order of id, so they bow apart.
func FlowGeometries(flows []data.Feature, straight bool) []orb.Geometry {
	out := make([]orb.Geometry, len(flows))
	type pair struct{ a, b orb.Point }
	groups := map[pair][]int{}
	for i, f := range flows {
		ls, ok := f.Geometry.(orb.LineString)
		if !ok || len(ls) < 2 {
			out[i] = f.Geometry
			continue
		}
		a, b := ls[0], ls[len(ls)-1]
		if b[0] < a[0] || (b[0] == a[0] && b[1] < a[1]) {
			a, b = b, a
		}
		k := pair{a, b}
		groups[k] = append(groups[k], i)
	}
	for _, idx := range groups {
		sort.Slice(idx, func(i, j int) bool { return flows[idx[i]].ID < flows[idx[j]].ID })
		for slot, i := range idx {
			ls := flows[i].Geometry.(orb.LineString)
			out[i] = FlowLine(ls[0], ls[len(ls)-1], slot, len(idx), straight)
		}
	}
	return out
}

// toMercator maps lon/lat to Web Mercator in degrees-like units (x = lon,
// y = the Mercator ordinate in degrees), y up.
func toMercator(p orb.Point) orb.Point {
	lat := math.Max(-maxLat, math.Min(maxLat, p[1])) * math.Pi / 180
	return orb.Point{p[0], math.Log(math.Tan(math.Pi/4+lat/2)) * 180 / math.Pi}
}

func fromMercator(p orb.Point) orb.Point {
	y := p[1] * math.Pi / 180
	return orb.Point{p[0], (2*math.Atan(math.Exp(y)) - math.Pi/2) * 180 / math.Pi}
}

func round5(p orb.Point) orb.Point {
	return orb.Point{math.Round(p[0]*1e5) / 1e5, math.Round(p[1]*1e5) / 1e5}
}
