package report

import (
	"slices"
	"time"
)

// maxBars is about the most buckets a time chart draws: buckets are an hour, a day or a
// week, the smallest of them that keeps a window under this many.
const maxBars = 120

// timeSeries is what the HTML report's time charts and time table show: the events per
// cause in buckets of one size, in time order, every bucket from the first to the last.
type timeSeries struct {
	Bucket  string // hour, day or week
	Points  []timePoint
	Untimed int64 // events without a time, in no bucket
}

type timePoint struct {
	Start  time.Time
	Events int64
	Users  int     // distinct users; -1 when not known
	Causes []int64 // by rule index
}

// timeTable is where the HTML report reads time from: the rows of a time table keyed by
// the start of their bucket (RFC 3339; "" for events without a time), the bucket, and the
// zone buckets are aligned in.
//
// It reads by_hour, and sums its hours into days or weeks (sumHours) when a chart would
// have more than maxBars bars. The by_time table chooses its bucket itself: reading it,
// this function returns its rows, its bucket and its zone, and sumHours goes.
func timeTable(v *view, loc *time.Location) (rows []row, bucket string, zone *time.Location) {
	for _, tv := range v.tables {
		if tv.def.name == "by_hour" {
			rows, bucket = sumHours(tv.rows, loc)
			return rows, bucket, loc
		}
	}
	return nil, "hour", time.UTC
}

// sumHours returns hourly rows as they are when their span fits maxBars hours, and
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
	case span < maxBars*time.Hour:
		return rows, bucket
	case span < maxBars*24*time.Hour:
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

// nextBucket is the start of the bucket after the one starting at t, in zone.
func nextBucket(t time.Time, bucket string, zone *time.Location) time.Time {
	switch bucket {
	case "day":
		return t.In(zone).AddDate(0, 0, 1)
	case "week":
		return t.In(zone).AddDate(0, 0, 7)
	}
	return t.Add(time.Hour)
}

// newTimeSeries makes the series of a time table's rows (see timeTable), with an empty
// point for every bucket without events between the first and the last. Rows whose start
// is not a bucket of zone are drawn as they are, without empty buckets between them.
func newTimeSeries(rows []row, bucket string, zone *time.Location, rules int) timeSeries {
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
	limit := max(100*maxBars, 2*len(starts))
	matched := 0
	for t := starts[0]; !t.After(starts[len(starts)-1]) && len(ts.Points) < limit; t = nextBucket(t, bucket, zone) {
		p, ok := byStart[t.Unix()]
		if ok {
			matched++
		} else {
			p = timePoint{Start: t, Causes: make([]int64, rules)}
		}
		ts.Points = append(ts.Points, p)
	}
	if matched != len(starts) { // the rows are not on the grid of buckets: drawn as they are
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
	if ts.Bucket == "hour" {
		return t.Format("01-02 15:04")
	}
	return t.Format("2006-01-02")
}

// label names a bucket in full, for tooltips and the time table.
func (ts timeSeries) label(t time.Time, loc *time.Location) string {
	t = t.In(locOrUTC(loc))
	switch ts.Bucket {
	case "day":
		return t.Format("2006-01-02 (Mon)")
	case "week":
		return "week of " + t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04 MST")
}
