package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, on machines without a zone database

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/report/spill"
	"github.com/grantsweep/grantsweep/rules"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestChooseBucket: the bucket is the smallest whose 120 hold the span, at each boundary.
func TestChooseBucket(t *testing.T) {
	at := time.Date(2026, 1, 12, 8, 30, 0, 0, time.UTC)
	const h, d, w = time.Hour, 24 * time.Hour, 7 * 24 * time.Hour
	for _, c := range []struct {
		name string
		last time.Time
		want bucketSize
	}{
		{"one event", at, bucketHour},
		{"119h", at.Add(119 * h), bucketHour},
		{"120h", at.Add(120 * h), bucketHour},
		{"120h1s", at.Add(120*h + time.Second), bucketDay},
		{"121h", at.Add(121 * h), bucketDay},
		{"119d", at.Add(119 * d), bucketDay},
		{"120d", at.Add(120 * d), bucketDay},
		{"121d", at.Add(121 * d), bucketWeek},
		{"119w", at.Add(119 * w), bucketWeek},
		{"120w", at.Add(120 * w), bucketWeek},
		{"121w", at.Add(121 * w), bucketMonth},
		{"120 months", at.AddDate(0, 120, 0), bucketMonth},
		{"120 months 1s", at.AddDate(0, 120, 0).Add(time.Second), bucketYear},
		{"since 1970", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), bucketYear},
	} {
		first := at
		if c.name == "since 1970" {
			first = time.Unix(0, 0).UTC()
		}
		if got := chooseBucket(first, c.last); got != c.want {
			t.Errorf("%s: chooseBucket(%s, %s) = %s, want %s", c.name, first, c.last, got, c.want)
		}
	}
	// The span is a duration, whatever the zone: from Amsterdam's 2026-03-01 00:00 to its
	// 2026-06-29 00:30 is 120 days and half an hour on its clocks, but summer time took an
	// hour: 120 days less half an hour, days. 120 hours on the clocks over the change to
	// winter time are 121: days; 121 over the change to summer time are 120: hours.
	ams := zone(t, "Europe/Amsterdam")
	for _, c := range []struct {
		first, last time.Time
		want        bucketSize
	}{
		{time.Date(2026, 3, 1, 0, 0, 0, 0, ams), time.Date(2026, 6, 29, 0, 30, 0, 0, ams), bucketDay},
		{time.Date(2026, 3, 1, 0, 0, 0, 0, ams), time.Date(2026, 6, 29, 1, 30, 0, 0, ams), bucketWeek},
		{time.Date(2026, 10, 21, 12, 0, 0, 0, ams), time.Date(2026, 10, 26, 12, 0, 0, 0, ams), bucketDay},
		{time.Date(2026, 3, 25, 12, 0, 0, 0, ams), time.Date(2026, 3, 30, 13, 0, 0, 0, ams), bucketHour},
	} {
		if got := chooseBucket(c.first.UTC(), c.last.UTC()); got != c.want {
			t.Errorf("chooseBucket(%s, %s) = %s, want %s", c.first, c.last, got, c.want)
		}
	}
	// No time is an hour.
	if got := newTimeBuckets(time.Time{}, time.Time{}, nil); got.size != bucketHour || got.loc != time.UTC {
		t.Errorf("no times: %s in %s, want hours in UTC", got.size, got.loc)
	}
}

// TestBucketBounds: where buckets start and end, in the zone, across clock changes.
func TestBucketBounds(t *testing.T) {
	for _, c := range []struct {
		name, zone string
		size       bucketSize
		at         string // an event's time
		start, end string // its bucket, UTC
	}{
		{"an hour", "UTC", bucketHour, "2026-03-29T01:59:59.9Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"},
		{"a day in UTC", "UTC", bucketDay, "2026-01-12T23:59:59Z", "2026-01-12T00:00:00Z", "2026-01-13T00:00:00Z"},
		{"Amsterdam's midnight", "Europe/Amsterdam", bucketDay, "2026-01-12T22:59:59Z", "2026-01-11T23:00:00Z", "2026-01-12T23:00:00Z"},
		{"after Amsterdam's midnight", "Europe/Amsterdam", bucketDay, "2026-01-12T23:00:00Z", "2026-01-12T23:00:00Z", "2026-01-13T23:00:00Z"},
		{"Amsterdam's day of 23 hours", "Europe/Amsterdam", bucketDay, "2026-03-29T12:00:00Z", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"},
		{"Amsterdam's day of 25 hours", "Europe/Amsterdam", bucketDay, "2026-10-25T12:00:00Z", "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z"},
		{"02:30 summer time, the first time", "Europe/Amsterdam", bucketHour, "2026-10-25T00:30:00Z", "2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z"},
		{"02:30 winter time, the second", "Europe/Amsterdam", bucketHour, "2026-10-25T01:30:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z"},
		{"a week from Monday", "UTC", bucketWeek, "2026-01-11T23:59:59Z", "2026-01-05T00:00:00Z", "2026-01-12T00:00:00Z"},
		{"Monday", "UTC", bucketWeek, "2026-01-12T00:00:00Z", "2026-01-12T00:00:00Z", "2026-01-19T00:00:00Z"},
		{"ISO week 1 of 2026 starts in 2025", "UTC", bucketWeek, "2026-01-01T12:00:00Z", "2025-12-29T00:00:00Z", "2026-01-05T00:00:00Z"},
		{"Amsterdam's week of 167 hours", "Europe/Amsterdam", bucketWeek, "2026-03-29T12:00:00Z", "2026-03-22T23:00:00Z", "2026-03-29T22:00:00Z"},
		{"Amsterdam's Sunday night is its week's", "Europe/Amsterdam", bucketWeek, "2026-01-11T22:30:00Z", "2026-01-04T23:00:00Z", "2026-01-11T23:00:00Z"},
		{"Amsterdam's Monday, Sunday in UTC", "Europe/Amsterdam", bucketWeek, "2026-01-11T23:30:00Z", "2026-01-11T23:00:00Z", "2026-01-18T23:00:00Z"},
		{"Kolkata's hour starts at half past", "Asia/Kolkata", bucketHour, "2026-01-12T08:10:00Z", "2026-01-12T07:30:00Z", "2026-01-12T08:30:00Z"},
		{"Kathmandu's at a quarter to", "Asia/Kathmandu", bucketHour, "2026-01-12T08:10:00Z", "2026-01-12T07:15:00Z", "2026-01-12T08:15:00Z"},
		{"Kolkata's day", "Asia/Kolkata", bucketDay, "2026-01-12T20:00:00Z", "2026-01-12T18:30:00Z", "2026-01-13T18:30:00Z"},
		{"Lord Howe moves half an hour: its last hour of summer", "Australia/Lord_Howe", bucketHour, "2026-04-04T14:50:00Z", "2026-04-04T14:00:00Z", "2026-04-04T15:00:00Z"},
		{"and the half hour after", "Australia/Lord_Howe", bucketHour, "2026-04-04T15:10:00Z", "2026-04-04T15:00:00Z", "2026-04-04T15:30:00Z"},
		{"and the next hour", "Australia/Lord_Howe", bucketHour, "2026-04-04T15:30:00Z", "2026-04-04T15:30:00Z", "2026-04-04T16:30:00Z"},
		{"São Paulo skipped midnight: the day starts at 01:00", "America/Sao_Paulo", bucketDay, "2018-11-04T12:00:00Z", "2018-11-04T03:00:00Z", "2018-11-05T02:00:00Z"},
		{"the day before it", "America/Sao_Paulo", bucketDay, "2018-11-04T02:59:59Z", "2018-11-03T03:00:00Z", "2018-11-04T03:00:00Z"},
		{"Havana skips midnight too", "America/Havana", bucketDay, "2024-03-10T12:00:00Z", "2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z"},
		{"Samoa skipped 2011-12-30", "Pacific/Apia", bucketDay, "2011-12-30T09:59:59Z", "2011-12-29T10:00:00Z", "2011-12-30T10:00:00Z"},
		{"its next day is the 31st", "Pacific/Apia", bucketDay, "2011-12-30T10:00:00Z", "2011-12-30T10:00:00Z", "2011-12-31T10:00:00Z"},
		{"Amsterdam's April", "Europe/Amsterdam", bucketMonth, "2026-03-31T22:30:00Z", "2026-03-31T22:00:00Z", "2026-04-30T22:00:00Z"},
		{"its March", "Europe/Amsterdam", bucketMonth, "2026-03-31T21:59:59Z", "2026-02-28T23:00:00Z", "2026-03-31T22:00:00Z"},
		{"Amsterdam's 2026", "Europe/Amsterdam", bucketYear, "2026-06-01T00:00:00Z", "2025-12-31T23:00:00Z", "2026-12-31T23:00:00Z"},
	} {
		b := &timeBuckets{size: c.size, loc: zone(t, c.zone)}
		at, _ := time.Parse(time.RFC3339, c.at)
		s := b.start(at)
		if got := s.UTC().Format(time.RFC3339); got != c.start {
			t.Errorf("%s: the %s of %s in %s starts %s, want %s", c.name, c.size, c.at, c.zone, got, c.start)
			continue
		}
		if got := b.next(s).UTC().Format(time.RFC3339); got != c.end {
			t.Errorf("%s: the %s of %s in %s ends %s, want %s", c.name, c.size, c.at, c.zone, got, c.end)
		}
		if key := b.key(&kept{Time: at}); key[0] != c.start || key[1] != c.end {
			t.Errorf("%s: key %q, want %s and %s", c.name, key, c.start, c.end)
		}
	}
}

// TestBucketsTile: in every zone and size, the bucket of any time holds it, starts where
// the one before ends, and starts where the zone's clock says it does.
func TestBucketsTile(t *testing.T) {
	zones := []string{"UTC", "Europe/Amsterdam", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns",
		"Australia/Lord_Howe", "Pacific/Chatham", "America/Sao_Paulo", "America/Havana", "Pacific/Apia", "Asia/Tehran", "Africa/Casablanca"}
	seed := uint64(1)
	for _, name := range zones {
		loc := zone(t, name)
		for size := bucketHour; size <= bucketYear; size++ {
			b := &timeBuckets{size: size, loc: loc}
			for range 400 {
				seed = seed*6364136223846793005 + 1442695040888963407
				at := time.Date(2008, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(seed>>24%(25*365*86400)) * time.Second)
				s := b.start(at)
				e := b.next(s)
				switch {
				case s.After(at) || !e.After(at):
					t.Fatalf("%s %s: %s is not in its bucket [%s, %s)", name, size, at, s, e)
				case !b.start(s).Equal(s) || !b.start(e.Add(-time.Second)).Equal(s) || !b.start(e).Equal(e):
					t.Fatalf("%s %s: the bucket [%s, %s) of %s does not tile: %s, %s, %s", name, size, s, e, at, b.start(s), b.start(e.Add(-time.Second)), b.start(e))
				}
				ls, before := s.In(loc), s.Add(-time.Second).In(loc)
				newDay := ls.YearDay() != before.YearDay()
				var ok bool
				switch size {
				case bucketHour:
					_, o1 := ls.Zone()
					_, o2 := before.Zone()
					ok = ls.Minute() == 0 && ls.Second() == 0 || o1 != o2
				case bucketDay:
					ok = newDay
				case bucketWeek:
					ok = newDay && ls.Weekday() == time.Monday
				case bucketMonth:
					ok = newDay && ls.Day() == 1
				case bucketYear:
					ok = newDay && ls.YearDay() == 1
				}
				if !ok {
					t.Fatalf("%s %s: the bucket of %s starts at %s, not where the %s starts", name, size, at, ls, size)
				}
				if lo, hi := b.of(at.Unix()); lo != s.Unix() || hi != e.Unix() {
					t.Fatalf("%s %s: of(%s) = [%d, %d), want [%d, %d)", name, size, at, lo, hi, s.Unix(), e.Unix())
				}
			}
		}
	}
}

// monthsEvents are 3,000 events from 2026-01-12 to 2026-05-10, most in scope, some
// without a time, some ids repeated; every stretches the span: a day of them over every
// days (7: 119 weeks, 20: six and a half years, 40: thirteen).
func monthsEvents(every int) []parse.Event {
	codes := []int{70000, 50173, 700082, 50133, 7000018, 70043, 0}
	start := time.Date(2026, 1, 12, 0, 0, 0, 0, time.UTC)
	seed := uint64(7)
	rnd := func(n int) int {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int(seed>>33) % n
	}
	var evs []parse.Event
	for i := range 3000 {
		day := rnd(119)
		if rnd(8) == 0 {
			day = 63 + rnd(5) // a wave
		}
		ev := parse.Event{ID: fmt.Sprintf("e%d", rnd(2900)), ErrorCode: codes[rnd(len(codes))], User: fmt.Sprintf("u%d@x", rnd(40)), App: fmt.Sprint("app", rnd(5)),
			IP: fmt.Sprintf("192.0.2.%d", rnd(30)), Time: start.Add(time.Duration(day*every)*24*time.Hour + time.Duration(rnd(86400))*time.Second),
			Pos: parse.Position{Offset: int64(i) * 300, Line: i + 1}}
		if rnd(100) == 0 {
			ev.Time = time.Time{}
		}
		evs = append(evs, ev)
	}
	return evs
}

// timeRow is a row of tables.by_time as the JSON summary has it.
type timeRow struct {
	Start, End, Bucket, Zone string
	Events                   int64
	Users                    int
	Causes                   map[string]int64
	Families                 map[string]int64
}

// TestByTimeJSON: tables.by_time has the bucket the span picks, in the zone asked; its rows
// are the local days (weeks, months), count every event once, and carry each cause's and
// family's events; by_hour is what it was, whatever the zone.
func TestByTimeJSON(t *testing.T) {
	ams := zone(t, "Europe/Amsterdam")
	for _, c := range []struct {
		every  int
		bucket string
	}{{1, "day"}, {7, "week"}, {20, "month"}, {40, "year"}} {
		s := New(rules.Default())
		add(s, monthsEvents(c.every)...)
		s.Inputs = append(s.Inputs, Input{Path: "x", Records: 3000})
		var byHour []byte
		for _, loc := range []*time.Location{time.UTC, ams} {
			var b bytes.Buffer
			if err := s.Write(&b, FormatJSON, Options{TZ: loc, GeneratedBy: "test", NoPartial: true}); err != nil {
				t.Fatal(err)
			}
			var sum struct {
				Totals struct {
					InScope int64 `json:"in_scope"`
				}
				Tables struct {
					ByHour json.RawMessage `json:"by_hour"`
					ByTime []timeRow       `json:"by_time"`
				}
			}
			if err := json.Unmarshal(b.Bytes(), &sum); err != nil {
				t.Fatal(err)
			}
			if byHour == nil {
				byHour = sum.Tables.ByHour
			} else if !bytes.Equal(byHour, sum.Tables.ByHour) {
				t.Errorf("every %d: by_hour in %s is not by_hour in UTC", c.every, loc)
			}
			var events int64
			prev := ""
			for i, r := range sum.Tables.ByTime {
				if r.Bucket != c.bucket || r.Zone != loc.String() {
					t.Errorf("every %d, %s: row %d: bucket %q in %q, want %q in %q", c.every, loc, i, r.Bucket, r.Zone, c.bucket, loc)
				}
				events += r.Events
				var causes, families int64
				for _, n := range r.Causes {
					causes += n
				}
				for _, n := range r.Families {
					families += n
				}
				if causes != r.Events || families != r.Events || r.Users < 1 || int64(r.Users) > r.Events {
					t.Errorf("every %d, %s: row %d: %d events, %d by cause, %d by family, %d users", c.every, loc, i, r.Events, causes, families, r.Users)
				}
				if r.Start == "" {
					if i != 0 || r.End != "" {
						t.Errorf("every %d, %s: the events without a time are row %d, ending %q", c.every, loc, i, r.End)
					}
					continue
				}
				start, err1 := time.Parse(time.RFC3339, r.Start)
				end, err2 := time.Parse(time.RFC3339, r.End)
				ls, le := start.In(loc), end.In(loc)
				want := ls.AddDate(0, 0, 1)
				switch c.bucket {
				case "week":
					want = ls.AddDate(0, 0, 7)
				case "month":
					want = ls.AddDate(0, 1, 0)
				case "year":
					want = ls.AddDate(1, 0, 0)
				}
				if err1 != nil || err2 != nil || r.Start <= prev || ls.Hour() != 0 || ls.Minute() != 0 || !le.Equal(want) ||
					c.bucket == "week" && ls.Weekday() != time.Monday || c.bucket == "month" && ls.Day() != 1 || c.bucket == "year" && ls.YearDay() != 1 {
					t.Errorf("every %d, %s: row %d is [%s, %s): not a %s from local midnight, after %s", c.every, loc, i, r.Start, r.End, c.bucket, prev)
				}
				prev = r.Start
			}
			if events != sum.Totals.InScope || events < 1500 {
				t.Errorf("every %d, %s: by_time counts %d events, in scope %d", c.every, loc, events, sum.Totals.InScope)
			}
		}
	}
}

// TestSpillByTime: the time breakdown spilled is the one in memory, in every format, in
// every bucket and in zones of whole and half hours (TestSpillByteIdentical's inputs span
// one day).
func TestSpillByTime(t *testing.T) {
	for _, c := range []struct {
		every int
		zones []string
		top   int
	}{
		{1, []string{"UTC", "Europe/Amsterdam", "Asia/Kolkata"}, 0},
		{1, []string{"Europe/Amsterdam"}, 3},
		{7, []string{"Europe/Amsterdam"}, 0},
		{20, []string{"Asia/Kolkata"}, 3},
		{40, []string{"Europe/Amsterdam"}, 0},
	} {
		evs := monthsEvents(c.every)
		build := func(budget *spill.Budget) *Summary {
			var sum *Summary
			for k := range 3 {
				s := New(rules.Default())
				s.SetBudget(budget)
				add(s, evs[k*1000:(k+1)*1000]...)
				s.Inputs = append(s.Inputs, Input{Path: fmt.Sprint("in-", k), Records: 1000})
				if sum == nil {
					sum = s
				} else {
					sum.Merge(s)
				}
			}
			return sum
		}
		budget := spill.NewBudget(16<<10, t.TempDir())
		mem, ext := build(nil), build(budget)
		if !ext.Spilled() {
			t.Fatal("nothing spilled within 16 KiB")
		}
		for _, name := range c.zones {
			opts := Options{Top: c.top, GeneratedBy: "test", TZ: zone(t, name)}
			want, got := renderAll(t, mem, opts), renderAll(t, ext, opts)
			for f := range want {
				if !bytes.Equal(got[f], want[f]) {
					t.Fatalf("every %d, %s, top %d: %s differs when spilled:\n%s", c.every, name, c.top, f, firstLineDiff(got[f], want[f]))
				}
			}
			if !bytes.Contains(want["json"], []byte(`"zone": "`+name+`"`)) {
				t.Fatalf("every %d: the JSON summary's by_time is not in %s", c.every, name)
			}
		}
		ext.Close()
		budget.Close()
	}
}
