package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tinyMemory lets --memory go down to 1 byte, so that every in-scope event spills.
func tinyMemory(t *testing.T) {
	old := minMemory
	minMemory = 1
	t.Cleanup(func() { minMemory = old })
}

// spillTree is samples/, the public corpus when it is beside the checkout, and a copy
// of samples/ whose every in-scope event is a duplicate of the first copy's.
func spillTree(t *testing.T) []string {
	dir := t.TempDir()
	copyTree(t, "../../samples", filepath.Join(dir, "z-copy"))
	args := []string{"../../samples", dir}
	if _, err := os.Stat(corpusDir); err == nil {
		args = append(args, corpusDir)
	}
	return args
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMemoryBudgetSameResult: a sweep whose every in-scope event spills to disk writes
// every report byte for byte as the sweep that holds them in memory, with one worker or
// two, whole files or sections; it says how much it spilled and leaves nothing behind.
func TestMemoryBudgetSameResult(t *testing.T) {
	tinyMemory(t)
	inputs := spillTree(t)
	spillDir := t.TempDir()
	old := splitAbove
	t.Cleanup(func() { splitAbove = old })
	for _, split := range []int64{old, 1} {
		splitAbove = split
		for _, flags := range [][]string{
			{"--format", "json"}, {"--format", "json", "--no-dedupe"}, {"--format", "table", "--top", "0"},
			{"--format", "markdown", "--top", "3"}, {"--format", "html"}, {"--format", "csv"},
			{"--format", "json", "--since", "2026-11-24T06:00:00Z", "--top", "0"},
			{"--format", "json", "--tz", "Asia/Kolkata"}, // by_time's hours start at half past
		} {
			for _, workers := range []string{"1", "2"} {
				if split == 1 && workers == "1" {
					continue // sections need two workers
				}
				args := append([]string{"sweep", "--workers", workers}, flags...)
				want, werr, wcode := runCLI(t, "", append(args, inputs...)...)
				got, gerr, gcode := runCLI(t, "", append(append(args, "--memory", "1", "--spill-dir", spillDir), inputs...)...)
				if wcode != gcode || got != want {
					t.Fatalf("%v split %d: spilled, exit %d and %d bytes; in memory exit %d and %d bytes; first difference: %s",
						args, split, gcode, len(got), wcode, len(want), firstDiff(got, want))
				}
				if strings.Contains(werr, "spilled") || !strings.Contains(gerr, "grantsweep: spilled ") || !strings.Contains(gerr, "(memory budget 1 byte)") {
					t.Fatalf("%v: stderr in memory %q; spilled %q", args, werr, gerr)
				}
				if ents, _ := os.ReadDir(spillDir); len(ents) > 0 {
					t.Fatalf("%v: %d entries left in --spill-dir", args, len(ents))
				}
			}
		}
	}
}

// TestMemoryBudgetByTime: four months of events, and a copy of them, spilled to disk
// (within 256 KiB: a run every thousand events or so, not one an event) give the reports
// in memory: by_time in days and in hours, in zones of whole and half hours, whole files
// or sections.
func TestMemoryBudgetByTime(t *testing.T) {
	tinyMemory(t)
	dir := t.TempDir()
	in := fourMonths(t, dir)
	b, _ := os.ReadFile(in)
	os.WriteFile(filepath.Join(dir, "z-copy.jsonl"), b, 0o644)
	old := splitAbove
	t.Cleanup(func() { splitAbove = old })
	for _, c := range []struct {
		split int64
		flags []string
	}{
		{old, []string{"--format", "json", "--tz", "Europe/Amsterdam"}},
		{1, []string{"--format", "table", "--tz", "Asia/Kolkata"}},
		{old, []string{"--format", "markdown", "--since", "2026-03-16T00:00:00Z", "--until", "2026-03-19T00:00:00Z"}}, // hours
	} {
		splitAbove = c.split
		args := append(append([]string{"sweep", "--workers", "2"}, c.flags...), dir)
		want, _, wcode := runCLI(t, "", args...)
		got, gerr, gcode := runCLI(t, "", append(args, "--memory", "256KiB")...)
		if wcode != 0 || gcode != 0 || got != want || !strings.Contains(gerr, "grantsweep: spilled ") {
			t.Fatalf("%v split %d: spilled, exit %d (%s); in memory exit %d; first difference: %s", args, c.split, gcode, gerr, wcode, firstDiff(got, want))
		}
	}
}

// TestMergeWithinBudget: merge of partials within a budget of 1 byte gives the merge in
// memory, and that is the sweep of all the inputs at once.
func TestMergeWithinBudget(t *testing.T) {
	tinyMemory(t)
	dir := t.TempDir()
	inputs := slices.Sorted(slices.Values(spillTree(t))) // the partials in the sweep's order of inputs
	var parts []string
	for i, in := range inputs {
		p := filepath.Join(dir, "part-"+string(rune('a'+i))+".json")
		mustRun(t, append([]string{"sweep", "--format", "json", "--memory", "1", "-o", p}, in)...)
		parts = append(parts, p)
	}
	whole := mustRun(t, append([]string{"sweep", "--format", "json"}, inputs...)...)
	inMem := mustRun(t, append([]string{"merge", "--format", "json"}, parts...)...)
	spilled, errs, code := runCLI(t, "", append([]string{"merge", "--format", "json", "--memory", "1"}, parts...)...)
	if code != 0 || spilled != inMem || !strings.Contains(errs, "grantsweep: spilled ") {
		t.Fatalf("merge within 1 byte: exit %d, %s; first difference from the merge in memory: %s", code, errs, firstDiff(spilled, inMem))
	}
	if spilled != whole {
		t.Fatalf("the merge is not the sweep of all inputs: %s", firstDiff(spilled, whole))
	}
}

// TestPartialFalse: --partial=false writes the summary without its partial, which merge
// refuses, naming what is missing.
func TestPartialFalse(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.json")
	mustRun(t, "sweep", "--format", "json", "--partial=false", "-o", p, "../../samples")
	b, _ := os.ReadFile(p)
	if strings.Contains(string(b), "\"partial\"") || !strings.Contains(string(b), "\"causes\"") {
		t.Fatalf("--partial=false: the summary has a partial, or no causes")
	}
	_, errs, code := runCLI(t, "", "merge", p)
	if code != 2 || !strings.Contains(errs, "partial: missing") {
		t.Fatalf("merge of a summary without partial: exit %d, %s", code, errs)
	}
}

// TestMemoryFlagErrors: a bad --memory or --spill-dir is a usage error, named.
func TestMemoryFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep", "--memory", "lots", "../../samples"}, `--memory: "lots" is not a size`},
		{[]string{"sweep", "--memory", "64XB", "../../samples"}, `unknown unit "XB"`},
		{[]string{"sweep", "--memory", "1MiB", "../../samples"}, "want at least 16 MiB"},
		{[]string{"sweep", "--spill-dir", "/nonexistent/dir", "../../samples"}, "--spill-dir /nonexistent/dir"},
		{[]string{"merge", "--memory", "0", "x.json"}, "want at least 16 MiB"},
	} {
		_, errs, code := runCLI(t, "", c.args...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want exit 2 and %q", c.args, code, errs, c.want)
		}
	}
	for _, c := range []struct {
		in   string
		want int64
	}{{"64MiB", 64 << 20}, {"64M", 64 << 20}, {"1.5GiB", 3 << 29}, {"512MB", 512e6}, {"4096", 4096}, {" 2 GiB", 2 << 30}} {
		if n, err := parseSize(c.in); err != nil || n != c.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", c.in, n, err, c.want)
		}
	}
}
