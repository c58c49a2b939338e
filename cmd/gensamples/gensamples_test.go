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
		if err := writeOne(name, path, 12001, 0.1, 5); err != nil {
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
