package build

import "testing"

// FuzzParseTable: a malformed membership table is an error, never a panic.
func FuzzParseTable(f *testing.F) {
	f.Add([]byte(`{"clusters":[{"id":"a","members":[{"name":"x","code":"110000","whole":true}]}],"corridors":[{"id":"c","from":"a","to":"b"}],"places":[{"id":"b"}]}`))
	f.Add([]byte(`{"clusters":[{"id":""}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseTable(b)
	})
}

// FuzzBoundaries: a user's --boundaries file is validated feature by
// feature, never a panic.
func FuzzBoundaries(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"110101","name":"a"},"geometry":{"type":"Polygon","coordinates":[[[116,39],[117,39],[117,40],[116,39]]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":110101},"geometry":{"type":"MultiPolygon","coordinates":[]}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		counties, err := boundaryCounties("fuzz.geojson", b, "code", "name")
		if err != nil {
			return
		}
		for _, c := range counties {
			makeValid(c.Polygons) // the repair must cope with any rings
		}
	})
}
