package build

import (
	"fmt"
	"math"
	"sort"

	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/paulmach/orb"
)

// Outlines holds the repaired county outlines and what the union needs to
// tell a true hole from a sliver.
type Outlines struct {
	Counties map[string][]GridPolygon // repaired, by code
	codes    []string                 // sorted
	bounds   map[string]orb.Bound
	datum    map[string]geo.Datum // each county's source datum (see datum.go)
	names    map[string]string    // each county's outline name, for notes
	conv     *datumConverter
}

func newOutlines(repaired map[string][]GridPolygon) *Outlines {
	o := &Outlines{Counties: repaired, bounds: map[string]orb.Bound{}, datum: map[string]geo.Datum{}, conv: newDatumConverter()}
	for code, polys := range repaired {
		o.codes = append(o.codes, code)
		o.bounds[code] = gridMultiPolygon(polys).Bound()
	}
	sort.Strings(o.codes)
	return o
}

// occupant returns the first county (in code order) outside members whose
// outline contains p, or "".
func (o *Outlines) occupant(p orb.Point, members map[string]bool) string {
	for _, code := range o.codes {
		if members[code] || !o.bounds[code].Contains(p) {
			continue
		}
		for _, poly := range o.Counties[code] {
			if len(poly) == 0 || !ringContains(poly[0], p) {
				continue
			}
			inHole := false
			for _, h := range poly[1:] {
				if ringContains(h, p) {
					inHole = true
					break
				}
			}
			if !inHole {
				return code
			}
		}
	}
	return ""
}

// holeOccupant decides whether a hole is true: it samples points spread
// over the hole (the middles of its interior runs along a few scan lines)
// and returns the non-member county holding most of them when non-members
// hold more than half. A non-member outline that only overlaps a sliver gap at its
// edge does not make the gap a hole.
func (o *Outlines) holeOccupant(h orb.Ring, members map[string]bool) string {
	pts := samplePoints(orb.Polygon{h}, 9)
	if len(pts) == 0 {
		pts = []orb.Point{probeInside(h)}
	}
	// several non-members can share one hole (克拉玛依's districts inside
	// 塔城): count points held by any of them, name the one holding most
	votes := map[string]int{}
	best, occupied := "", 0
	for _, p := range pts {
		if occ := o.occupant(p, members); occ != "" {
			occupied++
			votes[occ]++
			if votes[occ] > votes[best] || votes[occ] == votes[best] && occ < best {
				best = occ
			}
		}
	}
	if 2*occupied > len(pts) {
		return best
	}
	return ""
}

// Union is a built polygon with its report.
type Union struct {
	Geometry orb.MultiPolygon
	Report   UnionStats
}

// UnionStats mirrors data.UnionReport for one union.
type UnionStats struct {
	Counties, Parts, HolesKept, HolesFilled, Vertices int
	FilledKm2                                         float64
	KeptBy                                            []HoleOccupant
}

// HoleOccupant is the non-member county found in a kept hole.
type HoleOccupant struct {
	County  string
	AreaKm2 float64
}

// unionCounties unions the member counties (already repaired, so valid)
// with simplefeatures' overlay into one valid (Multi)Polygon; it unions a
// province's counties in about half a second. The source tessellates the
// country, so a true hole is always occupied by some non-member county; a
// hole no non-member occupies is a sliver between member outlines that do
// not quite meet, and is filled.
func (o *Outlines) unionCounties(codes []string) (Union, error) {
	merged, st, err := o.gridUnion(codes, nil)
	if err != nil {
		return Union{}, err
	}
	return o.finishUnion(codes, merged, st)
}

// gridUnion unions the member counties on their source grid, before any
// datum conversion. parts, when given, are already-unioned pieces covering
// exactly those counties (a region unions its provinces' outlines rather
// than all of its counties again); the counties still decide which holes
// are true.
func (o *Outlines) gridUnion(codes []string, parts orb.MultiPolygon) (orb.MultiPolygon, UnionStats, error) {
	members := map[string]bool{}
	var polys []GridPolygon
	for _, c := range codes {
		if members[c] {
			continue
		}
		members[c] = true
		p, ok := o.Counties[c]
		if !ok {
			return nil, UnionStats{}, fmt.Errorf("county %s has no outline", c)
		}
		if parts == nil {
			polys = append(polys, p...)
		}
	}
	st := UnionStats{Counties: len(members)}
	if parts == nil {
		parts = gridMultiPolygon(polys)
	}
	merged, err := unionSF(parts)
	if err != nil {
		return nil, st, err
	}
	var filled orb.MultiPolygon
	for i, poly := range merged {
		kept := orb.Polygon{poly[0]}
		for _, h := range poly[1:] {
			if occ := o.holeOccupant(h, members); occ != "" {
				kept = append(kept, h)
				st.HolesKept++
				st.KeptBy = append(st.KeptBy, HoleOccupant{occ, geo.AreaKm2(orb.Polygon{h})})
			} else {
				filled = append(filled, orb.Polygon{h})
				st.HolesFilled++
			}
		}
		merged[i] = kept
	}
	st.FilledKm2 = geo.AreaKm2(filled)
	if err := validate(merged); err != nil {
		// a part lay inside a filled sliver: let the overlay merge them
		if merged, err = unionSF(merged); err != nil {
			return nil, st, err
		}
	}
	if err := validate(merged); err != nil {
		return nil, st, fmt.Errorf("union is not valid: %w", err)
	}
	return merged, st, nil
}

// finishUnion converts a grid union to WGS84 (vertex by vertex) and counts
// its parts and vertices.
func (o *Outlines) finishUnion(codes []string, merged orb.MultiPolygon, st UnionStats) (Union, error) {
	d, err := o.unionDatum(codes)
	if err != nil {
		return Union{}, err
	}
	if merged, err = o.conv.finish("union", merged, d); err != nil {
		return Union{}, err
	}
	st.Parts = len(merged)
	for _, p := range merged {
		for _, r := range p {
			st.Vertices += len(r)
		}
	}
	return Union{Geometry: merged, Report: st}, nil
}

// probeInside returns a point just inside the area a ring encloses (either
// orientation): the midpoint of its longest edge, nudged a hundredth of a
// grid cell towards the enclosed side.
func probeInside(r orb.Ring) orb.Point {
	bi, best := 0, -1.0
	for i := 0; i+1 < len(r); i++ {
		if d := math.Hypot(r[i+1][0]-r[i][0], r[i+1][1]-r[i][1]); d > best {
			bi, best = i, d
		}
	}
	a, b := r[bi], r[bi+1]
	dx, dy := (b[0]-a[0])/best, (b[1]-a[1])/best
	side := 1.0 // counter-clockwise: the enclosed side is on the left
	if r.Orientation() == orb.CW {
		side = -1
	}
	const nudge = 0.01 / echartsScale
	return orb.Point{(a[0]+b[0])/2 - side*dy*nudge, (a[1]+b[1])/2 + side*dx*nudge}
}
