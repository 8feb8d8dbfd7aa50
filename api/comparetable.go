package api

import (
	"fmt"
	"strings"
	"sync"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
)

// compareIndex makes every /compare answer a lookup into the precomputed
// table (data.CompareTable): features by qualified and bare id, pairs by
// their unordered feature indexes, and each feature's flow references.
type compareIndex struct {
	table       *data.CompareTable
	byQualified map[string]int   // "clusters:yangtze-delta" → feature index
	byBare      map[string][]int // "yangtze-delta" → indexes (several: ambiguous)
	pairs       map[[2]int]int   // (low, high) feature index → pair index
	flowsIn     map[string][]string
	flowsOut    map[string][]string
	// source says where the table came from, for the start-up log.
	source string
}

// computedTables keeps the last table computed at load (keyed by the
// dataset version), so states built again from the same dataset (tests,
// benchmarks, a reload of unchanged files) do not pay for it twice.
var computedTables struct {
	sync.Mutex
	key   string
	table *data.CompareTable
}

// loadCompareTable returns the dataset's precomputed table, or computes
// it now (at load, never on a request) when the directory has none or it
// is stale. It reports which.
func loadCompareTable(ds *data.Dataset, atlas *geo.Atlas) (*data.CompareTable, string, error) {
	if ds.Compare != nil {
		return ds.Compare, "precomputed (" + data.CompareFile + ")", nil
	}
	why := "no " + data.CompareFile
	if ds.CompareStale != nil {
		why = "stale: " + ds.CompareStale.Error()
	}
	key := ds.Version + "\x00" + strings.Join(data.CompareCollections, ",")
	computedTables.Lock()
	defer computedTables.Unlock()
	if computedTables.key == key {
		return computedTables.table, "computed at load (" + why + ", reused)", nil
	}
	t, err := atlas.CompareTable(data.CompareCollections)
	if err != nil {
		return nil, "", err
	}
	computedTables.key, computedTables.table = key, t
	return t, "computed at load (" + why + ")", nil
}

func newCompareIndex(ds *data.Dataset, atlas *geo.Atlas) (*compareIndex, error) {
	t, source, err := loadCompareTable(ds, atlas)
	if err != nil {
		return nil, fmt.Errorf("compare table: %w", err)
	}
	ci := &compareIndex{table: t, source: source, byQualified: map[string]int{}, byBare: map[string][]int{},
		pairs: make(map[[2]int]int, len(t.Pairs)), flowsIn: map[string][]string{}, flowsOut: map[string][]string{}}
	for i, f := range t.Features {
		ci.byQualified[data.QualifiedID(f.Collection, f.ID)] = i
		ci.byBare[f.ID] = append(ci.byBare[f.ID], i)
	}
	for n, p := range t.Pairs {
		ci.pairs[[2]int{p.A, p.B}] = n
	}
	if flows, ok := atlas.Collection(data.Flows); ok {
		for i := range flows.Features {
			fl := &flows.Features[i]
			ci.flowsIn[fl.String("to")] = append(ci.flowsIn[fl.String("to")], fl.ID)
			ci.flowsOut[fl.String("from")] = append(ci.flowsOut[fl.String("from")], fl.ID)
		}
	}
	return ci, nil
}

// resolve finds a requested id: "collection:id", or a bare id that only
// one compared collection holds.
func (ci *compareIndex) resolve(id string) (int, *Problem) {
	if n, ok := ci.byQualified[id]; ok {
		return n, nil
	}
	switch list := ci.byBare[id]; len(list) {
	case 1:
		return list[0], nil
	case 0:
		return 0, notFound("ids", "no feature %q in %s (qualify an id as collection:id)", clip(id), strings.Join(data.CompareCollections, ", "))
	default:
		names := make([]string, len(list))
		for i, n := range list {
			names[i] = data.QualifiedID(ci.table.Features[n].Collection, id)
		}
		return 0, invalidParam("ids", "id %q is ambiguous: write one of %s", clip(id), strings.Join(names, ", "))
	}
}

// pair returns the metrics of features x and y oriented so that A is x.
func (ci *compareIndex) pair(x, y int) (data.ComparePair, bool) {
	lo, hi := x, y
	if lo > hi {
		lo, hi = hi, lo
	}
	n, ok := ci.pairs[[2]int{lo, hi}]
	if !ok {
		return data.ComparePair{}, false
	}
	p := ci.table.Pairs[n]
	if p.A != x {
		p.A, p.B = p.B, p.A
		p.ShareOfA, p.ShareOfB = p.ShareOfB, p.ShareOfA
	}
	return p, true
}
