package api

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clusteratlas/clusteratlas/api/tiles"
	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/clusteratlas/clusteratlas/geo/topo"
	"github.com/paulmach/orb"
)

// State is everything a request reads: the indexed atlas, the simplified
// levels, the planner's indicators and the version that keys HTTP caches.
// It is never modified after construction (the memo caches only fill in
// values derived from it), so handlers take one snapshot per request and a
// reload swaps in a whole new State atomically.
type State struct {
	Atlas      *geo.Atlas
	Levels     *topo.Levels // nil until built (see WithLevels); zoom requests get 503 meanwhile
	Indicators *Indicators  // nil without --indicators
	// Tiles renders the vector tiles from Levels; built with them
	// (WithLevels), so it is nil exactly while Levels is (503 meanwhile).
	Tiles *tiles.Tiles
	// TilesGCJ02 are the same tiles drawn in GCJ-02 (AMap, Tencent base
	// maps), with a cache of their own (of the same size)
	TilesGCJ02 *tiles.Tiles
	// Version changes whenever any served byte could change: the dataset
	// version plus the indicators' hash.
	Version  string
	LoadedAt time.Time

	meta map[string]*collectionMeta
	// flowLines are the flows' drawable (curved) geometries by feature
	// index, as the tiles draw them (flow_shape=curved; see flowshape.go).
	flowLines []orb.Geometry
	// encoded holds each feature's properties pre-encoded as JSON, so the
	// hot query paths append bytes instead of marshalling maps.
	encoded map[string]*encodedProps
	located []locatedCollection // the collections /locate reports, pre-rendered
	// locatedRuns caches /locate's answer by uniform run of the locate
	// grid (geo.Atlas.LocateRun), filled as points arrive; shared by the
	// copies WithLevels makes, which answer /locate alike.
	locatedRuns []atomic.Pointer[locatedRun]
	// stamp is LoadedAt formatted once (timeStamp in propcache.go).
	stamp     string
	stampOnce *sync.Once
	// prefix caches tagPrefix (propcache.go).
	prefix *atomic.Pointer[tagPrefix]
	// compare answers /compare from the precomputed table.
	compare *compareIndex
}

// collectionMeta is what the collection documents need, computed once.
type collectionMeta struct {
	Extent    orb.Bound
	HasExtent bool
	// TimeProperty is the year-valued property datetime filters on ("" for none).
	TimeProperty       string
	MinYear, MaxYear   int
	HasTime            bool
	PropertyNames      map[string]bool
	Title, Description string
	// Schema is inferred from the features (schema.go): the schema,
	// queryables, filter and CSV columns read it.
	Schema *collectionSchema
}

// polygonLayers are the collections simplified per zoom.
var polygonLayers = []string{data.Clusters, data.Cities, data.TransferZones, data.MetroAreas, data.Provinces, data.Regions, data.Country}

// collectionTimeProperty names the year property of each temporal collection.
var collectionTimeProperty = map[string]string{data.Flows: "year", data.TransferZones: "approved", data.Clusters: "plan_date"}

var collectionText = map[string][2]string{
	data.Clusters:      {"City clusters", "The nineteen city clusters (城市群) of the 13th Five-Year Plan, drawn as the union of their member cities (and the named counties of partial members)."},
	data.Cities:        {"Member cities", "Prefecture-level member cities of the clusters, with the clusters and transfer zones each belongs to."},
	data.TransferZones: {"Industrial-transfer demonstration zones", "National industrial-transfer demonstration zones (国家级承接产业转移示范区), with approval year and origin regions."},
	data.Flows:         {"Industry-transfer flows", "Origin → destination industry-transfer flows stated in official documents; geometry is null where an end has no place on the map. from_regions/to_regions name the macro-regions (regions collection) a region endpoint stands for."},
	data.MetroAreas:    {"Metropolitan areas", "The 18 nationally endorsed metropolitan-area plans (都市圈, 2021–2025), drawn as the union of the units each plan names; 武汉 and 郑州 have no published scope and no geometry. low_confidence marks plans read from a single secondary source."},
	data.Provinces:     {"Provinces", "The 34 provincial-level units (GB/T 2260), each the union of its counties; Taiwan from its own WGS84 outline (data.gov.tw). With 2020 census populations (31 mainland units)."},
	data.Regions:       {"Macro-regions", "The National Bureau of Statistics' four macro-regions (东部, 中部, 西部, 东北; 2011 division by province), unions of their provinces. Hong Kong, Macao and Taiwan are in none."},
	data.Country:       {"National outline", "China's national outline: the union of the provincial-level units."},
}

// NewState indexes ds and prepares the collection metadata. Levels are not
// built here: they are slow on the real data, so start-up builds them in the
// background (BuildLevels + WithLevels) while /readyz reports 503.
func NewState(ds *data.Dataset, ind *Indicators) (*State, error) {
	atlas, err := geo.NewAtlas(ds)
	if err != nil {
		return nil, err
	}
	return newState(atlas, ind)
}

// newState is NewState on an atlas already indexed (from GeoJSON or from a
// snapshot).
func newState(atlas *geo.Atlas, ind *Indicators) (*State, error) {
	ds := atlas.Dataset()
	st := &State{Atlas: atlas, Indicators: ind, LoadedAt: time.Now().UTC(), meta: map[string]*collectionMeta{}, stampOnce: &sync.Once{}, prefix: &atomic.Pointer[tagPrefix]{}}
	st.Version = ds.Version
	if ind != nil {
		st.Version += "-" + ind.Hash
	}
	for _, name := range data.CollectionNames {
		coll, ok := atlas.Collection(name)
		if !ok {
			return nil, fmt.Errorf("dataset has no %s collection", name)
		}
		m := &collectionMeta{PropertyNames: map[string]bool{}, TimeProperty: collectionTimeProperty[name]}
		m.Title, m.Description = collectionText[name][0], collectionText[name][1]
		for i := range coll.Features {
			f := &coll.Features[i]
			if f.Geometry != nil {
				if !m.HasExtent {
					m.Extent, m.HasExtent = f.Bound(), true
				} else {
					m.Extent = m.Extent.Union(f.Bound())
				}
			}
			for k := range f.Properties {
				m.PropertyNames[k] = true
			}
			if y, ok := yearOfSpan(f, m.TimeProperty); ok {
				if !m.HasTime || y < m.MinYear {
					m.MinYear = y
				}
				if !m.HasTime || y > m.MaxYear {
					m.MaxYear = y
				}
				m.HasTime = true
			}
		}
		m.Schema = inferSchema(coll.Features)
		st.meta[name] = m
	}
	var err error
	if st.compare, err = newCompareIndex(ds, atlas); err != nil {
		return nil, err
	}
	st.encoded = encodeAllProperties(atlas)
	st.located = locatedCollections(atlas, st.encoded)
	st.locatedRuns = make([]atomic.Pointer[locatedRun], atlas.LocateRuns())
	st.flowLines = curvedFlowLines(atlas)
	return st, nil
}

// WithLevels returns a copy of s serving the given simplified levels and
// the vector tiles built on them (default tile options; the server uses
// WithLevelsAndTiles with its configured tile cache).
func (s *State) WithLevels(l *topo.Levels) *State {
	return s.WithLevelsAndTiles(l, tiles.Options{})
}

// WithLevelsAndTiles is WithLevels with the tile options given. The tiles
// (and their cache) belong to this state: a reload starts a fresh cache.
func (s *State) WithLevelsAndTiles(l *topo.Levels, opts tiles.Options) *State {
	cp := *s
	cp.Levels = l
	cp.Tiles, cp.TilesGCJ02 = nil, nil
	if l != nil {
		cp.Tiles = tiles.New(s.Atlas.Dataset(), l, opts)
		gcj := opts
		gcj.Datum = geo.GCJ02
		cp.TilesGCJ02 = tiles.New(s.Atlas.Dataset(), l, gcj)
	}
	return &cp
}

// CompareSource says where the /compare table came from: the dataset's
// precomputed file, or computed at load (and why), for the start-up log.
func (s *State) CompareSource() string { return s.compare.source }

// Ready reports whether every part of the state, levels included, is there.
func (s *State) Ready() bool { return s != nil && s.Levels != nil }

// BuildLevels simplifies the polygon layers for zooms 0..MaxZoom.
func BuildLevels(atlas *geo.Atlas) (*topo.Levels, error) {
	layers := map[string][]orb.Geometry{}
	for _, name := range polygonLayers {
		coll, ok := atlas.Collection(name)
		if !ok {
			continue
		}
		geoms := make([]orb.Geometry, len(coll.Features))
		for i := range coll.Features {
			geoms[i] = coll.Features[i].Geometry
		}
		layers[name] = geoms
	}
	zooms := make([]int, MaxZoom+1)
	for z := range zooms {
		zooms[z] = z
	}
	return topo.Build(layers, zooms)
}

// propertyList is the sorted property names of a collection (for messages).
func (m *collectionMeta) propertyList() []string {
	out := make([]string, 0, len(m.PropertyNames))
	for k := range m.PropertyNames {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
