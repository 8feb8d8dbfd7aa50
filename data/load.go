package data

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"

	"github.com/paulmach/orb/geojson"
)

// *.gz: the collections and, once built, compare.json.gz (the pattern
// keeps the package building where the table has not been generated yet).
//
//go:embed *.gz manifest.json clusters.json
var embedded embed.FS

// snapshotFS holds atlas.snap, the binary snapshot `clusteratlas build`
// writes beside the GeoJSON (see package data/snapshot), when it exists.
// It is generated and may be absent from a fresh checkout, and every
// //go:embed pattern must match a file, so the pattern also matches the
// two .json files (which are embedded above anyway).
//
//go:embed *.[js][sn]*
var snapshotFS embed.FS

// EmbeddedSnapshot returns the embedded atlas.snap, or nil when the binary
// was built without one (serve then indexes the GeoJSON at start-up).
func EmbeddedSnapshot() []byte {
	b, _ := snapshotFS.ReadFile("atlas.snap")
	return b
}

// Embedded returns the embedded dataset files (for `check`, tests and
// anyone who wants the raw GeoJSON).
func Embedded() fs.FS { return embedded }

// SourceTable returns the embedded sourced membership table (clusters.json).
func SourceTable() []byte {
	b, _ := embedded.ReadFile("clusters.json")
	return b
}

var (
	embeddedOnce sync.Once
	embeddedSet  *Dataset
	embeddedErr  error
)

// Load returns the embedded default dataset. It is decoded once per process
// and shared: callers must not modify it.
func Load() (*Dataset, error) {
	embeddedOnce.Do(func() { embeddedSet, embeddedErr = LoadFS(embedded) })
	return embeddedSet, embeddedErr
}

// LoadDir reads a dataset directory of the same shape as the embedded one.
func LoadDir(dir string) (*Dataset, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s: not a directory", dir)
	}
	return LoadFS(os.DirFS(dir))
}

// optionalCollection: a dataset directory may leave these out (one built
// before they existed, or a user's own for part of the country); they load
// empty. The clusters, cities, zones and flows must be there.
var optionalCollection = map[string]bool{MetroAreas: true, Provinces: true, Regions: true, Country: true}

// OptionalCollection reports whether a dataset directory may omit the
// collection (it then loads empty).
func OptionalCollection(name string) bool { return optionalCollection[name] }

// LoadFS reads the collections and the manifest from fsys. Each
// collection is NAME.geojson or NAME.geojson.gz. It decodes only; run Check
// for validation.
func LoadFS(fsys fs.FS) (*Dataset, error) {
	ds := &Dataset{Collections: map[string][]Feature{}, ContentHash: map[string]string{}}
	hash := sha256.New()
	for _, name := range CollectionNames {
		file, raw, err := ReadCollectionFile(fsys, name)
		if err != nil && optionalCollection[name] && errors.Is(err, fs.ErrNotExist) {
			ds.Collections[name] = []Feature{}
			ds.ContentHash[name] = ContentHash(nil)
			continue
		}
		if err != nil {
			return nil, err
		}
		hash.Write(raw)
		ds.ContentHash[name] = ContentHash(raw)
		features, err := DecodeFeatures(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		AddFlatFields(features)
		ds.Collections[name] = features
	}
	if raw, err := fs.ReadFile(fsys, "manifest.json"); err == nil {
		hash.Write(raw)
		if err := json.Unmarshal(raw, &ds.Manifest); err != nil {
			return nil, fmt.Errorf("manifest.json: %w", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	ds.Version = hex.EncodeToString(hash.Sum(nil))[:16]
	table, err := readCompareTable(fsys)
	if err != nil {
		return nil, err // present but unreadable: a broken dataset, say so
	}
	if table != nil {
		if stale := table.Stale(ds, CompareCollections); stale != nil {
			ds.CompareStale = stale
		} else {
			ds.Compare = table
		}
	}
	return ds, nil
}

// ContentHash identifies a collection file's (decompressed) bytes; the
// compare table records the hashes it was computed from.
func ContentHash(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:8])
}

// ReadCollectionFile finds NAME.geojson or NAME.geojson.gz in fsys and
// returns the file name used and its (decompressed) bytes.
func ReadCollectionFile(fsys fs.FS, name string) (string, []byte, error) {
	plain := name + ".geojson"
	if raw, err := fs.ReadFile(fsys, plain); err == nil {
		return plain, raw, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return plain, nil, err
	}
	gz := plain + ".gz"
	f, err := fsys.Open(gz)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return plain, nil, fmt.Errorf("%s: missing (neither %s nor %s): %w", name, plain, gz, fs.ErrNotExist)
		}
		return gz, nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return gz, nil, fmt.Errorf("%s: %w", gz, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return gz, nil, fmt.Errorf("%s: %w", gz, err)
	}
	return gz, raw, nil
}

// DecodeFeatures parses a GeoJSON FeatureCollection into features. Every
// feature needs a string id (in "id" or properties.id).
func DecodeFeatures(raw []byte) ([]Feature, error) {
	out, err := decodeCollection(raw)
	if err != nil {
		return nil, err
	}
	for i, f := range out {
		if f.ID == "" {
			return nil, fmt.Errorf("feature %d: no id", i)
		}
	}
	return out, nil
}

// decodeCollection parses features and leaves a missing id empty, so Check
// can report it and go on.
func decodeCollection(raw []byte) ([]Feature, error) {
	raw = bytes.TrimSpace(raw)
	if out, ok := decodeFast(raw); ok {
		return out, nil
	}
	// not the common shape: orb's decoder accepts what GeoJSON allows
	// and explains what it does not
	return decodeWithOrb(raw)
}

// decodeWithOrb decodes through orb's GeoJSON types (the reference the
// fast path is tested against).
func decodeWithOrb(raw []byte) ([]Feature, error) {
	var fc geojson.FeatureCollection
	if err := json.Unmarshal(bytes.TrimSpace(raw), &fc); err != nil {
		return nil, fmt.Errorf("not a GeoJSON FeatureCollection: %w", err)
	}
	out := make([]Feature, 0, len(fc.Features))
	for _, f := range fc.Features {
		props := map[string]any(f.Properties)
		if props == nil {
			props = map[string]any{}
		}
		out = append(out, Feature{ID: featureID(f.ID, props), Geometry: f.Geometry, Properties: props})
	}
	return out, nil
}

func featureID(id any, props map[string]any) string {
	switch v := id.(type) {
	case string:
		return v
	case float64:
		return fmt.Sprint(int64(v))
	}
	if s, ok := props["id"].(string); ok {
		return s
	}
	if s, ok := props["code"].(string); ok {
		return s
	}
	return ""
}
