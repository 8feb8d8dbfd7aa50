package topo

import (
	"fmt"
	"github.com/clusteratlas/clusteratlas/geo"
	"time"

	"github.com/paulmach/orb"
)

// maxHalvings bounds the repair of one arc: after this many halvings of its
// tolerance it keeps every point (the input is assumed valid, so the
// original arc always is).
const maxHalvings = 20

// levelState is the per-level working set: the tolerance and kept points of
// each arc. Levels never share one, so they can be built concurrently.
type levelState struct {
	t       *topology
	lv      *level
	ringOn  []bool
	active  []bool // arc used by a ring kept at this level
	tol     []float64
	halving []uint8
	kept    [][]int32
	refined []bool
	mark    []uint32 // scratch for deduplicating arc sets
	epoch   uint32
}

func (t *topology) buildLevel(lv *level) {
	start := time.Now()
	s := &levelState{
		t:       t,
		lv:      lv,
		ringOn:  make([]bool, len(t.rings)),
		active:  make([]bool, len(t.arcs)),
		tol:     make([]float64, len(t.arcs)),
		halving: make([]uint8, len(t.arcs)),
		kept:    make([][]int32, len(t.arcs)),
		refined: make([]bool, len(t.arcs)),
		mark:    make([]uint32, len(t.arcs)),
	}
	st := &lv.stats
	st.Zoom, st.Tolerance = lv.zoom, lv.tol

	// Drop rings below a pixel²; a dropped shell takes its holes with it.
	// The decision uses the full-detail area, which every user of a shared
	// junction-free ring sees alike, so an enclave and the hole it fills
	// drop together.
	minArea := MinAreaDegrees2(lv.zoom)
	for _, p := range t.polys {
		sh := t.rings[p.rings[0]]
		if sh.bad || sh.area < minArea {
			st.DroppedRings += len(p.rings)
			continue
		}
		s.ringOn[p.rings[0]] = true
		for _, h := range p.rings[1:] {
			if t.rings[h].bad || t.rings[h].area < minArea {
				st.DroppedRings++
				continue
			}
			s.ringOn[h] = true
		}
	}
	var all []int32
	for r, on := range s.ringOn {
		if !on {
			continue
		}
		for _, u := range t.rings[r].arcs {
			if !s.active[u.arc] {
				s.active[u.arc] = true
				all = append(all, u.arc)
			}
		}
	}
	for _, a := range all {
		s.tol[a] = lv.tol
		s.kept[a] = keep(t.arcs[a].imp, lv.tol, nil)
	}

	// 1. No two arcs may cross or touch except at shared nodes.
	s.fixCrossings(all)

	// 2. Every feature must be OGC-valid; repair by refining its arcs.
	geoms := make([]orb.Geometry, len(t.feats))
	todo := make([]int32, 0, len(t.feats))
	for fi := range t.feats {
		todo = append(todo, int32(fi))
	}
	unresolved := map[int32]string{}
	for len(todo) > 0 {
		st.Rounds++
		var bad []int32
		for _, fi := range todo {
			f := &t.feats[fi]
			if f.skip {
				continue
			}
			g := s.assemble(f)
			geoms[fi] = g
			if g == nil {
				continue
			}
			if err := validate(g); err != nil {
				n := 0
				for _, a := range s.featureArcs(f) {
					if s.refine(a) {
						bad = append(bad, a)
						n++
					}
				}
				if n == 0 {
					unresolved[fi] = fmt.Sprintf("%s[%d]: %v", f.layer, f.index, err)
				}
			} else {
				delete(unresolved, fi)
			}
		}
		if len(bad) == 0 {
			break
		}
		changed := s.fixCrossings(bad)
		// Re-assemble and re-validate every feature touching a changed arc:
		// a repair reaches all users of the arc.
		todo = todo[:0]
		seen := map[int32]bool{}
		for _, a := range changed {
			for _, fi := range t.arcFeats[a] {
				if !seen[fi] {
					seen[fi] = true
					todo = append(todo, fi)
				}
			}
		}
	}
	for _, msg := range unresolved {
		st.Unresolved++
		if len(st.InvalidSample) < 5 {
			st.InvalidSample = append(st.InvalidSample, msg)
		}
	}

	lv.geoms = map[string][]orb.Geometry{}
	lv.verts = map[string]int{}
	for fi, f := range t.feats {
		gs := lv.geoms[f.layer]
		if gs == nil {
			gs = make([]orb.Geometry, 0, 16)
		}
		g := geoms[fi]
		if f.skip {
			g = f.orig // pass-through geometries are returned as given
		}
		lv.geoms[f.layer] = append(gs, g)
		n := geo.Vertices(g)
		lv.verts[f.layer] += n
		st.Vertices += n
	}
	for a, r := range s.refined {
		if r && s.active[a] {
			st.ArcsRefined++
		}
	}
	st.Time = time.Since(start)
}

// refine halves the tolerance of arc a (after maxHalvings it keeps every
// point). It reports false when the arc is already at full detail.
func (s *levelState) refine(a int32) bool {
	if s.tol[a] < 0 {
		return false
	}
	s.halving[a]++
	s.tol[a] /= 2
	if s.halving[a] >= maxHalvings {
		s.tol[a] = -1
	}
	old := len(s.kept[a])
	s.kept[a] = keep(s.t.arcs[a].imp, s.tol[a], s.kept[a][:0:0])
	s.refined[a] = true
	if len(s.kept[a]) == old && s.tol[a] >= 0 {
		// Nothing changed at this tolerance: keep halving right away, a
		// recheck would find the same conflict.
		return s.refine(a)
	}
	return true
}

// fixCrossings checks the given arcs against themselves and their
// neighbours and refines every arc in a conflict until none is left (or the
// arcs involved are at full detail). It returns every arc it refined, plus
// the input arcs.
func (s *levelState) fixCrossings(pending []int32) []int32 {
	changed := append([]int32(nil), pending...)
	for len(pending) > 0 {
		conf := s.conflicts(pending)
		pending = pending[:0:0]
		for _, a := range conf {
			if s.refine(a) {
				pending = append(pending, a)
				changed = append(changed, a)
			}
		}
	}
	return changed
}

// conflicts returns the arcs involved in a crossing with any arc of pending.
func (s *levelState) conflicts(pending []int32) []int32 {
	s.epoch++
	hit := s.epoch
	var out []int32
	add := func(a int32) {
		if s.mark[a] != hit {
			s.mark[a] = hit
			out = append(out, a)
		}
	}
	pend := make(map[int32]bool, len(pending))
	for _, a := range pending {
		pend[a] = true
	}
	for _, a := range pending {
		if s.selfConflict(a) {
			add(a)
		}
		for _, b := range s.t.near[a] {
			if !s.active[b] || (pend[b] && b < a) {
				continue
			}
			if s.pairConflict(a, b) {
				add(a)
				add(b)
			}
		}
	}
	return out
}

func (s *levelState) featureArcs(f *feature) []int32 {
	var out []int32
	for _, pi := range f.polys {
		for _, ri := range s.t.polys[pi].rings {
			if !s.ringOn[ri] {
				continue
			}
			for _, u := range s.t.rings[ri].arcs {
				out = append(out, u.arc)
			}
		}
	}
	return out
}

// assemble rebuilds a feature from its simplified arcs.
func (s *levelState) assemble(f *feature) orb.Geometry {
	var mp orb.MultiPolygon
	for _, pi := range f.polys {
		p := s.t.polys[pi]
		if !s.ringOn[p.rings[0]] {
			continue
		}
		shell := s.ring(p.rings[0])
		if shell == nil {
			continue
		}
		poly := orb.Polygon{shell}
		for _, h := range p.rings[1:] {
			if s.ringOn[h] {
				if r := s.ring(h); r != nil {
					poly = append(poly, r)
				}
			}
		}
		mp = append(mp, poly)
	}
	if f.multi {
		if len(mp) == 0 {
			return nil
		}
		return mp
	}
	if len(mp) == 0 {
		return nil
	}
	return mp[0]
}

func (s *levelState) ring(ri int32) orb.Ring {
	uses := s.t.rings[ri].arcs
	n := 0
	for _, u := range uses {
		n += len(s.kept[u.arc])
	}
	r := make(orb.Ring, 0, n-len(uses)+1)
	for k, u := range uses {
		pts := s.t.arcs[u.arc].pts
		idx := s.kept[u.arc]
		if u.rev {
			for i := len(idx) - 1; i >= 0; i-- {
				if k > 0 && i == len(idx)-1 {
					continue // node shared with the previous arc
				}
				r = append(r, pts[idx[i]])
			}
		} else {
			for i, j := range idx {
				if k > 0 && i == 0 {
					continue
				}
				r = append(r, pts[j])
			}
		}
	}
	if len(r) < 4 || r[0] != r[len(r)-1] {
		return nil
	}
	return r
}
