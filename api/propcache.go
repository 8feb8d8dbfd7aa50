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
	// located is each whole feature as the default /locate answer writes
	// it (summary properties and the collection tag, no geometry), in one
	// buffer: the hot path appends it, and neighbours share cache lines.
	located     []byte
	locatedEnds []int32 // feature i is located[locatedEnds[i-1]:locatedEnds[i]]
	// quotedIDs are the ids as JSON strings, for /locate's summary, so the
	// hot path reads neither the features nor an escaper
	quotedIDs [][]byte
}

// locatedFeature is feature i in the default /locate form, and its id as
// a JSON string.
func (ep *encodedProps) locatedFeature(i int) (feature, quotedID []byte) {
	start := int32(0)
	if i > 0 {
		start = ep.locatedEnds[i-1]
	}
	return ep.located[start:ep.locatedEnds[i]], ep.quotedIDs[i]
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
		if keep != nil { // a collection /locate reports
			ep.locatedEnds = make([]int32, len(coll.Features))
			ep.quotedIDs = make([][]byte, len(coll.Features))
			for i := range coll.Features {
				ep.quotedIDs[i] = appendJSONString(nil, coll.Features[i].ID)
				ep.located = appendFeature(ep.located, &coll.Features[i], nil, defaultLocatedOptions(name, ep.summary[i]))
				ep.locatedEnds[i] = int32(len(ep.located))
			}
		}
		out[name] = ep
	}
	return out
}

// locatedFeature is feature i of c in the default /locate form and its id
// as a JSON string (nil, nil for a collection /locate does not report).
// The collections are few: a scan by pointer beats hashing the name.
func (st *State) locatedFeature(c *geo.Collection, i int) (feature, quotedID []byte) {
	for _, l := range st.located {
		if l.coll == c {
			return l.props.locatedFeature(i)
		}
	}
	return nil, nil
}

// locatedCollection pairs a collection with its encoded properties.
type locatedCollection struct {
	coll  *geo.Collection
	props *encodedProps
}

// locatedCollections lists the collections with pre-rendered /locate features.
func locatedCollections(atlas *geo.Atlas, encoded map[string]*encodedProps) []locatedCollection {
	var out []locatedCollection
	for _, name := range data.CollectionNames {
		if ep := encoded[name]; ep != nil && ep.located != nil {
			c, _ := atlas.Collection(name)
			out = append(out, locatedCollection{c, ep})
		}
	}
	return out
}

// defaultLocatedOptions are the options of a /locate answer without
// parameters beyond lon and lat, with the feature's summary encoded.
func defaultLocatedOptions(collection string, summary []byte) featureOptions {
	return featureOptions{geometryOptions: geometryOptions{Omit: true, Precision: -1, Zoom: -1}, Summary: true,
		Encoded: summary, Tag: collectionTags[collection]}
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
