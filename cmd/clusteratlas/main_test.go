package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
)

func TestCheckCommand(t *testing.T) {
	if code := run([]string{"check", filepath.Join("..", "..", "data", "testdata", "broken")}); code != 1 {
		t.Errorf("check on broken files: exit %d, want 1", code)
	}
	if code := run([]string{"check", "no-such-dir"}); code != 2 {
		t.Errorf("check on a missing dir: exit %d, want 2", code)
	}
	if code := run([]string{"check"}); code != 2 {
		t.Errorf("check without DIR: exit %d, want 2", code)
	}
	// the embedded data, written out as a user would have it; the
	// optional regional collections are left out (data's own test checks
	// them), which also shows a directory without them passes
	dir := t.TempDir()
	err := fs.WalkDir(data.Embedded(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if name := strings.TrimSuffix(path, ".geojson.gz"); name != path && data.OptionalCollection(name) {
			return nil
		}
		b, err := fs.ReadFile(data.Embedded(), path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, path), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if code := run([]string{"check", dir}); code != 0 {
		t.Errorf("check on the embedded data: exit %d, want 0", code)
	}
}

func TestUnknownCommand(t *testing.T) {
	if code := run([]string{"frobnicate"}); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if code := run(nil); code != 2 {
		t.Errorf("no command: exit %d, want 2", code)
	}
	if code := run([]string{"build", "--no-such-flag"}); code != 2 {
		t.Errorf("bad flag: exit %d, want 2", code)
	}
}
