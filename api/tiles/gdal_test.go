package tiles

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// GDAL's MVT driver reads a tile as served: the z/x/y in the path gives the
// georeferencing. Runs when ogrinfo (Debian gdal-bin) is on the PATH.
func TestOgrinfoReadsTile(t *testing.T) {
	ogrinfo, err := exec.LookPath("ogrinfo")
	if err != nil {
		t.Skip("ogrinfo not on PATH (apt-get install gdal-bin)")
	}
	tl := newTestTiles(t, Options{})
	x, y := tileAt(116.4, 39.9, 4)
	body := mustTile(t, tl, 4, x, y)
	dir := filepath.Join(t.TempDir(), "4", strconv.Itoa(x))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, strconv.Itoa(y)+".mvt")
	if err := os.WriteFile(file, body, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ogrinfo, "-ro", "-al", "-so", "MVT:"+file).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	text := string(out)
	for _, name := range []string{LayerClusters, LayerCities, LayerTransferZones, LayerFlows, LayerLabels} {
		if !strings.Contains(text, "Layer name: "+name) {
			t.Errorf("ogrinfo does not list layer %s:\n%s", name, text)
		}
	}
	// Georeferenced from the path: the extent is around Beijing in Web
	// Mercator metres (x ≈ 1.3e7).
	if !strings.Contains(text, "Extent: (1") {
		t.Errorf("unexpected extent:\n%s", text)
	}
	if testing.Verbose() {
		t.Log(text)
	}
}
