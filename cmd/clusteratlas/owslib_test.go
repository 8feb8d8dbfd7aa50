package main

import (
	"encoding/json"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
)

// TestOWSLibInteropEmbedded: OWSLib (Debian's python3-owslib, installed by
// .ci/run) reads the collections, the queryables, a CQL2 filter and every
// page of cities from the embedded atlas. Skipped where OWSLib is absent.
func TestOWSLibInteropEmbedded(t *testing.T) {
	if testing.Short() {
		t.Skip("interop test")
	}
	py := "/usr/bin/python3" // Debian's, where python3-owslib installs
	if err := exec.Command(py, "-c", "import owslib.ogcapi.features").Run(); err != nil {
		t.Skip("OWSLib not installed (apt-get install python3-owslib)")
	}
	ds, err := data.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := startServe(t)
	out, err := exec.Command(py, "testdata/owslib_client.py", r.base+"/").CombinedOutput()
	if err != nil {
		t.Fatalf("owslib client: %v\n%s", err, out)
	}
	var got struct {
		Collections      []string `json:"collections"`
		Queryables       []string `json:"queryables"`
		National         []string `json:"national"`
		HandanClusterIDs string   `json:"handan_cluster_ids"`
		CitiesPaged      int      `json:"cities_paged"`
		CitiesMatched    int      `json:"cities_matched"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := slices.Clone(data.CollectionNames)
	slices.Sort(want)
	if !reflect.DeepEqual(got.Collections, want) {
		t.Errorf("collections %v, want %v", got.Collections, want)
	}
	if !slices.Contains(got.Queryables, "tier") || !slices.Contains(got.Queryables, "name_zh") {
		t.Errorf("queryables %v lack tier or name_zh", got.Queryables)
	}
	// the national plans, counted from the data rather than written down
	var national []string
	for _, f := range ds.Collections[data.Clusters] {
		if f.String("tier") == "national" {
			national = append(national, f.ID)
		}
	}
	if len(national) == 0 || !reflect.DeepEqual(got.National, national) {
		t.Errorf("filter tier = 'national': %v, want %v", got.National, national)
	}
	ids := strings.Split(got.HandanClusterIDs, ",")
	if !slices.Contains(ids, "jing-jin-ji") || !slices.Contains(ids, "central-plains") {
		t.Errorf("邯郸 (130400) cluster_ids %q, want jing-jin-ji and central-plains", got.HandanClusterIDs)
	}
	if n := len(ds.Collections[data.Cities]); got.CitiesPaged != n || got.CitiesMatched != n {
		t.Errorf("paged %d cities (numberMatched %d), want %d", got.CitiesPaged, got.CitiesMatched, n)
	}
}
