package api

import "testing"

func TestDocumentRoutesAcceptGDALParameters(t *testing.T) {
	s := newTestServer(t, Config{})
	q := "?zoom=6&precision=4&crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FOGC%2F1.3%2FCRS84"
	for _, path := range []string{"/", "/conformance", "/api", "/collections", "/collections/clusters", "/collections/clusters/schema", "/collections/clusters/queryables"} {
		wantStatus(t, get(t, s, path+q), 200)
		wantStatus(t, get(t, s, path+"?zoom=6"), 200)
		wantStatus(t, get(t, s, path+"?crs=GCJ-02"), 200) // any crs the items take
		wantProblem(t, get(t, s, path+"?zoom=13"), 400, "zoom")
		wantProblem(t, get(t, s, path+"?precision=x"), 400, "precision")
		wantProblem(t, get(t, s, path+"?crs=EPSG%3A3857"), 400, "crs")
		wantProblem(t, get(t, s, path+"?limit=1"), 400, "limit") // still not items
	}
	// The OpenAPI document lists them on /collections.
	doc := get(t, s, "/api").json(t)
	params := doc["paths"].(map[string]any)["/collections"].(map[string]any)["get"].(map[string]any)["parameters"].([]any)
	names := map[string]bool{}
	for _, p := range params {
		names[p.(map[string]any)["name"].(string)] = true
	}
	for _, n := range []string{"zoom", "precision", "crs", "f"} {
		if !names[n] {
			t.Errorf("/api: /collections lacks parameter %s", n)
		}
	}
}
