package api

// Year-precision time. The atlas's times are years (a zone's approval, a
// flow's year) or partial dates (a plan's "2015-04"), so datetime accepts
// a bare year and year intervals as documented extensions of RFC 3339, and
// each feature's time is the whole span its value names.

import (
	"strconv"
	"time"

	"github.com/clusteratlas/clusteratlas/data"
)

// parsePartialDate reads YYYY, YYYY-MM or YYYY-MM-DD as the span it names:
// [start, end] with end the last nanosecond.
func parsePartialDate(s string) (start, end time.Time, ok bool) {
	layouts := []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
	}
	for _, l := range layouts {
		if len(s) != len(l.layout) {
			continue
		}
		if t, err := time.Parse(l.layout, s); err == nil {
			return t, l.next(t).Add(-time.Nanosecond), true
		}
	}
	return time.Time{}, time.Time{}, false
}

// featureSpan is the time a feature's time property stands for, [from, to):
// a year number is its year, a partial date string its year, month or day.
func featureSpan(f *data.Feature, prop string) (from, to time.Time, ok bool) {
	if prop == "" {
		return time.Time{}, time.Time{}, false
	}
	switch v := f.Properties[prop].(type) {
	case float64:
		if v != float64(int(v)) || v < 0 || v > 9999 {
			return time.Time{}, time.Time{}, false
		}
		from, to := yearSpan(int(v))
		return from, to, true
	case string:
		start, end, ok := parsePartialDate(v)
		if !ok {
			return time.Time{}, time.Time{}, false
		}
		return start, end.Add(time.Nanosecond), true
	}
	return time.Time{}, time.Time{}, false
}

// yearOfSpan is the year a feature's time starts in (for the extents).
func yearOfSpan(f *data.Feature, prop string) (int, bool) {
	from, _, ok := featureSpan(f, prop)
	if !ok {
		return 0, false
	}
	y, _ := strconv.Atoi(from.Format("2006"))
	return y, true
}
