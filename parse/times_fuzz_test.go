package parse

import (
	"testing"
	"time"
)

// TestParseTimeDotNetDate covers .NET's JSON dates, including the broken ones a user's
// export held: "/Date(" with nothing after it crashed the run.
func TestParseTimeDotNetDate(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"/Date(1764000000000)/", time.UnixMilli(1764000000000).UTC(), true},
		{"/Date(1764000000000+0100)/", time.UnixMilli(1764000000000).UTC(), true},
		{"/Date(-1000)/", time.UnixMilli(-1000).UTC(), true},
		{"/Date(", time.Time{}, false},
		{"/Date()/", time.Time{}, false},
		{"/Date(-", time.Time{}, false},
		{"/Date(+)/", time.Time{}, false},
	} {
		got, ok := ParseTime(tt.in)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzParseTime: ParseTime never panics, returns UTC, and a time it accepts is accepted
// again from its own RFC 3339 rendering (within the year range RFC 3339 can write).
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-11-24T10:00:00Z", "2026-11-24T10:00:00.1234567+00:00", "2026-11-24T10:00:00",
		"11/24/2026 10:00:00 AM", "9/19/2023, 1:45:17.287 PM", "/Date(1764000000000)/", "/Date(1764000000000+0100)/",
		"/Date(", "1764000000", "1764000000000000000", "2026-11-24", "2026-11-24 10:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseTime(s)
		if !ok {
			if !got.IsZero() {
				t.Fatalf("ParseTime(%q) = %v, false: want the zero time", s, got)
			}
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("ParseTime(%q) = %v, not UTC", s, got)
		}
		if y := got.Year(); y >= 0 && y <= 9999 {
			again, ok := ParseTime(got.Format(time.RFC3339Nano))
			if !ok || !again.Equal(got) {
				t.Fatalf("ParseTime(%q) = %v, but its RFC 3339 form reads back as %v, %v", s, got, again, ok)
			}
		}
	})
}
