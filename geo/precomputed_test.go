package geo

import (
	"fmt"
	"math/rand"
	"reflect"
	"sync"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/paulmach/orb"
)

// squaresDataset: a 6×6 grid of unit-square "cities" and two overlapping
// "clusters" over them.
func squaresDataset() *data.Dataset {
	sq := func(x, y, w, h float64) orb.Polygon {
		return orb.Polygon{{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}, {x, y}}}
	}
	ds := &data.Dataset{Collections: map[string][]data.Feature{}}
	for i := 0; i < 36; i++ {
		x, y := 110+float64(i%6), 30+float64(i/6)
		ds.Collections[data.Cities] = append(ds.Collections[data.Cities], data.Feature{ID: fmt.Sprint(i), Geometry: sq(x, y, 1, 1)})
	}
	ds.Collections[data.Clusters] = []data.Feature{
		{ID: "a", Geometry: sq(110, 30, 4, 4)},
		{ID: "b", Geometry: orb.MultiPolygon{sq(112, 32, 4, 4), sq(110.5, 35.2, 0.3, 0.3)}},
		{ID: "none"},
	}
	return ds
}

// TestAtlasFromIndexAnswersAsBuilt: an atlas from precomputed areas and
// grids, with edge indexes built lazily by concurrent queries (run with
// -race), answers exactly as the eagerly built one.
func TestAtlasFromIndexAnswersAsBuilt(t *testing.T) {
	ds := squaresDataset()
	built, err := NewAtlas(ds)
	if err != nil {
		t.Fatal(err)
	}
	pre := map[string]Precomputed{}
	for name := range ds.Collections {
		pre[name], _ = built.Precomputed(name)
	}
	lazy, err := NewAtlasFromIndex(ds, pre)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			r := rand.New(rand.NewSource(seed))
			for i := 0; i < 300; i++ {
				// grid points hit borders and corners exactly
				p := orb.Point{109.5 + float64(r.Intn(15))*0.5, 29.5 + float64(r.Intn(15))*0.5}
				if r.Intn(2) == 0 {
					p = orb.Point{109.5 + r.Float64()*7, 29.5 + r.Float64()*7}
				}
				if a, b := lazy.Locate(p), built.Locate(p); !reflect.DeepEqual(a, b) {
					t.Errorf("Locate(%v) = %+v, want %+v", p, a, b)
				}
				lc, _ := lazy.Collection(data.Cities)
				bc, _ := built.Collection(data.Cities)
				if a, b := lc.Nearest(p, 3), bc.Nearest(p, 3); !reflect.DeepEqual(a, b) {
					t.Errorf("Nearest(%v) = %v, want %v", p, a, b)
				}
			}
		}(int64(g))
	}
	wg.Wait()
}

// TestAtlasFromIndexRejectsDamage: grids and areas that do not fit the
// features are errors, not panics at query time.
func TestAtlasFromIndexRejectsDamage(t *testing.T) {
	ds := squaresDataset()
	built, _ := NewAtlas(ds)
	good := func() map[string]Precomputed {
		pre := map[string]Precomputed{}
		for name := range ds.Collections {
			p, _ := built.Precomputed(name)
			g := *p.Grid
			g.Start, g.Items = append([]int32(nil), g.Start...), append([]int32(nil), g.Items...)
			p.Grid = &g
			p.AreasKm2 = append([]float64(nil), p.AreasKm2...)
			pre[name] = p
		}
		return pre
	}
	cases := map[string]func(map[string]Precomputed){
		"missing collection":         func(m map[string]Precomputed) { delete(m, data.Cities) },
		"areas short":                func(m map[string]Precomputed) { p := m[data.Cities]; p.AreasKm2 = p.AreasKm2[1:]; m[data.Cities] = p },
		"item out of range":          func(m map[string]Precomputed) { m[data.Cities].Grid.Items[0] = 36 },
		"boundary item out of range": func(m map[string]Precomputed) { m[data.Cities].Grid.Items[0] = ^int32(36) },
		"offsets decrease":           func(m map[string]Precomputed) { m[data.Cities].Grid.Start[3] = 1 << 20 },
		"run out of order": func(m map[string]Precomputed) {
			g := m[data.Cities].Grid
			for k := 0; k+1 < len(g.Start); k++ {
				if a := g.Start[k]; g.Start[k+1]-a >= 2 {
					g.Items[a], g.Items[a+1] = g.Items[a+1], g.Items[a]
					return
				}
			}
			t.Fatal("fixture has no cell with two features")
		},
		"feature twice": func(m map[string]Precomputed) {
			g := m[data.Cities].Grid
			for k := 0; k < len(g.Start)-1; k++ {
				if a := g.Start[k]; g.Start[k+1]-a >= 1 {
					g.Items = append(g.Items[:a+1], g.Items[a:]...) // the same item again
					for j := k + 1; j < len(g.Start); j++ {
						g.Start[j]++
					}
					return
				}
			}
		},
		"offsets short":        func(m map[string]Precomputed) { g := m[data.Cities].Grid; g.Start = g.Start[1:] },
		"grid larger than lim": func(m map[string]Precomputed) { g := m[data.Cities].Grid; g.NX, g.NY = 1<<31, 1<<31 },
		"size overflows to -1": func(m map[string]Precomputed) {
			g := m[data.Cities].Grid
			g.NX, g.NY, g.Start = 1<<32+1, 1<<32-1, nil
		},
	}
	for name, damage := range cases {
		pre := good()
		damage(pre)
		if _, err := NewAtlasFromIndex(ds, pre); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	loaded, err := NewAtlasFromIndex(ds, good())
	if err != nil {
		t.Fatalf("undamaged: %v", err)
	}
	// the in-memory form merges the two lists; the stored form survives
	for name := range ds.Collections {
		a, _ := built.Precomputed(name)
		b, _ := loaded.Precomputed(name)
		if !reflect.DeepEqual(a.Grid, b.Grid) {
			t.Errorf("%s: grid changed through a load", name)
		}
	}
}
