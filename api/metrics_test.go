package api

import (
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// The sharded series expose what Prometheus's own counter and histogram
// would for the same requests: fed the same durations from many
// connections at once, the scrape has the same count, sum and buckets.
func TestShardedMetricsMatchPrometheus(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := newHTTPMetrics(reg)
	reference := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "reference", Buckets: latencyBuckets[:]})
	s := m.series(metricKey{"GET", "/locate", 200})
	if m.series(metricKey{"GET", "/locate", 200}) != s {
		t.Fatal("a second lookup made a second series")
	}
	rng := rand.New(rand.NewSource(5))
	durations := make([]time.Duration, 20000)
	for i := range durations {
		// from 0 to 10 s on a log scale, plus every bucket bound exactly
		durations[i] = time.Duration(rng.ExpFloat64() * float64(20*time.Millisecond))
	}
	for _, b := range latencyBuckets {
		durations = append(durations, time.Duration(b*1e9))
	}
	var wg sync.WaitGroup
	for conn := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := conn; i < len(durations); i += 40 {
				m.observe(s, uint64(conn), durations[i])
			}
		}()
	}
	wg.Wait()
	for _, d := range durations {
		reference.Observe(d.Seconds())
	}

	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var counter *dto.Metric
	var hist *dto.Histogram
	for _, f := range families {
		for _, mt := range f.GetMetric() {
			switch f.GetName() {
			case "clusteratlas_http_requests_total":
				counter = mt
			case "clusteratlas_http_request_duration_seconds":
				hist = mt.GetHistogram()
				if len(mt.GetLabel()) != 3 || mt.GetLabel()[1].GetValue() != "/locate" {
					t.Errorf("labels %v", mt.GetLabel())
				}
			}
		}
	}
	if counter == nil || hist == nil {
		t.Fatalf("scrape lacks the request metrics: %v", families)
	}
	var want dto.Metric
	if err := reference.Write(&want); err != nil {
		t.Fatal(err)
	}
	ref := want.GetHistogram()
	if got := counter.GetCounter().GetValue(); got != float64(len(durations)) {
		t.Errorf("requests_total %v, want %d", got, len(durations))
	}
	if hist.GetSampleCount() != ref.GetSampleCount() {
		t.Errorf("count %d, reference %d", hist.GetSampleCount(), ref.GetSampleCount())
	}
	// the sum is kept in whole nanoseconds, the reference in float seconds
	if d := hist.GetSampleSum() - ref.GetSampleSum(); d > 1e-6 || d < -1e-6 {
		t.Errorf("sum %v, reference %v", hist.GetSampleSum(), ref.GetSampleSum())
	}
	if len(hist.GetBucket()) != len(ref.GetBucket()) {
		t.Fatalf("%d buckets, reference %d", len(hist.GetBucket()), len(ref.GetBucket()))
	}
	for i, b := range hist.GetBucket() {
		r := ref.GetBucket()[i]
		if b.GetUpperBound() != r.GetUpperBound() || b.GetCumulativeCount() != r.GetCumulativeCount() {
			t.Errorf("bucket le=%v: %d, reference le=%v: %d", b.GetUpperBound(), b.GetCumulativeCount(), r.GetUpperBound(), r.GetCumulativeCount())
		}
	}
}
