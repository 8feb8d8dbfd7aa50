// Package topo simplifies polygon layers for map frontends without opening
// gaps between neighbours.
//
// Simplifying each polygon on its own moves a shared border differently on
// each side (tegola #341, geojson-vt #89). Build instead makes one topology
// from every ring of every layer: it nodes the rings against each other (a
// vertex of one ring lying on a segment of another is inserted there, see
// NodeTolerance), finds the junction nodes (vertices where the
// neighbourhood of a ring changes), cuts rings into arcs there, keeps each
// distinct arc once (whichever direction it was walked in) and simplifies that
// arc once per zoom with its end nodes fixed. Every polygon is then rebuilt
// from its simplified arcs, so two cities stay edge-to-edge, and a cluster's
// border stays on its member cities' borders, at every level.
//
// Each level is checked: segments of different arcs (and non-adjacent
// segments of one arc) may meet only at a shared end point, and every rebuilt
// feature must pass simplefeatures' OGC validation. An arc involved in a
// violation is re-simplified with half the tolerance (ultimately it keeps all
// its points, as do arcs where the input outlines themselves cross); because
// arcs are shared, the repair reaches every polygon that uses the arc.
package topo

import (
	"fmt"
	"github.com/clusteratlas/clusteratlas/geo"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/paulmach/orb"
)

// GridStep is the spacing of the source vertex grid (1/1024°). A tolerance
// below it only removes nearly collinear points of the source outlines, which
// is not worth a second copy of the data: such levels share the input.
const GridStep = 1.0 / 1024

// ToleranceDegrees is the Douglas-Peucker tolerance for zoom z: half the
// width of one pixel of a 256-px web-map tile at that zoom,
// 360/(256·2^z)/2 degrees (0.70° at z0, 6.9e-4° at z10). Half a pixel is the
// largest displacement that cannot be seen once the geometry is rasterised at
// that zoom. The tolerance is in degrees of longitude; in Web Mercator a
// degree of latitude is longer by 1/cos(lat), so at China's latitudes
// (18°–53°N) the vertical error stays below 0.85 px.
func ToleranceDegrees(z int) float64 {
	return pixelDegrees(z) / 2
}

// MinAreaDegrees2 is the area (in square degrees, planar lon/lat) below which
// a ring is dropped at zoom z: one pixel² of a 256-px tile. A smaller ring
// would cover at most one pixel, and collapsing it to a sliver would make it
// invalid. Holes smaller than this are filled; shells smaller than this drop
// with their holes. A feature whose every shell dropped is nil at that zoom.
func MinAreaDegrees2(z int) float64 {
	p := pixelDegrees(z)
	return p * p
}

func pixelDegrees(z int) float64 {
	if z < 0 {
		z = 0
	}
	return 360 / (256 * math.Exp2(float64(z)))
}

// Options tunes Build. The zero value gives the documented defaults.
type Options struct {
	// FullDetailBelow: zooms whose tolerance is below this (degrees) return
	// the input geometry unchanged. Zero means GridStep; negative disables it.
	FullDetailBelow float64
	// Workers bounds the number of levels built at once (0: GOMAXPROCS).
	Workers int
}

// Levels holds one simplified copy of each layer per built zoom. It is
// immutable after Build and safe for concurrent use. The geometries it hands
// out are shared, and full-detail levels are the input itself: callers must
// not modify them, nor the input after Build.
type Levels struct {
	zooms  []int // ascending, distinct
	levels []*level
	orig   map[string][]orb.Geometry
	stats  Stats
}

type level struct {
	zoom  int
	tol   float64
	full  bool // shares the input geometry
	geoms map[string][]orb.Geometry
	verts map[string]int
	stats LevelStats
}

// Stats describes a Build.
type Stats struct {
	InputVertices int // vertices of all input rings (closing points included)
	Nodes         int // junction nodes, plus one fixed node per junction-free ring
	Noded         int // vertices inserted into other rings' segments (see NodeTolerance)
	Arcs          int // distinct arcs after deduplication
	ArcVertices   int // vertices stored in distinct arcs
	Rings         int
	Topology      time.Duration // building the arcs and their DP ranking
	Total         time.Duration
	Levels        []LevelStats
}

// LevelStats describes one zoom level.
type LevelStats struct {
	Zoom          int
	Tolerance     float64
	FullDetail    bool
	Vertices      int // all layers
	DroppedRings  int // rings below MinAreaDegrees2
	ArcsRefined   int // arcs whose tolerance had to be lowered for validity
	Rounds        int // repair rounds
	Unresolved    int // features still invalid with all arcs at full detail (invalid input)
	Time          time.Duration
	InvalidSample []string `json:",omitempty"`
}

// Build precomputes one simplified level per zoom in zooms (e.g. 0..12).
// layers maps a layer name to its polygon geometries (orb.Polygon or
// orb.MultiPolygon, lon/lat); the returned geometries keep the same indexes.
// Nil geometries stay nil; other geometry types are passed through unchanged.
func Build(layers map[string][]orb.Geometry, zooms []int) (*Levels, error) {
	return BuildWithOptions(layers, zooms, Options{})
}

// BuildWithOptions is Build with explicit options.
func BuildWithOptions(layers map[string][]orb.Geometry, zooms []int, opt Options) (*Levels, error) {
	start := time.Now()
	if len(zooms) == 0 {
		return nil, fmt.Errorf("topo: no zoom levels requested")
	}
	zs := slices.Clone(zooms)
	slices.Sort(zs)
	zs = slices.Compact(zs)
	if zs[0] < 0 || zs[len(zs)-1] > 30 {
		return nil, fmt.Errorf("topo: zoom levels must be in 0..30, got %d..%d", zs[0], zs[len(zs)-1])
	}
	fullBelow := opt.FullDetailBelow
	if fullBelow == 0 {
		fullBelow = GridStep
	}

	t, err := newTopology(layers)
	if err != nil {
		return nil, err
	}
	topoTime := time.Since(start)

	l := &Levels{zooms: zs, orig: layers, levels: make([]*level, len(zs))}
	var todo []int
	for i, z := range zs {
		lv := &level{zoom: z, tol: ToleranceDegrees(z)}
		l.levels[i] = lv
		if lv.tol < fullBelow {
			lv.full = true
			lv.geoms = layers
			lv.verts = map[string]int{}
			for name, gs := range layers {
				n := 0
				for _, g := range gs {
					n += geo.Vertices(g)
				}
				lv.verts[name] = n
				lv.stats.Vertices += n
			}
			lv.stats = LevelStats{Zoom: z, Tolerance: lv.tol, FullDetail: true, Vertices: lv.stats.Vertices}
			continue
		}
		todo = append(todo, i)
	}

	// Levels are independent given the topology: build them in parallel,
	// coarsest first so the slowest (finest) ones do not start last.
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for _, i := range todo {
		wg.Add(1)
		sem <- struct{}{}
		go func(lv *level) {
			defer wg.Done()
			defer func() { <-sem }()
			t.buildLevel(lv)
		}(l.levels[i])
	}
	wg.Wait()

	l.stats = Stats{
		InputVertices: t.inputVertices,
		Nodes:         t.nodes,
		Noded:         t.noded,
		Arcs:          len(t.arcs),
		Rings:         len(t.rings),
		Topology:      topoTime,
		Total:         time.Since(start),
	}
	for _, a := range t.arcs {
		l.stats.ArcVertices += len(a.pts)
	}
	for _, lv := range l.levels {
		l.stats.Levels = append(l.stats.Levels, lv.stats)
	}
	return l, nil
}

// Zooms returns the built zoom levels in ascending order.
func (l *Levels) Zooms() []int { return slices.Clone(l.zooms) }

// Stats reports sizes and timings of the Build.
func (l *Levels) Stats() Stats { return l.stats }

// levelFor picks the level serving zoom z: below the lowest built zoom the
// lowest level; between built zooms the next finer one (never coarser than
// asked for); above the highest built zoom nil, meaning full detail.
func (l *Levels) levelFor(z int) *level {
	if z > l.zooms[len(l.zooms)-1] {
		return nil
	}
	i := sort.SearchInts(l.zooms, z)
	return l.levels[i]
}

// Geometry returns feature i of layer at the level for zoom z (clamped to
// the built range; above the highest built zoom, the original full-detail
// geometry). It is nil for an unknown layer or index, for a nil input, and
// for a polygon whose every shell is smaller than MinAreaDegrees2(z). The
// result keeps the input's type (a MultiPolygon may have fewer parts).
func (l *Levels) Geometry(layer string, i int, z int) orb.Geometry {
	var gs []orb.Geometry
	if lv := l.levelFor(z); lv != nil {
		gs = lv.geoms[layer]
	} else {
		gs = l.orig[layer]
	}
	if i < 0 || i >= len(gs) {
		return nil
	}
	return gs[i]
}

// Vertices is the total vertex count (closing points included) of a layer
// at zoom z.
func (l *Levels) Vertices(layer string, z int) int {
	if lv := l.levelFor(z); lv != nil {
		return lv.verts[layer]
	}
	n := 0
	for _, g := range l.orig[layer] {
		n += geo.Vertices(g)
	}
	return n
}
