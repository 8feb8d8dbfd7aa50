package build

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

// encodeRing is the inverse of DecodeRing, written from echarts' own
// description of the format (zigzag, +64, delta from the previous point),
// so the test does not reuse the decoder's arithmetic.
func encodeRing(pts []GridPoint) (string, [2]int) {
	var units []uint16
	prev := pts[0]
	for _, p := range pts {
		for k := 0; k < 2; k++ {
			d := p[k] - prev[k]
			z := (d << 1) ^ (d >> 31)
			units = append(units, uint16(z+64))
		}
		prev = p
	}
	return string(utf16.Decode(units)), [2]int{pts[0][0], pts[0][1]}
}

func TestDecodeRingRoundTrip(t *testing.T) {
	pts := []GridPoint{{118237, 41556}, {118237, 41556}, {118300, 41500}, {100000, 40000}, {118237, 41556}}
	s, off := encodeRing(pts)
	got, err := DecodeRing(s, off)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(pts) {
		t.Fatalf("got %d points, want %d", len(got), len(pts))
	}
	for i := range pts {
		if got[i] != pts[i] {
			t.Errorf("point %d: got %v want %v", i, got[i], pts[i])
		}
	}
}

// "@@" is a zero step; "AA" is zigzag 1 = -1 on both axes; "BB" is +1.
func TestDecodeRingKnownCodes(t *testing.T) {
	got, err := DecodeRing("@@AABBBA", [2]int{10, 20})
	if err != nil {
		t.Fatal(err)
	}
	want := Ring{{10, 20}, {9, 19}, {10, 20}, {11, 19}}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v want %v", got, want)
		}
	}
}

func TestDecodeRingErrors(t *testing.T) {
	if _, err := DecodeRing("@@A", [2]int{0, 0}); err == nil || !strings.Contains(err.Error(), "odd") {
		t.Errorf("odd length: %v", err)
	}
	if _, err := DecodeRing("@!", [2]int{0, 0}); err == nil || !strings.Contains(err.Error(), "below 64") {
		t.Errorf("bad unit: %v", err)
	}
}

func TestDecodeRegisterMap(t *testing.T) {
	ring, off := encodeRing([]GridPoint{{0, 0}, {1024, 0}, {1024, 1024}, {0, 1024}})
	js := `(function(){echarts.registerMap('测试县', {"type":"FeatureCollection","features":[` +
		`{"type":"Feature","id":"110101","properties":{"name":"测试县"},"geometry":{"type":"Polygon","coordinates":["` + ring + `"],"encodeOffsets":[[` + itoa(off[0]) + `,` + itoa(off[1]) + `]]}},` +
		`{"type":"Feature","properties":{"name":"无码县"},"geometry":{"type":"MultiPolygon","coordinates":[["` + ring + `"]],"encodeOffsets":[[[` + itoa(off[0]) + `,` + itoa(off[1]) + `]]]}},` +
		`{"type":"Feature","id":"120119","properties":{"name":"空县"},"geometry":{"type":"Polygon","coordinates":[],"encodeOffsets":[]}}` +
		`],"UTF8Encoding":true});}));`
	name, feats, err := DecodeRegisterMap([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	if name != "测试县" || len(feats) != 3 {
		t.Fatalf("name %q, %d features", name, len(feats))
	}
	if feats[0].Code != "110101" || feats[1].Code != "" || feats[2].Code != "120119" {
		t.Errorf("codes %q %q %q", feats[0].Code, feats[1].Code, feats[2].Code)
	}
	if len(feats[0].Polygons) != 1 || feats[0].Polygons[0][0][2] != (GridPoint{1024, 1024}) {
		t.Errorf("polygon: %v", feats[0].Polygons)
	}
	if len(feats[1].Polygons) != 1 {
		t.Errorf("multipolygon: %v", feats[1].Polygons)
	}
	if len(feats[2].Polygons) != 0 {
		t.Errorf("empty geometry should decode to no polygons: %v", feats[2].Polygons)
	}
	for _, bad := range []string{`no map here`, `echarts.registerMap('x', {"features":[{"geometry":{"type":"Point","coordinates":["@@"],"encodeOffsets":[[0,0]]}}],"UTF8Encoding":true})`,
		`echarts.registerMap('x', {"features":[{"geometry":{"type":"Polygon","coordinates":["@@@@"],"encodeOffsets":[[0,0]]}}],"UTF8Encoding":false})`} {
		if _, _, err := DecodeRegisterMap([]byte(bad)); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func FuzzDecodeRegisterMap(f *testing.F) {
	ring, _ := encodeRing([]GridPoint{{0, 0}, {1024, 0}, {1024, 1024}})
	f.Add(`echarts.registerMap('a', {"features":[{"id":"110101","geometry":{"type":"Polygon","coordinates":["` + ring + `"],"encodeOffsets":[[0,0]]}}],"UTF8Encoding":true})`)
	f.Add(`echarts.registerMap("a", {})`)
	f.Fuzz(func(t *testing.T, js string) {
		DecodeRegisterMap([]byte(js)) // must not panic
	})
}
