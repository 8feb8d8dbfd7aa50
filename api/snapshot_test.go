package api

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/data/snapshot"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/paulmach/orb"
)

// fixtureFiles reads the fixture directory as name → bytes.
func fixtureFiles(t *testing.T) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if files[e.Name()], err = os.ReadFile(filepath.Join(fixtureDir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// TestSnapshotRoundTripsFixture: the state served from a snapshot is the
// state indexed from the GeoJSON — same features bit for bit, same areas
// and grids, same simplified geometry at every zoom, same answers — and
// the snapshot bytes are deterministic.
func TestSnapshotRoundTripsFixture(t *testing.T) {
	files := fixtureFiles(t)
	snap, err := SnapshotOfFiles(files)
	if err != nil {
		t.Fatal(err)
	}
	c, err := snapshot.Decode(snap)
	if err != nil {
		t.Fatal(err)
	}
	// Deterministic and lossless: what was read writes the same bytes.
	if again, err := snapshot.Encode(c); err != nil || !bytes.Equal(snap, again) {
		t.Fatalf("re-encoding the decoded snapshot gives other bytes (%v)", err)
	}
	if stale, err := c.Stale(os.DirFS(fixtureDir)); err != nil || stale != "" {
		t.Fatalf("fresh snapshot reported stale: %q %v", stale, err)
	}
	fromSnap, levels, err := NewStateFromSnapshot(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := readyFixture(t)
	wantDS, gotDS := want.Atlas.Dataset(), fromSnap.Atlas.Dataset()
	if gotDS.Version != wantDS.Version || !reflect.DeepEqual(gotDS.Manifest, wantDS.Manifest) {
		t.Errorf("version %q manifest %+v, want %q %+v", gotDS.Version, gotDS.Manifest, wantDS.Version, wantDS.Manifest)
	}
	// The whole Dataset, so that a field some loader adds later (and the
	// snapshot does not carry yet) fails here rather than in production.
	if !reflect.DeepEqual(gotDS, wantDS) {
		t.Error("the snapshot's Dataset differs from the GeoJSON-loaded one (a field the snapshot does not carry?)")
	}
	if len(gotDS.Collections) != len(wantDS.Collections) {
		t.Fatalf("%d collections, want %d", len(gotDS.Collections), len(wantDS.Collections))
	}
	for name, wf := range wantDS.Collections {
		gf := gotDS.Collections[name]
		if len(gf) != len(wf) {
			t.Fatalf("%s: %d features, want %d", name, len(gf), len(wf))
		}
		for i := range wf {
			if gf[i].ID != wf[i].ID || !reflect.DeepEqual(gf[i].Properties, wf[i].Properties) {
				t.Errorf("%s[%d]: id/properties %q %v, want %q %v", name, i, gf[i].ID, gf[i].Properties, wf[i].ID, wf[i].Properties)
			}
			if !sameGeometry(gf[i].Geometry, wf[i].Geometry) {
				t.Errorf("%s %s: geometry differs from the GeoJSON's", name, wf[i].ID)
			}
		}
		wp, _ := want.Atlas.Precomputed(name)
		gp, _ := fromSnap.Atlas.Precomputed(name)
		if !reflect.DeepEqual(gp, wp) {
			t.Errorf("%s: precomputed areas/grid differ", name)
		}
	}
	for _, z := range want.Levels.Zooms() {
		for _, layer := range polygonLayers {
			for i := range wantDS.Collections[layer] {
				if !sameGeometry(levels.Geometry(layer, i, z), want.Levels.Geometry(layer, i, z)) {
					t.Errorf("zoom %d %s[%d]: simplified geometry differs", z, layer, i)
				}
			}
			if got, w := levels.Vertices(layer, z), want.Levels.Vertices(layer, z); got != w {
				t.Errorf("zoom %d %s: %d vertices, want %d", z, layer, got, w)
			}
		}
	}
	// Same answers over a grid of points across the fixture (lazy edge
	// indexes on one side, eager on the other).
	ext := wantDS.Collections[data.Clusters][0].Bound()
	for _, f := range wantDS.Collections[data.Clusters][1:] {
		ext = ext.Union(f.Bound())
	}
	for x := ext.Min[0] - 0.1; x <= ext.Max[0]+0.1; x += (ext.Max[0] - ext.Min[0]) / 37 {
		for y := ext.Min[1] - 0.1; y <= ext.Max[1]+0.1; y += (ext.Max[1] - ext.Min[1]) / 41 {
			p := orb.Point{x, y}
			if g, w := fromSnap.Atlas.Locate(p), want.Atlas.Locate(p); !reflect.DeepEqual(g, w) {
				t.Errorf("Locate(%v) = %+v, want %+v", p, g, w)
			}
			cities, _ := want.Atlas.Collection(data.Cities)
			gc, _ := fromSnap.Atlas.Collection(data.Cities)
			if g, w := gc.Nearest(p, 3), cities.Nearest(p, 3); !reflect.DeepEqual(g, w) {
				t.Errorf("Nearest(%v) = %v, want %v", p, g, w)
			}
		}
	}
	// And the same bytes over HTTP, zoomed or not (same load time, which
	// the answers stamp).
	fromSnap.LoadedAt = want.LoadedAt
	a, b := New(Config{Logger: quietLogger()}, want), New(Config{Logger: quietLogger()}, fromSnap.WithLevels(levels))
	for _, u := range []string{"/collections/clusters/items", "/collections/cities/items?zoom=6", "/tiles/5/26/12.mvt", "/locate?lon=114.5&lat=36.5", "/nearest?lon=116&lat=39&k=2"} {
		ra, rb := get(t, a, u), get(t, b, u)
		if ra.StatusCode != rb.StatusCode || !bytes.Equal(ra.Body, rb.Body) {
			t.Errorf("%s: snapshot state answers %d (%d bytes), GeoJSON state %d (%d bytes)", u, rb.StatusCode, len(rb.Body), ra.StatusCode, len(ra.Body))
		}
	}
}

func TestSnapshotRefusesOtherLayers(t *testing.T) {
	snap, err := SnapshotOfFiles(fixtureFiles(t))
	if err != nil {
		t.Fatal(err)
	}
	c, err := snapshot.Decode(snap)
	if err != nil {
		t.Fatal(err)
	}
	c.Layers = c.Layers[:1]
	if _, _, err := NewStateFromSnapshot(c, nil); err == nil {
		t.Error("a snapshot simplifying other layers was accepted")
	}
}

// TestSnapshotStaleAfterEdit: changing any dataset file makes the
// snapshot stale, and says which file.
func TestSnapshotStaleAfterEdit(t *testing.T) {
	dir := t.TempDir()
	files := fixtureFiles(t)
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := SnapshotOfDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := snapshot.Decode(snap)
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(files["flows.geojson"], []byte(`"year"`), []byte(`"year" `), 1)
	if err := os.WriteFile(filepath.Join(dir, "flows.geojson"), edited, 0o644); err != nil {
		t.Fatal(err)
	}
	if stale, err := c.Stale(os.DirFS(dir)); err != nil || stale != "flows.geojson changed since the snapshot was built" {
		t.Errorf("stale = %q, %v", stale, err)
	}
}

// sameGeometry compares coordinates bit for bit (NaN-free data).
func sameGeometry(a, b orb.Geometry) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if reflect.TypeOf(a) != reflect.TypeOf(b) || geo.Vertices(a) != geo.Vertices(b) {
		return false
	}
	pa, pb := points(a), points(b)
	for i := range pa {
		if math.Float64bits(pa[i][0]) != math.Float64bits(pb[i][0]) || math.Float64bits(pa[i][1]) != math.Float64bits(pb[i][1]) {
			return false
		}
	}
	return reflect.DeepEqual(a, b)
}

func points(g orb.Geometry) []orb.Point {
	var out []orb.Point
	switch t := g.(type) {
	case orb.Point:
		out = append(out, t)
	case orb.LineString:
		out = append(out, t...)
	case orb.Polygon:
		for _, r := range t {
			out = append(out, r...)
		}
	case orb.MultiPolygon:
		for _, p := range t {
			out = append(out, points(p)...)
		}
	}
	return out
}
