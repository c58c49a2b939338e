package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/grantsweep/grantsweep/parse"
)

// when is a time as --since and --until give it: ago before now (relative), or at.
type when struct {
	relative bool
	ago      time.Duration
	at       time.Time
}

// whenLayouts are the times the reports for people show (the terminal's
// 2026-11-24 15:38, Markdown's 2026-11-24 15:38:19 CET), which --since takes back.
var whenLayouts = []string{"2006-01-02 15:04", "2006-01-02T15:04"}

// whenZoned are those with a zone abbreviation; it must be UTC or one of loc's.
var whenZoned = []string{"2006-01-02 15:04 MST", "2006-01-02 15:04:05 MST"}

// readWhen reads a time as --since and --until take it (sweep, events, and rules export
// --kql): a duration back from now, a number (1.5 is allowed) of minutes, hours, days or
// weeks (30m, 24h, 7d, 2w), or an absolute time: RFC 3339, a time as the reports show it
// (2026-11-24 15:38, 2026-11-24 15:38:19 CET), a date, or any format parse.ParseTime
// takes; one without a zone is in loc.
func readWhen(s string, loc *time.Location) (when, error) {
	s = strings.TrimSpace(s)
	if n := len(s); n > 1 && strings.ContainsRune("mhdw", rune(s[n-1])) {
		unit := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[n-1]]
		// v*unit within a Duration: beyond it (or for Inf and NaN) it is no duration.
		if v, err := strconv.ParseFloat(s[:n-1], 64); err == nil && v >= 0 && v*float64(unit) < 1<<63 {
			return when{relative: true, ago: time.Duration(v * float64(unit))}, nil
		}
	}
	for _, layout := range whenLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return zoneless(s, t, loc)
		}
	}
	for _, layout := range whenZoned {
		t, err := time.ParseInLocation(layout, s, loc)
		if err != nil {
			continue
		}
		// An abbreviation loc does not use is taken by Go as a zone of offset 0.
		if abbr, _ := t.Zone(); t.Location() != loc && abbr != "UTC" {
			return when{}, fmt.Errorf("%q: %s is not a zone of --tz %s: give --tz, or an offset (2026-11-24T08:00:00+01:00)", s, abbr, loc)
		}
		return when{at: t.UTC()}, nil
	}
	if t, ok := parse.ParseTimeIn(s, loc); ok {
		if u, _ := parse.ParseTimeIn(s, time.UTC); !u.Equal(t) { // no zone in s: read in loc
			return zoneless(s, t, loc)
		}
		return when{at: t}, nil
	}
	return when{}, fmt.Errorf("%q is not a time: give RFC 3339 (2026-11-24T08:00:00Z), a time as the reports show it (2026-11-24 08:00, read in %s), a date, or a duration back from now (24h, 7d)", s, loc)
}

// zoneless is t, s read in loc without a zone, unless loc's clocks show that time twice
// (when they go back): then it is an error that gives both offsets, since either reading
// would leave out records the other keeps.
func zoneless(s string, t time.Time, loc *time.Location) (when, error) {
	wall := func(u time.Time) string { return u.In(loc).Format("2006-01-02 15:04:05.999999999") }
	for d := -3 * time.Hour; d <= 3*time.Hour; d += 15 * time.Minute {
		if u := t.Add(d); d != 0 && wall(u) == wall(t) {
			a, b := t, u
			if b.Before(a) {
				a, b = b, a
			}
			return when{}, fmt.Errorf("%q happens twice in %s, when its clocks go back: give the offset, %s or %s", s, loc,
				a.In(loc).Format(time.RFC3339), b.In(loc).Format(time.RFC3339))
		}
	}
	return when{at: t.UTC()}, nil
}
