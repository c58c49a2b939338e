package report

import (
	"time"
)

// timeSeries is what the HTML report's time charts and time table show: the events per
// cause in buckets of one size, in time order, every bucket from the first to the last.
type timeSeries struct {
	Bucket  string // hour, day, week (and month, year from by_time)
	Points  []timePoint
	Untimed int64 // events without a time, in no bucket
}

type timePoint struct {
	Start  time.Time
	Events int64
	Users  int     // distinct users; -1 when not known
	Causes []int64 // by rule index
}

// newTimeSeries is the one place the HTML report reads time from: the series of the
// by_time table tv, which chooses its bucket (an hour, a day or a week, so that a chart
// has at most about 120 bars) and aligns it in the display zone, with an empty point for
// every bucket without events between the first and the last (timeBuckets.fill, as the
// terminal draws them).
func newTimeSeries(tv *tableView, rules int) timeSeries {
	ts := timeSeries{Bucket: tv.bucket.size.String()}
	for _, r := range tv.bucket.fill(tv.rows, rules) {
		t, ok := rowStart(r)
		if !ok {
			ts.Untimed += r.events
			continue
		}
		ts.Points = append(ts.Points, timePoint{Start: t, Events: r.events, Users: r.distinct, Causes: r.causes})
	}
	return ts
}

// tick is the short label of a bucket under a chart's axis.
func (ts timeSeries) tick(t time.Time, loc *time.Location) string {
	t = t.In(locOrUTC(loc))
	switch ts.Bucket {
	case "hour":
		return t.Format("01-02 15:04")
	case "month":
		return t.Format("2006-01")
	case "year":
		return t.Format("2006")
	}
	return t.Format("2006-01-02")
}

// label names a bucket in full, for tooltips and the time table.
func (ts timeSeries) label(t time.Time, loc *time.Location) string {
	t = t.In(locOrUTC(loc))
	switch ts.Bucket {
	case "hour":
		return t.Format("2006-01-02 15:04 MST")
	case "day":
		return t.Format("2006-01-02 (Mon)")
	case "week":
		return "week of " + t.Format("2006-01-02")
	case "month":
		return t.Format("January 2006")
	}
	return t.Format("2006")
}
