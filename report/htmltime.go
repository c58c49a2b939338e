package report

import (
	"slices"
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

// timeRows is the one place the HTML report reads time from: the rows of the by_time
// table in time order, keyed by the start of their bucket (RFC 3339; "" for the events
// without a time), the bucket's name, and next, which gives the start of the bucket after
// the one starting at t (newTimeSeries fills the buckets without events). by_time chooses
// its bucket (an hour, a day or a week, so that a chart has at most about 120 bars) and
// aligns it in the display zone, as the terminal and Markdown show it.
func timeRows(v *view) (rows []row, bucket string, next func(time.Time) time.Time) {
	tv := v.byTime()
	return tv.rows, tv.bucket.size.String(), tv.bucket.next
}

// maxPoints bounds the buckets newTimeSeries fills in: events decades apart (a clock
// reset to 1970) show only the buckets that have some.
const maxPoints = 4 * maxBars

// newTimeSeries makes the series of a time table's rows (see timeRows), with an empty
// point for every bucket without events between the first and the last. Rows that are
// not on next's grid of buckets, or too far apart, are drawn as they are.
func newTimeSeries(rows []row, bucket string, next func(time.Time) time.Time, rules int) timeSeries {
	ts := timeSeries{Bucket: bucket}
	byStart := map[int64]timePoint{}
	var starts []time.Time
	for _, r := range rows {
		t, err := time.Parse(time.RFC3339, r.key[0])
		if err != nil {
			ts.Untimed += r.events
			continue
		}
		p := timePoint{Start: t, Events: r.events, Users: r.distinct, Causes: r.causes}
		if old, ok := byStart[t.Unix()]; ok { // the same bucket twice: add up
			p.Events += old.Events
			p.Users = -1
			p.Causes = slices.Clone(old.Causes)
			for ri, n := range r.causes {
				p.Causes[ri] += n
			}
		} else {
			starts = append(starts, t)
		}
		byStart[t.Unix()] = p
	}
	if len(starts) == 0 {
		return ts
	}
	slices.SortFunc(starts, time.Time.Compare)
	limit := max(maxPoints, len(starts))
	matched := 0
	for t := starts[0]; !t.After(starts[len(starts)-1]) && len(ts.Points) < limit; t = next(t) {
		p, ok := byStart[t.Unix()]
		if ok {
			matched++
		} else {
			p = timePoint{Start: t, Causes: make([]int64, rules)}
		}
		ts.Points = append(ts.Points, p)
	}
	if matched != len(starts) { // off the grid, or too far apart: drawn as they are
		ts.Points = ts.Points[:0]
		for _, t := range starts {
			ts.Points = append(ts.Points, byStart[t.Unix()])
		}
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
