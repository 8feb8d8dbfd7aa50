package api

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/clusteratlas/clusteratlas/data"
	"github.com/valyala/fasthttp"
)

// The handler benchmarks run the whole Fiber stack (metrics, CORS, ETag,
// compression, routing) in process, without the network: the ratio of the
// two is the server-side part of the load script's /locate-to-static ratio.
func BenchmarkLocateHandler(b *testing.B) {
	ds, _ := data.Load()
	st, err := NewState(ds, nil)
	if err != nil {
		b.Fatal(err)
	}
	s := New(Config{}, st)
	h := s.App().Handler()
	r := rand.New(rand.NewSource(1))
	uris := make([]string, 1024)
	for i := range uris {
		uris[i] = fmt.Sprintf("/locate?lon=%.5f&lat=%.5f", 73+r.Float64()*62, 18+r.Float64()*36)
	}
	var ctx fasthttp.RequestCtx
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.Request.SetRequestURI(uris[i%len(uris)])
		ctx.Request.Header.SetMethod("GET")
		h(&ctx)
	}
}

func BenchmarkStaticHandler(b *testing.B) {
	ds, _ := data.Load()
	st, _ := NewState(ds, nil)
	s := New(Config{}, st)
	h := s.App().Handler()
	var ctx fasthttp.RequestCtx
	for i := 0; i < b.N; i++ {
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.Request.SetRequestURI("/conformance")
		ctx.Request.Header.SetMethod("GET")
		h(&ctx)
	}
}

func BenchmarkHealthzHandler(b *testing.B) {
	ds, _ := data.Load()
	st, _ := NewState(ds, nil)
	s := New(Config{}, st)
	h := s.App().Handler()
	var ctx fasthttp.RequestCtx
	for i := 0; i < b.N; i++ {
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.Request.SetRequestURI("/healthz")
		ctx.Request.Header.SetMethod("GET")
		h(&ctx)
	}
}
