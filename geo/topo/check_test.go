package topo

import (
	"fmt"
	"github.com/clusteratlas/clusteratlas/geo/sfconv"
	"maps"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"
	"github.com/tidwall/rtree"
)

// Geometric checks used by the tests. They look only at the input and the
// output geometries, never at the arc table, so they test the promise rather
// than the implementation.

func polygonsOf(g orb.Geometry) []orb.Polygon {
	switch g := g.(type) {
	case orb.Polygon:
		if len(g) == 0 {
			return nil
		}
		return []orb.Polygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

func ringsOf(g orb.Geometry) []orb.Ring {
	var out []orb.Ring
	for _, p := range polygonsOf(g) {
		out = append(out, p...)
	}
	return out
}

func sfGeom(g orb.Geometry) geom.Geometry {
	sg, err := sfconv.ToSF(orb.MultiPolygon(polygonsOf(g)))
	if err != nil {
		panic(err)
	}
	return sg
}

func area(g orb.Geometry) float64 { return sfGeom(g).Area() }

// Shared borders are compared geometrically, on noded segments. Level
// vertices are vertices of the noded input (Build nodes it too, see
// NodeTolerance), which is how a level segment is traced back to the input
// pieces it replaces. Real
// outlines are not noded against each other: an overlay (the cluster
// unions) inserts vertices where edges meet, and neighbouring source
// outlines have T-vertices, so one side may walk u→w→v where the other walks
// u→v along the same line. Every segment, of the input and of each level, is
// therefore split at every input vertex lying on it (within nodeEps); two
// boundaries coincide along a stretch exactly when they have the same noded
// pieces there. A simplified border that leaves its neighbour's by more than
// nodeEps anywhere has a piece the neighbour lacks.

// nodeEps is the distance (degrees, ~1 m) within which a vertex counts as
// lying on a segment: the embedded coordinates are rounded to 1e-5°, so an
// overlay-inserted vertex on a diagonal edge is off it by up to ~7e-6°.
const nodeEps = 1e-5

type featRef struct {
	layer string
	i     int
}

type ringPos struct{ r, i int }

// piece is a noded segment: the ids of its end points, smaller first.
type piece uint64

func mkPiece(a, b int32) piece {
	if b < a {
		a, b = b, a
	}
	return piece(uint64(uint32(a))<<32 | uint64(uint32(b)))
}

type inRing struct {
	pts    []int32 // open and noded: every input vertex lying on it is one of its vertices
	pieces []piece // pts[i]→pts[i+1]
}

type inFeat struct {
	ref   featRef
	rings []inRing
	at    map[int32][]ringPos
}

type ringUse struct{ f, r int32 }

// borderIndex is the noded full-detail boundary of every feature.
type borderIndex struct {
	feats []*inFeat
	id    map[orb.Point]int32
	pts   []orb.Point
	users map[piece][]ringUse // noded input piece -> rings having it
	nodes rtree.RTreeG[int32]
	cache map[piece][]int32
}

func openRing(r orb.Ring) []orb.Point {
	out := make([]orb.Point, 0, len(r))
	for _, p := range r {
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	for len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	return out
}

func newBorderIndex(layers map[string][]orb.Geometry) *borderIndex {
	bi := &borderIndex{id: map[orb.Point]int32{}, users: map[piece][]ringUse{}, cache: map[piece][]int32{}}
	names := make([]string, 0, len(layers))
	for n := range layers {
		names = append(names, n)
	}
	sort.Strings(names)
	var raw [][][]int32
	for _, n := range names {
		for i, g := range layers[n] {
			bi.feats = append(bi.feats, &inFeat{ref: featRef{n, i}, at: map[int32][]ringPos{}})
			var rs [][]int32
			for _, r := range ringsOf(g) {
				var ids []int32
				for _, p := range openRing(r) {
					id, ok := bi.id[p]
					if !ok {
						id = int32(len(bi.pts))
						bi.id[p] = id
						bi.pts = append(bi.pts, p)
						bi.nodes.Insert(p, p, id)
					}
					ids = append(ids, id)
				}
				rs = append(rs, ids)
			}
			raw = append(raw, rs)
		}
	}
	for fi, f := range bi.feats {
		for ri, r := range raw[fi] {
			var in inRing
			n := len(r)
			for k := range r {
				in.pts = append(in.pts, r[k])
				in.pts = append(in.pts, bi.cuts(r[k], r[(k+1)%n])...)
			}
			n = len(in.pts)
			for k, p := range in.pts {
				f.at[p] = append(f.at[p], ringPos{ri, k})
				pc := mkPiece(p, in.pts[(k+1)%n])
				in.pieces = append(in.pieces, pc)
				us := bi.users[pc]
				if len(us) == 0 || us[len(us)-1] != (ringUse{int32(fi), int32(ri)}) {
					bi.users[pc] = append(us, ringUse{int32(fi), int32(ri)})
				}
			}
			f.rings = append(f.rings, in)
		}
	}
	return bi
}

// cuts returns the input vertices within nodeEps of the interior of
// segment pq, in order from p. The result depends on the segment only, so
// both sides of a shared segment are cut alike.
func (bi *borderIndex) cuts(p, q int32) []int32 {
	k := mkPiece(p, q)
	lo, hi := int32(k>>32), int32(uint32(k))
	cs, ok := bi.cache[k]
	if !ok {
		a, b := bi.pts[lo], bi.pts[hi]
		dx, dy := b[0]-a[0], b[1]-a[1]
		l2 := dx*dx + dy*dy
		var ts []float64
		if l2 > 0 {
			min := orb.Point{math.Min(a[0], b[0]) - nodeEps, math.Min(a[1], b[1]) - nodeEps}
			max := orb.Point{math.Max(a[0], b[0]) + nodeEps, math.Max(a[1], b[1]) + nodeEps}
			l := math.Sqrt(l2)
			bi.nodes.Search(min, max, func(_, _ [2]float64, id int32) bool {
				if id == lo || id == hi {
					return true
				}
				w := bi.pts[id]
				t := ((w[0]-a[0])*dx + (w[1]-a[1])*dy) / l2
				if t*l <= nodeEps || (1-t)*l <= nodeEps {
					return true // at an end: not an interior cut
				}
				if math.Abs((w[0]-a[0])*dy-(w[1]-a[1])*dx)/l <= nodeEps {
					cs = append(cs, id)
					ts = append(ts, t)
				}
				return true
			})
		}
		if len(cs) > 1 {
			idx := make([]int, len(cs))
			for i := range idx {
				idx[i] = i
			}
			sort.Slice(idx, func(i, j int) bool { return ts[idx[i]] < ts[idx[j]] })
			sorted := make([]int32, len(cs))
			for i, j := range idx {
				sorted[i] = cs[j]
			}
			cs = sorted
		}
		bi.cache[k] = cs
	}
	if len(cs) > 1 && p != lo {
		cs = slices.Clone(cs)
		slices.Reverse(cs)
	}
	return cs
}

// node splits segment pq at the input vertices lying on it.
func (bi *borderIndex) node(p, q int32) []piece {
	cs := bi.cuts(p, q)
	out := make([]piece, 0, len(cs)+1)
	prev := p
	for _, c := range cs {
		out = append(out, mkPiece(prev, c))
		prev = c
	}
	return append(out, mkPiece(prev, q))
}

func (bi *borderIndex) pieceString(pc piece) string {
	return fmt.Sprint(bi.pts[int32(pc>>32)], bi.pts[int32(uint32(pc))])
}

// mapRing finds the input ring of f a level ring was simplified from (level
// vertices are a subset of the noded input ring's, in ring order) and returns its index
// and, for each level vertex, its position in that ring.
func (f *inFeat) mapRing(bi *borderIndex, lr orb.Ring) (int, []int, bool) {
	var l []int32
	for _, p := range openRing(lr) {
		id, ok := bi.id[p]
		if !ok {
			return 0, nil, false // not an input vertex
		}
		l = append(l, id)
	}
	if len(l) == 0 {
		return 0, nil, false
	}
	for _, s := range f.at[l[0]] {
		pts := f.rings[s.r].pts
		n := len(pts)
		pos := make([]int, 0, len(l))
		pos = append(pos, s.i)
		i, steps, ok := s.i, 0, true
		for k := 1; k <= len(l) && ok; k++ {
			want := l[k%len(l)]
			for {
				i = (i + 1) % n
				steps++
				if pts[i] == want {
					break
				}
				if steps >= n {
					ok = false
					break
				}
			}
			if k < len(l) {
				pos = append(pos, i)
			}
		}
		if ok && steps == n {
			return s.r, pos, true
		}
	}
	return 0, nil, false
}

// levelSeg is one segment of a feature's level boundary with the input
// pieces it replaces.
type levelSeg struct {
	u, v   int32
	ring   int
	path   []piece // noded input pieces from u to v
	pieces []piece // the level segment itself, noded
}

// borderReport is the outcome of checkSharedBorders.
type borderReport struct {
	Pairs int // neighbour pairs checked
	// Failing lists, per zoom, the pairs whose shared border differs.
	Failing map[int]map[[2]featRef]string
	// Exempt counts, per zoom, the pairs that differ only where a ring of
	// one side was dropped (below the minimum area), when not strict.
	Exempt map[int]int
}

// errorf reports every failure (the first few in full).
func (r borderReport) errorf(t *testing.T) {
	t.Helper()
	n := 0
	for _, z := range slices.Sorted(maps.Keys(r.Failing)) {
		for _, msg := range r.Failing[z] {
			if n++; n <= 10 {
				t.Errorf("z%d: %s", z, msg)
			}
		}
	}
	if n > 10 {
		t.Errorf("... %d shared-border failures in all", n)
	}
}

func (r borderReport) failingPairs() map[[2]featRef]bool {
	out := map[[2]featRef]bool{}
	for _, ps := range r.Failing {
		for p := range ps {
			out[p] = true
		}
	}
	return out
}

// checkSharedBorders compares, at each given simplified zoom, the
// boundaries of every pair of neighbours (features whose full-detail
// boundaries share at least one noded piece) that want accepts:
//
//   - a level segment of a replacing only pieces a shares with b must lie
//     on b's level boundary (its noded pieces are b's level pieces), and
//     conversely;
//   - a simplified level segment that replaces pieces shared with b and
//     pieces not shared has lost the end point of the shared border.
//
// Parts of the border on a ring of b that was dropped at the level (below
// the minimum area) are exempt unless strict.
func checkSharedBorders(t *testing.T, layers map[string][]orb.Geometry, l *Levels, zooms []int, strict bool, want func(a, b featRef) bool) borderReport {
	t.Helper()
	bi := newBorderIndex(layers)
	rep := borderReport{Failing: map[int]map[[2]featRef]string{}, Exempt: map[int]int{}}
	pairKey := func(a, b int32) uint64 {
		if b < a {
			a, b = b, a
		}
		return uint64(a)<<32 | uint64(b)
	}
	wanted := map[uint64]bool{}
	for _, us := range bi.users {
		for x := 0; x < len(us); x++ {
			for y := x + 1; y < len(us); y++ {
				if us[x].f == us[y].f {
					continue
				}
				k := pairKey(us[x].f, us[y].f)
				if _, done := wanted[k]; !done {
					wanted[k] = want == nil || want(bi.feats[us[x].f].ref, bi.feats[us[y].f].ref)
				}
			}
		}
	}
	for _, w := range wanted {
		if w {
			rep.Pairs++
		}
	}
	type share struct{ f, n int32 }
	var count []share
	for _, z := range zooms {
		if l.levelFor(z) == nil || l.levelFor(z).full {
			continue // the input itself
		}
		fails := map[[2]featRef]string{}
		fail := func(a, b int32, format string, args ...any) {
			if a > b {
				a, b = b, a
			}
			k := [2]featRef{bi.feats[a].ref, bi.feats[b].ref}
			if _, ok := fails[k]; !ok {
				fails[k] = fmt.Sprintf(format, args...)
			}
		}
		// The level boundaries: segments, kept input rings, noded pieces.
		segs := make([][]levelSeg, len(bi.feats))
		kept := make([]map[int]bool, len(bi.feats))
		lvlUsers := map[piece][]int32{}
		for fi, f := range bi.feats {
			kept[fi] = map[int]bool{}
			g := l.Geometry(f.ref.layer, f.ref.i, z)
			for _, lr := range ringsOf(g) {
				ri, pos, ok := f.mapRing(bi, lr)
				if !ok {
					t.Errorf("z%d %v: level ring does not follow any input ring", z, f.ref)
					continue
				}
				kept[fi][ri] = true
				in := f.rings[ri]
				n := len(in.pts)
				for k := range pos {
					i, j := pos[k], pos[(k+1)%len(pos)]
					s := levelSeg{u: in.pts[i], v: in.pts[j], ring: ri}
					if (i+1)%n == j {
						s.path = in.pieces[i : i+1]
					} else {
						for c := i; c != j; c = (c + 1) % n {
							s.path = append(s.path, in.pieces[c])
						}
					}
					s.pieces = bi.node(s.u, s.v)
					for _, pc := range s.pieces {
						us := lvlUsers[pc]
						if len(us) == 0 || us[len(us)-1] != int32(fi) {
							lvlUsers[pc] = append(us, int32(fi))
						}
					}
					segs[fi] = append(segs[fi], s)
				}
			}
		}
		// exempt: unless strict, every ring of b holding these pieces was
		// dropped at this level.
		exempted := map[uint64]bool{}
		exempt := func(a, b int32, path []piece) bool {
			if strict {
				return false
			}
			for _, pc := range path {
				for _, u := range bi.users[pc] {
					if u.f == b && kept[b][int(u.r)] {
						return false
					}
				}
			}
			exempted[pairKey(a, b)] = true
			return true
		}
		for fi := range bi.feats {
			a := int32(fi)
			for _, s := range segs[fi] {
				// Which other features share how many of the pieces.
				count = count[:0]
				for _, pc := range s.path {
					last := int32(-1)
					for _, u := range bi.users[pc] {
						if u.f == a || u.f == last {
							continue
						}
						last = u.f
						k := slices.IndexFunc(count, func(c share) bool { return c.f == u.f })
						if k < 0 {
							count = append(count, share{u.f, 0})
							k = len(count) - 1
						}
						count[k].n++
					}
				}
				for _, c := range count {
					b := c.f
					if !wanted[pairKey(a, b)] {
						continue
					}
					var on []piece // the level pieces of the shared part
					switch {
					case int(c.n) == len(s.path):
						on = s.pieces
					case slices.Equal(s.path, s.pieces):
						// An unchanged stretch along which the shared
						// border ends (at a vertex of b only).
						for _, pc := range s.pieces {
							if slices.ContainsFunc(bi.users[pc], func(u ringUse) bool { return u.f == b }) {
								on = append(on, pc)
							}
						}
					default:
						if !exempt(a, b, s.path) {
							fail(a, b, "level segment %v-%v of %v cuts across the end of the border shared with %v",
								bi.pts[s.u], bi.pts[s.v], bi.feats[a].ref, bi.feats[b].ref)
						}
						continue
					}
					for _, pc := range on {
						if !slices.Contains(lvlUsers[pc], b) && !exempt(a, b, s.path) {
							fail(a, b, "level segment %v-%v of %v, on the border shared with %v, is not on %v's level boundary (piece %s)",
								bi.pts[s.u], bi.pts[s.v], bi.feats[a].ref, bi.feats[b].ref, bi.feats[b].ref, bi.pieceString(pc))
							break
						}
					}
				}
			}
		}
		if len(fails) > 0 {
			rep.Failing[z] = fails
		}
		if len(exempted) > 0 {
			rep.Exempt[z] = len(exempted)
		}
	}
	return rep
}

// checkValid asserts every geometry of every level is OGC-valid. Levels
// that share the input are checked once, as the input (z99).
func checkValid(t *testing.T, layers map[string][]orb.Geometry, l *Levels) {
	t.Helper()
	type job struct {
		z    int
		name string
		i    int
		g    orb.Geometry
	}
	var jobs []job
	for _, z := range append(l.Zooms(), 99) {
		if lv := l.levelFor(z); lv != nil && lv.full {
			continue
		}
		for name, gs := range layers {
			for i := range gs {
				if g := l.Geometry(name, i, z); g != nil {
					jobs = append(jobs, job{z, name, i, g})
				}
			}
		}
	}
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				errs[k] = validate(jobs[k].g)
			}
		}()
	}
	for k := range jobs {
		next <- k
	}
	close(next)
	wg.Wait()
	fails := 0
	for k, err := range errs {
		if err != nil {
			if fails++; fails <= 10 {
				t.Errorf("z%d %s[%d] invalid: %v", jobs[k].z, jobs[k].name, jobs[k].i, err)
			}
		}
	}
	if fails > 10 {
		t.Errorf("... %d invalid geometries in all", fails)
	}
}
