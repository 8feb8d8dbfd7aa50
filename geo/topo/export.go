package topo

import (
	"fmt"
	"slices"
	"sort"

	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/paulmach/orb"
)

// LevelData is one built level as stored in a snapshot: the simplified
// geometries per layer, or Full for a level that serves the input itself.
type LevelData struct {
	Zoom      int
	Tolerance float64
	Full      bool
	Layers    map[string][]orb.Geometry // nil when Full
}

// Export returns the built levels, coarsest first, for a snapshot. The
// geometries are shared with l: do not modify them.
func (l *Levels) Export() []LevelData {
	out := make([]LevelData, len(l.levels))
	for i, lv := range l.levels {
		out[i] = LevelData{Zoom: lv.zoom, Tolerance: lv.tol, Full: lv.full}
		if !lv.full {
			out[i].Layers = lv.geoms
		}
	}
	return out
}

// FromExport rebuilds Levels from Export's output and the input layers
// (orig, the full-detail geometries). It checks the shape — ascending
// distinct zooms in 0..30, every layer of orig present with the same
// number of features — so a damaged snapshot gives an error. Stats carry
// the level sizes only (no timings: nothing was built).
func FromExport(orig map[string][]orb.Geometry, data []LevelData) (*Levels, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("topo: no levels")
	}
	l := &Levels{orig: orig, levels: make([]*level, len(data))}
	names := make([]string, 0, len(orig))
	for name := range orig {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, d := range data {
		if d.Zoom < 0 || d.Zoom > 30 || (i > 0 && d.Zoom <= data[i-1].Zoom) {
			return nil, fmt.Errorf("topo: level %d: zoom %d out of order or range", i, d.Zoom)
		}
		lv := &level{zoom: d.Zoom, tol: d.Tolerance, full: d.Full, verts: map[string]int{}}
		if d.Full {
			lv.geoms = orig
		} else {
			lv.geoms = d.Layers
			if len(d.Layers) != len(orig) {
				return nil, fmt.Errorf("topo: zoom %d: %d layers, want %d", d.Zoom, len(d.Layers), len(orig))
			}
		}
		for _, name := range names {
			gs, ok := lv.geoms[name]
			if !ok || len(gs) != len(orig[name]) {
				return nil, fmt.Errorf("topo: zoom %d: layer %s missing or of the wrong length", d.Zoom, name)
			}
			n := 0
			for _, g := range gs {
				n += geo.Vertices(g)
			}
			lv.verts[name] = n
			lv.stats.Vertices += n
		}
		lv.stats.Zoom, lv.stats.Tolerance, lv.stats.FullDetail = d.Zoom, d.Tolerance, d.Full
		l.levels[i] = lv
		l.zooms = append(l.zooms, d.Zoom)
		l.stats.Levels = append(l.stats.Levels, lv.stats)
	}
	l.zooms = slices.Clip(l.zooms)
	return l, nil
}
