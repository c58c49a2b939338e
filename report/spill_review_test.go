package report

import (
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/report/spill"
	"github.com/grantsweep/grantsweep/rules"
)

// Was a bug, fixed (store.go Summary.Close): Close lets go of what the summary spilled but not of the
// events, strings and ids it holds in memory, which stay counted in the budget: Used
// never comes back to 0 (readInputs closes the sections of a file it reads again whole,
// and their events stay counted for the rest of the run).
func TestReviewSummaryCloseReleasesBudget(t *testing.T) {
	budget := spill.NewBudget(1<<30, t.TempDir())
	defer budget.Close()
	s := sweepInto(t, budget, true, samplePaths(t))
	if s.Spilled() || budget.Used() == 0 {
		t.Fatalf("spilled %v, %d bytes held: want the events held in memory", s.Spilled(), budget.Used())
	}
	var out bytes.Buffer
	if err := s.Write(&out, FormatJSON, validateOpts); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if n := budget.Used(); n != 0 {
		t.Errorf("Budget.Used after the only summary was closed = %d, want 0", n)
	}
}

// Was a bug, fixed (partial.go decodeSummary/readStored/fromStored/ReadBaselineIn): the events of a
// summary read back are buffered in a sorter of the run's budget that only
// storedEvents.each closes. Where each is not reached it stays: a --baseline made with
// another rule set (compared without its events) keeps its whole partial buffered, in
// the budget or on disk, for the whole run; a summary refused before its events are read
// leaves them counted and its runs on disk until the budget is closed.
func TestReviewStoredEventsLeft(t *testing.T) {
	in := sweepJSON(t, true, samplePaths(t)...)
	t.Run("baseline of another rule set", func(t *testing.T) {
		other, err := rules.Load([]byte("rules:\n  - id: revoked\n    when: [{codes: [50173]}]\n"), "extra.yaml", rules.Default(), rules.ModeExtend)
		if err != nil {
			t.Fatal(err)
		}
		budget := spill.NewBudget(1<<30, t.TempDir())
		defer budget.Close()
		if _, err := ReadBaselineIn(bytes.NewReader(in), "b.json", other, budget); err != nil {
			t.Fatal(err)
		}
		if n := budget.Used(); n != 0 {
			t.Errorf("Budget.Used after reading a baseline of another rule set = %d, want 0: nothing of its events is used", n)
		}
	})
	t.Run("refused summary", func(t *testing.T) {
		bad := bytes.Replace(in, []byte(`"event_columns": [`), []byte(`"event_columns": ["extra", `), 1)
		budget := spill.NewBudget(1, t.TempDir())
		defer budget.Close()
		_, err := ReadSummaryIn(bytes.NewReader(bad), "bad.json", rules.Default(), budget)
		if err == nil {
			t.Fatal("a summary with other event_columns was read")
		}
		var left []os.DirEntry
		if d := budget.Dir(); d != "" {
			left, _ = os.ReadDir(d)
		}
		if n := budget.Used(); n != 0 || len(left) != 0 {
			t.Errorf("after refusing a summary for its event_columns: Budget.Used = %d and %d runs on disk, want 0 and none", n, len(left))
		}
	})
}

// distinctEvents is n in-scope events, each with its own id, user and position, and 50 apps.
func distinctEvents(n int) []parse.Event {
	base := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	var evs []parse.Event
	for i := range n {
		evs = append(evs, parse.Event{ID: "id-" + strconv.Itoa(i), ErrorCode: 50173, User: "user" + strconv.Itoa(i) + "@x",
			App: "app" + strconv.Itoa(i%50), IP: "192.0.2.1", Time: base.Add(time.Duration(i) * time.Second),
			Pos: parse.Position{Offset: int64(i) * 100, Line: i + 1}})
	}
	return evs
}

// Was a bug, fixed (nightly.go delta, viewext.go tableCounts): the baseline's movers are read from its
// spilled runs, and an error reading them goes into the baseline summary's own error,
// which nothing looks at: the report is written, without an error, from what could be
// read (here: the runs were removed, as a /tmp cleaner would during a long run).
func TestReviewBaselineSpillErrorSwallowed(t *testing.T) {
	evs := distinctEvents(1500)
	build := func() *Summary {
		s := New(rules.Default())
		s.Dedupe = true
		add(s, evs...)
		s.Inputs = append(s.Inputs, Input{Path: "x", Records: int64(len(evs))})
		return s
	}
	var js bytes.Buffer
	if err := build().Write(&js, FormatJSON, validateOpts); err != nil {
		t.Fatal(err)
	}
	budget := spill.NewBudget(1, t.TempDir())
	defer budget.Close()
	b, err := ReadBaselineIn(bytes.NewReader(js.Bytes()), "b.json", rules.Default(), budget)
	if err != nil {
		t.Fatal(err)
	}
	s := build()
	add(s, parse.Event{ID: "new", ErrorCode: 50173, User: "new@x", App: "newapp", Pos: parse.Position{Offset: 1 << 40}})
	opts := Options{Top: 3, GeneratedBy: "test", Baseline: b}
	var want, got bytes.Buffer
	if err := s.Write(&want, FormatJSON, opts); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(budget.Dir()); err != nil {
		t.Fatal(err)
	}
	err = s.Write(&got, FormatJSON, opts)
	if err == nil && !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("the baseline's spilled runs gone, Write returned no error and another report:\n%s", firstLineDiff(got.Bytes(), want.Bytes()))
	}
}

// Was a bug, fixed (viewext.go computeExt, the events sorter of pass 1): the partial lists the events
// in input, offset and position order; in memory, events equal in all three keep the
// order they were added in (a stable sort), but from spilled runs they come in the order
// of their ids, pass 1's order, so the JSON summary differs. Events added through
// Summary.Add without a position (Pos zero) are such events.
func TestReviewPartialOrderOfEqualPositions(t *testing.T) {
	var evs []parse.Event
	for i := range 40 {
		evs = append(evs, parse.Event{ID: []string{"z", "a", "m", ""}[i%4] + strconv.Itoa(i), ErrorCode: 50173, User: "u" + strconv.Itoa(i%7)})
	}
	build := func(budget *spill.Budget) *Summary {
		s := New(rules.Default())
		s.Dedupe = true
		s.SetBudget(budget)
		add(s, evs...)
		s.Inputs = append(s.Inputs, Input{Path: "x", Records: int64(len(evs))})
		return s
	}
	budget := spill.NewBudget(1, t.TempDir())
	defer budget.Close()
	mem, ext := build(nil), build(budget)
	if !ext.Spilled() {
		t.Fatal("nothing spilled within 1 byte")
	}
	want, got := renderAll(t, mem, validateOpts), renderAll(t, ext, validateOpts)
	for f := range want {
		if !bytes.Equal(got[f], want[f]) {
			t.Errorf("%s differs when spilled:\n%s", f, firstLineDiff(got[f], want[f]))
		}
	}
}

// Was a bug, fixed (partial.go decodeSummary, readTables, memberName): decodeSummary is to decode "as
// encoding/json would (members matched by name, case-insensitively; unknown ones
// ignored)", as readStored did before. It refuses an unknown member of tables that is
// not an array, and it matches names with strings.ToLower, not encoding/json's Unicode
// case folding ("\u017fchema" is schema to encoding/json, unknown to decodeSummary).
func TestReviewDecodeSummaryAsEncodingJSON(t *testing.T) {
	in := sweepJSON(t, true, samplePaths(t)[:3]...)
	for _, c := range []struct{ name, old, new string }{
		{"unknown member of tables, not an array", `"tables": {`, `"tables": {"note": "added later",`},
		{"unknown member of tables, an object", `"tables": {`, `"tables": {"by_week": {"rows": []},`},
		{"a member name that folds to schema", `"schema"`, `"\u017fchema"`},
	} {
		doc := bytes.Replace(in, []byte(c.old), []byte(c.new), 1)
		if bytes.Equal(doc, in) {
			t.Fatalf("%s: %s not found", c.name, c.old)
		}
		var raw rawSummary
		if err := json.Unmarshal(doc, &raw); err != nil || raw.Schema != Schema {
			t.Fatalf("%s: encoding/json: %v, schema %q", c.name, err, raw.Schema)
		}
		if _, err := ReadSummary(bytes.NewReader(doc), "s.json", rules.Default()); err != nil {
			t.Errorf("%s: ReadSummary = %v; encoding/json reads it (the member ignored or matched)", c.name, err)
		}
	}
}

// Sections of one file (MergeSection: the same input, offsets of the whole file) held
// partly in memory and partly spilled, with budgets from 1 byte to a few runs, render
// what they render in memory.
func TestReviewMergeSectionMixedSpill(t *testing.T) {
	lists := fuzzEvents(bytes.Repeat([]byte("0123456789abcdefghijklmnopqrstuvwxyz!@#$%^&*()_+ABCDEFGHIJKLMNOPQ"), 60))
	var all []parse.Event
	for _, l := range lists {
		all = append(all, l...)
	}
	for i := range all {
		all[i].Pos = parse.Position{Offset: int64(i/3) * 7, Line: i + 1} // three a row group
	}
	build := func(budget *spill.Budget, cuts []int) *Summary {
		var sum *Summary
		prev := 0
		for _, c := range append(cuts, len(all)) {
			s := New(rules.Default())
			s.Dedupe = true
			s.SetBudget(budget)
			add(s, all[prev:c]...)
			s.Inputs = append(s.Inputs, Input{Path: "f", Records: int64(c - prev)})
			if sum == nil {
				sum = s
			} else {
				sum.MergeSection(s, 0)
			}
			prev = c
		}
		return sum
	}
	for _, cuts := range [][]int{{5}, {len(all) - 5}, {99, 201, 300}} {
		mem := build(nil, cuts)
		for _, limit := range []int64{1, 2 << 10, 8 << 10, 32 << 10} {
			budget := spill.NewBudget(limit, t.TempDir())
			ext := build(budget, cuts)
			for _, top := range []int{0, 2} {
				opts := Options{Top: top, GeneratedBy: "test"}
				want, got := renderAll(t, mem, opts), renderAll(t, ext, opts)
				for f := range want {
					if !bytes.Equal(got[f], want[f]) {
						t.Errorf("sections cut at %v, budget %d, top %d: %s differs:\n%s", cuts, limit, top, f, firstLineDiff(got[f], want[f]))
					}
				}
			}
			ext.Close()
			if err := budget.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// Partials read back within budgets from 1 byte to 256 KiB (each partly spilled, partly
// in memory, their positions their index) and merged render what they render read back
// in memory.
func TestReviewMergeReadBackMixedSpill(t *testing.T) {
	paths := spillInputs(t)
	var parts [][]byte
	for i := 0; i < len(paths); i += 3 {
		var b bytes.Buffer
		if err := sweepInto(t, nil, true, paths[i:min(i+3, len(paths))]).Write(&b, FormatJSON, validateOpts); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, b.Bytes())
	}
	merge := func(budget *spill.Budget) *Summary {
		var sum *Summary
		for i, p := range parts {
			s, err := ReadSummaryIn(bytes.NewReader(p), "part-"+strconv.Itoa(i)+".json", rules.Default(), budget)
			if err != nil {
				t.Fatal(err)
			}
			if sum == nil {
				sum = s
			} else {
				sum.Merge(s)
			}
		}
		return sum
	}
	mem := merge(nil)
	for _, limit := range []int64{1, 4 << 10, 64 << 10, 256 << 10} {
		budget := spill.NewBudget(limit, t.TempDir())
		ext := merge(budget)
		for _, top := range []int{0, 3} {
			opts := Options{Top: top, GeneratedBy: "test"}
			want, got := renderAll(t, mem, opts), renderAll(t, ext, opts)
			for f := range want {
				if !bytes.Equal(got[f], want[f]) {
					t.Errorf("budget %d, top %d: %s differs:\n%s", limit, top, f, firstLineDiff(got[f], want[f]))
				}
			}
		}
		ext.Close()
		if err := budget.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
