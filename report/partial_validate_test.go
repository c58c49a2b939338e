package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/rules"
)

var validateOpts = Options{Top: 5, GeneratedBy: "grantsweep test"}

// samplePaths lists the files of samples/, sorted.
func samplePaths(t testing.TB) []string {
	t.Helper()
	var paths []string
	err := filepath.WalkDir("../samples", func(p string, d os.DirEntry, err error) error {
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

// sweepJSON reads paths into a summary, as sweep does, and returns its JSON summary.
func sweepJSON(t testing.TB, dedupe bool, paths ...string) []byte {
	t.Helper()
	s := New(rules.Default())
	s.Dedupe = dedupe
	readFiles(t, s, paths...)
	var b bytes.Buffer
	if err := s.Write(&b, FormatJSON, validateOpts); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestReadSummaryRoundTrip: every check passes on what Write writes, and the summary read
// back writes the same bytes.
func TestReadSummaryRoundTrip(t *testing.T) {
	paths := samplePaths(t)
	for _, c := range []struct {
		name   string
		dedupe bool
		paths  []string
	}{
		{"samples", true, paths},
		{"samples without de-duplication", false, paths},
		{"first half", true, paths[:len(paths)/2]},
		{"one file", true, paths[:1]},
		{"nothing", true, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := sweepJSON(t, c.dedupe, c.paths...)
			s, err := ReadSummary(bytes.NewReader(in), "in.json", rules.Default())
			if err != nil {
				t.Fatalf("ReadSummary: %v", err)
			}
			var out bytes.Buffer
			if err := s.Write(&out, FormatJSON, validateOpts); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(in, out.Bytes()) {
				t.Errorf("read back and written again, the summary differs")
			}
		})
	}
}

// TestReadSummaryInvalidError: a refused summary is an *InvalidError naming file and
// member, and a summary of another rule set is ErrRuleSet, not that.
func TestReadSummaryInvalidError(t *testing.T) {
	in := sweepJSON(t, true, samplePaths(t)[:2]...)
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	doc["totals"].(map[string]any)["skipped"] = json.Number("-3")
	bad, _ := json.Marshal(doc)
	_, err := ReadSummary(bytes.NewReader(bad), "day-03.json", rules.Default())
	var ie *InvalidError
	if !errors.As(err, &ie) || ie.File != "day-03.json" || ie.Member != "totals.skipped" ||
		err.Error() != "day-03.json: totals.skipped: -3 is negative" {
		t.Errorf("ReadSummary = %v (%#v), want an InvalidError for totals.skipped", err, ie)
	}

	other, err := rules.Load([]byte("rules:\n  - id: revoked\n    when: [{codes: [50173]}]\n"), "extra.yaml", rules.Default(), rules.ModeExtend)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ReadSummary(bytes.NewReader(in), "a.json", other)
	if !errors.Is(err, ErrRuleSet) || errors.As(err, &ie) {
		t.Errorf("other rules: %v, want ErrRuleSet and no InvalidError", err)
	}
}

// FuzzReadSummary: ReadSummary never panics, and what it accepts writes a summary that it
// reads back into the same summary: written again, the same bytes.
func FuzzReadSummary(f *testing.F) {
	// Small seeds: the fuzzer mutates, and minimizes, a few kilobytes much faster than the
	// whole of samples/ (which TestReadSummaryRoundTrip reads back).
	f.Add(sweepJSON(f, true, "../samples/powershell/one-signin.json"))
	f.Add(sweepJSON(f, true))
	for _, dedupe := range []bool{true, false} {
		f.Add(smallSummary(f, dedupe))
	}
	set := rules.Default()
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ReadSummary(bytes.NewReader(data), "fuzz.json", set)
		if err != nil {
			return
		}
		var once, twice bytes.Buffer
		if err := s.Write(&once, FormatJSON, validateOpts); err != nil {
			t.Fatalf("Write: %v", err)
		}
		s2, err := ReadSummary(bytes.NewReader(once.Bytes()), "once.json", set)
		if err != nil {
			t.Fatalf("accepted, written, then refused: %v\n%s", err, once.Bytes())
		}
		if err := s2.Write(&twice, FormatJSON, validateOpts); err != nil {
			t.Fatalf("Write: %v", err)
		}
		if !bytes.Equal(once.Bytes(), twice.Bytes()) {
			t.Fatalf("read back, the summary writes differently:\n%s\n----\n%s", once.Bytes(), twice.Bytes())
		}
	})
}

// smallSummary is the JSON summary of two inputs with a few in-scope events of several
// causes: a repeated id, events without id or time, a string id and a UUID.
func smallSummary(t testing.TB, dedupe bool) []byte {
	t.Helper()
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	s := New(rules.Default())
	s.Dedupe = dedupe
	inputs := [][]parse.Event{{
		{ID: "0b9f5e7c-1d2a-4c3b-9e8f-a1b2c3d4e5f6", ErrorCode: 70000, User: "u1@x.example", App: "x", IP: "1.1.1.1", Time: at},
		{ID: "0b9f5e7c-1d2a-4c3b-9e8f-a1b2c3d4e5f6", ErrorCode: 70000, User: "u2@x.example", App: "y", Time: at.Add(time.Hour), Pos: parse.Position{Offset: 10}},
		{ErrorCode: 50173, UserID: "id-3", Time: at.Add(-time.Minute), Pos: parse.Position{Offset: 20}, TokenProtection: "unbound", TokenProtectionCode: 1002},
		{ID: "c", ErrorCode: 0, Time: at.Add(5 * time.Hour), Pos: parse.Position{Offset: 30}},
	}, {
		{ID: "c", ErrorCode: 50132, FailureReason: "Session invalid due to password expiration.", User: "u1@x.example", Pos: parse.Position{Offset: 5}},
		{ID: "Upper", ErrorCode: 70008, App: "z", Country: "NL", OS: "Windows 10", Browser: "Edge 120", Time: at.Add(90 * time.Minute), Pos: parse.Position{Offset: 9}},
	}}
	for i, evs := range inputs {
		add(s, evs...)
		s.Inputs = append(s.Inputs, Input{Path: fmt.Sprintf("in%d.json", i), Format: "json", Records: int64(len(evs))})
	}
	var b bytes.Buffer
	if err := s.Write(&b, FormatJSON, validateOpts); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSummary(bytes.NewReader(b.Bytes()), "small.json", rules.Default()); err != nil {
		t.Fatalf("the small summary is refused: %v", err)
	}
	return b.Bytes()
}
