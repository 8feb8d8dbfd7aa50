package tiles

import (
	"math"
	"math/rand"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/planar"
)

// Reducing a ring before clipping leaves the clipped area unchanged.
func TestReduceRingKeepsClippedArea(t *testing.T) {
	box := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{10, 10}}
	rng := rand.New(rand.NewSource(1))
	for n := 0; n < 500; n++ {
		// A random star-shaped ring around a random centre, partly outside.
		c := orb.Point{rng.Float64()*30 - 10, rng.Float64()*30 - 10}
		var r orb.Ring
		k := 5 + rng.Intn(200)
		for i := 0; i < k; i++ {
			a := 2 * math.Pi * float64(i) / float64(k)
			d := 2 + rng.Float64()*15
			r = append(r, orb.Point{c[0] + d*math.Cos(a), c[1] + d*math.Sin(a)})
		}
		r = append(r, r[0])
		want := planar.Area(clip.Ring(box, append(orb.Ring(nil), r...)))
		red := reduceRing(box, r)
		got := planar.Area(clip.Ring(box, red))
		if d := got - want; d > 1e-9 || d < -1e-9 {
			t.Fatalf("ring %d: clipped area %v after reduction, %v before (%d → %d points)", n, got, want, len(r), len(red))
		}
	}
}
