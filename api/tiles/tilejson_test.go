package tiles

import (
	"encoding/json"
	"testing"
)

func TestTileJSON(t *testing.T) {
	tl := newTestTiles(t, Options{})
	const url = "https://example.org/tiles/{z}/{x}/{y}.mvt"
	tj := tl.TileJSON(url)
	// Through JSON, as a client sees it.
	raw, err := json.Marshal(tj)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TileJSON     string    `json:"tilejson"`
		Tiles        []string  `json:"tiles"`
		Name         string    `json:"name"`
		Attribution  string    `json:"attribution"`
		MinZoom      int       `json:"minzoom"`
		MaxZoom      int       `json:"maxzoom"`
		Bounds       []float64 `json:"bounds"`
		Center       []float64 `json:"center"`
		Polygons     []float64 `json:"x-polygon-bounds"`
		VectorLayers []struct {
			ID      string            `json:"id"`
			Fields  map[string]string `json:"fields"`
			MinZoom *int              `json:"minzoom"`
			MaxZoom *int              `json:"maxzoom"`
		} `json:"vector_layers"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.TileJSON != "3.0.0" || len(doc.Tiles) != 1 || doc.Tiles[0] != url || doc.Name == "" || doc.Attribution == "" {
		t.Errorf("header fields: %s", raw[:200])
	}
	if doc.MinZoom != 0 || doc.MaxZoom != MaxZoom || doc.MinZoom > doc.MaxZoom {
		t.Errorf("zooms %d..%d", doc.MinZoom, doc.MaxZoom)
	}
	// China's polygons: inside 73–136°E, 3–54°N.
	p := doc.Polygons
	if len(p) != 4 || p[0] < 73 || p[1] < 3 || p[2] > 136 || p[3] > 54 || p[0] >= p[2] || p[1] >= p[3] {
		t.Errorf("polygon bounds %v not within China", p)
	}
	// bounds hold the polygons and the flows' far ends (Brussels, Jakarta).
	b := doc.Bounds
	if len(b) != 4 || b[0] > p[0] || b[1] > p[1] || b[2] < p[2] || b[3] < p[3] || b[0] > 4.35 || b[1] > -6.23 || b[0] < -180 || b[3] > 85.06 {
		t.Errorf("bounds %v", b)
	}
	c := doc.Center
	if len(c) != 3 || c[0] < p[0] || c[0] > p[2] || c[1] < p[1] || c[1] > p[3] || c[2] < 0 || c[2] > float64(MaxZoom) {
		t.Errorf("center %v", c)
	}
	want := map[string]bool{}
	for _, n := range LayerNames {
		want[n] = true
	}
	for _, l := range doc.VectorLayers {
		if !want[l.ID] {
			t.Errorf("unexpected or repeated vector layer %q", l.ID)
		}
		delete(want, l.ID)
		if l.MinZoom == nil || l.MaxZoom == nil || *l.MinZoom > *l.MaxZoom || len(l.Fields) == 0 || l.Fields["id"] == "" {
			t.Errorf("layer %s: %+v", l.ID, l)
		}
	}
	if len(want) != 0 {
		t.Errorf("vector layers missing: %v", want)
	}
}
