package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMergeRefusesTheSameShardTwice: merge p1.json p1.json used to count every record
// twice (the in-scope events were de-duplicated, so every share was wrong). A shard is
// known by its inputs: the same summary twice, or a merge beside one of its parts, is a
// usage error, as every summary merge refuses is (exit 2).
func TestMergeRefusesTheSameShardTwice(t *testing.T) {
	dir := t.TempDir()
	a := sweepJSON(t, dir, "a.json", samplesDir+"/graph")
	b := sweepJSON(t, dir, "b.json", samplesDir+"/log-analytics")
	copyA := filepath.Join(dir, "copy-of-a.json")
	data, _ := os.ReadFile(a)
	os.WriteFile(copyA, data, 0o644)
	ab := filepath.Join(dir, "ab.json")
	mustRun(t, "merge", "--format", "json", "-o", ab, a, b)
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"the same file twice", []string{a, a}, "merge: " + a + ": the same shard as " + a},
		{"a copy", []string{a, b, copyA}, "merge: " + copyA + ": the same shard as " + a},
		{"a merge beside one of its parts", []string{ab, a}, "merge: " + a + ": input ../../samples/graph/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := runCLI(t, "", append([]string{"merge", "--format", "json"}, tt.args...)...)
			if code != 2 || !strings.Contains(errs, tt.stderr) || out != "" {
				t.Errorf("exit %d, stderr %q, %d bytes out; want 2, %q, nothing", code, errs, len(out), tt.stderr)
			}
		})
	}
	// Shards of different inputs merge, into what one sweep of them all gives.
	whole := mustRun(t, "sweep", "--format", "json", samplesDir+"/graph", samplesDir+"/log-analytics")
	if merged := mustRun(t, "merge", "--format", "json", a, b); merged != whole {
		t.Errorf("merge of two shards differs from the sweep of both:\n%s", firstDiff(merged, whole))
	}
}

// TestMergeRefusesOtherFilters: shards swept with different filters used to merge
// silently, into shares of nothing. A summary records its filters (normalised) and merge
// refuses shards made with different ones; summaries written before they did still merge.
func TestMergeRefusesOtherFilters(t *testing.T) {
	dir := t.TempDir()
	plain := sweepJSON(t, dir, "plain.json", samplesDir+"/graph")
	revoked := sweepJSON(t, dir, "revoked.json", "--cause", "revoked", samplesDir+"/log-analytics")
	since := sweepJSON(t, dir, "since.json", "--since", "2026-11-24T06:00:00Z", samplesDir+"/log-analytics")
	for _, tt := range []struct {
		args   []string
		stderr string
	}{
		{[]string{plain, revoked}, "merge: " + revoked + ": made with --cause revoked, " + plain + " with no filters"},
		{[]string{revoked, since}, "merge: " + since + ": made with --since 2026-11-24T06:00:00Z, " + revoked + " with --cause revoked"},
	} {
		if out, errs, code := runCLI(t, "", append([]string{"merge"}, tt.args...)...); code != 2 || !strings.Contains(errs, tt.stderr) || out != "" {
			t.Errorf("merge %v: exit %d, stderr %q; want 2 and %q", tt.args, code, errs, tt.stderr)
		}
	}

	// The same filters, however they were spelled, merge.
	x := sweepJSON(t, dir, "x.json", "--user", "AdeleV@contoso.com", "--user", "meganb@*", "--ip", "203.0.113.7", "--cause", "revoked", "--cause", "grant_invalid", samplesDir+"/graph")
	y := sweepJSON(t, dir, "y.json", "--user", "MEGANB@*", "--user", "adelev@CONTOSO.com", "--ip", "203.0.113.7/32", "--cause", "grant_invalid", "--cause", "revoked", "--cause", "revoked", samplesDir+"/log-analytics")
	out := mustRun(t, "merge", "--format", "json", x, y)
	var sum struct {
		Rules   string `json:"rules_fingerprint"`
		Filters struct {
			Users, IPs, Causes []string
		} `json:"filters"`
		Partial struct{ Rules string } `json:"partial"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	validate(t, out)
	if strings.Join(sum.Filters.Users, " ") != "adelev@contoso.com meganb@*" || strings.Join(sum.Filters.IPs, " ") != "203.0.113.7/32" ||
		strings.Join(sum.Filters.Causes, " ") != "grant_invalid revoked" || sum.Rules != sum.Partial.Rules || !strings.HasPrefix(sum.Rules, "sha256:") {
		t.Errorf("the merged summary's rules %q and filters %+v", sum.Rules, sum.Filters)
	}

	// A summary written before summaries recorded their filters merges with any, and
	// the merge says its filters are not known.
	old := filepath.Join("testdata", "summary-before-kinds.json")
	one := filepath.Join(t.TempDir(), "one.jsonl")
	os.WriteFile(one, []byte(graphRecord("e1", 70008, "")+"\n"), 0o644)
	later := sweepJSON(t, dir, "later.json", "--cause", "expired_inactivity", one)
	out = mustRun(t, "merge", "--format", "json", old, later)
	if !strings.Contains(out, "\n  \"filters\": null,\n") {
		t.Errorf("a merge with a summary that does not record its filters: %.300s", out)
	}
	validate(t, out)
}

// TestEmptyHint: a run whose filters leave nothing in scope says which removed what, on
// stderr and in the terminal report (it gave no hint at all). The samples' PT1H.json files
// hold a day of records each, which diagnostic settings never write: --no-prune reads them
// whatever their folders' hours.
func TestEmptyHint(t *testing.T) {
	hint := "0 in-scope events: --since 2026-11-25 00:00 removed all 784 records (they span 2026-11-24 00:00 to 2026-11-24 23:10 UTC)"
	out, errs, code := runCLI(t, "", "sweep", "--no-prune", "--since", "2026-11-25", samplesDir)
	if code != 0 || errs != "grantsweep: "+hint+"\n" || !strings.Contains(out, "\n"+hint+"\n") {
		t.Errorf("exit %d, stderr %q, report:\n%.400s\nwant the hint %q in both", code, errs, out, hint)
	}
	// As the summary records what its filters removed, merge and events say it too.
	path := sweepJSON(t, t.TempDir(), "empty.json", "--no-prune", "--since", "2026-11-25", samplesDir)
	if out, errs, _ := runCLI(t, "", "merge", path); errs != "grantsweep: "+hint+"\n" || !strings.Contains(out, hint) {
		t.Errorf("merge: stderr %q", errs)
	}
	if _, errs, _ := runCLI(t, "", "events", "--no-prune", "--since", "2026-11-25", samplesDir); errs != "grantsweep: "+hint+"\n" {
		t.Errorf("events: stderr %q", errs)
	}
	// Several filters, each named with what it removed, in --tz.
	_, errs, _ = runCLI(t, "", "sweep", "--no-prune", "--since", "2026-11-24 11:00", "--tz", "Europe/Amsterdam", "--cause", "revoked", "--family", "binding", samplesDir)
	if want := "grantsweep: 0 in-scope events: --since 2026-11-24 11:00 removed 468 of 784 records, --cause revoked 299, --family binding 17 (they span 2026-11-24 01:00 to 2026-11-25 00:10 Europe/Amsterdam)\n"; errs != want {
		t.Errorf("several filters: stderr %q, want %q", errs, want)
	}
	// Records left that are not failures, and no hint when something is in scope.
	_, errs, _ = runCLI(t, "", "sweep", "--user", "nobody@contoso.com", samplesDir+"/powershell/one-signin.json", samplesDir+"/graph")
	if !strings.Contains(errs, "--user nobody@contoso.com removed all ") {
		t.Errorf("--user: stderr %q", errs)
	}
	if _, errs, _ := runCLI(t, "", "sweep", "--no-prune", "--since", "2026-11-24 10:00", samplesDir); errs != "" {
		t.Errorf("a run with events in scope: stderr %q", errs)
	}
}

// TestBaselineWithoutPartialSaysItsRules: a baseline written with --partial=false says
// its rule set (rules_fingerprint), so it is compared as one of the same rules, not with
// the note of another rule set.
func TestBaselineWithoutPartialSaysItsRules(t *testing.T) {
	path := filepath.Join(t.TempDir(), "read-only.json")
	mustRun(t, "sweep", "--format", "json", "--partial=false", "-o", path, samplesDir+"/graph")
	var b baselineOut
	json.Unmarshal([]byte(mustRun(t, "sweep", "--format", "json", "--baseline", path, samplesDir+"/graph")), &b)
	if !b.Baseline.SameRules || b.Baseline.Note != "" {
		t.Errorf("baseline without a partial: same_rules %v, note %q; want true and none", b.Baseline.SameRules, b.Baseline.Note)
	}
}
