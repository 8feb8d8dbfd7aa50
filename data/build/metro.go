package build

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/clusteratlas/clusteratlas/geo"
)

// MetroTable is the sourced table of metropolitan-area plans
// (data/metro-areas.json).
type MetroTable struct {
	Title      string      `json:"title"`
	MetroAreas []MetroArea `json:"metro_areas"`
}

// MetroArea is one 都市圈 plan. Members is the plan's broadest scope;
// CoreMembers, where given, a narrower core that has its own area figure.
type MetroArea struct {
	ID                string          `json:"id"`
	NameZh            string          `json:"name_zh"`
	NameEn            string          `json:"name_en"`
	Plan              json.RawMessage `json:"plan"`
	OfficialArea      *float64        `json:"official_area_km2"`
	OfficialAreaScope string          `json:"official_area_scope"`
	CoreArea          *float64        `json:"core_area_km2"`
	OfficialText      string          `json:"official_area_text"`
	MembersScope      string          `json:"members_scope"`
	Members           []MetroMember   `json:"members"`
	CoreMembers       []MetroMember   `json:"core_members"`
	MemberText        *string         `json:"member_text"`
	MemberTextNote    string          `json:"member_text_note"`
	Sources           json.RawMessage `json:"sources"`
	Confidence        string          `json:"confidence"`
	Verified          string          `json:"verified"`
}

// MetroMember is a unit a metro plan names; Whole is nil where the source
// names the city without saying whether all of it belongs.
type MetroMember struct {
	Name     string        `json:"name"`
	Code     *string       `json:"code"`
	Province string        `json:"province"`
	Whole    *bool         `json:"whole"`
	Counties []MetroCounty `json:"counties"`
	Note     string        `json:"note"`
}

// MetroCounty is a county-level unit a metro plan lists (Code nil for units
// without a GB/T 2260 code).
type MetroCounty struct {
	Name string  `json:"name"`
	Code *string `json:"code"`
	Note string  `json:"note"`
}

// ParseMetroTable reads metro-areas.json and checks unique ids and known
// confidence values.
func ParseMetroTable(b []byte) (*MetroTable, error) {
	var t MetroTable
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("metro-areas.json: %w", err)
	}
	seen := map[string]bool{}
	for i, m := range t.MetroAreas {
		if m.ID == "" {
			return nil, fmt.Errorf("metro-areas.json: metro area %d has no id", i)
		}
		if seen[m.ID] {
			return nil, fmt.Errorf("metro-areas.json: id %q used twice", m.ID)
		}
		seen[m.ID] = true
		switch m.Confidence {
		case "high", "medium", "low":
		default:
			return nil, fmt.Errorf("metro-areas.json: %s: confidence %q, want high, medium or low", m.ID, m.Confidence)
		}
	}
	return &t, nil
}

// metroReading is an explicit decision on how to draw a member that the
// plan names without a county list: every row says why. Key: metro id and
// member code, or metro id, member code and sub-unit name for a unit with
// no code of its own.
type metroReading struct {
	Whole    bool      // draw the member whole
	Counties []SubUnit // draw these counties instead of the named unit
	Partial  bool      // the plan includes part of the county without saying which: not drawn
	Code     string    // the unit's code in the outlines' list, where the table uses another
	Why      string
}

var metroReadings = map[string]metroReading{
	"chongqing-metro/500100": {Code: "500000",
		Why: "the table codes 重庆市 500100, the 2022 list's code for its 市辖区 (districts); the municipality is 500000, whose districts the plan lists"},
	"shijiazhuang-metro/130100": {Whole: true,
		Why: "石家庄市 (不含重点生态功能区): the plan excludes its key ecological function areas without naming them; drawn whole, so the drawn area overstates the plan's"},
	"changzhutan-metro/430200/中心城区": {Counties: []SubUnit{{Name: "荷塘区", Code: "430202"}, {Name: "芦淞区", Code: "430203"}, {Name: "石峰区", Code: "430204"}, {Name: "天元区", Code: "430211"}, {Name: "渌口区", Code: "430212"}},
		Why: "株洲市中心城区: the plan does not list it; read as 株洲's municipal districts at the plan's date (荷塘、芦淞、石峰、天元、渌口; SOURCES.md)"},
	"changzhutan-metro/430300/中心城区": {Counties: []SubUnit{{Name: "雨湖区", Code: "430302"}, {Name: "岳塘区", Code: "430304"}},
		Why: "湘潭市中心城区: the plan does not list it; read as 湘潭's municipal districts (雨湖、岳塘; SOURCES.md)"},
	"fuzhou-metro/350783":       {Partial: true, Why: "建瓯市部分地区: part of 建瓯市, extent not named"},
	"changchun-metro/220182":    {Partial: true, Why: "榆树市部分地区: part of 榆树市, extent not named"},
	"changchun-metro/220422":    {Partial: true, Why: "东辽县部分地区: part of 东辽县, extent not named"},
	"shijiazhuang-metro/130503": {Partial: true, Why: "信都区 (城区): the urban part only, extent not named"},
}

// metroEntity turns a metro plan's member list into the entity shape the
// resolver reads, applying metroReadings. notes are per member code.
func metroEntity(m MetroArea, members []MetroMember) (Entity, map[string][]string, error) {
	e := Entity{ID: m.ID, NameZh: m.NameZh, NameEn: m.NameEn, Confidence: m.Confidence}
	notes := map[string][]string{}
	for _, mm := range members {
		code := deref(mm.Code)
		orig := code // notes stay keyed by the table's code
		reading, hasReading := metroReadings[m.ID+"/"+code]
		if hasReading && reading.Code != "" {
			notes[orig] = append(notes[orig], reading.Why)
			code = reading.Code
		}
		mem := Member{Name: mm.Name, Code: code, Province: mm.Province, Note: mm.Note}
		switch {
		case hasReading && reading.Whole:
			mem.Whole = true
			notes[orig] = append(notes[orig], reading.Why)
		case mm.Whole == nil:
			mem.Whole = true
			notes[orig] = append(notes[orig], "the source names "+mm.Name+" without saying whether all of it belongs: drawn whole")
		case *mm.Whole:
			mem.Whole = true
		default:
			mem.Include = []SubUnit{}
			for _, c := range mm.Counties {
				cc := deref(c.Code)
				if r, ok := metroReadings[m.ID+"/"+code+"/"+c.Name]; ok && cc == "" {
					mem.Include = append(mem.Include, r.Counties...)
					notes[orig] = append(notes[orig], r.Why)
					continue
				}
				su := SubUnit{Name: c.Name, Code: cc, Note: c.Note}
				if r, ok := metroReadings[m.ID+"/"+cc]; ok && r.Partial {
					su.Partial = true
					notes[orig] = append(notes[orig], r.Why)
				}
				mem.Include = append(mem.Include, su)
			}
			if len(mm.Counties) == 0 {
				mem.Include = nil // part of the unit, none named: not drawn
			}
		}
		e.Members = append(e.Members, mem)
	}
	return e, notes, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// metroAreaNotes explain every drawn area that differs from the plan's
// figure by more than 3% (TestMetroAreaDifferencesExplained holds the build
// to it).
var metroAreaNotes = map[string]string{
	"shijiazhuang-metro": "石家庄市 is drawn whole, but the plan excludes its key ecological function areas (重点生态功能区, the Taihang mountain counties) without naming them: the excess, about 6,100 km², is roughly their extent. Not corrected, since no list exists to correct it with.",
	"changchun-metro":    "The plan includes parts of 榆树市 and 东辽县 (部分地区) without naming them; they are not drawn, and the shortfall (about 1,870 km²) is about a quarter of the two counties together.",
	"hefei-metro":        "The listed units sum to this area with 无为市 (about 2,020 km²; the check in SOURCES.md left it out and found −4.5%). The 24,900 km² figure comes from a secondary source that does not say what it counts; 合肥市's outline includes the water of 巢湖 (about 770 km²), which some statistics leave out. That is a possible cause, not a confirmed one.",
}

// metroFeatures builds one feature per metro plan: the union of its
// resolved members (null geometry where no scope is published), measured
// against the plan's figure. Core areas (南京, 成都) are measured too.
func metroFeatures(t *MetroTable, o *Outlines, gaz *Gazetteer) ([]Feature, error) {
	var out []Feature
	for _, m := range t.MetroAreas {
		var f Feature
		if len(m.Members) == 0 {
			f = Feature{ID: m.ID, Properties: map[string]any{
				"id": m.ID, "name_zh": m.NameZh, "name_en": m.NameEn,
				"members": []any{}, "members_whole": 0, "members_partial": 0, "counties": 0,
				"area_km2": nil, "perimeter_km": nil, "label": nil, "parts": 0, "holes_filled": 0,
				"confidence": m.Confidence, "verified": nullable(m.Verified),
				"sources": rawOrNull(m.Sources), "plan": rawOrNull(m.Plan), "member_text": m.MemberText,
				"drawn": false, "scope_note": "approved, but no published scope was found: no members and no geometry",
			}}
		} else {
			e, notes, resolved, err := resolveMetro(m, m.Members, "metro area", gaz)
			if err != nil {
				return nil, err
			}
			e.Sources, e.Plan, e.MemberText, e.Verified = m.Sources, m.Plan, m.MemberText, m.Verified
			f, _, err = entityFeature("metro area", e, resolved, o, gaz)
			if err != nil {
				return nil, err
			}
			f.Properties["drawn"] = true
			f.Properties["scope_note"] = nullable(m.MemberTextNote)
			annotateMetroMembers(f.Properties, m.Members, notes)
		}
		p := f.Properties
		p["members_scope"] = nullable(m.MembersScope)
		p["official_area_km2"] = m.OfficialArea
		p["official_area_text"] = nullable(m.OfficialText)
		p["official_area_scope"] = nullable(m.OfficialAreaScope)
		p["low_confidence"] = m.Confidence == "low"
		// The figure refers to the core where the plan gives a core list
		// but no separate core figure (南京: 2.7万 km² is its 主要包括 list).
		officialIsCore := len(m.CoreMembers) > 0 && m.CoreArea == nil
		p["official_area_refers_to"] = nil
		if m.OfficialArea != nil {
			p["official_area_refers_to"] = "members"
			if officialIsCore {
				p["official_area_refers_to"] = "core_members"
			}
		}
		p["core_members"], p["core_area_km2"], p["official_core_area_km2"], p["core_area_diff_percent"] = nil, nil, nil, nil
		var coreArea float64
		if len(m.CoreMembers) > 0 {
			_, notes, resolved, err := resolveMetro(m, m.CoreMembers, "metro area core", gaz)
			if err != nil {
				return nil, err
			}
			var counties []string
			for _, r := range resolved {
				counties = append(counties, r.Counties...)
			}
			u, err := o.unionCounties(counties)
			if err != nil {
				return nil, fmt.Errorf("metro area %s core: %w", m.ID, err)
			}
			coreArea = geo.AreaKm2(u.Geometry)
			core := map[string]any{"members": memberList(resolved)}
			annotateMetroMembers(core, m.CoreMembers, notes)
			p["core_members"] = core["members"]
			p["core_area_km2"] = round(coreArea, 1)
			official := m.CoreArea
			if officialIsCore {
				official = m.OfficialArea
			}
			p["official_core_area_km2"] = official
			if official != nil {
				p["core_area_diff_percent"] = round(100*(coreArea-*official) / *official, 2)
			}
		}
		p["area_diff_percent"] = nil
		if m.OfficialArea != nil {
			drawn, _ := p["area_km2"].(float64)
			if officialIsCore {
				drawn = coreArea
			}
			if drawn > 0 {
				p["area_diff_percent"] = round(100*(drawn-*m.OfficialArea) / *m.OfficialArea, 2)
			}
		}
		p["area_diff_note"] = nullable(metroAreaNotes[m.ID])
		out = append(out, f)
	}
	return out, nil
}

// resolveMetro reads a member list (the plan's scope or its core) and
// resolves it to counties.
func resolveMetro(m MetroArea, members []MetroMember, kind string, gaz *Gazetteer) (Entity, map[string][]string, []Resolved, error) {
	e, notes, err := metroEntity(m, members)
	if err != nil {
		return Entity{}, nil, nil, err
	}
	resolved, err := gaz.Resolve(kind, e)
	return e, notes, resolved, err
}

// memberList is the member properties entityFeature writes, for a core.
func memberList(resolved []Resolved) []map[string]any {
	var out []map[string]any
	for _, m := range resolved {
		mp := map[string]any{"code": m.Member.Code, "name": m.Member.Name, "whole": m.Member.Whole, "city": nullable(m.City), "counties_drawn": len(m.Counties)}
		if len(m.Undrawn) > 0 {
			mp["undrawn"] = m.Undrawn
		}
		out = append(out, mp)
	}
	return out
}

// annotateMetroMembers restores "whole": null where the source does not
// say, and adds each member's reading notes.
func annotateMetroMembers(p map[string]any, members []MetroMember, notes map[string][]string) {
	list, _ := p["members"].([]map[string]any)
	for i, mp := range list {
		if i >= len(members) {
			break
		}
		if members[i].Whole == nil {
			mp["whole"] = nil
		}
		if n := notes[deref(members[i].Code)]; len(n) > 0 {
			mp["reading"] = strings.Join(n, "; ")
		}
	}
}

// metroDiffUnexplained lists metro areas whose drawn area differs from the
// official figure by more than 3% without a note.
func metroDiffUnexplained(fs []Feature) []string {
	var out []string
	for _, f := range fs {
		d, ok := f.Properties["area_diff_percent"].(float64)
		if ok && math.Abs(d) > 3 && f.Properties["area_diff_note"] == nil {
			out = append(out, fmt.Sprintf("%s %+.1f%%", f.ID, d))
		}
	}
	return out
}
