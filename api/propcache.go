package api

import (
	"encoding/json"
	"time"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
)

// encodedProps holds one collection's feature properties as JSON, encoded
// once per State: the query paths then append bytes instead of
// marshalling maps on every request (a /locate answer used to spend most of
// its time in encoding/json).
type encodedProps struct {
	full    [][]byte // every property
	summary [][]byte // the summaryProperties of the collection (nil if none)
}

// summaryProperties is what a reverse-geocoder answer (/locate) carries by
// default: names, ids, the membership a client needs, and the label point;
// properties=... asks for others, geometry=true adds the shape.
var summaryProperties = map[string][]string{
	data.Clusters:      {"id", "name_zh", "name_en", "tier", "definition", "area_km2", "official_area_km2", "confidence", "label"},
	data.Cities:        {"code", "name_zh", "province", "clusters", "zones", "area_km2", "label"},
	data.TransferZones: {"id", "name_zh", "name_en", "approved", "area_km2", "confidence", "label"},
	data.MetroAreas:    {"id", "name_zh", "name_en", "area_km2", "official_area_km2", "confidence", "low_confidence", "label"},
	data.Provinces:     {"id", "code", "name_zh", "name_en", "kind", "region", "area_km2", "population_2020", "label"},
	data.Regions:       {"id", "name_zh", "name_en", "area_km2", "population_2020", "label"},
}

func encodeAllProperties(atlas *geo.Atlas) map[string]*encodedProps {
	out := map[string]*encodedProps{}
	for _, name := range data.CollectionNames {
		coll, ok := atlas.Collection(name)
		if !ok {
			continue
		}
		ep := &encodedProps{full: make([][]byte, len(coll.Features))}
		keep := summaryProperties[name]
		if keep != nil {
			ep.summary = make([][]byte, len(coll.Features))
		}
		for i := range coll.Features {
			props := coll.Features[i].Properties
			ep.full[i] = mustMarshal(props)
			if keep != nil {
				sub := make(map[string]any, len(keep))
				for _, k := range keep {
					if v, ok := props[k]; ok {
						sub[k] = v
					}
				}
				ep.summary[i] = mustMarshal(sub)
			}
		}
		out[name] = ep
	}
	return out
}

// mustMarshal encodes decoded-JSON values, which cannot fail.
func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte("{}")
	}
	return b
}

// encodedProperties returns the pre-encoded properties of feature i for
// options that keep every property (or, with summary, the summary set), or
// nil when the options need a per-request encoding.
func (st *State) encodedProperties(collection string, i int, o featureOptions, summary bool) []byte {
	ep := st.encoded[collection]
	if ep == nil || o.Keep != nil {
		return nil
	}
	if summary {
		if ep.summary == nil {
			return nil
		}
		return ep.summary[i]
	}
	return ep.full[i]
}

// timeStamp is the answers' timeStamp: when this state was loaded (RFC 3339).
func (st *State) timeStamp() string {
	st.stampOnce.Do(func() { st.stamp = st.LoadedAt.Format(time.RFC3339) })
	return st.stamp
}

// collectionTags are the pre-rendered "collection" members of query answers.
var collectionTags = func() map[string][]byte {
	out := map[string][]byte{}
	for _, name := range data.CollectionNames {
		out[name] = appendJSONString([]byte(`"collection":`), name)
	}
	return out
}()

// tagPrefix is what every ETag of this state starts from: the build and the
// dataset version (concatenated once, not per request).
func (st *State) tagPrefix(build string) string {
	if p := st.prefix.Load(); p != nil && p.build == build && p.version == st.Version {
		return p.value
	}
	p := &tagPrefix{build: build, version: st.Version, value: build + "/" + st.Version}
	st.prefix.Store(p)
	return p.value
}

type tagPrefix struct{ build, version, value string }
