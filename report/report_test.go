package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/rules"
)

func add(s *Summary, evs ...parse.Event) {
	for i := range evs {
		m, ok := s.Rules.Classify(&evs[i])
		s.Add(&evs[i], m, ok)
	}
}

func TestDedupeAndDistinct(t *testing.T) {
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	evs := []parse.Event{
		parse.Event{ID: "a", ErrorCode: 70000, User: "u1", App: "x", IP: "1.1.1.1", Time: at, Pos: parse.Position{Offset: 0}},
		parse.Event{ID: "a", ErrorCode: 70000, User: "u2", App: "y", IP: "2.2.2.2", Time: at.Add(time.Hour), Pos: parse.Position{Offset: 10}}, // a copy
		parse.Event{ID: "", ErrorCode: 70000, User: "u1", App: "x", Time: at.Add(2 * time.Hour), Pos: parse.Position{Offset: 20}},             // no id: kept
		parse.Event{ID: "", ErrorCode: 70000, User: "u1", App: "x", Time: at.Add(3 * time.Hour), Pos: parse.Position{Offset: 30}},             // no id: kept
		parse.Event{ID: "b", ErrorCode: 50173, User: "u3", Time: at.Add(-time.Hour), Pos: parse.Position{Offset: 40}},
		parse.Event{ID: "c", ErrorCode: 0, Time: at.Add(5 * time.Hour), Pos: parse.Position{Offset: 50}},
	}
	s := New(rules.Default())
	add(s, evs...)
	s.Inputs = append(s.Inputs, Input{Path: "x", Records: 6})
	v := s.compute(0)
	if v.records != 6 || v.inScope != 4 || v.duplicates != 1 {
		t.Fatalf("records %d in scope %d duplicates %d, want 6, 4, 1", v.records, v.inScope, v.duplicates)
	}
	gi := v.causes[s.Rules.RuleIndex("grant_invalid")]
	if gi.events != 3 || gi.users != 1 || gi.apps != 1 || gi.ips != 1 || !gi.first.Equal(at) || !gi.last.Equal(at.Add(3*time.Hour)) {
		t.Errorf("grant_invalid = %+v, want 3 events by u1 with x from 1.1.1.1 (the first copy of a)", gi)
	}
	if !v.first.Equal(at.Add(-time.Hour)) || !v.last.Equal(at.Add(5*time.Hour)) {
		t.Errorf("window %v..%v", v.first, v.last)
	}

	s = New(rules.Default())
	s.Dedupe = false // as sweep --no-dedupe sets it, before reading
	add(s, evs...)
	if v := s.compute(0); v.inScope != 5 || v.duplicates != 0 {
		t.Errorf("without de-duplication: in scope %d duplicates %d, want 5 and 0", v.inScope, v.duplicates)
	}
}

// TestMerge: merging the summaries of two halves of samples/ renders exactly like one
// summary of all of it, in every format.
func TestMerge(t *testing.T) {
	paths := samplePaths(t)
	read := func(s *Summary, paths []string) { readFiles(t, s, paths...) }
	whole := New(rules.Default())
	read(whole, paths)
	a, b := New(rules.Default()), New(rules.Default())
	read(a, paths[:len(paths)/2])
	read(b, paths[len(paths)/2:])
	a.Merge(b)
	for _, f := range Formats {
		var w, m bytes.Buffer
		opts := Options{Top: 5, GeneratedBy: "grantsweep test"}
		if err := whole.Write(&w, f, opts); err != nil {
			t.Fatal(err)
		}
		if err := a.Write(&m, f, opts); err != nil {
			t.Fatal(err)
		}
		if w.String() != m.String() {
			t.Errorf("%s: merged output differs from the whole", f)
		}
	}
}

// TestCSVFormulaInjection: cells a spreadsheet would evaluate are neutralised.
func TestCSVFormulaInjection(t *testing.T) {
	got := SafeCells("=HYPERLINK(\"x\")", "+1+1", "-cmd", "@SUM(A1)", "\tx", "\rx", "-12", "3.5", "plain", "")
	want := []string{"'=HYPERLINK(\"x\")", "'+1+1", "'-cmd", "'@SUM(A1)", "'\tx", "'\rx", "-12", "3.5", "plain", ""}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("SafeCells[%d] = %q, want %q", i, got[i], want[i])
		}
	}
	// A whole CSV report stays RFC 4180: every row has the header's width.
	s := New(rules.Default())
	add(s, parse.Event{ID: "1", ErrorCode: 70000, User: "=cmd|' /C calc'!A0"})
	var buf bytes.Buffer
	if err := s.Write(&buf, FormatCSV, Options{}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 1+len(s.Rules.Rules) {
		t.Fatalf("CSV rows %d, error %v", len(rows), err)
	}
}

// TestTerminalControlCharacters: values cannot move the cursor or recolour the terminal.
func TestTerminalControlCharacters(t *testing.T) {
	s := New(rules.Default())
	add(s, parse.Event{ID: "1", ErrorCode: 70000, User: "evil\x1b[31m@x.example", App: "app\rX", OS: "os\x07"})
	var buf bytes.Buffer
	if err := s.Write(&buf, FormatTable, Options{Top: 10}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(buf.String(), "\x1b\r\x07") {
		t.Errorf("terminal output holds control characters: %q", buf.String())
	}
	if !strings.Contains(buf.String(), `evil\x1b[31m@x.example`) {
		t.Error("the user is missing from the table")
	}
}

// TestEventIDs: ids are given back as read, whatever their spelling, and de-duplicate across
// merged summaries whose string tables differ.
func TestEventIDs(t *testing.T) {
	ids := []string{"0b9f5e7c-1d2a-4c3b-9e8f-a1b2c3d4e5f6", "0B9F5E7C-1D2A-4C3B-9E8F-A1B2C3D4E5F6",
		"{0b9f5e7c-1d2a-4c3b-9e8f-a1b2c3d4e5f6}", "0b9f5e7c1d2a4c3b9e8fa1b2c3d4e5f6", "0b9f5e7c-1d2a-4c3b-9e8f-a1b2c3d4e5fg", "x"}
	a, b := New(rules.Default()), New(rules.Default())
	for i, id := range ids {
		add(a, parse.Event{ID: id, ErrorCode: 70000, User: "a" + id, Pos: parse.Position{Offset: int64(i)}})
	}
	a.Inputs = append(a.Inputs, Input{Path: "a"})
	add(b, parse.Event{ID: "z", ErrorCode: 70000, User: "other"}) // b's table numbers differ from a's
	for i := len(ids) - 1; i >= 0; i-- {
		add(b, parse.Event{ID: ids[i], ErrorCode: 70000, Pos: parse.Position{Offset: int64(i)}})
	}
	b.Inputs = append(b.Inputs, Input{Path: "b"})
	i := 0
	for e := range a.events.all() {
		if got := a.idString(e); got != ids[i] {
			t.Errorf("id %q given back as %q", ids[i], got)
		}
		i++
	}
	if v := a.compute(0); v.inScope != int64(len(ids)) || v.duplicates != 0 {
		t.Errorf("distinct spellings: in scope %d duplicates %d, want %d and 0", v.inScope, v.duplicates, len(ids))
	}
	a.Merge(b)
	if v := a.compute(0); v.inScope != int64(len(ids))+1 || v.duplicates != int64(len(ids)) {
		t.Errorf("merged: in scope %d duplicates %d, want %d and %d", v.inScope, v.duplicates, len(ids)+1, len(ids))
	}
	var buf bytes.Buffer
	if err := a.Write(&buf, FormatJSON, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if !strings.Contains(buf.String(), `"`+id+`"`) {
			t.Errorf("JSON partial lacks id %q", id)
		}
	}
}

// TestAppendString: strings are written exactly as encoding/json writes them.
func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain@x.example", `q"uote`, `back\slash`, "<script>&", "tab\tnew\nline\x00\x1f",
		"é ünïcode 東京", "\u2028\u2029", "bad \xff utf8", "\x7f", "end\\"} {
		want, _ := json.Marshal(s)
		if got := appendString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Errorf("%q: %s, want %s", s, got[1:], want)
		}
	}
}

// TestMergeChunks: summaries of thousands of events (several chunks, the last one part
// full) merge into exactly the summary of all of them.
func TestMergeChunks(t *testing.T) {
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	ev := func(i int) parse.Event {
		return parse.Event{ID: fmt.Sprintf("id-%d", i%3900), ErrorCode: []int{70000, 50173, 700082}[i%3], User: fmt.Sprintf("u%d", i%97),
			App: fmt.Sprintf("app%d", i%13), Time: at.Add(time.Duration(i) * time.Minute), Pos: parse.Position{Offset: int64(i)}}
	}
	whole, a, b := New(rules.Default()), New(rules.Default()), New(rules.Default())
	for i := range 4000 {
		e := ev(i)
		if i < 2500 {
			add(a, e)
		} else {
			add(b, e)
		}
		if i == 2500 {
			whole.Inputs = append(whole.Inputs, Input{Path: "a"})
		}
		add(whole, e)
	}
	whole.Inputs = append(whole.Inputs, Input{Path: "b"})
	a.Inputs, b.Inputs = []Input{{Path: "a"}}, []Input{{Path: "b"}}
	a.Merge(b)
	var w, m bytes.Buffer
	if err := whole.Write(&w, FormatJSON, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := a.Write(&m, FormatJSON, Options{}); err != nil {
		t.Fatal(err)
	}
	if w.String() != m.String() {
		t.Error("merged JSON differs from the whole")
	}
	if v := a.compute(0); v.inScope != 3900 || v.duplicates != 100 {
		t.Errorf("in scope %d duplicates %d, want 3900 and 100", v.inScope, v.duplicates)
	}
}

// readFiles reads the files into s, as sweep reads its inputs; any error fails the test.
func readFiles(t testing.TB, s *Summary, paths ...string) {
	t.Helper()
	for _, p := range paths {
		in, err := parse.OpenWith(p, nil, parse.OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Read(in); err != nil {
			t.Fatal(err)
		}
		in.Close()
	}
}
