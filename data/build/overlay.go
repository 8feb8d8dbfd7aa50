package build

import (
	"fmt"

	"github.com/clusteratlas/clusteratlas/geo/sfconv"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"
)

// The overlay and validity rules come from simplefeatures (pure Go, OGC
// semantics): hand-written code here only handles what is exact on the
// integer grid (edge cancellation); anything that needs noding goes to the
// library.

// validate reports why a multipolygon is not OGC-valid (nil when valid).
func validate(mp orb.MultiPolygon) error { return sfconv.ValidatePolygonal(mp) }

// polygonal converts an overlay result back to orb, keeping its polygons.
func polygonal(g geom.Geometry) orb.MultiPolygon { return sfconv.PolygonalParts(sfconv.FromSF(g)) }

func mustSF(g orb.Geometry) geom.Geometry {
	sg, err := sfconv.ToSF(g)
	if err != nil {
		panic(err) // only polygons reach here; recovered by the callers
	}
	return sg
}

// unionSF unions polygonal pieces with the library's overlay, recovering
// from a library panic into an error so a bad input never kills the build.
func unionSF(pieces orb.MultiPolygon) (out orb.MultiPolygon, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("overlay failed: %v", r)
		}
	}()
	gs := make([]geom.Geometry, 0, len(pieces))
	for _, p := range pieces {
		gs = append(gs, mustSF(p))
	}
	u, err := geom.UnionMany(gs)
	if err != nil {
		return nil, err
	}
	return polygonal(u), nil
}

// makeValid dissolves polygons on the grid (exact edge cancellation, see
// dissolve) and validates the result with simplefeatures. What the grid
// dissolve leaves invalid — separate parts touching at several points,
// which enclose a hole between them — is handed to the library's overlay:
// every ring becomes a simple polygon of its own, the shells are unioned and
// the holes subtracted. byOverlay reports whether that fallback ran.
func makeValid(polys []GridPolygon) (out []GridPolygon, st RepairStats, byOverlay bool, err error) {
	out, st = dissolve(polys)
	mp := gridMultiPolygon(out)
	if validate(mp) == nil {
		return out, st, false, nil
	}
	fixed, err := overlayRings(out)
	if err != nil {
		return nil, st, true, err
	}
	if err := validate(fixed); err != nil {
		return nil, st, true, fmt.Errorf("still invalid after overlay: %w", err)
	}
	// the overlay may node near-collinear edges off the grid; back on the
	// grid, one more dissolve removes what rounding made touch or cross
	again, _ := dissolve(snapMulti(fixed))
	if validate(gridMultiPolygon(again)) == nil {
		return again, st, true, nil
	}
	return nil, st, true, fmt.Errorf("invalid after overlay and snapping to the grid: %w", validate(gridMultiPolygon(again)))
}

func overlayRings(polys []GridPolygon) (_ orb.MultiPolygon, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("overlay failed: %v", r)
		}
	}()
	var shells, holes []geom.Geometry
	for _, p := range polys {
		for i, r := range p {
			g := mustSF(orb.Polygon{r.orbRing()})
			if i == 0 {
				shells = append(shells, g)
			} else {
				holes = append(holes, g)
			}
		}
	}
	u, err := geom.UnionMany(shells)
	if err != nil {
		return nil, err
	}
	if len(holes) > 0 {
		h, err := geom.UnionMany(holes)
		if err != nil {
			return nil, err
		}
		if u, err = geom.Difference(u, h); err != nil {
			return nil, err
		}
	}
	return polygonal(u), nil
}

// snapMulti converts back to the grid; overlay output of grid input stays
// on the grid except at crossings, which dissolve has already removed.
func snapMulti(mp orb.MultiPolygon) []GridPolygon {
	out := make([]GridPolygon, 0, len(mp))
	for _, p := range mp {
		gp := snapPolygon(p)
		for i := range gp {
			gp[i], _ = gp[i].open()
		}
		out = append(out, gp)
	}
	return out
}
