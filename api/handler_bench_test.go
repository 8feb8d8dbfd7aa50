package api

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// The handler benchmarks run the whole Fiber stack (metrics, CORS, ETag,
// compression, routing) in process, without the network: their ratios are
// the server-side part of the load script's ratios.
func benchHandler(b *testing.B, uris []string) {
	st, err := embeddedState()
	if err != nil || st == nil {
		b.Fatal("embedded data:", err)
	}
	h := New(Config{}, st).App().Handler()
	var ctx fasthttp.RequestCtx
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.Request.SetRequestURI(uris[i%len(uris)])
		ctx.Request.Header.SetMethod("GET")
		h(&ctx)
	}
}

// BenchmarkLocateHandler: /locate at random points in China's bounding box.
func BenchmarkLocateHandler(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	uris := make([]string, 1024)
	for i := range uris {
		uris[i] = fmt.Sprintf("/locate?lon=%.5f&lat=%.5f", 73+r.Float64()*62, 18+r.Float64()*36)
	}
	benchHandler(b, uris)
}

// BenchmarkStaticHandler: the static /conformance document.
func BenchmarkStaticHandler(b *testing.B) { benchHandler(b, []string{"/conformance"}) }

// BenchmarkHealthzHandler: the liveness route, which skips ETag and caching.
func BenchmarkHealthzHandler(b *testing.B) { benchHandler(b, []string{"/healthz"}) }

// BenchmarkBareHandler: a Fiber app with one static route and no
// middleware, the load script's baseline (scripts/barestatic) in process.
func BenchmarkBareHandler(b *testing.B) {
	app := fiber.New()
	body := []byte(`{"type":"FeatureCollection","numberReturned":0,"features":[]}`)
	app.Get("/static", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "application/json")
		return c.Send(body)
	})
	h := app.Handler()
	var ctx fasthttp.RequestCtx
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.Request.SetRequestURI("/static")
		ctx.Request.Header.SetMethod("GET")
		h(&ctx)
	}
}
