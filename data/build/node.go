package build

import "sort"

// nodeRings splits every edge at each vertex of the set that lies exactly
// inside it. Outlines drawn on the same grid often meet in T-junctions (one
// side of a border has a vertex the other lacks); after noding both sides
// are made of the same edges, so they cancel exactly in dissolve. The test
// is exact integer arithmetic: nothing moves.
func nodeRings(rings []Ring) ([]Ring, int) {
	byX := map[int][]int{} // x -> sorted ys of vertices
	for _, r := range rings {
		for _, p := range r {
			byX[p[0]] = append(byX[p[0]], p[1])
		}
	}
	for x, ys := range byX {
		sort.Ints(ys)
		byX[x] = uniqueInts(ys)
	}
	inserted := 0
	out := make([]Ring, len(rings))
	for i, r := range rings {
		var nr Ring
		for k := range r {
			a, b := r[k], r[(k+1)%len(r)]
			nr = append(nr, a)
			mids := pointsInside(byX, a, b)
			inserted += len(mids)
			nr = append(nr, mids...)
		}
		out[i] = nr
	}
	return out, inserted
}

// pointsInside returns the indexed vertices strictly inside segment a-b,
// ordered from a to b.
func pointsInside(byX map[int][]int, a, b GridPoint) []GridPoint {
	x0, x1 := min(a[0], b[0]), max(a[0], b[0])
	y0, y1 := min(a[1], b[1]), max(a[1], b[1])
	if x1-x0 <= 1 && y1-y0 <= 1 {
		return nil // no grid point lies strictly inside a unit step
	}
	var found []GridPoint
	dx, dy := int64(b[0]-a[0]), int64(b[1]-a[1])
	for x := x0; x <= x1; x++ {
		ys, ok := byX[x]
		if !ok {
			continue
		}
		i := sort.SearchInts(ys, y0)
		for ; i < len(ys) && ys[i] <= y1; i++ {
			p := GridPoint{x, ys[i]}
			if p == a || p == b {
				continue
			}
			if dx*int64(p[1]-a[1])-dy*int64(p[0]-a[0]) == 0 {
				found = append(found, p)
			}
		}
	}
	if len(found) > 1 {
		sort.Slice(found, func(i, j int) bool {
			di := abs64(int64(found[i][0]-a[0])) + abs64(int64(found[i][1]-a[1]))
			dj := abs64(int64(found[j][0]-a[0])) + abs64(int64(found[j][1]-a[1]))
			return di < dj
		})
	}
	return found
}

func uniqueInts(s []int) []int {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
