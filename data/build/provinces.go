package build

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/paulmach/orb"
)

// provinceNamesEn are the English names of the provincial-level units
// (GB/T 2260 province codes), as the State Council's English usage gives them.
var provinceNamesEn = map[string]string{
	"110000": "Beijing", "120000": "Tianjin", "130000": "Hebei", "140000": "Shanxi", "150000": "Inner Mongolia",
	"210000": "Liaoning", "220000": "Jilin", "230000": "Heilongjiang", "310000": "Shanghai", "320000": "Jiangsu",
	"330000": "Zhejiang", "340000": "Anhui", "350000": "Fujian", "360000": "Jiangxi", "370000": "Shandong",
	"410000": "Henan", "420000": "Hubei", "430000": "Hunan", "440000": "Guangdong", "450000": "Guangxi",
	"460000": "Hainan", "500000": "Chongqing", "510000": "Sichuan", "520000": "Guizhou", "530000": "Yunnan",
	"540000": "Xizang (Tibet)", "610000": "Shaanxi", "620000": "Gansu", "630000": "Qinghai", "640000": "Ningxia",
	"650000": "Xinjiang", "710000": "Taiwan", "810000": "Hong Kong", "820000": "Macao",
}

// provinceKind reads the unit's kind from its official name's suffix.
func provinceKind(name string) string {
	switch {
	case strings.HasSuffix(name, "特别行政区"):
		return "special_administrative_region"
	case strings.HasSuffix(name, "自治区"):
		return "autonomous_region"
	case strings.HasSuffix(name, "市"):
		return "municipality"
	}
	return "province"
}

// CensusRow is one province of the 2020 census table
// (data/provinces-census2020.csv).
type CensusRow struct {
	Code, Name             string
	Population             int64
	SourceTitle, SourceURL string
}

// ParseCensus reads the census table: code,name,population,source_title,source_url.
func ParseCensus(b []byte) (map[string]CensusRow, error) {
	r := csv.NewReader(bytes.NewReader(b))
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("census table: %w", err)
	}
	want := []string{"code", "name", "population", "source_title", "source_url"}
	if strings.Join(head, ",") != strings.Join(want, ",") {
		return nil, fmt.Errorf("census table: header %q, want %q", strings.Join(head, ","), strings.Join(want, ","))
	}
	out := map[string]CensusRow{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("census table: %w", err)
		}
		pop, err := strconv.ParseInt(rec[2], 10, 64)
		if err != nil || pop <= 0 {
			return nil, fmt.Errorf("census table line %d: population %q is not a positive integer", line, rec[2])
		}
		if len(rec[0]) != 6 || !strings.HasSuffix(rec[0], "0000") {
			return nil, fmt.Errorf("census table line %d: code %q is not a province code (xx0000)", line, rec[0])
		}
		if _, dup := out[rec[0]]; dup {
			return nil, fmt.Errorf("census table line %d: code %s twice", line, rec[0])
		}
		out[rec[0]] = CensusRow{rec[0], rec[1], pop, rec[3], rec[4]}
	}
	return out, nil
}

// macroRegion is one of the NBS regions the table's places list by province.
type macroRegion struct {
	place     Place
	provinces []string
}

// macroRegions are the table's domestic regions that list their provinces
// (east, central, west, northeast); aliases (same_as) and unions
// (union_of) resolve to them and get no polygon of their own.
func macroRegions(t *Table) ([]macroRegion, error) {
	var out []macroRegion
	owner := map[string]string{}
	for _, p := range t.Places {
		if p.Kind != "domestic_region" || len(p.Provinces) == 0 {
			continue
		}
		r := macroRegion{place: p}
		for _, pr := range p.Provinces {
			if prev, dup := owner[pr.Code]; dup {
				return nil, fmt.Errorf("clusters.json: province %s %s is in regions %s and %s", pr.Code, pr.Name, prev, p.ID)
			}
			owner[pr.Code] = p.ID
			r.provinces = append(r.provinces, pr.Code)
		}
		out = append(out, r)
	}
	return out, nil
}

// regionIDs resolves a place to the macro-regions it stands for
// (east-coast → east; central-west → central, west); nil for places that
// are no domestic region.
func regionIDs(p Place, places map[string]Place, depth int) []string {
	if depth > 4 || p.Kind != "domestic_region" {
		return nil
	}
	if p.SameAs != "" {
		return regionIDs(places[p.SameAs], places, depth+1)
	}
	if len(p.Provinces) > 0 {
		return []string{p.ID}
	}
	var out []string
	for _, id := range p.UnionOf {
		out = append(out, regionIDs(places[id], places, depth+1)...)
	}
	return out
}

// regional is what regionalFeatures builds.
type regional struct {
	provinces, regions, country []Feature
	notes                       []string
}

// regionalFeatures builds the provinces (each the union of its counties;
// Taiwan from its own WGS84 outline), the macro-regions (unions of their
// provinces) and the national outline. Unions stay on the source grid until
// the end, so regions and provinces share their borders exactly.
func regionalFeatures(t *Table, o *Outlines, gaz *Gazetteer, taiwan *taiwanOutline, census map[string]CensusRow) (*regional, error) {
	out := &regional{}
	regions, err := macroRegions(t)
	if err != nil {
		return nil, err
	}
	regionOf := map[string]*macroRegion{}
	for i := range regions {
		for _, p := range regions[i].provinces {
			regionOf[p] = &regions[i]
		}
	}
	byProvince := map[string][]string{}
	for _, code := range o.codes {
		byProvince[provinceOf(code)] = append(byProvince[provinceOf(code)], code)
	}
	gridUnions := map[string]orb.MultiPolygon{}
	var allCounties []string
	for _, prov := range sortedKeys(byProvince) {
		counties := byProvince[prov]
		grid, st, err := o.gridUnion(counties, nil)
		if err != nil {
			return nil, fmt.Errorf("province %s: %w", prov, err)
		}
		gridUnions[prov] = grid
		allCounties = append(allCounties, counties...)
		u, err := o.finishUnion(counties, grid, st)
		if err != nil {
			return nil, fmt.Errorf("province %s: %w", prov, err)
		}
		name := gaz.Codes[prov]
		if name == "" {
			return nil, fmt.Errorf("province %s: the code list has no name for it", prov)
		}
		f := measuredFeature(prov, u, o, counties)
		p := f.Properties
		p["code"], p["name_zh"], p["name_en"], p["kind"] = prov, name, nullable(provinceNamesEn[prov]), provinceKind(name)
		p["source"] = map[string]any{"outline": "union of the province's county outlines (" + o.sourceOf(counties[0]) + ")", "codes": "GB/T 2260 via " + CodeListPackage.Name + "@" + CodeListPackage.Version}
		setRegion(p, regionOf[prov])
		setPopulation(p, census, prov, name)
		out.provinces = append(out.provinces, f)
	}
	if taiwan != nil {
		u, err := taiwan.union(o)
		if err != nil {
			return nil, err
		}
		f := measuredFeature(taiwanCode, u, o, nil)
		p := f.Properties
		name := gaz.Codes[taiwanCode]
		if name == "" {
			name = "台湾省"
		}
		p["code"], p["name_zh"], p["name_en"], p["kind"] = taiwanCode, name, provinceNamesEn[taiwanCode], "province"
		p["counties"] = len(taiwan.files)
		p["county_sum_km2"] = nil
		p["source"] = map[string]any{"outline": taiwan.source, "codes": "GB/T 2260 via " + CodeListPackage.Name + "@" + CodeListPackage.Version, "excluded": taiwan.excluded}
		setRegion(p, nil)
		setPopulation(p, census, taiwanCode, name)
		out.provinces = append(out.provinces, f)
		out.notes = append(out.notes, taiwan.notes...)
	}
	sort.Slice(out.provinces, func(i, j int) bool { return out.provinces[i].ID < out.provinces[j].ID })

	// the country unions the regions and the provinces outside them: fewer,
	// larger pieces than all 34 provinces, the same union
	var regionGrids orb.MultiPolygon
	inRegion := map[string]bool{}
	for _, r := range regions {
		var counties, missing, names []string
		var parts orb.MultiPolygon
		var pop int64
		popComplete := true
		for _, prov := range r.provinces {
			if _, ok := gridUnions[prov]; !ok {
				missing = append(missing, prov)
				continue
			}
			counties = append(counties, byProvince[prov]...)
			parts = append(parts, gridUnions[prov]...)
			names = append(names, gaz.Codes[prov])
			if c, ok := census[prov]; ok {
				pop += c.Population
			} else {
				popComplete = false
			}
		}
		if len(counties) == 0 {
			out.notes = append(out.notes, fmt.Sprintf("region %s: none of its provinces has outlines: not drawn", r.place.ID))
			continue
		}
		if len(missing) > 0 {
			out.notes = append(out.notes, fmt.Sprintf("region %s: provinces %s have no outlines: drawn without them", r.place.ID, strings.Join(missing, ", ")))
		}
		grid, st, err := o.gridUnion(counties, parts)
		if err != nil {
			return nil, fmt.Errorf("region %s: %w", r.place.ID, err)
		}
		regionGrids = append(regionGrids, grid...)
		for _, prov := range r.provinces {
			inRegion[prov] = true
		}
		u, err := o.finishUnion(counties, grid, st)
		if err != nil {
			return nil, fmt.Errorf("region %s: %w", r.place.ID, err)
		}
		f := measuredFeature(r.place.ID, u, o, counties)
		p := f.Properties
		p["id"], p["name_zh"], p["name_en"] = r.place.ID, r.place.NameZh, r.place.NameEn
		p["provinces"], p["province_names"] = nonNil(r.provinces), nonNil(names)
		p["provinces_missing"] = nonNil(missing)
		if popComplete && len(missing) == 0 && len(census) > 0 {
			p["population_2020"] = pop
		} else {
			p["population_2020"] = nil
		}
		p["source"] = rawOrNullAny(r.place.Source)
		out.regions = append(out.regions, f)
	}

	if len(allCounties) > 0 {
		parts := regionGrids
		for _, prov := range sortedKeys(gridUnions) {
			if !inRegion[prov] {
				parts = append(parts, gridUnions[prov]...)
			}
		}
		grid, st, err := o.gridUnion(allCounties, parts)
		if err != nil {
			return nil, fmt.Errorf("national outline: %w", err)
		}
		u, err := o.finishUnion(allCounties, grid, st)
		if err != nil {
			return nil, fmt.Errorf("national outline: %w", err)
		}
		if taiwan != nil {
			tw, err := taiwan.union(o)
			if err != nil {
				return nil, err
			}
			// Taiwan is WGS84 and the mainland converted: union them as
			// drawn (islets may touch across the strait's outlines)
			merged, err := unionSF(append(append(orb.MultiPolygon{}, u.Geometry...), tw.Geometry...))
			if err != nil {
				return nil, fmt.Errorf("national outline with Taiwan: %w", err)
			}
			if merged, err = o.conv.finish("national outline", merged, geo.WGS84); err != nil {
				return nil, err
			}
			u.Geometry, u.Report.Parts = merged, len(merged)
		}
		f := measuredFeature("china", u, o, allCounties)
		p := f.Properties
		p["id"], p["name_zh"], p["name_en"] = "china", "中国", "China"
		p["provinces"] = len(out.provinces)
		p["county_sum_km2"] = nil
		var pop int64
		for _, c := range census {
			pop += c.Population
		}
		p["population_2020"] = nullableInt64(pop)
		p["source"] = map[string]any{"outline": "union of the four macro-regions and the provincial-level units outside them (Hong Kong, Macao, Taiwan): the union of all 34 provinces"}
		out.country = append(out.country, f)
	}
	return out, nil
}

// measuredFeature is a built union with the measures every polygon
// collection carries.
func measuredFeature(id string, u Union, o *Outlines, counties []string) Feature {
	label := labelPoint(u.Geometry)
	var sum float64
	for _, c := range counties {
		sum += o.countyAreaKm2(c)
	}
	props := map[string]any{
		"id":             id,
		"counties":       len(counties),
		"area_km2":       round(geo.AreaKm2(u.Geometry), 1),
		"county_sum_km2": round(sum, 1),
		"perimeter_km":   round(geo.PerimeterKm(u.Geometry), 1),
		"label":          [2]float64{round(label[0], coordinateDecimals), round(label[1], coordinateDecimals)},
		"parts":          u.Report.Parts,
		"holes_filled":   u.Report.HolesFilled,
	}
	return Feature{ID: id, Geometry: single(u.Geometry), Properties: props}
}

func setRegion(p map[string]any, r *macroRegion) {
	if r == nil {
		p["region"], p["region_name_zh"] = nil, nil
		return
	}
	p["region"], p["region_name_zh"] = r.place.ID, r.place.NameZh
}

// setPopulation takes the 2020 census figure; the bulletin covers the 31
// mainland units only, so Hong Kong, Macao and Taiwan have none.
func setPopulation(p map[string]any, census map[string]CensusRow, code, name string) {
	c, ok := census[code]
	if !ok {
		p["population_2020"], p["population_source"] = nil, nil
		return
	}
	p["population_2020"] = c.Population
	p["population_source"] = map[string]any{"title": c.SourceTitle, "url": c.SourceURL}
}

func nullableInt64(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func rawOrNullAny(r json.RawMessage) any { return rawOrNull(r) }

// sourceOf names the source of a county's outline and its datum.
func (o *Outlines) sourceOf(code string) string {
	d := o.datum[code]
	if d == "" {
		d = geo.WGS84
	}
	if d == geo.WGS84 {
		return "WGS84"
	}
	return string(d) + ", converted to WGS84"
}

// taiwanCode is Taiwan's GB/T 2260 code. The county outlines do not cover
// Taiwan; the cities package has its counties' outlines (from data.gov.tw).
const taiwanCode = "710000"

// taiwanOutline is Taiwan drawn from the cities package's county files,
// already WGS84: snapped to the working grid and unioned, never converted.
type taiwanOutline struct {
	files    []string
	excluded []string
	source   string
	notes    []string
	grid     orb.MultiPolygon
	built    *Union
}

// newTaiwanOutline reads the cities package's tai2_wan1_* shape files. A
// part that the county outlines already draw (金門 is 泉州's 金门县 there,
// 太平島 lies in 三沙) is left out so no place is in two provinces; a note
// says so.
func newTaiwanOutline(files map[string][]byte, o *Outlines, datum geo.Datum) (*taiwanOutline, error) {
	const prefix = "geojson/shape-only/tai2_wan1_"
	t := &taiwanOutline{source: CitiesPackage.Name + "@" + CitiesPackage.Version + " " + prefix + "*.geojson (county outlines from data.gov.tw, WGS84: not converted)"}
	var parts orb.MultiPolygon
	for _, path := range sortedKeys(files) {
		if !strings.HasPrefix(path, prefix) {
			continue
		}
		feats, err := plainFeatures(files[path], "")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		var polys []GridPolygon
		name := ""
		for _, f := range feats {
			polys = append(polys, f.Polygons...)
			if name == "" {
				name = f.Name
			}
		}
		valid, _, _, err := makeValid(polys)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(valid) == 0 {
			return nil, fmt.Errorf("%s: no area left after repair", path)
		}
		// A part the county outlines already draw is left out; when that
		// is the county's largest part (金門縣 is 泉州's 金门县 there), all
		// of the county is, islets included.
		all := gridMultiPolygon(valid)
		largest := largestPart(all)
		var keep orb.MultiPolygon
		var dropped []string
		for i, poly := range all {
			probe := labelPoint(orb.MultiPolygon{poly})
			// the county outlines are in their own datum: look the point up there
			occ := o.occupant(datum.FromWGS84(probe), nil)
			if occ == "" {
				keep = append(keep, poly)
				continue
			}
			if i == largest {
				keep, dropped = nil, []string{fmt.Sprintf("all of %s (its main part is %s %s)", name, occ, o.nameOf(occ))}
				break
			}
			dropped = append(dropped, fmt.Sprintf("the part of %s at %.3f,%.3f (%s %s)", name, probe[0], probe[1], occ, o.nameOf(occ)))
		}
		for _, d := range dropped {
			t.excluded = append(t.excluded, d)
			t.notes = append(t.notes, fmt.Sprintf("Taiwan (%s): %s is drawn by the county outlines, so Taiwan's outline leaves it out rather than draw it twice", path, d))
		}
		if len(keep) > 0 {
			t.files = append(t.files, path)
			parts = append(parts, keep...)
		}
	}
	if len(t.files) == 0 {
		return nil, nil
	}
	grid, err := unionSF(parts)
	if err != nil {
		return nil, fmt.Errorf("Taiwan outline: %w", err)
	}
	if err := validate(grid); err != nil {
		return nil, fmt.Errorf("Taiwan outline: %w", err)
	}
	t.grid = grid
	return t, nil
}

// union is Taiwan's outline, finished (rounded and validated) once.
func (t *taiwanOutline) union(o *Outlines) (Union, error) {
	if t.built != nil {
		return *t.built, nil
	}
	mp, err := o.conv.finish("Taiwan", t.grid, geo.WGS84)
	if err != nil {
		return Union{}, err
	}
	u := Union{Geometry: mp, Report: UnionStats{Parts: len(mp)}}
	t.built = &u
	return u, nil
}

// nameOf is a county's outline name.
func (o *Outlines) nameOf(code string) string {
	if o.names != nil {
		return o.names[code]
	}
	return ""
}

// provincesManifest summarises the regional collections for the manifest.
func provincesManifest(r *regional) []data.UnionReport {
	var out []data.UnionReport
	for _, list := range [][]Feature{r.provinces, r.regions, r.country} {
		for _, f := range list {
			area, _ := f.Properties["area_km2"].(float64)
			sum, _ := f.Properties["county_sum_km2"].(float64)
			out = append(out, data.UnionReport{ID: f.ID, Counties: f.Properties["counties"].(int), Parts: f.Properties["parts"].(int), HolesFilled: f.Properties["holes_filled"].(int), AreaKm2: area, CountySum: sum})
		}
	}
	return out
}

// largestPart is the index of mp's largest polygon.
func largestPart(mp orb.MultiPolygon) int {
	best, bestArea := 0, -1.0
	for i, p := range mp {
		if a := geo.AreaKm2(p); a > bestArea {
			best, bestArea = i, a
		}
	}
	return best
}
