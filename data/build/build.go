// Package build is the Cluster Atlas data pipeline: it reads pinned boundary
// sources (or a user's own county-level GeoJSON), repairs the outlines,
// resolves every member of the sourced table to counties, unions them into
// clusters, cities and transfer zones, derives the flows, measures every
// feature and writes the dataset directory that package data embeds.
package build

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/paulmach/orb"
)

// Options configure one build.
type Options struct {
	Fetcher    Fetcher
	Boundaries string // a county-level GeoJSON to use instead of the npm sources
	// BoundariesDatum is the datum of Boundaries' coordinates (default
	// WGS84); GCJ-02 and BD-09 outlines are converted like the npm ones.
	BoundariesDatum geo.Datum
	CodeKey         string // property of Boundaries holding the GB/T 2260 code
	NameKey         string // property of Boundaries holding the name
	Table           []byte // clusters.json
	// CodeList, when set, is used instead of the pinned code-list package
	// (the JSON array of its dist/data.json; tests use a small one).
	CodeList []byte
	// MetroTable is metro-areas.json (no metro areas when nil); Census the
	// provinces' 2020 census table (no populations when nil).
	MetroTable []byte
	Census     []byte
	ToolName   string // recorded in the manifest
	// Step reports progress: step i of n, and what it is doing.
	Step func(i, n int, what string)
}

// Result is a built dataset, ready to write.
type Result struct {
	Collections map[string][]Feature
	Manifest    data.Manifest
	Notes       []string
}

// Feature is an output feature: properties are marshalled in key order.
type Feature struct {
	ID         string
	Geometry   orb.Geometry // nil for a flow without a place on the map
	Properties map[string]any
}

const steps = 10

// Run executes the pipeline.
func Run(opt Options) (*Result, error) {
	step := func(i int, what string) {
		if opt.Step != nil {
			opt.Step(i, steps, what)
		}
	}
	table, err := ParseTable(opt.Table)
	if err != nil {
		return nil, err
	}
	metro := &MetroTable{}
	if opt.MetroTable != nil {
		if metro, err = ParseMetroTable(opt.MetroTable); err != nil {
			return nil, err
		}
	}
	census := map[string]CensusRow{}
	if opt.Census != nil {
		if census, err = ParseCensus(opt.Census); err != nil {
			return nil, err
		}
	}
	res := &Result{Collections: map[string][]Feature{}}

	step(1, "reading boundary sources")
	src, err := loadSources(opt)
	if err != nil {
		return nil, err
	}
	res.Notes = append(res.Notes, src.notes...)

	step(2, fmt.Sprintf("repairing %d county outlines", len(src.counties)))
	repaired, rep, err := repairAll(src.counties)
	if err != nil {
		return nil, err
	}
	outlines := newOutlines(repaired)
	outlines.names = map[string]string{}
	for _, c := range src.counties {
		outlines.datum[c.Code] = c.Datum
		outlines.names[c.Code] = c.Name
	}
	gaz := NewGazetteer(src.counties, src.codes, AdminChanges)

	step(3, "resolving members")
	clusterMembers := map[string][]Resolved{}
	zoneMembers := map[string][]Resolved{}
	for _, e := range table.Clusters {
		if clusterMembers[e.ID], err = gaz.Resolve("cluster", e); err != nil {
			return nil, err
		}
	}
	for _, e := range table.Zones {
		if zoneMembers[e.ID], err = gaz.Resolve("transfer zone", e); err != nil {
			return nil, err
		}
	}

	step(4, fmt.Sprintf("building %d clusters", len(table.Clusters)))
	labels := map[string]orb.Point{}
	names := map[string]string{}
	for _, e := range table.Clusters {
		f, ur, err := entityFeature("cluster", e, clusterMembers[e.ID], outlines, gaz)
		if err != nil {
			return nil, err
		}
		res.Collections[data.Clusters] = append(res.Collections[data.Clusters], f)
		res.Manifest.Clusters = append(res.Manifest.Clusters, ur)
		labels[e.ID], names[e.ID] = labelOf(f), e.NameZh
	}

	step(5, fmt.Sprintf("building %d transfer zones", len(table.Zones)))
	for _, e := range table.Zones {
		f, ur, err := entityFeature("transfer zone", e, zoneMembers[e.ID], outlines, gaz)
		if err != nil {
			return nil, err
		}
		res.Collections[data.TransferZones] = append(res.Collections[data.TransferZones], f)
		res.Manifest.Zones = append(res.Manifest.Zones, ur)
		labels[e.ID], names[e.ID] = labelOf(f), e.NameZh
	}

	step(6, "building member cities")
	cities, err := cityFeatures(table, clusterMembers, zoneMembers, outlines, gaz)
	if err != nil {
		return nil, err
	}
	res.Collections[data.Cities] = cities

	step(7, "deriving flows")
	flows, err := flowFeatures(table, labels, names, outlines, gaz)
	if err != nil {
		return nil, err
	}
	res.Collections[data.Flows] = flows

	step(8, fmt.Sprintf("building %d metro areas", len(metro.MetroAreas)))
	if res.Collections[data.MetroAreas], err = metroFeatures(metro, outlines, gaz); err != nil {
		return nil, err
	}
	if bad := metroDiffUnexplained(res.Collections[data.MetroAreas]); len(bad) > 0 {
		return nil, fmt.Errorf("metro areas differ from the official figure by more than 3%% without an explanation (metroAreaNotes): %s", strings.Join(bad, ", "))
	}

	step(9, "building provinces, regions and the national outline")
	var taiwan *taiwanOutline
	if src.prefectureOutlines != nil {
		if taiwan, err = newTaiwanOutline(src.prefectureOutlines, outlines, CountiesPackage.Datum); err != nil {
			return nil, err
		}
	}
	reg, err := regionalFeatures(table, outlines, gaz, taiwan, census)
	if err != nil {
		return nil, err
	}
	res.Collections[data.Provinces], res.Collections[data.Regions], res.Collections[data.Country] = reg.provinces, reg.regions, reg.country
	res.Notes = append(res.Notes, reg.notes...)
	res.Manifest.Regional = provincesManifest(reg)

	step(10, "cross-checking prefectures")
	if src.prefectureOutlines != nil {
		res.Manifest.CrossCheck = crossCheck(src.prefectureOutlines, outlines, gaz)
	}

	res.Manifest.Title = table.Title
	res.Manifest.TableVersion = table.Version
	res.Manifest.BuildTool = opt.ToolName
	res.Manifest.Sources = src.packages
	res.Manifest.Precision = coordinateDecimals
	res.Manifest.Repairs = rep
	res.Manifest.Licence = src.licence
	res.Manifest.SourceNotes = res.Notes
	res.Manifest.Datum = outlines.conv.report(src.packages)
	res.Manifest.Counts = map[string]int{}
	for name, fs := range res.Collections {
		res.Manifest.Counts[name] = len(fs)
	}
	res.Manifest.Counts["county_outlines"] = len(src.counties)
	return res, nil
}

// repairAll makes every county outline valid, counting what changed.
func repairAll(counties []County) (map[string][]GridPolygon, *data.RepairReport, error) {
	out := make(map[string][]GridPolygon, len(counties))
	rep := &data.RepairReport{Counties: len(counties)}
	var before, after float64
	var total RepairStats
	for _, c := range counties {
		polys, st, byOverlay, err := makeValid(c.Polygons)
		if err != nil {
			return nil, nil, fmt.Errorf("county %s %s: %w", c.Code, c.Name, err)
		}
		if len(polys) == 0 {
			return nil, nil, fmt.Errorf("county %s %s: no area left after repair", c.Code, c.Name)
		}
		total.add(st)
		if st.changed() || byOverlay {
			rep.CountiesRepaired++
		}
		if byOverlay {
			rep.OverlayRepaired++
		}
		out[c.Code] = polys
		before += rawArea(c.Polygons)
		after += geo.AreaKm2(gridMultiPolygon(polys))
	}
	rep.DuplicatePoints = total.DuplicatePoints
	rep.Spikes = total.CancelledEdges
	rep.RingsSplit = total.RingsSplit
	rep.DegenerateRings = total.DegenerateRings
	rep.NodesInserted = total.NodesInserted
	rep.CrossingsSnapped = total.CrossingsSnapped
	rep.AreaChangePercent = round(100*(after-before)/before, 4)
	return out, rep, nil
}

// rawArea is the area of unrepaired rings taken as drawn (shell minus
// holes), for the repair's area change.
func rawArea(polys []GridPolygon) float64 {
	var a float64
	for _, p := range polys {
		for i, r := range p {
			r, _ = r.open()
			if len(r) < 3 {
				continue
			}
			ra := geo.AreaKm2(orb.Polygon{r.orbRing()})
			if i == 0 {
				a += ra
			} else {
				a -= ra
			}
		}
	}
	return a
}

func labelOf(f Feature) orb.Point {
	if l, ok := f.Properties["label"].([2]float64); ok {
		return orb.Point(l)
	}
	return orb.Point{}
}

// entityFeature unions a cluster's or zone's drawn counties and measures it.
func entityFeature(kind string, e Entity, members []Resolved, o *Outlines, gaz *Gazetteer) (Feature, data.UnionReport, error) {
	var counties []string
	whole, partial := 0, 0
	var memberProps []map[string]any
	for _, m := range members {
		counties = append(counties, m.Counties...)
		if m.Member.Whole {
			whole++
		} else {
			partial++
		}
		mp := map[string]any{
			"code": m.Member.Code, "name": m.Member.Name, "whole": m.Member.Whole,
			"city": nullable(m.City), "counties_drawn": len(m.Counties),
		}
		if len(m.Undrawn) > 0 {
			mp["undrawn"] = m.Undrawn
		}
		if len(m.Notes) > 0 {
			mp["admin_change"] = strings.Join(m.Notes, "; ")
		}
		memberProps = append(memberProps, mp)
	}
	u, err := o.unionCounties(counties)
	if err != nil {
		return Feature{}, data.UnionReport{}, fmt.Errorf("%s %s: %w", kind, e.ID, err)
	}
	area := geo.AreaKm2(u.Geometry)
	countySum := 0.0
	for _, c := range uniqueStrings(counties) {
		countySum += o.countyAreaKm2(c)
	}
	label := labelPoint(u.Geometry)
	props := map[string]any{
		"id": e.ID, "name_zh": e.NameZh, "name_en": e.NameEn,
		"members":         memberProps,
		"members_whole":   whole,
		"members_partial": partial,
		"counties":        u.Report.Counties,
		"area_km2":        round(area, 1),
		"perimeter_km":    round(geo.PerimeterKm(u.Geometry), 1),
		"label":           [2]float64{round(label[0], coordinateDecimals), round(label[1], coordinateDecimals)},
		"parts":           u.Report.Parts,
		"holes_filled":    u.Report.HolesFilled,
		"confidence":      e.Confidence,
		"verified":        nullable(e.Verified),
		"sources":         rawOrNull(e.Sources),
		"plan":            rawOrNull(e.Plan),
		"member_text":     e.MemberText,
	}
	if kind == "cluster" {
		props["tier"] = e.Tier
		props["definition"] = e.Definition
		props["official_area_km2"] = e.OfficialArea
		props["official_area_text"] = nullable(e.OfficialText)
		if e.OfficialArea != nil {
			props["area_diff_percent"] = round(100*(area-*e.OfficialArea) / *e.OfficialArea, 2)
		} else {
			props["area_diff_percent"] = nil
		}
		if len(e.Variants) > 0 {
			v, err := variantProps(e, counties, o, gaz)
			if err != nil {
				return Feature{}, data.UnionReport{}, err
			}
			props["variants"] = v
		}
	} else if kind == "transfer zone" {
		props["approved"] = e.Approved
		props["doc_no"] = nullable(e.DocNo)
		props["origin_regions"] = nonNil(e.OriginRegions)
		props["origin_text"] = nullable(e.OriginText)
		props["sectors"] = nonNil(e.Sectors)
	}
	ur := data.UnionReport{
		ID: e.ID, Counties: u.Report.Counties, Parts: u.Report.Parts,
		HolesKept: u.Report.HolesKept, HolesFilled: u.Report.HolesFilled,
		FilledKm2: round(u.Report.FilledKm2, 3), Vertices: u.Report.Vertices,
		AreaKm2: round(area, 1), CountySum: round(countySum, 1),
	}
	for _, k := range u.Report.KeptBy {
		name := ""
		if c := gaz.Counties[k.County]; c != nil {
			name = c.Name
		}
		ur.KeptHoles = append(ur.KeptHoles, data.KeptHole{County: k.County, Name: name, AreaKm2: round(k.AreaKm2, 2)})
	}
	return Feature{ID: e.ID, Geometry: single(u.Geometry), Properties: props}, ur, nil
}

// variantProps measures a cluster's variants (珠三角 → 粤港澳大湾区 adds 香港
// and 澳门): the variant is the cluster plus the added whole units.
func variantProps(e Entity, counties []string, o *Outlines, gaz *Gazetteer) ([]map[string]any, error) {
	var raw []struct {
		ID           string    `json:"id"`
		NameZh       string    `json:"name_zh"`
		Adds         []SubUnit `json:"adds"`
		OfficialArea *float64  `json:"official_area_km2"`
		OfficialText string    `json:"official_area_text"`
		MemberText   string    `json:"member_text"`
		Plan         any       `json:"plan"`
	}
	if err := jsonUnmarshal(e.Variants, &raw); err != nil {
		return nil, fmt.Errorf("cluster %s: variants: %w", e.ID, err)
	}
	var out []map[string]any
	for _, v := range raw {
		all := append([]string(nil), counties...)
		var adds []string
		for _, a := range v.Adds {
			cs, _, _, err := gaz.unit("cluster "+e.ID+" variant "+v.ID, a.Code, a.Name)
			if err != nil {
				return nil, err
			}
			all = append(all, cs...)
			adds = append(adds, a.Code)
		}
		u, err := o.unionCounties(all)
		if err != nil {
			return nil, fmt.Errorf("cluster %s variant %s: %w", e.ID, v.ID, err)
		}
		area := geo.AreaKm2(u.Geometry)
		m := map[string]any{
			"id": v.ID, "name_zh": v.NameZh, "adds": adds, "area_km2": round(area, 1),
			"official_area_km2": v.OfficialArea, "official_area_text": nullable(v.OfficialText),
			"member_text": nullable(v.MemberText), "plan": v.Plan,
		}
		if v.OfficialArea != nil {
			m["area_diff_percent"] = round(100*(area-*v.OfficialArea) / *v.OfficialArea, 2)
		}
		out = append(out, m)
	}
	return out, nil
}

// cityFeatures builds one feature per prefecture-level unit that any cluster
// or zone names (whole or in part), as the union of all its counties.
func cityFeatures(t *Table, clusters, zones map[string][]Resolved, o *Outlines, gaz *Gazetteer) ([]Feature, error) {
	type ref struct {
		ID      string `json:"id"`
		Partial bool   `json:"partial"`
	}
	inClusters := map[string][]ref{}
	inZones := map[string][]ref{}
	tableName := map[string]string{}
	note := map[string]string{}
	collect := func(entities []Entity, resolved map[string][]Resolved, into map[string][]ref) {
		for _, e := range entities {
			seen := map[string]bool{}
			for _, m := range resolved[e.ID] {
				if m.City == "" || seen[m.City] {
					continue
				}
				seen[m.City] = true
				into[m.City] = append(into[m.City], ref{e.ID, !m.Member.Whole})
				if m.City == m.Member.Code {
					tableName[m.City] = m.Member.Name
				}
				if len(m.Notes) > 0 && m.City == m.Member.Code {
					note[m.City] = strings.Join(m.Notes, "; ")
				}
			}
		}
	}
	collect(t.Clusters, clusters, inClusters)
	collect(t.Zones, zones, inZones)
	codes := map[string]bool{}
	for c := range inClusters {
		codes[c] = true
	}
	for c := range inZones {
		codes[c] = true
	}
	var out []Feature
	for _, code := range sortedKeys(codes) {
		u, err := o.unionCounties(gaz.ByCity[code])
		if err != nil {
			return nil, fmt.Errorf("city %s: %w", code, err)
		}
		name := gaz.CityName(code)
		if name == "" {
			name = tableName[code]
		}
		prov := provinceOf(code)
		label := labelPoint(u.Geometry)
		props := map[string]any{
			"code": code, "name_zh": name,
			"province_code": prov, "province": gaz.Codes[prov],
			"clusters": nonNilRefs(inClusters[code]), "zones": nonNilRefs(inZones[code]),
			"counties":     len(gaz.ByCity[code]),
			"area_km2":     round(geo.AreaKm2(u.Geometry), 1),
			"perimeter_km": round(geo.PerimeterKm(u.Geometry), 1),
			"label":        [2]float64{round(label[0], coordinateDecimals), round(label[1], coordinateDecimals)},
			"note":         nullable(note[code]),
		}
		out = append(out, Feature{ID: code, Geometry: single(u.Geometry), Properties: props})
	}
	return out, nil
}

func nonNilRefs[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// single returns a lone polygon as a Polygon, else the MultiPolygon.
func single(mp orb.MultiPolygon) orb.Geometry {
	if len(mp) == 1 {
		return mp[0]
	}
	return mp
}

func round(v float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(v*p) / p
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func uniqueStrings(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	out := c[:0]
	for i, v := range c {
		if i == 0 || v != c[i-1] {
			out = append(out, v)
		}
	}
	return out
}
