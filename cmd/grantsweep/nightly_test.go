package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/grantsweep/grantsweep/parse"
)

// samplePaths lists every sample file, sorted.
func samplePaths(t *testing.T) []string {
	t.Helper()
	var paths []string
	err := filepath.WalkDir(samplesDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil || len(paths) < 10 {
		t.Fatalf("samples: %v (%d files)", err, len(paths))
	}
	slices.Sort(paths)
	return paths
}

func TestFailOn(t *testing.T) {
	tests := []struct {
		expr   string
		code   int
		stderr string
	}{
		{"revoked>=1", 3, "threshold crossed: revoked>=1 (family revoked = "},
		{"cause:revoked>=1", 3, "(cause revoked = "},
		{"binding>0", 3, "family binding"},
		{"in_scope>=100000", 0, ""},
		{"in_scope>=10%", 3, "in_scope = 35.7% ("},
		{"expired_inactivity>=20%", 0, ""},
		{"expired_inactivity>=1%", 3, "cause expired_inactivity = "},
		{"grant_invalid == 0", 0, ""},
		{"skipped>0", 0, ""},
		{"duplicates>=2", 3, "duplicates = 2"},
		{"revoked>>5", 2, `">5" is not a number`},
		{"nonsense>1", 2, `"nonsense" is not a cause, a family`},
		{"revoked>=abc", 2, "not a number"},
		{"records>=5%", 2, "cannot be a percentage"},
		{"revoked", 2, "want NAME OP NUMBER"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			out, errs, code := runCLI(t, "", "sweep", "--format", "csv", "--fail-on", tt.expr, samplesDir)
			if code != tt.code || !strings.Contains(errs, tt.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errs, tt.code, tt.stderr)
			}
			if code != 2 && !strings.HasPrefix(out, "family,cause") {
				t.Errorf("the report was not written: %q", out)
			}
		})
	}
	// Several thresholds: each crossed one is named; the file output is still written.
	path := filepath.Join(t.TempDir(), "out.json")
	_, errs, code := runCLI(t, "", "sweep", "--format", "json", "-o", path, "--fail-on", "binding>0", "--fail-on", "in_scope>1000000", "--fail-on", "expired>0", samplesDir)
	data, _ := os.ReadFile(path)
	if code != 3 || strings.Count(errs, "threshold crossed") != 2 || len(data) == 0 {
		t.Errorf("exit %d, stderr %q, %d bytes written; want 3, two thresholds named, the report", code, errs, len(data))
	}
}

// sweepJSON writes the JSON summary of the paths into dir/name and returns its path.
func sweepJSON(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	_, errs, code := runCLI(t, "", append([]string{"sweep", "--format", "json", "-o", path}, args...)...)
	if code != 0 {
		t.Fatalf("sweep %v: exit %d: %s", args, code, errs)
	}
	return path
}

type baselineOut struct {
	Baseline struct {
		SameRules bool                                  `json:"same_rules"`
		Note      string                                `json:"note"`
		InScope   struct{ Before, After, Change int64 } `json:"in_scope"`
		Causes    []struct {
			ID                    string
			Compared              bool
			Before, After, Change int64
		}
		NewCauses []string `json:"new_causes"`
		Movers    struct {
			Apps, Users []struct {
				Key                   string
				Before, After, Change int64
			}
		}
	}
}

func TestBaseline(t *testing.T) {
	dir := t.TempDir()
	full := sweepJSON(t, dir, "full.json", samplesDir)
	part := sweepJSON(t, dir, "graph.json", filepath.Join(samplesDir, "graph"))

	// Tonight has less than the baseline: every cause compared, changes add up.
	out, errs, code := runCLI(t, "", "sweep", "--format", "json", "--baseline", full, filepath.Join(samplesDir, "graph"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	validate(t, out)
	var b baselineOut
	json.Unmarshal([]byte(out), &b)
	var sum int64
	for _, c := range b.Baseline.Causes {
		if !c.Compared || c.Change != c.After-c.Before {
			t.Errorf("cause row %+v", c)
		}
		sum += c.Change
	}
	if !b.Baseline.SameRules || b.Baseline.InScope.Change != sum || b.Baseline.InScope.Before != 280 || len(b.Baseline.NewCauses) != 0 {
		t.Errorf("baseline %+v", b.Baseline)
	}
	if len(b.Baseline.Movers.Apps) == 0 || len(b.Baseline.Movers.Users) == 0 || b.Baseline.Movers.Apps[0].Change >= 0 {
		t.Errorf("movers %+v: want apps and users, falling", b.Baseline.Movers)
	}

	// The other way round: causes absent from the smaller run are new.
	out, _, _ = runCLI(t, "", "sweep", "--format", "json", "--baseline", part, samplesDir)
	json.Unmarshal([]byte(out), &b)
	for _, id := range b.Baseline.NewCauses {
		for _, c := range b.Baseline.Causes {
			if c.ID == id && (c.Before != 0 || c.After == 0) {
				t.Errorf("new cause %s: %+v", id, c)
			}
		}
	}

	// Every format shows the comparison.
	tbl, _, _ := runCLI(t, "", "sweep", "--baseline", full, filepath.Join(samplesDir, "graph"))
	csv, _, _ := runCLI(t, "", "sweep", "--format", "csv", "--baseline", full, filepath.Join(samplesDir, "graph"))
	if !strings.Contains(tbl, "Changes since the baseline") || !strings.Contains(tbl, "Top movers among apps") ||
		!strings.Contains(csv, "baseline_events,change,baseline_share_pct") {
		t.Errorf("table or CSV lacks the comparison:\n%s\n%s", tbl, csv)
	}

	// A baseline of another schema is refused.
	other := filepath.Join(dir, "other.json")
	os.WriteFile(other, []byte(`{"schema":"grantsweep.summary/v2"}`), 0o644)
	if _, errs, code := runCLI(t, "", "sweep", "--baseline", other, samplesDir); code != 2 || !strings.Contains(errs, `schema "grantsweep.summary/v2"`) {
		t.Errorf("other schema: exit %d, %q", code, errs)
	}

	// One made with another rule set is compared on the ids both have, and says so.
	rulesFile := filepath.Join(dir, "extra.yaml")
	os.WriteFile(rulesFile, []byte("rules:\n  - id: contoso_proxy\n    family: client_error\n    label: Proxy rewrote the grant\n    when: [{codes: [70000], text: [\"provided grant is invalid\"]}]\n    remediation: Fix the proxy\n"), 0o644)
	out, errs, code = runCLI(t, "", "sweep", "--format", "json", "--rules", rulesFile, "--baseline", full, samplesDir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	json.Unmarshal([]byte(out), &b)
	if b.Baseline.SameRules || !strings.Contains(b.Baseline.Note, "not in the baseline: contoso_proxy") {
		t.Errorf("baseline with other rules: %+v", b.Baseline)
	}
}

// TestMerge: merge(sweep(A), sweep(B)) renders exactly as sweep(A and B), in every format,
// de-duplication across the shards included.
func TestMerge(t *testing.T) {
	paths := samplePaths(t)
	// The two hourly blobs that repeat records go to different shards.
	var a, b []string
	for i, p := range paths {
		if i < len(paths)/2 {
			a = append(a, p)
		} else {
			b = append(b, p)
		}
	}
	if !strings.Contains(strings.Join(a, " "), "h=08") || !strings.Contains(strings.Join(b, " "), "h=09") {
		t.Fatalf("the repeating blobs should be in different shards: %v | %v", a, b)
	}
	dir := t.TempDir()
	pa, pb := sweepJSON(t, dir, "a.json", a...), sweepJSON(t, dir, "b.json", b...)
	for _, format := range []string{"table", "csv", "json"} {
		whole, _, code := runCLI(t, "", append([]string{"sweep", "--format", format}, paths...)...)
		merged, errs, mcode := runCLI(t, "", "merge", "--format", format, pa, pb)
		if code != 0 || mcode != 0 {
			t.Fatalf("%s: exit %d and %d: %s", format, code, mcode, errs)
		}
		if whole != merged {
			t.Errorf("%s: merge(sweep(A), sweep(B)) differs from sweep(A and B)", format)
		}
	}
	s := validate(t, mustRun(t, "merge", "--format", "json", pa, pb))
	if s.Totals.Duplicates != 2 {
		t.Errorf("duplicates %d, want the 2 repeated across shards", s.Totals.Duplicates)
	}
	// Merge takes the output flags: thresholds too.
	if _, _, code := runCLI(t, "", "merge", "--fail-on", "binding>0", pa, pb); code != 3 {
		t.Errorf("merge --fail-on: exit %d, want 3", code)
	}
	// A partial made with other rules is refused.
	rulesFile := filepath.Join(dir, "r.yaml")
	os.WriteFile(rulesFile, []byte("rules:\n  - id: revoked\n    when: [{codes: [50173]}]\n"), 0o644)
	if _, errs, code := runCLI(t, "", "merge", "--rules", rulesFile, pa, pb); code != 2 || !strings.Contains(errs, "made with another rule set") {
		t.Errorf("merge with other rules: exit %d, %q", code, errs)
	}
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errs, code := runCLI(t, "", args...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, errs)
	}
	return out
}

// TestDeterminism: the same inputs give byte-identical output whatever the worker count or
// the order the inputs are given in.
func TestDeterminism(t *testing.T) {
	paths := samplePaths(t)
	reversed := slices.Clone(paths)
	slices.Reverse(reversed)
	for _, format := range []string{"table", "csv", "json"} {
		one := mustRun(t, append([]string{"sweep", "--format", format, "--workers", "1"}, paths...)...)
		four := mustRun(t, append([]string{"sweep", "--format", format, "--workers", "4"}, reversed...)...)
		dir := mustRun(t, "sweep", "--format", format, "--workers", "3", samplesDir)
		if one != four || one != dir {
			t.Errorf("%s: output depends on the worker count or the input order", format)
		}
	}
}

func TestRulesCheck(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	tests := []struct {
		name, body string
		want       []string
	}{
		{"unknown key", "rules:\n  - id: x\n    family: binding\n    colour: red\n    when: [{codes: [1]}]\n", []string{`unknown-key.yaml:4:5: unknown field "colour"`}},
		{"duplicate id", "rules:\n  - id: x\n    family: binding\n    when: [{codes: [1]}]\n  - id: x\n    family: binding\n    when: [{codes: [2]}]\n", []string{`duplicate-id.yaml:5:5: rule "x" defined twice`}},
		{"unknown family", "rules:\n  - id: x\n    family: nope\n    when: [{codes: [1]}]\n", []string{`unknown-family.yaml:2:5: rule "x": unknown family "nope"`}},
		{"empty match", "rules:\n  - id: x\n    family: binding\n    when:\n      - {}\n", []string{`empty-match.yaml:5:9: rule "x": clause 1 matches nothing`}},
		{"no clauses", "rules:\n  - id: x\n    family: binding\n", []string{`no-clauses.yaml:2:5: rule "x": no when clauses`}},
		{"bad code", "rules:\n  - id: x\n    family: binding\n    when: [{codes: [\"9-1\"]}]\n", []string{`bad-code.yaml:4:13: bad code "9-1"`}},
		{"unreachable", "rules:\n  - id: late_grant\n    family: unspecified\n    when: [{codes: [70000], text: [\"proxy\"]}]\n", []string{`unreachable.yaml:2:5: rule "late_grant" can never match: rule "grant_invalid" before it`}},
		{"bad placement", "rules:\n  - id: x\n    family: binding\n    before: nope\n    when: [{codes: [1]}]\n", []string{`bad-placement.yaml:2:5: rule "x": before: no rule "nope"`}},
		{"not yaml", "rules: [\n", []string{"not-yaml.yaml:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := write(strings.ReplaceAll(tt.name, " ", "-")+".yaml", tt.body)
			_, errs, code := runCLI(t, "", "rules", "check", path)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			for _, w := range tt.want {
				if !strings.Contains(errs, filepath.Join(dir, w)) && !strings.Contains(errs, w) {
					t.Errorf("stderr %q lacks %q", errs, w)
				}
			}
		})
	}
	ok := write("ok.yaml", "rules:\n  - id: contoso_proxy\n    family: client_error\n    label: Proxy\n    when: [{codes: [70000], text: [\"proxy\"]}]\n    remediation: Fix the proxy\n")
	if out, errs, code := runCLI(t, "", "rules", "check", ok); code != 0 || !strings.Contains(out, "ok, 22 rules") {
		t.Errorf("valid file: exit %d, %q %q", code, out, errs)
	}
	// The default rules, checked as a replacement set, are clean.
	def := write("default.yaml", mustRun(t, "rules", "default"))
	if _, errs, code := runCLI(t, "", "rules", "check", "--rules-mode", "replace", def); code != 0 {
		t.Errorf("default rules: exit %d: %s", code, errs)
	}
	// A sweep with a broken rule file is a usage error.
	bad := write("bad.yaml", "rules:\n  - id: x\n")
	if _, errs, code := runCLI(t, "", "sweep", "--rules", bad, samplesDir); code != 2 || !strings.Contains(errs, "invalid rule file") {
		t.Errorf("sweep with a bad rule file: exit %d, %q", code, errs)
	}
}

func TestUserRules(t *testing.T) {
	dir := t.TempDir()
	extend := filepath.Join(dir, "extend.yaml")
	os.WriteFile(extend, []byte(`families:
  - id: contoso
    label: Contoso specifics
rules:
  - id: contoso_proxy
    family: client_error
    label: Proxy rewrote the grant
    when: [{codes: [70000], text: ["provided grant is invalid or malformed"]}]
    remediation: Fix the proxy
  - id: revoked
    remediation: Ask the Contoso service desk
  - id: contoso_ca_block
    family: contoso
    label: Conditional Access block
    when: [{codes: [53003]}]
    remediation: Check the CA policy
`), 0o644)
	type causes struct {
		Causes []struct {
			Cause, Family, Remediation string
			Events                     int64
		}
	}
	var before, after causes
	json.Unmarshal([]byte(mustRun(t, "sweep", "--format", "json", samplesDir)), &before)
	json.Unmarshal([]byte(mustRun(t, "sweep", "--format", "json", "--rules", extend, samplesDir)), &after)
	get := func(c causes, id string) (int64, string, int) {
		for i, x := range c.Causes {
			if x.Cause == id {
				return x.Events, x.Remediation, i
			}
		}
		return -1, "", -1
	}
	proxy, _, pi := get(after, "contoso_proxy")
	_, _, wi := get(after, "wrong_client")
	giBefore, _, _ := get(before, "grant_invalid")
	giAfter, _, _ := get(after, "grant_invalid")
	_, rem, _ := get(after, "revoked")
	ca, _, ci := get(after, "contoso_ca_block")
	if proxy <= 0 || giAfter+proxy != giBefore || pi != wi+1 {
		t.Errorf("contoso_proxy %d at %d (wrong_client at %d), grant_invalid %d then %d", proxy, pi, wi, giBefore, giAfter)
	}
	if rem != "Ask the Contoso service desk" || ca <= 0 || ci != len(after.Causes)-1 {
		t.Errorf("override remediation %q; contoso_ca_block %d at %d", rem, ca, ci)
	}
	list := mustRun(t, "rules", "list", "--rules", extend)
	if !strings.Contains(list, "contoso_proxy") || !strings.Contains(list, "contoso_ca_block") {
		t.Errorf("rules list:\n%s", list)
	}

	replace := filepath.Join(dir, "replace.yaml")
	os.WriteFile(replace, []byte("families: [{id: only}]\nrules:\n  - id: any_invalid_grant\n    family: only\n    when: [{codes: [70000, 50173]}]\n"), 0o644)
	var repl causes
	json.Unmarshal([]byte(mustRun(t, "sweep", "--format", "json", "--rules", replace, "--rules-mode", "replace", samplesDir)), &repl)
	if len(repl.Causes) != 1 || repl.Causes[0].Events == 0 {
		t.Errorf("replace: %+v", repl.Causes)
	}
}

func TestRulesGolden(t *testing.T) {
	checkGolden(t, "rules-list.txt", mustRun(t, "rules", "list"))
	checkGolden(t, "rules-export.kql", mustRun(t, "rules", "export", "--kql"))
	checkGolden(t, "rules-show-revoked.txt", mustRun(t, "rules", "show", "revoked"))
	if got := mustRun(t, "rules", "default"); !strings.Contains(got, "id: binding_header_empty") {
		t.Errorf("rules default: %q", got[:100])
	}
}

// TestSplitSections: a large JSON Lines file read in parallel sections gives the same
// summary as read whole, skipped records' lines and offsets included.
func TestSplitSections(t *testing.T) {
	old := splitAbove
	splitAbove = 1 << 10
	defer func() { splitAbove = old }()
	data, err := os.ReadFile(filepath.Join(samplesDir, "graph", "signIns.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	lines = lines[:len(lines)-1]
	var b strings.Builder
	for i := range 3 {
		for j, l := range lines {
			if j == 7 && i != 1 {
				b.WriteString(`{"id":"cut","status":{"errorCode":70000,"failureReason":"Provided gr` + "\n")
			}
			b.WriteString(l)
		}
	}
	path := filepath.Join(t.TempDir(), "big.jsonl")
	os.WriteFile(path, []byte(b.String()), 0o644)
	if secs, err := parse.Split(path, 4, splitAbove, "auto"); len(secs) != 4 || err != nil {
		t.Fatalf("Split: %v, %v; want 4 sections", secs, err)
	}
	whole := mustRun(t, "sweep", "--format", "json", "--workers", "1", "--no-dedupe", path)
	split := mustRun(t, "sweep", "--format", "json", "--workers", "4", "--no-dedupe", path)
	if whole != split {
		t.Error("reading in sections changes the summary")
	}
	s := validate(t, split)
	if s.Totals.Records != 150 || s.Totals.Skipped != 2 || s.SkippedSamples[0].Line != 8 || s.SkippedSamples[1].Line != 8+51+50 {
		t.Errorf("totals %+v, skipped %+v", s.Totals, s.SkippedSamples)
	}
}

// TestSplitParquet: a Parquet file read in parallel row-group ranges gives the same summary
// as read whole.
func TestSplitParquet(t *testing.T) {
	old := splitAbove
	splitAbove = 1 << 10
	defer func() { splitAbove = old }()
	type row struct {
		ResultType        string `parquet:"ResultType,dict"`
		Id                string `parquet:"Id"`
		CreatedDateTime   int64  `parquet:"CreatedDateTime,timestamp(millisecond)"`
		UserPrincipalName string `parquet:"UserPrincipalName,dict"`
		Status            string `parquet:"Status"`
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[row](&buf, parquet.MaxRowsPerRowGroup(25))
	base := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	for i := range 300 {
		code := []int{0, 0, 70000, 50173, 50126, 700082}[i%6]
		w.Write([]row{{ResultType: fmt.Sprint(code), Id: fmt.Sprintf("id-%d", i%280), CreatedDateTime: base.Add(time.Duration(i) * time.Minute).UnixMilli(),
			UserPrincipalName: fmt.Sprintf("user%d@x.example", i%7), Status: fmt.Sprintf(`{"errorCode":%d,"failureReason":"r%d"}`, code, code)}})
	}
	w.Close()
	path := filepath.Join(t.TempDir(), "rows.parquet")
	os.WriteFile(path, buf.Bytes(), 0o644)
	if secs, err := parse.Split(path, 4, splitAbove, "auto"); len(secs) != 4 || err != nil {
		t.Fatalf("Split: %v, %v; want 4 row-group ranges", secs, err)
	}
	whole := mustRun(t, "sweep", "--format", "json", "--workers", "1", path)
	split := mustRun(t, "sweep", "--format", "json", "--workers", "4", path)
	if whole != split {
		t.Error("reading in row-group ranges changes the summary")
	}
	s := validate(t, split)
	if s.Totals.Records != 300 || s.Totals.Duplicates == 0 {
		t.Errorf("totals %+v", s.Totals)
	}
}

// TestPrefilterChangesNothing: counting out-of-scope records from their bytes (the
// default) gives the same summary as decoding every record, for every sample shape and
// the public corpus.
func TestPrefilterChangesNothing(t *testing.T) {
	args := []string{samplesDir}
	if _, err := os.Stat(corpusDir); err == nil {
		args = append(args, corpusDir)
	}
	for _, format := range []string{"json", "table"} {
		fast := mustRun(t, append([]string{"sweep", "--format", format, "--top", "0"}, args...)...)
		slow := mustRun(t, append([]string{"sweep", "--format", format, "--top", "0", "--no-prefilter"}, args...)...)
		if fast != slow {
			t.Errorf("%s: the prefilter changes the result", format)
		}
	}
}

// TestBaselineOtherRedaction: users pseudonymized with another --redact key (or in one
// of the two runs only) are other names for the same people, so the report leaves them
// out of the comparison and says so; apps are still compared.
func TestBaselineOtherRedaction(t *testing.T) {
	dir := t.TempDir()
	plain := sweepJSON(t, dir, "plain.json", samplesDir)
	keyed := filepath.Join(dir, "keyed.json")
	if _, errs, code := runCLI(t, "", "sweep", "--format", "json", "-o", keyed, "--redact", "--redact-key", "one", samplesDir); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, tt := range []struct {
		name, baseline string
		args           []string
		other          bool
	}{
		{"redacted against plain", plain, []string{"--redact", "--redact-key", "two"}, true},
		{"plain against redacted", keyed, nil, true},
		{"another key", keyed, []string{"--redact", "--redact-key", "two"}, true},
		{"the same key", keyed, []string{"--redact", "--redact-key", "one"}, false},
		{"neither", plain, nil, false},
	} {
		args := append([]string{"sweep", "--format", "json", "--baseline", tt.baseline}, tt.args...)
		out, errs, code := runCLI(t, "", append(args, filepath.Join(samplesDir, "graph"))...) // fewer than the baseline
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", tt.name, code, errs)
		}
		validate(t, out)
		var b baselineOut
		json.Unmarshal([]byte(out), &b)
		said := strings.Contains(b.Baseline.Note, "users are not compared")
		if said != tt.other || (len(b.Baseline.Movers.Users) == 0) != tt.other || len(b.Baseline.Movers.Apps) == 0 {
			t.Errorf("%s: note %q, %d user movers, %d app movers", tt.name, b.Baseline.Note, len(b.Baseline.Movers.Users), len(b.Baseline.Movers.Apps))
		}
	}
}
