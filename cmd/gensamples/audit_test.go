package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/report"
	"github.com/grantsweep/grantsweep/rules"
)

// TestAuditLabelsUpToDate: testdata/audit-labels.json is what the generator writes
// (TestSamplesUpToDate checks samples/audit/ itself).
func TestAuditLabelsUpToDate(t *testing.T) {
	dir := t.TempDir()
	labels := filepath.Join(dir, "labels.json")
	if err := writeAuditSamplesLabels(dir, labels); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, labels), readFile(t, "testdata/audit-labels.json")) {
		t.Error("testdata/audit-labels.json differs from what the generator writes: run go generate ./cmd/gensamples")
	}
}

// TestAuditSamplesWriteOnce: writing the audit samples twice gives the same bytes, and
// the labels name files that exist.
func TestAuditSamplesWriteOnce(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, d := range []string{a, b} {
		if err := writeAuditSamplesLabels(d, filepath.Join(d, "labels.json")); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(readFile(t, filepath.Join(a, "labels.json")), readFile(t, filepath.Join(b, "labels.json"))) {
		t.Error("the labels differ between two runs")
	}
	for _, as := range auditSampleSet {
		if _, err := os.Stat(filepath.Join(a, auditDir, filepath.FromSlash(as.path))); err != nil {
			t.Errorf("%s: %v", as.name, err)
		}
	}
}

// joinFields are the members a directory change joins on that each sign-in shape carries
// for the audit samples' sign-ins: the device id, the device's name, the conditional
// access policies applied.
var joinFields = map[string]struct{ id, name, policies bool }{
	"lines": {true, true, true}, "graph-v1": {true, true, true}, "graph-beta": {true, true, true},
	"graph-array": {true, true, true}, "object": {true, true, true}, "powershell-array": {true, true, true},
	"powershell-appended": {true, true, true}, "monitor": {true, true, true}, "monitor-crlf": {true, true, true},
	"eventhub": {true, true, true}, "la-objects": {true, true, true}, "la-text": {true, true, true},
	"la-api": {true, true, true}, "csv-la": {true, true, false}, "csv-portal": {true, false, false},
	"parquet-flat": {true, false, false}, "parquet-nested": {false, false, false},
}

// TestAuditSignInJoinFields: the audit samples' sign-ins written in every sign-in shape
// read back with the device id, device name and policy ids the shape carries, and the
// shapes that carry all three give the labelled attribution beside the Graph audit page.
func TestAuditSignInJoinFields(t *testing.T) {
	set := rules.Default()
	evs, ls := auditEvents()
	var page bytes.Buffer
	if err := auditShapes["audit-graph"].write(&page, auditLog(), nil); err != nil {
		t.Fatal(err)
	}
	wantExplained := map[string]int64{}
	for _, l := range ls {
		if l.change != "" {
			wantExplained[l.cause]++
		}
	}
	for _, name := range shapeNames() {
		t.Run(name, func(t *testing.T) {
			carries, ok := joinFields[name]
			if !ok {
				t.Fatalf("shape %s: which join fields it carries is not said in joinFields", name)
			}
			var buf bytes.Buffer
			if err := shapes[name].write(&buf, slices.Clone(evs), part{first: true, last: true}); err != nil {
				t.Fatal(err)
			}
			in, err := parse.NewInput(io.NopCloser(bytes.NewReader(buf.Bytes())), name)
			if err != nil {
				t.Fatal(err)
			}
			byID := map[string]*event{}
			for i := range evs {
				byID[evs[i].id] = &evs[i]
			}
			n := 0
			for ev, err := range in.Events() {
				if err != nil {
					t.Fatal(err)
				}
				n++
				e := byID[ev.ID]
				if e == nil {
					t.Fatalf("record %d: unknown id %q", n, ev.ID)
				}
				var want struct{ id, name, policies string }
				if carries.id {
					want.id = e.deviceID
				}
				if carries.name {
					want.name = e.deviceName
				}
				if carries.policies {
					var ids []string
					for _, p := range e.policies {
						ids = append(ids, p.id)
					}
					slices.Sort(ids)
					want.policies = strings.Join(ids, ",")
				}
				got := strings.Split(strings.ToLower(ev.CAPolicies), ",")
				slices.Sort(got)
				if !strings.EqualFold(ev.DeviceID, want.id) || ev.DeviceName != want.name || strings.Trim(strings.Join(got, ","), ",") != want.policies {
					t.Errorf("record %s: device %q %q, policies %q; want %q %q %q", ev.ID, ev.DeviceID, ev.DeviceName, ev.CAPolicies, want.id, want.name, want.policies)
				}
			}
			in.Close()
			if n != len(evs) {
				t.Errorf("read %d records, wrote %d", n, len(evs))
			}
			if !carries.id || !carries.name || !carries.policies {
				return
			}
			sum := report.New(set)
			for _, src := range []struct {
				name string
				data []byte
			}{{"audit-graph", page.Bytes()}, {name, buf.Bytes()}} {
				in, err := parse.NewInput(io.NopCloser(bytes.NewReader(src.data)), src.name)
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
				Causes []struct {
					Cause     string
					Explained int64
				}
			}
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			explained := map[string]int64{}
			for _, c := range got.Causes {
				if c.Explained != 0 {
					explained[c.Cause] = c.Explained
				}
			}
			if fmt.Sprint(explained) != fmt.Sprint(wantExplained) {
				t.Errorf("causes[].explained = %v, labels say %v", explained, wantExplained)
			}
		})
	}
}

// TestAuditBench: -shape audit-monitor -records N writes N audit records, every one read
// back as one, most of no change kind and some of each kind, the same bytes for the same
// seed; the shapes written in one piece read back whole too.
func TestAuditBench(t *testing.T) {
	set := rules.Default()
	dir := t.TempDir()
	for _, shape := range []string{"audit-monitor", "audit-graph", "audit-la-csv", "audit-la-parquet", "audit-portal"} {
		n := 1000
		if shape == "audit-monitor" {
			n = 45001 // more than one batch
		}
		path := filepath.Join(dir, shape)
		o := output{shape: shape, records: n, seed: 3}
		if err := writeAuditBench(o, path); err != nil {
			t.Fatal(err)
		}
		if shape == "audit-monitor" {
			if err := writeAuditBench(o, path+".again"); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(readFile(t, path), readFile(t, path+".again")) {
				t.Error("seed 3 written twice gives different bytes")
			}
		}
		kinds := map[int]int{}
		got := 0
		for _, ev := range readBack(t, path) {
			if ev.Audit == nil {
				t.Fatalf("%s: record %s is not an audit record", shape, ev.ID)
			}
			got++
			kinds[set.ChangeKindOf(ev.Audit.Activity)]++
		}
		if got != n {
			t.Errorf("%s: read %d audit records, wrote %d", shape, got, n)
		}
		if shape != "audit-monitor" {
			continue
		}
		if kinds[-1] < n*8/10 || len(kinds) != len(set.Changes)+1 {
			t.Errorf("%s: records by change kind %v: want most of none and some of each of %d kinds", shape, kinds, len(set.Changes))
		}
	}
	if err := writeAuditBench(output{shape: "audit-eventhub", records: 1}, filepath.Join(dir, "x")); err == nil {
		t.Error("audit-eventhub written without its sign-ins")
	}
}
