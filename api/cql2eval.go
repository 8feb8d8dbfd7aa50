package api

// Binding a parsed CQL2 filter to a collection (properties must be
// queryable, literals of the property's type) and evaluating it on
// features with SQL's three-valued logic: a comparison with a null or
// missing property is unknown, NOT unknown is unknown, and only features
// for which the filter is true are returned.

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
)

type tri int8

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

func triOf(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

// boundFilter is a filter checked against one collection's schema, ready
// to evaluate (spatial literals prepared once). It is read-only, so one
// request may evaluate it from several goroutines.
type boundFilter struct {
	root   cqlNode
	schema *collectionSchema
	// intersects tests feature i against a prepared query geometry.
	intersects func(i int, q *geo.QueryGeometry) bool
}

// bindFilter checks every operand against the collection's queryables.
func bindFilter(root cqlNode, name string, sch *collectionSchema, intersects func(int, *geo.QueryGeometry) bool) (*boundFilter, *cqlError) {
	bf := &boundFilter{root: root, schema: sch, intersects: intersects}
	if err := bf.check(root, name); err != nil {
		return nil, err
	}
	return bf, nil
}

// scalarType is the type an operand has ("string", "number", "boolean").
func (bf *boundFilter) scalarType(v cqlValue, coll string) (string, *cqlError) {
	switch v.kind {
	case valString:
		return "string", nil
	case valNumber:
		return "number", nil
	case valBool:
		return "boolean", nil
	case valGeometry:
		return "", &cqlError{v.at, "a geometry is only allowed in S_INTERSECTS and S_DISJOINT"}
	}
	if v.prop == geometryProperty {
		return "", &cqlError{v.at, "the geometry property is only allowed in S_INTERSECTS and S_DISJOINT"}
	}
	f, ok := bf.schema.Field(v.prop)
	if !ok || !f.Queryable() {
		return "", &cqlError{v.at, fmt.Sprintf("property %q is not queryable in %s; queryables: %s, geometry", clip(v.prop), coll, strings.Join(bf.schema.QueryableNames(), ", "))}
	}
	if f.Type == "integer" {
		return "number", nil
	}
	return f.Type, nil
}

func (bf *boundFilter) sameType(coll, context string, vals ...cqlValue) *cqlError {
	first := ""
	var firstVal cqlValue
	for _, v := range vals {
		t, err := bf.scalarType(v, coll)
		if err != nil {
			return err
		}
		if first == "" {
			first, firstVal = t, v
			continue
		}
		if t != first {
			return &cqlError{v.at, fmt.Sprintf("%s: %s is a %s but %s is a %s", context, v.describe(), t, firstVal.describe(), first)}
		}
	}
	return nil
}

func (bf *boundFilter) check(n cqlNode, coll string) *cqlError {
	switch x := n.(type) {
	case cqlLogical:
		for _, a := range x.args {
			if err := bf.check(a, coll); err != nil {
				return err
			}
		}
	case cqlNot:
		return bf.check(x.arg, coll)
	case cqlBoolLit:
	case cqlCompare:
		return bf.sameType(coll, "comparison "+x.op, x.left, x.right)
	case cqlLike:
		t, err := bf.scalarType(x.value, coll)
		if err != nil {
			return err
		}
		if t != "string" {
			return &cqlError{x.value.at, fmt.Sprintf("LIKE needs a string, %s is a %s", x.value.describe(), t)}
		}
		if x.pattern.kind != valString {
			return &cqlError{x.pattern.at, "the LIKE pattern must be a string literal ('%' any characters, '_' one, '\\' escapes)"}
		}
	case cqlBetween:
		if err := bf.sameType(coll, "BETWEEN", x.value, x.low, x.high); err != nil {
			return err
		}
		if t, _ := bf.scalarType(x.value, coll); t == "boolean" {
			return &cqlError{x.value.at, "BETWEEN needs numbers or strings, not booleans"}
		}
	case cqlIn:
		return bf.sameType(coll, "IN", append([]cqlValue{x.value}, x.list...)...)
	case cqlIsNull:
		_, err := bf.scalarType(x.value, coll)
		return err
	case *cqlSpatial:
		for _, v := range []cqlValue{x.a, x.b} {
			switch {
			case v.kind == valGeometry:
				x.q = geo.PrepareQuery(v.geom)
			case v.kind == valProperty && v.prop == geometryProperty:
			case v.kind == valProperty:
				return &cqlError{v.at, fmt.Sprintf("property %q is not a geometry; the geometry property is %q", clip(v.prop), geometryProperty)}
			default:
				return &cqlError{v.at, fmt.Sprintf("%s is not a geometry", v.describe())}
			}
		}
		if x.a.kind == valProperty && x.b.kind == valProperty {
			return &cqlError{x.b.at, "one argument of " + strings.ToUpper(x.op) + " must be a geometry literal"}
		}
		if x.a.kind == valGeometry && x.b.kind == valGeometry {
			return &cqlError{x.a.at, "one argument of " + strings.ToUpper(x.op) + " must be the geometry property"}
		}
		if bf.schema.GeometryType == "" {
			return &cqlError{x.a.at, coll + " has no geometry"}
		}
	}
	return nil
}

// match reports whether the filter is true for feature i of feats.
func (bf *boundFilter) match(feats []data.Feature, i int) bool {
	return bf.eval(bf.root, feats, i) == triTrue
}

func (bf *boundFilter) eval(n cqlNode, feats []data.Feature, i int) tri {
	props := feats[i].Properties
	switch x := n.(type) {
	case cqlBoolLit:
		return triOf(x.v)
	case cqlLogical:
		// Kleene logic: AND is false if any is false, OR true if any is true.
		out := triTrue
		if x.op == "or" {
			out = triFalse
		}
		for _, a := range x.args {
			r := bf.eval(a, feats, i)
			if x.op == "and" {
				if r == triFalse {
					return triFalse
				}
				if r == triUnknown {
					out = triUnknown
				}
			} else {
				if r == triTrue {
					return triTrue
				}
				if r == triUnknown {
					out = triUnknown
				}
			}
		}
		return out
	case cqlNot:
		switch bf.eval(x.arg, feats, i) {
		case triTrue:
			return triFalse
		case triFalse:
			return triTrue
		}
		return triUnknown
	case cqlIsNull:
		return triOf(operand(x.value, props) == nil)
	case cqlCompare:
		c, ok := compareValues(operand(x.left, props), operand(x.right, props))
		if !ok {
			return triUnknown
		}
		switch x.op {
		case "=":
			return triOf(c == 0)
		case "<>":
			return triOf(c != 0)
		case "<":
			return triOf(c < 0)
		case ">":
			return triOf(c > 0)
		case "<=":
			return triOf(c <= 0)
		case ">=":
			return triOf(c >= 0)
		}
		return triUnknown
	case cqlBetween:
		v := operand(x.value, props)
		lo, ok1 := compareValues(v, operand(x.low, props))
		hi, ok2 := compareValues(v, operand(x.high, props))
		if !ok1 || !ok2 {
			return triUnknown
		}
		return triOf(lo >= 0 && hi <= 0)
	case cqlIn:
		v := operand(x.value, props)
		if v == nil {
			return triUnknown
		}
		out := triFalse
		for _, e := range x.list {
			c, ok := compareValues(v, operand(e, props))
			if !ok {
				out = triUnknown
				continue
			}
			if c == 0 {
				return triTrue
			}
		}
		return out
	case cqlLike:
		s, ok := operand(x.value, props).(string)
		if !ok {
			return triUnknown
		}
		if x.fold {
			return triOf(likeMatch(strings.ToLower(s), strings.ToLower(x.pattern.str)))
		}
		return triOf(likeMatch(s, x.pattern.str))
	case *cqlSpatial:
		if feats[i].Geometry == nil || x.q == nil {
			return triUnknown
		}
		hit := bf.intersects(i, x.q)
		if x.op == "s_disjoint" {
			hit = !hit
		}
		return triOf(hit)
	}
	return triUnknown
}

// operand resolves a value for one feature: a property's value (nil when
// null or absent) or the literal.
func operand(v cqlValue, props map[string]any) any {
	switch v.kind {
	case valProperty:
		return props[v.prop]
	case valString:
		return v.str
	case valNumber:
		return v.num
	case valBool:
		return v.b
	}
	return nil
}

// compareValues orders two values of the same type; ok is false for a null
// or for values of different types (a mixed-type property).
func compareValues(a, b any) (int, bool) {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		if !ok {
			return 0, false
		}
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		}
		return 0, true
	case string:
		y, ok := b.(string)
		if !ok {
			return 0, false
		}
		return strings.Compare(x, y), true
	case bool:
		y, ok := b.(bool)
		if !ok {
			return 0, false
		}
		switch {
		case x == y:
			return 0, true
		case !x:
			return -1, true
		}
		return 1, true
	}
	return 0, false
}

// likeMatch is SQL LIKE: '%' any run of characters, '_' exactly one, '\'
// escapes the next character. Iterative with one backtrack point, so it is
// linear-ish and cannot blow up on hostile patterns (O(len(s)·len(p)) worst).
func likeMatch(s, pattern string) bool {
	type pc struct {
		r    rune
		wild byte // 0 literal, '%', '_'
	}
	var pat []pc
	for i := 0; i < len(pattern); {
		r, n := utf8.DecodeRuneInString(pattern[i:])
		i += n
		switch r {
		case '\\':
			if i < len(pattern) {
				r2, n2 := utf8.DecodeRuneInString(pattern[i:])
				i += n2
				pat = append(pat, pc{r: r2})
			} else {
				pat = append(pat, pc{r: '\\'})
			}
		case '%':
			pat = append(pat, pc{wild: '%'})
		case '_':
			pat = append(pat, pc{wild: '_'})
		default:
			pat = append(pat, pc{r: r})
		}
	}
	str := []rune(s)
	si, pi := 0, 0
	starP, starS := -1, 0
	for si < len(str) {
		if pi < len(pat) && (pat[pi].wild == '_' || (pat[pi].wild == 0 && pat[pi].r == str[si])) {
			si++
			pi++
			continue
		}
		if pi < len(pat) && pat[pi].wild == '%' {
			starP, starS = pi, si
			pi++
			continue
		}
		if starP >= 0 {
			starS++
			si, pi = starS, starP+1
			continue
		}
		return false
	}
	for pi < len(pat) && pat[pi].wild == '%' {
		pi++
	}
	return pi == len(pat)
}
