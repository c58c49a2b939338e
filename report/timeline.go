package report

import "time"

// The time breakdown, tables.by_time, adapts its bucket to the span of the in-scope
// events (the last one's time minus the first one's), so that a chart of it has at most
// about maxBars bars: an hour when the span is at most 120 hours, a day when at most 120
// days, a week when at most 120 weeks, a month when at most 120 months, else a year.
//
// Buckets follow the display zone (Options.TZ, --tz; UTC without one): an hour starts on
// the zone's hour, a day at its midnight, a week at Monday's midnight (ISO 8601), a month
// at its first day's and a year at January 1st's. A day is 23 or 25 hours long when the
// clocks change; where they skip midnight, the day starts when they moved. The JSON gives
// every bucket's start and end as UTC instants, with the bucket's size and the zone.

// bucketSize is the size of the time breakdown's buckets.
type bucketSize uint8

const (
	bucketHour bucketSize = iota
	bucketDay
	bucketWeek
	bucketMonth
	bucketYear
)

var bucketNames = [...]string{"hour", "day", "week", "month", "year"}

func (b bucketSize) String() string { return bucketNames[b] }

// maxBars is how many buckets of its size a span may hold: the smallest size that holds
// the span in maxBars is the bucket.
const maxBars = 120

// chooseBucket picks the bucket for events from first to last.
func chooseBucket(first, last time.Time) bucketSize {
	span := last.Sub(first)
	switch {
	case span <= maxBars*time.Hour:
		return bucketHour
	case span <= maxBars*24*time.Hour:
		return bucketDay
	case span <= maxBars*7*24*time.Hour:
		return bucketWeek
	case !last.After(first.AddDate(0, maxBars, 0)):
		return bucketMonth
	}
	return bucketYear
}

// timeBuckets cuts time into buckets of one size in one zone.
type timeBuckets struct {
	size bucketSize
	loc  *time.Location

	lo, hi int64 // the bucket found last, [lo, hi) in Unix seconds: events come mostly in time order
	found  bool
}

// newTimeBuckets returns the buckets for events from first to last (zero: none has a
// time), in loc (nil: UTC).
func newTimeBuckets(first, last time.Time, loc *time.Location) *timeBuckets {
	return &timeBuckets{size: chooseBucket(first, last), loc: locOrUTC(loc)}
}

// span is the first and the last time of the events of causes.
func span(causes []causeView) (first, last time.Time) {
	for _, c := range causes {
		if c.first.IsZero() {
			continue
		}
		if first.IsZero() || c.first.Before(first) {
			first = c.first
		}
		if c.last.After(last) {
			last = c.last
		}
	}
	return first, last
}

// start returns the start of the bucket that holds t, in the buckets' zone.
func (b *timeBuckets) start(t time.Time) time.Time {
	lt := t.In(b.loc)
	switch b.size {
	case bucketHour:
		_, off := lt.Zone()
		sec := t.Unix()
		s := time.Unix(sec-mod(sec+int64(off), 3600), 0).In(b.loc)
		if from, _ := lt.ZoneBounds(); !from.IsZero() && s.Before(from) {
			if _, before := from.Add(-time.Second).In(b.loc).Zone(); before != off {
				s = from // the offset changed within the hour (by half an hour, say)
			}
		}
		return s
	case bucketDay:
		return startOfDay(lt)
	case bucketWeek:
		d := startOfDay(lt)
		back := (int(d.Weekday()) + 6) % 7 // days since Monday
		if back == 0 {
			return d
		}
		y, m, dd := d.Date()
		return startOfDay(time.Date(y, m, dd-back, 12, 0, 0, 0, b.loc))
	case bucketMonth:
		y, m, _ := lt.Date()
		return startOfDay(time.Date(y, m, 1, 12, 0, 0, 0, b.loc))
	}
	return startOfDay(time.Date(lt.Year(), 1, 1, 12, 0, 0, 0, b.loc))
}

// steps are, per size, a time from a bucket's start that is in the next bucket: longer
// than any bucket (a day of 25 hours, a month of 31 days), shorter than two.
var steps = [...]time.Duration{time.Hour, 26 * time.Hour, (7*24 + 12) * time.Hour, 32 * 24 * time.Hour, 367 * 24 * time.Hour}

// next returns the start of the bucket after the one that starts at start.
func (b *timeBuckets) next(start time.Time) time.Time {
	return b.start(start.Add(steps[b.size]))
}

// startOfDay is the first instant of lt's day, in lt's zone: midnight, or when the clocks
// skip it (they move forward at 00:00), the instant they moved.
func startOfDay(lt time.Time) time.Time {
	y, m, d := lt.Date()
	s := time.Date(y, m, d, 0, 0, 0, 0, lt.Location())
	if s.Day() != d { // time.Date gave a time of the day before, in the old offset
		_, s = s.ZoneBounds()
	}
	return s
}

func mod(a, b int64) int64 { return (a%b + b) % b }

// of returns the bucket that holds the Unix second sec, [lo, hi).
func (b *timeBuckets) of(sec int64) (lo, hi int64) {
	if b.found && b.lo <= sec && sec < b.hi {
		return b.lo, b.hi
	}
	s := b.start(time.Unix(sec, 0))
	b.lo, b.hi, b.found = s.Unix(), b.next(s).Unix(), true
	return b.lo, b.hi
}

// group and key are the by_time table's (see tableDef): the bucket's start and end as
// UTC instants; "" for an event without a time.
func (b *timeBuckets) group(e *entry) [2]int64 {
	if e.nsec < 0 {
		return [2]int64{0, 0}
	}
	lo, _ := b.of(e.sec)
	return [2]int64{1, lo}
}

func (b *timeBuckets) key(ev *kept) []string {
	if ev.Time.IsZero() {
		return []string{"", ""}
	}
	lo, hi := b.of(ev.Time.Unix())
	return []string{utcStamp(lo), utcStamp(hi)}
}

func utcStamp(sec int64) string { return time.Unix(sec, 0).UTC().Format(time.RFC3339) }

// rowStart is the start of a by_time row's bucket; false for the row of the events
// without a time.
func rowStart(r row) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, r.key[0])
	return t, err == nil
}

// maxFill bounds the buckets fill adds: events decades apart (a clock reset to 1970)
// show only the buckets that have some.
const maxFill = 4 * maxBars

// fill returns rows, a by_time table's, with a row of no events for every bucket between
// the first and the last that has none (at most maxFill buckets in all), and the row of
// events without a time last. nr is the number of rules, the length of each row's causes.
func (b *timeBuckets) fill(rows []row, nr int) []row {
	var timed, untimed []row
	for _, r := range rows {
		if _, ok := rowStart(r); ok {
			timed = append(timed, r)
		} else {
			untimed = append(untimed, r)
		}
	}
	if len(timed) < 2 {
		return append(timed, untimed...)
	}
	first, _ := rowStart(timed[0])
	last, _ := rowStart(timed[len(timed)-1])
	var out []row
	next := 0
	for t := first.In(b.loc); !t.After(last); {
		end := b.next(t)
		if !end.After(t) || len(out) == maxFill {
			return append(timed, untimed...)
		}
		rs, _ := rowStart(timed[next])
		switch {
		case rs.Before(t): // a row between buckets: never met
			return append(timed, untimed...)
		case rs.Equal(t):
			out = append(out, timed[next])
			next++
		default:
			out = append(out, row{key: []string{utcStamp(t.Unix()), utcStamp(end.Unix())}, causes: make([]int64, nr)})
		}
		t = end
	}
	return append(out, untimed...)
}

// title is the by_time table's title: "Failures by day (Europe/Amsterdam)".
func (b *timeBuckets) title() string {
	return "Failures by " + b.size.String() + " (" + b.loc.String() + ")"
}

// label names the bucket that starts at t, in the buckets' zone, as a list shows it.
func (b *timeBuckets) label(t time.Time) string {
	lt := t.In(b.loc)
	switch b.size {
	case bucketHour:
		return lt.Format("2006-01-02 15:04")
	case bucketDay:
		return lt.Format("2006-01-02 Mon")
	case bucketWeek:
		return lt.Format("2006-01-02")
	case bucketMonth:
		return lt.Format("2006-01")
	}
	return lt.Format("2006")
}

// tick names the bucket that starts at t under a chart's axis, and says whether it is
// one of the axis's marks: local midnight and noon, Mondays, quarters, Januaries, decades.
func (b *timeBuckets) tick(t time.Time) (label string, mark bool) {
	lt := t.In(b.loc)
	switch b.size {
	case bucketHour:
		return lt.Format("01-02 15h"), lt.Minute() == 0 && lt.Hour()%12 == 0
	case bucketDay:
		return lt.Format("01-02"), lt.Weekday() == time.Monday
	case bucketWeek:
		return lt.Format("2006-01-02"), lt.Day() <= 7 && lt.Month()%3 == 1
	case bucketMonth:
		return lt.Format("2006-01"), lt.Month() == time.January
	}
	return lt.Format("2006"), lt.Year()%10 == 0
}

// byTime is the view's time breakdown: its rows are the buckets with events, in time
// order (the row of events without a time first), and bucket says their size and zone.
func (v *view) byTime() *tableView {
	for i := range v.tables {
		if v.tables[i].bucket != nil {
			return &v.tables[i]
		}
	}
	panic("report: the view has no by_time table")
}
