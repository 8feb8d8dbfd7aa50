package build

import (
	"fmt"
	"sort"
	"strings"
)

// AdminChange maps a unit a plan names to the units of the outline vintage
// (GB/T 2260 codes of 2016–2018). Every row is an explicit, commented
// decision: the build never matches names fuzzily.
type AdminChange struct {
	Code, Name string
	// Counties are the outline codes the unit is drawn as. Empty with
	// Undrawn set: the unit has no outline of its own.
	Counties []string
	Undrawn  bool
	Why      string
}

// AdminChanges is the mapping table. A member whose code the outlines lack,
// or whose name differs from the outline's, needs a row here.
var AdminChanges = []AdminChange{
	{Code: "500234", Name: "开县", Counties: []string{"500154"},
		Why: "2016-06: 开县 became 开州区 (500154); the outlines carry 开州区"},
	{Code: "500228", Name: "梁平县", Counties: []string{"500228"},
		Why: "梁平县 became 梁平区 (500155) in 2016, but the outlines still carry 梁平县 500228 (shared/SOURCES.md says they carry 500155; the package's JS and src/ say 500228)"},
	{Code: "500227", Name: "璧山县", Counties: []string{"500120"},
		Why: "2014: 璧山县 became 璧山区 (500120)"},
	{Code: "500226", Name: "荣昌县", Counties: []string{"500153"},
		Why: "2015: 荣昌县 became 荣昌区 (500153)"},
	{Code: "500111", Name: "双桥区", Undrawn: true,
		Why: "2011: 双桥区 and 大足县 merged into 大足区, which reuses 500111; only the former 双桥区 belongs to the zone and it has no outline of its own, so it is not drawn (drawing 大足区 would add the former 大足县)"},
	{Code: "341400", Name: "巢湖市", Counties: []string{"340181", "340124", "340225", "340522", "340523"},
		Why: "2011: prefecture 巢湖市 abolished and split: 居巢区→巢湖市 340181 and 庐江县 340124 to 合肥, 无为县 340225 to 芜湖, 含山县 340522 and 和县 340523 to 马鞍山"},
	{Code: "620824", Name: "华亭县", Counties: []string{"620824"},
		Why: "华亭县 became 华亭市 (620881) in 2018, after the outlines' vintage: they still carry 620824"},
	{Code: "520522", Name: "黔西县", Counties: []string{"520522"},
		Why: "黔西县 became 黔西市 (520581) in 2021; the outlines carry 520522"},
	{Code: "632321", Name: "同仁县", Counties: []string{"632321"},
		Why: "同仁县 became 同仁市 (632301) in 2020; the outlines carry 632321"},
	{Code: "654223", Name: "沙湾县", Counties: []string{"654223"},
		Why: "沙湾县 became 沙湾市 (654203) in 2021; the outlines carry 654223"},
	// Units of the metro-area table, coded by the 2022-10-31 list:
	{Code: "340281", Name: "无为市", Counties: []string{"340225"},
		Why: "2019: 无为县 (340225) became 无为市 (340281); the outlines carry 340225"},
	{Code: "220184", Name: "公主岭市", Counties: []string{"220381"},
		Why: "2020: 公主岭市 moved from 四平 (220381) to 长春 (220184); the outlines carry 220381"},
	{Code: "130502", Name: "襄都区", Counties: []string{"130502"},
		Why: "2020: 邢台's 桥东区 renamed 襄都区 (same code); the outlines carry 桥东区"},
	{Code: "130503", Name: "信都区", Counties: []string{"130503"},
		Why: "2020: 邢台's 桥西区 renamed 信都区 (same code); the outlines carry 桥西区"},
	{Code: "130505", Name: "任泽区", Counties: []string{"130526"},
		Why: "2020: 任县 (130526) became 任泽区 (130505); the outlines carry 130526"},
	{Code: "130506", Name: "南和区", Counties: []string{"130527"},
		Why: "2020: 南和县 (130527) became 南和区 (130506); the outlines carry 130527"},
	{Code: "340209", Name: "弋江区", Counties: []string{"340203", "340208"},
		Why: "2020: 三山区 (340208) merged into 弋江区, recoded 340209; the outlines carry 弋江区 340203 and 三山区 340208"},
	{Code: "430212", Name: "渌口区", Counties: []string{"430221"},
		Why: "2018: 株洲县 (430221) became 渌口区 (430212); the outlines carry 430221"},
	{Code: "", Name: "深汕特别合作区", Undrawn: true,
		Why: "深汕特别合作区 (four towns carved from 汕尾's 海丰县, managed by 深圳) has no GB/T 2260 code and no outline of its own: not drawn"},
	{Code: "371200", Name: "莱芜市", Counties: []string{"371202", "371203"},
		Why: "2019: 莱芜市 abolished, 莱城区 and 钢城区 became 济南's 莱芜区 370116 and 钢城区 370117; the outlines carry 371202 and 371203"},
}

// Gazetteer answers what the outlines and the code list know about a code.
type Gazetteer struct {
	Counties map[string]*County        // by outline code
	ByCity   map[string][]string       // prefecture-level code -> county codes
	Codes    CodeList                  // current names
	changes  map[[2]string]AdminChange // by code and name: 500111 is 大足区 now and 双桥区 in a 2011 plan
}

// NewGazetteer indexes counties by code and by prefecture-level unit.
func NewGazetteer(counties []County, codes CodeList, changes []AdminChange) *Gazetteer {
	g := &Gazetteer{Counties: map[string]*County{}, ByCity: map[string][]string{}, Codes: codes, changes: map[[2]string]AdminChange{}}
	for i := range counties {
		c := &counties[i]
		g.Counties[c.Code] = c
		g.ByCity[cityOf(c.Code)] = append(g.ByCity[cityOf(c.Code)], c.Code)
	}
	for _, ch := range changes {
		g.changes[[2]string{ch.Code, ch.Name}] = ch
	}
	return g
}

// Resolved is a member resolved to the counties that draw it.
type Resolved struct {
	Member   Member
	City     string   // the prefecture-level unit (cities collection id); "" when none exists in the outlines
	Counties []string // drawn counties
	// Undrawn lists parts the plan names without saying which part, or
	// units without an outline: carried in properties, never guessed at.
	Undrawn []string
	Notes   []string
}

// Partial reports whether only part of the member's unit belongs.
func (r Resolved) Partial() bool { return !r.Member.Whole }

// CityName names a prefecture-level unit: the code list's name, else the
// mapping table's for units abolished since the outlines (莱芜市), else the
// outline's for county-level units directly under a province.
func (g *Gazetteer) CityName(code string) string {
	if n := g.Codes[code]; n != "" {
		return n
	}
	for key, ch := range g.changes {
		if key[0] == code && len(ch.Counties) > 0 && cityOf(ch.Counties[0]) == code {
			return ch.Name
		}
	}
	if c := g.Counties[code]; c != nil {
		return c.Name
	}
	return ""
}

// names known for a code: the outline's and the code list's.
func (g *Gazetteer) names(code string) []string {
	var out []string
	if c, ok := g.Counties[code]; ok {
		out = append(out, c.Name)
	}
	if n, ok := g.Codes[code]; ok {
		out = append(out, n)
	}
	return out
}

// unit resolves one code+name to outline counties.
func (g *Gazetteer) unit(owner, code, name string) (counties []string, undrawn bool, note string, err error) {
	if ch, ok := g.changes[[2]string{code, name}]; ok {
		for _, c := range ch.Counties {
			if g.Counties[c] == nil {
				return nil, false, "", fmt.Errorf("%s: member %s %s: mapping-table county %s has no outline", owner, code, name, c)
			}
		}
		return ch.Counties, ch.Undrawn, ch.Why, nil
	}
	if code == "" {
		cands := g.byName(name)
		switch len(cands) {
		case 1:
			code = cands[0]
		case 0:
			return nil, false, "", fmt.Errorf("%s: member %q: unknown name, no code; no unit has that name", owner, name)
		default:
			return nil, false, "", fmt.Errorf("%s: member %q: ambiguous name, candidates %s", owner, name, g.describe(cands))
		}
	}
	known := g.names(code)
	if !contains(known, name) {
		cands := g.byName(name)
		if len(known) == 0 {
			return nil, false, "", fmt.Errorf("%s: member %s %s: unknown code; units named %q: %s", owner, code, name, name, g.describe(cands))
		}
		return nil, false, "", fmt.Errorf("%s: member %s %s: the code is %s in the sources; units named %q: %s (add a row to the mapping table if this is an admin change)", owner, code, name, strings.Join(known, "/"), name, g.describe(cands))
	}
	switch {
	case g.Counties[code] != nil:
		return []string{code}, false, "", nil
	case strings.HasSuffix(code, "0000") && len(g.ByCity[code]) > 0: // municipality
		return g.ByCity[code], false, "", nil
	case strings.HasSuffix(code, "00") && len(g.ByCity[code]) > 0:
		return g.ByCity[code], false, "", nil
	}
	return nil, false, "", fmt.Errorf("%s: member %s %s: the code names no outline", owner, code, name)
}

func (g *Gazetteer) byName(name string) []string {
	seen := map[string]bool{}
	var out []string
	for code, c := range g.Counties {
		if c.Name == name && !seen[code] {
			seen[code], out = true, append(out, code)
		}
	}
	for code, n := range g.Codes {
		if n == name && !seen[code] {
			seen[code], out = true, append(out, code)
		}
	}
	sort.Strings(out)
	return out
}

func (g *Gazetteer) describe(codes []string) string {
	if len(codes) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(codes))
	for _, c := range codes {
		parts = append(parts, c+" "+strings.Join(g.names(c), "/"))
	}
	return strings.Join(parts, ", ")
}

// Resolve maps every member of an entity to outline counties: whole units,
// units minus excluded counties, listed counties. Parts without a list are
// recorded as undrawn.
func (g *Gazetteer) Resolve(kind string, e Entity) ([]Resolved, error) {
	owner := kind + " " + e.ID
	var out []Resolved
	for _, m := range e.Members {
		r := Resolved{Member: m}
		units, undrawn, note, err := g.unit(owner, m.Code, m.Name)
		if err != nil {
			return nil, err
		}
		if note != "" {
			r.Notes = append(r.Notes, note)
		}
		r.City = g.cityFor(m.Code, units)
		switch {
		case undrawn:
			r.Undrawn = append(r.Undrawn, m.Name)
		case m.Whole:
			r.Counties = units
		case m.Include != nil:
			for _, s := range m.Include {
				cs, und, note, err := g.unit(owner+" member "+m.Name, s.Code, s.Name)
				if err != nil {
					return nil, err
				}
				if note != "" {
					r.Notes = append(r.Notes, note)
				}
				movedByChange := note != "" // an admin change may move a county to another city (公主岭市)
				if s.Partial || und {
					r.Undrawn = append(r.Undrawn, s.Name)
					continue
				}
				for _, c := range cs {
					if cityOf(c) != r.City && r.City != "" && !movedByChange {
						return nil, fmt.Errorf("%s: member %s %s: included county %s %s lies in %s, not in %s", owner, m.Code, m.Name, c, s.Name, cityOf(c), r.City)
					}
				}
				r.Counties = append(r.Counties, cs...)
			}
		case len(m.Exclude) > 0:
			drop := map[string]bool{}
			for _, s := range m.Exclude {
				cs, _, _, err := g.unit(owner+" member "+m.Name, s.Code, s.Name)
				if err != nil {
					return nil, err
				}
				for _, c := range cs {
					if !contains(units, c) {
						return nil, fmt.Errorf("%s: member %s %s: excluded county %s %s is not part of it", owner, m.Code, m.Name, c, s.Name)
					}
					drop[c] = true
				}
			}
			for _, c := range units {
				if !drop[c] {
					r.Counties = append(r.Counties, c)
				}
			}
		default:
			// "part of" with no list: the plan does not say which part
			r.Undrawn = append(r.Undrawn, m.Name)
		}
		sort.Strings(r.Counties)
		out = append(out, r)
	}
	return out, nil
}

// cityFor is the prefecture-level unit of the cities collection a member
// belongs to: the member itself when it is one, else the unit of its
// counties when they share one; "" for units abolished before the outlines
// (巢湖市), whose successors lie in other cities.
func (g *Gazetteer) cityFor(code string, units []string) string {
	if len(g.ByCity[code]) > 0 {
		return code
	}
	if len(units) == 0 {
		return ""
	}
	city := cityOf(units[0])
	for _, u := range units[1:] {
		if cityOf(u) != city {
			return ""
		}
	}
	return city
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
