package data

import (
	"sort"
	"strings"
)

// Flat fields: GIS clients (QGIS, OGR's OAPIF driver, spreadsheets) show an
// array of objects as NULL or as unreadable JSON, so each such property also
// comes as plain strings derived from it at load time. The JSON stays; the
// flat fields are added beside it, never replacing a property of the same
// name. The rules look at the shape of the values, not at collection names,
// so a new collection gets its flat fields without code:
//
//   - an array of objects P (members, sources, clusters, zones, ...) gives
//     <singular P>_ids, _codes, _names and _titles from the objects' id,
//     code, name and title members: "jing-jin-ji,central-plains";
//   - an object P with a title or date (plan, source) gives P_title, P_date.
//
// Ids, codes and names are joined with FlatListSeparator (they hold no
// comma); titles are free text and are joined with FlatTitleSeparator.
const (
	FlatListSeparator  = ","
	FlatTitleSeparator = "; "
)

// flatMembers maps a member of the listed objects to the suffix of its flat
// field, and the separator it is joined with.
var flatMembers = []struct{ member, suffix, sep string }{
	{"id", "_ids", FlatListSeparator},
	{"code", "_codes", FlatListSeparator},
	{"name", "_names", FlatListSeparator},
	{"title", "_titles", FlatTitleSeparator},
}

// flatObjectMembers are the members of an object property copied out flat.
var flatObjectMembers = []string{"title", "date"}

// AddFlatFields adds the flat fields to every feature of one collection (in
// place). Every feature then has the same flat fields: one whose list is
// empty or missing gets "" (a city in no zone has zone_ids ""), so clients
// see one field set per collection. It is idempotent: a field already
// present is left alone.
func AddFlatFields(features []Feature) {
	derived := map[string]bool{}
	for i := range features {
		for _, name := range addFlatFields(features[i].Properties) {
			derived[name] = true
		}
	}
	for i := range features {
		for name := range derived {
			if _, ok := features[i].Properties[name]; !ok {
				features[i].Properties[name] = ""
			}
		}
	}
}

// addFlatFields adds one feature's flat fields and returns their names.
func addFlatFields(props map[string]any) (added []string) {
	// Sorted keys: which derived name wins a (theoretical) clash must not
	// depend on map order.
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		switch v := props[key].(type) {
		case []any:
			if !allObjects(v) {
				continue
			}
			stem := singular(key)
			for _, fm := range flatMembers {
				name := stem + fm.suffix
				if _, taken := props[name]; taken {
					continue
				}
				if joined, ok := joinMember(v, fm.member, fm.sep); ok {
					props[name] = joined
					added = append(added, name)
				}
			}
		case map[string]any:
			for _, m := range flatObjectMembers {
				name := key + "_" + m
				if _, taken := props[name]; taken {
					continue
				}
				if s, ok := v[m].(string); ok {
					props[name] = s
					added = append(added, name)
				}
			}
		}
	}
	return added
}

// allObjects reports whether list holds only JSON objects (an empty list
// gives no field here; AddFlatFields fills in "").
func allObjects(list []any) bool {
	for _, e := range list {
		if _, ok := e.(map[string]any); !ok {
			return false
		}
	}
	return true
}

// joinMember joins member m of the objects; ok is false when no object has
// it as a non-empty string (the field would mean nothing).
func joinMember(list []any, m, sep string) (string, bool) {
	parts := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(map[string]any)[m].(string); ok && s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "", false
	}
	return strings.Join(parts, sep), true
}

// singular turns a plural property name into the stem of its flat fields
// (members → member, sources → source, clusters → cluster).
func singular(key string) string {
	if strings.HasSuffix(key, "s") && len(key) > 1 {
		return key[:len(key)-1]
	}
	return key
}
