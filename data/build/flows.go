package build

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/paulmach/orb"
)

// endpoint is where a flow starts or ends on the map.
type endpoint struct {
	Type  string // cluster, transfer-zone, region, international, class
	Name  string
	Point *orb.Point // nil: the source gives the place no location
	Note  string
	// Regions are the macro-regions (regions collection ids) a domestic
	// region endpoint stands for: east-coast → east, central-west →
	// central and west.
	Regions []string
}

// flowFeatures derives one feature per sourced statement: every corridor,
// and every origin region a zone's plan names that no corridor already
// states. Geometry is the straight line between the endpoints' anchors
// (clusters and zones: their label point; regions: see regionAnchor;
// international partners: the table's representative point). A flow whose
// endpoint has no location keeps its feature with a null geometry. No flow
// has a magnitude: no source gives one.
func flowFeatures(t *Table, labels map[string]orb.Point, names map[string]string, o *Outlines, gaz *Gazetteer) ([]Feature, error) {
	places := map[string]Place{}
	for _, p := range t.Places {
		places[p.ID] = p
	}
	ends := map[string]endpoint{}
	var resolve func(id string, depth int) (endpoint, error)
	resolve = func(id string, depth int) (endpoint, error) {
		if e, ok := ends[id]; ok {
			return e, nil
		}
		if depth > 4 {
			return endpoint{}, fmt.Errorf("place %s: same_as/union_of chain too deep", id)
		}
		var e endpoint
		switch {
		case isCluster(t, id):
			p := labels[id]
			e = endpoint{Type: "cluster", Name: names[id], Point: &p}
		case isZone(t, id):
			p := labels[id]
			e = endpoint{Type: "transfer-zone", Name: names[id], Point: &p}
		default:
			pl, ok := places[id]
			if !ok {
				return endpoint{}, fmt.Errorf("flow endpoint %q is no cluster, zone or place", id)
			}
			e = endpoint{Name: pl.NameZh, Note: pl.Note}
			if e.Name == "" {
				e.Name = pl.NameEn
			}
			switch pl.Kind {
			case "international":
				e.Type = "international"
				if pl.Point != nil {
					e.Point = &orb.Point{pl.Point.Lon, pl.Point.Lat}
				}
			case "domestic_region":
				e.Type = "region"
				e.Regions = regionIDs(pl, places, 0)
				provs, err := regionProvinces(pl, places, 0)
				if err != nil {
					return endpoint{}, err
				}
				if p, ok := regionAnchor(provs, o); ok {
					e.Point = &p
				}
			default:
				e.Type = "class" // a category of places with no list: no location
			}
		}
		ends[id] = e
		return e, nil
	}

	var out []Feature
	stated := map[[2]string]bool{}
	add := func(id, from, to string, props map[string]any) error {
		a, err := resolve(from, 0)
		if err != nil {
			return fmt.Errorf("flow %s: %w", id, err)
		}
		b, err := resolve(to, 0)
		if err != nil {
			return fmt.Errorf("flow %s: %w", id, err)
		}
		props["id"], props["from"], props["to"] = id, from, to
		props["from_name"], props["to_name"] = a.Name, b.Name
		props["from_type"], props["to_type"] = a.Type, b.Type
		props["from_regions"], props["to_regions"] = nonNil(a.Regions), nonNil(b.Regions)
		props["magnitude"] = nil
		f := Feature{ID: id, Properties: props}
		if a.Point != nil && b.Point != nil {
			f.Geometry = orb.LineString{roundPoint(*a.Point), roundPoint(*b.Point)}
			props["drawable"] = true
			props["length_km"] = round(geo.DistanceKm(*a.Point, *b.Point), 1)
		} else {
			props["drawable"] = false
			props["length_km"] = nil
		}
		stated[[2]string{from, to}] = true
		out = append(out, f)
		return nil
	}
	for _, c := range t.Corridors {
		props := map[string]any{
			"kind": c.Kind, "relation": nullable(c.Relation), "sectors": nonNil(c.Sectors),
			"year": nullableInt(c.Year), "source": rawOrNull(c.Source), "quote": nullable(c.Quote),
			"confidence": c.Confidence, "note": nullable(c.Note), "stated_by": "corridor",
		}
		if err := add(c.ID, c.From, c.To, props); err != nil {
			return nil, err
		}
	}
	for _, z := range t.Zones {
		for _, origin := range z.OriginRegions {
			if stated[[2]string{origin, z.ID}] {
				continue
			}
			props := map[string]any{
				"kind": "domestic", "relation": nil, "sectors": nonNil(z.Sectors),
				"year": nullableInt(z.Approved), "source": zoneSource(z), "quote": nullable(z.OriginText),
				"confidence": z.Confidence, "note": nil, "stated_by": "transfer_zone",
			}
			if err := add(origin+"-to-"+z.ID, origin, z.ID, props); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func zoneSource(z Entity) any {
	var plan map[string]any
	if len(z.Plan) > 0 && json.Unmarshal(z.Plan, &plan) == nil {
		return map[string]any{"title": plan["title"], "doc_no": nullable(z.DocNo), "url": plan["url"]}
	}
	return map[string]any{"title": z.NameZh, "doc_no": nullable(z.DocNo), "url": nil}
}

func isCluster(t *Table, id string) bool {
	for _, c := range t.Clusters {
		if c.ID == id {
			return true
		}
	}
	return false
}

func isZone(t *Table, id string) bool {
	for _, z := range t.Zones {
		if z.ID == id {
			return true
		}
	}
	return false
}

// regionProvinces expands a region to its province codes.
func regionProvinces(p Place, places map[string]Place, depth int) ([]string, error) {
	if depth > 4 {
		return nil, fmt.Errorf("place %s: chain too deep", p.ID)
	}
	if p.SameAs != "" {
		return regionProvinces(places[p.SameAs], places, depth+1)
	}
	var out []string
	for _, pr := range p.Provinces {
		out = append(out, pr.Code)
	}
	for _, id := range p.UnionOf {
		sub, ok := places[id]
		if !ok {
			return nil, fmt.Errorf("place %s: union_of names unknown place %s", p.ID, id)
		}
		codes, err := regionProvinces(sub, places, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, codes...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("place %s: a domestic region with no provinces", p.ID)
	}
	return out, nil
}

// regionAnchor places a region (a list of provinces) on the map: the label
// point of the county nearest to the area-weighted centre of the region's
// counties. The plain centre can fall in the sea (the eastern provinces
// wrap around the Yellow Sea); a county's label point cannot.
func regionAnchor(provinces []string, o *Outlines) (orb.Point, bool) {
	in := map[string]bool{}
	for _, p := range provinces {
		in[p[:2]] = true
	}
	type c struct {
		code string
		p    orb.Point
	}
	var cs []c
	var sx, sy, sa float64
	for _, code := range o.codes {
		if !in[code[:2]] {
			continue
		}
		mp := gridMultiPolygon(o.Counties[code])
		a := geo.AreaKm2(mp)
		b := mp.Bound().Center()
		sx, sy, sa = sx+a*b[0], sy+a*b[1], sa+a
		cs = append(cs, c{code, b})
	}
	if sa == 0 {
		return orb.Point{}, false
	}
	centre := orb.Point{sx / sa, sy / sa}
	best, bestD := "", math.Inf(1)
	for _, x := range cs {
		if d := geo.DistanceKm(centre, x.p); d < bestD {
			best, bestD = x.code, d
		}
	}
	return o.conv.point(labelPoint(gridMultiPolygon(o.Counties[best])), o.datum[best]), true
}

func roundPoint(p orb.Point) orb.Point {
	return orb.Point{round(p[0], coordinateDecimals), round(p[1], coordinateDecimals)}
}

func nullableInt(v int) any {
	if v == 0 {
		return nil
	}
	return v
}

func rawOrNull(r json.RawMessage) any {
	if len(r) == 0 {
		return nil
	}
	return r
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
