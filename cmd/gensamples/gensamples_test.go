package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/report"
	"github.com/grantsweep/grantsweep/rules"
)

// TestSamplesUpToDate: samples/ holds exactly what this generator writes.
func TestSamplesUpToDate(t *testing.T) {
	dir := t.TempDir()
	if err := writeSamples(dir); err != nil {
		t.Fatal(err)
	}
	var want, got []string
	walk := func(root string, into *[]string) {
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				rel, _ := filepath.Rel(root, p)
				*into = append(*into, rel)
			}
			return err
		})
	}
	walk(dir, &want)
	walk("../../samples", &got)
	if !slices.Equal(got, want) {
		t.Fatalf("samples/ has %v, the generator writes %v: run go generate ./cmd/gensamples", got, want)
	}
	for _, rel := range want {
		a, _ := os.ReadFile(filepath.Join(dir, rel))
		b, _ := os.ReadFile(filepath.Join("../../samples", rel))
		if strings.HasSuffix(rel, ".gz") {
			// Compare what is compressed: compressed bytes may change with the Go version.
			a, b = gunzip(t, a), gunzip(t, b)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("samples/%s differs from what the generator writes: run go generate ./cmd/gensamples", rel)
		}
	}
}

func gunzip(t *testing.T, data []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestConformance writes the same labelled events in every shape, plain and gzipped, and
// checks that reading and classifying each gives back every event with its expected cause.
func TestConformance(t *testing.T) {
	set := rules.Default()
	for _, name := range shapeNames() {
		for _, zipped := range []bool{false, true} {
			for _, filtered := range []bool{false, true} {
				sub := name
				if zipped {
					sub += ".gz"
				}
				if filtered {
					sub += "/filtered"
				}
				t.Run(sub, func(t *testing.T) { conform(t, set, name, zipped, filtered, 400) })
			}
		}
	}
}

// conform checks one shape; with filtered, decoders are told which codes may be in scope
// and may skip decoding the rest, which must not change any result.
func conform(t *testing.T, set *rules.Set, name string, zipped, filtered bool, records int) {
	evs := newGen(99).events(records, 0.5, true)
	var buf bytes.Buffer
	var w io.Writer = &buf
	zw := gzip.NewWriter(&buf)
	if zipped {
		w = zw
	}
	if err := shapes[name].write(w, evs, part{first: true, last: true}); err != nil {
		t.Fatal(err)
	}
	if zipped {
		zw.Close()
	}
	in, err := parse.NewInput(io.NopCloser(&buf), name)
	if err != nil {
		t.Fatal(err)
	}
	if filtered {
		in.SetCodeFilter(set.MayMatch)
	}
	wantByPos := evs
	byID := map[string]*event{}
	for i := range evs {
		byID[evs[i].id] = &evs[i]
	}
	n := 0
	for ev, err := range in.Events() {
		var re *parse.RecordError
		if errors.As(err, &re) || err != nil {
			t.Fatalf("error %v", err)
		}
		n++
		want := byID[ev.ID]
		if want == nil && filtered && n <= len(wantByPos) && !set.MayMatch(ev.ErrorCode) {
			want = &wantByPos[n-1] // a record left undecoded: only its code and time
		}
		if want == nil {
			t.Fatalf("record %d: unknown id %q", n, ev.ID)
		}
		got := ""
		if m, ok := set.Classify(&ev); ok {
			got = set.Rules[m.Rule].ID
		}
		// Times may lose digits (Graph writes whole seconds, PowerShell milliseconds);
		// an Azure Monitor record without createdDateTime falls back to its emit time.
		late := ev.Time.Sub(want.time)
		timeOK := late > -time.Second && late <= 0
		if strings.HasPrefix(name, "monitor") || name == "eventhub" {
			timeOK = late == 0 || late >= 33*time.Second && late < 183*time.Second
		}
		if got != want.cause || ev.ErrorCode != want.code || !timeOK {
			t.Errorf("record %d (%s): cause %q code %d time %v, want %q %d %v", n, ev.ID, got, ev.ErrorCode, ev.Time, want.cause, want.code, want.time)
		}
	}
	if n != len(evs) {
		t.Errorf("read %d records, wrote %d", n, len(evs))
	}
}

// TestConformanceLargeRowGroups: Parquet row groups larger than the rows the reader
// assembles at a time, with pages that straddle its windows, read back whole.
func TestConformanceLargeRowGroups(t *testing.T) {
	defer func(n int) { rowGroupRows = n }(rowGroupRows)
	rowGroupRows = 9000
	set := rules.Default()
	for _, name := range []string{"parquet-flat", "parquet-nested"} {
		for _, filtered := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/filtered=%v", name, filtered), func(t *testing.T) { conform(t, set, name, false, filtered, 10001) })
		}
	}
}

// TestLargeStreamed: -shape writes a file in batches that still reads as one whole.
func TestLargeStreamed(t *testing.T) {
	for _, name := range []string{"graph-v1", "lines", "la-text", "powershell-array", "csv-portal"} {
		path := filepath.Join(t.TempDir(), name)
		if err := writeOne(output{shape: name, records: 12001, inScope: 0.1, seed: 5}, path); err != nil {
			t.Fatal(err)
		}
		in, err := parse.OpenWith(path, nil, parse.OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, err := range in.Events() {
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			n++
		}
		in.Close()
		if n != 12001 {
			t.Errorf("%s: read %d records, wrote 12001", name, n)
		}
	}
}

// TestMixedFolder sweeps a folder holding every shape (some gzipped), with in-scope events
// repeated across files and a few corrupt records, and checks the exact per-cause counts,
// duplicates and skipped records of the JSON summary.
func TestMixedFolder(t *testing.T) {
	dir := t.TempDir()
	names := shapeNames()
	all := newGen(7).events(30*len(names), 0.4, true)
	wantCause := map[string]int64{}
	var records, duplicates int64
	seen := map[string]bool{}
	count := func(evs []event) {
		for _, e := range evs {
			records++
			if e.cause == "" {
				continue
			}
			if seen[e.id] {
				duplicates++
				continue
			}
			seen[e.id] = true
			wantCause[e.cause]++
		}
	}
	for i, name := range names {
		evs := slices.Clone(all[i*30 : (i+1)*30])
		if i > 0 {
			evs = append(evs, all[i*30-4:i*30]...) // overlap with the previous file
		}
		count(evs)
		var buf bytes.Buffer
		if err := shapes[name].write(&buf, evs, part{first: true, last: true}); err != nil {
			t.Fatal(err)
		}
		data := buf.Bytes()
		path := filepath.Join(dir, name, "data")
		switch name {
		case "lines": // two broken records among the lines
			lines := bytes.SplitAfter(data, []byte("\n"))
			broken := [][]byte{[]byte(`{"id":"cut-1","status":{"errorCode":70000,"failureReason":"Provided gr` + "\n"), []byte("garbage line\n")}
			data = bytes.Join(append(append(lines[:3:3], broken...), lines[3:]...), nil)
		case "csv-la": // one row with a stray quote
			lines := bytes.SplitAfter(data, []byte("\n"))
			data = bytes.Join(append(append(lines[:2:2], []byte("x,\"bad\"quote\",70000\n")), lines[2:]...), nil)
		}
		if i%3 == 0 {
			var z bytes.Buffer
			zw := gzip.NewWriter(&z)
			zw.Write(data)
			zw.Close()
			data, path = z.Bytes(), path+".gz"
		}
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	set := rules.Default()
	sum := report.New(set)
	paths, errs := parse.Expand([]string{dir})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, p := range paths {
		in, err := parse.OpenWith(p, nil, parse.OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := sum.Read(in); err != nil {
			t.Fatal(err)
		}
		in.Close()
	}
	var out bytes.Buffer
	if err := sum.Write(&out, report.FormatJSON, report.Options{GeneratedBy: "grantsweep test"}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Totals struct {
			Records, Skipped, Duplicates int64
			InScope                      int64 `json:"in_scope"`
		}
		Causes []struct {
			Cause  string
			Events int64
		}
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Totals.Records != records || got.Totals.Skipped != 3 || got.Totals.Duplicates != duplicates {
		t.Errorf("totals %+v, want %d records, 3 skipped, %d duplicates", got.Totals, records, duplicates)
	}
	for _, c := range got.Causes {
		if c.Events != wantCause[c.Cause] {
			t.Errorf("cause %s: %d events, want %d", c.Cause, c.Events, wantCause[c.Cause])
		}
	}
}

// readBack reads the events of the files at paths, in order, as sweep would.
func readBack(t *testing.T, paths ...string) []parse.Event {
	t.Helper()
	var evs []parse.Event
	for _, p := range paths {
		in, err := parse.OpenWith(p, nil, parse.OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for ev, err := range in.Events() {
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			evs = append(evs, ev)
		}
		in.Close()
	}
	return evs
}

// TestDistinct: with -distinct and -inscope 1 every record is an in-scope failure of a
// mass revocation with its own user, user id, IP address and event id, in every shape the
// benchmarks use; with a smaller share, the out-of-scope records keep the usual users.
// The same seed gives the same bytes, another seed other values.
func TestDistinct(t *testing.T) {
	set := rules.Default()
	causes := map[string]bool{"grant_invalid": true} // 70000 whose text went missing
	for _, sc := range massRevocation {
		causes[sc.cause] = true
	}
	usual := map[string]bool{}
	for _, p := range people {
		usual[strings.ToLower(p.upn)] = true
	}
	tests := []struct {
		shape   string
		inScope float64
	}{
		{"lines", 1},
		{"parquet-flat", 1},
		{"monitor-crlf", 1},
		{"csv-portal", 1},
		{"lines", 0.3},
		{"parquet-flat", 0.3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%v", tt.shape, tt.inScope), func(t *testing.T) {
			dir := t.TempDir()
			write := func(name string, seed uint64) string {
				path := filepath.Join(dir, name)
				o := output{shape: tt.shape, records: 6001, inScope: tt.inScope, seed: seed, distinct: true}
				if err := writeOne(o, path); err != nil {
					t.Fatal(err)
				}
				return path
			}
			a, again, other := write("a", 3), write("again", 3), write("other", 4)
			if x, y := readFile(t, a), readFile(t, again); !bytes.Equal(x, y) {
				t.Errorf("seed 3 written twice gives different bytes")
			}
			seen := map[string]map[string]bool{"id": {}, "user": {}, "user id": {}, "ip": {}}
			own := func(what, v string) {
				if v == "" || seen[what][v] {
					t.Fatalf("%s %q empty or seen before", what, v)
				}
				seen[what][v] = true
			}
			in := 0
			for i, ev := range readBack(t, a, other) {
				m, ok := set.Classify(&ev)
				if !ok {
					if usual[ev.User] {
						continue
					}
					t.Fatalf("record %d (%s): out of scope with user %q, not one of the usual", i, ev.ID, ev.User)
				}
				in++
				if cause := set.Rules[m.Rule].ID; !causes[cause] {
					t.Errorf("record %d (%s): cause %s, not a mass revocation's", i, ev.ID, cause)
				}
				own("id", ev.ID)
				own("user", ev.User)
				own("user id", ev.UserID)
				own("ip", ev.IP)
			}
			if all := in == 2*6001; all != (tt.inScope == 1) || in == 0 {
				t.Errorf("%d of %d records in scope with -inscope %v", in, 2*6001, tt.inScope)
			}
		})
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFiles: -files writes one file an hour at the paths of a diagnostic-settings archive,
// each with -records records of its hour, the same bytes for the same seed; -distinct
// values are distinct across the files.
func TestFiles(t *testing.T) {
	for _, tt := range []struct {
		shape, ext string
		distinct   bool
	}{
		{"lines", ".json", false},
		{"monitor-crlf", ".json", true},
		{"parquet-flat", ".parquet", true},
		{"csv-la", ".csv", false},
	} {
		t.Run(tt.shape, func(t *testing.T) {
			o := output{shape: tt.shape, records: 7, inScope: 0.3, seed: 2, distinct: tt.distinct}
			dir, again := t.TempDir(), t.TempDir()
			for _, d := range []string{dir, again} {
				if err := writeFiles(o, d, 30); err != nil {
					t.Fatal(err)
				}
			}
			paths, errs := parse.Expand([]string{dir})
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if len(paths) != 30 {
				t.Fatalf("%d files, want 30", len(paths))
			}
			ids := map[string]bool{}
			for i := range 30 {
				hour := day.Add(time.Duration(i) * time.Hour)
				rel := hour.Format("y=2006/m=01/d=02/h=15/m=00") + "/PT1H" + tt.ext
				path := filepath.Join(dir, filepath.FromSlash(rel))
				if !bytes.Equal(readFile(t, path), readFile(t, filepath.Join(again, filepath.FromSlash(rel)))) {
					t.Errorf("%s: seed 2 written twice gives different bytes", rel)
				}
				evs := readBack(t, path)
				if len(evs) != 7 {
					t.Errorf("%s: %d records, want 7", rel, len(evs))
				}
				// An Azure Monitor record without createdDateTime gives its emit time, up
				// to 182 s later (see monitorRecord).
				end := hour.Add(time.Hour)
				if strings.HasPrefix(tt.shape, "monitor") {
					end = end.Add(183 * time.Second)
				}
				for _, ev := range evs {
					if ev.Time.Before(hour) || !ev.Time.Before(end) {
						t.Errorf("%s: record at %v, not in its hour", rel, ev.Time)
					}
					if ids[ev.ID] {
						t.Errorf("%s: id %s seen before", rel, ev.ID)
					}
					ids[ev.ID] = true
				}
				if tt.distinct {
					for _, ev := range evs {
						if _, ok := rules.Default().Classify(&ev); ok && !strings.HasPrefix(ev.User, "user2-") {
							t.Errorf("%s: in-scope user %q is not a distinct one", rel, ev.User)
						}
					}
				}
			}
		})
	}
}
