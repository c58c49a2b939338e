package report

import (
	"cmp"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/rules"
)

// TestDeduperIsTheSummaryRule: a Deduper fed in-scope ids in input order keeps exactly the
// events the summary keeps when it renders, for ids of every spelling.
func TestDeduperIsTheSummaryRule(t *testing.T) {
	const u = "0b9f5e7c-1d2a-4c3b-9e8f-a1b2c3d4e5f6"
	for _, tc := range []struct {
		name string
		ids  []string
		want int // events kept
	}{
		{"no ids", []string{"", "", ""}, 3},
		{"one UUID twice", []string{u, u}, 1},
		{"spellings of one UUID are distinct ids", []string{u, strings.ToUpper(u), "{" + u + "}", strings.ReplaceAll(u, "-", ""), u}, 4},
		{"other ids", []string{"x", "y", "x", "", "y", "z"}, 4},
		{"a string id that looks like half a UUID", []string{u[:8], u, u[:8]}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(rules.Default())
			d := NewDeduper()
			kept := 0
			for i, id := range tc.ids {
				add(s, parse.Event{ID: id, ErrorCode: 70000, Pos: parse.Position{Offset: int64(i)}})
				if d.First(id) {
					kept++
				}
			}
			s.Inputs = append(s.Inputs, Input{Path: "x"})
			v := s.compute(0)
			if int64(kept) != v.inScope || kept != tc.want || v.duplicates != int64(len(tc.ids)-kept) {
				t.Errorf("Deduper kept %d, the summary %d (%d duplicates), want %d", kept, v.inScope, v.duplicates, tc.want)
			}
			var none *Deduper
			for _, id := range tc.ids {
				if !none.First(id) {
					t.Errorf("a nil Deduper dropped %q", id)
				}
			}
		})
	}
}

// selectInputs are the samples, a sample with an undecodable record among good ones, and
// a sample read twice (every in-scope event a duplicate the second time).
func selectInputs(t *testing.T) []string {
	t.Helper()
	paths := samplePaths(t)
	b, err := os.ReadFile("../samples/graph/signIns.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	broken := strings.Join(lines[:2], "") + "{\"id\": \"broken\", \"status\": {\n" + strings.Join(lines[2:], "")
	if err := os.WriteFile(bad, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	return append(paths, bad, "../samples/graph/signIns.jsonl")
}

// TestSelectIsSummaryRead: for each selection, the records Select hands on, de-duplicated
// by a Deduper, are the summary's in-scope events, and its counts are the summary's.
func TestSelectIsSummaryRead(t *testing.T) {
	set := rules.Default()
	paths := selectInputs(t)
	for _, tc := range []struct {
		name string
		sel  Selection
	}{
		{"all", Selection{}},
		{"no prefilter", Selection{Decode: true}},
		{"causes", Selection{Filter: &Filter{Causes: []string{"revoked", "grant_invalid"}}}},
		{"families", Selection{Filter: &Filter{Families: []string{"binding"}}}},
		{"users", Selection{Filter: &Filter{Users: []string{"a*"}}, Redactor: NewRedactor("k")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sel := tc.sel
			sel.Rules = set
			s := New(set)
			s.Filter, s.Redactor, s.Decode = sel.Filter, sel.Redactor, sel.Decode
			d := NewDeduper()
			var got Counts
			var listed []string // id and cause of each event kept
			var skips []Skip
			for _, p := range paths {
				readFiles(t, s, p)
				in, _ := parse.OpenWith(p, nil, parse.OpenOptions{})
				n, err := Select(in, &sel, Sink{
					Record: func(ev *parse.Event, m rules.Match, inScope bool) error {
						if inScope && d.First(ev.ID) {
							listed = append(listed, ev.ID+" "+set.Rules[m.Rule].ID)
						}
						return nil
					},
					Skip: func(e *parse.RecordError) { skips = append(skips, NewSkip(e)) },
				})
				in.Close()
				if err != nil {
					t.Fatal(err)
				}
				got.Records, got.Skipped, got.Filtered = got.Records+n.Records, got.Skipped+n.Skipped, got.Filtered+n.Filtered
			}
			var want Counts
			for _, in := range s.Inputs {
				want.Records, want.Skipped, want.Filtered = want.Records+in.Records, want.Skipped+in.Skipped, want.Filtered+in.Filtered
			}
			if got != want || got.Records != s.Records || got.Skipped != s.Skipped {
				t.Errorf("Select counted %+v, the summary %+v", got, want)
			}
			if got.Skipped != 1 || !slices.Equal(skips, s.Samples) {
				t.Errorf("skips %v, the summary's samples %v; want the one broken record", skips, s.Samples)
			}
			v := s.compute(0)
			if int64(len(listed)) != v.inScope || v.duplicates == 0 || v.inScope == 0 {
				t.Fatalf("Select and a Deduper kept %d events, the summary %d in scope and %d duplicates", len(listed), v.inScope, v.duplicates)
			}
			// The same events: the first copy of each id in (input, offset) order, here
			// worked out without a Deduper.
			var order []*entry
			for e := range s.events.all() {
				order = append(order, e)
			}
			slices.SortStableFunc(order, func(a, b *entry) int { return cmp.Or(cmp.Compare(a.input, b.input), cmp.Compare(a.offset, b.offset)) })
			var first []string
			seen := map[string]bool{}
			for _, e := range order {
				id := s.idString(e)
				if id == "" || !seen[id] {
					seen[id] = true
					first = append(first, id+" "+set.Rules[e.rule].ID)
				}
			}
			if !slices.Equal(listed, first) {
				t.Errorf("Select and a Deduper kept %d events that differ from the summary's %d", len(listed), len(first))
			}
		})
	}
}

// TestSelectSinkError: an error from the sink ends the read and comes back as it is.
func TestSelectSinkError(t *testing.T) {
	in, err := parse.OpenWith("../samples/graph/signIns.jsonl", nil, parse.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	stop := errors.New("stop")
	calls := 0
	n, err := Select(in, &Selection{Rules: rules.Default()}, Sink{Record: func(*parse.Event, rules.Match, bool) error {
		calls++
		return stop
	}})
	if err != stop || calls != 1 || n.Records != 1 {
		t.Errorf("Select = %+v, %v after %d calls; want the sink's error after one record", n, err, calls)
	}
}

// TestOthersMerge: records that are not sign-ins are counted by category, and merging
// summaries adds the counts.
func TestOthersMerge(t *testing.T) {
	a, b := New(rules.Default()), New(rules.Default())
	for _, c := range []string{"AuditLogs", "AuditLogs", "unknown"} {
		a.addOther(c)
	}
	b.addOther("AuditLogs")
	b.addOther("ProvisioningLogs")
	a.Merge(b)
	want := map[string]int64{"AuditLogs": 3, "unknown": 1, "ProvisioningLogs": 1}
	if !maps.Equal(a.others, want) || a.Records != 0 {
		t.Errorf("others %v, records %d; want %v and no records", a.others, a.Records, want)
	}
}
