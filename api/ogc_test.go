package api

import (
	"github.com/clusteratlas/clusteratlas/data"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

func TestLandingPage(t *testing.T) {
	s := newTestServer(t, Config{})
	r := get(t, s, "/")
	wantStatus(t, r, 200)
	doc := r.json(t)
	links := doc["links"].([]any)
	want := map[string]string{"service-desc": mediaOpenAPI, "service-doc": mediaHTML, "conformance": mediaJSON, "data": mediaJSON, "self": mediaJSON, "alternate": mediaHTML}
	for rel, typ := range want {
		found := false
		for _, l := range links {
			m := l.(map[string]any)
			if m["rel"] == rel && m["type"] == typ {
				found = true
			}
		}
		if !found {
			t.Errorf("landing page lacks link rel=%s type=%s", rel, typ)
		}
	}
	html := get(t, s, "/?f=html")
	wantStatus(t, html, 200)
	if !strings.HasPrefix(html.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(html.Body), "<html") {
		t.Errorf("f=html: %s", html.Header.Get("Content-Type"))
	}
}

func TestConformance(t *testing.T) {
	s := newTestServer(t, Config{})
	doc := get(t, s, "/conformance").json(t)
	got := doc["conformsTo"].([]any)
	have := map[string]bool{}
	part1 := 0
	for _, c := range got {
		have[c.(string)] = true
		if !strings.HasPrefix(c.(string), "http://www.opengis.net/spec/") {
			t.Errorf("unexpected class %v", c)
		}
		if strings.HasPrefix(c.(string), "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/") {
			part1++
		}
	}
	if part1 != 4 {
		t.Fatalf("want the 4 Part 1 classes (core, geojson, html, oas30), conformsTo %v", got)
	}
	for _, want := range []string{"1/1.0/conf/core", "1/1.0/conf/geojson", "1/1.0/conf/html", "1/1.0/conf/oas30", "2/1.0/conf/crs"} {
		if !have["http://www.opengis.net/spec/ogcapi-features-"+want] {
			t.Errorf("conformsTo lacks ogcapi-features-%s: %v", want, got)
		}
	}
	wantStatus(t, get(t, s, "/conformance", "Accept", "text/html"), 200)
}

func TestCollections(t *testing.T) {
	s := newTestServer(t, Config{})
	doc := get(t, s, "/collections").json(t)
	colls := doc["collections"].([]any)
	if len(colls) != len(data.CollectionNames) {
		t.Fatalf("%d collections, want %d", len(colls), len(data.CollectionNames))
	}
	byID := map[string]map[string]any{}
	for _, c := range colls {
		m := c.(map[string]any)
		byID[m["id"].(string)] = m
	}
	cities := byID["cities"]["extent"].(map[string]any)["spatial"].(map[string]any)
	bbox := cities["bbox"].([]any)[0].([]any)
	if bbox[0].(float64) != -180 || bbox[2].(float64) != 180 || cities["crs"] != crs84 {
		t.Errorf("cities extent %v", cities)
	}
	for id, wantTemporal := range map[string]bool{"clusters": true, "cities": false, "transfer-zones": true, "flows": true} {
		_, has := byID[id]["extent"].(map[string]any)["temporal"]
		if has != wantTemporal {
			t.Errorf("%s: temporal extent present=%v, want %v", id, has, wantTemporal)
		}
	}
	flowsTime := byID["flows"]["extent"].(map[string]any)["temporal"].(map[string]any)["interval"].([]any)[0].([]any)
	if flowsTime[0] != "2014-01-01T00:00:00Z" || flowsTime[1] != "2020-12-31T23:59:59Z" {
		t.Errorf("flows temporal %v", flowsTime)
	}
	one := get(t, s, "/collections/flows")
	wantStatus(t, one, 200)
	if one.json(t)["id"] != "flows" || linkHref(one.json(t), "items") == "" {
		t.Errorf("collection doc %s", one.Body)
	}
	wantProblem(t, get(t, s, "/collections/nope"), 404, "collectionId")
	wantProblem(t, get(t, s, "/collections/nope/items"), 404, "collectionId")
	wantStatus(t, get(t, s, "/collections?f=html"), 200)
	wantStatus(t, get(t, s, "/collections/clusters?f=html"), 200)
}

// relPath turns an absolute link into the path+query app.Test wants.
func relPath(t *testing.T, href string) string {
	t.Helper()
	u, err := url.Parse(href)
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

func allIDs(s *Server, collection string) []string {
	coll, _ := s.State().Atlas.Collection(collection)
	var ids []string
	for _, f := range coll.Features {
		ids = append(ids, f.ID)
	}
	return ids
}

// walk follows next links from start to the end, checking every page's
// counts, and returns the ids in order.
func walk(t *testing.T, s *Server, start string) (ids []string, pages int) {
	t.Helper()
	next := start
	for next != "" {
		pages++
		if pages > 100 {
			t.Fatal("paging does not end")
		}
		r := get(t, s, next)
		wantStatus(t, r, 200)
		fc := r.json(t)
		page := featureIDs(t, fc)
		if int(fc["numberReturned"].(float64)) != len(page) {
			t.Errorf("numberReturned %v != %d features", fc["numberReturned"], len(page))
		}
		if _, ok := fc["timeStamp"].(string); !ok {
			t.Error("no timeStamp")
		}
		ids = append(ids, page...)
		next = ""
		if href := linkHref(fc, "next"); href != "" {
			next = relPath(t, href)
		}
	}
	return ids, pages
}

func TestItemsPagingWalksToTheEnd(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, coll := range []string{"clusters", "cities", "transfer-zones", "flows"} {
		for _, limit := range []int{1, 3, 7, 100} {
			ids, pages := walk(t, s, "/collections/"+coll+"/items?limit="+strconv.Itoa(limit))
			want := allIDs(s, coll)
			if !slices.Equal(ids, want) {
				t.Errorf("%s limit %d: walked %v, want %v", coll, limit, ids, want)
			}
			if wantPages := max(1, (len(want)+limit-1)/limit); pages != wantPages {
				t.Errorf("%s limit %d: %d pages, want %d", coll, limit, pages, wantPages)
			}
		}
	}
}

func TestItemsLinksCarryEveryParameter(t *testing.T) {
	s := newTestServer(t, Config{})
	r := get(t, s, "/collections/cities/items?limit=2&offset=2&bbox=100,20,120,45&precision=3&properties=name_zh&zoom=4")
	wantStatus(t, r, 200)
	fc := r.json(t)
	for _, rel := range []string{"self", "alternate", "next", "prev"} {
		href := linkHref(fc, rel)
		if href == "" {
			t.Fatalf("no %s link", rel)
		}
		q, _ := url.ParseQuery(strings.SplitN(href, "?", 2)[1])
		for _, p := range []string{"limit", "bbox", "precision", "properties", "zoom", "f"} {
			if q.Get(p) == "" {
				t.Errorf("%s link %s lacks %s", rel, href, p)
			}
		}
	}
	if q, _ := url.ParseQuery(strings.SplitN(linkHref(fc, "prev"), "?", 2)[1]); q.Get("offset") != "0" {
		t.Errorf("prev offset %q", q.Get("offset"))
	}
	if q, _ := url.ParseQuery(strings.SplitN(linkHref(fc, "next"), "?", 2)[1]); q.Get("offset") != "4" {
		t.Errorf("next offset %q", q.Get("offset"))
	}
	if fc["numberMatched"].(float64) != 6 {
		t.Errorf("numberMatched %v (bbox 100,20,120,45 holds 6 cities)", fc["numberMatched"])
	}
}

func TestItemsPrevLinksWalkBack(t *testing.T) {
	s := newTestServer(t, Config{})
	// Start from the last page and go back to the first with prev links.
	next := "/collections/cities/items?limit=3&offset=6"
	var seen []string
	for next != "" {
		fc := get(t, s, next).json(t)
		seen = append(featureIDs(t, fc), seen...)
		next = ""
		if href := linkHref(fc, "prev"); href != "" {
			next = relPath(t, href)
		}
	}
	if !slices.Equal(seen, allIDs(s, "cities")) {
		t.Errorf("prev walk %v", seen)
	}
}

func TestItemsLimitAboveMaximum(t *testing.T) {
	s := newTestServer(t, Config{MaxLimit: 3})
	fc := get(t, s, "/collections/cities/items?limit=5000").json(t)
	if fc["numberReturned"].(float64) != 3 || linkHref(fc, "next") == "" {
		t.Fatalf("limit above max: returned %v, next %q", fc["numberReturned"], linkHref(fc, "next"))
	}
	ids, _ := walk(t, s, "/collections/cities/items?limit=5000")
	if !slices.Equal(ids, allIDs(s, "cities")) {
		t.Errorf("walk with limit above max: %v", ids)
	}
	// The default maximum with the real default limit.
	d := newTestServer(t, Config{})
	if fc := get(t, d, "/collections/cities/items?limit=100000").json(t); fc["numberReturned"].(float64) != 8 {
		t.Errorf("returned %v", fc["numberReturned"])
	}
}

func TestItemsOffsetBeyondEnd(t *testing.T) {
	s := newTestServer(t, Config{})
	fc := get(t, s, "/collections/cities/items?offset=50").json(t)
	if fc["numberReturned"].(float64) != 0 || fc["numberMatched"].(float64) != 8 || linkHref(fc, "next") != "" {
		t.Errorf("offset beyond end: %v", fc)
	}
}

func TestItemsBBox(t *testing.T) {
	s := newTestServer(t, Config{})
	cases := []struct {
		bbox string
		want []string
	}{
		{"114.2,36.2,114.8,36.8", []string{"130400"}},
		{"113.5,34.5,114.5,36.5", []string{"130400", "410100"}},
		{"179,49,-179,52", []string{"710001", "710002"}}, // crosses the antimeridian
		{"114.2,36.2,0,114.8,36.8,100", []string{"130400"}},
		{"0,0,1,1", []string{}},
	}
	for _, c := range cases {
		fc := get(t, s, "/collections/cities/items?bbox="+c.bbox).json(t)
		got := featureIDs(t, fc)
		sort.Strings(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("bbox %s: %v, want %v", c.bbox, got, c.want)
		}
	}
	for _, bad := range []string{"1,2,3", "1,2,3,4,5", "a,2,3,4", "114,37,115,36", "-181,0,0,1", "0,-91,1,0", "0,0,1,1,1,0", "1,2,3,NaN", ""} {
		wantProblem(t, get(t, s, "/collections/cities/items?bbox="+url.QueryEscape(bad)), 400, "bbox")
	}
}

func TestItemsDatetime(t *testing.T) {
	s := newTestServer(t, Config{})
	cases := []struct {
		coll, dt string
		want     []string
	}{
		{"flows", "2014-06-01", []string{"jing-jin-ji-to-zone-a"}},
		{"flows", "2016-03-01T12:00:00Z", []string{"central-plains-to-middle-yangtze"}},
		{"flows", "2015-01-01/..", []string{"central-plains-to-middle-yangtze", "jing-jin-ji-to-overseas"}},
		{"flows", "../2015-12-31", []string{"jing-jin-ji-to-zone-a"}},
		{"flows", "/2014-01-01", []string{"jing-jin-ji-to-zone-a"}},
		{"flows", "2010-01-01/2013-12-31", []string{}},
		{"flows", "../..", []string{"jing-jin-ji-to-zone-a", "central-plains-to-middle-yangtze", "jing-jin-ji-to-overseas"}},
		{"transfer-zones", "2018-01-01/2019-01-01", []string{"zone-b"}},
		{"clusters", "2015-01-01", []string{}}, // plans dated 2015-03 and 2015-04: not that day
		{"cities", "2015-01-01", []string{}},   // no temporal property: matches nothing
	}
	for _, c := range cases {
		fc := get(t, s, "/collections/"+c.coll+"/items?datetime="+url.QueryEscape(c.dt)).json(t)
		if got := featureIDs(t, fc); !slices.Equal(got, c.want) {
			t.Errorf("%s datetime %s: %v, want %v", c.coll, c.dt, got, c.want)
		}
	}
	for _, bad := range []string{"201", "yesterday", "2014-13-01", "2016-01-01/2015-01-01", "a/b/c", "2014-01-01T00:00:00"} {
		wantProblem(t, get(t, s, "/collections/flows/items?datetime="+url.QueryEscape(bad)), 400, "datetime")
	}
}

func TestItemsPropertiesPrecisionZoom(t *testing.T) {
	s := newTestServer(t, Config{})
	fc := get(t, s, "/collections/clusters/items?properties=name_zh,tier&precision=0").json(t)
	f := fc["features"].([]any)[0].(map[string]any)
	props := f["properties"].(map[string]any)
	if len(props) != 2 || props["name_zh"] == nil || props["tier"] == nil {
		t.Errorf("properties filter: %v", props)
	}
	wantProblem(t, get(t, s, "/collections/clusters/items?properties=nope"), 400, "properties")
	wantProblem(t, get(t, s, "/collections/clusters/items?properties=a,,b"), 400, "properties")

	r := get(t, s, "/collections/zone-free/items")
	wantProblem(t, r, 404, "collectionId")
	prec := get(t, s, "/collections/transfer-zones/items?precision=0")
	if !strings.Contains(string(prec.Body), "[[[113,34],[114,34]") {
		t.Errorf("precision=0 did not round: %s", clipBody(prec.Body))
	}
	for _, bad := range []string{"-1", "11", "x", "1.5"} {
		wantProblem(t, get(t, s, "/collections/cities/items?precision="+bad), 400, "precision")
	}
	for z := 0; z <= MaxZoom; z++ {
		wantStatus(t, get(t, s, "/collections/cities/items?zoom="+strconv.Itoa(z)), 200)
	}
	for _, bad := range []string{"-1", "13", "z"} {
		wantProblem(t, get(t, s, "/collections/cities/items?zoom="+bad), 400, "zoom")
	}
	// zoom on flows (not simplified) serves the stored lines.
	wantStatus(t, get(t, s, "/collections/flows/items?zoom=3"), 200)
}

func TestItemsZoomBeforeLevelsIsUnavailable(t *testing.T) {
	st := *readyFixture(t)
	st.Levels = nil
	s := New(Config{Logger: quietLogger()}, &st)
	wantProblem(t, get(t, s, "/collections/cities/items?zoom=3"), 503, "zoom")
	wantStatus(t, get(t, s, "/collections/cities/items"), 200)
	wantProblem(t, get(t, s, "/readyz"), 503, "")
	wantStatus(t, get(t, s, "/healthz"), 200)
}

func TestItemsLimitAndOffsetRules(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, bad := range []string{"0", "-3", "ten", "1e3", ""} {
		wantProblem(t, get(t, s, "/collections/cities/items?limit="+bad), 400, "limit")
	}
	for _, bad := range []string{"-1", "x"} {
		wantProblem(t, get(t, s, "/collections/cities/items?offset="+bad), 400, "offset")
	}
}

func TestUnknownAndRepeatedParameters(t *testing.T) {
	s := newTestServer(t, Config{})
	p := wantProblem(t, get(t, s, "/collections/cities/items?colour=red"), 400, "colour")
	if p["type"] != problemUnknownParameter {
		t.Errorf("type %v", p["type"])
	}
	wantProblem(t, get(t, s, "/collections/cities/items?bbox-crs=x"), 400, "bbox-crs")
	wantProblem(t, get(t, s, "/?foo=1"), 400, "foo")
	wantProblem(t, get(t, s, "/locate?lon=1&lat=1&k=3"), 400, "k")
	wantProblem(t, get(t, s, "/collections/cities/items?limit=1&limit=2"), 400, "limit")
}

func TestItemFeature(t *testing.T) {
	s := newTestServer(t, Config{})
	r := get(t, s, "/collections/cities/items/130400")
	wantStatus(t, r, 200)
	if r.Header.Get("Content-Type") != mediaGeoJSON {
		t.Errorf("content type %q", r.Header.Get("Content-Type"))
	}
	f := r.json(t)
	if f["type"] != "Feature" || f["id"] != "130400" || linkHref(f, "collection") == "" || linkHref(f, "self") == "" {
		t.Errorf("feature %v", f)
	}
	props := get(t, s, "/collections/cities/items/130400?properties=name_zh&precision=1&zoom=5").json(t)["properties"].(map[string]any)
	if len(props) != 1 {
		t.Errorf("props %v", props)
	}
	nullGeom := get(t, s, "/collections/flows/items/east-to-jing-jin-ji").json(t)
	if nullGeom["geometry"] != nil {
		t.Errorf("flow without place should have null geometry: %v", nullGeom["geometry"])
	}
	wantProblem(t, get(t, s, "/collections/cities/items/999999"), 404, "featureId")
	wantProblem(t, get(t, s, "/collections/nope/items/1"), 404, "collectionId")
	html := get(t, s, "/collections/cities/items/130400", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	if !strings.Contains(string(html.Body), "邯郸市") {
		t.Errorf("html item lacks the name")
	}
}

func TestContentNegotiation(t *testing.T) {
	s := newTestServer(t, Config{})
	cases := []struct {
		target, accept, wantType string
	}{
		{"/collections/cities/items", "", mediaGeoJSON},
		{"/collections/cities/items", "application/geo+json", mediaGeoJSON},
		{"/collections/cities/items", "application/json", mediaJSON},
		{"/collections/cities/items", "text/html", "text/html; charset=utf-8"},
		{"/collections/cities/items", "text/html;q=0.5, application/geo+json", mediaGeoJSON},
		{"/collections/cities/items", "*/*", mediaGeoJSON},
		{"/collections/cities/items?f=json", "text/html", mediaGeoJSON},
		{"/collections/cities/items?f=html", "application/json", "text/html; charset=utf-8"},
		{"/collections", "text/html", "text/html; charset=utf-8"},
		{"/collections", "application/json", mediaJSON},
		{"/api", "application/vnd.oai.openapi+json;version=3.0", mediaOpenAPI},
		{"/api", "", mediaOpenAPI},
		{"/api?f=html", "", "text/html; charset=utf-8"},
		{"/compare?ids=jing-jin-ji", "text/csv", "text/csv; charset=utf-8"},
	}
	for _, c := range cases {
		r := get(t, s, c.target, "Accept", c.accept)
		wantStatus(t, r, 200)
		if got := r.Header.Get("Content-Type"); got != c.wantType {
			t.Errorf("%s Accept %q: %q, want %q", c.target, c.accept, got, c.wantType)
		}
	}
	wantProblem(t, get(t, s, "/collections/cities/items?f=xml"), 400, "f")
	wantProblem(t, get(t, s, "/collections/cities/items", "Accept", "image/png"), 406, "")
}
