package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/grantsweep/grantsweep/rules"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/grantsweep/grantsweep/parse"
)

// auditFile is a real Azure Monitor export of 22 AuditLogs records (see its SOURCE.md).
const (
	auditDir  = "../../../shared/audit-corpus"
	auditFile = auditDir + "/datadog-azure-log-forwarding-orchestration/audit_logs.json"
	// otherFile is 22 RiskyUsers records in Azure Monitor's shape: records of another log,
	// counted apart (directory audit records are read for the audit join instead).
	otherFile = "testdata/risky_users.json"
)

// kindsSummary is the part of the JSON summary that record kinds add.
type kindsSummary struct {
	Totals struct {
		Records int64 `json:"records"`
		Other   int64 `json:"other_records"`
		Audit   int64 `json:"audit_records"`
	} `json:"totals"`
	Inputs []struct {
		Path    string `json:"path"`
		Records int64  `json:"records"`
		Other   *int64 `json:"other_records"`
		Audit   int64  `json:"audit_records"`
		Error   string `json:"error"`
	} `json:"inputs"`
	Others []struct {
		Category string `json:"category"`
		Records  int64  `json:"records"`
	} `json:"other_records"`
}

func decodeKinds(t *testing.T, out string) kindsSummary {
	t.Helper()
	validate(t, out) // the schema, and the counting rules of docs/DESIGN.md
	var k kindsSummary
	if err := json.Unmarshal([]byte(out), &k); err != nil {
		t.Fatal(err)
	}
	var other int64
	for _, in := range k.Inputs {
		if in.Other == nil {
			t.Fatalf("input %s has no other_records member", in.Path)
		}
		other += *in.Other
	}
	if other != k.Totals.Other {
		t.Errorf("inputs' other_records add up to %d, totals.other_records is %d", other, k.Totals.Other)
	}
	return k
}

func needAudit(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(auditFile); err != nil {
		t.Skipf("no audit corpus: %v", err)
	}
}

// TestSweepAuditCorpus: a folder of audit records only is read and accounted for: 0
// sign-in records, 22 directory audit records counted in audit_records (not in
// other_records, and the export is no "not a sign-in export": the audit join reads it),
// exit 0; --strict is not tripped by it.
func TestSweepAuditCorpus(t *testing.T) {
	needAudit(t)
	out, errs, code := runCLI(t, "", "sweep", "--format", "json", auditDir)
	if code != 0 {
		t.Fatalf("exit %d, want 0: %s", code, errs)
	}
	k := decodeKinds(t, out)
	if k.Totals.Records != 0 || k.Totals.Other != 0 || k.Totals.Audit != 22 {
		t.Errorf("totals records %d, other_records %d, audit_records %d; want 0, 0 and 22", k.Totals.Records, k.Totals.Other, k.Totals.Audit)
	}
	if len(k.Others) != 0 {
		t.Errorf("other_records %+v, want none", k.Others)
	}
	found := false
	for _, in := range k.Inputs {
		if filepath.Base(in.Path) != "audit_logs.json" {
			continue
		}
		found = true
		if in.Error != "" || *in.Other != 0 || in.Records != 0 || in.Audit != 22 {
			t.Errorf("input %+v, want no error and 22 audit records", in)
		}
	}
	if !found {
		t.Fatalf("audit_logs.json is not among the inputs: %+v", k.Inputs)
	}
	if strings.Contains(errs, "audit_logs.json") {
		t.Errorf("stderr %q names the audit export", errs)
	}

	// The export alone under --strict: read fine, nothing skipped, nothing failed.
	out, errs, code = runCLI(t, "", "sweep", "--strict", auditFile)
	if code != 0 {
		t.Errorf("--strict on the audit export: exit %d, want 0: %s", code, errs)
	}
	if strings.Contains(out, "Not a sign-in export") || strings.Contains(out, "Input not fully read") || strings.Contains(out, "other logs") {
		t.Errorf("the table report calls the audit export another log or a failure:\n%s", out)
	}
	if out := mustRun(t, "sweep", "--format", "csv", auditFile); !strings.HasPrefix(out, "family,cause") || strings.Contains(out, "AuditLogs") {
		t.Errorf("csv: the causes CSV changed:\n%s", out)
	}
}

// mixedDir is a folder with a copy of samples/ and of the other export, as a storage
// archive or an Event Hub capture mixes kinds; samples is the copy of samples/ alone.
func mixedDir(t *testing.T) (dir, samples string) {
	t.Helper()
	dir = t.TempDir()
	samples = filepath.Join(dir, "samples")
	err := filepath.WalkDir(samplesDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(samplesDir, p)
		return copyFile(t, p, filepath.Join(samples, rel))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := copyFile(t, otherFile, filepath.Join(dir, "other", "risky_users.json")); err != nil {
		t.Fatal(err)
	}
	return dir, samples
}

func copyFile(t *testing.T, from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o644)
}

// TestSweepMixedKinds: audit records beside the sign-ins change no sign-in number and no
// share; they are counted apart, --strict is not tripped, and merge of two halves of the
// folder renders exactly as the sweep of the whole, in every format.
func TestSweepMixedKinds(t *testing.T) {
	dir, samples := mixedDir(t)
	alone := mustRun(t, "sweep", "--format", "json", samples)
	mixed, errs, code := runCLI(t, "", "sweep", "--format", "json", "--strict", dir)
	if code != 0 {
		t.Fatalf("--strict over the mixed folder: exit %d, want 0: %s", code, errs)
	}
	k := decodeKinds(t, mixed)
	if k.Totals.Other != 22 || len(k.Others) != 1 || k.Others[0] != (struct {
		Category string `json:"category"`
		Records  int64  `json:"records"`
	}{"RiskyUsers", 22}) {
		t.Errorf("totals.other_records %d, other_records %+v; want 22 RiskyUsers", k.Totals.Other, k.Others)
	}
	for _, want := range []string{"\"other_records\": 0,\n    \"audit_records\": 216\n  },", "\"other_records\": [],", "\"skipped\":0,\"other_records\":0,\"audit_records\":0}"} {
		if !strings.Contains(alone, want) {
			t.Errorf("the summary of samples/ lacks %q: other_records is always written", want)
		}
	}
	var a, m map[string]json.RawMessage
	json.Unmarshal([]byte(alone), &a)
	json.Unmarshal([]byte(mixed), &m)
	for _, member := range []string{"window", "families", "causes", "tables", "skipped_samples"} {
		if string(a[member]) != string(m[member]) {
			t.Errorf("%s differs from samples/ alone", member)
		}
	}
	var at, mt map[string]int64
	json.Unmarshal(a["totals"], &at)
	json.Unmarshal(m["totals"], &mt)
	if at["other_records"] != 0 || mt["other_records"] != 22 {
		t.Errorf("other_records: alone %d, mixed %d; want 0 and 22", at["other_records"], mt["other_records"])
	}
	delete(mt, "other_records")
	delete(at, "other_records")
	if len(at) != 5 || !equalMaps(at, mt) {
		t.Errorf("totals: alone %v, mixed %v", at, mt)
	}

	// The terminal report: the same shares; one line more on top, one at the end.
	ta := strings.Split(mustRun(t, "sweep", samples), "\n")
	tm := strings.Split(mustRun(t, "sweep", dir), "\n")
	if tm[2] != "22 records of other logs counted apart: RiskyUsers 22" {
		t.Errorf("line 3 of the table report is %q", tm[2])
	}
	notSignIn := "Not a sign-in export, counted apart: " + filepath.Join(dir, "other", "risky_users.json") + " (22 RiskyUsers records)"
	tail := tm[len(tm)-3:]
	if tail[0] != "" || tail[1] != notSignIn {
		t.Errorf("the table report ends %q, want the export named", tail)
	}
	rest := slices.Concat(tm[1:2], tm[3:len(tm)-3], tm[len(tm)-1:]) // without the lines on other records
	if !slices.Equal(ta[1:], rest) || ta[0] != strings.Replace(tm[0], "41 inputs", "40 inputs", 1) {
		t.Errorf("the table report of the mixed folder differs from samples/ alone beyond the other records")
	}

	// merge(sweep(A), sweep(B)) == sweep(A and B), the other export in A.
	var paths []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			paths = append(paths, p)
		}
		return err
	})
	slices.Sort(paths)
	half := len(paths) / 2
	if !strings.Contains(strings.Join(paths[:half], " "), "risky_users.json") {
		t.Fatalf("the other export should be in the first half: %v", paths[:half])
	}
	tmp := t.TempDir()
	pa, pb := sweepJSON(t, tmp, "a.json", paths[:half]...), sweepJSON(t, tmp, "b.json", paths[half:]...)
	for _, format := range []string{"table", "csv", "json", "markdown", "html"} {
		whole := mustRun(t, "sweep", "--format", format, dir)
		merged := mustRun(t, "merge", "--format", format, pa, pb)
		if whole != merged {
			t.Errorf("%s: merge(sweep(A), sweep(B)) differs from sweep(A and B)", format)
		}
	}
	// and of the audit half with the other export last: the shards' order is kept
	reversed := mustRun(t, "merge", "--format", "json", pb, pa)
	if k := decodeKinds(t, reversed); k.Totals.Other != 22 || k.Inputs[len(k.Inputs)-half].Error == "" {
		t.Errorf("merge B A: other_records %d, inputs %+v", k.Totals.Other, k.Inputs)
	}
}

func equalMaps(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestSweepMixedSections: a JSON Lines file of audit records, then sign-ins, read in
// parallel sections (some of audit records only) gives the summary of the file read
// whole: whether an input is a sign-in export is judged on the whole input.
func TestSweepMixedSections(t *testing.T) {
	old := splitAbove
	splitAbove = 1 << 10
	defer func() { splitAbove = old }()
	audit, err := os.ReadFile(otherFile)
	if err != nil {
		t.Fatal(err)
	}
	signIns, err := os.ReadFile(filepath.Join(samplesDir, "graph", "signIns.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "mixed.jsonl")
	os.WriteFile(path, append(append(audit, audit...), signIns...), 0o644)
	if secs, err := parse.Split(path, 4, splitAbove, "auto"); len(secs) != 4 || err != nil {
		t.Fatalf("Split: %v, %v; want 4 sections", secs, err)
	}
	whole, errs1, _ := runCLI(t, "", "sweep", "--format", "json", "--workers", "1", path)
	split, errs4, _ := runCLI(t, "", "sweep", "--format", "json", "--workers", "4", path)
	if whole != split || errs1 != errs4 {
		t.Errorf("reading in sections changes the summary or the messages (%q, %q)", errs1, errs4)
	}
	k := decodeKinds(t, split)
	if k.Totals.Other != 44 || k.Totals.Records != 50 || len(k.Inputs) != 1 || k.Inputs[0].Error != "" || errs4 != "" {
		t.Errorf("totals %+v, inputs %+v, stderr %q; want 50 records, 44 other, no error", k.Totals, k.Inputs, errs4)
	}
}

// TestSummaryBeforeKinds: a JSON summary written before record kinds (no other_records
// members, no tables.by_time: testdata/summary-before-kinds.json is the samples' golden
// of that time) is still a baseline, and merges into the summary sweep writes now.
func TestSummaryBeforeKinds(t *testing.T) {
	old := filepath.Join("testdata", "summary-before-kinds.json")
	if data, err := os.ReadFile(old); err != nil || strings.Contains(string(data), "other_records") {
		t.Fatalf("%s: %v, or it has other_records", old, err)
	}
	before := samplesBeforeAudit(t) // the inputs of that time
	out, errs, code := runCLI(t, "", append([]string{"sweep", "--format", "json", "--baseline", old}, before...)...)
	if code != 0 {
		t.Fatalf("--baseline with a summary before record kinds: exit %d: %s", code, errs)
	}
	var b baselineOut
	json.Unmarshal([]byte(out), &b)
	if !b.Baseline.SameRules || b.Baseline.InScope.Change != 0 {
		t.Errorf("baseline %+v, want the same rules and no change", b.Baseline)
	}
	// Read back and written again, it gains the members, 0 and [], and nothing else.
	data, _ := os.ReadFile(old)
	want := strings.Replace(string(data), "\"duplicates\": 2\n  },", "\"duplicates\": 2,\n    \"other_records\": 0\n  },", 1)
	want = strings.ReplaceAll(want, "\"skipped\": 0\n    }", "\"skipped\": 0,\n      \"other_records\": 0\n    }")
	want = strings.Replace(want, "\n  ],\n  \"families\"", "\n  ],\n  \"other_records\": [],\n  \"families\"", 1)
	if strings.Count(want, "other_records") != 2+strings.Count(want, "\"format\": ") {
		t.Fatalf("the expected summary is not built right")
	}
	// Its tables gain by_time, rebuilt from its events: the samples' of today.
	var now struct {
		Tables struct {
			ByTime json.RawMessage `json:"by_time"`
		} `json:"tables"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, append([]string{"sweep", "--format", "json"}, before...)...)), &now); err != nil || len(now.Tables.ByTime) == 0 {
		t.Fatalf("the samples' summary has no tables.by_time (%v)", err)
	}
	if strings.Contains(want, "by_time") {
		t.Fatal("the summary before record kinds has a by_time table")
	}
	want = strings.Replace(want, "\n    \"failures_by_code\"", "\n    \"by_time\": "+string(now.Tables.ByTime)+",\n    \"failures_by_code\"", 1)
	// Its partial carries each event once now, and counts the copies it leaves out.
	want = strings.Replace(want, "\"dedupe\": true,\n", "\"dedupe\": true,\n    \"duplicates_dropped\": 2,\n", 1)
	// It says its rule set, and that its filters are not known (null: it did not record
	// them), and its shard is the one a sweep of the same inputs has now.
	fp := rules.Default().Fingerprint()
	want = strings.Replace(want, "\"generated_by\": \"grantsweep dev\",\n", "\"generated_by\": \"grantsweep dev\",\n  \"rules_fingerprint\": \""+fp+"\",\n  \"filters\": null,\n", 1)
	shard := regexp.MustCompile(`"shard": "sha256:[0-9a-f]+",\n`).FindString(mustRun(t, append([]string{"sweep", "--format", "json"}, before...)...))
	if shard == "" {
		t.Fatal("a sweep's partial has no shard")
	}
	want = strings.Replace(want, "\"rules\": \""+fp+"\",\n", "\"rules\": \""+fp+"\",\n    "+shard, 1)
	want = withoutCopies(t, want)
	// Compared compact: the inputs are written a line each now.
	if merged := withoutAuditJoin(t, compactJSON(t, mustRun(t, "merge", "--format", "json", old))); merged != compactJSON(t, want) {
		t.Errorf("merge of a summary before record kinds: not the summary plus other_records 0 and []:\n%s", kindsDiff(merged, compactJSON(t, want)))
	}
}

// withoutAuditJoin drops from a compact summary (compactJSON) the members the audit join
// added, failing unless each has its empty value: audit_records 0, explained 0, by_change
// and change_context [], the partial's device and policy columns "" and no changes.
func withoutAuditJoin(t *testing.T, s string) string {
	t.Helper()
	for _, e := range []struct {
		re   string
		want int // at least
	}{
		{`,\n"audit_records":0`, 2},
		{`,\n"explained":0`, 1},
		{`,\n"by_change":\[\]`, 1},
		{`,\n"change_context":\[\]`, 1},
		{`,\n"device_id",\n"device_name",\n"ca_policies"`, 1},
		{`,\n"change_kinds":"sha256:[0-9a-f]+",\n"change_columns":\[[^\]]*\]`, 1},
		{`,\n"changes":\[\]`, 1},
		{`,\n"",\n"",\n""\]`, 1},
	} {
		re := regexp.MustCompile(e.re)
		if n := len(re.FindAllStringIndex(s, -1)); n < e.want {
			t.Errorf("the summary has %d of %s, want at least %d", n, e.re, e.want)
		}
		repl := ""
		if strings.HasSuffix(e.re, `\]`) && strings.HasPrefix(e.re, `,\n"",`) {
			repl = "]"
		}
		s = re.ReplaceAllString(s, repl)
	}
	return s
}

// withoutCopies drops from a summary's partial events (one per line, in input order)
// every event whose id an earlier one has.
func withoutCopies(t *testing.T, summary string) string {
	t.Helper()
	lines := strings.Split(summary, "\n")
	var out []string
	seen := map[string]bool{}
	in, dropped := false, 0
	for _, l := range lines {
		switch {
		case strings.HasSuffix(l, "\"events\": ["):
			in = true
		case in && strings.HasPrefix(strings.TrimSpace(l), "["):
			var ev []any
			if err := json.Unmarshal([]byte(strings.TrimSuffix(strings.TrimSpace(l), ",")), &ev); err != nil {
				t.Fatalf("an event line %q: %v", l, err)
			}
			if id := ev[1].(string); id != "" {
				if seen[id] {
					dropped++
					continue
				}
				seen[id] = true
			}
			l = strings.TrimSuffix(l, ",") + ","
		case in:
			in = false
			if n := len(out) - 1; n >= 0 {
				out[n] = strings.TrimSuffix(out[n], ",")
			}
		}
		out = append(out, l)
	}
	if dropped == 0 {
		t.Fatalf("no copy among the events: the test cannot show they are left out")
	}
	return strings.Join(out, "\n")
}

// compactJSON is a JSON text without its layout, a member per line so that kindsDiff
// can point at the difference.
func compactJSON(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(b.String(), ",\"", ",\n\"")
}

// kindsDiff shows the first line where got and want differ.
func kindsDiff(got, want string) string {
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(gl), len(wl)) {
		if gl[i] != wl[i] {
			return fmt.Sprintf("line %d:\ngot:  %s\nwant: %s", i+1, gl[i], wl[i])
		}
	}
	return fmt.Sprintf("got %d lines, want %d", len(gl), len(wl))
}

// TestSweepCodeMissing: a sign-in table without an error-code column is named on stderr
// (its records all read as records without a code), whole or gzipped, and the samples,
// which have one in every shape, are not.
func TestSweepCodeMissing(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "nocode.csv")
	if err := os.WriteFile(csv, []byte("Id,CreatedDateTime,UserPrincipalName,AppId\n1,2026-11-24T01:00:00Z,a@x,app\n2,2026-11-24T02:00:00Z,b@x,app\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, code := runCLI(t, "", "sweep", "--format", "json", csv)
	if code != 0 || !strings.Contains(errs, "nocode.csv: no column gives the error code") || !strings.Contains(errs, "its 2 records read as records without one") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	if _, errs, _ := runCLI(t, "", "sweep", "--format", "json", samplesDir); strings.Contains(errs, "no column gives the error code") {
		t.Errorf("samples/: %q", errs)
	}
}
