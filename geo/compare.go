package geo

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo/sfconv"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/peterstace/simplefeatures/geom"
)

// CompareTable measures, once, everything /compare answers about the
// polygon features of the named collections: per feature its area,
// perimeter, centroid, bbox and the share of it covered by each other
// collection; per unordered pair the overlap (and its share of each side),
// the edge, label and centroid distances. Edge distances use the prepared
// edge indexes (nearest chunks first, pruned by the best so far), overlaps
// the exact overlay only where the boundaries cross, on parts trimmed to
// the common bounding box. Work is spread over GOMAXPROCS goroutines.
func (a *Atlas) CompareTable(collections []string) (*data.CompareTable, error) {
	type ref struct {
		coll *Collection
		i    int
	}
	t := &data.CompareTable{Version: data.CompareTableVersion, Sources: map[string]string{}}
	var refs []ref
	for _, name := range collections {
		c, ok := a.collections[name]
		if !ok {
			return nil, fmt.Errorf("geo: compare: no collection %q", name)
		}
		if a.dataset != nil {
			t.Sources[name] = a.dataset.ContentHash[name]
		}
		for i := range c.Features {
			f := &c.Features[i]
			cf := data.CompareFeature{Collection: name, ID: f.ID}
			if f.Geometry != nil {
				cf.AreaKm2 = round(c.areaKm2[i], 3)
				cf.PerimeterKm = round(PerimeterKm(f.Geometry), 3)
				cen, _ := planar.CentroidArea(f.Geometry)
				cf.Centroid = &[2]float64{round(cen[0], 5), round(cen[1], 5)}
				b := c.bounds[i]
				cf.BBox = &[4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
			}
			t.Features = append(t.Features, cf)
			refs = append(refs, ref{c, i})
		}
	}
	n := len(refs)
	// pieces[x][y] is feature x ∩ feature y (for covered_by), kept only
	// between different collections.
	type piece struct {
		other int
		geom  orb.Geometry
	}
	pieces := make([][]piece, n)
	var mu sync.Mutex
	var firstErr error
	jobs := make(chan [2]int)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	results := make([]data.ComparePair, 0, n*(n-1)/2)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range jobs {
				x, y := refs[job[0]], refs[job[1]]
				fx, fy := &x.coll.Features[x.i], &y.coll.Features[y.i]
				p := data.ComparePair{A: job[0], B: job[1]}
				if lx, ok := featureLabel(fx); ok {
					if ly, ok := featureLabel(fy); ok {
						p.LabelDistanceKm = ptr(round(DistanceKm(lx, ly), 3))
					}
				}
				cx, cy := t.Features[job[0]].Centroid, t.Features[job[1]].Centroid
				if cx != nil && cy != nil {
					p.CentroidDistanceKm = ptr(round(DistanceKm(orb.Point(*cx), orb.Point(*cy)), 3))
				}
				px, py := x.coll.preparedAt(x.i), y.coll.preparedAt(y.i)
				if px != nil && py != nil {
					p.EdgeDistanceKm = ptr(round(preparedDistanceKm(px, py, math.Inf(1)), 3))
				}
				if px != nil && py != nil && px.polygonal && py.polygonal {
					area, g, err := overlapOf(fx.Geometry, px, x.coll.areaKm2[x.i], fy.Geometry, py, y.coll.areaKm2[y.i])
					if err != nil {
						mu.Lock()
						if firstErr == nil {
							firstErr = fmt.Errorf("geo: compare %s:%s with %s:%s: %w", x.coll.Name, fx.ID, y.coll.Name, fy.ID, err)
						}
						mu.Unlock()
					} else {
						p.OverlapAreaKm2 = ptr(round(area, 3))
						if ax := x.coll.areaKm2[x.i]; ax > 0 {
							p.ShareOfA = ptr(round(math.Min(1, area/ax), 6))
						}
						if ay := y.coll.areaKm2[y.i]; ay > 0 {
							p.ShareOfB = ptr(round(math.Min(1, area/ay), 6))
						}
						if area > 0 && x.coll != y.coll {
							mu.Lock()
							pieces[job[0]] = append(pieces[job[0]], piece{job[1], g})
							pieces[job[1]] = append(pieces[job[1]], piece{job[0], g})
							mu.Unlock()
						}
					}
				}
				mu.Lock()
				results = append(results, p)
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			jobs <- [2]int{i, j}
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	t.Pairs = results
	// covered_by: the share of a feature inside the union of another
	// collection's features = area of the union of its overlap pieces.
	for x := range t.Features {
		if len(collections) < 2 {
			break
		}
		if refs[x].coll.preparedAt(refs[x].i) == nil {
			continue // no geometry (an unpublished scope): no share to state
		}
		t.Features[x].CoveredBy = map[string]float64{}
		byColl := map[string][]orb.Geometry{}
		// the workers appended in any order: sort for a reproducible union
		sort.Slice(pieces[x], func(i, j int) bool { return pieces[x][i].other < pieces[x][j].other })
		for _, pc := range pieces[x] {
			name := refs[pc.other].coll.Name
			byColl[name] = append(byColl[name], pc.geom)
		}
		for _, name := range collections {
			if name == refs[x].coll.Name {
				continue
			}
			area, err := unionAreaKm2(byColl[name])
			if err != nil {
				return nil, fmt.Errorf("geo: compare: %s:%s covered by %s: %w", refs[x].coll.Name, t.Features[x].ID, name, err)
			}
			share := 0.0
			if whole := refs[x].coll.areaKm2[refs[x].i]; whole > 0 {
				share = math.Min(1, area/whole)
			}
			t.Features[x].CoveredBy[name] = round(share, 6)
		}
	}
	return t, nil
}

// overlapOf is the area of a ∩ b and the intersection itself. Disjoint
// bounds cost nothing; boundaries that do not cross mean nested or apart,
// decided by one vertex per ring; only crossing boundaries pay for the
// overlay, on the parts and holes that meet the common bounding box.
func overlapOf(a orb.Geometry, pa *prepared, areaA float64, b orb.Geometry, pb *prepared, areaB float64) (float64, orb.Geometry, error) {
	common, ok := intersectBounds(pa.bound, pb.bound)
	if !ok {
		return 0, nil, nil
	}
	if !pa.crosses(pb) {
		aInB, bInA := false, false
		for _, v := range pa.firstVertex {
			aInB = aInB || pb.contains(v)
		}
		for _, v := range pb.firstVertex {
			bInA = bInA || pa.contains(v)
		}
		switch {
		case !aInB && !bInA:
			return 0, nil, nil
		case aInB && !bInA:
			return partsInside(a, pb)
		case bInA && !aInB:
			return partsInside(b, pa)
		}
		// nested both ways (a part inside a hole inside a part): overlay
	}
	sa, err := toGeom(trimToBound(a, common))
	if err != nil {
		return 0, nil, err
	}
	sb, err := toGeom(trimToBound(b, common))
	if err != nil {
		return 0, nil, err
	}
	res, err := safeIntersection(sa, sb)
	if err != nil {
		return 0, nil, err
	}
	parts := sfconv.PolygonalParts(sfconv.FromSF(res))
	return AreaKm2(parts), parts, nil
}

// partsInside keeps the polygons of f whose shell lies inside g (no
// boundary crossing: whole parts are in or out).
func partsInside(f orb.Geometry, g *prepared) (float64, orb.Geometry, error) {
	var out orb.MultiPolygon
	var walk func(orb.Geometry)
	walk = func(f orb.Geometry) {
		switch t := f.(type) {
		case orb.Polygon:
			if len(t) > 0 && len(t[0]) > 0 && g.contains(t[0][0]) {
				out = append(out, t)
			}
		case orb.MultiPolygon:
			for _, p := range t {
				walk(p)
			}
		}
	}
	walk(f)
	return AreaKm2(out), out, nil
}

func safeIntersection(a, b geom.Geometry) (res geom.Geometry, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("overlay failed: %v", r)
		}
	}()
	return geom.Intersection(a, b)
}

// unionAreaKm2 is the area of the union of polygonal pieces (which may
// overlap: two clusters share 邯郸).
func unionAreaKm2(pieces []orb.Geometry) (area float64, err error) {
	switch len(pieces) {
	case 0:
		return 0, nil
	case 1:
		return AreaKm2(pieces[0]), nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("union failed: %v", r)
		}
	}()
	sf := make([]geom.Geometry, 0, len(pieces))
	for _, p := range pieces {
		g, err := toGeom(p)
		if err != nil {
			return 0, err
		}
		sf = append(sf, g)
	}
	u, err := geom.UnionMany(sf)
	if err != nil {
		return 0, err
	}
	return AreaKm2(sfconv.PolygonalParts(sfconv.FromSF(u))), nil
}

func intersectBounds(a, b orb.Bound) (orb.Bound, bool) {
	if !a.Intersects(b) {
		return orb.Bound{}, false
	}
	return orb.Bound{
		Min: orb.Point{math.Max(a.Min[0], b.Min[0]), math.Max(a.Min[1], b.Min[1])},
		Max: orb.Point{math.Min(a.Max[0], b.Max[0]), math.Min(a.Max[1], b.Max[1])},
	}, true
}

// featureLabel reads the label property ([lon, lat], a point inside).
func featureLabel(f *data.Feature) (orb.Point, bool) {
	list, ok := f.Properties["label"].([]any)
	if !ok || len(list) != 2 {
		return orb.Point{}, false
	}
	lon, ok1 := list[0].(float64)
	lat, ok2 := list[1].(float64)
	return orb.Point{lon, lat}, ok1 && ok2
}

func ptr(v float64) *float64 { return &v }

func round(v float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(v*p) / p
}
