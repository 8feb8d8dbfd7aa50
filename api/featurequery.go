package api

// The items route's Part 3 query: CQL2 filter (text or JSON), the Part 1
// simple form ?property=value on queryable properties, and sortby.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

const (
	filterLangText = "cql2-text"
	filterLangJSON = "cql2-json"
	// filterLangDraftText is the Part 3 draft's name for the text encoding.
	// GDAL's OAPIF driver up to 3.7 filters on the server only when /api
	// lists it, and then sends the CQL2 subset it writes (=, <>, <, >, <=,
	// >=, LIKE, ILIKE, IS NULL, AND, OR, NOT), which this parser reads.
	filterLangDraftText = "cql-text"
)

var featureQueryParamDefs = map[string]paramDef{
	"filter": {Name: "filter", Description: "CQL2 filter (OGC API - Features Part 3) on the queryable properties (/collections/{collectionId}/queryables), in the encoding filter-lang names. " +
		"Supported: =, <>, <, >, <=, >=, LIKE ('%' any run, '_' one character, '\\' escape), BETWEEN, IN, IS [NOT] NULL, AND, OR, NOT, TRUE/FALSE, DATE('…') and TIMESTAMP('…') literals (compared as ISO 8601 text), " +
		"and S_INTERSECTS / S_DISJOINT of the geometry property with a WKT POINT, LINESTRING, POLYGON, their MULTI forms or BBOX(w,s,e,n) in CRS84. Example: tier='national' AND area_km2 > 100000. " +
		"A comparison with a null property is unknown (no match, also under NOT). Flows are tested on the line flow_shape serves. " +
		"Limits: --max-filter-bytes (default 16384), --max-filter-depth (nesting, default 32), --max-vertices (a geometry literal).",
		Schema: map[string]any{"type": "string", "maxLength": DefaultMaxFilterBytes}},
	"filter-lang": {Name: "filter-lang", Description: "Encoding of filter: cql2-text (default) or cql2-json; cql-text (the Part 3 draft's name, which GDAL up to 3.7 sends) is read as cql2-text.",
		Schema: map[string]any{"type": "string", "enum": []any{filterLangText, filterLangJSON, filterLangDraftText}, "default": filterLangText}},
	"filter-crs": {Name: "filter-crs", Description: "CRS of the filter's geometries; only CRS84 (lon/lat) is supported.",
		Schema: map[string]any{"type": "string", "format": "uri", "enum": []any{crs84}, "default": crs84}},
	"sortby": {Name: "sortby", Description: "Comma-separated queryable properties to sort by, each optionally prefixed + (ascending, the default) or - (descending); nulls sort last. Without sortby features keep the dataset's order.",
		Schema: map[string]any{"type": "array", "items": map[string]any{"type": "string", "pattern": "^[+-]?[A-Za-z_][A-Za-z0-9_.:]*$"}}, CommaList: true},
}

var featureQueryParams = []string{"filter", "filter-lang", "filter-crs", "sortby"}

// checkItemsArgs is the unknown-parameter rule of the items route, where a
// queryable property of the collection is also a parameter (the simple
// form, ?tier=national); the standard parameters win over a property of
// the same name. A queryable may be given once.
func (s *Server) checkItemsArgs(c *fiber.Ctx, allowed []string) *Problem {
	args := c.Context().QueryArgs()
	m := s.snapshot(c).meta[c.Params("collectionId")]
	if m == nil || m.Schema == nil {
		return checkKnownArgs(args, allowed)
	}
	standard := map[string]bool{}
	for _, a := range allowed {
		standard[paramDefs[a].Name] = true
	}
	var rest fasthttp.Args
	seen := map[string]bool{}
	var bad *Problem
	args.VisitAll(func(k, v []byte) {
		name := string(k)
		if f, ok := m.Schema.Field(name); ok && f.Queryable() && !standard[name] {
			if seen[name] && bad == nil {
				bad = invalidParam(name, "given more than once; give it once (use filter with IN for several values)")
			}
			seen[name] = true
			return
		}
		rest.AddBytesKV(k, v)
	})
	if bad != nil {
		return bad
	}
	if p := checkKnownArgs(&rest, allowed); p != nil {
		if p.Type == problemUnknownParameter {
			p.Detail += "; and the queryable properties as ?name=value: " + strings.Join(m.Schema.QueryableNames(), ", ")
		}
		return p
	}
	return nil
}

// filterFeatures applies the simple-form parameters, filter and sortby to
// the matches (ascending feature indexes) of the items route.
func (s *Server) filterFeatures(c *fiber.Ctx, st *State, name string, coll *geo.Collection, matches []int, straight bool) ([]int, *Problem) {
	m := st.meta[name]
	args := c.Context().QueryArgs()
	var conds []cqlNode
	// Simple form: ?property=value is property = value.
	var simpleErr *Problem
	args.VisitAll(func(k, v []byte) {
		key := string(k)
		if simpleErr != nil || paramDefs[key].Name == key || key == "f" {
			return
		}
		f, ok := m.Schema.Field(key)
		if !ok || !f.Queryable() {
			return
		}
		lit, p := simpleLiteral(f, string(v))
		if p != nil {
			simpleErr = p
			return
		}
		conds = append(conds, cqlCompare{op: "=", left: cqlValue{kind: valProperty, prop: key}, right: lit})
	})
	if simpleErr != nil {
		return nil, simpleErr
	}
	lang := filterLangText
	if args.Has("filter-lang") {
		lang = c.Query("filter-lang")
		if lang == filterLangDraftText {
			lang = filterLangText
		}
		if lang != filterLangText && lang != filterLangJSON {
			return nil, invalidParam("filter-lang", "must be %s or %s, got %q", filterLangText, filterLangJSON, clip(lang))
		}
	}
	if args.Has("filter-crs") && c.Query("filter-crs") != crs84 {
		return nil, invalidParam("filter-crs", "only %s is supported, got %q", crs84, clip(c.Query("filter-crs")))
	}
	if args.Has("filter") {
		raw := c.Query("filter")
		var node cqlNode
		var err *cqlError
		lim := filterLimits{Bytes: s.cfg.MaxFilterBytes, Depth: s.cfg.MaxFilterDepth, Vertices: s.cfg.MaxVertices}
		if lang == filterLangJSON {
			node, err = parseCQL2JSON(raw, lim)
		} else {
			node, err = parseCQL2Text(raw, lim)
		}
		if err != nil {
			return nil, filterProblem(lang, err)
		}
		conds = append(conds, node)
	}
	if len(conds) > 0 {
		root := conds[0]
		if len(conds) > 1 {
			root = cqlLogical{op: "and", args: conds}
		}
		intersects := func(i int, q *geo.QueryGeometry) bool {
			if g := servedGeometry(st, name, i, &coll.Features[i], noGeometryOptions, straight); g != nil && !isPolygonLayer(name) {
				return geo.GeometryIntersects(g, q)
			}
			return coll.Intersects(i, q)
		}
		bf, err := bindFilter(root, name, m.Schema, intersects)
		if err != nil {
			return nil, filterProblem(lang, err)
		}
		out := matches[:0:0]
		for _, i := range matches {
			if bf.match(coll.Features, i) {
				out = append(out, i)
			}
		}
		matches = out
	}
	if args.Has("sortby") {
		keys, p := parseSortBy(c.Query("sortby"), name, m.Schema)
		if p != nil {
			return nil, p
		}
		sortFeatures(coll, matches, keys)
	}
	return matches, nil
}

// filterProblem is the 400 for a refused filter, naming where and why.
func filterProblem(lang string, err *cqlError) *Problem {
	return invalidParam("filter", "%s filter at %s: %s", lang, err.At, err.Rule)
}

// simpleLiteral types a simple-form value by its property.
func simpleLiteral(f *fieldInfo, raw string) (cqlValue, *Problem) {
	switch f.Type {
	case "integer", "number":
		v, p := parseFloat(f.Name, raw)
		if p != nil {
			return cqlValue{}, invalidParam(f.Name, "is a numeric property; the value must be a number, got %q", clip(raw))
		}
		return cqlValue{kind: valNumber, num: v}, nil
	case "boolean":
		v, p := parseBool(f.Name, raw)
		if p != nil {
			return cqlValue{}, p
		}
		return cqlValue{kind: valBool, b: v}, nil
	}
	return cqlValue{kind: valString, str: raw}, nil
}

type sortKey struct {
	prop string
	desc bool
}

// parseSortBy reads "+a,-b,c".
func parseSortBy(raw, coll string, sch *collectionSchema) ([]sortKey, *Problem) {
	items, p := parseList("sortby", raw)
	if p != nil {
		return nil, p
	}
	keys := make([]sortKey, 0, len(items))
	for _, it := range items {
		k := sortKey{prop: it}
		switch it[0] {
		case '-':
			k.desc, k.prop = true, it[1:]
		case '+':
			k.prop = it[1:]
		}
		// A '+' in a URL query decodes to a space: accept " name" as "+name".
		k.prop = strings.TrimSpace(k.prop)
		f, ok := sch.Field(k.prop)
		if !ok || !f.Queryable() {
			return nil, invalidParam("sortby", "%q is not a sortable property of %s; sortable: %s", clip(k.prop), coll, strings.Join(sch.QueryableNames(), ", "))
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// sortFeatures orders idx by the keys, stably (ties keep dataset order);
// nulls and missing values sort last in either direction.
func sortFeatures(coll *geo.Collection, idx []int, keys []sortKey) {
	sort.SliceStable(idx, func(a, b int) bool {
		pa, pb := coll.Features[idx[a]].Properties, coll.Features[idx[b]].Properties
		for _, k := range keys {
			va, vb := pa[k.prop], pb[k.prop]
			switch {
			case va == nil && vb == nil:
				continue
			case va == nil:
				return false
			case vb == nil:
				return true
			}
			c, ok := compareValues(va, vb)
			if !ok {
				// Mixed types: order by type name, deterministic.
				c = strings.Compare(fmt.Sprintf("%T", va), fmt.Sprintf("%T", vb))
			}
			if c == 0 {
				continue
			}
			return (c < 0) != k.desc
		}
		return false
	})
}
