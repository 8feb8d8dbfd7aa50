package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"sort"

	"github.com/clusteratlas/clusteratlas/geo/sfconv"
	"github.com/paulmach/orb"
)

// Problem is one thing wrong with a dataset directory.
type Problem struct {
	File    string `json:"file"`
	Feature string `json:"feature,omitempty"` // feature id, or "#N" when it has none
	Rule    string `json:"rule"`
	Detail  string `json:"detail"`
}

func (p Problem) String() string {
	where := p.File
	if p.Feature != "" {
		where += ": feature " + p.Feature
	}
	return fmt.Sprintf("%s: %s: %s", where, p.Rule, p.Detail)
}

// Check validates a dataset directory of the embedded shape and returns
// every problem it finds (nil when there are none): unreadable or non-JSON
// files, wrong geometry types, OGC-invalid polygons, coordinates out of
// range or with latitude and longitude swapped, duplicate ids, cities
// naming unknown clusters, flows naming endpoints that are no cluster, zone
// or known place.
func Check(fsys fs.FS) []Problem {
	var probs []Problem
	add := func(file, feature, rule, detail string) {
		probs = append(probs, Problem{file, feature, rule, detail})
	}
	ids := map[string]map[string]bool{}
	features := map[string][]Feature{}
	files := map[string]string{}
	for _, name := range CollectionNames {
		file, raw, err := ReadCollectionFile(fsys, name)
		files[name] = file
		if err != nil && optionalCollection[name] && errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			add(file, "", "readable", err.Error())
			continue
		}
		fc, err := decodeCollection(raw)
		if err != nil {
			add(file, "", "geojson", err.Error())
			continue
		}
		features[name] = fc
		ids[name] = map[string]bool{}
		for i, f := range fc {
			fid := f.ID
			if fid == "" {
				fid = fmt.Sprintf("#%d", i)
				add(file, fid, "id", "feature has no id (neither \"id\" nor properties.id)")
			} else if ids[name][f.ID] {
				add(file, fid, "unique-id", "id "+f.ID+" is used by more than one feature")
			}
			ids[name][f.ID] = true
			for _, p := range checkGeometry(name, f.Geometry) {
				add(file, fid, p[0], p[1])
			}
		}
	}
	// cross references
	for _, f := range features[Cities] {
		for _, ref := range refIDs(f.Properties["clusters"]) {
			if ids[Clusters] != nil && !ids[Clusters][ref] {
				add(files[Cities], f.ID, "reference", "clusters lists "+ref+", which is not in "+files[Clusters])
			}
		}
		for _, ref := range refIDs(f.Properties["zones"]) {
			if ids[TransferZones] != nil && !ids[TransferZones][ref] {
				add(files[Cities], f.ID, "reference", "zones lists "+ref+", which is not in "+files[TransferZones])
			}
		}
	}
	for _, f := range features[Flows] {
		for _, end := range []string{"from", "to"} {
			id := f.String(end)
			typ := f.String(end + "_type")
			switch {
			case id == "":
				add(files[Flows], f.ID, "flow-endpoint", "property "+end+" is missing")
			case typ == "cluster" && !ids[Clusters][id], typ == "transfer-zone" && !ids[TransferZones][id]:
				add(files[Flows], f.ID, "flow-endpoint", fmt.Sprintf("%s %q names no feature of %s", end, id, collectionOfType(typ)))
			case typ == "" && !ids[Clusters][id] && !ids[TransferZones][id]:
				add(files[Flows], f.ID, "flow-endpoint", fmt.Sprintf("%s %q references no cluster or zone and has no %s_type", end, id, end))
			}
		}
	}
	if raw, err := fs.ReadFile(fsys, "manifest.json"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		add("manifest.json", "", "readable", err.Error())
	} else if err == nil {
		var m Manifest
		if err := json.Unmarshal(raw, &m); err != nil {
			add("manifest.json", "", "json", err.Error())
		}
	}
	sort.SliceStable(probs, func(i, j int) bool { return probs[i].File < probs[j].File })
	return probs
}

func collectionOfType(t string) string {
	if t == "cluster" {
		return Clusters
	}
	return TransferZones
}

func refIDs(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, item := range list {
		switch t := item.(type) {
		case string:
			out = append(out, t)
		case map[string]any:
			if id, ok := t["id"].(string); ok {
				out = append(out, id)
			}
		}
	}
	return out
}

// checkGeometry returns [rule, detail] pairs.
func checkGeometry(collection string, g orb.Geometry) [][2]string {
	var out [][2]string
	wantLine := collection == Flows
	switch g.(type) {
	case nil:
		// a metro area whose plan publishes no scope has no geometry
		if !wantLine && collection != MetroAreas {
			return [][2]string{{"geometry-type", "missing geometry; a " + collection + " feature needs a Polygon or MultiPolygon"}}
		}
		return nil
	case orb.Polygon, orb.MultiPolygon:
		if wantLine {
			return [][2]string{{"geometry-type", g.GeoJSONType() + " in flows; a flow is a LineString"}}
		}
	case orb.LineString:
		if !wantLine {
			return [][2]string{{"geometry-type", "LineString in " + collection + "; expected Polygon or MultiPolygon"}}
		}
	default:
		return [][2]string{{"geometry-type", g.GeoJSONType() + " is not allowed in " + collection}}
	}
	// coordinates
	bad, swapped := 0, 0
	var first orb.Point
	forEachPoint(g, func(p orb.Point) {
		switch {
		case looksSwapped(p):
			swapped++
		case math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90:
			if bad == 0 {
				first = p
			}
			bad++
		}
	})
	if bad > 0 {
		out = append(out, [2]string{"coordinate-range", fmt.Sprintf("%d coordinates outside lon -180..180 / lat -90..90, first %v", bad, first)})
	}
	if swapped > 0 {
		out = append(out, [2]string{"lon-lat-order", fmt.Sprintf("%d coordinates look like [lat, lon] (China lies at lon 73..136, lat 3..54)", swapped)})
	}
	if bad == 0 && swapped == 0 && !wantLine {
		if err := sfconv.ValidatePolygonal(g); err != nil {
			out = append(out, [2]string{"ogc-valid", err.Error()})
		}
	}
	return out
}

// looksSwapped flags a point whose [lat, lon] reading lies in China's box
// while its [lon, lat] reading does not: the usual axis-order mistake.
func looksSwapped(p orb.Point) bool {
	inChina := func(lon, lat float64) bool { return lon >= 73 && lon <= 136 && lat >= 3 && lat <= 54 }
	return !inChina(p[0], p[1]) && inChina(p[1], p[0])
}

func forEachPoint(g orb.Geometry, fn func(orb.Point)) {
	switch t := g.(type) {
	case orb.Polygon:
		for _, r := range t {
			for _, p := range r {
				fn(p)
			}
		}
	case orb.MultiPolygon:
		for _, poly := range t {
			forEachPoint(poly, fn)
		}
	case orb.LineString:
		for _, p := range t {
			fn(p)
		}
	}
}
