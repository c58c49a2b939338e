package parse

import (
	"strconv"
	"strings"
	"time"
)

// timeLayouts are the time formats seen in sign-in exports, tried in order after RFC 3339.
// A time without a zone is UTC, as every export writes UTC unless it says otherwise
// (ParseTimeIn reads it in another zone).
var timeLayouts = []string{
	"2006-01-02T15:04:05",        // no zone (any fraction is accepted when parsing)
	"2006-01-02 15:04:05Z07:00",  // Kusto CSV
	"2006-01-02 15:04:05",        // Kusto CSV without zone
	"1/2/2006 3:04:05 PM -07:00", // US 12-hour with offset
	"1/2/2006 3:04:05 PM",        // US 12-hour (Azure Monitor off-spec records, portal)
	"1/2/2006, 3:04:05 PM",       // Log Analytics CSV: 9/19/2023, 1:45:17.287 PM
	"1/2/2006 15:04:05",          // US 24-hour
	"1/2/2006, 15:04:05",
	"1/2/2006",
	"2006-01-02",
}

// ParseTime parses a time in any format sign-in exports use, including Unix epoch numbers
// in seconds, milliseconds, microseconds or nanoseconds. It returns UTC, and false when
// the text is not a time.
func ParseTime(s string) (time.Time, bool) { return ParseTimeIn(s, time.UTC) }

// ParseTimeIn is ParseTime with a time that has no zone read in loc (a command line's
// --since in the --tz the reports show). It returns UTC.
func ParseTimeIn(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return EpochTime(n), true
	}
	if ms, ok := strings.CutPrefix(s, "/Date("); ok {
		// .NET's JSON date, as Windows PowerShell's ConvertTo-Json writes it:
		// /Date(1764000000000)/ or /Date(1764000000000+0100)/; the number is UTC.
		// The sign of the number itself is not an offset: the search starts after it.
		ms, _, _ = strings.Cut(ms, ")")
		if len(ms) > 1 {
			if i := strings.IndexAny(ms[1:], "+-"); i >= 0 {
				ms = ms[:i+1]
			}
		}
		if n, err := strconv.ParseInt(ms, 10, 64); err == nil {
			return time.UnixMilli(n).UTC(), true
		}
	}
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// EpochTime reads a Unix time whose unit is guessed from its size: nanoseconds, microseconds,
// milliseconds or seconds (any date after 1973 is unambiguous).
func EpochTime(n int64) time.Time {
	abs := n
	if abs < 0 {
		abs = -abs
	}
	switch {
	case abs >= 1e17:
		return time.Unix(0, n).UTC()
	case abs >= 1e14:
		return time.UnixMicro(n).UTC()
	case abs >= 1e11:
		return time.UnixMilli(n).UTC()
	}
	return time.Unix(n, 0).UTC()
}

// firstTime returns the first of the candidates that parses as a time.
func firstTime(candidates ...string) time.Time {
	for _, c := range candidates {
		if t, ok := ParseTime(c); ok {
			return t
		}
	}
	return time.Time{}
}
