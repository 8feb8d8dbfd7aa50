package api

import (
	"reflect"
	"sort"
	"testing"
	"time"
)

func TestDatetimeYearExtensions(t *testing.T) {
	utc := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		in                 string
		start, endExcl     time.Time
		openStart, openEnd bool
	}{
		{"2012", utc(2012, 1, 1), utc(2013, 1, 1), false, false},
		{"2016-05", utc(2016, 5, 1), utc(2016, 6, 1), false, false},
		{"2010/2015", utc(2010, 1, 1), utc(2016, 1, 1), false, false},
		{"../2015", time.Time{}, utc(2016, 1, 1), true, false},
		{"2015/..", utc(2015, 1, 1), time.Time{}, false, true},
		{"2014-02/2014-02-10", utc(2014, 2, 1), utc(2014, 2, 11), false, false},
	}
	for _, c := range cases {
		ti, p := parseDatetime(c.in)
		if p != nil {
			t.Errorf("%s: %v", c.in, p.Detail)
			continue
		}
		if ti.OpenStart != c.openStart || ti.OpenEnd != c.openEnd {
			t.Errorf("%s: open %v/%v", c.in, ti.OpenStart, ti.OpenEnd)
		}
		if !c.openStart && !ti.Start.Equal(c.start) {
			t.Errorf("%s: start %v, want %v", c.in, ti.Start, c.start)
		}
		if !c.openEnd && !ti.End.Equal(c.endExcl.Add(-time.Nanosecond)) {
			t.Errorf("%s: end %v, want just before %v", c.in, ti.End, c.endExcl)
		}
	}
	for _, bad := range []string{"12", "20123", "2015-13", "2015-1", "2016/2010", "2010/2012/2014", "year"} {
		if _, p := parseDatetime(bad); p == nil || p.Parameter != "datetime" {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestDatetimeOnItemsByYearAndPlanDate(t *testing.T) {
	s := newTestServer(t, Config{})
	cases := []struct {
		coll, dt string
		want     []string
	}{
		// Plan dates in the fixture: jing-jin-ji 2015-04, middle-yangtze 2015-03, central-plains 2016-12.
		{"clusters", "2015", []string{"jing-jin-ji", "middle-yangtze"}},
		{"clusters", "2015-04-15", []string{"jing-jin-ji"}},
		{"clusters", "2015-05/2016-06", nil},
		{"clusters", "../2015", []string{"jing-jin-ji", "middle-yangtze"}},
		{"clusters", "2016-12-31T23:59:59Z", []string{"central-plains"}},
		// Zones approved 2014, 2018 and one unknown; flows 2014, 2016, 2020 and one unknown.
		{"transfer-zones", "2010/2015", []string{"zone-a"}},
		{"transfer-zones", "2018", []string{"zone-b"}},
		{"flows", "2016/..", []string{"central-plains-to-middle-yangtze", "jing-jin-ji-to-overseas"}},
		{"cities", "2015", nil},
	}
	for _, c := range cases {
		r := get(t, s, "/collections/"+c.coll+"/items?datetime="+c.dt)
		wantStatus(t, r, 200)
		got := featureIDs(t, r.json(t))
		sort.Strings(got)
		if len(got) == 0 {
			got = nil
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s datetime=%s: %v, want %v", c.coll, c.dt, got, c.want)
		}
	}
	wantProblem(t, get(t, s, "/collections/clusters/items?datetime=2015-13"), 400, "datetime")
	// The clusters collection now has a temporal extent from its plans.
	doc := get(t, s, "/collections/clusters").json(t)
	ext := doc["extent"].(map[string]any)
	if _, ok := ext["temporal"]; !ok {
		t.Errorf("clusters has no temporal extent: %v", ext)
	}
}
