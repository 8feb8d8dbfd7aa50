package data

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
)

// CompareFile is the precomputed /compare table in a dataset directory,
// written by `clusteratlas build` next to the collections.
const CompareFile = "compare.json.gz"

// CompareCollections are the polygon collections /compare relates: every
// unordered pair of their features gets a row of the table, and every
// feature a covered_by share per other collection listed here. A new
// polygon collection joins /compare by being appended to this list (the
// build and the load-time fallback both read it).
var CompareCollections = []string{Clusters, MetroAreas, Regions, Provinces}

// CompareTableVersion changes when the table's layout or meaning changes;
// a table of another version is recomputed at load.
const CompareTableVersion = 1

// CompareTable holds every /compare metric that does not depend on the
// request, so a comparison is a lookup.
type CompareTable struct {
	Version int `json:"version"`
	// Sources maps each collection to the ContentHash of the file the table
	// was computed from; a table whose sources differ from the loaded files
	// is stale and is not used.
	Sources  map[string]string `json:"sources"`
	Features []CompareFeature  `json:"features"`
	Pairs    []ComparePair     `json:"pairs"`
}

// CompareFeature is the per-feature part of the table (full-detail
// geometry, measured once).
type CompareFeature struct {
	Collection  string      `json:"collection"`
	ID          string      `json:"id"`
	AreaKm2     float64     `json:"area_km2"`
	PerimeterKm float64     `json:"perimeter_km"`
	Centroid    *[2]float64 `json:"centroid"` // planar area centroid (lon, lat); null without geometry
	BBox        *[4]float64 `json:"bbox"`
	// CoveredBy is, per other compared collection, the share of this
	// feature's area inside the union of that collection's features.
	CoveredBy map[string]float64 `json:"covered_by,omitempty"`
}

// ComparePair relates two features (A and B are indexes into Features,
// A < B); the metrics are symmetric except the shares.
type ComparePair struct {
	A                  int      `json:"a"`
	B                  int      `json:"b"`
	OverlapAreaKm2     *float64 `json:"overlap_area_km2"` // null if the overlay failed
	ShareOfA           *float64 `json:"share_of_a"`       // overlap / area of A
	ShareOfB           *float64 `json:"share_of_b"`
	EdgeDistanceKm     *float64 `json:"edge_distance_km"` // 0 when touching or overlapping; null without geometry
	LabelDistanceKm    *float64 `json:"label_distance_km"`
	CentroidDistanceKm *float64 `json:"centroid_distance_km"`
}

// QualifiedID names a feature across collections ("clusters:yangtze-delta").
func QualifiedID(collection, id string) string { return collection + ":" + id }

// Stale reports why the table cannot serve ds (nil when it can): another
// layout version, or computed from other collection files.
func (t *CompareTable) Stale(ds *Dataset, collections []string) error {
	if t.Version != CompareTableVersion {
		return fmt.Errorf("%s: version %d, want %d", CompareFile, t.Version, CompareTableVersion)
	}
	if len(t.Sources) != len(collections) {
		return fmt.Errorf("%s: computed for %d collections, want %d (%v)", CompareFile, len(t.Sources), len(collections), collections)
	}
	for _, name := range collections {
		if got, want := t.Sources[name], ds.ContentHash[name]; got != want {
			return fmt.Errorf("%s: computed from another %s file (%q, loaded %q)", CompareFile, name, got, want)
		}
	}
	for _, p := range t.Pairs {
		if p.A < 0 || p.B < 0 || p.A >= len(t.Features) || p.B >= len(t.Features) {
			return fmt.Errorf("%s: pair (%d, %d) out of range", CompareFile, p.A, p.B)
		}
	}
	return nil
}

// EncodeCompareTable renders the table as gzip JSON, deterministically
// (features in the order given, pairs sorted), for the build.
func EncodeCompareTable(t *CompareTable) ([]byte, error) {
	sort.Slice(t.Pairs, func(i, j int) bool {
		if t.Pairs[i].A != t.Pairs[j].A {
			return t.Pairs[i].A < t.Pairs[j].A
		}
		return t.Pairs[i].B < t.Pairs[j].B
	})
	raw, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(raw)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// readCompareTable reads CompareFile from fsys; (nil, nil) when absent.
func readCompareTable(fsys fs.FS) (*CompareTable, error) {
	f, err := fsys.Open(CompareFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", CompareFile, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", CompareFile, err)
	}
	var t CompareTable
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", CompareFile, err)
	}
	return &t, nil
}
