package parse

import (
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Window is the span of record times a run keeps, [Since, Until) (--since, --until); a
// zero end is open. Partition pruning skips the folders that cannot hold a record in it.
type Window struct{ Since, Until time.Time }

// IsOpen reports a window without ends: nothing can be pruned.
func (w Window) IsOpen() bool { return w.Since.IsZero() && w.Until.IsZero() }

// Lateness is how long after a record's time the folder that holds it can begin. A
// diagnostic setting files a record under the hour it was written out, which trails the
// sign-in it records (non-interactive sign-ins are aggregated, and Entra's delivery lags
// by minutes to hours), so a record before --until can sit in a folder after it; never in
// a folder before its own time, so the --since side needs no allowance.
const Lateness = 24 * time.Hour

// Prunes reports whether the folder (or blob name prefix) dir names a time partition that
// cannot hold a record in w, from PartitionSpan; a folder that names none is never pruned.
// A folder is pruned when it ends at or before Since, or begins Lateness or more after Until.
func (w Window) Prunes(dir string) bool {
	if w.IsOpen() {
		return false
	}
	start, end, ok := PartitionSpan(dir)
	if !ok {
		return false
	}
	return (!w.Until.IsZero() && !start.Before(w.Until.Add(Lateness))) || (!w.Since.IsZero() && !end.After(w.Since))
}

// PartitionSpan reads the span of time that the folders of p name, in UTC: the layout
// of Entra's diagnostic settings, y=YYYY/m=MM/d=DD/h=HH (the m=00 below h= is the minute,
// and a PT1H blob holds its whole hour), and Hive-style partitions of lakes, year=,
// month=, day=, hour= or date=YYYY-MM-DD. A year, month, day or hour folder spans that
// year, month, day or hour; ok is false when no folder names a year or a date. Folders
// before the first year are not looked at (a tenantId=, a category); the reading stops at
// the first folder that breaks the order (a month without a year, a value that is no
// number), keeping what came before it.
func PartitionSpan(p string) (start, end time.Time, ok bool) {
	const (
		none = iota
		year
		month
		day
		hour
	)
	level := none
	var y, m, d, h int
	for seg := range strings.SplitSeq(filepath.ToSlash(p), "/") {
		key, val, found := strings.Cut(seg, "=")
		if !found {
			if level != none {
				break
			}
			continue
		}
		key = strings.ToLower(key)
		n, err := strconv.Atoi(val)
		if key == "date" {
			t, derr := time.Parse("2006-01-02", val)
			if derr != nil {
				break
			}
			y, m, d, level = t.Year(), int(t.Month()), t.Day(), day
			continue
		}
		if err != nil {
			if level != none {
				break
			}
			continue
		}
		switch {
		case key == "y" || key == "year":
			if n < 1 || n > 9999 {
				return time.Time{}, time.Time{}, false
			}
			y, level = n, year
			continue
		case (key == "m" || key == "month") && level == year && n >= 1 && n <= 12:
			m, level = n, month
			continue
		case (key == "d" || key == "day") && level == month && n >= 1 && n <= 31:
			d, level = n, day
			continue
		case (key == "h" || key == "hour") && level == day && n >= 0 && n <= 23:
			h, level = n, hour
			continue
		case key == "m" && level == hour:
			continue // the minute folder: the blob below it holds the hour
		}
		if level != none {
			break
		}
	}
	switch level {
	case year:
		start = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(1, 0, 0), true
	case month:
		start = time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(0, 1, 0), true
	case day:
		start = time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
		if start.Day() != d {
			return time.Time{}, time.Time{}, false // d=31 in a month of 30: not a partition
		}
		return start, start.AddDate(0, 0, 1), true
	case hour:
		start = time.Date(y, time.Month(m), d, h, 0, 0, 0, time.UTC)
		if start.Day() != d {
			return time.Time{}, time.Time{}, false
		}
		return start, start.Add(time.Hour), true
	}
	return time.Time{}, time.Time{}, false
}
