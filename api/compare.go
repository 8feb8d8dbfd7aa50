package api

import (
	"bytes"
	"encoding/csv"
	"math"
	"strconv"
	"strings"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
)

// flowRefs counts and names the flows on one side of a cluster.
type flowRefs struct {
	Count int      `json:"count"`
	IDs   []string `json:"ids"`
}

// clusterMetrics is one column of the side-by-side comparison (named for
// the clusters, which came first; any compared collection's feature has
// the same shape, with its collection named).
type clusterMetrics struct {
	ID              string                  `json:"id"`
	Collection      string                  `json:"collection"`
	NameZH          string                  `json:"name_zh"`
	NameEN          string                  `json:"name_en"`
	Tier            string                  `json:"tier"`
	AreaKm2         *float64                `json:"area_km2"`
	OfficialAreaKm2 *float64                `json:"official_area_km2"`
	PerimeterKm     *float64                `json:"perimeter_km"`
	MembersWhole    *float64                `json:"members_whole"`
	MembersPartial  *float64                `json:"members_partial"`
	Label           *[2]float64             `json:"label"`
	Centroid        *[2]float64             `json:"centroid"`
	BBox            *[4]float64             `json:"bbox"`
	CoveredBy       map[string]float64      `json:"covered_by,omitempty"`
	FlowsIn         flowRefs                `json:"flows_in"`
	FlowsOut        flowRefs                `json:"flows_out"`
	Indicators      map[string]IndicatorSum `json:"indicators,omitempty"`
}

// pairMetrics relates two compared features.
type pairMetrics struct {
	A               string   `json:"a"`
	B               string   `json:"b"`
	EdgeDistanceKm  *float64 `json:"edge_distance_km"`  // between nearest edges; 0 if they touch or overlap
	LabelDistanceKm *float64 `json:"label_distance_km"` // between label points
	// CentroidDistanceKm is between the planar area centroids.
	CentroidDistanceKm *float64 `json:"centroid_distance_km"`
	OverlapAreaKm2     *float64 `json:"overlap_area_km2"` // null if the overlay failed
	ShareOfA           *float64 `json:"share_of_a"`       // overlap / area of a
	ShareOfB           *float64 `json:"share_of_b"`       // overlap / area of b
}

type comparison struct {
	IDs              []string          `json:"ids"`
	Features         []clusterMetrics  `json:"features"` // one column per id, in the order asked
	Pairs            []pairMetrics     `json:"pairs"`
	IndicatorColumns []string          `json:"indicator_columns,omitempty"`
	Notes            map[string]string `json:"notes"`
}

var compareNotes = map[string]string{
	"centroid":          "planar area centroid in lon/lat (may fall outside a non-convex cluster; label is always inside)",
	"flows":             "flows_in: flows whose to is the feature's id; flows_out: flows whose from is (clusters and zones; a region's flows are at /regions/{id}/flows)",
	"edge_distance":     "geodesic km between the nearest points of the two outlines; 0 when they touch or overlap",
	"indicators":        "sum over whole members only; partial members (only some counties in the cluster) are listed, never summed",
	"label_distance":    "geodesic km between the two label points",
	"centroid_distance": "geodesic km between the two centroids",
	"shares":            "share_of_a / share_of_b: the overlap area over the area of a / b (full-detail geodesic areas)",
	"covered_by":        "per other compared collection: the share of the feature's area inside the union of that collection's features",
	"ids":               "a bare id, or collection:id when several compared collections hold it",
}

func optFloat(f *data.Feature, key string) *float64 {
	if v, ok := f.Float(key); ok {
		return &v
	}
	return nil
}

func featureLabel(f *data.Feature) (orb.Point, bool) {
	list, ok := f.Properties["label"].([]any)
	if !ok || len(list) != 2 {
		return orb.Point{}, false
	}
	lon, ok1 := list[0].(float64)
	lat, ok2 := list[1].(float64)
	return orb.Point{lon, lat}, ok1 && ok2
}

// clusterMembers reads the members property: codes of whole and partial members.
func clusterMembers(f *data.Feature) (whole, partial []string) {
	list, _ := f.Properties["members"].([]any)
	for _, m := range list {
		obj, ok := m.(map[string]any)
		if !ok {
			continue
		}
		code, _ := obj["code"].(string)
		if code == "" {
			continue
		}
		if w, _ := obj["whole"].(bool); w {
			whole = append(whole, code)
		} else {
			partial = append(partial, code)
		}
	}
	return whole, partial
}

// buildClusterMetrics reads one feature's column: properties as published,
// geometry-derived values from the precomputed table (tf).
func buildClusterMetrics(st *State, f *data.Feature, tf *data.CompareFeature) clusterMetrics {
	m := clusterMetrics{
		ID: f.ID, Collection: tf.Collection, NameZH: f.String("name_zh"), NameEN: f.String("name_en"), Tier: f.String("tier"),
		AreaKm2: optFloat(f, "area_km2"), OfficialAreaKm2: optFloat(f, "official_area_km2"), PerimeterKm: optFloat(f, "perimeter_km"),
		MembersWhole: optFloat(f, "members_whole"), MembersPartial: optFloat(f, "members_partial"),
		Centroid: tf.Centroid, BBox: tf.BBox, CoveredBy: tf.CoveredBy,
	}
	if m.AreaKm2 == nil && tf.Centroid != nil {
		m.AreaKm2 = &tf.AreaKm2
	}
	if m.PerimeterKm == nil && tf.Centroid != nil {
		m.PerimeterKm = &tf.PerimeterKm
	}
	if l, ok := featureLabel(f); ok {
		m.Label = &[2]float64{l[0], l[1]}
	}
	in, out := st.compare.flowsIn[f.ID], st.compare.flowsOut[f.ID]
	m.FlowsIn = flowRefs{Count: len(in), IDs: append([]string{}, in...)}
	m.FlowsOut = flowRefs{Count: len(out), IDs: append([]string{}, out...)}
	if ind := st.Indicators; ind != nil {
		whole, partial := clusterMembers(f)
		m.Indicators = map[string]IndicatorSum{}
		for col, name := range ind.Columns {
			sum := IndicatorSum{WholeMembersMissing: []string{}, PartialMembers: append([]string{}, partial...)}
			for _, code := range whole {
				vals, ok := ind.Values[code]
				if !ok || math.IsNaN(vals[col]) {
					sum.WholeMembersMissing = append(sum.WholeMembersMissing, code)
					continue
				}
				sum.SumWholeMembers += vals[col]
				sum.WholeMembersCounted++
			}
			m.Indicators[name] = sum
		}
	}
	return m
}

// compare answers from the precomputed table only: no geometry is touched
// per request, so any comparison costs a few map lookups.
func (s *Server) compare() fiber.Handler {
	return func(c *fiber.Ctx) error {
		st := s.snapshot(c)
		args := c.Context().QueryArgs()
		if !args.Has("ids") {
			return invalidParam("ids", "is required: a comma-separated list of feature ids (collection:id when ambiguous)")
		}
		ids, p := parseList("ids", c.Query("ids"))
		if p != nil {
			return p
		}
		if len(ids) > MaxCompareIDs {
			return invalidParam("ids", "at most %d ids, got %d", MaxCompareIDs, len(ids))
		}
		format, _, err := chooseFormat(c, []negotiated{asJSON, asCSV}, []string{mediaJSON, mediaCSV}, []negotiated{asJSON, asCSV})
		if err != nil {
			return err
		}
		seen := make(map[int]bool, len(ids))
		rows := make([]int, 0, len(ids))
		for _, id := range ids {
			n, p := st.compare.resolve(id)
			if p != nil {
				return p
			}
			if seen[n] {
				return invalidParam("ids", "id %q is listed twice", clip(id))
			}
			seen[n] = true
			rows = append(rows, n)
		}
		cmp := comparison{IDs: ids, Features: make([]clusterMetrics, 0, len(rows)), Pairs: make([]pairMetrics, 0, len(rows)*(len(rows)-1)/2), Notes: compareNotes}
		if st.Indicators != nil {
			cmp.IndicatorColumns = st.Indicators.Columns
		}
		for _, n := range rows {
			tf := &st.compare.table.Features[n]
			coll, _ := st.Atlas.Collection(tf.Collection)
			i, _ := coll.Index(tf.ID)
			cmp.Features = append(cmp.Features, buildClusterMetrics(st, &coll.Features[i], tf))
		}
		for i := range rows {
			for j := i + 1; j < len(rows); j++ {
				tp, _ := st.compare.pair(rows[i], rows[j])
				cmp.Pairs = append(cmp.Pairs, pairMetrics{A: ids[i], B: ids[j],
					EdgeDistanceKm: tp.EdgeDistanceKm, LabelDistanceKm: tp.LabelDistanceKm, CentroidDistanceKm: tp.CentroidDistanceKm,
					OverlapAreaKm2: tp.OverlapAreaKm2, ShareOfA: tp.ShareOfA, ShareOfB: tp.ShareOfB})
			}
		}
		if format == asCSV {
			body := compareCSV(cmp)
			c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
			c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+csvFileName(ids)+`"`)
			return c.Send(body)
		}
		return sendJSON(c, mediaJSON, cmp)
	}
}

// csvFileName names the download after the ids, keeping only safe characters.
func csvFileName(ids []string) string {
	name := "clusteratlas-compare-" + strings.Join(ids, "_")
	if len(name) > 120 {
		name = name[:120]
	}
	clean := strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return '_'
	}, name)
	return clean + ".csv"
}

func fmtOpt(v *float64) string {
	if v == nil {
		return ""
	}
	return fmtFloat(*v)
}

func fmtFloat(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// compareCSV lays the comparison out one row per cluster, with the pairwise
// metrics as columns per other cluster, so it opens as one sheet. It starts
// with a UTF-8 byte-order mark so spreadsheets read the Chinese names right.
func compareCSV(cmp comparison) []byte {
	var buf bytes.Buffer
	buf.WriteString("\xef\xbb\xbf")
	w := csv.NewWriter(&buf)
	header := []string{"id", "name_zh", "name_en", "tier", "area_km2", "official_area_km2", "perimeter_km",
		"members_whole", "members_partial", "label_lon", "label_lat", "centroid_lon", "centroid_lat",
		"bbox_west", "bbox_south", "bbox_east", "bbox_north", "flows_in", "flows_in_ids", "flows_out", "flows_out_ids"}
	for _, col := range cmp.IndicatorColumns {
		header = append(header, col+"_sum_whole_members", col+"_whole_members_counted", col+"_whole_members_missing", col+"_partial_members")
	}
	coveredCols := coveredByColumns(cmp)
	for _, name := range coveredCols {
		header = append(header, "covered_by_"+name)
	}
	for _, id := range cmp.IDs {
		header = append(header, "edge_distance_km_to_"+id, "label_distance_km_to_"+id, "centroid_distance_km_to_"+id, "overlap_area_km2_with_"+id, "share_inside_"+id)
	}
	_ = w.Write(header)
	pair := map[[2]string]pairMetrics{}
	for _, p := range cmp.Pairs {
		pair[[2]string{p.A, p.B}] = p
		pair[[2]string{p.B, p.A}] = pairMetrics{A: p.B, B: p.A, EdgeDistanceKm: p.EdgeDistanceKm, LabelDistanceKm: p.LabelDistanceKm,
			CentroidDistanceKm: p.CentroidDistanceKm, OverlapAreaKm2: p.OverlapAreaKm2, ShareOfA: p.ShareOfB, ShareOfB: p.ShareOfA}
	}
	for r, m := range cmp.Features {
		row := []string{m.ID, m.NameZH, m.NameEN, m.Tier, fmtOpt(m.AreaKm2), fmtOpt(m.OfficialAreaKm2), fmtOpt(m.PerimeterKm),
			fmtOpt(m.MembersWhole), fmtOpt(m.MembersPartial)}
		if m.Label != nil {
			row = append(row, fmtFloat(m.Label[0]), fmtFloat(m.Label[1]))
		} else {
			row = append(row, "", "")
		}
		if m.Centroid != nil {
			row = append(row, fmtFloat(m.Centroid[0]), fmtFloat(m.Centroid[1]))
		} else {
			row = append(row, "", "")
		}
		if m.BBox != nil {
			row = append(row, fmtFloat(m.BBox[0]), fmtFloat(m.BBox[1]), fmtFloat(m.BBox[2]), fmtFloat(m.BBox[3]))
		} else {
			row = append(row, "", "", "", "")
		}
		row = append(row, strconv.Itoa(m.FlowsIn.Count), strings.Join(m.FlowsIn.IDs, " "), strconv.Itoa(m.FlowsOut.Count), strings.Join(m.FlowsOut.IDs, " "))
		for _, col := range cmp.IndicatorColumns {
			s := m.Indicators[col]
			row = append(row, fmtFloat(s.SumWholeMembers), strconv.Itoa(s.WholeMembersCounted),
				strconv.Itoa(len(s.WholeMembersMissing)), strconv.Itoa(len(s.PartialMembers)))
		}
		for _, name := range coveredCols {
			if v, ok := m.CoveredBy[name]; ok {
				row = append(row, fmtFloat(v))
			} else {
				row = append(row, "")
			}
		}
		for _, other := range cmp.IDs {
			if other == cmp.IDs[r] {
				row = append(row, "0", "0", "0", fmtOpt(m.AreaKm2), "1")
				continue
			}
			p := pair[[2]string{cmp.IDs[r], other}]
			row = append(row, fmtOpt(p.EdgeDistanceKm), fmtOpt(p.LabelDistanceKm), fmtOpt(p.CentroidDistanceKm), fmtOpt(p.OverlapAreaKm2), fmtOpt(p.ShareOfA))
		}
		_ = w.Write(row)
	}
	w.Flush()
	return buf.Bytes()
}

// coveredByColumns are the collections any compared feature reports a
// covered_by share for, in the compared collections' order.
func coveredByColumns(cmp comparison) []string {
	var out []string
	for _, name := range data.CompareCollections {
		for _, m := range cmp.Features {
			if _, ok := m.CoveredBy[name]; ok {
				out = append(out, name)
				break
			}
		}
	}
	return out
}

// clusterFlows lists the flows that start or end at a cluster.
func (s *Server) clusterFlows() fiber.Handler {
	return s.flowsOf(data.Clusters, "clusterId", "cluster", func(fl *data.Feature, id string, to bool) string {
		if to && fl.String("to") == id || !to && fl.String("from") == id {
			return "named"
		}
		return ""
	})
}

// regionFlows lists the flows into and out of a macro-region: those whose
// stated end is the region (east-coast counts for east, central-west for
// central and west), and those whose drawn end (a cluster's or zone's
// label point) lies inside it.
func (s *Server) regionFlows() fiber.Handler {
	return s.flowsOf(data.Regions, "regionId", "region", nil)
}

// flowMatch says how a flow's end (to, else from) relates to feature id:
// "named", "inside", or "" when it does not.
type flowMatch func(fl *data.Feature, id string, to bool) string

func (s *Server) flowsOf(collection, param, what string, match flowMatch) fiber.Handler {
	return func(c *fiber.Ctx) error {
		st := s.snapshot(c)
		id := c.Params(param)
		coll, _ := st.Atlas.Collection(collection)
		idx, ok := coll.Index(id)
		if !ok {
			return notFound(param, "%s %q does not exist", what, clip(id))
		}
		direction := "both"
		if c.Context().QueryArgs().Has("direction") {
			direction = c.Query("direction")
			if direction != "in" && direction != "out" && direction != "both" {
				return invalidParam("direction", "must be in, out or both, got %q", clip(direction))
			}
		}
		opts, p := parseFeatureOptions(c, st, data.Flows)
		if p != nil {
			return p
		}
		straight, p := parseFlowShape(c)
		if p != nil {
			return p
		}
		opts.CurvedFlows = !straight // drawn like the tiles and the items endpoint
		if match == nil {
			match = regionMatch(coll, idx)
		}
		flows, _ := st.Atlas.Collection(data.Flows)
		var feats []queryFeature
		for i := range flows.Features {
			fl := &flows.Features[i]
			if m := match(fl, id, true); m != "" && direction != "out" {
				feats = append(feats, queryFeature{collection: data.Flows, index: i, extra: map[string]any{"direction": "in", "match": m}})
			} else if m := match(fl, id, false); m != "" && direction != "in" {
				feats = append(feats, queryFeature{collection: data.Flows, index: i, extra: map[string]any{"direction": "out", "match": m}})
			}
		}
		return writeQueryAnswer(c, st, feats, opts, map[string]any{
			"query": map[string]any{what: id, "direction": direction},
		})
	}
}

// regionMatch matches a flow end to region i of coll: named when the end's
// regions list it, inside when the end is a cluster or zone whose drawn
// point lies in the region.
func regionMatch(coll *geo.Collection, i int) flowMatch {
	return func(fl *data.Feature, id string, to bool) string {
		key := "from_regions"
		if to {
			key = "to_regions"
		}
		for _, r := range fl.Strings(key) {
			if r == id {
				return "named"
			}
		}
		line, ok := fl.Geometry.(orb.LineString)
		if !ok || len(line) < 2 {
			return ""
		}
		typ := fl.String("from_type")
		pt := line[0]
		if to {
			typ, pt = fl.String("to_type"), line[len(line)-1]
		}
		if (typ == "cluster" || typ == "transfer-zone") && coll.FeatureContains(i, pt) {
			return "inside"
		}
		return ""
	}
}
