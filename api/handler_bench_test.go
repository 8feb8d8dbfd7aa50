package api

import (
	"fmt"
	"math/rand"
	"sync/atomic"
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

// benchHandlerParallel is benchHandler on every core at once, each
// goroutine a connection of its own (as under wrk), walking the URIs from
// its own offset: what the cores share (metrics, caches) shows here and
// not in the serial benchmark.
func benchHandlerParallel(b *testing.B, h fasthttp.RequestHandler, uris []string) {
	var goroutines atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(goroutines.Add(1)) * len(uris) / 7
		var ctx fasthttp.RequestCtx
		ctx.Init(&fasthttp.Request{}, nil, nil) // a connection id of its own
		for pb.Next() {
			i++
			ctx.Request.Reset()
			ctx.Response.Reset()
			ctx.Request.SetRequestURI(uris[i%len(uris)])
			ctx.Request.Header.SetMethod("GET")
			h(&ctx)
		}
	})
}

// locateURIs are /locate queries at n random points in China's bounding
// box, as scripts/loadtest.sh sends them.
func locateURIs(n int) []string {
	r := rand.New(rand.NewSource(1))
	uris := make([]string, n)
	for i := range uris {
		uris[i] = fmt.Sprintf("/locate?lon=%.5f&lat=%.5f", 73+r.Float64()*62, 18+r.Float64()*36)
	}
	return uris
}

// BenchmarkLocateHandler: /locate at random points in China's bounding box.
func BenchmarkLocateHandler(b *testing.B) { benchHandler(b, locateURIs(1024)) }

// BenchmarkLocateHandlerParallel: the same on both cores, over 64k points
// (the load script's points are all new, so the data is rarely in cache).
func BenchmarkLocateHandlerParallel(b *testing.B) {
	st, err := embeddedState()
	if err != nil || st == nil {
		b.Fatal("embedded data:", err)
	}
	benchHandlerParallel(b, New(Config{}, st).App().Handler(), locateURIs(1<<16))
}

// BenchmarkStaticHandler: the static /conformance document.
func BenchmarkStaticHandler(b *testing.B) { benchHandler(b, []string{"/conformance"}) }

// BenchmarkHealthzHandler: the liveness route, which skips ETag and caching.
func BenchmarkHealthzHandler(b *testing.B) { benchHandler(b, []string{"/healthz"}) }

// bareHandler is a Fiber app with one static route and no middleware, the
// load script's baseline (scripts/barestatic).
func bareHandler() fasthttp.RequestHandler {
	app := fiber.New()
	body := []byte(`{"type":"FeatureCollection","numberReturned":0,"features":[]}`)
	app.Get("/static", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "application/json")
		return c.Send(body)
	})
	return app.Handler()
}

// BenchmarkBareHandlerParallel: the baseline on both cores.
func BenchmarkBareHandlerParallel(b *testing.B) {
	benchHandlerParallel(b, bareHandler(), []string{"/static"})
}

// BenchmarkBareHandler: the baseline in process.
func BenchmarkBareHandler(b *testing.B) {
	h := bareHandler()
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
