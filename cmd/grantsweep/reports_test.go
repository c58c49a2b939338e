package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEventsMatchSummary: grantsweep events lists exactly the in_scope events of the
// summary, for the same inputs and filters.
func TestEventsMatchSummary(t *testing.T) {
	for _, filters := range [][]string{
		nil,
		{"--no-dedupe"},
		{"--cause", "revoked"},
		{"--family", "binding", "--since", "2026-11-24T06:00:00Z", "--until", "2026-11-24T18:00:00Z"},
		{"--user", "adelev@*", "--user", "MEGANB@CONTOSO.COM"},
		{"--ip", "203.0.113.0/24", "--ip", "2001:db8:4f::19"},
		{"--app", "Microsoft Teams", "--cause", "grant_invalid", "--cause", "revoked"},
	} {
		t.Run(strings.Join(filters, " "), func(t *testing.T) {
			s := validate(t, mustRun(t, append(append([]string{"sweep", "--format", "json"}, filters...), samplesDir)...))
			out := mustRun(t, append(append([]string{"events"}, filters...), samplesDir)...)
			rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			jsonl := mustRun(t, append(append([]string{"events", "--format", "jsonl"}, filters...), samplesDir)...)
			if int64(len(rows)-1) != s.Totals.InScope || int64(strings.Count(jsonl, "\n")) != s.Totals.InScope {
				t.Errorf("events: %d CSV rows, %d JSON lines; the summary has %d in scope", len(rows)-1, strings.Count(jsonl, "\n"), s.Totals.InScope)
			}
			if filters != nil && s.Totals.InScope == 0 {
				t.Error("the filter selects nothing: a weak test")
			}
		})
	}
	// Every event names its rule and the evidence that decided it.
	out := mustRun(t, "events", "--cause", "refresh_token_malformed", samplesDir)
	rows, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	for _, r := range rows[1:] {
		if r[col["cause"]] != "refresh_token_malformed" || r[col["rule"]] != "16" ||
			!strings.Contains(r[col["evidence"]], `failureReason=`) || !strings.Contains(r[col["evidence"]], `(has "'refresh_token' or 'assertion' is not valid")`) ||
			r[col["file"]] == "" || r[col["line"]] == "" {
			t.Errorf("event row %v", r)
		}
	}
}

func TestParseWhen(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"24h":                  now.Add(-24 * time.Hour),
		"7d":                   now.Add(-7 * 24 * time.Hour),
		"2w":                   now.Add(-14 * 24 * time.Hour),
		"90m":                  now.Add(-90 * time.Minute),
		"2026-11-24T06:00:00Z": time.Date(2026, 11, 24, 6, 0, 0, 0, time.UTC),
		"2026-11-24":           time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC),
		"":                     {},
	} {
		got, err := parseWhen(in, now, time.UTC)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseWhen(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseWhen("yesterday", now, time.UTC); err == nil {
		t.Error("parseWhen(yesterday) accepted")
	}
	for _, args := range [][]string{{"--since", "soon"}, {"--ip", "300.1.1.1"}, {"--cause", "nope"}, {"--family", "nope"}, {"--tz", "Mars/Olympus"}, {"--redact"}} {
		if _, _, code := runCLI(t, "", append(append([]string{"sweep"}, args...), samplesDir)...); code != 2 {
			t.Errorf("sweep %v: exit %d, want 2", args, code)
		}
	}
}

func TestRedact(t *testing.T) {
	a := mustRun(t, "sweep", "--format", "json", "--top", "0", "--redact", "--redact-key", "k1", samplesDir)
	b := mustRun(t, "sweep", "--format", "json", "--top", "0", "--redact", "--redact-key", "k1", samplesDir)
	t.Setenv("GRANTSWEEP_REDACT_KEY", "k2")
	c := mustRun(t, "sweep", "--format", "json", "--top", "0", "--redact", samplesDir)
	if a != b || a == c {
		t.Error("pseudonyms must be stable for one key and differ between keys")
	}
	for _, secret := range []string{"adelev@", "meganb@", "203.0.113.24", "3b7d2c91-5f4e-4a8b-9c1d-2e3f4a5b6c7d"} {
		if strings.Contains(a, secret) {
			t.Errorf("redacted summary still holds %q", secret)
		}
	}
	if !strings.Contains(a, "@contoso.com") {
		t.Error("a redacted UPN keeps its domain")
	}
	ev := mustRun(t, "events", "--redact", samplesDir)
	if strings.Contains(ev, "adelev@") {
		t.Error("redacted events still hold a UPN")
	}
}

func TestOutDir(t *testing.T) {
	for _, format := range []string{"table", "csv", "markdown", "json", "html"} {
		dir := filepath.Join(t.TempDir(), "report")
		mustRun(t, "sweep", "--format", format, "--out", dir, "-o", filepath.Join(t.TempDir(), "x"), samplesDir)
		entries, _ := os.ReadDir(dir)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
			if strings.HasPrefix(e.Name(), ".") {
				t.Errorf("%s: temporary file %s left behind", format, e.Name())
			}
		}
		all := strings.Join(names, " ")
		switch format {
		case "html":
			if !strings.Contains(all, "report.html") || !strings.Contains(all, "index.csv") {
				t.Errorf("html: %v", names)
			}
		default:
			ext := map[string]string{"table": "csv", "csv": "csv", "markdown": "md", "json": "json"}[format]
			for _, want := range []string{"index", "causes", "families", "by_app", "by_user", "by_ip", "by_client", "by_os", "by_token_protection", "by_hour", "by_time", "failures_by_code", "by_app_per_cause"} {
				if !strings.Contains(all, want+"."+ext) {
					t.Errorf("%s: no %s.%s in %v", format, want, ext, names)
				}
			}
		}
	}
	dir := t.TempDir()
	mustRun(t, "sweep", "--out", dir, samplesDir)
	idx, _ := os.ReadFile(filepath.Join(dir, "index.csv"))
	rows, err := csv.NewReader(strings.NewReader(string(idx))).ReadAll()
	if err != nil || len(rows) < 15 {
		t.Fatalf("index: %d rows, %v", len(rows), err)
	}
	for _, r := range rows[1:] {
		data, err := os.ReadFile(filepath.Join(dir, r[0]))
		if err != nil {
			t.Fatal(err)
		}
		got, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
		if err != nil || r[3] != "" && len(got)-1 != atoi(r[3]) {
			t.Errorf("%s: %d rows (%v), index says %s", r[0], len(got)-1, err, r[3])
		}
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestTimeZone(t *testing.T) {
	out := mustRun(t, "sweep", "--format", "markdown", "--tz", "Europe/Amsterdam", samplesDir)
	if !strings.Contains(out, "2026-11-24 01:00:35 CET") {
		t.Errorf("--tz Europe/Amsterdam: times not shown in CET:\n%.600s", out)
	}
	js := mustRun(t, "sweep", "--format", "json", "--tz", "Europe/Amsterdam", samplesDir)
	if !strings.Contains(js, `"first": "2026-11-24T00:00:35`) {
		t.Error("JSON times must stay UTC")
	}
}

// TestProgressOnlyOnTerminal: the progress line is drawn on a terminal or when asked,
// never into a pipe or a buffer by default.
func TestProgressOnlyOnTerminal(t *testing.T) {
	var buf strings.Builder
	if p, err := startProgress("auto", &buf, []string{samplesDir}); p != nil || err != nil {
		t.Errorf("auto on a buffer: %v, %v; want no progress", p, err)
	}
	p, err := startProgress("always", &buf, []string{filepath.Join(samplesDir, "graph", "signIns.jsonl")})
	if p == nil || err != nil || p.total != 77057 {
		t.Fatalf("always: %+v, %v", p, err)
	}
	p.counter().Add(1000)
	p.draw(time.Second)
	p.finish()
	if !strings.Contains(buf.String(), "\rgrantsweep: ") || !strings.Contains(buf.String(), "1%") || !strings.HasSuffix(buf.String(), "\r\x1b[K") {
		t.Errorf("progress output %q", buf.String())
	}
	if _, _, code := runCLI(t, "", "sweep", "--progress=sometimes", samplesDir); code != 2 {
		t.Errorf("--progress=sometimes: exit %d, want 2", code)
	}
}
