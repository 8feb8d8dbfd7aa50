package api

import (
	"context"
	"github.com/valyala/fasthttp"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func loadOpenAPI(t *testing.T, s *Server) *openapi3.T {
	t.Helper()
	r := get(t, s, "/api", "Accept", "application/vnd.oai.openapi+json;version=3.0")
	wantStatus(t, r, 200)
	if ct := r.Header.Get("Content-Type"); ct != mediaOpenAPI {
		t.Fatalf("content type %q", ct)
	}
	doc, err := openapi3.NewLoader().LoadFromData(r.Body)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return doc
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	s := newTestServer(t, Config{})
	doc := loadOpenAPI(t, s)
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("OpenAPI document invalid: %v", err)
	}
	if doc.Servers[0].URL != "http://example.com" {
		t.Errorf("server URL %q", doc.Servers[0].URL)
	}
}

// Every parameter a route accepts is documented on that route (and the
// unknown-parameter rule uses the same list, so nothing documented is refused).
func TestOpenAPIDocumentsEveryParameter(t *testing.T) {
	s := newTestServer(t, Config{})
	doc := loadOpenAPI(t, s)
	for _, rs := range routeSpecs {
		item := doc.Paths.Find(rs.Path)
		if item == nil {
			t.Errorf("%s not in /api", rs.Path)
			continue
		}
		op := item.GetOperation(rs.Method)
		if op == nil {
			t.Errorf("%s %s not in /api", rs.Method, rs.Path)
			continue
		}
		for _, key := range rs.Params {
			name := paramDefs[key].Name
			if op.Parameters.GetByInAndName("query", name) == nil {
				t.Errorf("%s %s: query parameter %s undocumented", rs.Method, rs.Path, name)
			}
		}
		for _, name := range rs.PathParams {
			if op.Parameters.GetByInAndName("path", name) == nil {
				t.Errorf("%s %s: path parameter %s undocumented", rs.Method, rs.Path, name)
			}
		}
		// And the documented ones are accepted (no 400 unknown-parameter).
		for _, p := range op.Parameters {
			if p.Value.In != "query" {
				continue
			}
			var args fasthttp.Args
			args.Add(p.Value.Name, "x")
			if prob := checkKnownArgs(&args, rs.Params); prob != nil {
				t.Errorf("%s %s documents %s but refuses it", rs.Method, rs.Path, p.Value.Name)
			}
		}
	}
	html := get(t, s, "/api?f=html")
	wantStatus(t, html, 200)
}
