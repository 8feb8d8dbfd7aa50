package sfconv

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"
)

func TestRoundTrip(t *testing.T) {
	poly := orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}, {{1, 1}, {1, 2}, {2, 2}, {2, 1}, {1, 1}}}
	for _, g := range []orb.Geometry{orb.Point{1, 2}, orb.LineString{{0, 0}, {1, 1}}, poly, orb.MultiPolygon{poly}} {
		sg, err := ToSF(g)
		if err != nil {
			t.Fatal(err)
		}
		back := FromSF(sg).(orb.Collection)
		if len(back) == 0 || back[0].GeoJSONType() == "" {
			t.Errorf("%T: round trip gave %v", g, back)
		}
	}
	if got := PolygonalParts(FromSF(mustSF(t, poly))); len(got) != 1 || len(got[0]) != 2 || !orb.Equal(got[0], poly) {
		t.Errorf("polygon round trip: %v", got)
	}
	if _, err := ToSF(orb.Bound{}); err == nil {
		t.Error("a Bound is not a geometry simplefeatures takes")
	}
}

func mustSF(t *testing.T, g orb.Geometry) geom.Geometry {
	t.Helper()
	sg, err := ToSF(g)
	if err != nil {
		t.Fatal(err)
	}
	return sg
}

func TestValidatePolygonal(t *testing.T) {
	valid := orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}}
	if err := ValidatePolygonal(valid); err != nil {
		t.Errorf("valid square: %v", err)
	}
	for name, c := range map[string]struct {
		g    orb.Geometry
		want string
	}{
		"bow-tie":       {orb.Polygon{{{0, 0}, {4, 4}, {4, 0}, {0, 4}, {0, 0}}}, "not simple"},
		"short ring":    {orb.Polygon{{{0, 0}, {1, 0}, {0, 0}}}, "at least 4"},
		"hole outside":  {orb.Polygon{valid[0], {{5, 5}, {5, 6}, {6, 6}, {6, 5}, {5, 5}}}, ""},
		"overlap":       {orb.MultiPolygon{valid, {{{2, 2}, {6, 2}, {6, 6}, {2, 6}, {2, 2}}}}, ""},
		"not a polygon": {orb.LineString{{0, 0}, {1, 1}}, "not a Polygon"},
	} {
		err := ValidatePolygonal(c.g)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error mentioning %q", name, err, c.want)
		}
	}
}
