package main

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// pipelineInputs are folders to read whole (samples/, the shared corpus, and a folder
// with a sample twice over, under two names, a file with an undecodable record and one
// cut short) and
// every file in them, one by one.
func pipelineInputs(t *testing.T) (folders, files []string) {
	t.Helper()
	mixed := t.TempDir()
	b, err := os.ReadFile(filepath.Join(samplesDir, "graph", "signIns.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	for name, data := range map[string]string{
		"a.jsonl":   string(b),
		"b.jsonl":   string(b), // every in-scope event again: duplicates across inputs
		"bad.jsonl": strings.Join(lines[:3], "") + "{\"id\": \"broken\", \"status\": {\n" + strings.Join(lines[3:], ""),
		"cut.jsonl": strings.Join(lines[:5], "") + "[1,\n", // an input that ends early, after records
	} {
		if err := os.WriteFile(filepath.Join(mixed, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	folders = []string{samplesDir, corpusDir, mixed}
	for _, dir := range folders {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				files = append(files, p)
			}
			return err
		})
	}
	return folders, files
}

// partialSummary is the part of the JSON summary that says which events are in scope.
type partialSummary struct {
	Totals struct {
		InScope    int64 `json:"in_scope"`
		Skipped    int64 `json:"skipped"`
		Duplicates int64 `json:"duplicates"`
	} `json:"totals"`
	Inputs []struct {
		Path string `json:"path"`
	} `json:"inputs"`
	Partial struct {
		Dedupe       bool     `json:"dedupe"`
		EventColumns []string `json:"event_columns"`
		Events       [][]any  `json:"events"`
	} `json:"partial"`
}

// inScope is the summary's in-scope events, worked out from its partial as docs/DESIGN.md
// says: the first copy of each event id in input order, unless de-duplication is off.
// Each is its file, offset, id, cause, user and IP.
func (s *partialSummary) inScope() []string {
	col := map[string]int{}
	for i, c := range s.Partial.EventColumns {
		col[c] = i
	}
	type ev struct {
		input, offset int64
		id, desc      string
	}
	var evs []ev
	for _, r := range s.Partial.Events {
		e := ev{input: int64(r[col["input"]].(float64)), offset: int64(r[col["offset"]].(float64)), id: r[col["id"]].(string)}
		e.desc = eventKey(s.Inputs[e.input].Path, e.offset, e.id, r[col["cause"]].(string), r[col["user"]].(string), r[col["ip"]].(string))
		evs = append(evs, e)
	}
	slices.SortStableFunc(evs, func(a, b ev) int { return cmp.Or(cmp.Compare(a.input, b.input), cmp.Compare(a.offset, b.offset)) })
	var out []string
	seen := map[string]bool{}
	for _, e := range evs {
		if s.Partial.Dedupe && e.id != "" {
			if seen[e.id] {
				continue
			}
			seen[e.id] = true
		}
		out = append(out, e.desc)
	}
	return out
}

func eventKey(file string, offset int64, id, cause, user, ip string) string {
	return fmt.Sprintf("%s@%d id=%s cause=%s user=%s ip=%s", file, offset, id, cause, user, ip)
}

// listed is what grantsweep events --format jsonl listed, each as inScope gives it.
func listed(t *testing.T, jsonl string) []string {
	t.Helper()
	var out []string
	for line := range strings.Lines(jsonl) {
		var r struct {
			EventID string `json:"event_id"`
			Cause   string `json:"cause"`
			User    string `json:"user"`
			IP      string `json:"ip"`
			File    string `json:"file"`
			Offset  int64  `json:"offset"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("events line %q: %v", line, err)
		}
		out = append(out, eventKey(r.File, r.Offset, r.EventID, r.Cause, r.User, r.IP))
	}
	return out
}

// TestEventsAreTheSummarysInScope: for the same inputs and flags, grantsweep events lists
// exactly the in-scope events of the summary (the same events, in the same order, with
// the same pseudonyms), and says on stderr exactly what sweep says: the inputs that could
// not be read and the records skipped.
func TestEventsAreTheSummarysInScope(t *testing.T) {
	folders, files := pipelineInputs(t)
	all := [][]string{
		nil,
		{"--no-dedupe"},
		{"--no-prefilter"},
		{"--cause", "revoked", "--cause", "grant_invalid"},
		{"--family", "binding"},
		{"--since", "2026-11-24T06:00:00Z", "--until", "2026-11-24T18:00:00Z"},
		{"--user", "adelev@*", "--user", "MEGANB@CONTOSO.COM", "--no-dedupe"},
		{"--app", "Microsoft Teams", "--app", "Contoso*"},
		{"--ip", "203.0.113.0/24", "--ip", "2001:db8:4f::19"},
		{"--redact", "--redact-key", "k", "--family", "expired"},
		{"--redact", "--redact-key", "k", "--no-prefilter", "--no-dedupe", "--since", "2026-11-24T12:00:00Z"},
	}
	few := [][]string{nil, {"--no-dedupe"}, {"--no-prefilter", "--cause", "revoked"}}
	type run struct {
		inputs []string
		flags  [][]string
	}
	runs := []run{{folders, all}}
	for _, f := range folders {
		runs = append(runs, run{[]string{f}, all})
	}
	for _, f := range files {
		runs = append(runs, run{[]string{f}, few})
	}
	var selected, dups, skips bool // the inputs and flags exercise what they should
	for _, r := range runs {
		for _, flags := range r.flags {
			args := append(slices.Clone(flags), r.inputs...)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				out, serr, scode := runCLI(t, "", append([]string{"sweep", "--format", "json"}, args...)...)
				rows, eerr, ecode := runCLI(t, "", append([]string{"events", "--format", "jsonl"}, args...)...)
				if ecode != scode || eerr != serr {
					t.Fatalf("events: exit %d, stderr:\n%s\nsweep: exit %d, stderr:\n%s", ecode, eerr, scode, serr)
				}
				if scode == exitError { // nothing could be read (not a log at all)
					if out != "" || rows != "" {
						t.Fatalf("nothing read, yet sweep wrote %q and events %q", out, rows)
					}
					return
				}
				var s partialSummary
				if err := json.Unmarshal([]byte(out), &s); err != nil {
					t.Fatalf("sweep: exit %d, %v: %s", scode, err, serr)
				}
				got, want := listed(t, rows), s.inScope()
				if int64(len(got)) != s.Totals.InScope || !slices.Equal(got, want) {
					t.Fatalf("events listed %d events, the summary has %d in scope:\n%s\nwant:\n%s",
						len(got), s.Totals.InScope, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				csvOut, _, _ := runCLI(t, "", append([]string{"events"}, args...)...)
				csvRows, err := csv.NewReader(strings.NewReader(csvOut)).ReadAll()
				if err != nil || int64(len(csvRows)-1) != s.Totals.InScope {
					t.Errorf("events as CSV: %d rows (%v), want a header and %d", len(csvRows), err, s.Totals.InScope)
				}
				selected = selected || s.Totals.InScope > 0 && flags != nil
				dups = dups || s.Totals.Duplicates > 0
				skips = skips || s.Totals.Skipped > 0
			})
		}
	}
	if !selected || !dups || !skips {
		t.Errorf("a weak test: filters select events %v, duplicates dropped %v, records skipped %v", selected, dups, skips)
	}
}

// TestEventsStrictAndSkips: events says how many records it skipped, in sweep's words,
// and with --strict exits 4 when records were skipped or inputs failed, rows written.
func TestEventsStrictAndSkips(t *testing.T) {
	folders, _ := pipelineInputs(t)
	mixed := folders[2]
	bad, cut := filepath.Join(mixed, "bad.jsonl"), filepath.Join(mixed, "cut.jsonl")
	missing := filepath.Join(mixed, "missing.json")
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		skipLine bool // stderr says how many records were skipped
		failures int  // inputs stderr names as unread or cut short
	}{
		{"good inputs", []string{"--strict", samplesDir}, exitOK, false, 0},
		{"skipped records", []string{bad}, exitOK, true, 0},
		{"skipped records, strict", []string{"--strict", bad}, exitStrict, true, 0},
		{"an input cut short", []string{cut}, exitOK, true, 1},
		{"an input cut short, strict", []string{"--strict", cut}, exitStrict, true, 1},
		{"an input not found, strict", []string{"--strict", samplesDir, missing}, exitStrict, false, 1},
		{"an input not a log, strict", []string{"--strict", corpusDir}, exitStrict, false, 2},
		{"a folder with all, strict", []string{"--strict", "--cause", "revoked", mixed}, exitStrict, true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := runCLI(t, "", append([]string{"events", "--format", "jsonl"}, tc.args...)...)
			sout, serrs, scode := runCLI(t, "", append([]string{"sweep", "--format", "json"}, tc.args...)...)
			if code != tc.code || code != scode {
				t.Errorf("exit %d, want %d (sweep: %d); stderr:\n%s", code, tc.code, scode, errs)
			}
			if errs != serrs {
				t.Errorf("stderr:\n%s\nsweep's:\n%s", errs, serrs)
			}
			if got := strings.Contains(errs, " skipped as undecodable; first at "); got != tc.skipLine {
				t.Errorf("stderr says records were skipped: %v, want %v:\n%s", got, tc.skipLine, errs)
			}
			if got := strings.Count(errs, " (skipped)\n") + strings.Count(errs, "(what was read before counts)\n") + strings.Count(errs, "no such file"); got != tc.failures {
				t.Errorf("stderr names %d failed inputs, want %d:\n%s", got, tc.failures, errs)
			}
			var s partialSummary
			if err := json.Unmarshal([]byte(sout), &s); err != nil {
				t.Fatal(err)
			}
			if n := int64(strings.Count(out, "\n")); n != s.Totals.InScope || n == 0 && tc.name != "an input not a log, strict" {
				t.Errorf("%d rows written, want the summary's %d in scope", n, s.Totals.InScope)
			}
		})
	}
	// The skip line names the first undecodable record exactly.
	_, errs, _ := runCLI(t, "", "events", bad)
	if want := "grantsweep: 1 record skipped as undecodable; first at " + bad + ":4 (offset "; !strings.HasPrefix(errs, want) {
		t.Errorf("stderr %q, want it to start %q", errs, want)
	}
}

// TestEventsNothingRead: when no input can be read, events exits 1 and writes nothing: no
// header on standard output, and a file named by -o keeps what it held.
func TestEventsNothingRead(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.json")
	for _, format := range []string{"csv", "jsonl"} {
		out, errs, code := runCLI(t, "", "events", "--format", format, missing)
		if code != exitError || out != "" || !strings.HasSuffix(errs, "grantsweep: nothing could be read\n") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 1, nothing written, and why", format, code, out, errs)
		}
		path := filepath.Join(dir, "events."+format)
		if err := os.WriteFile(path, []byte("yesterday's rows\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, errs, code = runCLI(t, "", "events", "--format", format, "-o", path, missing)
		if b, _ := os.ReadFile(path); code != exitError || string(b) != "yesterday's rows\n" || !strings.HasSuffix(errs, "grantsweep: nothing could be read\n") {
			t.Errorf("%s -o: exit %d, the file holds %q, stderr %q; want 1 and the file as it was", format, code, b, errs)
		}
	}
}

// TestEventsMatchSectionedSweep: when sweep reads large files in sections, in parallel,
// events (which reads each file whole) still lists exactly its in-scope events: sections'
// offsets are the file's, so the first copy of an event is the same.
func TestEventsMatchSectionedSweep(t *testing.T) {
	old := splitAbove
	splitAbove = 1 << 10
	defer func() { splitAbove = old }()
	folders, _ := pipelineInputs(t)
	for _, flags := range [][]string{nil, {"--no-dedupe"}, {"--family", "revoked"}} {
		args := append(slices.Clone(flags), folders...)
		t.Run(strings.Join(flags, " "), func(t *testing.T) {
			out, serr, scode := runCLI(t, "", append([]string{"sweep", "--format", "json", "--workers", "4"}, args...)...)
			rows, eerr, ecode := runCLI(t, "", append([]string{"events", "--format", "jsonl"}, args...)...)
			// Not stderr: sweep's sections word some errors apart from a whole read (a
			// cut-short input's line counts from its section; a truncated record's reason
			// names where its section ends).
			if ecode != scode {
				t.Fatalf("events: exit %d, stderr:\n%s\nsweep: exit %d, stderr:\n%s", ecode, eerr, scode, serr)
			}
			var s partialSummary
			if err := json.Unmarshal([]byte(out), &s); err != nil {
				t.Fatal(err)
			}
			if got, want := listed(t, rows), s.inScope(); int64(len(got)) != s.Totals.InScope || !slices.Equal(got, want) {
				t.Fatalf("events listed %d events, the summary has %d in scope", len(got), s.Totals.InScope)
			}
		})
	}
}
