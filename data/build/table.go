package build

import (
	"encoding/json"
	"fmt"
)

// Table is the sourced membership table (data/clusters.json). Fields the
// build does not interpret are kept raw and passed through to the features.
type Table struct {
	Title     string   `json:"title"`
	Version   string   `json:"version"`
	Clusters  []Entity `json:"clusters"`
	Zones     []Entity `json:"transfer_zones"`
	Corridors []Flow   `json:"corridors"`
	Places    []Place  `json:"places"`
}

// Entity is a cluster or a transfer zone.
type Entity struct {
	ID            string          `json:"id"`
	NameZh        string          `json:"name_zh"`
	NameEn        string          `json:"name_en"`
	Tier          string          `json:"tier,omitempty"`
	Definition    string          `json:"definition,omitempty"`
	Plan          json.RawMessage `json:"plan,omitempty"`
	OfficialArea  *float64        `json:"official_area_km2,omitempty"`
	OfficialText  string          `json:"official_area_text,omitempty"`
	Members       []Member        `json:"members"`
	MemberText    *string         `json:"member_text,omitempty"`
	Sources       json.RawMessage `json:"sources,omitempty"`
	Confidence    string          `json:"confidence"`
	Verified      string          `json:"verified,omitempty"`
	Variants      json.RawMessage `json:"variants,omitempty"`
	Approved      int             `json:"approved,omitempty"`
	DocNo         string          `json:"doc_no,omitempty"`
	OriginRegions []string        `json:"origin_regions,omitempty"`
	OriginText    string          `json:"origin_text,omitempty"`
	Sectors       []string        `json:"sectors,omitempty"`
}

// Member is one unit named by a plan.
type Member struct {
	Name     string     `json:"name"`
	Code     string     `json:"code"`
	Province string     `json:"province,omitempty"`
	Whole    bool       `json:"whole"`
	Include  []SubUnit  `json:"include"`
	Exclude  []SubUnit  `json:"exclude,omitempty"`
	Now      *NowRecord `json:"now,omitempty"`
	Note     string     `json:"note,omitempty"`
	Status   string     `json:"members_status,omitempty"`
}

// SubUnit is a county listed in an include or exclude list.
type SubUnit struct {
	Name    string     `json:"name"`
	Code    string     `json:"code"`
	Partial bool       `json:"partial,omitempty"`
	Note    string     `json:"note,omitempty"`
	Now     *NowRecord `json:"now,omitempty"`
}

// NowRecord is the unit's later name and code where it changed.
type NowRecord struct {
	Name   string  `json:"name"`
	Code   *string `json:"code"`
	Change string  `json:"change"`
}

// Flow is a corridor: a sourced origin → destination statement.
type Flow struct {
	ID         string          `json:"id"`
	From       string          `json:"from"`
	To         string          `json:"to"`
	Kind       string          `json:"kind"`
	Relation   string          `json:"relation,omitempty"`
	Sectors    []string        `json:"sectors,omitempty"`
	Year       int             `json:"year,omitempty"`
	Source     json.RawMessage `json:"source"`
	Quote      string          `json:"quote,omitempty"`
	Confidence string          `json:"confidence"`
	Note       string          `json:"note,omitempty"`
	FromNote   string          `json:"from_note,omitempty"`
	Inferred   json.RawMessage `json:"origin_inferred,omitempty"`
	Verified   string          `json:"verified,omitempty"`
}

// Place is a flow endpoint that is neither a cluster nor a zone.
type Place struct {
	ID        string    `json:"id"`
	NameZh    string    `json:"name_zh"`
	NameEn    string    `json:"name_en"`
	Kind      string    `json:"kind"`
	Point     *LonLat   `json:"point"`
	Provinces []SubUnit `json:"provinces,omitempty"`
	UnionOf   []string  `json:"union_of,omitempty"`
	SameAs    string    `json:"same_as,omitempty"`
	Note      string    `json:"note,omitempty"`
	PointNote string    `json:"point_note,omitempty"`
	// Source cites the definition of a domestic region (NBS 2011).
	Source json.RawMessage `json:"source,omitempty"`
}

// LonLat is a representative point.
type LonLat struct {
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
}

// ParseTable reads clusters.json and checks its shape: unique ids, members
// with a code or a name, flows with both ends.
func ParseTable(b []byte) (*Table, error) {
	var t Table
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("clusters.json: %w", err)
	}
	seen := map[string]string{}
	check := func(kind, id string) error {
		if id == "" {
			return fmt.Errorf("clusters.json: a %s has no id", kind)
		}
		if prev, dup := seen[id]; dup {
			return fmt.Errorf("clusters.json: id %q used by a %s and a %s", id, prev, kind)
		}
		seen[id] = kind
		return nil
	}
	for _, e := range t.Clusters {
		if err := check("cluster", e.ID); err != nil {
			return nil, err
		}
	}
	for _, e := range t.Zones {
		if err := check("transfer zone", e.ID); err != nil {
			return nil, err
		}
	}
	for _, p := range t.Places {
		if err := check("place", p.ID); err != nil {
			return nil, err
		}
	}
	for _, f := range t.Corridors {
		if err := check("corridor", f.ID); err != nil {
			return nil, err
		}
		for _, end := range []string{f.From, f.To} {
			if k, ok := seen[end]; !ok || k == "corridor" {
				return nil, fmt.Errorf("clusters.json: corridor %s: endpoint %q is no cluster, zone or place", f.ID, end)
			}
		}
	}
	return &t, nil
}
