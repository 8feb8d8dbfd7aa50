package topo

import (
	"math"
	"math/rand"

	"github.com/paulmach/orb"
)

// gridFixture is a deterministic stand-in for the atlas: an n×n grid of
// jagged cells ("cities") whose shared borders are random wiggly polylines
// on the 1/1024° grid, plus clusters and zones made of rectangular blocks of
// cells, built the way the real unions are: vertex for vertex from the same
// borders.
type gridFixture struct {
	n, k   int     // cells per side, points per border
	s      float64 // cell size, degrees
	origin orb.Point
	nodes  [][]orb.Point      // [i][j], i,j in 0..n
	hEdge  [][]orb.LineString // [i][j]: node(i,j) → node(i+1,j)
	vEdge  [][]orb.LineString // [i][j]: node(i,j) → node(i,j+1)
	rnd    *rand.Rand
}

func snap(p orb.Point) orb.Point {
	return orb.Point{math.Round(p[0]*1024) / 1024, math.Round(p[1]*1024) / 1024}
}

func newGridFixture(n, k int, s float64, seed int64) *gridFixture {
	g := &gridFixture{n: n, k: k, s: s, origin: orb.Point{100, 25}, rnd: rand.New(rand.NewSource(seed))}
	g.nodes = make([][]orb.Point, n+1)
	for i := range g.nodes {
		g.nodes[i] = make([]orb.Point, n+1)
		for j := range g.nodes[i] {
			g.nodes[i][j] = snap(orb.Point{
				g.origin[0] + float64(i)*s + (g.rnd.Float64()-0.5)*0.1*s,
				g.origin[1] + float64(j)*s + (g.rnd.Float64()-0.5)*0.1*s,
			})
		}
	}
	g.hEdge = make([][]orb.LineString, n)
	for i := range g.hEdge {
		g.hEdge[i] = make([]orb.LineString, n+1)
		for j := range g.hEdge[i] {
			g.hEdge[i][j] = g.wiggle(g.nodes[i][j], g.nodes[i+1][j])
		}
	}
	g.vEdge = make([][]orb.LineString, n+1)
	for i := range g.vEdge {
		g.vEdge[i] = make([]orb.LineString, n)
		for j := range g.vEdge[i] {
			g.vEdge[i][j] = g.wiggle(g.nodes[i][j], g.nodes[i][j+1])
		}
	}
	return g
}

// wiggle is a jagged polyline from a to b: a random walk of offsets across
// the chord, tapered to zero at the ends so borders meeting at a node stay
// in disjoint cones and never cross.
func (g *gridFixture) wiggle(a, b orb.Point) orb.LineString {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l := math.Hypot(dx, dy)
	nx, ny := -dy/l, dx/l
	amp := 0.15 * g.s
	ls := orb.LineString{a}
	w := 0.0
	for i := 1; i < g.k; i++ {
		t := float64(i) / float64(g.k)
		w += (g.rnd.Float64() - 0.5) * 0.6
		w = math.Max(-1, math.Min(1, w))
		off := amp * math.Sin(math.Pi*t) * w
		p := snap(orb.Point{a[0] + t*dx + off*nx, a[1] + t*dy + off*ny})
		if p != ls[len(ls)-1] {
			ls = append(ls, p)
		}
	}
	if b != ls[len(ls)-1] {
		ls = append(ls, b)
	}
	return ls
}

// blockRing is the outline (counter-clockwise) of cells i0..i1-1 × j0..j1-1.
func (g *gridFixture) blockRing(i0, j0, i1, j1 int) orb.Ring {
	var r orb.Ring
	add := func(ls orb.LineString, rev bool) {
		for k := range ls {
			p := ls[k]
			if rev {
				p = ls[len(ls)-1-k]
			}
			if len(r) > 0 && r[len(r)-1] == p {
				continue
			}
			r = append(r, p)
		}
	}
	for i := i0; i < i1; i++ {
		add(g.hEdge[i][j0], false)
	}
	for j := j0; j < j1; j++ {
		add(g.vEdge[i1][j], false)
	}
	for i := i1 - 1; i >= i0; i-- {
		add(g.hEdge[i][j1], true)
	}
	for j := j1 - 1; j >= j0; j-- {
		add(g.vEdge[i0][j], true)
	}
	return r // the last point repeats the first
}

// jaggedRing is a closed jagged circle, counter-clockwise.
func jaggedRing(rnd *rand.Rand, c orb.Point, radius, jag float64, m int) orb.Ring {
	var r orb.Ring
	for i := 0; i < m; i++ {
		a := 2 * math.Pi * float64(i) / float64(m)
		rr := radius * (1 + jag*(rnd.Float64()-0.5))
		p := snap(orb.Point{c[0] + rr*math.Cos(a), c[1] + rr*math.Sin(a)})
		if len(r) == 0 || r[len(r)-1] != p {
			r = append(r, p)
		}
	}
	return append(r, r[0])
}

func reversed(r orb.Ring) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

// selfTouching is a jagged disc (radius ~1°) whose hole touches the shell
// at exactly one vertex v (valid OGC).
func selfTouching(rnd *rand.Rand, c orb.Point) orb.Polygon {
	const m = 72
	var shell orb.Ring
	for i := 0; i < m; i++ {
		deg := 360 * float64(i) / m
		a := deg * math.Pi / 180
		var rr float64
		switch {
		case i == 0:
			rr = 1 // the touching vertex v
		case deg <= 30 || deg >= 330:
			rr = 1 + 0.2*rnd.Float64() // only outward near v
		default:
			rr = 0.9 + 0.3*rnd.Float64()
		}
		shell = append(shell, snap(orb.Point{c[0] + rr*math.Cos(a), c[1] + rr*math.Sin(a)}))
	}
	shell = append(shell, shell[0])
	v := shell[0]
	// The hole is a fan around v (star-shaped from v, hence simple) pointing
	// into the disc, where the shell is at radius >= 0.9.
	hole := orb.Ring{v}
	for i := 0; i <= 16; i++ {
		a := (150 + 60*float64(i)/16) * math.Pi / 180
		d := 0.3 + 0.3*rnd.Float64()
		hole = append(hole, snap(orb.Point{v[0] + d*math.Cos(a), v[1] + d*math.Sin(a)}))
	}
	hole = append(hole, v)
	if ringArea(hole) > 0 {
		hole = reversed(hole)
	}
	return orb.Polygon{shell, hole}
}

// atlasFixture is the small test atlas.
type atlasFixture struct {
	grid    *gridFixture
	layers  map[string][]orb.Geometry
	members map[int][]int // cluster index → city indexes tiling it
	tiling  []int         // city indexes that tile the grid without overlap
	tinyIsl float64       // area of the tiny island of city 0
	bigIsl  float64       // area of the island of city 1
	tinyOne int           // city index whose only polygon is a tiny island
}

func newAtlasFixture(seed int64) *atlasFixture {
	g := newGridFixture(3, 60, 2, seed)
	cell := func(i, j int) orb.Ring { return g.blockRing(i, j, i+1, j+1) }
	cityIdx := func(i, j int) int { return i*3 + j }

	// The centre cell has a hole that an enclave city fills exactly.
	c11 := orb.Point{g.origin[0] + 1.5*g.s, g.origin[1] + 1.5*g.s}
	enclave := jaggedRing(g.rnd, c11, 0.22*g.s, 0.3, 40)
	// Islands off the south-west corner.
	tiny := jaggedRing(g.rnd, orb.Point{g.origin[0] - 0.7, g.origin[1] - 0.7}, 0.06, 0.3, 12)
	big := jaggedRing(g.rnd, orb.Point{g.origin[0] - 0.8, g.origin[1] + 2}, 0.3, 0.3, 30)
	tinyOnly := jaggedRing(g.rnd, orb.Point{g.origin[0] - 1, g.origin[1] + 5}, 0.04, 0.3, 10)

	cities := make([]orb.Geometry, 9)
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			cities[cityIdx(i, j)] = orb.Polygon{cell(i, j)}
		}
	}
	cities[cityIdx(0, 0)] = orb.MultiPolygon{{cell(0, 0)}, {tiny}}
	cities[cityIdx(0, 1)] = orb.MultiPolygon{{cell(0, 1)}, {big}}
	cities[cityIdx(1, 1)] = orb.Polygon{cell(1, 1), reversed(enclave)}
	cities = append(cities, orb.Polygon{enclave}) // 9
	st := selfTouching(g.rnd, orb.Point{g.origin[0] + 9, g.origin[1] + 3})
	cities = append(cities, st)                          // 10
	cities = append(cities, orb.Polygon{tinyOnly})       // 11
	cities = append(cities, nil)                         // 12: no geometry
	cities = append(cities, orb.Polygon{cell(1, 1)}[:0]) // 13: empty polygon

	block := func(i0, j0, i1, j1 int) (orb.Geometry, []int) {
		var mem []int
		mp := orb.MultiPolygon{{g.blockRing(i0, j0, i1, j1)}}
		for i := i0; i < i1; i++ {
			for j := j0; j < j1; j++ {
				mem = append(mem, cityIdx(i, j))
				if i == 1 && j == 1 {
					mem = append(mem, 9)
				}
				if i == 0 && j == 0 {
					mp = append(mp, orb.Polygon{tiny})
				}
				if i == 0 && j == 1 {
					mp = append(mp, orb.Polygon{big})
				}
			}
		}
		if len(mp) == 1 {
			return mp[0], mem
		}
		return mp, mem
	}
	f := &atlasFixture{grid: g, members: map[int][]int{}, tinyOne: 11}
	var clusters []orb.Geometry
	for ci, b := range [][4]int{{0, 0, 2, 2}, {1, 0, 3, 2}, {0, 2, 3, 3}} {
		geom, mem := block(b[0], b[1], b[2], b[3])
		if ci == 0 {
			// An overlay library may add an off-grid node on a border that
			// the member city does not have.
			sh := geom.(orb.MultiPolygon)[0][0]
			k := len(sh) / 8
			mid := orb.Point{(sh[k][0] + sh[k+1][0]) / 2, (sh[k][1] + sh[k+1][1]) / 2}
			geom.(orb.MultiPolygon)[0][0] = append(sh[:k+1:k+1], append(orb.Ring{mid}, sh[k+1:]...)...)
		}
		clusters = append(clusters, geom)
		f.members[ci] = mem
	}
	z1, _ := block(2, 1, 3, 3)
	zones := []orb.Geometry{z1, cities[cityIdx(0, 0)]} // zone 1 duplicates city 0
	f.layers = map[string][]orb.Geometry{"cities": cities, "clusters": clusters, "transfer-zones": zones}
	f.tiling = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	f.tinyIsl = math.Abs(ringArea(tiny))
	f.bigIsl = math.Abs(ringArea(big))
	return f
}

// coastFixture is a trap for per-arc simplification: a coast with a shallow
// bay (depth 0.08°, just under the z3 tolerance) and an island (another
// feature) reaching into the bay. Flattening the bay at z3 would run the
// coast through the island; the repair must keep the bay.
func coastFixture() map[string][]orb.Geometry {
	o := orb.Point{130, 40}
	P := func(x, y float64) orb.Point { return snap(orb.Point{o[0] + x, o[1] + y}) }
	coast := orb.Ring{P(0, -2), P(4, -2), P(4, 0), P(2.2, 0)}
	for i := 1; i < 20; i++ { // the bay, x from 2.2 down to 1.8
		x := 2.2 - 0.4*float64(i)/20
		coast = append(coast, P(x, -0.08*math.Sin(math.Pi*float64(i)/20)))
	}
	coast = append(coast, P(1.8, 0), P(0, 0), P(0, -2))
	island := orb.Ring{P(1.9, -0.03), P(2.1, -0.03), P(2.1, 0.3), P(1.9, 0.3), P(1.9, -0.03)}
	return map[string][]orb.Geometry{"cities": {orb.Polygon{coast}, orb.Polygon{island}}}
}
