package geo

import (
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/paulmach/orb"
)

func TestQueryIntersects(t *testing.T) {
	square := orb.Polygon{{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}}
	holed := orb.Polygon{{{20, 0}, {30, 0}, {30, 10}, {20, 10}, {20, 0}}, {{22, 2}, {28, 2}, {28, 8}, {22, 8}, {22, 2}}}
	line := orb.LineString{{40, 0}, {50, 10}}
	c, err := newCollection("t", []data.Feature{
		{ID: "square", Geometry: square},
		{ID: "holed", Geometry: holed},
		{ID: "line", Geometry: line},
		{ID: "none"},
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		g    orb.Geometry
		want []bool // square, holed, line, none
	}{
		{"point inside square", orb.Point{5, 5}, []bool{true, false, false, false}},
		{"point on square edge", orb.Point{10, 5}, []bool{true, false, false, false}},
		{"point in the hole", orb.Point{25, 5}, []bool{false, false, false, false}},
		{"point on the line", orb.Point{45, 5}, []bool{false, false, true, false}},
		{"box inside square", orb.Bound{Min: orb.Point{1, 1}, Max: orb.Point{2, 2}}, []bool{true, false, false, false}},
		{"box covering all", orb.Bound{Min: orb.Point{-1, -1}, Max: orb.Point{60, 60}}, []bool{true, true, true, false}},
		{"polygon in the hole", orb.Polygon{{{23, 3}, {24, 3}, {24, 4}, {23, 3}}}, []bool{false, false, false, false}},
		{"line crossing the line", orb.LineString{{40, 10}, {50, 0}}, []bool{false, false, true, false}},
		{"line across two", orb.LineString{{5, 5}, {25, 1}}, []bool{true, true, false, false}},
		{"far away", orb.Point{100, 50}, []bool{false, false, false, false}},
		{"multipoint", orb.MultiPoint{{100, 50}, {21, 1}}, []bool{false, true, false, false}},
	}
	for _, tc := range cases {
		q := PrepareQuery(tc.g)
		for i, want := range tc.want {
			if got := c.Intersects(i, q); got != want {
				t.Errorf("%s: feature %s: got %v, want %v", tc.name, c.Features[i].ID, got, want)
			}
		}
	}
	if c.Intersects(99, PrepareQuery(orb.Point{5, 5})) || c.Intersects(0, nil) {
		t.Errorf("out-of-range or nil query must not match")
	}
}

func TestGeometryIntersects(t *testing.T) {
	q := PrepareQuery(orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}})
	if !GeometryIntersects(orb.LineString{{-1, 0.5}, {2, 0.5}}, q) {
		t.Errorf("a line across the box must intersect")
	}
	if GeometryIntersects(orb.LineString{{-1, 2}, {2, 2}}, q) || GeometryIntersects(nil, q) {
		t.Errorf("a line above the box or nil must not intersect")
	}
}
