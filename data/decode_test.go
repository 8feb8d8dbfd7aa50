package data

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/paulmach/orb"
)

// orbDecode is the reference: orb's own GeoJSON decoder.
func orbDecode(raw []byte) ([]Feature, error) { return decodeWithOrb(bytes.TrimSpace(raw)) }

// The fast decoder gives exactly what orb's decoder gives on the embedded
// collections that hold every geometry type there is (Polygon,
// MultiPolygon, LineString, null) and every property shape; the large
// cities, provinces, regions and country files add only more of the same
// and would double the package's time under -race.
func TestFastDecodeMatchesOrb(t *testing.T) {
	for _, name := range []string{Clusters, TransferZones, Flows, MetroAreas} {
		_, raw, err := ReadCollectionFile(embedded, name)
		if err != nil {
			t.Fatal(err)
		}
		fast, ok := decodeFast(raw)
		if !ok {
			t.Fatalf("%s: the fast decoder refused the embedded file", name)
		}
		want, err := orbDecode(raw)
		if err != nil {
			t.Fatal(err)
		}
		if len(fast) != len(want) {
			t.Fatalf("%s: %d features, orb %d", name, len(fast), len(want))
		}
		for i := range fast {
			if !reflect.DeepEqual(fast[i], want[i]) {
				t.Fatalf("%s feature %d (%s) differs from orb's decoding", name, i, want[i].ID)
			}
		}
	}
}

func TestFastDecodeShapes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want orb.Geometry
		ok   bool
	}{
		{`{"type":"LineString","coordinates":[[1,2],[3.5,-4e1,9]]}`, orb.LineString{{1, 2}, {3.5, -40}}, true},
		{`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`, orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, true},
		{`{"type":"MultiPolygon","coordinates":[]}`, orb.MultiPolygon{}, true},
		{`{"type":"Point","coordinates":[1,2]}`, orb.Point{1, 2}, true}, // through orb
		{`null`, nil, true},
		{`{"type":"Polygon","coordinates":[[[0]]]}`, nil, false},
		{`{"type":"Polygon","coordinates":[[0,0]]}`, nil, false},
		{`{"type":"LineString","coordinates":[["a",1]]}`, nil, false},
		{`{"type":"LineString","coordinates":[[1,2]] }`, orb.LineString{{1, 2}}, true},
	} {
		got, err := decodeGeometry([]byte(c.in))
		if (err == nil) != c.ok {
			t.Errorf("%s: error %v, want ok=%v", c.in, err, c.ok)
			continue
		}
		if c.ok && !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %#v, want %#v", c.in, got, c.want)
		}
	}
}

// FuzzFastDecode: never a panic, and whenever both decoders accept a
// collection they agree.
func FuzzFastDecode(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","properties":{},"geometry":{"type":"Polygon","coordinates":[[[110,30],[111,30],[111,31],[110,30]]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"x"},"geometry":{"type":"MultiPolygon","coordinates":[[[[1,2],[3,4,5]]]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":7,"geometry":{"type":"LineString","coordinates":[[1e308,-1e308]]}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fast, ok := decodeFast(b)
		want, err := orbDecode(b)
		if ok && err == nil && !reflect.DeepEqual(fast, want) {
			t.Fatalf("decoders disagree on %q", b)
		}
	})
}
