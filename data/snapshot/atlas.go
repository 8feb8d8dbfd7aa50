package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"sync"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
	"github.com/clusteratlas/clusteratlas/geo/topo"
	"github.com/klauspost/compress/zstd"
	"github.com/paulmach/orb"
)

// Contents is what a snapshot holds: the dataset, each collection's
// precomputed index and the simplified levels, plus the hashes of the
// dataset files it was made from.
type Contents struct {
	Dataset *data.Dataset
	Index   map[string]geo.Precomputed
	// Layers names the collections the levels simplify, in order.
	Layers []string
	Levels []topo.LevelData
	// Sources maps each dataset file the snapshot was made from
	// (clusters.geojson.gz, …, manifest.json) to the SHA-256 of its bytes.
	Sources map[string]string
}

// Encode writes the snapshot of c. The same contents give the same bytes.
func Encode(c *Contents) ([]byte, error) {
	ds := c.Dataset
	names := sortedKeys(ds.Collections)
	var sections []section

	var meta writer
	meta.string(ds.Version)
	manifest, err := json.Marshal(ds.Manifest)
	if err != nil {
		return nil, fmt.Errorf("snapshot: manifest: %w", err)
	}
	meta.bytes(manifest)
	files := sortedKeys(c.Sources)
	meta.uvarint(uint64(len(files)))
	for _, f := range files {
		meta.string(f)
		meta.string(c.Sources[f])
	}
	meta.uvarint(uint64(len(names)))
	for _, n := range names {
		meta.string(n)
	}
	sections = append(sections, section{"meta", meta.b})

	for _, name := range names {
		var w writer
		features := ds.Collections[name]
		w.uvarint(uint64(len(features)))
		for i := range features {
			f := &features[i]
			props, err := json.Marshal(f.Properties)
			if err != nil {
				return nil, fmt.Errorf("snapshot: %s feature %q: properties: %w", name, f.ID, err)
			}
			w.string(f.ID)
			w.bytes(props)
			if err := w.geometry(f.Geometry); err != nil {
				return nil, fmt.Errorf("%s feature %q: %w", name, f.ID, err)
			}
		}
		sections = append(sections, section{"features/" + name, w.b})

		p, ok := c.Index[name]
		if !ok || len(p.AreasKm2) != len(features) {
			return nil, fmt.Errorf("snapshot: %s: no index, or not one area per feature", name)
		}
		var x writer
		x.uvarint(uint64(len(p.AreasKm2)))
		for _, a := range p.AreasKm2 {
			x.float(a)
		}
		if g := p.Grid; g == nil {
			x.byte(0)
		} else {
			x.byte(1)
			x.float(g.MinX)
			x.float(g.MinY)
			x.uvarint(uint64(g.NX))
			x.uvarint(uint64(g.NY))
			x.gridLists(g.Start, g.Items)
		}
		sections = append(sections, section{"index/" + name, x.b})
	}

	// The /compare table and the collection hashes it is keyed by, as the
	// dataset directory held them (JSON: small, and read once).
	cmp, err := json.Marshal(compareSection{ContentHash: ds.ContentHash, Table: ds.Compare})
	if err != nil {
		return nil, fmt.Errorf("snapshot: compare table: %w", err)
	}
	sections = append(sections, section{"compare", cmp})

	var lv writer
	lv.uvarint(uint64(len(c.Layers)))
	for _, l := range c.Layers {
		if _, ok := ds.Collections[l]; !ok {
			return nil, fmt.Errorf("snapshot: level layer %s is not a collection", l)
		}
		lv.string(l)
	}
	lv.uvarint(uint64(len(c.Levels)))
	for _, l := range c.Levels {
		lv.uvarint(uint64(l.Zoom))
		lv.float(l.Tolerance)
		if l.Full {
			lv.byte(1)
			continue
		}
		lv.byte(0)
		for _, name := range c.Layers {
			gs := l.Layers[name]
			if len(gs) != len(ds.Collections[name]) {
				return nil, fmt.Errorf("snapshot: zoom %d layer %s: %d geometries for %d features", l.Zoom, name, len(gs), len(ds.Collections[name]))
			}
			for _, g := range gs {
				if err := lv.geometry(g); err != nil {
					return nil, fmt.Errorf("zoom %d layer %s: %w", l.Zoom, name, err)
				}
			}
		}
	}
	sections = append(sections, section{"levels", lv.b})

	return writeFile(sections)
}

// compareSection is the last section, "compare": data.Dataset's
// precomputed /compare table and the content hashes it was checked against.
type compareSection struct {
	ContentHash map[string]string  `json:"content_hash"`
	Table       *data.CompareTable `json:"table"`
}

// decoder is shared by every Decode (DecodeAll is safe for concurrent use;
// one decoder per core).
var decoder, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxSectionBytes))

// Decode reads a snapshot. Any damage — wrong magic or version, a
// truncated file, a checksum mismatch, a section that does not parse or
// does not fit the others — gives an error naming the section; it never
// panics.
func Decode(b []byte) (*Contents, error) {
	stored, err := splitFile(b)
	if err != nil {
		return nil, err
	}
	dec := decoder
	if len(stored) == 0 || stored[0].name != "meta" {
		return nil, fmt.Errorf("snapshot: first section is not \"meta\"")
	}
	// Sections are independent until assembly: inflate and parse them in
	// parallel (the features and levels dominate).
	raws := make([][]byte, len(stored))
	errs := make([]error, len(stored))
	var wg sync.WaitGroup
	for i := range stored {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			raws[i], errs[i] = stored[i].decompress(dec)
		}(i)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	byName := map[string][]byte{}
	for i, s := range stored {
		if _, dup := byName[s.name]; dup {
			return nil, fmt.Errorf("snapshot: section %q twice", s.name)
		}
		byName[s.name] = raws[i]
	}

	c := &Contents{Index: map[string]geo.Precomputed{}, Sources: map[string]string{}}
	ds := &data.Dataset{Collections: map[string][]data.Feature{}}
	c.Dataset = ds
	r := &reader{section: "meta", b: byName["meta"]}
	ds.Version = r.string()
	manifest := r.bytes()
	for n := r.count("file", 2); n > 0 && r.err == nil; n-- {
		f := r.string()
		c.Sources[f] = r.string()
	}
	names := make([]string, r.count("collection", 1))
	for i := range names {
		names[i] = r.string()
	}
	if err := r.done(); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(manifest, &ds.Manifest); err != nil {
		return nil, fmt.Errorf("snapshot: section \"meta\": manifest: %w", err)
	}

	collections := make([][]data.Feature, len(names))
	for i, name := range names {
		if byName["features/"+name] == nil || byName["index/"+name] == nil {
			return nil, fmt.Errorf("snapshot: collection %s: section \"features/%s\" or \"index/%s\" missing", name, name, name)
		}
		wg.Add(1)
		go func(i int, name string) {
			defer wg.Done()
			collections[i], errs[i] = decodeFeatures(name, byName["features/"+name])
		}(i, name)
	}
	wg.Wait()
	if err := errors.Join(errs[:len(names)]...); err != nil {
		return nil, err
	}
	for i, name := range names {
		if _, dup := ds.Collections[name]; dup {
			return nil, fmt.Errorf("snapshot: section \"meta\": collection %s listed twice", name)
		}
		ds.Collections[name] = collections[i]
		p, err := decodeIndex(name, byName["index/"+name], len(collections[i]))
		if err != nil {
			return nil, err
		}
		c.Index[name] = p
	}
	if byName["levels"] == nil {
		return nil, fmt.Errorf("snapshot: section \"levels\" missing")
	}
	if err := c.decodeLevels(byName["levels"]); err != nil {
		return nil, err
	}
	if raw := byName["compare"]; raw == nil {
		return nil, fmt.Errorf("snapshot: section \"compare\" missing")
	} else {
		var cmp compareSection
		if err := json.Unmarshal(raw, &cmp); err != nil {
			return nil, fmt.Errorf("snapshot: section \"compare\": %w", err)
		}
		if cmp.Table != nil {
			if stale := cmp.Table.Stale(&data.Dataset{ContentHash: cmp.ContentHash}, data.CompareCollections); stale != nil {
				ds.CompareStale = stale // computed at load instead, as for a directory
			} else {
				ds.Compare = cmp.Table
			}
		}
		ds.ContentHash = cmp.ContentHash
	}
	return c, nil
}

func decodeFeatures(name string, b []byte) ([]data.Feature, error) {
	r := &reader{section: "features/" + name, b: b}
	out := make([]data.Feature, r.count("feature", 3))
	for i := range out {
		f := &out[i]
		f.ID = r.string()
		props := r.bytes()
		f.Geometry = r.geometry()
		if r.err != nil {
			break
		}
		if err := json.Unmarshal(props, &f.Properties); err != nil || f.Properties == nil {
			r.fail("feature %d: properties are not a JSON object", i)
			break
		}
		if f.ID == "" {
			r.fail("feature %d: no id", i)
		}
	}
	if err := r.done(); err != nil {
		return nil, err
	}
	return out, nil
}

func decodeIndex(name string, b []byte, features int) (geo.Precomputed, error) {
	r := &reader{section: "index/" + name, b: b}
	var p geo.Precomputed
	n := r.count("area", 8)
	if r.err == nil && n != features {
		r.fail("%d areas for %d features", n, features)
	}
	p.AreasKm2 = make([]float64, n)
	for i := range p.AreasKm2 {
		p.AreasKm2[i] = r.float()
	}
	switch r.byte() {
	case 0:
	case 1:
		g := &geo.Grid{MinX: r.float(), MinY: r.float(), NX: int(r.uvarint()), NY: int(r.uvarint())}
		g.Start, g.Items = r.gridLists()
		p.Grid = g
	default:
		r.fail("bad grid flag")
	}
	return p, r.done()
}

func (c *Contents) decodeLevels(b []byte) error {
	r := &reader{section: "levels", b: b}
	c.Layers = make([]string, r.count("layer", 1))
	for i := range c.Layers {
		c.Layers[i] = r.string()
		if _, ok := c.Dataset.Collections[c.Layers[i]]; r.err == nil && !ok {
			r.fail("layer %q is not a collection", c.Layers[i])
		}
	}
	c.Levels = make([]topo.LevelData, r.count("level", 10))
	for i := range c.Levels {
		l := &c.Levels[i]
		l.Zoom = int(r.uvarint())
		l.Tolerance = r.float()
		switch r.byte() {
		case 1:
			l.Full = true
			continue
		case 0:
		default:
			r.fail("zoom %d: bad full-detail flag", l.Zoom)
		}
		if r.err != nil {
			break
		}
		l.Layers = map[string][]orb.Geometry{}
		for _, name := range c.Layers {
			gs := make([]orb.Geometry, len(c.Dataset.Collections[name]))
			for j := range gs {
				gs[j] = r.geometry()
			}
			l.Layers[name] = gs
		}
	}
	return r.done()
}

// OrigLayers returns the full-detail geometries of the level layers, as
// topo.FromExport wants them.
func (c *Contents) OrigLayers() map[string][]orb.Geometry {
	out := map[string][]orb.Geometry{}
	for _, name := range c.Layers {
		fs := c.Dataset.Collections[name]
		gs := make([]orb.Geometry, len(fs))
		for i := range fs {
			gs[i] = fs[i].Geometry
		}
		out[name] = gs
	}
	return out
}

// HashSources hashes the dataset files of fsys the way the loader picks
// them (NAME.geojson before NAME.geojson.gz, manifest.json if present), for
// Contents.Sources.
func HashSources(fsys fs.FS) (map[string]string, error) {
	out := map[string]string{}
	for _, name := range data.CollectionNames {
		found := false
		for _, f := range []string{name + ".geojson", name + ".geojson.gz"} {
			b, err := fs.ReadFile(fsys, f)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out[f] = hashHex(b)
			found = true
			break
		}
		if !found && !data.OptionalCollection(name) {
			return nil, fmt.Errorf("%s: missing (neither %s.geojson nor %s.geojson.gz)", name, name, name)
		}
	}
	if b, err := fs.ReadFile(fsys, "manifest.json"); err == nil {
		out["manifest.json"] = hashHex(b)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return out, nil
}

// Stale compares the recorded source hashes with the files of fsys and
// describes the first difference ("" when the snapshot matches them).
func (c *Contents) Stale(fsys fs.FS) (string, error) {
	now, err := HashSources(fsys)
	if err != nil {
		return "", err
	}
	for _, f := range sortedKeys(union(now, c.Sources)) {
		switch {
		case c.Sources[f] == "":
			return fmt.Sprintf("%s is not in the snapshot", f), nil
		case now[f] == "":
			return fmt.Sprintf("%s is gone (or replaced by another form)", f), nil
		case now[f] != c.Sources[f]:
			return fmt.Sprintf("%s changed since the snapshot was built", f), nil
		}
	}
	return "", nil
}

func hashHex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func union(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if out[k] == "" {
			out[k] = v
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
