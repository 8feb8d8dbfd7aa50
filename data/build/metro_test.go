package build

import (
	"math"
	"strings"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/clusteratlas/clusteratlas/geo"
)

const fixtureMetros = `{"metro_areas":[
 {"id":"fx-metro","name_zh":"甲都市圈","confidence":"high","official_area_km2":null,
  "members":[{"name":"东市","code":"880100","whole":true},
             {"name":"南市","code":"880300","whole":false,"counties":[{"name":"戊县","code":"880301"},{"name":"庚县","code":"880303","note":"部分地区"}]}]},
 {"id":"fx-unknown-scope","name_zh":"乙都市圈","confidence":"low","members":null}]}`

// A metro area is the union of the units its plan names, resolved like a
// cluster's members; a plan with no published scope has no geometry.
func TestFixtureMetroAreas(t *testing.T) {
	opt := fixtureOptions(t)
	opt.MetroTable = []byte(fixtureMetros)
	res, err := Run(opt)
	if err != nil {
		t.Fatal(err)
	}
	m := fixtureFeature(t, res, data.MetroAreas, "fx-metro")
	// independent expectation: the source outlines of 东市's two counties,
	// 戊县 and 庚县 (the fixture's counties tile without overlap)
	want := countyArea(t, "880101", "880102", "880301", "880303")
	if got := geo.AreaKm2(m.Geometry); math.Abs(got-want)/want > 0.001 {
		t.Errorf("fx-metro %.1f km², want 东市 + 戊县 + 庚县 = %.1f", got, want)
	}
	if low := fixtureFeature(t, res, data.MetroAreas, "fx-unknown-scope"); low.Geometry != nil || low.Properties["low_confidence"] != true {
		t.Errorf("no scope: geometry %v, low_confidence %v", low.Geometry, low.Properties["low_confidence"])
	}
}

// A member the outlines and the admin-change table do not know fails the
// build, naming the metro area and the unit.
func TestMetroUnknownUnitFailsNamingIt(t *testing.T) {
	opt := fixtureOptions(t)
	opt.MetroTable = []byte(`{"metro_areas":[{"id":"fx-bad","name_zh":"坏都市圈","confidence":"high",
	  "members":[{"name":"无此县","code":"889999","whole":true}]}]}`)
	_, err := Run(opt)
	if err == nil || !strings.Contains(err.Error(), "fx-bad") || !strings.Contains(err.Error(), "889999") {
		t.Fatalf("got %v, want an error naming fx-bad and 889999", err)
	}
	opt.MetroTable = []byte(`{"metro_areas":[{"id":"fx-bad","confidence":"sure"}]}`)
	if _, err := Run(opt); err == nil || !strings.Contains(err.Error(), "confidence") {
		t.Fatalf("bad confidence: %v", err)
	}
}
