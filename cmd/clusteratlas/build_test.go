package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
)

// captureStderr runs f with os.Stderr redirected and returns what it wrote.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	f()
	os.Stderr = old
	w.Close()
	var buf bytes.Buffer
	io.Copy(&buf, r)
	return buf.String()
}

func TestBuildBoundariesCRSFlag(t *testing.T) {
	var code int
	msg := captureStderr(t, func() {
		code = run([]string{"build", "--boundaries", "x.geojson", "--boundaries-crs", "EPSG:3857", "--out", t.TempDir()})
	})
	if code != 2 || !strings.Contains(msg, "--boundaries-crs") || !strings.Contains(msg, "GCJ-02") {
		t.Errorf("unsupported CRS: exit %d, stderr %q", code, msg)
	}
	msg = captureStderr(t, func() {
		code = run([]string{"build", "--boundaries-crs", "GCJ-02", "--out", t.TempDir()})
	})
	if code != 2 || !strings.Contains(msg, "needs --boundaries") {
		t.Errorf("--boundaries-crs alone: exit %d, stderr %q", code, msg)
	}
}
