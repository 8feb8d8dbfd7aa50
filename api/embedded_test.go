package api

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/data/snapshot"
)

var (
	embeddedOnce   sync.Once
	embeddedServer *Server
	embeddedErr    error
)

// embeddedTestServer serves the embedded dataset (without simplified
// levels: these tests query, they do not zoom). It skips while the
// embedded files are still the empty placeholders.
func embeddedTestServer(t *testing.T) *Server {
	t.Helper()
	embeddedOnce.Do(func() {
		st, err := embeddedState()
		if err != nil {
			embeddedErr = err
			return
		}
		if st != nil {
			embeddedServer = New(Config{Logger: quietLogger()}, st)
		}
	})
	if embeddedErr != nil {
		t.Fatalf("embedded data: %v", embeddedErr)
	}
	if embeddedServer == nil {
		t.Skip("embedded dataset has no clusters yet (placeholder files): run `clusteratlas build`")
	}
	return embeddedServer
}

// embeddedState is the embedded dataset's state, from the embedded
// snapshot when there is one (as serve starts; the levels are dropped to
// keep these tests' memory down), else indexed from the GeoJSON. nil while
// the embedded files are placeholders.
func embeddedState() (*State, error) {
	if b := data.EmbeddedSnapshot(); b != nil {
		c, err := snapshot.Decode(b)
		if err != nil {
			return nil, err
		}
		st, _, err := NewStateFromSnapshot(c, nil)
		return st, err
	}
	ds, err := data.Load()
	if err != nil || len(ds.Collection(data.Clusters)) == 0 {
		return nil, err
	}
	return NewState(ds, nil)
}

type located struct {
	Clusters []string
	City     string
	Zones    []string
}

func locateAt(t *testing.T, s *Server, lon, lat float64) located {
	t.Helper()
	r := get(t, s, fmt.Sprintf("/locate?lon=%v&lat=%v", lon, lat))
	wantStatus(t, r, 200)
	loc := r.json(t)["location"].(map[string]any)
	var out located
	for _, c := range loc["clusters"].([]any) {
		out.Clusters = append(out.Clusters, c.(string))
	}
	if c, ok := loc["city"].(string); ok {
		out.City = c
	}
	for _, z := range loc["zones"].([]any) {
		out.Zones = append(out.Zones, z.(string))
	}
	return out
}

// Every member city's label point (an interior point chosen by the build)
// locates to that city and to every cluster listing it as a whole member.
// Partial members are left out: their label may sit in the part outside.
func TestEmbeddedLocateEveryMemberCityLabel(t *testing.T) {
	s := embeddedTestServer(t)
	cities, _ := s.State().Atlas.Collection(data.Cities)
	checked := 0
	for i := range cities.Features {
		city := &cities.Features[i]
		label, ok := featureLabel(city)
		if !ok {
			t.Errorf("city %s has no label", city.ID)
			continue
		}
		var want []string
		memberships, _ := city.Properties["clusters"].([]any)
		for _, m := range memberships {
			obj, _ := m.(map[string]any)
			id, _ := obj["id"].(string)
			if partial, _ := obj["partial"].(bool); id != "" && !partial {
				want = append(want, id)
			}
		}
		got := locateAt(t, s, label[0], label[1])
		if got.City != city.ID {
			t.Errorf("%s %s label %v: located city %q", city.ID, city.String("name_zh"), label, got.City)
		}
		for _, id := range want {
			if !slices.Contains(got.Clusters, id) {
				t.Errorf("%s %s label %v: not in cluster %s (got %v)", city.ID, city.String("name_zh"), label, id, got.Clusters)
			}
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no cities checked")
	}
	t.Logf("checked %d member cities", checked)
}

func TestEmbeddedLocateOverlapsAndOutside(t *testing.T) {
	s := embeddedTestServer(t)
	handan := locateAt(t, s, 114.54, 36.61)
	for _, id := range []string{"jing-jin-ji", "central-plains"} {
		if !slices.Contains(handan.Clusters, id) {
			t.Errorf("邯郸 (114.54, 36.61) not in %s: %v", id, handan.Clusters)
		}
	}
	for name, p := range map[string][2]float64{"拉萨": {91.13, 29.65}, "三亚": {109.51, 18.25}, "East China Sea": {125.0, 30.0}} {
		if got := locateAt(t, s, p[0], p[1]); len(got.Clusters) != 0 {
			t.Errorf("%s %v located in clusters %v", name, p, got.Clusters)
		}
	}
}

func TestEmbeddedCollectionsServe(t *testing.T) {
	s := embeddedTestServer(t)
	for _, name := range data.CollectionNames {
		ids, _ := walk(t, s, "/collections/"+name+"/items?limit=250")
		if want := allIDs(s, name); !slices.Equal(ids, want) {
			t.Errorf("%s: walked %d of %d features", name, len(ids), len(want))
		}
	}
	doc := get(t, s, "/compare?ids=jing-jin-ji,central-plains").json(t)
	if len(doc["pairs"].([]any)) != 1 {
		t.Errorf("compare on embedded data: %v", doc)
	}
}
