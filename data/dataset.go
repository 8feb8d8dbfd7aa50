// Package data holds the Cluster Atlas dataset: the embedded default built by
// `clusteratlas build`, the sourced membership table it was built from, and
// the loader that turns either the embedded files or a user's own directory
// into typed features ready for indexing.
package data

import (
	"github.com/paulmach/orb"
)

// Collection names, as served under /collections/{id} and as the file stems
// of a dataset directory (clusters.geojson, ...).
const (
	Clusters      = "clusters"
	Cities        = "cities"
	TransferZones = "transfer-zones"
	Flows         = "flows"
	// The regions planners compare clusters with (issue #13).
	MetroAreas = "metro-areas" // the nationally endorsed 都市圈 plans
	Provinces  = "provinces"   // provincial-level units, Hong Kong, Macao and Taiwan included
	Regions    = "regions"     // NBS's four macro-regions (2011), unions of provinces
	Country    = "country"     // the national outline, the union of the provinces
)

// CollectionNames lists the collections in their canonical order.
var CollectionNames = []string{Clusters, Cities, TransferZones, Flows, MetroAreas, Provinces, Regions, Country}

// Feature is one feature of a collection. Geometry is an orb.Polygon or
// orb.MultiPolygon for clusters, cities and zones, an orb.LineString for flows
// (nil for a flow whose endpoint has no place on the map). Properties are the
// GeoJSON properties as decoded (numbers are float64).
type Feature struct {
	ID         string
	Geometry   orb.Geometry
	Properties map[string]any
}

// Bound is the feature's bounding box (empty bound for a nil geometry).
func (f *Feature) Bound() orb.Bound {
	if f.Geometry == nil {
		return orb.Bound{}
	}
	return f.Geometry.Bound()
}

// String returns a string property, or "" when it is absent or not a string.
func (f *Feature) String(key string) string {
	s, _ := f.Properties[key].(string)
	return s
}

// Float returns a numeric property and whether it was present as a number.
func (f *Feature) Float(key string) (float64, bool) {
	v, ok := f.Properties[key].(float64)
	return v, ok
}

// Strings returns a property that is a list of strings (nil otherwise).
func (f *Feature) Strings(key string) []string {
	list, _ := f.Properties[key].([]any)
	out := make([]string, 0, len(list))
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Dataset is a loaded atlas: four collections and the manifest.
type Dataset struct {
	Collections map[string][]Feature
	Manifest    Manifest
	// Version identifies the content (a hash of the files); it changes
	// whenever any byte of the dataset changes, so it can key HTTP caches.
	Version string
	// ContentHash is ContentHash of each collection file as loaded.
	ContentHash map[string]string
	// Compare is the precomputed /compare table (CompareFile), nil when the
	// directory has none or CompareStale says why it cannot be used; the
	// server then computes it once at load.
	Compare      *CompareTable
	CompareStale error
}

// Collection returns the features of the named collection (nil if unknown).
func (d *Dataset) Collection(name string) []Feature { return d.Collections[name] }

// Manifest is data/manifest.json: where the data came from and what it holds.
type Manifest struct {
	Title        string           `json:"title"`
	BuildTool    string           `json:"build_tool"`
	TableVersion string           `json:"table_version,omitempty"`
	Sources      []SourcePackage  `json:"sources"`
	Counts       map[string]int   `json:"counts"`
	Precision    int              `json:"coordinate_decimals"`
	Clusters     []UnionReport    `json:"cluster_unions,omitempty"`
	Zones        []UnionReport    `json:"zone_unions,omitempty"`
	Regional     []UnionReport    `json:"regional_unions,omitempty"` // provinces, regions, country
	Repairs      *RepairReport    `json:"repairs,omitempty"`
	CrossCheck   []CrossCheckItem `json:"prefecture_crosscheck,omitempty"`
	Licence      string           `json:"licence,omitempty"`
	// SourceNotes records each repair of the sources (ids resolved by name,
	// outlines taken from elsewhere in the packages).
	SourceNotes []string `json:"source_notes,omitempty"`
	// Datum records each source's datum and the conversion to WGS84.
	Datum *DatumReport `json:"datum,omitempty"`
}

// SourcePackage pins one input of the build.
type SourcePackage struct {
	Name      string `json:"name"`
	Version   string `json:"version,omitempty"`
	Integrity string `json:"integrity,omitempty"`
	Role      string `json:"role"`
	Licence   string `json:"licence,omitempty"`
	Datum     string `json:"datum,omitempty"` // of its coordinates: WGS84, GCJ-02, BD-09
}

// UnionReport describes one built (Multi)Polygon.
type UnionReport struct {
	ID          string  `json:"id"`
	Counties    int     `json:"counties"`
	Parts       int     `json:"parts"`
	HolesKept   int     `json:"holes_kept"`
	HolesFilled int     `json:"holes_filled"`
	FilledKm2   float64 `json:"holes_filled_km2"`
	Vertices    int     `json:"vertices"`
	AreaKm2     float64 `json:"area_km2"`
	CountySum   float64 `json:"county_sum_km2"`
	// KeptHoles names the non-member county found in each hole kept.
	KeptHoles []KeptHole `json:"holes_kept_detail,omitempty"`
}

// KeptHole is a hole of a union that a non-member county occupies.
type KeptHole struct {
	County  string  `json:"county"`
	Name    string  `json:"name"`
	AreaKm2 float64 `json:"area_km2"`
}

// RepairReport counts what the build repaired in the source outlines.
type RepairReport struct {
	Counties          int     `json:"counties"`
	CountiesRepaired  int     `json:"counties_repaired"`
	DuplicatePoints   int     `json:"duplicate_points_removed"`
	Spikes            int     `json:"spike_edges_removed"`
	RingsSplit        int     `json:"self_touching_rings_split"`
	DegenerateRings   int     `json:"degenerate_rings_dropped"`
	NodesInserted     int     `json:"t_junction_nodes_inserted"`
	CrossingsSnapped  int     `json:"crossings_snapped_to_grid"`
	OverlayRepaired   int     `json:"repaired_by_overlay"`
	AreaChangePercent float64 `json:"area_change_percent"`
}

// CrossCheckItem compares a prefecture's county union with an independent
// prefecture outline.
type CrossCheckItem struct {
	Code        string  `json:"code"`
	Name        string  `json:"name"`
	CountyKm2   float64 `json:"county_union_km2"`
	OutlineKm2  float64 `json:"outline_km2"`
	DiffPercent float64 `json:"diff_percent"`
	Resolution  string  `json:"resolution"`
}

// Float0 returns a numeric property, or 0 when it is absent.
func (f *Feature) Float0(key string) float64 {
	v, _ := f.Float(key)
	return v
}
