package api

import (
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// The GIS-client features on the embedded atlas, against facts from the
// sources: 邯郸 (130400) is in 京津冀 and 中原; the five national plans.
func TestEmbeddedGISFeatures(t *testing.T) {
	s := embeddedTestServer(t)
	city := get(t, s, "/collections/cities/items/130400?properties=cluster_ids,name_zh").json(t)["properties"].(map[string]any)
	ids := strings.Split(city["cluster_ids"].(string), ",")
	sort.Strings(ids)
	if !reflect.DeepEqual(ids, []string{"central-plains", "jing-jin-ji"}) {
		t.Errorf("130400 cluster_ids %v", city["cluster_ids"])
	}
	q := url.Values{"filter": {"S_INTERSECTS(geometry, POINT(114.49 36.61))"}, "properties": {"id"}}
	got := featureIDs(t, get(t, s, "/collections/clusters/items?"+q.Encode()).json(t))
	sort.Strings(got)
	if !reflect.DeepEqual(got, []string{"central-plains", "jing-jin-ji"}) {
		t.Errorf("clusters at 邯郸's centre: %v", got)
	}
	q = url.Values{"filter": {"S_INTERSECTS(geometry, POINT(114.49 36.61))"}, "properties": {"code"}}
	if got := featureIDs(t, get(t, s, "/collections/cities/items?"+q.Encode()).json(t)); !reflect.DeepEqual(got, []string{"130400"}) {
		t.Errorf("city at 邯郸's centre: %v", got)
	}
	national := featureIDs(t, get(t, s, "/collections/clusters/items?tier=national&properties=id").json(t))
	if !reflect.DeepEqual(national, []string{"jing-jin-ji", "yangtze-river-delta", "pearl-river-delta", "middle-yangtze", "cheng-yu"}) {
		t.Errorf("?tier=national: %v", national)
	}
	q = url.Values{"filter": {"member_codes LIKE '%130400%'"}, "properties": {"id"}}
	got = featureIDs(t, get(t, s, "/collections/clusters/items?"+q.Encode()).json(t))
	sort.Strings(got)
	if !reflect.DeepEqual(got, []string{"central-plains", "jing-jin-ji"}) {
		t.Errorf("clusters with member 130400: %v", got)
	}
	// Every polygon served as a MultiPolygon.
	for _, coll := range []string{"clusters", "cities", "transfer-zones"} {
		if gt := s.State().meta[coll].Schema.GeometryType; gt != "MultiPolygon" {
			t.Errorf("%s geometry type %q", coll, gt)
		}
	}
}
