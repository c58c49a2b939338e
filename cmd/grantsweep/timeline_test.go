package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fourMonths writes a JSON Lines export (Graph shape) of sign-ins from 2026-01-12 to
// 2026-05-10, 119 days across Europe's change to summer time, into dir and returns its
// path: about 3,000 invalid-grant failures of seven causes among successes, more on
// weekdays, a revocation wave in the week of 2026-03-16 and a rise of binding failures in
// April. The same bytes every time (a fixed linear congruential generator).
func fourMonths(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "four-months.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	seed := uint64(12)
	rnd := func(n int) int {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int(seed>>33) % n
	}
	failures := []struct {
		code   int
		reason string
	}{
		{70000, "Provided grant is invalid or malformed."},
		{50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed."},
		{700082, "The refresh token has expired due to inactivity."},
		{50133, "Session is invalid due to expiration or recent password change."},
		{7000018, "Token binding header is empty."},
		{70043, "The refresh token has expired or is invalid due to sign-in frequency checks by conditional access."},
		{530084, "Access has been blocked by token protection sign-in session policy."},
	}
	apps := []string{"Microsoft Teams", "Outlook Mobile", "Microsoft Azure CLI", "OneDrive SyncEngine", "Contoso Expenses (SPA)"}
	start := time.Date(2026, 1, 12, 0, 0, 0, 0, time.UTC)
	n := 0
	for day := range 119 {
		at := start.AddDate(0, 0, day)
		events := 24 + rnd(12)
		if wd := at.Weekday(); wd == time.Saturday || wd == time.Sunday {
			events = 6 + rnd(6)
		}
		wave := day >= 63 && day < 68 // 2026-03-16 to 03-20: a tenant-wide revocation
		if wave {
			events += 80 - 15*(day-63)
		}
		for range events + 8 { // and some successes
			n++
			code, reason := 0, ""
			if k := rnd(events + 8); k < events {
				fc := failures[rnd(4)]
				switch {
				case wave && rnd(3) > 0:
					fc = failures[1]
				case at.Month() == time.April && rnd(3) == 0:
					fc = failures[4+rnd(3)]
				case rnd(10) == 0:
					fc = failures[4+rnd(3)]
				}
				code, reason = fc.code, fc.reason
			}
			when := at.Add(time.Duration(rnd(86400)) * time.Second)
			user := rnd(40)
			fmt.Fprintf(w, `{"id":"6f1c0000-0000-4000-8000-%012d","createdDateTime":"%s","userPrincipalName":"user%02d@contoso.com","userId":"u%02d",`+
				`"appDisplayName":"%s","appId":"app-%d","ipAddress":"198.51.100.%d","clientAppUsed":"Mobile Apps and Desktop clients",`+
				`"status":{"errorCode":%d,"failureReason":"%s"}}`+"\n",
				n, when.Format(time.RFC3339), user, user, apps[user%len(apps)], user%len(apps), user%23, code, reason)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// timeSection returns the lines of the terminal report's time section: from its title
// ("Failures by day (UTC)") to the blank line before the next section's.
func timeSection(report string) []string {
	_, after, ok := strings.Cut(report, "\nFailures by ")
	sec, _, ok2 := strings.Cut(after, "\n\nFailures by error code")
	if !ok || !ok2 {
		return nil
	}
	return strings.Split("Failures by "+sec, "\n")
}

// TestFourMonthsGolden: the terminal report of four months shows the time in a section
// that fits a screen: a column a day (the bucket the span picks: 119 days), in two lines
// of the chart, and the --top busiest days; in UTC and in Amsterdam's days.
func TestFourMonthsGolden(t *testing.T) {
	in := fourMonths(t, t.TempDir())
	for _, c := range []struct {
		golden string
		tz     string
		days   int
	}{
		{"sweep-four-months.txt", "UTC", 119},
		{"sweep-four-months-amsterdam.txt", "Europe/Amsterdam", 120}, // the last event is after midnight there
	} {
		t.Run(c.tz, func(t *testing.T) {
			out := mustRun(t, "sweep", "--tz", c.tz, in)
			checkGolden(t, c.golden, out)
			// The title, the chart's two lines (a blank, 4 of columns, the axis, its
			// marks), a blank, the busiest days' title, header and rows.
			for _, top := range []int{10, 3} {
				if top != 10 {
					out = mustRun(t, "sweep", "--tz", c.tz, "--top", fmt.Sprint(top), in)
				}
				sec := timeSection(out)
				if want := 2 + 2*7 + 3 + top; len(sec) != want || sec[0] != "Failures by day ("+c.tz+")" {
					t.Errorf("--top %d: the time section has %d lines, want %d:\n%s", top, len(sec), want, strings.Join(sec, "\n"))
				}
				if !strings.Contains(strings.Join(sec, "\n"), fmt.Sprintf("Busiest days (%d of %d)", top, c.days)) {
					t.Errorf("--top %d: not the busiest %d of %d days:\n%s", top, top, c.days, strings.Join(sec, "\n"))
				}
				for _, l := range sec {
					if n := len([]rune(l)); n > 100 {
						t.Errorf("a line of %d columns, more than 100: %s", n, l)
					}
				}
			}
			// --top 0: a bar for every day.
			sec := timeSection(mustRun(t, "sweep", "--tz", c.tz, "--top", "0", in))
			if len(sec) != 1+c.days {
				t.Errorf("--top 0: the time section has %d lines, want a title and %d days", len(sec), c.days)
			}
		})
	}
}

// TestByTimeSchema: for spans from an hour to decades, tables.by_time has the bucket the
// span picks, validates against the schema, counts every event in scope once, and its
// rows start at the zone's midnight (day and longer); by_hour stays a row per UTC hour.
func TestByTimeSchema(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 3, 27, 21, 30, 0, 0, time.UTC) // a Friday night, before Amsterdam's summer time
	for _, c := range []struct {
		span   time.Duration
		bucket string
	}{
		{119 * time.Hour, "hour"}, {121 * time.Hour, "day"}, {119 * 24 * time.Hour, "day"}, {121 * 24 * time.Hour, "week"},
		{119 * 7 * 24 * time.Hour, "week"}, {121 * 7 * 24 * time.Hour, "month"}, {40 * 365 * 24 * time.Hour, "year"},
	} {
		path := filepath.Join(dir, c.bucket+fmt.Sprint(c.span)+".jsonl")
		var b strings.Builder
		for i, d := range []time.Duration{0, c.span / 3, c.span / 2, c.span} {
			fmt.Fprintf(&b, `{"id":"e%d","createdDateTime":"%s","userPrincipalName":"u%d@contoso.com","status":{"errorCode":%d}}`+"\n",
				i, at.Add(d).Format(time.RFC3339), i%2, []int{50173, 70000, 7000018, 50173}[i])
		}
		os.WriteFile(path, []byte(b.String()), 0o644)
		for _, tz := range []string{"UTC", "Europe/Amsterdam"} {
			out := mustRun(t, "sweep", "--format", "json", "--tz", tz, path)
			validate(t, out)
			var s struct {
				Tables struct {
					ByHour []struct{ Hour string }
					ByTime []struct {
						Start, End, Bucket, Zone string
						Events                   int
					} `json:"by_time"`
				}
			}
			if err := json.Unmarshal([]byte(out), &s); err != nil {
				t.Fatal(err)
			}
			events := 0
			loc, _ := time.LoadLocation(tz)
			for _, r := range s.Tables.ByTime {
				if r.Bucket != c.bucket || r.Zone != tz {
					t.Errorf("span %s, --tz %s: bucket %q in %q, want %q", c.span, tz, r.Bucket, r.Zone, c.bucket)
				}
				events += r.Events
				start, _ := time.Parse(time.RFC3339, r.Start)
				if lt := start.In(loc); c.bucket != "hour" && (lt.Hour() != 0 || lt.Minute() != 0) {
					t.Errorf("span %s, --tz %s: a %s starts at %s", c.span, tz, c.bucket, lt)
				}
			}
			if events != 4 {
				t.Errorf("span %s, --tz %s: by_time counts %d events, want 4", c.span, tz, events)
			}
			for i, h := range s.Tables.ByHour {
				if want := at.Add([]time.Duration{0, c.span / 3, c.span / 2, c.span}[i]).Truncate(time.Hour).Format(time.RFC3339); h.Hour != want || len(s.Tables.ByHour) != 4 {
					t.Errorf("span %s, --tz %s: by_hour %+v, want a row per UTC hour of an event", c.span, tz, s.Tables.ByHour)
				}
			}
		}
	}
}

// TestMergeByTime: shards that each span less than the whole, and so have their own
// buckets (a day of hours, a month of days), merge into the summary of all of them:
// by_time in the whole's buckets, in the zone merge is given.
func TestMergeByTime(t *testing.T) {
	dir := t.TempDir()
	whole, err := os.ReadFile(fourMonths(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	// Shards: January; 2026-02-02 alone; the rest of February and March; April and May.
	shard := func(line string) int {
		at := line[strings.Index(line, `"createdDateTime":"`)+19:][:10]
		switch {
		case at < "2026-02":
			return 0
		case at == "2026-02-02":
			return 1
		case at < "2026-04":
			return 2
		}
		return 3
	}
	var parts [4]strings.Builder
	for _, line := range strings.SplitAfter(string(whole), "\n") {
		if line != "" {
			parts[shard(line)].WriteString(line)
		}
	}
	var shards, summaries []string
	for i := range parts {
		p := filepath.Join(dir, fmt.Sprintf("shard-%d.jsonl", i))
		os.WriteFile(p, []byte(parts[i].String()), 0o644)
		shards = append(shards, p)
		s := filepath.Join(dir, fmt.Sprintf("shard-%d.json", i))
		mustRun(t, "sweep", "--format", "json", "--tz", "Europe/Amsterdam", "-o", s, p)
		summaries = append(summaries, s)
	}
	if b, _ := os.ReadFile(summaries[1]); !strings.Contains(string(b), `"bucket": "hour"`) {
		t.Fatal("a shard of one day is not in hours: the shards do not test that merge rebuilds the buckets")
	}
	for _, args := range [][]string{{"--format", "json"}, {"--format", "table"}, {"--format", "markdown", "--top", "3"}} {
		args = append(args, "--tz", "Europe/Amsterdam")
		swept := mustRun(t, append(append([]string{"sweep"}, args...), shards...)...)
		merged := mustRun(t, append(append([]string{"merge"}, args...), summaries...)...)
		if merged != swept {
			t.Errorf("%v: the merge of the shards is not the sweep of them all: %s", args, firstDiff(merged, swept))
		}
		if !strings.Contains(swept, "Failures by day (Europe/Amsterdam)") && !(strings.Contains(swept, `"bucket": "day"`) && strings.Contains(swept, `"zone": "Europe/Amsterdam"`)) {
			t.Errorf("%v: the whole is not in Amsterdam's days", args)
		}
	}
}
