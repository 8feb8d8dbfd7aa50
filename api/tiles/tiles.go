// Package tiles serves the atlas as Mapbox Vector Tiles (MVT 2.1) and
// describes them with TileJSON 3.0.0.
//
// Polygons come from the shared-arc simplification levels (geo/topo), so two
// neighbouring cities stay edge-to-edge in every tile at every zoom; above the
// highest built level they are full detail. Each feature is projected to tile
// coordinates (extent 4096), clipped to the tile plus a buffer, rounded, and
// its rings oriented as MVT 2.1 requires. Tiles are deterministic for a given
// dataset and options, so they are cached in memory (LRU bounded by bytes)
// and ETagged by dataset version and z/x/y.
//
// Tile never touches HTTP: the caller maps a nil body to 204 and
// ErrOutOfRange to a 400 problem.
package tiles

import (
	"errors"
	"fmt"
	"github.com/clusteratlas/clusteratlas/geo"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo/topo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

const (
	// Extent is the MVT tile extent (coordinate units per tile side).
	Extent = 4096
	// Buffer is how far (in tile units) geometry reaches past the tile
	// edge: 80/4096 of a tile, as tippecanoe's default (5 of 256 px). It
	// keeps line joins and polygon outlines seamless across tile edges.
	Buffer = 80
	// MinZoom and MaxZoom bound the served zooms. Past MaxZoom clients
	// overzoom the z14 tiles (full detail; 1 tile unit ≈ 0.6 m there).
	MinZoom = 0
	MaxZoom = 14
	// LevelOffset: tile z is simplified with the topo level built for zoom
	// z+1. The levels' tolerance is half a pixel of a 256-px tile, but
	// MapLibre and Mapbox GL draw vector tiles 512 px wide (tile z fills
	// map zooms z..z+1), so level z would show up to 2 px of error; level
	// z+1 keeps it within 1 px. Tile z ≥ 12 is full detail (no level above
	// z12 is built).
	LevelOffset = 1
	// CitiesMinZoom is the first tile zoom with the cities layer, the
	// viewer's land background: tile z3 is what 512-px clients show at map
	// zooms 3–4, where China fills a laptop screen. Below it 253 city
	// outlines would only add bytes under the clusters.
	CitiesMinZoom = 3
	// CityLabelsMinZoom is the first tile zoom with city points in labels.
	CityLabelsMinZoom = 6
	// DefaultCacheBytes bounds the tile cache unless Options say otherwise.
	// All 2,100 tiles of z0..z8 over China take 2.8 MB (TestPayloadFigures),
	// so this keeps every low-zoom tile plus tens of thousands of deep ones.
	DefaultCacheBytes = 64 << 20
)

// Layer names, in the order they are written into a tile (drawing order for
// clients that do not style them: fills, then lines, then labels).
const (
	// LayerProvinces holds the provincial-level units and the national
	// outline (kind "country"): context under everything else.
	LayerProvinces     = "provinces"
	LayerClusters      = "clusters"
	LayerCities        = "cities"
	LayerTransferZones = "transfer-zones"
	LayerMetroAreas    = "metro-areas"
	LayerFlows         = "flows"
	LayerLabels        = "labels"
)

// LayerNames lists the tile layers in tile order.
var LayerNames = []string{LayerProvinces, LayerClusters, LayerCities, LayerTransferZones, LayerMetroAreas, LayerFlows, LayerLabels}

// ErrOutOfRange is wrapped by the error Tile returns for a z, x or y outside
// the tile grid; errors.As gives the *RangeError with the parameter name.
var ErrOutOfRange = errors.New("tile coordinate out of range")

// RangeError names the tile parameter that broke its rule.
type RangeError struct {
	Param string // "z", "x" or "y"
	Value int
	Rule  string // e.g. "must be an integer in 0..15 at zoom 4"
}

func (e *RangeError) Error() string {
	return fmt.Sprintf("parameter %q: %s, got %d", e.Param, e.Rule, e.Value)
}

// Unwrap makes errors.Is(err, ErrOutOfRange) hold.
func (e *RangeError) Unwrap() error { return ErrOutOfRange }

// Options tunes New. The zero value gives the defaults.
type Options struct {
	// CacheBytes bounds the memory held by cached tile bodies (keys and
	// bookkeeping included). Zero means DefaultCacheBytes; negative
	// disables the cache.
	CacheBytes int64
	// StraightFlows draws flows as 2-point lines instead of curved arcs.
	StraightFlows bool
	// Datum of the tile grid: WGS84 (default) for OSM, Mapbox, MapLibre
	// and Tianditu base maps; GCJ-02 for AMap and Tencent. Each vertex is
	// transformed as it is projected (a pure function of the vertex, so
	// shared borders stay shared in every tile).
	Datum geo.Datum
}

// Tiles renders and caches the vector tiles of one dataset. It is safe for
// concurrent use; build a new one when the dataset changes.
type Tiles struct {
	version string
	opts    Options
	levels  *topo.Levels
	layers  map[string][]tileFeature
	bounds  orb.Bound // of every feature served (flows included)
	china   orb.Bound // of the polygon layers: where the map starts
	cache   *lruCache

	ringBounds ringBounds

	mu       sync.Mutex
	inflight map[tileKey]*call
}

// tileFeature is one feature prepared once: its properties in MVT-friendly
// scalar form, its full-detail bound for the tile prefilter, and how to get
// its geometry at a zoom.
type tileFeature struct {
	id      uint64
	props   geojson.Properties // shared read-only by every tile
	bound   orb.Bound
	layer   string // topo layer for polygons ("" for fixed geometry)
	index   int    // index in the topo layer
	geom    orb.Geometry
	minZoom int
}

type tileKey struct{ z, x, y int }

type call struct {
	done chan struct{}
	body []byte
	err  error
}

// New prepares the tiles of ds. levels holds the simplified polygons of the
// clusters, cities and transfer-zones layers in the dataset's feature order
// (as built by the api from the same dataset); nil serves full detail at
// every zoom (correct, but large low-zoom tiles).
func New(ds *data.Dataset, levels *topo.Levels, opts Options) *Tiles {
	t := &Tiles{
		version:  ds.Version,
		opts:     opts,
		levels:   levels,
		layers:   map[string][]tileFeature{},
		inflight: map[tileKey]*call{},
	}
	switch {
	case opts.CacheBytes == 0:
		t.cache = newLRUCache(DefaultCacheBytes)
	case opts.CacheBytes > 0:
		t.cache = newLRUCache(opts.CacheBytes)
	}

	colours := ColourIndexes(ds.Collections[data.Clusters])
	first := true
	grow := func(b orb.Bound) {
		if first {
			t.bounds, first = b, false
		} else {
			t.bounds = t.bounds.Union(b)
		}
	}

	for _, name := range []string{data.Clusters, data.Cities, data.TransferZones} {
		minZoom := 0
		if name == data.Cities {
			minZoom = CitiesMinZoom
		}
		for i, f := range ds.Collections[name] {
			if f.Geometry == nil {
				continue
			}
			var props geojson.Properties
			switch name {
			case data.Clusters:
				props = clusterProps(&f, colours)
			case data.Cities:
				props = cityProps(&f)
			default:
				props = zoneProps(&f)
			}
			b := f.Geometry.Bound()
			grow(b)
			t.layers[name] = append(t.layers[name], tileFeature{
				id: uint64(i + 1), props: props, bound: b, layer: name, index: i, geom: f.Geometry, minZoom: minZoom,
			})
		}
	}
	t.china = t.bounds

	// Context and metro areas: after t.china, so the map still opens on
	// the clusters rather than on the South China Sea islands.
	for _, src := range []struct{ collection, layer string }{
		{data.Country, LayerProvinces}, {data.Provinces, LayerProvinces}, {data.MetroAreas, LayerMetroAreas},
	} {
		for i, f := range ds.Collections[src.collection] {
			if f.Geometry == nil {
				continue
			}
			var props geojson.Properties
			switch src.collection {
			case data.Country:
				props = geojson.Properties{"id": f.ID, "kind": "country"}
				copyProps(props, &f, "name_zh", "name_en")
			case data.Provinces:
				props = geojson.Properties{"id": f.ID}
				copyProps(props, &f, "kind", "code", "name_zh", "name_en", "region")
			default:
				props = geojson.Properties{"id": f.ID}
				copyProps(props, &f, "name_zh", "name_en", "confidence", "low_confidence", "area_km2")
			}
			b := f.Geometry.Bound()
			grow(b)
			// ids unique within a tile layer: the country after the provinces
			id := uint64(i + 1)
			if src.collection == data.Country {
				id = uint64(len(ds.Collections[data.Provinces]) + i + 1)
			}
			t.layers[src.layer] = append(t.layers[src.layer], tileFeature{
				id: id, props: props, bound: b, layer: src.collection, index: i, geom: f.Geometry,
			})
		}
	}

	flows := ds.Collections[data.Flows]
	geoms := FlowGeometries(flows, opts.StraightFlows)
	for i, f := range flows {
		if geoms[i] == nil {
			continue
		}
		b := geoms[i].Bound()
		grow(b)
		t.layers[LayerFlows] = append(t.layers[LayerFlows], tileFeature{
			id: uint64(i + 1), props: flowProps(&f), bound: b, geom: geoms[i],
		})
	}

	// Label points: clusters first so a client that collides labels in
	// feature order keeps the cluster names.
	n := 0
	for _, kind := range []string{data.Clusters, data.Cities} {
		for rank, f := range ds.Collections[kind] {
			p, ok := labelPoint(&f)
			if !ok {
				continue
			}
			n++
			props := geojson.Properties{"id": f.ID, "name_zh": f.String("name_zh"), "kind": "cluster"}
			minZoom := 0
			if kind == data.Cities {
				props["kind"] = "city"
				minZoom = CityLabelsMinZoom
			} else {
				props["color"] = colours[f.ID]
				// The legend orders clusters by tier, then by the seed
				// table's order, which the dataset keeps.
				props["rank"] = rank
				if s := f.String("tier"); s != "" {
					props["tier"] = s
				}
			}
			if s := f.String("name_en"); s != "" {
				props["name_en"] = s
			}
			if a, ok := f.Float("area_km2"); ok {
				props["area_km2"] = a
			}
			t.layers[LayerLabels] = append(t.layers[LayerLabels], tileFeature{
				id: uint64(n), props: props, bound: orb.Bound{Min: p, Max: p}, geom: p, minZoom: minZoom,
			})
		}
	}
	return t
}

// ColourIndexes gives each cluster a colour index 0..n-1 by the sorted order
// of its id, so a cluster keeps its colour whatever order the features come
// in, and every one of the 19 clusters gets a colour of its own (the viewer
// has a 20-colour palette).
func ColourIndexes(clusters []data.Feature) map[string]int {
	ids := make([]string, 0, len(clusters))
	for _, f := range clusters {
		ids = append(ids, f.ID)
	}
	sort.Strings(ids)
	out := make(map[string]int, len(ids))
	for i, id := range ids {
		out[id] = i
	}
	return out
}

// Version is the dataset version the tiles were built from.
func (t *Tiles) Version() string { return t.version }

// ETag is the strong entity tag of tile z/x/y: tiles are a pure function of
// the dataset and the flow style, so no hashing of the body is needed.
func (t *Tiles) ETag(z, x, y int) string {
	style := "c"
	if t.opts.StraightFlows {
		style = "s"
	}
	return fmt.Sprintf(`"%s-%s-%d-%d-%d"`, t.version, style, z, x, y)
}

// Validate checks a tile address against the grid.
func Validate(z, x, y int) error {
	if z < MinZoom || z > MaxZoom {
		return &RangeError{Param: "z", Value: z, Rule: fmt.Sprintf("must be an integer zoom in %d..%d", MinZoom, MaxZoom)}
	}
	n := 1 << z
	if x < 0 || x >= n {
		return &RangeError{Param: "x", Value: x, Rule: fmt.Sprintf("must be an integer in 0..%d at zoom %d", n-1, z)}
	}
	if y < 0 || y >= n {
		return &RangeError{Param: "y", Value: y, Rule: fmt.Sprintf("must be an integer in 0..%d at zoom %d", n-1, z)}
	}
	return nil
}

// Tile returns the uncompressed MVT body of tile z/x/y, or (nil, nil) when
// the tile holds no feature (HTTP 204). An address off the grid is an error
// wrapping ErrOutOfRange. Concurrent requests for one uncached tile render
// it once.
func (t *Tiles) Tile(z, x, y int) ([]byte, error) {
	if err := Validate(z, x, y); err != nil {
		return nil, err
	}
	k := tileKey{z, x, y}
	if t.cache != nil {
		if body, ok := t.cache.get(k); ok {
			return body, nil
		}
	}
	t.mu.Lock()
	if c, ok := t.inflight[k]; ok {
		t.mu.Unlock()
		<-c.done
		return c.body, c.err
	}
	c := &call{done: make(chan struct{})}
	t.inflight[k] = c
	t.mu.Unlock()

	c.body, c.err = t.render(z, x, y)
	if c.err == nil && t.cache != nil {
		t.cache.add(k, c.body)
	}
	t.mu.Lock()
	delete(t.inflight, k)
	t.mu.Unlock()
	close(c.done)
	return c.body, c.err
}

// CacheStats reports the tile cache (zero when disabled).
func (t *Tiles) CacheStats() CacheStats {
	if t.cache == nil {
		return CacheStats{}
	}
	return t.cache.stats()
}

// render builds one tile without the cache.
func (t *Tiles) render(z, x, y int) ([]byte, error) {
	tile := maptile.New(uint32(x), uint32(y), maptile.Zoom(z))
	// Features whose (full-detail) bound misses the buffered tile cannot
	// reach it at any simplification: simplified vertices are a subset.
	box := tile.Bound(float64(Buffer) / Extent)
	proj := newProjector(z, x, y, &t.ringBounds)
	if d := t.opts.Datum; d != "" && d != geo.WGS84 {
		// the features are stored in WGS84: select and clip them with a box
		// covering the tile's pre-image, project through the datum
		box = geo.TransformBound(box, d.ToWGS84)
		proj.llBox = geo.TransformBound(proj.llBox, d.ToWGS84)
		proj.shift = d.FromWGS84
	}

	var layers mvt.Layers
	total := 0
	for _, name := range LayerNames {
		var feats []*geojson.Feature
		for i := range t.layers[name] {
			f := &t.layers[name][i]
			if z < f.minZoom || !box.Intersects(f.bound) {
				continue
			}
			g := f.geom
			if f.layer != "" && t.levels != nil {
				g = t.levels.Geometry(f.layer, f.index, z+LevelOffset)
			}
			var tg orb.Geometry
			switch g := g.(type) {
			case orb.Polygon:
				tg = proj.polygons([]orb.Polygon{g})
			case orb.MultiPolygon:
				tg = proj.polygons(g)
			case orb.LineString:
				tg = proj.line(g)
			case orb.Point:
				tg = proj.point(g)
			}
			if tg == nil {
				continue
			}
			feats = append(feats, &geojson.Feature{ID: f.id, Geometry: tg, Properties: f.props})
		}
		if len(feats) == 0 {
			continue
		}
		total += len(feats)
		layers = append(layers, &mvt.Layer{Name: name, Version: 2, Extent: Extent, Features: feats})
	}
	if total == 0 {
		return nil, nil
	}
	return mvt.Marshal(layers)
}

// Properties. MVT values are scalars, so lists become joined strings.

func clusterProps(f *data.Feature, colours map[string]int) geojson.Properties {
	p := geojson.Properties{"id": f.ID, "color": colours[f.ID]}
	copyProps(p, f, "name_zh", "name_en", "tier", "definition", "confidence",
		"area_km2", "official_area_km2", "members_whole", "members_partial")
	return p
}

func cityProps(f *data.Feature) geojson.Properties {
	p := geojson.Properties{"id": f.ID}
	copyProps(p, f, "code", "name_zh", "name_en", "province", "area_km2")
	var ids, partial []string
	list, _ := f.Properties["clusters"].([]any)
	for _, v := range list {
		m, _ := v.(map[string]any)
		id, _ := m["id"].(string)
		if id == "" {
			continue
		}
		ids = append(ids, id)
		if b, _ := m["partial"].(bool); b {
			partial = append(partial, id)
		}
	}
	p["clusters"] = strings.Join(ids, ",")
	p["clusters_partial"] = strings.Join(partial, ",")
	p["cluster_count"] = len(ids)
	if z := f.Strings("zones"); len(z) > 0 {
		p["zones"] = strings.Join(z, ",")
	}
	return p
}

func zoneProps(f *data.Feature) geojson.Properties {
	p := geojson.Properties{"id": f.ID}
	copyProps(p, f, "name_zh", "name_en", "approved", "area_km2")
	return p
}

func flowProps(f *data.Feature) geojson.Properties {
	p := geojson.Properties{"id": f.ID}
	copyProps(p, f, "from", "to", "from_name", "to_name", "from_type", "to_type", "kind", "relation", "year")
	if s := f.Strings("sectors"); len(s) > 0 {
		p["sectors"] = strings.Join(s, "、")
	}
	// MVT has no lists: the macro-regions of region ends, comma-joined
	for _, k := range []string{"from_regions", "to_regions"} {
		if s := f.Strings(k); len(s) > 0 {
			p[k] = strings.Join(s, ",")
		}
	}
	return p
}

var integerProps = map[string]bool{"members_whole": true, "members_partial": true, "approved": true, "year": true}

// copyProps copies the scalar properties present (nulls and lists skipped:
// MVT has neither).
func copyProps(p geojson.Properties, f *data.Feature, keys ...string) {
	for _, k := range keys {
		switch v := f.Properties[k].(type) {
		case string:
			if v != "" {
				p[k] = v
			}
		case float64:
			// Counts and years are integers; everything else stays a double
			// in every feature, so readers that type a column from its first
			// value (GDAL) do not see it change type.
			if integerProps[k] && v == math.Trunc(v) && math.Abs(v) < 1<<53 {
				p[k] = int64(v)
			} else {
				p[k] = v
			}
		case bool:
			p[k] = v
		}
	}
}

func labelPoint(f *data.Feature) (orb.Point, bool) {
	l, _ := f.Properties["label"].([]any)
	if len(l) != 2 {
		return orb.Point{}, false
	}
	lon, ok1 := l[0].(float64)
	lat, ok2 := l[1].(float64)
	return orb.Point{lon, lat}, ok1 && ok2
}
