package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// noJobs fails the test if any input is read while it is in force: outputs are checked
// before that.
func noJobs(t *testing.T) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	jobHook = func(string) { n.Add(1) }
	t.Cleanup(func() { jobHook = nil })
	return &n
}

// TestOutputsCheckedFirst: an -o or --out that cannot be written is found before any
// input is read, names the path the user gave (never a temporary file), writes nothing
// to standard output, and leaves no probe file behind.
func TestOutputsCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	os.WriteFile(file, []byte("x"), 0o644)
	proc := unwritableDir(t)
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"-o in a missing directory", []string{"sweep", "-o", filepath.Join(dir, "nope", "out.json")}, "writing " + filepath.Join(dir, "nope", "out.json") + ": cannot create files in " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"-o in an unwritable directory", []string{"sweep", "-o", filepath.Join(proc, "out.json")}, "writing " + filepath.Join(proc, "out.json") + ": cannot create files in " + proc},
		{"-o a directory", []string{"sweep", "-o", dir}, "writing " + dir + ": is a directory"},
		{"--out under a file", []string{"sweep", "--out", filepath.Join(file, "report")}, "--out " + filepath.Join(file, "report") + ": " + file + " is not a directory"},
		{"--out a file", []string{"sweep", "--out", file}, "--out " + file + ": not a directory"},
		{"--out unwritable", []string{"sweep", "--out", filepath.Join(proc, "report", "x")}, "--out " + filepath.Join(proc, "report", "x") + ": cannot create files in " + proc},
		{"merge -o", []string{"merge", "-o", filepath.Join(dir, "nope", "m.json")}, "writing " + filepath.Join(dir, "nope", "m.json")},
		{"events -o", []string{"events", "-o", filepath.Join(dir, "nope", "e.csv")}, "writing " + filepath.Join(dir, "nope", "e.csv")},
	}
	summary := sweepJSON(t, t.TempDir(), "s.json", samplesDir+"/graph")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jobs := noJobs(t)
			input := samplesDir
			if tt.args[0] == "merge" {
				input = summary
			}
			out, errs, code := runCLI(t, "", append(tt.args, input)...)
			if code != 1 || !strings.Contains(errs, tt.stderr) || out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 1, nothing, %q", code, out, errs, tt.stderr)
			}
			if strings.Contains(errs, ".tmp") || strings.Contains(errs, "probe") {
				t.Errorf("stderr names a temporary file: %q", errs)
			}
			if n := jobs.Load(); n > 0 {
				t.Errorf("%d inputs were read before the output was found unwritable", n)
			}
		})
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("%d entries in %s, want only a-file: a probe was left", len(ents), dir)
	}
}

// TestOutputFailsLate: an output that stops being writable while the inputs are read
// (its directory removed) fails at the end naming the user's path, not the temporary
// file; and when --out fails, the report has not gone to standard output.
func TestOutputFailsLate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reports")
	os.Mkdir(dir, 0o755)
	jobHook = func(string) { os.RemoveAll(dir) }
	defer func() { jobHook = nil }()
	path := filepath.Join(dir, "out.json")
	out, errs, code := runCLI(t, "", "sweep", "--format", "json", "-o", path, "--workers", "1", samplesDir+"/graph")
	want := "grantsweep: writing " + path + ": cannot create files in " + dir + ": no such file or directory\n"
	if code != 1 || errs != want || out != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1, nothing, %q", code, out, errs, want)
	}

	// --out's parent turns into a file: nothing reaches standard output.
	parent := filepath.Join(t.TempDir(), "p")
	os.Mkdir(parent, 0o755)
	jobHook = func(string) {
		os.RemoveAll(parent)
		os.WriteFile(parent, nil, 0o644)
	}
	out, errs, code = runCLI(t, "", "sweep", "--out", filepath.Join(parent, "report"), "--workers", "1", samplesDir+"/graph")
	if code != 1 || out != "" || !strings.Contains(errs, "--out") {
		t.Errorf("exit %d, stdout %.80q, stderr %q; want 1, nothing on stdout, --out named", code, out, errs)
	}
}

// TestMissingBaseline: the nightly script's first night has no summary of the night
// before. A missing --baseline is a note on stderr and a report without comparison;
// --baseline-required makes it a usage error; a baseline that exists but cannot be read,
// or is no summary, stays one.
func TestMissingBaseline(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "2026-11-23.json")
	corrupt := filepath.Join(dir, "corrupt.json")
	os.WriteFile(corrupt, []byte(`{"schema": "grantsweep.summary/v1", "totals": `), 0o644)
	good := sweepJSON(t, dir, "good.json", samplesDir+"/graph")
	for _, cmd := range [][]string{{"sweep", samplesDir + "/graph"}, {"merge", good}} {
		out, errs, code := runCLI(t, "", append([]string{cmd[0], "--format", "json", "--baseline", missing}, cmd[1:]...)...)
		note := "grantsweep: --baseline " + missing + ": no such file; the report has no comparison (--baseline-required makes this an error)\n"
		if code != 0 || errs != note || strings.Contains(out, `"baseline"`) {
			t.Errorf("%s with a missing baseline: exit %d, stderr %q, baseline in the report: %v; want 0, %q, none", cmd[0], code, errs, strings.Contains(out, `"baseline"`), note)
		}
		validate(t, out)
		for _, tt := range []struct {
			args   []string
			stderr string
		}{
			{[]string{"--baseline", missing, "--baseline-required"}, "no such file or directory"},
			{[]string{"--baseline", corrupt}, "corrupt.json"},
			{[]string{"--baseline", dir}, "is a directory"},
			{[]string{"--baseline-required"}, "--baseline-required without --baseline"},
		} {
			jobs := noJobs(t)
			out, errs, code := runCLI(t, "", append(append([]string{cmd[0]}, tt.args...), cmd[1:]...)...)
			if code != 2 || !strings.Contains(errs, tt.stderr) || out != "" || jobs.Load() > 0 {
				t.Errorf("%s %v: exit %d, stdout %.40q, stderr %q, %d inputs read; want 2, nothing, %q, none", cmd[0], tt.args, code, out, errs, jobs.Load(), tt.stderr)
			}
		}
		jobHook = nil
	}
}

// TestRedactKeyAlone: --redact-key without --redact used to redact nothing, silently.
func TestRedactKeyAlone(t *testing.T) {
	for _, cmd := range []string{"sweep", "events"} {
		out, errs, code := runCLI(t, "", cmd, "--redact-key", "k1", samplesDir+"/graph")
		if code != 2 || out != "" || !strings.Contains(errs, "--redact-key without --redact") {
			t.Errorf("%s --redact-key alone: exit %d, stdout %.40q, stderr %q; want 2 and nothing written", cmd, code, out, errs)
		}
	}
	if _, errs, code := runCLI(t, "", "sweep", "--redact", "--redact-key", "k1", samplesDir+"/graph"); code != 0 {
		t.Errorf("--redact --redact-key: exit %d: %s", code, errs)
	}
}

// TestPlurals: a count of one says so in every message and report header: "1 record",
// "1 input failed", "1 duplicate copy dropped".
func TestPlurals(t *testing.T) {
	dir := t.TempDir()
	rec := graphRecord("e1", 70008, "")
	one := filepath.Join(dir, "one.jsonl")
	os.WriteFile(one, []byte(rec+"\n"+rec+"\n"+`{"id": "broken"`+"\n"), 0o644)
	missing := filepath.Join(dir, "missing.jsonl")
	out, errs, code := runCLI(t, "", "sweep", "--strict", one, missing)
	for _, want := range []string{"2 records from 1 input (1 skipped)", "1 invalid-grant failure in scope (50.0% of records), 1 duplicate copy dropped", "1 record could not be decoded"} {
		if !strings.Contains(out, want) {
			t.Errorf("table: no %q in\n%.400s", want, out)
		}
	}
	for _, want := range []string{"grantsweep: 1 record skipped as undecodable;", "grantsweep: strict: 1 record skipped, 1 input failed"} {
		if code != 4 || !strings.Contains(errs, want) {
			t.Errorf("exit %d, stderr %q; want 4 and %q", code, errs, want)
		}
	}
	for _, f := range []string{"markdown", "html"} {
		out := mustRunCode(t, 0, "sweep", "--format", f, one)
		if !strings.Contains(out, "2 records from 1 input (1 skipped)") || !strings.Contains(out, "1 duplicate copy dropped") {
			t.Errorf("%s: the counts are not in the singular: %.300s", f, out)
		}
	}
	var buf strings.Builder
	p, err := startProgress("always", &buf, []string{one})
	if err != nil {
		t.Fatal(err)
	}
	p.draw(time.Second)
	p.finish()
	if !strings.Contains(buf.String(), ", 0 of 1 input, ") {
		t.Errorf("progress: %q", buf.String())
	}
	rules := filepath.Join(dir, "r.yaml")
	os.WriteFile(rules, []byte("families:\n  - {id: only, label: Only}\nrules:\n  - id: all\n    family: only\n    label: All\n    when: [{codes: [70008]}]\n    remediation: None\n"), 0o644)
	if out := mustRunCode(t, 0, "rules", "check", "--rules-mode", "replace", rules); !strings.Contains(out, "ok, 1 rule in 1 family (replace mode)") {
		t.Errorf("rules check: %q", out)
	}
}

// mustRunCode runs the command and fails the test unless it exits with code.
func mustRunCode(t *testing.T, code int, args ...string) string {
	t.Helper()
	out, errs, got := runCLI(t, "", args...)
	if got != code {
		t.Fatalf("%v: exit %d, want %d: %s", args, got, code, errs)
	}
	return out
}
