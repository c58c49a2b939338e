package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

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
	for _, p := range paths {
		in, err := parse.Open(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Read(in); err != nil {
			t.Fatal(err)
		}
		in.Close()
	}
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
	paths := samplePaths(f)
	f.Add(sweepJSON(f, true, paths...))
	f.Add(sweepJSON(f, false, paths[:3]...))
	f.Add(sweepJSON(f, true, paths[len(paths)-1]))
	f.Add(sweepJSON(f, true))
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
