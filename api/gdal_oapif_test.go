package api

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGDALOAPIF drives Debian's GDAL (3.6) against a live server over the
// fixture: the URL's query goes to every request, -where is sent to the
// server as a CQL filter (read from GDAL's own debug log), and ogr2ogr to
// GeoPackage writes one geometry type per layer without a geometry warning.
// Skipped without ogrinfo.
func TestGDALOAPIF(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Skip("ogrinfo (gdal-bin) not installed")
	}
	base := liveServer(t, newTestServer(t, Config{}))
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), "CPL_DEBUG=ON", "GDAL_HTTP_TIMEOUT=20")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return string(out)
	}

	out := run("ogrinfo", "-ro", "-so", "OAPIF:"+base+"/?zoom=6", "clusters")
	for _, want := range []string{"Geometry: Multi Polygon", "Feature Count: 3", "member_codes: String"} {
		if !strings.Contains(out, want) {
			t.Errorf("ogrinfo ?zoom=6 lacks %q:\n%s", want, grepLines(out, ":"))
		}
	}

	out = run("ogrinfo", "-ro", "-al", "-q", "OAPIF:"+base+"/", "cities", "-where", "province = '河北省' AND area_km2 > 5000")
	if !strings.Contains(out, "filter=(province%20%3D%20") || !strings.Contains(out, "filter-lang=cql-text") {
		t.Errorf("-where was not sent as a filter:\n%s", grepLines(out, "Fetch"))
	}
	if strings.Count(out, "code (String) =") != 2 || !strings.Contains(out, "code (String) = 130400") {
		t.Errorf("-where answered:\n%s", grepLines(out, "code (String)"))
	}

	gpkg := filepath.Join(t.TempDir(), "atlas.gpkg")
	out = run("ogr2ogr", "-f", "GPKG", "-mapFieldType", "StringList=String,RealList=String", gpkg, "OAPIF:"+base+"/")
	if strings.Contains(out, "Warning") || strings.Contains(out, "ERROR") {
		t.Errorf("ogr2ogr warned:\n%s", grepLines(out, "arning"))
	}
	out = run("ogrinfo", "-ro", "-so", gpkg)
	for _, want := range []string{"clusters (title: City clusters) (Multi Polygon)", "cities (title: Member cities) (Multi Polygon)", "flows (title: Industry-transfer flows) (Line String)"} {
		if !strings.Contains(out, want) {
			t.Errorf("GeoPackage lacks %q:\n%s", want, out)
		}
	}
}
