package data

import (
	"strings"
	"testing"
)

func TestAddFlatFieldsFromArraysAndObjects(t *testing.T) {
	features := []Feature{
		{ID: "a", Properties: map[string]any{
			"members": []any{
				map[string]any{"code": "130400", "name": "邯郸市"},
				map[string]any{"code": "410100", "name": "郑州市"},
			},
			"sources": []any{map[string]any{"title": "规划, 第一章", "url": "x"}, map[string]any{"title": "答记者问"}},
			"plan":    map[string]any{"title": "京津冀协同发展规划纲要", "date": "2015-04"},
			"sectors": []any{"equipment"}, // strings: clients read these as lists already
		}},
		{ID: "b", Properties: map[string]any{
			"members":     []any{},
			"sources":     []any{},
			"plan":        nil,
			"member_ids":  "kept", // a property of the same name wins
			"member_name": "x",
		}},
	}
	AddFlatFields(features)
	a, b := features[0].Properties, features[1].Properties
	want := map[string]string{
		"member_codes":  "130400,410100",
		"member_names":  "邯郸市,郑州市",
		"source_titles": "规划, 第一章; 答记者问",
		"plan_title":    "京津冀协同发展规划纲要",
		"plan_date":     "2015-04",
	}
	for k, v := range want {
		if a[k] != v {
			t.Errorf("a.%s = %#v, want %q", k, a[k], v)
		}
		if k != "member_ids" && b[k] != "" {
			t.Errorf("b.%s = %#v, want \"\" (same field set for every feature)", k, b[k])
		}
	}
	if _, ok := a["member_ids"]; ok {
		t.Errorf("a has member_ids although no member has an id")
	}
	if b["member_ids"] != "kept" {
		t.Errorf("existing member_ids overwritten: %#v", b["member_ids"])
	}
	if _, ok := a["sector_ids"]; ok {
		t.Errorf("an array of strings got flat fields")
	}
	if _, ok := a["members"].([]any); !ok {
		t.Errorf("the JSON array must stay")
	}
	// Idempotent.
	AddFlatFields(features)
	if a["member_codes"] != "130400,410100" {
		t.Errorf("second pass changed member_codes: %#v", a["member_codes"])
	}
}

func TestEmbeddedHandanFlatClusterIDs(t *testing.T) {
	ds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var handan *Feature
	for i, f := range ds.Collection(Cities) {
		if f.ID == "130400" {
			handan = &ds.Collection(Cities)[i]
		}
	}
	if handan == nil {
		t.Skip("embedded data has no 130400 (placeholder data)")
	}
	ids := strings.Split(handan.String("cluster_ids"), FlatListSeparator)
	has := map[string]bool{}
	for _, id := range ids {
		has[id] = true
	}
	if !has["jing-jin-ji"] || !has["central-plains"] {
		t.Errorf("130400 cluster_ids = %q, want jing-jin-ji and central-plains", handan.String("cluster_ids"))
	}
	for _, c := range ds.Collection(Clusters) {
		if c.ID == "jing-jin-ji" {
			if !strings.Contains(c.String("member_codes"), "130400") || !strings.Contains(c.String("member_names"), "邯郸市") {
				t.Errorf("jing-jin-ji member_codes %q / names %q lack 邯郸", c.String("member_codes"), c.String("member_names"))
			}
			if c.String("source_titles") == "" {
				t.Errorf("jing-jin-ji has no source_titles")
			}
		}
	}
	for _, f := range ds.Collection(Cities) {
		if _, ok := f.Properties["zone_ids"].(string); !ok {
			t.Errorf("city %s has no string zone_ids", f.ID)
			break
		}
	}
}
