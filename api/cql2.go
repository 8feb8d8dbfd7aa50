package api

// CQL2 (OGC 21-065) filters for OGC API - Features Part 3: a hand-written
// recursive-descent parser for the text encoding and a decoder for the JSON
// encoding, both producing the same small AST (cqlNode). Supported: the
// Basic CQL2 comparisons, AND/OR/NOT, IS [NOT] NULL, the advanced comparison
// operators LIKE, BETWEEN and IN, and the spatial predicates S_INTERSECTS
// and S_DISJOINT with WKT/GeoJSON/BBOX literals. Every error names where
// (character or JSON pointer) and which rule failed; no input panics
// (FuzzParseCQL2Text, FuzzParseCQL2JSON).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/paulmach/orb"
)

// Default filter limits (--max-filter-bytes, --max-filter-depth): a filter
// is a URL parameter, so these are generous for any real filter and bound
// the parser's work and recursion.
const (
	DefaultMaxFilterBytes = 16 << 10
	DefaultMaxFilterDepth = 32
)

// filterLimits bound one parse.
type filterLimits struct{ Bytes, Depth, Vertices int }

type cqlNode interface{ isNode() }

type (
	cqlLogical struct {
		op   string // "and", "or"
		args []cqlNode
	}
	cqlNot     struct{ arg cqlNode }
	cqlBoolLit struct{ v bool }
	cqlCompare struct {
		op          string // = <> < > <= >=
		left, right cqlValue
	}
	// cqlLike is LIKE; fold makes it ILIKE (case-insensitive), which
	// GDAL's OAPIF driver sends for a -where ILIKE (CQL2 spells it CASEI).
	cqlLike struct {
		value, pattern cqlValue
		fold           bool
	}
	cqlBetween struct{ value, low, high cqlValue }
	cqlIn      struct {
		value cqlValue
		list  []cqlValue
	}
	cqlIsNull struct{ value cqlValue }
	// cqlSpatial is a pointer node: binding stores the prepared literal.
	cqlSpatial struct {
		op   string // "s_intersects", "s_disjoint"
		a, b cqlValue
		q    *geo.QueryGeometry
	}
)

func (cqlLogical) isNode()  {}
func (cqlNot) isNode()      {}
func (cqlBoolLit) isNode()  {}
func (cqlCompare) isNode()  {}
func (cqlLike) isNode()     {}
func (cqlBetween) isNode()  {}
func (cqlIn) isNode()       {}
func (cqlIsNull) isNode()   {}
func (*cqlSpatial) isNode() {}

type valueKind int8

const (
	valProperty valueKind = iota
	valString
	valNumber
	valBool
	valGeometry
)

// cqlValue is an operand: a property reference or a literal.
type cqlValue struct {
	kind valueKind
	prop string
	str  string
	num  float64
	b    bool
	geom orb.Geometry
	at   string // where it was written, for errors
}

func (v cqlValue) describe() string {
	switch v.kind {
	case valProperty:
		return "property " + strconv.Quote(v.prop)
	case valString:
		return "string " + strconv.Quote(clip(v.str))
	case valNumber:
		return "number " + strconv.FormatFloat(v.num, 'g', -1, 64)
	case valBool:
		return "boolean " + strconv.FormatBool(v.b)
	}
	return "geometry"
}

// cqlError is a filter the parser or binder refused: At is a character
// position ("character 12") or a JSON pointer ("/args/1"), Rule the rule.
type cqlError struct{ At, Rule string }

func (e *cqlError) Error() string { return "at " + e.At + ": " + e.Rule }

// ---- text encoding ----

type tokKind int8

const (
	tEOF tokKind = iota
	tIdent
	tQuoted // "double quoted" property name
	tString
	tNumber
	tLParen
	tRParen
	tComma
	tOp
)

type token struct {
	kind tokKind
	text string // identifier (as written), string value, operator
	num  float64
	pos  int // 1-based character position
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "the end of the filter"
	case tString:
		return "string '" + clip(t.text) + "'"
	case tQuoted:
		return `"` + clip(t.text) + `"`
	}
	return strconv.Quote(clip(t.text))
}

// lexCQL2 splits a text filter into tokens.
func lexCQL2(s string) ([]token, *cqlError) {
	var toks []token
	pos := 0 // characters consumed
	i := 0
	at := func() string { return "character " + strconv.Itoa(pos+1) }
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return nil, &cqlError{at(), "the filter is not valid UTF-8"}
		}
		start, startPos := i, pos
		switch {
		case unicode.IsSpace(r):
			i += size
			pos++
			continue
		case r == '(' || r == ')' || r == ',':
			k := map[rune]tokKind{'(': tLParen, ')': tRParen, ',': tComma}[r]
			toks = append(toks, token{kind: k, text: string(r), pos: pos + 1})
			i++
			pos++
			continue
		case r == '=' || r == '<' || r == '>':
			op := string(r)
			if i+1 < len(s) && (s[i:i+2] == "<>" || s[i:i+2] == "<=" || s[i:i+2] == ">=") {
				op = s[i : i+2]
			}
			toks = append(toks, token{kind: tOp, text: op, pos: pos + 1})
			i += len(op)
			pos += len(op)
			continue
		case r == '\'':
			// 'it''s' : a doubled quote is a quote.
			var b strings.Builder
			i++
			pos++
			closed := false
			for i < len(s) {
				c, sz := utf8.DecodeRuneInString(s[i:])
				if c == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						pos += 2
						continue
					}
					i++
					pos++
					closed = true
					break
				}
				b.WriteRune(c)
				i += sz
				pos++
			}
			if !closed {
				return nil, &cqlError{"character " + strconv.Itoa(startPos+1), "string literal is not closed (a quote inside a string is written '')"}
			}
			toks = append(toks, token{kind: tString, text: b.String(), pos: startPos + 1})
			continue
		case r == '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return nil, &cqlError{at(), `quoted property name is not closed`}
			}
			name := s[i+1 : i+1+end]
			toks = append(toks, token{kind: tQuoted, text: name, pos: pos + 1})
			pos += utf8.RuneCountInString(name) + 2
			i += end + 2
			continue
		case r >= '0' && r <= '9' || r == '.' || ((r == '-' || r == '+') && i+1 < len(s) && (s[i+1] >= '0' && s[i+1] <= '9' || s[i+1] == '.')):
			j := i + 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == 'e' || s[j] == 'E' ||
				((s[j] == '-' || s[j] == '+') && (s[j-1] == 'e' || s[j-1] == 'E'))) {
				j++
			}
			v, err := strconv.ParseFloat(s[i:j], 64)
			if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
				return nil, &cqlError{at(), fmt.Sprintf("%q is not a finite number", clip(s[i:j]))}
			}
			toks = append(toks, token{kind: tNumber, text: s[i:j], num: v, pos: pos + 1})
			pos += j - i
			i = j
			continue
		case unicode.IsLetter(r) || r == '_':
			j := i
			for j < len(s) {
				c, sz := utf8.DecodeRuneInString(s[j:])
				if !(unicode.IsLetter(c) || unicode.IsDigit(c) || c == '_' || c == '.' || c == ':') {
					break
				}
				j += sz
				pos++
			}
			toks = append(toks, token{kind: tIdent, text: s[start:j], pos: startPos + 1})
			i = j
			continue
		}
		return nil, &cqlError{at(), fmt.Sprintf("unexpected character %q", r)}
	}
	return append(toks, token{kind: tEOF, pos: pos + 1}), nil
}

// reserved words cannot be unquoted property names.
var cqlReserved = map[string]bool{"AND": true, "OR": true, "NOT": true, "LIKE": true, "ILIKE": true, "BETWEEN": true, "IN": true,
	"IS": true, "NULL": true, "TRUE": true, "FALSE": true}

type textParser struct {
	toks  []token
	i     int
	depth int
	lim   filterLimits
}

func (p *textParser) peek() token { return p.toks[p.i] }
func (p *textParser) next() token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}
func (p *textParser) errAt(t token, format string, args ...any) *cqlError {
	return &cqlError{"character " + strconv.Itoa(t.pos), fmt.Sprintf(format, args...)}
}
func (p *textParser) isKeyword(word string) bool {
	t := p.peek()
	return t.kind == tIdent && strings.EqualFold(t.text, word)
}
func (p *textParser) expect(k tokKind, what string) (token, *cqlError) {
	t := p.next()
	if t.kind != k {
		return t, p.errAt(t, "expected %s, found %s", what, t)
	}
	return t, nil
}

// parseCQL2Text parses a CQL2 text filter.
func parseCQL2Text(s string, lim filterLimits) (cqlNode, *cqlError) {
	if len(s) > lim.Bytes {
		return nil, &cqlError{"character 1", fmt.Sprintf("the filter is %d bytes; the limit is %d", len(s), lim.Bytes)}
	}
	toks, err := lexCQL2(s)
	if err != nil {
		return nil, err
	}
	p := &textParser{toks: toks, lim: lim}
	if p.peek().kind == tEOF {
		return nil, p.errAt(p.peek(), "the filter is empty")
	}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errAt(t, "expected AND, OR or the end of the filter, found %s", t)
	}
	return n, nil
}

func (p *textParser) enter() *cqlError {
	p.depth++
	if p.depth > p.lim.Depth {
		return p.errAt(p.peek(), "the filter nests deeper than %d levels", p.lim.Depth)
	}
	return nil
}

func (p *textParser) parseOr() (cqlNode, *cqlError) {
	return p.parseChain("OR", "or", p.parseAnd)
}

func (p *textParser) parseAnd() (cqlNode, *cqlError) {
	return p.parseChain("AND", "and", p.parseNot)
}

// parseChain reads operand (keyword operand)…: OR binds looser than AND,
// which binds looser than NOT, so each level chains the next one.
func (p *textParser) parseChain(keyword, op string, operand func() (cqlNode, *cqlError)) (cqlNode, *cqlError) {
	left, err := operand()
	if err != nil {
		return nil, err
	}
	args := []cqlNode{left}
	for p.isKeyword(keyword) {
		p.next()
		right, err := operand()
		if err != nil {
			return nil, err
		}
		args = append(args, right)
	}
	if len(args) == 1 {
		return left, nil
	}
	return cqlLogical{op: op, args: args}, nil
}

func (p *textParser) parseNot() (cqlNode, *cqlError) {
	if p.isKeyword("NOT") {
		p.next()
		if err := p.enter(); err != nil {
			return nil, err
		}
		arg, err := p.parseNot()
		p.depth--
		if err != nil {
			return nil, err
		}
		return cqlNot{arg}, nil
	}
	return p.parsePrimary()
}

var spatialOps = map[string]bool{"S_INTERSECTS": true, "S_DISJOINT": true}

func (p *textParser) parsePrimary() (cqlNode, *cqlError) {
	t := p.peek()
	if t.kind == tLParen {
		p.next()
		if err := p.enter(); err != nil {
			return nil, err
		}
		n, err := p.parseOr()
		p.depth--
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen, "')'"); err != nil {
			return nil, err
		}
		return n, nil
	}
	if t.kind == tIdent && p.toks[min(p.i+1, len(p.toks)-1)].kind == tLParen {
		up := strings.ToUpper(t.text)
		if spatialOps[up] {
			return p.parseSpatial()
		}
		if strings.HasPrefix(up, "S_") || strings.HasPrefix(up, "T_") || strings.HasPrefix(up, "A_") {
			return nil, p.errAt(t, "function %s is not supported; spatial predicates are S_INTERSECTS and S_DISJOINT", clip(t.text))
		}
	}
	left, err := p.parseScalar()
	if err != nil {
		return nil, err
	}
	not := false
	if p.isKeyword("NOT") {
		p.next()
		not = true
		if !(p.isKeyword("LIKE") || p.isKeyword("ILIKE") || p.isKeyword("BETWEEN") || p.isKeyword("IN")) {
			return nil, p.errAt(p.peek(), "expected LIKE, ILIKE, BETWEEN or IN after NOT, found %s", p.peek())
		}
	}
	wrap := func(n cqlNode) (cqlNode, *cqlError) {
		if not {
			return cqlNot{n}, nil
		}
		return n, nil
	}
	switch op := p.peek(); {
	case op.kind == tOp:
		p.next()
		right, err := p.parseScalar()
		if err != nil {
			return nil, err
		}
		return cqlCompare{op: op.text, left: left, right: right}, nil
	case p.isKeyword("LIKE") || p.isKeyword("ILIKE"):
		fold := p.isKeyword("ILIKE")
		p.next()
		pat, err := p.parseScalar()
		if err != nil {
			return nil, err
		}
		return wrap(cqlLike{value: left, pattern: pat, fold: fold})
	case p.isKeyword("BETWEEN"):
		p.next()
		lo, err := p.parseScalar()
		if err != nil {
			return nil, err
		}
		if !p.isKeyword("AND") {
			return nil, p.errAt(p.peek(), "expected AND in BETWEEN … AND …, found %s", p.peek())
		}
		p.next()
		hi, err := p.parseScalar()
		if err != nil {
			return nil, err
		}
		return wrap(cqlBetween{value: left, low: lo, high: hi})
	case p.isKeyword("IN"):
		p.next()
		if _, err := p.expect(tLParen, "'(' starting the IN list"); err != nil {
			return nil, err
		}
		var list []cqlValue
		for {
			v, err := p.parseScalar()
			if err != nil {
				return nil, err
			}
			list = append(list, v)
			t := p.next()
			if t.kind == tRParen {
				break
			}
			if t.kind != tComma {
				return nil, p.errAt(t, "expected ',' or ')' in the IN list, found %s", t)
			}
		}
		return wrap(cqlIn{value: left, list: list})
	case p.isKeyword("IS"):
		p.next()
		isNot := false
		if p.isKeyword("NOT") {
			p.next()
			isNot = true
		}
		if !p.isKeyword("NULL") {
			return nil, p.errAt(p.peek(), "expected NULL after IS, found %s", p.peek())
		}
		p.next()
		if isNot {
			return cqlNot{cqlIsNull{left}}, nil
		}
		return cqlIsNull{left}, nil
	}
	if left.kind == valBool {
		return cqlBoolLit{left.b}, nil
	}
	return nil, p.errAt(p.peek(), "expected a comparison operator (=, <>, <, >, <=, >=), LIKE, BETWEEN, IN or IS NULL after %s, found %s", left.describe(), p.peek())
}

// parseScalar reads a property name or a string, number, boolean, DATE()
// or TIMESTAMP() literal (dates compare as their ISO 8601 text).
func (p *textParser) parseScalar() (cqlValue, *cqlError) {
	t := p.next()
	at := "character " + strconv.Itoa(t.pos)
	switch t.kind {
	case tString:
		return cqlValue{kind: valString, str: t.text, at: at}, nil
	case tNumber:
		return cqlValue{kind: valNumber, num: t.num, at: at}, nil
	case tQuoted:
		if t.text == "" {
			return cqlValue{}, p.errAt(t, "a property name cannot be empty")
		}
		return cqlValue{kind: valProperty, prop: t.text, at: at}, nil
	case tIdent:
		up := strings.ToUpper(t.text)
		switch up {
		case "TRUE", "FALSE":
			return cqlValue{kind: valBool, b: up == "TRUE", at: at}, nil
		case "DATE", "TIMESTAMP":
			if p.peek().kind == tLParen {
				p.next()
				s, err := p.expect(tString, "a quoted "+strings.ToLower(up)+" such as '2016-05-22'")
				if err != nil {
					return cqlValue{}, err
				}
				if _, err := p.expect(tRParen, "')'"); err != nil {
					return cqlValue{}, err
				}
				return cqlValue{kind: valString, str: s.text, at: at}, nil
			}
		}
		if cqlReserved[up] {
			return cqlValue{}, p.errAt(t, "expected a property or a literal, found the keyword %s (quote a property of that name: \"%s\")", up, clip(t.text))
		}
		if p.peek().kind == tLParen {
			return cqlValue{}, p.errAt(t, "function %s is not supported here", clip(t.text))
		}
		return cqlValue{kind: valProperty, prop: t.text, at: at}, nil
	}
	return cqlValue{}, p.errAt(t, "expected a property or a literal, found %s", t)
}

func (p *textParser) parseSpatial() (cqlNode, *cqlError) {
	name := p.next()
	p.next() // (
	a, err := p.parseGeomOperand()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(tComma, "',' between the two geometries of "+strings.ToUpper(name.text)); err != nil {
		return nil, err
	}
	b, err := p.parseGeomOperand()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(tRParen, "')' closing "+strings.ToUpper(name.text)); err != nil {
		return nil, err
	}
	return &cqlSpatial{op: strings.ToLower(name.text), a: a, b: b}, nil
}

// parseGeomOperand reads a property name, a WKT geometry or BBOX(w,s,e,n).
func (p *textParser) parseGeomOperand() (cqlValue, *cqlError) {
	t := p.peek()
	at := "character " + strconv.Itoa(t.pos)
	if t.kind == tQuoted {
		p.next()
		return cqlValue{kind: valProperty, prop: t.text, at: at}, nil
	}
	if t.kind != tIdent {
		return cqlValue{}, p.errAt(t, "expected a geometry property, a WKT geometry or BBOX(…), found %s", t)
	}
	up := strings.ToUpper(t.text)
	if p.toks[min(p.i+1, len(p.toks)-1)].kind != tLParen {
		if up == "POINT" || up == "BBOX" || strings.HasPrefix(up, "MULTI") || up == "LINESTRING" || up == "POLYGON" {
			return cqlValue{}, p.errAt(t, "expected '(' after %s (Z and M coordinates are not supported)", up)
		}
		p.next()
		return cqlValue{kind: valProperty, prop: t.text, at: at}, nil
	}
	p.next()
	var g orb.Geometry
	var err *cqlError
	switch up {
	case "BBOX":
		p.next()
		var nums []float64
		for {
			n, e := p.expect(tNumber, "a number in BBOX(west, south, east, north)")
			if e != nil {
				return cqlValue{}, e
			}
			nums = append(nums, n.num)
			sep := p.next()
			if sep.kind == tRParen {
				break
			}
			if sep.kind != tComma {
				return cqlValue{}, p.errAt(sep, "expected ',' or ')' in BBOX, found %s", sep)
			}
		}
		g, err = bboxGeometry(nums, at)
	case "POINT":
		var pts []orb.Point
		pts, err = p.wktPoints(1)
		if err == nil {
			g = pts[0]
		}
	case "LINESTRING":
		var pts []orb.Point
		if pts, err = p.wktPoints(0); err == nil {
			g = orb.LineString(pts)
		}
	case "POLYGON":
		var poly orb.Polygon
		if poly, err = p.wktPolygon(); err == nil {
			g = poly
		}
	case "MULTIPOINT":
		g, err = p.wktMultiPoint()
	case "MULTILINESTRING":
		var mls orb.MultiLineString
		err = p.wktList(func() *cqlError {
			pts, e := p.wktPoints(0)
			mls = append(mls, pts)
			return e
		})
		g = mls
	case "MULTIPOLYGON":
		var mp orb.MultiPolygon
		err = p.wktList(func() *cqlError {
			poly, e := p.wktPolygon()
			mp = append(mp, poly)
			return e
		})
		g = mp
	default:
		return cqlValue{}, p.errAt(t, "geometry %s is not supported; use POINT, LINESTRING, POLYGON, their MULTI forms or BBOX", clip(t.text))
	}
	if err != nil {
		return cqlValue{}, err
	}
	if e := checkFilterGeometry(g, at, p.lim.Vertices); e != nil {
		return cqlValue{}, e
	}
	return cqlValue{kind: valGeometry, geom: g, at: at}, nil
}

// wktPoints reads "( x y, x y, … )"; want > 0 requires exactly that many.
func (p *textParser) wktPoints(want int) ([]orb.Point, *cqlError) {
	if _, err := p.expect(tLParen, "'(' starting a coordinate list"); err != nil {
		return nil, err
	}
	var pts []orb.Point
	for {
		x, err := p.expect(tNumber, "a longitude")
		if err != nil {
			return nil, err
		}
		y, err := p.expect(tNumber, "a latitude after the longitude")
		if err != nil {
			return nil, err
		}
		pts = append(pts, orb.Point{x.num, y.num})
		if len(pts) > p.lim.Vertices {
			return nil, p.errAt(y, "the geometry has more than %d vertices", p.lim.Vertices)
		}
		t := p.next()
		if t.kind == tRParen {
			break
		}
		if t.kind != tComma {
			return nil, p.errAt(t, "expected ',' or ')' after a coordinate pair (3D coordinates are not supported), found %s", t)
		}
	}
	if want > 0 && len(pts) != want {
		return nil, p.errAt(p.toks[p.i-1], "a POINT has one coordinate pair, got %d", len(pts))
	}
	return pts, nil
}

// wktList reads "( item, item, … )".
func (p *textParser) wktList(item func() *cqlError) *cqlError {
	if _, err := p.expect(tLParen, "'('"); err != nil {
		return err
	}
	for {
		if err := item(); err != nil {
			return err
		}
		t := p.next()
		if t.kind == tRParen {
			return nil
		}
		if t.kind != tComma {
			return p.errAt(t, "expected ',' or ')', found %s", t)
		}
	}
}

func (p *textParser) wktPolygon() (orb.Polygon, *cqlError) {
	var poly orb.Polygon
	err := p.wktList(func() *cqlError {
		pts, e := p.wktPoints(0)
		poly = append(poly, orb.Ring(pts))
		return e
	})
	return poly, err
}

// wktMultiPoint accepts both MULTIPOINT((1 2),(3 4)) and MULTIPOINT(1 2, 3 4).
func (p *textParser) wktMultiPoint() (orb.Geometry, *cqlError) {
	if p.toks[min(p.i+1, len(p.toks)-1)].kind == tLParen {
		var mp orb.MultiPoint
		err := p.wktList(func() *cqlError {
			pts, e := p.wktPoints(1)
			if e == nil {
				mp = append(mp, pts[0])
			}
			return e
		})
		return mp, err
	}
	pts, err := p.wktPoints(0)
	return orb.MultiPoint(pts), err
}

func bboxGeometry(nums []float64, at string) (orb.Geometry, *cqlError) {
	var w, s, e, n float64
	switch len(nums) {
	case 4:
		w, s, e, n = nums[0], nums[1], nums[2], nums[3]
	case 6:
		w, s, e, n = nums[0], nums[1], nums[3], nums[4]
	default:
		return nil, &cqlError{at, fmt.Sprintf("BBOX takes 4 numbers (west, south, east, north) or 6 with heights, got %d", len(nums))}
	}
	if w < -180 || e > 180 || w > 180 || e < -180 || s < -90 || n > 90 || s > n {
		return nil, &cqlError{at, "BBOX must be west, south, east, north within lon -180..180, lat -90..90, south not above north"}
	}
	if w > e {
		// Crosses the antimeridian: two boxes.
		return orb.Collection{
			orb.Bound{Min: orb.Point{w, s}, Max: orb.Point{180, n}},
			orb.Bound{Min: orb.Point{-180, s}, Max: orb.Point{e, n}},
		}, nil
	}
	return orb.Bound{Min: orb.Point{w, s}, Max: orb.Point{e, n}}, nil
}

// checkFilterGeometry applies the posted-geometry rules (range, closed
// rings, vertex limit) to a filter literal.
func checkFilterGeometry(g orb.Geometry, at string, maxVertices int) *cqlError {
	switch g.(type) {
	case orb.Bound, orb.Collection:
		return nil
	}
	if n := countVertices(g); n > maxVertices {
		return &cqlError{at, fmt.Sprintf("the geometry has %d vertices; the limit is %d", n, maxVertices)}
	}
	if p := checkGeometry(g); p != nil {
		return &cqlError{at, strings.TrimPrefix(p.Detail, "request body: ")}
	}
	return nil
}

func countVertices(g orb.Geometry) int {
	switch t := g.(type) {
	case orb.Point:
		return 1
	case orb.MultiPoint:
		return len(t)
	case orb.LineString:
		return len(t)
	case orb.MultiLineString:
		n := 0
		for _, l := range t {
			n += len(l)
		}
		return n
	case orb.Polygon:
		n := 0
		for _, r := range t {
			n += len(r)
		}
		return n
	case orb.MultiPolygon:
		n := 0
		for _, p := range t {
			n += countVertices(p)
		}
		return n
	}
	return 0
}

// ---- JSON encoding ----

type jsonParser struct {
	depth int
	lim   filterLimits
}

// parseCQL2JSON parses a CQL2 JSON filter.
func parseCQL2JSON(s string, lim filterLimits) (cqlNode, *cqlError) {
	if len(s) > lim.Bytes {
		return nil, &cqlError{"/", fmt.Sprintf("the filter is %d bytes; the limit is %d", len(s), lim.Bytes)}
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &cqlError{"/", "not valid JSON: " + clip(err.Error())}
	}
	if dec.More() {
		return nil, &cqlError{"/", "extra data after the JSON value"}
	}
	p := &jsonParser{lim: lim}
	return p.boolExpr(v, "")
}

func ptr(path string) string {
	if path == "" {
		return "/"
	}
	return path
}

func (p *jsonParser) boolExpr(v any, path string) (cqlNode, *cqlError) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > p.lim.Depth {
		return nil, &cqlError{ptr(path), fmt.Sprintf("the filter nests deeper than %d levels", p.lim.Depth)}
	}
	if b, ok := v.(bool); ok {
		return cqlBoolLit{b}, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, &cqlError{ptr(path), "expected a boolean expression: an object with \"op\" and \"args\", or true/false"}
	}
	op, ok := obj["op"].(string)
	if !ok {
		return nil, &cqlError{ptr(path), "expected an object with a string \"op\" member"}
	}
	args, ok := obj["args"].([]any)
	if !ok {
		return nil, &cqlError{path + "/args", fmt.Sprintf("op %q needs an \"args\" array", clip(op))}
	}
	argPath := func(i int) string { return path + "/args/" + strconv.Itoa(i) }
	nargs := func(n int) *cqlError {
		if len(args) != n {
			return &cqlError{path + "/args", fmt.Sprintf("op %q takes %d arguments, got %d", op, n, len(args))}
		}
		return nil
	}
	lop := strings.ToLower(op)
	switch lop {
	case "and", "or":
		if len(args) < 2 {
			return nil, &cqlError{path + "/args", fmt.Sprintf("op %q takes at least 2 arguments, got %d", op, len(args))}
		}
		out := cqlLogical{op: lop}
		for i, a := range args {
			n, err := p.boolExpr(a, argPath(i))
			if err != nil {
				return nil, err
			}
			out.args = append(out.args, n)
		}
		return out, nil
	case "not":
		if err := nargs(1); err != nil {
			return nil, err
		}
		n, err := p.boolExpr(args[0], argPath(0))
		if err != nil {
			return nil, err
		}
		return cqlNot{n}, nil
	case "=", "<>", "<", ">", "<=", ">=":
		if err := nargs(2); err != nil {
			return nil, err
		}
		l, err := p.scalar(args[0], argPath(0))
		if err != nil {
			return nil, err
		}
		r, err := p.scalar(args[1], argPath(1))
		if err != nil {
			return nil, err
		}
		return cqlCompare{op: lop, left: l, right: r}, nil
	case "like":
		if err := nargs(2); err != nil {
			return nil, err
		}
		l, err := p.scalar(args[0], argPath(0))
		if err != nil {
			return nil, err
		}
		r, err := p.scalar(args[1], argPath(1))
		if err != nil {
			return nil, err
		}
		return cqlLike{value: l, pattern: r}, nil
	case "between":
		if err := nargs(3); err != nil {
			return nil, err
		}
		var vals [3]cqlValue
		for i := range vals {
			v, err := p.scalar(args[i], argPath(i))
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
		return cqlBetween{value: vals[0], low: vals[1], high: vals[2]}, nil
	case "in":
		if err := nargs(2); err != nil {
			return nil, err
		}
		l, err := p.scalar(args[0], argPath(0))
		if err != nil {
			return nil, err
		}
		list, ok := args[1].([]any)
		if !ok || len(list) == 0 {
			return nil, &cqlError{argPath(1), "the second argument of \"in\" must be a non-empty array of literals"}
		}
		out := cqlIn{value: l}
		for i, e := range list {
			v, err := p.scalar(e, argPath(1)+"/"+strconv.Itoa(i))
			if err != nil {
				return nil, err
			}
			out.list = append(out.list, v)
		}
		return out, nil
	case "isnull":
		if err := nargs(1); err != nil {
			return nil, err
		}
		v, err := p.scalar(args[0], argPath(0))
		if err != nil {
			return nil, err
		}
		return cqlIsNull{v}, nil
	case "s_intersects", "s_disjoint":
		if err := nargs(2); err != nil {
			return nil, err
		}
		a, err := p.geometry(args[0], argPath(0))
		if err != nil {
			return nil, err
		}
		b, err := p.geometry(args[1], argPath(1))
		if err != nil {
			return nil, err
		}
		return &cqlSpatial{op: lop, a: a, b: b}, nil
	}
	return nil, &cqlError{path + "/op", fmt.Sprintf("op %q is not supported; supported: and, or, not, =, <>, <, >, <=, >=, like, between, in, isNull, s_intersects, s_disjoint", clip(op))}
}

func (p *jsonParser) scalar(v any, path string) (cqlValue, *cqlError) {
	at := ptr(path)
	switch x := v.(type) {
	case string:
		return cqlValue{kind: valString, str: x, at: at}, nil
	case bool:
		return cqlValue{kind: valBool, b: x, at: at}, nil
	case json.Number:
		f, err := x.Float64()
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return cqlValue{}, &cqlError{at, fmt.Sprintf("%q is not a finite number", clip(x.String()))}
		}
		return cqlValue{kind: valNumber, num: f, at: at}, nil
	case map[string]any:
		if len(x) == 1 {
			if name, ok := x["property"].(string); ok && name != "" {
				return cqlValue{kind: valProperty, prop: name, at: at}, nil
			}
			for _, k := range []string{"date", "timestamp"} {
				if s, ok := x[k].(string); ok {
					return cqlValue{kind: valString, str: s, at: at}, nil
				}
			}
		}
		if _, ok := x["op"]; ok {
			return cqlValue{}, &cqlError{at, "functions and arithmetic are not supported as operands"}
		}
	}
	return cqlValue{}, &cqlError{at, "expected a literal (string, number, boolean), {\"property\": name}, {\"date\": …} or {\"timestamp\": …}"}
}

func (p *jsonParser) geometry(v any, path string) (cqlValue, *cqlError) {
	at := ptr(path)
	obj, ok := v.(map[string]any)
	if !ok {
		return cqlValue{}, &cqlError{at, "expected {\"property\": name}, a GeoJSON geometry or {\"bbox\": […]}"}
	}
	if name, ok := obj["property"].(string); ok && len(obj) == 1 {
		return cqlValue{kind: valProperty, prop: name, at: at}, nil
	}
	if raw, ok := obj["bbox"].([]any); ok && len(obj) == 1 {
		nums := make([]float64, 0, len(raw))
		for _, e := range raw {
			n, ok := e.(json.Number)
			if !ok {
				return cqlValue{}, &cqlError{at + "/bbox", "bbox members must be numbers"}
			}
			f, err := n.Float64()
			if err != nil {
				return cqlValue{}, &cqlError{at + "/bbox", "bbox members must be finite numbers"}
			}
			nums = append(nums, f)
		}
		g, err := bboxGeometry(nums, at)
		if err != nil {
			return cqlValue{}, err
		}
		return cqlValue{kind: valGeometry, geom: g, at: at}, nil
	}
	typ, _ := obj["type"].(string)
	switch typ {
	case "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon":
	default:
		return cqlValue{}, &cqlError{at, fmt.Sprintf("geometry type %q is not supported; use Point, LineString, Polygon, their Multi forms or {\"bbox\": […]}", clip(typ))}
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		return cqlValue{}, &cqlError{at, "unreadable geometry"}
	}
	geom, gerr := safeUnmarshalGeometry(bytes.TrimSpace(raw))
	if gerr != nil {
		return cqlValue{}, &cqlError{at, "not a valid GeoJSON " + typ + ": " + clip(gerr.Error())}
	}
	g := geom.Geometry()
	if g == nil {
		return cqlValue{}, &cqlError{at, "empty geometry"}
	}
	if e := checkFilterGeometry(g, at, p.lim.Vertices); e != nil {
		return cqlValue{}, e
	}
	return cqlValue{kind: valGeometry, geom: g, at: at}, nil
}
