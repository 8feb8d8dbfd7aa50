package data

import (
	"os"
	"strings"
	"testing"
)

func TestCheckReportsEveryProblem(t *testing.T) {
	probs := Check(os.DirFS("testdata/broken"))
	want := []struct{ file, feature, rule, detail string }{
		{"clusters.geojson", "ok", "unique-id", "more than one"},
		{"clusters.geojson", "bowtie", "ogc-valid", ""},
		{"clusters.geojson", "line", "geometry-type", "LineString"},
		{"clusters.geojson", "swapped", "lon-lat-order", "[lat, lon]"},
		{"clusters.geojson", "range", "coordinate-range", "outside"},
		{"cities.geojson", "110000", "reference", "ghost"},
		{"transfer-zones.geojson", "", "geojson", "not a GeoJSON"},
		{"flows.geojson", "f1", "flow-endpoint", "nowhere-zone"},
		{"flows.geojson", "f2", "geometry-type", "Polygon"},
		{"manifest.json", "", "json", ""},
	}
	for _, w := range want {
		found := false
		for _, p := range probs {
			if p.File == w.file && p.Feature == w.feature && p.Rule == w.rule && strings.Contains(p.Detail, w.detail) {
				found = true
			}
		}
		if !found {
			t.Errorf("missing problem %+v", w)
		}
	}
	if len(probs) != len(want) {
		for _, p := range probs {
			t.Log(p)
		}
		t.Errorf("%d problems, want exactly %d", len(probs), len(want))
	}
	// every problem names its file and rule
	for _, p := range probs {
		if p.File == "" || p.Rule == "" || !strings.Contains(p.String(), p.File) {
			t.Errorf("problem without file or rule: %+v", p)
		}
	}
}

func TestCheckMissingFiles(t *testing.T) {
	probs := Check(os.DirFS(t.TempDir()))
	required := 0
	for _, name := range CollectionNames {
		if !OptionalCollection(name) {
			required++
		}
	}
	if len(probs) != required || required != 4 {
		t.Fatalf("want one problem per missing required collection (clusters, cities, zones, flows), got %v", probs)
	}
	for _, p := range probs {
		if p.Rule != "readable" || !strings.Contains(p.Detail, "missing") {
			t.Errorf("unexpected %v", p)
		}
	}
}

func TestCheckEmbeddedHasNoProblems(t *testing.T) {
	if testing.Short() {
		t.Skip("validates every embedded polygon (a few seconds)")
	}
	if probs := Check(Embedded()); len(probs) != 0 {
		t.Fatalf("embedded data: %v", probs)
	}
}

func TestLoadDirErrors(t *testing.T) {
	if _, err := LoadDir("testdata/does-not-exist"); err == nil {
		t.Error("want an error for a missing directory")
	}
	if _, err := LoadDir("testdata/broken"); err == nil || !strings.Contains(err.Error(), "transfer-zones.geojson") {
		t.Errorf("want the broken file named, got %v", err)
	}
}
