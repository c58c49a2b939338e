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

// timeRows is the one place the HTML report reads time from. It returns the rows of a
// time table in time order, keyed by the start of their bucket (RFC 3339; "" for the
// events without a time), the bucket's name, and next, which gives the start of the
// bucket after the one starting at t (newTimeSeries fills the buckets without events).
//
// Today it reads by_hour, and sums its hours into days or weeks (sumHours) when a chart
// would have more than chartBars bars. When the by_time table lands (it chooses its bucket
// and zone itself, and keys its rows the same way), the body becomes
//
//	tv := v.byTime()
//	return tv.rows, tv.bucket.size.String(), tv.bucket.next
//
// and sumHours, bucketStart, nextBucket and chartBars go.
func timeRows(v *view, loc *time.Location) (rows []row, bucket string, next func(time.Time) time.Time) {
	for _, tv := range v.tables {
		if tv.def.name == "by_hour" {
			rows, bucket = sumHours(tv.rows, loc)
			return rows, bucket, func(t time.Time) time.Time { return nextBucket(t, bucket, loc) }
		}
	}
	return nil, "hour", func(t time.Time) time.Time { return t.Add(time.Hour) }
}

// chartBars is about the most buckets a time chart draws: buckets are an hour, a day or a
// week, the smallest of them that keeps a window under this many (by_time's maxBars).
const chartBars = 120

// sumHours returns hourly rows as they are when their span fits chartBars hours, and
// otherwise summed into days or weeks (from Monday) of loc, whose distinct users are not
// known (-1).
func sumHours(rows []row, loc *time.Location) ([]row, string) {
	var first, last time.Time
	for _, r := range rows {
		if t, err := time.Parse(time.RFC3339, r.key[0]); err == nil {
			if first.IsZero() || t.Before(first) {
				first = t
			}
			if t.After(last) {
				last = t
			}
		}
	}
	bucket := "hour"
	switch span := last.Sub(first); {
	case span < chartBars*time.Hour:
		return rows, bucket
	case span < chartBars*24*time.Hour:
		bucket = "day"
	default:
		bucket = "week"
	}
	var out []row
	at := map[string]int{}
	for _, r := range rows {
		key := ""
		if t, err := time.Parse(time.RFC3339, r.key[0]); err == nil {
			key = bucketStart(t, bucket, loc).Format(time.RFC3339)
		}
		i, ok := at[key]
		if !ok {
			i = len(out)
			at[key] = i
			out = append(out, row{key: []string{key}, distinct: -1, causes: make([]int64, len(r.causes))})
		}
		out[i].events += r.events
		for ri, n := range r.causes {
			out[i].causes[ri] += n
		}
	}
	return out, bucket
}

// bucketStart is the start of t's bucket in loc: its hour, its day, or the Monday of its week.
func bucketStart(t time.Time, bucket string, loc *time.Location) time.Time {
	t = t.In(loc)
	switch bucket {
	case "day":
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	case "week":
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		return d.AddDate(0, 0, -(int(d.Weekday())+6)%7)
	}
	return t.Truncate(time.Hour)
}

// nextBucket is the start of the bucket after the one starting at t, in loc.
func nextBucket(t time.Time, bucket string, loc *time.Location) time.Time {
	switch bucket {
	case "day":
		return t.In(loc).AddDate(0, 0, 1)
	case "week":
		return t.In(loc).AddDate(0, 0, 7)
	}
	return t.Add(time.Hour)
}

// maxPoints bounds the buckets newTimeSeries fills in: events decades apart (a clock
// reset to 1970) show only the buckets that have some.
const maxPoints = 4 * chartBars

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
