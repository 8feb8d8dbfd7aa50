package topo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// NodeTolerance is the distance (degrees, about a metre) within which a
// vertex of one ring counts as lying on a segment of another.
//
// The topology needs noded input: wherever two boundaries meet or part
// ways, both rings must have a vertex, or the junction is invisible and the
// shared arcs differ. Real outlines are not noded against each other. An
// overlay (the cluster unions) inserts vertices where edges meet, so a
// cluster walks u→w→v along a city's u→v; neighbouring source outlines have
// T-vertices, where one side's border leaves the other's in the middle of
// the other's segment. Without noding, the first makes the cluster's arc a
// different arc from the city's (edge-to-edge only by luck of the
// tolerances), and the second lets one neighbour simplify across the end of
// the shared border while the other keeps it. The embedded coordinates are
// rounded to 1e-5°, so a vertex on a diagonal edge may be off it by ~7e-6°:
// the tolerance is 1e-5°, far below GridStep and any level's tolerance.
const NodeTolerance = 1e-5

// skipNoding builds the topology from the rings as given (tests only: it
// shows what noding prevents).
var skipNoding bool

// nodeRings inserts into every ring segment the vertices of other rings
// lying on its interior (within NodeTolerance), in order along the
// segment, and returns how many it inserted. A ring's own vertices are not
// inserted into it, and a vertex near two of its segments (at a sharp
// corner) only into the first: either would make it touch itself. Rings
// are open id sequences; nil rings are skipped.
func nodeRings(rings [][]int32, pts []orb.Point) int {
	var tr rtree.RTreeG[int32]
	for i, p := range pts {
		tr.Insert(p, p, int32(i))
	}
	own := make([]int32, len(pts)) // ring index + 1 that last stamped a point
	type cut struct {
		t  float64
		id int32
	}
	var cuts []cut
	inserted := 0
	for ri, r := range rings {
		if r == nil {
			continue
		}
		stamp := int32(ri + 1)
		for _, id := range r {
			own[id] = stamp
		}
		var out []int32 // allocated on the first insertion only
		n := len(r)
		for k := 0; k < n; k++ {
			ia, ib := r[k], r[(k+1)%n]
			a, b := pts[ia], pts[ib]
			dx, dy := b[0]-a[0], b[1]-a[1]
			l2 := dx*dx + dy*dy
			cuts = cuts[:0]
			if l2 > 0 {
				l := math.Sqrt(l2)
				lo := orb.Point{math.Min(a[0], b[0]) - NodeTolerance, math.Min(a[1], b[1]) - NodeTolerance}
				hi := orb.Point{math.Max(a[0], b[0]) + NodeTolerance, math.Max(a[1], b[1]) + NodeTolerance}
				tr.Search(lo, hi, func(_, _ [2]float64, id int32) bool {
					if own[id] == stamp {
						return true
					}
					w := pts[id]
					t := ((w[0]-a[0])*dx + (w[1]-a[1])*dy) / l2
					if t*l <= NodeTolerance || (1-t)*l <= NodeTolerance {
						return true
					}
					if math.Abs((w[0]-a[0])*dy-(w[1]-a[1])*dx)/l <= NodeTolerance {
						cuts = append(cuts, cut{t, id})
					}
					return true
				})
			}
			if len(cuts) > 0 && out == nil {
				out = make([]int32, k, n+len(cuts))
				copy(out, r[:k])
			}
			if out != nil {
				out = append(out, ia)
				slices.SortFunc(cuts, func(x, y cut) int {
					switch {
					case x.t < y.t:
						return -1
					case x.t > y.t:
						return 1
					}
					return 0
				})
				for _, c := range cuts {
					if own[c.id] == stamp {
						continue // already inserted into an earlier segment
					}
					own[c.id] = stamp
					out = append(out, c.id)
					inserted++
				}
			}
		}
		if out != nil {
			rings[ri] = out
		}
	}
	return inserted
}
