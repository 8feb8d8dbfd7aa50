package snapshot

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/clusteratlas/clusteratlas/geo/topo"
	"github.com/paulmach/orb"
)

// tinyContents is a hand-made two-square dataset with its index and levels,
// small enough to truncate at every byte.
func tinyContents(t testing.TB) *Contents {
	t.Helper()
	sq := func(x, y, s float64) orb.Polygon {
		return orb.Polygon{{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}}
	}
	ds := &data.Dataset{Version: "v1", Collections: map[string][]data.Feature{
		data.Clusters: {
			{ID: "a", Geometry: sq(114, 36, 1), Properties: map[string]any{"name": "甲", "n": 1.5}},
			{ID: "b", Geometry: orb.MultiPolygon{sq(115, 36, 1), sq(117.12345, 36, 0.5)}, Properties: map[string]any{"list": []any{"x"}}},
		},
		data.Flows: {
			{ID: "f", Geometry: orb.LineString{{114.5, 36.5}, {115.5, 36.5}}, Properties: map[string]any{"year": 2014.0}},
			{ID: "g", Properties: map[string]any{}},
			// off the 1e-5 grid: stored raw
			{ID: "h", Geometry: orb.LineString{{114.123456789, 36.5}, {115, 36.5}}, Properties: map[string]any{}},
		},
	}}
	ds.Manifest.Title = "tiny"
	atlas, err := geo.NewAtlas(ds)
	if err != nil {
		t.Fatal(err)
	}
	layers := map[string][]orb.Geometry{data.Clusters: {ds.Collections[data.Clusters][0].Geometry, ds.Collections[data.Clusters][1].Geometry}}
	levels, err := topo.Build(layers, []int{0, 4, 12})
	if err != nil {
		t.Fatal(err)
	}
	c := &Contents{Dataset: ds, Index: map[string]geo.Precomputed{}, Layers: []string{data.Clusters}, Levels: levels.Export(),
		Sources: map[string]string{"clusters.geojson": "00", "manifest.json": "11"}}
	for name := range ds.Collections {
		c.Index[name], _ = atlas.Precomputed(name)
	}
	return c
}

func TestRoundTrip(t *testing.T) {
	c := tinyContents(t)
	b, err := Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Dataset, c.Dataset) {
		t.Errorf("dataset:\n got %+v\nwant %+v", got.Dataset, c.Dataset)
	}
	if !reflect.DeepEqual(got.Index, c.Index) || !reflect.DeepEqual(got.Sources, c.Sources) || !reflect.DeepEqual(got.Layers, c.Layers) {
		t.Error("index, sources or layers differ")
	}
	if !reflect.DeepEqual(got.Levels, c.Levels) {
		t.Errorf("levels:\n got %+v\nwant %+v", got.Levels, c.Levels)
	}
	h := got.Dataset.Collections[data.Flows][2].Geometry.(orb.LineString)[0][0]
	if math.Float64bits(h) != math.Float64bits(114.123456789) {
		t.Errorf("off-grid coordinate came back as %v", h)
	}
	if b2, _ := Encode(got); !bytes.Equal(b, b2) {
		t.Error("encoding is not deterministic")
	}
}

// TestDamageIsAnErrorNamingTheSection: truncation at every length, a
// flipped bit in every byte, the wrong magic and the wrong version all give
// errors, never a panic or a silently different dataset.
func TestDamageIsAnErrorNamingTheSection(t *testing.T) {
	b, err := Encode(tinyContents(t))
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(b); n++ {
		if _, err := Decode(b[:n]); err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", n, len(b))
		}
	}
	for i := len(Magic) + 4; i < len(b); i++ {
		d := bytes.Clone(b)
		d[i] ^= 0x10
		if _, err := Decode(d); err == nil {
			t.Fatalf("bit flipped at byte %d: no error", i)
		}
	}
	_, err = Decode(append([]byte("GEOJSON!"), b[8:]...))
	if err != ErrNotSnapshot {
		t.Errorf("wrong magic: %v", err)
	}
	d := bytes.Clone(b)
	binary.LittleEndian.PutUint32(d[len(Magic):], Version+1)
	if _, err := Decode(d); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("format version %d,", Version+1)) {
		t.Errorf("wrong version: %v", err)
	}
	// A corrupt byte inside the levels section's payload is caught by its
	// checksum, and the error names the section.
	d = bytes.Clone(b)
	d[len(d)-3] ^= 0xff
	if _, err := Decode(d); err == nil || !strings.Contains(err.Error(), `section "levels"`) {
		t.Errorf("corrupt levels: %v", err)
	}
}

// TestBadSectionContentNamesTheSection: a section that passes its checksum
// but does not parse (a program bug, or a hand-made file) is still an
// error naming the section.
func TestBadSectionContentNamesTheSection(t *testing.T) {
	sections := sectionsOf(t, tinyContents(t))
	for i, s := range sections {
		for _, cut := range []int{0, len(s.raw) / 2, len(s.raw) - 1} {
			mod := append([]section(nil), sections...)
			mod[i] = section{s.name, s.raw[:cut]}
			b, err := writeFile(mod)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Decode(b); err == nil || !strings.Contains(err.Error(), s.name) {
				t.Errorf("section %s cut to %d bytes: %v", s.name, cut, err)
			}
		}
	}
}

// sectionsOf re-splits an encoded snapshot into its raw sections.
func sectionsOf(t testing.TB, c *Contents) []section {
	b, err := Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := splitFile(b)
	if err != nil {
		t.Fatal(err)
	}
	var out []section
	for _, s := range stored {
		raw, err := s.decompress(decoder)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, section{s.name, raw})
	}
	return out
}

// FuzzDecode: any input gives a snapshot or an error, never a panic.
func FuzzDecode(f *testing.F) {
	b, err := Encode(tinyContents(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Decode(b)
		if err == nil && c.Dataset == nil {
			t.Fatal("no error and no dataset")
		}
	})
}

// FuzzSections mutates the section payloads behind valid frames and
// checksums, so the fuzzer reaches the parsers rather than the CRC.
func FuzzSections(f *testing.F) {
	sections := sectionsOf(f, tinyContents(f))
	for i, s := range sections {
		f.Add(i, s.raw)
	}
	f.Fuzz(func(t *testing.T, i int, raw []byte) {
		if i < 0 || i >= len(sections) {
			return
		}
		mod := append([]section(nil), sections...)
		mod[i] = section{sections[i].name, raw}
		b, err := writeFile(mod)
		if err != nil {
			return
		}
		c, err := Decode(b)
		if err != nil {
			return
		}
		// Whatever decodes must also build an atlas or fail cleanly.
		if _, err := geo.NewAtlasFromIndex(c.Dataset, c.Index); err == nil {
			_, _ = topo.FromExport(c.OrigLayers(), c.Levels)
		}
	})
}

// TestEmbeddedSnapshotMatchesEmbeddedGeoJSON: the snapshot serve starts
// from was built from exactly the GeoJSON embedded beside it.
func TestEmbeddedSnapshotMatchesEmbeddedGeoJSON(t *testing.T) {
	b := data.EmbeddedSnapshot()
	if b == nil {
		t.Skip("no data/atlas.snap yet: run `go run ./cmd/clusteratlas build`")
	}
	c, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	stale, err := c.Stale(data.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if stale != "" {
		t.Errorf("embedded %s is stale: %s (run `go run ./cmd/clusteratlas build`)", FileName, stale)
	}
	for _, name := range data.CollectionNames {
		if _, ok := c.Dataset.Collections[name]; !ok {
			t.Errorf("snapshot has no %s collection", name)
		}
	}
}
