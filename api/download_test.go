package api

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestItemsCSV(t *testing.T) {
	s := newTestServer(t, Config{})
	r := get(t, s, "/collections/cities/items?f=csv&sortby=code&precision=1")
	wantStatus(t, r, 200)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(ct, "charset=utf-8") {
		t.Errorf("content type %q", ct)
	}
	if !bytes.HasPrefix(r.Body, []byte("\xef\xbb\xbf")) {
		t.Fatalf("no UTF-8 byte-order mark: %q", r.Body[:8])
	}
	rows, err := csv.NewReader(bytes.NewReader(r.Body[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+8 {
		t.Fatalf("%d rows, want a header and 8 cities", len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	if rows[0][0] != "WKT" || rows[0][1] != "id" {
		t.Errorf("header starts %v, want WKT, id", rows[0][:2])
	}
	for _, k := range []string{"name_zh", "cluster_ids", "zone_ids", "area_km2"} {
		if _, ok := col[k]; !ok {
			t.Errorf("no %s column in %v", k, rows[0])
		}
	}
	if _, ok := col["clusters"]; ok {
		t.Errorf("the JSON array clusters must come as cluster_ids, not raw")
	}
	var handan []string
	for _, row := range rows[1:] {
		if row[1] == "130400" {
			handan = row
		}
	}
	if handan == nil {
		t.Fatal("no 130400 row")
	}
	if handan[col["name_zh"]] != "邯郸市" || handan[col["cluster_ids"]] != "jing-jin-ji,central-plains" {
		t.Errorf("130400 row: %v", handan)
	}
	// Fixture 邯郸 is the square 114..115, 36..37, served as a MultiPolygon.
	if !strings.HasPrefix(handan[0], "MULTIPOLYGON (((114 36,") {
		t.Errorf("WKT %q", handan[0])
	}
	// Flows: LineString, arrays of strings joined.
	r = get(t, s, "/collections/flows/items?f=csv&flow_shape=straight")
	rows, _ = csv.NewReader(bytes.NewReader(r.Body[3:])).ReadAll()
	if !strings.HasPrefix(rows[1][0], "LINESTRING (") {
		t.Errorf("flow WKT %q", rows[1][0])
	}
	// Paging in a Link header; the JSON lists CSV as an alternate.
	r = get(t, s, "/collections/cities/items?f=csv&limit=2")
	if l := r.Header.Get("Link"); !strings.Contains(l, `rel="next"`) || !strings.Contains(l, "f=csv") {
		t.Errorf("Link header %q", l)
	}
	doc := get(t, s, "/collections/cities/items?limit=2").json(t)
	var types []string
	for _, l := range doc["links"].([]any) {
		m := l.(map[string]any)
		if m["rel"] == "alternate" {
			types = append(types, m["type"].(string))
		}
	}
	if strings.Join(types, ",") != "text/html,text/csv,application/flatgeobuf" {
		t.Errorf("alternate link types %v", types)
	}
	wantStatus(t, get(t, s, "/collections/cities/items", "Accept", "text/csv"), 200)
	wantProblem(t, get(t, s, "/collections/cities/items?f=xlsx"), 400, "f")
	wantProblem(t, get(t, s, "/collections/cities/items/130400?f=csv"), 400, "f")
}

func TestFlatGeobufReadsInGDAL(t *testing.T) {
	s := newTestServer(t, Config{})
	r := get(t, s, "/collections/cities/items?f=fgb")
	wantStatus(t, r, 200)
	if r.Header.Get("Content-Type") != "application/flatgeobuf" {
		t.Errorf("content type %q", r.Header.Get("Content-Type"))
	}
	if !bytes.HasPrefix(r.Body, []byte("fgb\x03fgb\x00")) {
		t.Fatalf("no FlatGeobuf magic")
	}
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Skip("ogrinfo (gdal-bin) not installed")
	}
	dir := t.TempDir()
	for coll, want := range map[string][]string{
		"cities":   {"Geometry: Multi Polygon", "Feature Count: 8", "cluster_ids: String", "area_km2: Integer64", "cluster_ids (String) = jing-jin-ji,central-plains", "name_zh (String) = 邯郸市"},
		"clusters": {"Geometry: Multi Polygon", "Feature Count: 3", "area_km2: Integer64", "member_names (String) = 北京市,天津市,石家庄市,邯郸市"},
		"flows":    {"Geometry: Line String", "Feature Count: 4", "year: Integer64"},
	} {
		body := get(t, s, "/collections/"+coll+"/items?f=fgb").Body
		file := filepath.Join(dir, coll+".fgb")
		if err := os.WriteFile(file, body, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("ogrinfo", "-ro", "-al", "-nogeomtype", file).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: ogrinfo: %v\n%s", coll, err, out)
		}
		sum, _ := exec.Command("ogrinfo", "-ro", "-so", "-al", file).CombinedOutput()
		text := string(out) + string(sum)
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: ogrinfo output lacks %q\n%s", coll, w, clipBody(sum))
			}
		}
		if strings.Contains(text, "ERROR") || strings.Contains(text, "Warning") {
			t.Errorf("%s: ogrinfo complained:\n%s", coll, clipBody([]byte(text)))
		}
	}
}
