package parse

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPartitionSpan(t *testing.T) {
	d := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		path       string
		start, end string // "" for none
	}{
		{"insights-logs-signinlogs/tenantId=x/y=2026/m=11/d=24/h=09/m=00/PT1H.json", "2026-11-24T09:00:00Z", "2026-11-24T10:00:00Z"},
		{"resourceId=/tenants/x/providers/Microsoft.aadiam/y=2026", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"a/y=2026/m=02", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"},
		{"a/y=2026/m=12/d=31", "2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"lake/signins/year=2026/month=3/day=7/hour=23/part-0.parquet", "2026-03-07T23:00:00Z", "2026-03-08T00:00:00Z"},
		{"lake/signins/date=2026-03-07/part-0.parquet", "2026-03-07T00:00:00Z", "2026-03-08T00:00:00Z"},
		{"lake/signins/Year=2026/Month=03", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"},
		{"a/y=2026/d=03", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"}, // a day without a month: the year's
		{"a/y=2026/m=13", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"}, // no month 13
		{"a/y=2026/m=02/d=30", "", ""}, // no 30 February: not a partition
		{"a/m=11/d=24", "", ""},        // no year
		{"a/b/c.json", "", ""},
		{"a/y=x/m=11", "", ""},
		{"a/date=yesterday", "", ""},
	}
	for _, tt := range tests {
		start, end, ok := PartitionSpan(tt.path)
		if tt.start == "" {
			if ok {
				t.Errorf("%s: span %v to %v, want none", tt.path, start, end)
			}
			continue
		}
		if !ok || !start.Equal(d(tt.start)) || !end.Equal(d(tt.end)) {
			t.Errorf("%s: span %v to %v (%v), want %s to %s", tt.path, start, end, ok, tt.start, tt.end)
		}
	}
}

func TestWindowPrunes(t *testing.T) {
	since := time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)
	until := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	w := Window{Since: since, Until: until}
	tests := []struct {
		dir    string
		pruned bool
	}{
		{"y=2025", true},
		{"y=2026", false},
		{"y=2027", true},
		{"y=2026/m=10", true},
		{"y=2026/m=11", false},
		{"y=2026/m=12", true},
		{"y=2026/m=11/d=23", true},
		{"y=2026/m=11/d=24", false},
		{"y=2026/m=11/d=25", false},      // may hold records of the 24th written out late
		{"y=2026/m=11/d=25/h=23", false}, // the last hour within Lateness of until
		{"y=2026/m=11/d=26", true},       // begins Lateness after until
		{"y=2026/m=11/d=24/h=08", true},
		{"y=2026/m=11/d=24/h=09", false}, // holds 09:30 to 10:00
		{"y=2026/m=11/d=24/h=23", false},
		{"logs/other", false},
	}
	for _, tt := range tests {
		if got := w.Prunes(tt.dir); got != tt.pruned {
			t.Errorf("Prunes(%s) = %v, want %v", tt.dir, got, tt.pruned)
		}
	}
	if (Window{}).Prunes("y=2025") {
		t.Error("an open window pruned")
	}
	if !(Window{Since: since}).Prunes("y=2026/m=11/d=23") || (Window{Since: since}).Prunes("y=2027") {
		t.Error("a window with --since only")
	}
	if !(Window{Until: until}).Prunes("y=2026/m=11/d=26") || (Window{Until: until}).Prunes("y=2025") {
		t.Error("a window with --until only")
	}
}

// yearOfHours writes a year of PT1H.json files in the diagnostic-settings layout (of every
// day its noon, and every hour of the last day), and returns the folder and the number of
// files.
func yearOfHours(t *testing.T) (string, int) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "insights-logs-signinlogs", "tenantId=x")
	n := 0
	for h := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC); h.Before(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)); h = h.Add(time.Hour) {
		if h.Hour() != 12 && h.Before(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)) {
			continue
		}
		dir := filepath.Join(root, fmt.Sprintf("y=%d", h.Year()), fmt.Sprintf("m=%02d", h.Month()), fmt.Sprintf("d=%02d", h.Day()), fmt.Sprintf("h=%02d", h.Hour()), "m=00")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "PT1H.json"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		n++
	}
	return root, n
}

func TestExpandPrunesPartitions(t *testing.T) {
	root, total := yearOfHours(t)
	w := Window{Since: time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)} // the last 23 hours
	for _, arg := range []string{root, filepath.Join(root, "**", "PT1H.json"), filepath.Join(root, "y=*", "m=*", "d=*", "h=*", "m=00", "*.json")} {
		all := ExpandAll([]string{arg}, ExpandOptions{})
		if len(all.Paths) != total || len(all.Pruned) != 0 {
			t.Fatalf("%s without a window: %d paths, %d pruned; want %d, 0", arg, len(all.Paths), len(all.Pruned), total)
		}
		x := ExpandAll([]string{arg}, ExpandOptions{Window: w})
		if len(x.Errs) > 0 {
			t.Fatalf("%s: %v", arg, x.Errs)
		}
		if len(x.Paths) != 23 {
			t.Errorf("%s: %d paths, want the 23 hours of the window", arg, len(x.Paths))
		}
		for _, p := range x.Paths {
			if !strings.Contains(p, filepath.Join("y=2026", "m=11", "d=30")) || strings.Contains(p, "h=00") {
				t.Errorf("%s: %s is outside the window", arg, p)
			}
		}
		// Pruned at the highest level: the year 2025, ten months, 29 days and an hour.
		if len(x.Pruned) != 1 || x.Pruned[0].Arg != arg {
			t.Fatalf("%s: pruned %v", arg, x.Pruned)
		}
		f := x.Pruned[0].Folders
		if len(f) != 1+10+29+1 || !slices.IsSorted(f) || !strings.HasSuffix(f[0], "y=2025") {
			t.Errorf("%s: pruned %d folders (%v...), want 41 from y=2025", arg, len(f), f[:min(3, len(f))])
		}
	}
}
