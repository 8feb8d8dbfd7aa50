package api

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// httpMetrics are the Prometheus request metrics, labelled by route
// pattern (not raw URL, which would explode the label space): a request
// counter and a latency histogram per method, route and status.
//
// Every request updates them, from both cores at once. Prometheus's own
// Counter and Histogram keep one set of atomics per series, so the cache
// lines of the /locate series moved between the cores on every request
// (0.4 µs of CPU per request under two-core load in
// BenchmarkLocateHandlerParallel). The series here are sharded by
// connection instead (one connection's requests run one after another)
// and summed when /metrics is scraped; the client library still renders
// the exposition, so names, labels and buckets are as before.
type httpMetrics struct {
	registry  *prometheus.Registry
	requests  *prometheus.Desc
	latency   *prometheus.Desc
	bucketsNs [len(latencyBuckets)]uint64

	mu    sync.RWMutex
	cache map[metricKey]*requestSeries
}

// latencyBuckets are the histogram's upper bounds in seconds.
var latencyBuckets = [...]float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}

// metricShards is how many copies of its counters a series keeps: with two
// requests running at once, two connections share a copy one time in 16.
const metricShards = 16

// requestSeries is one labelled series, sharded.
type requestSeries struct {
	labels [3]string // method, route, status
	shards [metricShards]metricShard
}

// metricShard is one copy of a series' counters, padded to whole 64-byte
// cache lines so neighbouring shards never share one.
type metricShard struct {
	count   atomic.Uint64
	sumNs   atomic.Uint64
	buckets [len(latencyBuckets)]atomic.Uint64 // not cumulative; above the last bound: count minus these
	_       [128 - (2+len(latencyBuckets))*8]byte
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	labels := []string{"method", "route", "status"}
	m := &httpMetrics{
		cache:    map[metricKey]*requestSeries{},
		registry: reg,
		requests: prometheus.NewDesc("clusteratlas_http_requests_total",
			"HTTP requests by method, route pattern and status code.", labels, nil),
		latency: prometheus.NewDesc("clusteratlas_http_request_duration_seconds",
			"HTTP request latency by method, route pattern and status code.", labels, nil),
	}
	for i, b := range latencyBuckets {
		m.bucketsNs[i] = uint64(b * 1e9)
	}
	reg.MustRegister(m)
	return m
}

// Describe and Collect make httpMetrics a prometheus.Collector.
func (m *httpMetrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.requests
	ch <- m.latency
}

func (m *httpMetrics) Collect(ch chan<- prometheus.Metric) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, s := range m.cache {
		var count, sumNs uint64
		var perBucket [len(latencyBuckets)]uint64
		for i := range s.shards {
			sh := &s.shards[i]
			count += sh.count.Load()
			sumNs += sh.sumNs.Load()
			for b := range perBucket {
				perBucket[b] += sh.buckets[b].Load()
			}
		}
		cumulative := make(map[float64]uint64, len(latencyBuckets))
		var below uint64
		for b, le := range latencyBuckets {
			below += perBucket[b]
			cumulative[le] = below
		}
		// the shards are read one after another while requests go on: a
		// scrape may see a bucket before its count, never more than count
		count = max(count, below)
		ch <- prometheus.MustNewConstMetric(m.requests, prometheus.CounterValue, float64(count), s.labels[:]...)
		ch <- prometheus.MustNewConstHistogram(m.latency, count, float64(sumNs)/1e9, cumulative, s.labels[:]...)
	}
}

// observe adds one request of duration d to shard conn of s.
func (m *httpMetrics) observe(s *requestSeries, conn uint64, d time.Duration) {
	sh := &s.shards[conn%metricShards]
	ns := uint64(max(d, 0))
	for b, bound := range m.bucketsNs {
		if ns <= bound {
			sh.buckets[b].Add(1)
			break
		}
	}
	sh.sumNs.Add(ns)
	sh.count.Add(1)
}

// metricKey picks one labelled series; the series are cached because
// building the label values costs on every call.
type metricKey struct {
	method, route string
	status        int
}

func (m *httpMetrics) series(k metricKey) *requestSeries {
	m.mu.RLock()
	s, ok := m.cache[k]
	m.mu.RUnlock()
	if ok {
		return s
	}
	// Fiber's c.Method() aliases the request buffer that fasthttp reuses
	// for the next request: copy before the strings become label values or
	// cache keys. Only the first request of each method/route/status pays
	// for it; later ones hit the cache.
	k.method, k.route = strings.Clone(k.method), strings.Clone(k.route)
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.cache[k]; ok {
		return s
	}
	s = &requestSeries{labels: [3]string{k.method, k.route, strconv.Itoa(k.status)}}
	m.cache[k] = s
	return s
}

// record counts the request under its route pattern. The route wrapper
// stores a *routeMetrics (Fiber's c.Route() cannot tell a 404 from a
// request for "/"); a GET answered 200, the common case, uses the series
// resolved when the route was registered.
func (m *httpMetrics) record(c *fiber.Ctx, start time.Time) {
	var s *requestSeries
	status := c.Response().StatusCode()
	switch r := c.Locals(localRoute).(type) {
	case *routeMetrics:
		if status == fiber.StatusOK && c.Method() == fiber.MethodGet {
			s = r.getOK
		} else {
			s = m.series(metricKey{methodLabel(c.Method()), r.route, status})
		}
	case string:
		s = m.series(metricKey{methodLabel(c.Method()), r, status})
	default:
		s = m.series(metricKey{methodLabel(c.Method()), "unmatched", status})
	}
	m.observe(s, c.Context().ConnID(), time.Since(start))
}

// routeMetrics is a route's pattern and its GET-200 series.
type routeMetrics struct {
	route string
	getOK *requestSeries
}

func (m *httpMetrics) forRoute(route string) *routeMetrics {
	return &routeMetrics{route: route, getOK: m.series(metricKey{fiber.MethodGet, route, fiber.StatusOK})}
}
