package data

import (
	"math"
	"testing"
)

// referenceAreas is SOURCES.md's "Reference areas measured from the county
// outlines": each entity's counties summed as drawn by the sources, which
// are GCJ-02. 重庆沿江 is left out: SOURCES.md counts 双桥区 there, which has
// no outline of its own (see data/README.md).
var referenceAreas = map[string]float64{
	"jing-jin-ji": 216744, "yangtze-river-delta": 214744, "pearl-river-delta": 55632, "middle-yangtze": 305803,
	"cheng-yu": 181749, "shandong-peninsula": 157485, "west-strait": 274357, "ha-chang": 322179,
	"central-south-liaoning": 82678, "central-plains": 285900, "guanzhong-plain": 107269, "beibu-gulf": 120095,
	"tianshan-north-slope": 103869, "central-shanxi": 74204, "hu-bao-e-yu": 174849, "central-guizhou": 53814,
	"central-yunnan": 111335, "lanzhou-xining": 99548, "ningxia-yellow-river": 23377,
	"wanjiang": 76026, "guidong": 47740, "xiangnan": 56929, "jingzhou": 14097, "huanghe-jinsanjiao": 57509,
	"lanbai": 33262, "guangan": 6346, "gannan": 39347, "yinchuan-shizuishan": 10856, "xiangnan-xiangxi": 120806,
	"jixinan": 35059, "mengdong": 145858,
}

// The served areas are measured on WGS84 outlines, the reference on the
// GCJ-02 ones. GCJ-02 is not area-preserving: its sine terms stretch or
// shrink areas by up to ≈0.15 % (most around 34–36°N: 关中平原 −0.10 %,
// 兰白 −0.13 %, 黄河金三角 −0.11 %), so the bound is 0.2 %, not the 0.03 % the
// union matched before the conversion. Anything beyond it is a lost or
// gained piece, not the datum.
func TestEmbeddedAreasMatchReferenceTable(t *testing.T) {
	ds, _ := loadEmbedded(t)
	n := 0
	for _, name := range []string{Clusters, TransferZones} {
		for _, f := range ds.Collection(name) {
			want, ok := referenceAreas[f.ID]
			if !ok {
				continue
			}
			n++
			got := f.Float0("area_km2")
			d := 100 * (got - want) / want
			t.Logf("%-24s %9.1f km², reference %7.0f, %+.3f%%", f.ID, got, want, d)
			if math.Abs(d) > 0.2 {
				t.Errorf("%s: %.1f km² is %+.3f%% from the reference %.0f (bound ±0.2%%)", f.ID, got, d, want)
			}
		}
	}
	if n != len(referenceAreas) {
		t.Errorf("compared %d of %d reference entities", n, len(referenceAreas))
	}
}

// The manifest says what the coordinates are and how they got there.
func TestEmbeddedManifestRecordsDatum(t *testing.T) {
	ds, _ := loadEmbedded(t)
	d := ds.Manifest.Datum
	if d == nil {
		t.Fatal("manifest has no datum section")
	}
	if d.VerticesConverted == 0 || d.MaxRoundTripResidualM <= 0 || d.MaxRoundTripResidualM > 0.01 {
		t.Errorf("conversion figures: %d vertices, residual %g m", d.VerticesConverted, d.MaxRoundTripResidualM)
	}
	gcj := 0
	for _, s := range d.Sources {
		if s.Datum == "GCJ-02" {
			gcj++
		}
	}
	if gcj == 0 || len(d.Evidence) == 0 {
		t.Errorf("sources %+v, evidence %d rows", d.Sources, len(d.Evidence))
	}
}
