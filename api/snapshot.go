package api

import (
	"fmt"
	"io/fs"
	"os"
	"slices"
	"testing/fstest"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/data/snapshot"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/clusteratlas/clusteratlas/geo/topo"
)

// BuildSnapshot computes everything serving ds needs — the atlas's areas
// and containment grids, the simplified levels of polygonLayers — and
// encodes it with ds as a snapshot (data/atlas.snap). sources are the
// hashes of the dataset files ds was loaded from (snapshot.HashSources),
// so a server can tell a snapshot that no longer matches its GeoJSON.
func BuildSnapshot(ds *data.Dataset, sources map[string]string) ([]byte, error) {
	atlas, err := geo.NewAtlas(ds)
	if err != nil {
		return nil, err
	}
	levels, err := BuildLevels(atlas)
	if err != nil {
		return nil, fmt.Errorf("simplifying: %w", err)
	}
	c := &snapshot.Contents{Dataset: ds, Index: map[string]geo.Precomputed{}, Levels: levels.Export(), Sources: sources}
	for name := range ds.Collections {
		c.Index[name], _ = atlas.Precomputed(name)
	}
	for _, name := range polygonLayers {
		if _, ok := ds.Collections[name]; ok {
			c.Layers = append(c.Layers, name)
		}
	}
	return snapshot.Encode(c)
}

// NewStateFromSnapshot is NewState plus BuildLevels from a decoded
// snapshot, without recomputing anything the snapshot holds. The levels
// are returned apart, for Server.WithLevels. It fails when the snapshot's
// layers are not this program's polygonLayers (a snapshot from another
// version of the atlas).
func NewStateFromSnapshot(c *snapshot.Contents, ind *Indicators) (*State, *topo.Levels, error) {
	var want []string
	for _, name := range polygonLayers {
		if _, ok := c.Dataset.Collections[name]; ok {
			want = append(want, name)
		}
	}
	if !slices.Equal(c.Layers, want) {
		return nil, nil, fmt.Errorf("snapshot: simplified layers %v, this program simplifies %v (rebuild the snapshot)", c.Layers, polygonLayers)
	}
	atlas, err := geo.NewAtlasFromIndex(c.Dataset, c.Index)
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot: %w", err)
	}
	levels, err := topo.FromExport(c.OrigLayers(), c.Levels)
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot: %w", err)
	}
	st, err := newState(atlas, ind)
	if err != nil {
		return nil, nil, err
	}
	return st, levels, nil
}

// SnapshotOfFiles loads dataset files as `clusteratlas build` renders them
// (name → bytes) exactly as a server would load them from a directory, and
// snapshots the result: the snapshot describes those very bytes.
func SnapshotOfFiles(files map[string][]byte) ([]byte, error) {
	fsys := fstest.MapFS{}
	for name, b := range files {
		fsys[name] = &fstest.MapFile{Data: b, Mode: 0o644}
	}
	return snapshotOfFS(fsys)
}

func snapshotOfFS(fsys fs.FS) ([]byte, error) {
	ds, err := data.LoadFS(fsys)
	if err != nil {
		return nil, err
	}
	sources, err := snapshot.HashSources(fsys)
	if err != nil {
		return nil, err
	}
	return BuildSnapshot(ds, sources)
}

// SnapshotOfDir snapshots the dataset directory dir (for `clusteratlas
// snapshot DIR`, after editing its GeoJSON by hand).
func SnapshotOfDir(dir string) ([]byte, error) { return snapshotOfFS(os.DirFS(dir)) }
