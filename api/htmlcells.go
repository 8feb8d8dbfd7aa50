package api

import (
	"fmt"
	"html/template"
	"sort"
	"strings"
)

// cellHTML renders a property value for the HTML pages: an array of objects
// (members, sources, clusters) as a table with one column per member, an
// object (plan, source) as a two-column table, an array of scalars as a
// comma list and a URL as a link. Every string is escaped.
func cellHTML(v any) template.HTML {
	var b strings.Builder
	writeCell(&b, v, 0)
	return template.HTML(b.String())
}

// maxCellDepth bounds nesting (the data nests two deep; this only guards
// hand-made datasets).
const maxCellDepth = 4

func writeCell(b *strings.Builder, v any, depth int) {
	if depth > maxCellDepth {
		b.WriteString(template.HTMLEscapeString(cellText(v)))
		return
	}
	switch x := v.(type) {
	case nil:
	case string:
		if strings.HasPrefix(x, "http://") || strings.HasPrefix(x, "https://") {
			e := template.HTMLEscapeString(x)
			fmt.Fprintf(b, `<a href="%s" rel="nofollow">%s</a>`, e, e)
			return
		}
		b.WriteString(template.HTMLEscapeString(x))
	case map[string]any:
		b.WriteString(`<table class="nested">`)
		for _, k := range sortedKeys(x) {
			b.WriteString("<tr><th>" + template.HTMLEscapeString(k) + "</th><td>")
			writeCell(b, x[k], depth+1)
			b.WriteString("</td></tr>")
		}
		b.WriteString("</table>")
	case []any:
		cols, ok := objectColumns(x)
		if !ok {
			for i, e := range x {
				if i > 0 {
					b.WriteString(", ")
				}
				writeCell(b, e, depth+1)
			}
			return
		}
		b.WriteString(`<table class="nested"><tr>`)
		for _, c := range cols {
			b.WriteString("<th>" + template.HTMLEscapeString(c) + "</th>")
		}
		b.WriteString("</tr>")
		for _, e := range x {
			b.WriteString("<tr>")
			row := e.(map[string]any)
			for _, c := range cols {
				b.WriteString("<td>")
				writeCell(b, row[c], depth+1)
				b.WriteString("</td>")
			}
			b.WriteString("</tr>")
		}
		b.WriteString("</table>")
	default:
		b.WriteString(template.HTMLEscapeString(cellText(v)))
	}
}

// objectColumns is the union of the members of a non-empty array of
// objects, sorted; ok is false if any element is not an object.
func objectColumns(list []any) ([]string, bool) {
	if len(list) == 0 {
		return nil, false
	}
	seen := map[string]bool{}
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, false
		}
		for k := range m {
			seen[k] = true
		}
	}
	cols := make([]string, 0, len(seen))
	for k := range seen {
		cols = append(cols, k)
	}
	sort.Strings(cols)
	return cols, true
}
