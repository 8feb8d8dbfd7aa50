package api

// Flows as a map draws them: by default the items endpoint serves each
// flow with the curved geometry of the vector tiles (tiles.FlowGeometries),
// flow_shape=straight gives the stored origin→destination line.

import (
	"github.com/clusteratlas/clusteratlas/api/tiles"
	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
)

// curvedFlowLines is the drawable geometry of every flow, by feature index
// (nil where the flow has no geometry). Built once per State.
func curvedFlowLines(atlas *geo.Atlas) []orb.Geometry {
	coll, ok := atlas.Collection(data.Flows)
	if !ok {
		return nil
	}
	return tiles.FlowGeometries(coll.Features, false)
}

// parseFlowShape reads flow_shape (curved, the default, or straight). It is
// checked on every collection but changes only flows.
func parseFlowShape(c *fiber.Ctx) (straight bool, p *Problem) {
	if !c.Context().QueryArgs().Has("flow_shape") {
		return false, nil
	}
	switch v := c.Query("flow_shape"); v {
	case "curved":
		return false, nil
	case "straight":
		return true, nil
	default:
		return false, invalidParam("flow_shape", "must be curved or straight, got %q", clip(v))
	}
}

// curvedFlow reports the curved line of flow i, if it has one.
func (st *State) curvedFlow(i int) (orb.LineString, bool) {
	if i < 0 || i >= len(st.flowLines) {
		return nil, false
	}
	ls, ok := st.flowLines[i].(orb.LineString)
	return ls, ok && len(ls) > 2
}

// servedGeometry is featureGeometry with the flow shape applied.
func servedGeometry(st *State, collection string, i int, f *data.Feature, o geometryOptions, straight bool) orb.Geometry {
	if collection == data.Flows && !straight && !o.Omit {
		if ls, ok := st.curvedFlow(i); ok {
			return o.CRS.output(ls)
		}
	}
	return o.CRS.output(featureGeometry(st, collection, i, f, o))
}

// flowBBoxMatches filters flows by bbox against the geometry served: a
// curved flow bows away from its chord, so it can cross a box the straight
// line misses (and miss one it crosses).
func flowBBoxMatches(st *State, coll *geo.Collection, box BBox) []int {
	stored := map[int]bool{}
	for _, i := range bboxMatches(coll, box) {
		stored[i] = true
	}
	var out []int
	for i := range coll.Features {
		ls, ok := st.curvedFlow(i)
		if !ok {
			if stored[i] {
				out = append(out, i)
			}
			continue
		}
		for _, b := range box.Bounds() {
			if lineIntersectsBound(ls, b) {
				out = append(out, i)
				break
			}
		}
	}
	return out
}

// lineIntersectsBound reports whether any segment of ls touches b
// (Liang–Barsky clipping of each segment against the box).
func lineIntersectsBound(ls orb.LineString, b orb.Bound) bool {
	if !ls.Bound().Intersects(b) {
		return false
	}
	for i := 0; i+1 < len(ls); i++ {
		if geo.SegmentIntersectsBound(ls[i], ls[i+1], b) {
			return true
		}
	}
	return len(ls) == 1 && b.Contains(ls[0])
}
