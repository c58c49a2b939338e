package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/grantsweep/grantsweep/report"
	"github.com/grantsweep/grantsweep/rules"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	samplesDir = "../../samples"
	corpusDir  = "../../../shared/corpus"
)

// runCLI runs the program in-process, as main would, with the given standard input.
func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\ngot:  %s\nwant: %s", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s: got %d lines, want %d", path, len(gl), len(wl))
	}
}

// TestSweepSamplesGolden is the README's first command, in each format.
func TestSweepSamplesGolden(t *testing.T) {
	for _, f := range []struct{ format, file string }{{"table", "sweep-samples.txt"}, {"csv", "sweep-samples.csv"}, {"json", "sweep-samples.json"}} {
		t.Run(f.format, func(t *testing.T) {
			out, errs, code := runCLI(t, "", "sweep", "--format", f.format, samplesDir)
			if code != 0 || errs != "" {
				t.Fatalf("exit %d, stderr %q", code, errs)
			}
			checkGolden(t, f.file, out)
		})
	}
}

// summary is the part of the JSON summary the tests look into.
type summary struct {
	Totals struct {
		Records, Skipped, Duplicates int64
		InScope                      int64 `json:"in_scope"`
	} `json:"totals"`
	Inputs []struct {
		Path, Format, Error string
		Records, Skipped    int64
	} `json:"inputs"`
	Families []struct {
		Family string
		Events int64
	} `json:"families"`
	Causes []struct {
		Family, Cause string
		Events        int64
	} `json:"causes"`
	SkippedSamples []struct {
		Path   string
		Line   int
		Offset int64
		Reason string
	} `json:"skipped_samples"`
}

// validate checks a JSON summary against the published schema and the counting rules of
// docs/DESIGN.md, and returns it decoded.
func validate(t *testing.T, out string) summary {
	t.Helper()
	schema, err := jsonschema.UnmarshalJSON(bytes.NewReader(report.SchemaJSON))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("summary.schema.json", schema); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("summary.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("summary does not validate against summary.schema.json: %v", err)
	}

	var s summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	set := rules.Default()
	if len(s.Causes) != len(set.Rules) || len(s.Families) != len(set.Families) {
		t.Fatalf("%d causes and %d families, want every one of the rule set (%d, %d)", len(s.Causes), len(s.Families), len(set.Rules), len(set.Families))
	}
	var causes, families, records, skipped int64
	for i, c := range s.Causes {
		if c.Cause != set.Rules[i].ID || c.Family != set.Rules[i].Family {
			t.Errorf("cause %d is %s/%s, want %s/%s (rule order)", i, c.Family, c.Cause, set.Rules[i].Family, set.Rules[i].ID)
		}
		causes += c.Events
	}
	for i, f := range s.Families {
		if f.Family != set.Families[i].ID {
			t.Errorf("family %d is %s, want %s", i, f.Family, set.Families[i].ID)
		}
		families += f.Events
	}
	for _, in := range s.Inputs {
		records += in.Records
		skipped += in.Skipped
	}
	if causes != s.Totals.InScope || families != s.Totals.InScope {
		t.Errorf("in_scope %d, causes sum to %d, families to %d", s.Totals.InScope, causes, families)
	}
	if records != s.Totals.Records || skipped != s.Totals.Skipped {
		t.Errorf("totals records %d skipped %d, inputs sum to %d and %d", s.Totals.Records, s.Totals.Skipped, records, skipped)
	}
	return s
}

// TestCorpus: every record of every public sample is read, none skipped, and the summary
// validates against the schema.
func TestCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("shared/corpus is not beside this checkout")
	}
	out, errs, code := runCLI(t, "", "sweep", "--format", "json", corpusDir)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	s := validate(t, out)
	if s.Totals.Records != 88 || s.Totals.Skipped != 0 {
		t.Errorf("records %d skipped %d, want 88 and 0", s.Totals.Records, s.Totals.Skipped)
	}
	for _, in := range s.Inputs {
		isSource := strings.HasSuffix(in.Path, "SOURCE.md")
		if isSource != (in.Error != "") || (!isSource && in.Records == 0) {
			t.Errorf("input %+v: only SOURCE.md files may fail, and every log has records", in)
		}
	}
	// The two SOURCE.md files are not logs: one clear line each, and the run goes on.
	if n := strings.Count(errs, "SOURCE.md: unknown format"); n != 2 || strings.Count(errs, "\n") != 2 {
		t.Errorf("stderr = %q, want one line for each SOURCE.md", errs)
	}
}

func TestSamplesSummary(t *testing.T) {
	out, _, code := runCLI(t, "", "sweep", "--format", "json", samplesDir)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	s := validate(t, out)
	for _, f := range s.Families {
		if f.Events == 0 {
			t.Errorf("family %s has no events in samples/", f.Family)
		}
	}
	for _, c := range s.Causes {
		if c.Events == 0 {
			t.Errorf("cause %s has no events in samples/", c.Cause)
		}
	}
	if s.Totals.Duplicates != 2 || s.Totals.Skipped != 0 {
		t.Errorf("duplicates %d skipped %d, want the 2 repeated blob records and nothing skipped", s.Totals.Duplicates, s.Totals.Skipped)
	}
	nd, _, _ := runCLI(t, "", "sweep", "--format", "json", "--no-dedupe", samplesDir)
	s2 := validate(t, nd)
	if s2.Totals.Duplicates != 0 || s2.Totals.InScope != s.Totals.InScope+2 || s2.Totals.Records != s.Totals.Records {
		t.Errorf("--no-dedupe: in_scope %d duplicates %d, want %d and 0", s2.Totals.InScope, s2.Totals.Duplicates, s.Totals.InScope+2)
	}
}

// TestMalformedLine: a broken JSON Lines record is skipped and counted with file, line,
// offset and reason; the other lines still count; --strict turns it into exit 4.
func TestMalformedLine(t *testing.T) {
	good := `{"id":"%s","createdDateTime":"2026-11-24T10:00:00Z","userPrincipalName":"u@x.example","status":{"errorCode":70000,"failureReason":"Provided grant is invalid or malformed."}}`
	lines := []string{
		strings.Replace(good, "%s", "a", 1),
		`{"id":"b","status":{"errorCode":70000,"failureReason":"Provided gr`,
		strings.Replace(good, "%s", "c", 1),
	}
	path := filepath.Join(t.TempDir(), "broken.jsonl")
	os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644)

	out, errs, code := runCLI(t, "", "sweep", "--format", "json", path)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	s := validate(t, out)
	if s.Totals.Records != 2 || s.Totals.Skipped != 1 || s.Totals.InScope != 2 {
		t.Errorf("totals %+v, want 2 records, 1 skipped, 2 in scope", s.Totals)
	}
	sk := s.SkippedSamples
	if len(sk) != 1 || sk[0].Path != path || sk[0].Line != 2 || sk[0].Offset != int64(len(lines[0])+1) || !strings.Contains(sk[0].Reason, "control character") {
		t.Errorf("skipped samples %+v, want %s line 2 offset %d", sk, path, len(lines[0])+1)
	}
	if !strings.Contains(errs, "1 record skipped") || !strings.Contains(errs, path+":2") {
		t.Errorf("stderr %q, want a notice naming %s:2", errs, path)
	}
	if _, _, code := runCLI(t, "", "sweep", "--strict", path); code != 4 {
		t.Errorf("--strict exit %d, want 4", code)
	}
}

func TestExitCodes(t *testing.T) {
	one := filepath.Join(samplesDir, "powershell", "one-signin.json")
	missing := filepath.Join(t.TempDir(), "nope.json")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
		stdout string
	}{
		{"no command", nil, 2, "no command given", ""},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`, ""},
		{"no paths", []string{"sweep"}, 2, "give at least one PATH", ""},
		{"bad flag", []string{"sweep", "--bogus", one}, 2, "unknown flag: --bogus", ""},
		{"bad format", []string{"sweep", "--format", "xml", one}, 2, `--format must be table, csv, json, markdown or html, not "xml"`, ""},
		{"bad top", []string{"sweep", "--top", "-1", one}, 2, "--top", ""},
		{"bad input format", []string{"sweep", "--input-format", "xml", one}, 2, `--input-format must be auto, json, csv or parquet, not "xml"`, ""},
		{"events: bad input format", []string{"events", "--input-format", "xml", one}, 2, "--input-format", ""},
		{"help", []string{"help"}, 0, "", "Usage:"},
		{"sweep help", []string{"sweep", "--help"}, 0, "", "Usage: grantsweep sweep"},
		{"version", []string{"version"}, 0, "", "grantsweep dev\n"},
		{"nothing readable", []string{"sweep", missing}, 1, "nothing could be read", ""},
		{"one missing, one good", []string{"sweep", missing, one}, 0, "nope.json", "in scope"},
		{"strict with a missing input", []string{"sweep", "--strict", missing, one}, 4, "1 input failed", ""},
		{"output into a missing directory", []string{"sweep", "-o", filepath.Join(missing, "out.json"), one}, 1, "writing", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := runCLI(t, "", tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.stderr) || !strings.Contains(out, tt.stdout) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q", code, out, errs, tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}

// TestOutputFile: -o writes the whole report and leaves no temporary file behind.
func TestOutputFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.json")
	os.WriteFile(path, []byte("last night's report"), 0o644)
	out, errs, code := runCLI(t, "", "sweep", "--format", "json", "-o", path, samplesDir)
	if code != 0 || out != "" || errs != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	data, _ := os.ReadFile(path)
	validate(t, string(data))
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d files, want only summary.json", len(entries))
	}
	direct, _, _ := runCLI(t, "", "sweep", "--format", "json", samplesDir)
	if string(data) != direct {
		t.Error("-o output differs from standard output")
	}
}

// TestStdin reads a sample from standard input as "-".
func TestStdin(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(samplesDir, "graph", "signIns.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCLI(t, string(data), "sweep", "--format", "json", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	s := validate(t, out)
	if len(s.Inputs) != 1 || s.Inputs[0].Path != "(stdin)" || s.Inputs[0].Records != 50 || s.Inputs[0].Format != "json/lines" {
		t.Errorf("inputs %+v, want (stdin) with 50 JSON Lines records", s.Inputs)
	}

	// Parquet needs random access: standard input is spooled to a temporary file.
	pq, err := os.ReadFile(filepath.Join(samplesDir, "databricks", "signinlogs", "part-00000.snappy.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	out, errs, code = runCLI(t, string(pq), "sweep", "--format", "json", "-")
	if code != 0 {
		t.Fatalf("parquet on stdin: exit %d: %s", code, errs)
	}
	s = validate(t, out)
	if s.Inputs[0].Records != 50 || s.Inputs[0].Format != "parquet/nested" || s.Totals.InScope == 0 {
		t.Errorf("parquet on stdin: inputs %+v", s.Inputs)
	}
}

// TestInputFormat: --input-format reads what detection cannot place (a CSV with one
// known column), in sweep and events alike, from a file or standard input.
func TestInputFormat(t *testing.T) {
	data := "ResultType,Operator\n70000,alice\n0,bob\n"
	path := filepath.Join(t.TempDir(), "export.csv")
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := runCLI(t, "", "sweep", path); code != 1 || !strings.Contains(errs, "unknown") {
		t.Errorf("detected: exit %d, %s; want exit 1 naming an unknown format", code, errs)
	}
	for _, args := range [][]string{{"sweep", "--format", "json", "--input-format", "csv", path}, {"sweep", "--format", "json", "--input-format", "csv", "-"}} {
		out, errs, code := runCLI(t, data, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		if s := validate(t, out); s.Totals.Records != 2 || s.Totals.InScope != 1 || s.Inputs[0].Format != "csv/log-analytics" {
			t.Errorf("%v: totals %+v, inputs %+v; want 2 records, 1 in scope, as CSV", args, s.Totals, s.Inputs)
		}
	}
	out, errs, code := runCLI(t, "", "events", "--input-format", "csv", path)
	if code != 0 || strings.Count(out, "\n") != 2 {
		t.Errorf("events: exit %d, %q, %s; want a header and one event", code, out, errs)
	}
}
