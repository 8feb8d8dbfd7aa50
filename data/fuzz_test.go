package data

import (
	"testing"
	"testing/fstest"
)

// FuzzCheck feeds arbitrary bytes as a collection file: Check must report,
// never panic.
func FuzzCheck(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","properties":{},"geometry":{"type":"Polygon","coordinates":[[[110,30],[111,30],[111,31],[110,30]]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"clusters":[{"id":1}]},"geometry":{"type":"MultiPolygon","coordinates":[[[[1,2]]]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":7,"geometry":{"type":"LineString","coordinates":[[1e308,-1e308]]}}]}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, b []byte) {
		empty := []byte(`{"type":"FeatureCollection","features":[]}`)
		fsys := fstest.MapFS{
			"clusters.geojson":       {Data: b},
			"cities.geojson":         {Data: b},
			"transfer-zones.geojson": {Data: empty},
			"flows.geojson":          {Data: b},
			"manifest.json":          {Data: b},
		}
		for _, p := range Check(fsys) {
			if p.File == "" || p.Rule == "" {
				t.Fatalf("problem without file or rule: %+v", p)
			}
		}
	})
}
