package topo

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// topology is the shared-arc form of every ring of every layer. It is
// read-only once built, so levels can be built concurrently.
type topology struct {
	feats []feature
	polys []polyRef
	rings []ringRef
	arcs  []arc
	// arcFeats lists the features using each arc, to re-validate after a
	// repair.
	arcFeats [][]int32
	// near lists, per arc, the other arcs whose bounding boxes overlap: the
	// only ones its simplified segments could cross.
	near [][]int32

	inputVertices int
	nodes         int
	noded         int // vertices inserted into other rings' segments
}

type feature struct {
	layer string
	index int
	multi bool
	polys []int32 // nil for pass-through geometries
	skip  bool    // nil or non-polygon: returned as given
	orig  orb.Geometry
}

type polyRef struct {
	feat  int32
	rings []int32 // shell first
}

type ringRef struct {
	arcs []arcUse
	area float64 // |area| at full detail, degrees²
	bad  bool    // fewer than 3 distinct points: never output
}

type arcUse struct {
	arc int32
	rev bool
}

type arc struct {
	pts    []orb.Point
	imp    []float64 // DP importance: kept at tolerance t iff imp > t
	bound  orb.Bound
	closed bool // first point == last point
}

func newTopology(layers map[string][]orb.Geometry) (*topology, error) {
	t := &topology{}
	names := make([]string, 0, len(layers))
	for name := range layers {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic arc ids

	ids := make(map[orb.Point]int32, 1<<16)
	var pts []orb.Point
	var ringIDs [][]int32 // cleaned open rings as point ids

	addRing := func(r orb.Ring) int32 {
		t.inputVertices += len(r)
		out := make([]int32, 0, len(r))
		for _, p := range r {
			id, ok := ids[p]
			if !ok {
				id = int32(len(pts))
				ids[p] = id
				pts = append(pts, p)
			}
			if len(out) > 0 && out[len(out)-1] == id {
				continue
			}
			out = append(out, id)
		}
		for len(out) > 1 && out[0] == out[len(out)-1] {
			out = out[:len(out)-1]
		}
		ri := int32(len(t.rings))
		t.rings = append(t.rings, ringRef{area: math.Abs(ringArea(r)), bad: len(out) < 3})
		if len(out) < 3 {
			out = nil
		}
		ringIDs = append(ringIDs, out)
		return ri
	}
	addPoly := func(fi int32, p orb.Polygon) int32 {
		pr := polyRef{feat: fi}
		for _, r := range p {
			pr.rings = append(pr.rings, addRing(r))
		}
		t.polys = append(t.polys, pr)
		return int32(len(t.polys) - 1)
	}
	for _, name := range names {
		for i, g := range layers[name] {
			fi := int32(len(t.feats))
			f := feature{layer: name, index: i}
			switch g := g.(type) {
			case orb.Polygon:
				if len(g) > 0 {
					f.polys = []int32{addPoly(fi, g)}
				}
			case orb.MultiPolygon:
				f.multi = true
				for _, p := range g {
					if len(p) > 0 {
						f.polys = append(f.polys, addPoly(fi, p))
					}
				}
			default:
				f.skip, f.orig = true, g
			}
			t.feats = append(t.feats, f)
		}
	}
	if len(pts) >= math.MaxInt32 {
		return nil, fmt.Errorf("topo: too many distinct vertices (%d)", len(pts))
	}
	ids = nil
	if !skipNoding {
		t.noded = nodeRings(ringIDs, pts)
	}

	// Junctions: a vertex is a junction when it is visited with different
	// neighbour pairs (TopoJSON's rule). This catches both "the set of rings
	// using the adjacent edges changes" and rings that merely touch there.
	nbA := make([]int32, len(pts))
	nbB := make([]int32, len(pts))
	for i := range nbA {
		nbA[i] = -1
	}
	junc := make([]bool, len(pts))
	for _, r := range ringIDs {
		n := len(r)
		for i, v := range r {
			a, b := r[(i+n-1)%n], r[(i+1)%n]
			if a > b {
				a, b = b, a
			}
			if nbA[v] < 0 {
				nbA[v], nbB[v] = a, b
			} else if nbA[v] != a || nbB[v] != b {
				junc[v] = true
			}
		}
	}
	nbA, nbB = nil, nil
	for _, j := range junc {
		if j {
			t.nodes++
		}
	}

	// Cut rings into arcs and deduplicate them.
	byHash := map[uint64][]int32{}
	var arcIDs [][]int32
	for ri, r := range ringIDs {
		if r == nil {
			continue
		}
		n := len(r)
		var cuts []int
		for i, v := range r {
			if junc[v] {
				cuts = append(cuts, i)
			}
		}
		if len(cuts) == 0 {
			// One fixed node: the lexicographically smallest point, which
			// every identical ring picks too.
			m := 0
			for i := 1; i < n; i++ {
				if pointLess(pts[r[i]], pts[r[m]]) {
					m = i
				}
			}
			cuts = []int{m}
			t.nodes++
		}
		uses := make([]arcUse, 0, len(cuts))
		for k, c := range cuts {
			end := cuts[(k+1)%len(cuts)]
			if end <= c {
				end += n
			}
			seq := make([]int32, 0, end-c+1)
			for i := c; i <= end; i++ {
				seq = append(seq, r[i%n])
			}
			rev := canonicalReversed(seq, pts)
			if rev {
				slices.Reverse(seq)
			}
			h := hashIDs(seq)
			id := int32(-1)
			for _, cand := range byHash[h] {
				if slices.Equal(arcIDs[cand], seq) {
					id = cand
					break
				}
			}
			if id < 0 {
				id = int32(len(arcIDs))
				arcIDs = append(arcIDs, seq)
				byHash[h] = append(byHash[h], id)
			}
			uses = append(uses, arcUse{arc: id, rev: rev})
		}
		t.rings[ri].arcs = uses
	}
	byHash = nil

	t.arcs = make([]arc, len(arcIDs))
	for i, seq := range arcIDs {
		a := &t.arcs[i]
		a.pts = make([]orb.Point, len(seq))
		for k, id := range seq {
			a.pts[k] = pts[id]
		}
		a.closed = seq[0] == seq[len(seq)-1]
		a.bound = orb.LineString(a.pts).Bound()
		a.imp = importance(a.pts, a.closed)
	}

	// Which features use which arc.
	t.arcFeats = make([][]int32, len(t.arcs))
	for _, p := range t.polys {
		for _, ri := range p.rings {
			for _, u := range t.rings[ri].arcs {
				fs := t.arcFeats[u.arc]
				if len(fs) == 0 || fs[len(fs)-1] != int32(p.feat) {
					t.arcFeats[u.arc] = append(fs, p.feat)
				}
			}
		}
	}

	// Candidate pairs for the crossing check: a simplified arc only keeps
	// points of its original, so it stays inside the original's bbox.
	var tr rtree.RTreeG[int32]
	for i := range t.arcs {
		b := t.arcs[i].bound
		tr.Insert(b.Min, b.Max, int32(i))
	}
	t.near = make([][]int32, len(t.arcs))
	for i := range t.arcs {
		b := t.arcs[i].bound
		tr.Search(b.Min, b.Max, func(_, _ [2]float64, j int32) bool {
			if j != int32(i) {
				t.near[i] = append(t.near[i], j)
			}
			return true
		})
	}
	return t, nil
}

// canonicalReversed reports whether seq must be reversed to be in the
// canonical direction, so the same arc walked either way gets one id.
func canonicalReversed(seq []int32, pts []orb.Point) bool {
	m := len(seq)
	for i := 0; i < m/2+1; i++ {
		a, b := seq[i], seq[m-1-i]
		if a != b {
			return pointLess(pts[b], pts[a])
		}
	}
	return false
}

func pointLess(a, b orb.Point) bool {
	if a[0] != b[0] {
		return a[0] < b[0]
	}
	return a[1] < b[1]
}

func hashIDs(seq []int32) uint64 {
	h := uint64(14695981039346656037)
	for _, v := range seq {
		h ^= uint64(uint32(v))
		h *= 1099511628211
	}
	return h
}

// ringArea is the signed planar area (shoelace) in degrees².
func ringArea(r orb.Ring) float64 {
	n := len(r)
	if n < 3 {
		return 0
	}
	s := 0.0
	x0, y0 := r[0][0], r[0][1]
	for i := 1; i+1 < n; i++ {
		s += (r[i][0]-x0)*(r[i+1][1]-y0) - (r[i+1][0]-x0)*(r[i][1]-y0)
	}
	return s / 2
}
