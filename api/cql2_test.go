package api

import (
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// filterIDs runs an items query and returns the ids, sorted unless keep.
func filterIDs(t *testing.T, s *Server, coll string, q url.Values) []string {
	t.Helper()
	q.Set("limit", "1000")
	r := get(t, s, "/collections/"+coll+"/items?"+q.Encode())
	wantStatus(t, r, 200)
	ids := featureIDs(t, r.json(t))
	if q.Get("sortby") == "" {
		sort.Strings(ids)
	}
	return ids
}

func TestFilterCQL2TextAndJSON(t *testing.T) {
	s := newTestServer(t, Config{})
	cases := []struct {
		coll, text, json string
		want             []string
	}{
		{"clusters", "tier = 'national'", `{"op":"=","args":[{"property":"tier"},"national"]}`, []string{"jing-jin-ji", "middle-yangtze"}},
		{"clusters", "area_km2 > 15000", `{"op":">","args":[{"property":"area_km2"},15000]}`, []string{"central-plains", "jing-jin-ji"}},
		{"clusters", "tier='national' AND area_km2 < 20000", `{"op":"and","args":[{"op":"=","args":[{"property":"tier"},"national"]},{"op":"<","args":[{"property":"area_km2"},20000]}]}`, []string{"middle-yangtze"}},
		{"clusters", "tier = 'regional' OR confidence = 'high' AND area_km2 <= 10000", "", []string{"central-plains", "middle-yangtze"}}, // AND binds tighter
		{"clusters", "NOT tier = 'national'", `{"op":"not","args":[{"op":"=","args":[{"property":"tier"},"national"]}]}`, []string{"central-plains"}},
		{"clusters", "name_zh LIKE '%中%'", `{"op":"like","args":[{"property":"name_zh"},"%中%"]}`, []string{"central-plains", "middle-yangtze"}},
		{"clusters", "name_zh NOT LIKE '京_冀%'", "", []string{"central-plains", "middle-yangtze"}},
		{"clusters", "area_km2 BETWEEN 10000 AND 20000", `{"op":"between","args":[{"property":"area_km2"},10000,20000]}`, []string{"central-plains", "middle-yangtze"}},
		{"clusters", "id IN ('jing-jin-ji', 'nowhere')", `{"op":"in","args":[{"property":"id"},["jing-jin-ji","nowhere"]]}`, []string{"jing-jin-ji"}},
		{"clusters", "id NOT IN ('jing-jin-ji')", "", []string{"central-plains", "middle-yangtze"}},
		{"clusters", "plan_date >= DATE('2016-01-01')", `{"op":">=","args":[{"property":"plan_date"},{"date":"2016-01-01"}]}`, []string{"central-plains"}},
		// Flat fields are queryable: the cities of central-plains.
		{"cities", "cluster_ids LIKE '%central-plains%'", "", []string{"130400", "410100"}},
		// Null: zone-c has no approval year. Unknown stays unknown under NOT.
		{"transfer-zones", "approved IS NULL", `{"op":"isNull","args":[{"property":"approved"}]}`, []string{"zone-c"}},
		{"transfer-zones", "approved IS NOT NULL", "", []string{"zone-a", "zone-b"}},
		{"transfer-zones", "NOT approved > 2015", "", []string{"zone-a"}},
		// Spatial: a point in 邯郸 (114..115, 36..37) and boxes.
		{"cities", "S_INTERSECTS(geometry, POINT(114.5 36.5))", `{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":[114.5,36.5]}]}`, []string{"130400"}},
		{"clusters", "S_INTERSECTS(geometry, POINT(114.5 36.5))", "", []string{"central-plains", "jing-jin-ji"}},
		{"cities", "S_INTERSECTS(geometry, BBOX(179.9, 50.2, -179.9, 50.3))", `{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[179.9,50.2,-179.9,50.3]}]}`, []string{"710001", "710002"}},
		{"cities", "S_INTERSECTS(geometry, POLYGON((113.5 34.5, 114.5 34.5, 114.5 36.5, 113.5 36.5, 113.5 34.5)))", "", []string{"130400", "410100"}},
		{"cities", "s_intersects(geometry, LINESTRING(116.5 39.5, 117.5 39.5)) and province = '北京市'", "", []string{"110000"}},
		{"cities", "S_DISJOINT(geometry, BBOX(100, 20, 179, 45))", "", []string{"710001", "710002"}},
		{"clusters", "TRUE", "true", []string{"central-plains", "jing-jin-ji", "middle-yangtze"}},
		{"clusters", `"tier" = 'national' AND ("area_km2" > 30000 OR id = 'middle-yangtze')`, "", []string{"jing-jin-ji", "middle-yangtze"}},
	}
	for _, tc := range cases {
		got := filterIDs(t, s, tc.coll, url.Values{"filter": {tc.text}})
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %s\n got %v\nwant %v", tc.coll, tc.text, got, tc.want)
		}
		if tc.json == "" {
			continue
		}
		got = filterIDs(t, s, tc.coll, url.Values{"filter": {tc.json}, "filter-lang": {"cql2-json"}})
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %s\n got %v\nwant %v", tc.coll, tc.json, got, tc.want)
		}
	}
}

func TestFilterFlowsUseTheServedLine(t *testing.T) {
	s := newTestServer(t, Config{})
	// The straight jing-jin-ji → zone-a line runs 116.5,39.5 → 113.5,34.5;
	// its midpoint 115,37 is on the straight line, the curve bows away.
	q := "S_INTERSECTS(geometry, POINT(115 37))"
	straight := filterIDs(t, s, "flows", url.Values{"filter": {q}, "flow_shape": {"straight"}})
	if !reflect.DeepEqual(straight, []string{"jing-jin-ji-to-zone-a"}) {
		t.Errorf("straight: %v", straight)
	}
	if curved := filterIDs(t, s, "flows", url.Values{"filter": {q}}); len(curved) != 0 {
		t.Errorf("curved flows must be tested on the curve, got %v", curved)
	}
}

func TestSimpleFormAndSortBy(t *testing.T) {
	s := newTestServer(t, Config{})
	if got := filterIDs(t, s, "clusters", url.Values{"tier": {"national"}}); !reflect.DeepEqual(got, []string{"jing-jin-ji", "middle-yangtze"}) {
		t.Errorf("?tier=national: %v", got)
	}
	if got := filterIDs(t, s, "transfer-zones", url.Values{"approved": {"2018"}}); !reflect.DeepEqual(got, []string{"zone-b"}) {
		t.Errorf("?approved=2018: %v", got)
	}
	// Simple form and filter combine with AND.
	if got := filterIDs(t, s, "clusters", url.Values{"tier": {"national"}, "filter": {"area_km2 > 20000"}}); !reflect.DeepEqual(got, []string{"jing-jin-ji"}) {
		t.Errorf("simple form AND filter: %v", got)
	}
	got := filterIDs(t, s, "clusters", url.Values{"sortby": {"-area_km2"}})
	if !reflect.DeepEqual(got, []string{"jing-jin-ji", "central-plains", "middle-yangtze"}) {
		t.Errorf("sortby=-area_km2: %v", got)
	}
	got = filterIDs(t, s, "clusters", url.Values{"sortby": {"tier,+area_km2"}})
	if !reflect.DeepEqual(got, []string{"middle-yangtze", "jing-jin-ji", "central-plains"}) {
		t.Errorf("sortby=tier,+area_km2: %v", got)
	}
	// Nulls last in both directions.
	for _, dir := range []string{"approved", "-approved"} {
		got = filterIDs(t, s, "transfer-zones", url.Values{"sortby": {dir}})
		if got[len(got)-1] != "zone-c" {
			t.Errorf("sortby=%s: %v, want zone-c (null) last", dir, got)
		}
	}
}

func TestFilterPagingLinksCarryTheFilter(t *testing.T) {
	s := newTestServer(t, Config{})
	q := url.Values{"filter": {"province LIKE '河%'"}, "limit": {"1"}, "sortby": {"-code"}}
	target := "/collections/cities/items?" + q.Encode()
	var ids []string
	for n := 0; target != "" && n < 10; n++ {
		doc := get(t, s, target).json(t)
		if doc["numberMatched"].(float64) != 3 {
			t.Fatalf("numberMatched %v, want 3", doc["numberMatched"])
		}
		ids = append(ids, featureIDs(t, doc)...)
		target = linkHref(doc, "next")
		if target != "" {
			u, _ := url.Parse(target)
			if u.Query().Get("filter") != q.Get("filter") || u.Query().Get("sortby") != "-code" {
				t.Fatalf("next link lost the filter: %s", target)
			}
			target = u.RequestURI()
		}
	}
	if !reflect.DeepEqual(ids, []string{"410100", "130400", "130100"}) {
		t.Errorf("walked %v", ids)
	}
}

func TestFilterErrors(t *testing.T) {
	s := newTestServer(t, Config{})
	cases := []struct {
		coll   string
		q      url.Values
		param  string
		detail string // substring of the detail
	}{
		{"clusters", url.Values{"filter": {"tier = "}}, "filter", "character 8"},
		{"clusters", url.Values{"filter": {"tier == 'x'"}}, "filter", "character 7"},
		{"clusters", url.Values{"filter": {"tier = 'x"}}, "filter", "not closed"},
		{"clusters", url.Values{"filter": {"nope = 'x'"}}, "filter", `property "nope" is not queryable`},
		{"clusters", url.Values{"filter": {"tier = 3"}}, "filter", "is a string"},
		{"clusters", url.Values{"filter": {"area_km2 LIKE '1%'"}}, "filter", "LIKE needs a string"},
		{"clusters", url.Values{"filter": {"members = 'x'"}}, "filter", "not queryable"},
		{"clusters", url.Values{"filter": {"S_INTERSECTS(geometry, POINT(200 10))"}}, "filter", "outside"},
		{"clusters", url.Values{"filter": {"S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1)))"}}, "filter", "at least 4"},
		{"clusters", url.Values{"filter": {"S_CROSSES(geometry, POINT(1 1))"}}, "filter", "not supported"},
		{"clusters", url.Values{"filter": {"S_INTERSECTS(tier, POINT(1 1))"}}, "filter", "not a geometry"},
		{"clusters", url.Values{"filter": {"geometry = 'x'"}}, "filter", "only allowed in S_INTERSECTS"},
		{"clusters", url.Values{"filter": {strings.Repeat("(", 40) + "TRUE" + strings.Repeat(")", 40)}}, "filter", "nests deeper"},
		{"clusters", url.Values{"filter": {"tier = 'national' extra"}}, "filter", "expected AND, OR or the end"},
		{"clusters", url.Values{"filter": {`{"op":"=","args":[{"property":"tier"}]}`}, "filter-lang": {"cql2-json"}}, "filter", "/args"},
		{"clusters", url.Values{"filter": {`{"op":"and","args":[true,{"op":"~","args":[]}]}`}, "filter-lang": {"cql2-json"}}, "filter", "/args/1/op"},
		{"clusters", url.Values{"filter": {`{"op":`}, "filter-lang": {"cql2-json"}}, "filter", "not valid JSON"},
		{"clusters", url.Values{"filter": {"TRUE"}, "filter-lang": {"ecql"}}, "filter-lang", "cql2-text"},
		{"clusters", url.Values{"filter": {"TRUE"}, "filter-crs": {"EPSG:3857"}}, "filter-crs", "CRS84"},
		{"clusters", url.Values{"sortby": {"-nope"}}, "sortby", "not a sortable"},
		{"clusters", url.Values{"area_km2": {"big"}}, "area_km2", "must be a number"},
		{"clusters", url.Values{"tier": {"national"}, "x": {"1"}}, "x", "queryable properties"},
	}
	for _, tc := range cases {
		r := get(t, s, "/collections/"+tc.coll+"/items?"+tc.q.Encode())
		p := wantProblem(t, r, 400, tc.param)
		if !strings.Contains(p["detail"].(string), tc.detail) {
			t.Errorf("%v: detail %q lacks %q", tc.q, p["detail"], tc.detail)
		}
	}
	// The limits are configurable and crossing them is a 400 naming the limit.
	for _, lc := range []struct {
		cfg     Config
		q, want string
	}{
		{Config{MaxFilterBytes: 20}, "tier = 'national' AND tier = 'national'", "the limit is 20"},
		{Config{MaxFilterDepth: 2}, "(((TRUE)))", "deeper than 2"},
		{Config{MaxVertices: 4}, "S_INTERSECTS(geometry,LINESTRING(1 1,2 2,3 3,4 4,5 5))", "more than 4 vertices"},
	} {
		small := newTestServer(t, lc.cfg)
		p := wantProblem(t, get(t, small, "/collections/clusters/items?"+url.Values{"filter": {lc.q}}.Encode()), 400, "filter")
		if !strings.Contains(p["detail"].(string), lc.want) {
			t.Errorf("%s: detail %q lacks %q", lc.q, p["detail"], lc.want)
		}
		wantStatus(t, get(t, s, "/collections/clusters/items?"+url.Values{"filter": {lc.q}}.Encode()), 200)
	}
	// Repeating a simple-form parameter.
	wantProblem(t, get(t, s, "/collections/clusters/items?tier=national&tier=regional"), 400, "tier")
}

func TestQueryables(t *testing.T) {
	s := newTestServer(t, Config{})
	r := get(t, s, "/collections/clusters/queryables")
	wantStatus(t, r, 200)
	if ct := r.Header.Get("Content-Type"); ct != "application/schema+json" {
		t.Errorf("content type %q", ct)
	}
	doc := r.json(t)
	props := doc["properties"].(map[string]any)
	for _, k := range []string{"tier", "area_km2", "member_codes", "plan_date", "geometry"} {
		if _, ok := props[k]; !ok {
			t.Errorf("queryables lack %s", k)
		}
	}
	for _, k := range []string{"members", "plan", "label"} {
		if _, ok := props[k]; ok {
			t.Errorf("queryables list the non-scalar %s", k)
		}
	}
	if doc["additionalProperties"] != false {
		t.Errorf("additionalProperties %v", doc["additionalProperties"])
	}
	conf := get(t, s, "/conformance").json(t)["conformsTo"].([]any)
	need := []string{"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter", "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text", "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json"}
	for _, n := range need {
		found := false
		for _, c := range conf {
			found = found || c == n
		}
		if !found {
			t.Errorf("conformance lacks %s", n)
		}
	}
}

func TestLikeMatch(t *testing.T) {
	cases := []struct {
		s, p string
		want bool
	}{
		{"邯郸市", "邯%", true}, {"邯郸市", "_郸_", true}, {"邯郸市", "__", false}, {"a%b", `a\%b`, true},
		{"axb", `a\%b`, false}, {"", "%", true}, {"", "_", false}, {"abcabc", "%abc", true}, {"aaaa", "%a%a%a%a%a", false},
	}
	for _, c := range cases {
		if got := likeMatch(c.s, c.p); got != c.want {
			t.Errorf("likeMatch(%q, %q) = %v", c.s, c.p, got)
		}
	}
}

func FuzzParseCQL2Text(f *testing.F) {
	for _, seed := range []string{"tier = 'national'", "a BETWEEN 1 AND 2 OR NOT b IN ('x','y')", "S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 0)))",
		"x LIKE '%a\\_'", `"a" IS NOT NULL`, "S_INTERSECTS(geometry,BBOX(1,2,3,4))", "MULTIPOINT((1 2),(3 4))", "((((", "'it''s'"} {
		f.Add(seed)
	}
	s := newTestServer(f, Config{})
	sch := s.State().meta["clusters"].Schema
	coll, _ := s.State().Atlas.Collection("clusters")
	f.Fuzz(func(t *testing.T, in string) {
		n, err := parseCQL2Text(in, filterLimits{Bytes: DefaultMaxFilterBytes, Depth: DefaultMaxFilterDepth, Vertices: 1000})
		if (n == nil) == (err == nil) {
			t.Fatalf("exactly one of node and error: %v %v", n, err)
		}
		if n != nil {
			if bf, err := bindFilter(n, "clusters", sch, coll.Intersects); err == nil {
				for i := range coll.Features {
					bf.match(coll.Features, i)
				}
			}
		}
	})
}

func FuzzParseCQL2JSON(f *testing.F) {
	for _, seed := range []string{`{"op":"=","args":[{"property":"tier"},"national"]}`, `{"op":"in","args":[{"property":"id"},["a",1]]}`,
		`{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}]}`, `true`, `[`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := parseCQL2JSON(in, filterLimits{Bytes: DefaultMaxFilterBytes, Depth: DefaultMaxFilterDepth, Vertices: 1000})
		if (n == nil) == (err == nil) {
			t.Fatalf("exactly one of node and error: %v %v", n, err)
		}
	})
}
