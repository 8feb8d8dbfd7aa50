package api

import (
	"bytes"
	"encoding/json"
	"github.com/clusteratlas/clusteratlas/geo"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseBBox(t *testing.T) {
	b, p := parseBBox("170,-10,-170,10")
	if p != nil || len(b.Bounds()) != 2 {
		t.Fatalf("antimeridian box: %v %v", b, p)
	}
	if b, p := parseBBox(" 1, 2 ,3,4"); p != nil || b != (BBox{1, 2, 3, 4}) {
		t.Errorf("spaces: %v %v", b, p)
	}
	if b, p := parseBBox("1,2,-5,3,4,5"); p != nil || b != (BBox{1, 2, 3, 4}) {
		t.Errorf("6 numbers: %v %v", b, p)
	}
	for _, bad := range []string{"", "1", "1,2,3", "1,2,3,4,5", "1,2,3,4,5,6,7", "x,1,2,3", "1,3,2,2", "0,0,181,1", "1,2,3,Inf", "1,2,9,3,4,5"} {
		if _, p := parseBBox(bad); p == nil || p.Parameter != "bbox" {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseDatetime(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	ti, p := parseDatetime("2018-02-12")
	if p != nil || !ti.Start.Equal(d("2018-02-12T00:00:00Z")) || !ti.End.After(d("2018-02-12T23:59:59Z")) {
		t.Errorf("date: %+v %v", ti, p)
	}
	ti, p = parseDatetime("2018-02-12T23:20:50+08:00")
	if p != nil || !ti.Start.Equal(d("2018-02-12T15:20:50Z")) || ti.Start != ti.End {
		t.Errorf("date-time: %+v %v", ti, p)
	}
	ti, p = parseDatetime("../2018-03-18T12:31:12Z")
	if p != nil || !ti.OpenStart || ti.OpenEnd {
		t.Errorf("open start: %+v %v", ti, p)
	}
	ti, _ = parseDatetime("2016-01-01/")
	from, to := yearSpan(2016)
	if !ti.OpenEnd || !ti.Overlaps(from, to) {
		t.Errorf("open end %+v", ti)
	}
	if from, to := yearSpan(2015); ti.Overlaps(from, to) {
		t.Error("2016/.. overlaps 2015")
	}
	for _, bad := range []string{"", "218", "2018-02-30", "2018/20190", "2019-01-01/2018-01-01", "2018-01-01/2019-01-01/2020-01-01", "12:00"} {
		if _, p := parseDatetime(bad); p == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseNumbers(t *testing.T) {
	if v, p := parseFloatIn("lon", "-180", -180, 180); p != nil || v != -180 {
		t.Error("lon -180")
	}
	for _, bad := range []string{"", " ", "NaN", "inf", "-Inf", "1e999", "0x", "1,5", "180.0001"} {
		if _, p := parseFloatIn("lon", bad, -180, 180); p == nil {
			t.Errorf("lon %q accepted", bad)
		}
	}
	if _, p := parseInt("limit", "0", 1, math.MaxInt); p == nil || !strings.Contains(p.Detail, "at least 1") {
		t.Errorf("limit 0: %v", p)
	}
	if _, p := parseInt("k", "99999999999999999999", 1, 10); p == nil {
		t.Error("overflow accepted")
	}
}

func TestNegotiate(t *testing.T) {
	offers := []string{mediaGeoJSON, mediaJSON, mediaHTML}
	cases := map[string]string{
		"":                                   mediaGeoJSON,
		"*/*":                                mediaGeoJSON,
		"text/html":                          mediaHTML,
		"text/*":                             mediaHTML,
		"application/json;q=0.9, text/html":  mediaHTML,
		"application/json, text/html;q=0.9":  mediaJSON,
		"text/html;q=0, */*;q=0.1":           mediaGeoJSON,
		"image/png":                          "",
		"garbage":                            mediaGeoJSON,
		"application/geo+json;profile=x;q=1": mediaGeoJSON,
	}
	for accept, want := range cases {
		if got := negotiate(accept, offers); got != want {
			t.Errorf("Accept %q: %q, want %q", accept, got, want)
		}
	}
}

func TestParseGeometryBody(t *testing.T) {
	g, p := parseGeometryBody([]byte(`{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]},"properties":null}`), 100)
	if p != nil || g.GeoJSONType() != "MultiPolygon" {
		t.Errorf("feature body: %v %v", g, p)
	}
	if _, p := parseGeometryBody([]byte(`{"type":"MultiPoint","coordinates":[[0,0],[1,1],[2,2]]}`), 2); p == nil || p.Type != problemTooManyVertices {
		t.Errorf("vertex limit: %v", p)
	}
}

func FuzzParseBBox(f *testing.F) {
	for _, s := range []string{"1,2,3,4", "170,-10,-170,10", "1,2,0,3,4,5", "a,b", "", "1,,2,3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		b, p := parseBBox(raw)
		if p != nil {
			if p.Status != 400 || p.Parameter != "bbox" {
				t.Fatalf("bad problem %+v", p)
			}
			return
		}
		if b.South > b.North || b.West < -180 || b.East > 180 || math.IsNaN(b.West) {
			t.Fatalf("accepted invalid box %+v from %q", b, raw)
		}
		for _, part := range b.Bounds() {
			if part.Min[0] > part.Max[0] || part.Min[1] > part.Max[1] {
				t.Fatalf("split part inverted: %+v", part)
			}
		}
	})
}

func FuzzParseDatetime(f *testing.F) {
	for _, s := range []string{"2018-02-12", "2018-02-12T23:20:50Z", "../2018-01-01", "2018-01-01/..", "/", "../..", "x/y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		ti, p := parseDatetime(raw)
		if p != nil {
			if p.Parameter != "datetime" || !utf8.ValidString(p.Detail) {
				t.Fatalf("bad problem %+v", p)
			}
			return
		}
		if !ti.OpenStart && !ti.OpenEnd && ti.End.Before(ti.Start) {
			t.Fatalf("accepted inverted interval %q", raw)
		}
	})
}

func FuzzParseNumbers(f *testing.F) {
	for _, s := range []string{"1", "-180", "1e3", "NaN", "0x1p-2", " 7 ", "9999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if v, p := parseFloatIn("lon", raw, -180, 180); p == nil && (v < -180 || v > 180 || math.IsNaN(v)) {
			t.Fatalf("lon %q → %v", raw, v)
		}
		if v, p := parseInt("limit", raw, 1, math.MaxInt); p == nil && v < 1 {
			t.Fatalf("limit %q → %v", raw, v)
		}
		_, _ = parseBool("geometry", raw)
		_ = negotiate(raw, []string{mediaJSON, mediaHTML})
		_, _ = parseList("ids", raw)
	})
}

func FuzzParseGeometryBody(f *testing.F) {
	for _, s := range []string{
		`{"type":"Point","coordinates":[1,2]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`,
		`{"type":"Feature","geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}`,
		`{"type":"MultiPolygon","coordinates":[[[]]]}`,
		`{"type":"Polygon","coordinates":[[]]}`,
		`{"type":"Feature","geometry":{"type":"GeometryCollection","geometries":[]}}`,
		`{"type":"Point","coordinates":[]}`, `null`, `{}`, `[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		g, p := parseGeometryBody(body, 1000)
		if p != nil {
			if p.Status != 400 {
				t.Fatalf("status %d", p.Status)
			}
			return
		}
		if g == nil || geo.Vertices(g) > 1000 || checkGeometry(g) != nil {
			t.Fatalf("accepted %q", body)
		}
		_ = appendGeometry(nil, g, 3)
	})
}

// appendJSONString must agree with encoding/json on what a JSON parser reads.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "京津冀", "a\"b\\c", "\x00\x1f\n\t", "\xff\xfe", "<&>", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got string
		if err := json.Unmarshal(appendJSONString(nil, s), &got); err != nil {
			t.Fatalf("%q: not JSON: %v", s, err)
		}
		var want string
		ref, _ := json.Marshal(s)
		_ = json.Unmarshal(ref, &want)
		if got != want {
			t.Fatalf("%q: decoded %q, want %q", s, got, want)
		}
	})
}

// parsePlainDecimal must agree bit for bit with strconv.ParseFloat wherever
// it answers, and answer the usual coordinate forms.
func FuzzParsePlainDecimal(f *testing.F) {
	for _, s := range []string{"118.8", "-33.865143", "0.05", "+5", "-0", ".5", "1.", "007.50", "123456789012345", "1234567890123456",
		"0.0000000000000000000001", "1e5", "0x1p3", "inf", "", ".", "-", "1.2.3", "9007199254740993"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := parsePlainDecimal(s)
		if !ok {
			return
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("parsePlainDecimal(%q) = %v, but ParseFloat fails: %v", s, v, err)
		}
		if math.Float64bits(v) != math.Float64bits(want) {
			t.Fatalf("parsePlainDecimal(%q) = %v, ParseFloat %v", s, v, want)
		}
	})
}

func TestParsePlainDecimalTakesCoordinates(t *testing.T) {
	for _, s := range []string{"118.8", "-33.865143", "32.05", "0", "180", "-90.000000", "116.39747", "+0.5"} {
		if _, ok := parsePlainDecimal(s); !ok {
			t.Errorf("%q left to strconv", s)
		}
	}
	for _, s := range []string{"1e5", "1_0", "0x10", "NaN", "1234567890.1234567", " 1"} {
		if _, ok := parsePlainDecimal(s); ok {
			t.Errorf("%q taken by the plain path", s)
		}
	}
}

// appendShortest gives AppendFloat's text whether or not it takes the raw
// text as is.
func FuzzAppendShortest(f *testing.F) {
	for _, s := range []string{"118.8", "-33.865143", "0.05", "32", "-0", "0", "007.5", "7.50", "1.", ".5", "+1",
		"123456789012345", "1234567890123456", "0.000000000000000000000001", "100", "1e2", "-0.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			if canonicalDecimal(s) {
				t.Fatalf("%q is canonical but does not parse", s)
			}
			return
		}
		want := strconv.AppendFloat(nil, v, 'f', -1, 64)
		if got := appendShortest(nil, s, v); !bytes.Equal(got, want) {
			t.Fatalf("appendShortest(%q) = %s, AppendFloat %s", s, got, want)
		}
	})
}

func TestCanonicalDecimalTakesUsualCoordinates(t *testing.T) {
	for _, s := range []string{"118.8", "-33.865143", "32.05", "0", "180", "116.39747", "0.5"} {
		if !canonicalDecimal(s) {
			t.Errorf("%q formatted again", s)
		}
	}
	for _, s := range []string{"+0.5", "32.050", "032.05", ".5", "1.", "1e5", "1234567890.1234567"} {
		if canonicalDecimal(s) {
			t.Errorf("%q taken as canonical", s)
		}
	}
}
