package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/report/spill"
	"github.com/grantsweep/grantsweep/rules"
)

// spillInputs is samples/ and the public corpus beside the checkout (when it is there),
// and samples/ once more: every event of the second copy is a duplicate of the first's.
func spillInputs(t *testing.T) []string {
	paths := samplePaths(t)
	filepath.WalkDir("../../shared/corpus", func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && filepath.Base(p) != "SOURCE.md" {
			paths = append(paths, p)
		}
		return nil
	})
	dir := t.TempDir()
	for i, p := range samplePaths(t) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		cp := filepath.Join(dir, filepath.Base(filepath.Dir(p))+"-"+filepath.Base(p))
		if i%2 == 0 {
			cp = filepath.Join(dir, "z-"+filepath.Base(p)) // a later input
		}
		os.WriteFile(cp, b, 0o644)
		paths = append(paths, cp)
	}
	return paths
}

// sweepInto reads each path into a summary of its own within budget (nil: memory only)
// and merges them in order, as sweep does.
func sweepInto(t *testing.T, budget *spill.Budget, dedupe bool, paths []string) *Summary {
	t.Helper()
	var sum *Summary
	for _, p := range paths {
		s := New(rules.Default())
		s.Dedupe = dedupe
		s.SetBudget(budget)
		in, err := parse.OpenWith(p, nil, parse.OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		s.Read(in) // a broken input counts what it gave, as in sweep
		in.Close()
		if sum == nil {
			sum = s
		} else {
			sum.Merge(s)
		}
	}
	return sum
}

// renderAll writes s in every format with opts, and its tables, and returns them.
func renderAll(t *testing.T, s *Summary, opts Options) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, f := range Formats {
		var b bytes.Buffer
		if err := s.Write(&b, f, opts); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[string(f)] = b.Bytes()
	}
	var b bytes.Buffer
	for _, tb := range s.Tables(opts) {
		b.WriteString(tb.Name + "\n")
		for _, r := range tb.Rows {
			b.WriteString(string(joinCells(r)) + "\n")
		}
	}
	out["tables"] = b.Bytes()
	return out
}

func joinCells(r []string) []byte {
	var b []byte
	for _, c := range r {
		b = append(b, c...)
		b = append(b, 0)
	}
	return b
}

// TestSpillByteIdentical: with a budget so small that every input's events spill, every
// report in every format, read back and merged, is byte for byte the report of the same
// inputs in memory.
func TestSpillByteIdentical(t *testing.T) {
	paths := spillInputs(t)
	var baseline bytes.Buffer
	if err := sweepInto(t, nil, true, paths[:5]).Write(&baseline, FormatJSON, validateOpts); err != nil {
		t.Fatal(err)
	}
	for _, dedupe := range []bool{true, false} {
		mem := sweepInto(t, nil, dedupe, paths)
		budget := spill.NewBudget(1, t.TempDir())
		ext := sweepInto(t, budget, dedupe, paths)
		if !ext.Spilled() || mem.Spilled() {
			t.Fatalf("spilled: %v with a budget of 1 byte, %v without a budget", ext.Spilled(), mem.Spilled())
		}
		if n, runs := budget.Spilled(); n == 0 || runs < int64(len(paths)) {
			t.Fatalf("%d bytes in %d runs spilled for %d inputs", n, runs, len(paths))
		}
		if v := mem.compute(0); dedupe && v.duplicates < 200 || v.inScope < 200 {
			t.Fatalf("in memory: %d in scope, %d duplicates: the inputs cannot show spilling keeps them", v.inScope, v.duplicates)
		}
		for _, top := range []int{0, 3, 10} {
			b, err := ReadBaseline(bytes.NewReader(baseline.Bytes()), "baseline.json", rules.Default())
			if err != nil {
				t.Fatal(err)
			}
			kolkata, err := time.LoadLocation("Asia/Kolkata") // by_time's hours start at half past
			if err != nil {
				t.Fatal(err)
			}
			for _, opts := range []Options{{Top: top, GeneratedBy: "test"}, {Top: top, GeneratedBy: "test", Baseline: b}, {Top: top, GeneratedBy: "test", TZ: kolkata}} {
				want, got := renderAll(t, mem, opts), renderAll(t, ext, opts)
				for f := range want {
					if !bytes.Equal(got[f], want[f]) {
						t.Fatalf("dedupe %v, top %d, baseline %v, zone %v: %s differs when spilled:\n%s", dedupe, top, opts.Baseline != nil, opts.TZ, f, firstLineDiff(got[f], want[f]))
					}
				}
			}
		}

		// Read back within the tiny budget, it writes the same summary again.
		var js bytes.Buffer
		mem.Write(&js, FormatJSON, validateOpts)
		back, err := ReadSummaryIn(bytes.NewReader(js.Bytes()), "sum.json", rules.Default(), budget)
		if err != nil {
			t.Fatal(err)
		}
		if !back.Spilled() {
			t.Fatal("read back within 1 byte, the summary did not spill")
		}
		var again bytes.Buffer
		if err := back.Write(&again, FormatJSON, validateOpts); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again.Bytes(), js.Bytes()) {
			t.Fatalf("dedupe %v: read back spilled, the summary differs:\n%s", dedupe, firstLineDiff(again.Bytes(), js.Bytes()))
		}
		for _, s := range []*Summary{ext, back} {
			s.Close()
		}
		dir := budget.Dir()
		if err := budget.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("the spill directory %s is left after Close", dir)
		}
	}
}

// firstLineDiff shows the first line where got and want differ.
func firstLineDiff(got, want []byte) string {
	gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := range min(len(gl), len(wl)) {
		if !bytes.Equal(gl[i], wl[i]) {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + string(gl[i]) + "\nwant: " + string(wl[i])
		}
	}
	return "got " + strconv.Itoa(len(gl)) + " lines, want " + strconv.Itoa(len(wl))
}

// fuzzEvents makes the events of up to three inputs from data, 8 bytes an event: ids
// that repeat (UUIDs and other ids), users, apps and addresses from small sets, times
// (or none) minutes, days or weeks apart (so that by_time's every bucket is met), in-scope
// and other codes.
func fuzzEvents(data []byte) [3][]parse.Event {
	var out [3][]parse.Event
	ids := []string{"", "0b7e1c2a-1111-4a2b-8c3d-000000000001", "0b7e1c2a-1111-4a2b-8c3d-000000000002",
		"0b7e1c2a-1111-4a2b-8c3d-000000000003", "not-a-uuid", "0B7E1C2A-1111-4A2B-8C3D-000000000001"}
	codes := []int{70000, 50173, 70008, 50133, 0, 50126, 70043}
	base := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	var offsets [3]int64
	for len(data) >= 8 {
		b := data[:8]
		data = data[8:]
		in := int(b[7]) % 3
		ev := parse.Event{ID: ids[int(b[0])%len(ids)], ErrorCode: codes[int(b[5])%len(codes)],
			User: []string{"", "u1@x", "u2@x", "u3\x00@x", "ü@x"}[int(b[1])%5], UserID: []string{"", "id1", "id2"}[int(b[1]>>4)%3],
			App: []string{"", "A", "B", "A\x00"}[int(b[2])%4], AppID: []string{"", "a1"}[int(b[2]>>4)%2],
			IP:              []string{"", "192.0.2.1", "192.0.2.2", "2001:db8::1", ""}[int(b[3])%5],
			TokenProtection: []string{"", "bound", "unbound"}[int(b[3]>>4)%3], TokenProtectionCode: []int{0, 1002, 1008}[int(b[6])%3]}
		if b[4] != 255 {
			step := [...]time.Duration{17 * time.Minute, 17 * time.Minute, 7 * time.Hour, 5 * 24 * time.Hour}[b[7]>>6]
			ev.Time = base.Add(time.Duration(b[4]) * step).Add(time.Duration(b[6]) * time.Millisecond)
		}
		offsets[in] += int64(b[6]%3) * 10 // some records share an offset (Parquet row groups)
		ev.Pos = parse.Position{Offset: offsets[in], Line: len(out[in]) + 1}
		out[in] = append(out[in], ev)
	}
	return out
}

// FuzzSpillTwin: the summary of any events, spilled to disk with a budget of one byte,
// renders what the summary held in memory renders, merged from three inputs, with and
// without de-duplication.
func FuzzSpillTwin(f *testing.F) {
	f.Add([]byte("0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEF"), false)
	f.Add(bytes.Repeat([]byte{1, 2, 3, 4, 5, 0, 6, 7}, 40), true)
	f.Add(bytes.Repeat([]byte{1, 1, 1, 1, 255, 1, 1, 0, 2, 2, 2, 2, 2, 2, 2, 1}, 30), false)
	for _, step := range []byte{0x80, 0xC0} { // times 7 hours and 5 days apart: days, months
		var b []byte
		for i := range byte(250) {
			b = append(b, i, i*3, i*5, i*7, i, i%7, i, step|i%3)
		}
		f.Add(b, false)
	}
	f.Fuzz(fuzzSpillTwinBody)
}

func fuzzSpillTwinBody(t *testing.T, data []byte, noDedupe bool) {
	{
		evs := fuzzEvents(data[:min(len(data), 16<<10)]) // 2,000 events at most: a run every few
		build := func(budget *spill.Budget) *Summary {
			var sum *Summary
			for k, list := range evs {
				s := New(rules.Default())
				s.Dedupe = !noDedupe
				s.SetBudget(budget)
				add(s, list...)
				s.Inputs = append(s.Inputs, Input{Path: "in-" + strconv.Itoa(k), Records: int64(len(list))})
				if sum == nil {
					sum = s
				} else {
					sum.Merge(s)
				}
			}
			return sum
		}
		budget := spill.NewBudget(4<<10, t.TempDir())
		defer budget.Close()
		mem, ext := build(nil), build(budget)
		if n := mem.compute(0).inScope; n >= 200 && !ext.Spilled() {
			t.Fatalf("%d events in scope did not spill within 4 KiB", n)
		}
		ams, err := time.LoadLocation("Europe/Amsterdam")
		if err != nil {
			t.Fatal(err)
		}
		for _, top := range []int{0, 2} {
			opts := Options{Top: top, GeneratedBy: "fuzz", TZ: [...]*time.Location{nil, ams}[top/2]}
			want, got := renderAll(t, mem, opts), renderAll(t, ext, opts)
			for _, f := range []string{"json", "table", "tables"} {
				if !bytes.Equal(got[f], want[f]) {
					t.Fatalf("top %d: %s differs when spilled:\n%s", top, f, firstLineDiff(got[f], want[f]))
				}
			}
		}
	}
}

// TestManyInputsFewChunks: merging the summaries of many small inputs keeps their events
// in a few chunks, not a chunk (of a hundred kilobytes, if only touched in part) per
// input: 50,000 hourly blobs of a few events each once took 366 MiB.
func TestManyInputsFewChunks(t *testing.T) {
	var sum *Summary
	for i := range 3000 {
		s := New(rules.Default())
		add(s, parse.Event{ID: fmt.Sprintf("e%d", i), ErrorCode: 50173, User: "u", Pos: parse.Position{Offset: 0, Line: 1}})
		s.Inputs = append(s.Inputs, Input{Path: fmt.Sprint(i), Records: 1})
		if sum == nil {
			sum = s
		} else {
			sum.Merge(s)
		}
	}
	if n := len(sum.events.chunks); n > 3000/eventChunk+8 {
		t.Fatalf("3,000 inputs of one event each: %d chunks", n)
	}
	if v := sum.compute(0); v.inScope != 3000 {
		t.Fatalf("%d in scope, want 3000", v.inScope)
	}
}

// BenchmarkSummary: 100,000 distinct in-scope events (a mass revocation: every user, IP
// and id different) added, computed and written as JSON, in memory and within a budget
// of 4 MiB that spills them.
func BenchmarkSummary(b *testing.B) {
	const n = 100_000
	evs := make([]parse.Event, n)
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	for i := range evs {
		evs[i] = parse.Event{ID: fmt.Sprintf("0b7e1c2a-1111-4a2b-8c3d-%012d", i), ErrorCode: 50173, User: fmt.Sprintf("user%d@contoso.com", i),
			UserID: fmt.Sprintf("%08d-0000-4000-8000-000000000000", i), App: "Microsoft Teams", IP: fmt.Sprintf("2001:db8::%x", i),
			Time: at.Add(time.Duration(i) * time.Second), Pos: parse.Position{Offset: int64(i) * 1500, Line: i + 1}}
	}
	set := rules.Default()
	ms := make([]rules.Match, n)
	for i := range evs {
		ms[i], _ = set.Classify(&evs[i])
	}
	for _, c := range []struct {
		name   string
		budget int64
	}{{"memory", 0}, {"spilled-4MiB", 4 << 20}} {
		b.Run(c.name, func(b *testing.B) {
			var spilled int64
			for b.Loop() {
				s := New(set)
				var budget *spill.Budget
				if c.budget > 0 {
					budget = spill.NewBudget(c.budget, b.TempDir())
					s.SetBudget(budget)
				}
				for i := range evs {
					s.Add(&evs[i], ms[i], true)
				}
				s.Inputs = append(s.Inputs, Input{Path: "x", Records: n})
				if err := s.Write(io.Discard, FormatJSON, Options{Top: 10}); err != nil {
					b.Fatal(err)
				}
				if budget != nil {
					spilled, _ = budget.Spilled()
					budget.Close()
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/event")
			b.ReportMetric(float64(spilled)/n, "spilled-B/event")
		})
	}
}
