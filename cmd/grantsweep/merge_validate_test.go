package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/grantsweep/grantsweep/parse"
)

// doc is a JSON summary decoded for editing: objects, arrays, json.Number.
type doc = map[string]any

func decodeDoc(t *testing.T, path string) doc {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var d doc
	if err := dec.Decode(&d); err != nil {
		t.Fatal(err)
	}
	return d
}

// at walks d by a path of member names and array indexes.
func at(d any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			d = d.(map[string]any)[k]
		case int:
			d = d.([]any)[k]
		}
	}
	return d
}

// put sets the member at path (its last element a name or an index) to v.
func put(d any, v any, path ...any) {
	parent := at(d, path[:len(path)-1]...)
	switch k := path[len(path)-1].(type) {
	case string:
		parent.(map[string]any)[k] = v
	case int:
		parent.([]any)[k] = v
	}
}

func num(n int64) json.Number { return json.Number(strconv.FormatInt(n, 10)) }

func getNum(d any, path ...any) int64 {
	n, err := at(d, path...).(json.Number).Int64()
	if err != nil {
		panic(err)
	}
	return n
}

// addNum adds n to the integer at path.
func addNum(d any, n int64, path ...any) { put(d, num(getNum(d, path...)+n), path...) }

// codeIndex is the index in partial.codes of the first code with in_scope as asked.
func codeIndex(d doc, inScope bool) int {
	for i, c := range at(d, "partial", "codes").([]any) {
		if c.(map[string]any)["in_scope"] == inScope {
			return i
		}
	}
	panic("no such code")
}

// inputWithEvents is the input index of the first event, and another input.
func inputWithEvents(d doc) (with, other int) {
	with = int(getNum(d, "partial", "events", 0, 3))
	return with, (with + 1) % len(at(d, "inputs").([]any))
}

// TestMergeRefusesInvalidPartials: a real partial corrupted one member at a time is refused
// with exit 2, naming the file and the member; before, each was merged (negative counts,
// wrapped sums, a string read as offset 0) or refused with exit 1.
func TestMergeRefusesInvalidPartials(t *testing.T) {
	dir := t.TempDir()
	whole := sweepJSON(t, dir, "whole.json", samplesDir)
	shard := sweepJSON(t, dir, "graph.json", filepath.Join(samplesDir, "graph"))
	big := int64(math.MaxInt64)
	cases := []struct {
		name   string
		mutate func(d doc)
		member string // expected after "merge: day-03.json: "
		want   string // a fragment of the message after it
	}{
		{"negative code count", func(d doc) { put(d, num(-1000000), "partial", "codes", 0, "records") },
			"partial.codes[0].records", "-1000000 is negative"},
		{"code count INT64_MAX", func(d doc) { put(d, num(big), "partial", "codes", 1, "records") },
			"partial.codes[1].records", "makes the sum more than 9223372036854775807"},
		{"code counts that do not add up", func(d doc) { addNum(d, 1, "partial", "codes", 0, "records") },
			"partial.codes", "records add up to"},
		{"code twice", func(d doc) { put(d, at(d, "partial", "codes", 1, "code"), "partial", "codes", 2, "code") },
			"partial.codes[2].code", "appears twice"},
		{"code without records", func(d doc) { delete(at(d, "partial", "codes", 0).(map[string]any), "records") },
			"partial.codes[0].records", "missing"},
		{"code records a string", func(d doc) { put(d, "12", "partial", "codes", 3, "records") },
			"partial.codes[3].records", "want an integer in range, got string"},
		{"code records a fraction", func(d doc) { put(d, json.Number("1.5"), "partial", "codes", 0, "records") },
			"partial.codes[0].records", "got number 1.5"},
		{"negative text count", func(d doc) {
			put(d, map[string]any{"x": num(-3)}, "partial", "codes", codeIndex(d, true), "texts")
		}, "partial.codes[", `.texts["x"]: -3 is negative`},
		{"text counts above records", func(d doc) {
			i := codeIndex(d, true)
			put(d, map[string]any{"x": num(getNum(d, "partial", "codes", i, "records") + 1)}, "partial", "codes", i, "texts")
		}, "partial.codes[", "more than the code's"},
		{"no in-scope code", func(d doc) {
			for _, c := range at(d, "partial", "codes").([]any) {
				c.(map[string]any)["in_scope"] = false
			}
		}, "partial.events", "but the in-scope codes have 0 records"},
		{"negative records", func(d doc) { put(d, num(-5), "totals", "records") }, "totals.records", "-5 is negative"},
		{"records a string", func(d doc) { put(d, "784", "totals", "records") }, "totals.records", "want an integer in range, got string"},
		{"records null", func(d doc) { put(d, nil, "totals", "records") }, "totals.records", "missing"},
		{"records too many", func(d doc) { addNum(d, 1, "totals", "records") }, "inputs", "records add up to 784, totals.records is 785"},
		{"negative in scope", func(d doc) { put(d, num(-1), "totals", "in_scope") }, "totals.in_scope", "-1 is negative"},
		{"an event fewer", func(d doc) {
			evs := at(d, "partial", "events").([]any)
			put(d, evs[:len(evs)-1], "partial", "events")
		}, "totals.in_scope", "280, but the partial's events give 279"},
		{"negative skipped", func(d doc) { put(d, num(-1), "totals", "skipped") }, "totals.skipped", "-1 is negative"},
		{"skipped and records past INT64_MAX", func(d doc) { put(d, num(big), "totals", "skipped") }, "totals.skipped", "more than 9223372036854775807 read"},
		{"skipped not the inputs'", func(d doc) { addNum(d, 1, "totals", "skipped") }, "inputs", "skipped records add up to 0, totals.skipped is 1"},
		{"negative duplicates", func(d doc) { put(d, num(-2), "totals", "duplicates") }, "totals.duplicates", "-2 is negative"},
		{"duplicates not the events'", func(d doc) { addNum(d, 1, "totals", "duplicates") }, "totals.duplicates", "3, but the partial's events give 2"},
		{"an event more", func(d doc) {
			evs := at(d, "partial", "events").([]any)
			ev := append([]any{}, evs[0].([]any)...)
			ev[1] = "" // no id: not a duplicate
			put(d, append(evs, ev), "partial", "events")
		}, "partial.events", "281 events and 2 copies dropped (duplicates_dropped), but the in-scope codes have 282 records"},
		{"negative input records", func(d doc) { put(d, num(-1), "inputs", 0, "records") }, "inputs[0].records", "-1 is negative"},
		{"negative input skipped", func(d doc) { put(d, num(-1), "inputs", 2, "skipped") }, "inputs[2].skipped", "-1 is negative"},
		{"negative input filtered", func(d doc) { put(d, num(-1), "inputs", 2, "filtered") }, "inputs[2].filtered", "-1 is negative"},
		{"input records a string", func(d doc) { put(d, "7", "inputs", 1, "records") }, "inputs[1].records", "want an integer in range, got string"},
		{"events of an input without records", func(d doc) {
			with, other := inputWithEvents(d)
			addNum(d, getNum(d, "inputs", with, "records"), "inputs", other, "records")
			put(d, num(0), "inputs", with, "records")
		}, "partial.events[", "read 0 records, fewer than its in-scope events"},
		{"offset a string", func(d doc) { put(d, "12", "partial", "events", 3, 4) }, "partial.events[3][4] (offset)", "want an integer, got a string"},
		{"offset negative", func(d doc) { put(d, num(-1), "partial", "events", 3, 4) }, "partial.events[3][4] (offset)", "-1 is negative"},
		{"offset a fraction", func(d doc) { put(d, json.Number("1.5"), "partial", "events", 3, 4) }, "partial.events[3][4] (offset)", "want an integer, got 1.5"},
		{"offset past INT64_MAX", func(d doc) { put(d, json.Number("9223372036854775808"), "partial", "events", 3, 4) }, "partial.events[3][4] (offset)", "out of range"},
		{"input index out of range", func(d doc) { put(d, num(99), "partial", "events", 0, 3) }, "partial.events[0][3] (input)", "99 is out of range [0, 39]"},
		{"input index negative", func(d doc) { put(d, num(-1), "partial", "events", 0, 3) }, "partial.events[0][3] (input)", "-1 is negative"},
		{"unknown cause", func(d doc) { put(d, "nope", "partial", "events", 0, 2) }, "partial.events[0][2] (cause)", `unknown cause "nope"`},
		{"cause a number", func(d doc) { put(d, num(3), "partial", "events", 0, 2) }, "partial.events[0][2] (cause)", "want a string, got the number 3"},
		{"time that does not parse", func(d doc) { put(d, "yesterday", "partial", "events", 0, 0) }, "partial.events[0][0] (time)", `"yesterday" is not an RFC 3339 time`},
		{"time outside the window", func(d doc) { put(d, "1999-01-01T00:00:00Z", "partial", "events", 0, 0) }, "partial.events[0][0] (time)", "outside the window"},
		{"user null", func(d doc) { put(d, nil, "partial", "events", 0, 5) }, "partial.events[0][5] (user)", "want a string, got null"},
		{"token protection code past int32", func(d doc) { put(d, num(1<<32), "partial", "events", 0, 16) }, "partial.events[0][16] (token_protection_code)", "out of range"},
		{"a column short", func(d doc) {
			ev := at(d, "partial", "events", 0).([]any)
			put(d, ev[:len(ev)-1], "partial", "events", 0)
		}, "partial.events[0]", "want an array of 20 values (event_columns), got 19 values"},
		{"event not an array", func(d doc) { put(d, map[string]any{}, "partial", "events", 0) }, "partial.events[0]", "got an object"},
		{"event columns", func(d doc) { put(d, []any{"time"}, "partial", "event_columns") }, "partial.event_columns", "want"},
		{"dedupe a string", func(d doc) { put(d, "yes", "partial", "dedupe") }, "partial.dedupe", "want true or false, got string"},
		{"dedupe missing", func(d doc) { delete(at(d, "partial").(map[string]any), "dedupe") }, "partial.dedupe", "missing"},
		{"no partial", func(d doc) { delete(d, "partial") }, "partial", "missing"},
		{"cause events", func(d doc) { addNum(d, 1, "causes", 0, "events"); addNum(d, -1, "causes", 1, "events") }, "causes[0].events", "but the partial's events give"},
		{"cause events that do not add up", func(d doc) { addNum(d, 1, "causes", 0, "events") }, "causes", "events add up to 281, totals.in_scope is 280"},
		{"cause users", func(d doc) { addNum(d, 1, "causes", 0, "users") }, "causes[0].users", "but the partial's events give"},
		{"cause negative ips", func(d doc) { put(d, num(-1), "causes", 0, "ips") }, "causes[0].ips", "-1 is negative"},
		{"cause last seen", func(d doc) { put(d, "2026-11-24T20:00:00Z", "causes", 0, "last_seen") }, "causes[0].last_seen", "but the partial's events give"},
		{"cause first seen a number", func(d doc) { put(d, num(5), "causes", 0, "first_seen") }, "causes[0].first_seen", "want a string, got number"},
		{"family events", func(d doc) { put(d, num(-1), "families", 0, "events") }, "families[0].events", "-1 is negative"},
		{"family users", func(d doc) { addNum(d, 1, "families", 1, "users") }, "families[1].users", "but the partial's events give"},
		{"window first", func(d doc) { put(d, "garbage", "window", "first") }, "window.first", `"garbage" is not an RFC 3339 time`},
		{"window backwards", func(d doc) { put(d, "2027-01-01T00:00:00Z", "window", "first") }, "window", "is before first"},
		{"window half", func(d doc) { put(d, nil, "window", "last") }, "window", "want both times or neither"},
		{"table events a string", func(d doc) { put(d, "x", "tables", "by_app", 0, "events") }, "tables.by_app[0].events", "want an integer in range, got string"},
		{"table events past in scope", func(d doc) { put(d, num(281), "tables", "by_user", 0, "events") }, "tables.by_user", "more than totals.in_scope"},
		{"table events past INT64_MAX", func(d doc) { put(d, num(big), "tables", "by_app", 0, "events") }, "tables.by_app[1].events", "makes the sum more than"},
		// What one summary may hold (README, Memory): beyond it, refused as it is read.
		{"more skipped samples than a summary keeps", func(d doc) {
			var samples []any
			for range 51 {
				samples = append(samples, map[string]any{"path": "x", "line": num(1), "offset": num(0), "reason": "bad"})
			}
			put(d, samples, "skipped_samples")
		}, "skipped_samples", "more than 50 elements, more than a summary may hold"},
		{"an event larger than an event may take", func(d doc) {
			ev := at(d, "partial", "events", 0).([]any)
			ev[5] = strings.Repeat("u", 1<<20)
		}, "partial.events[0]", "more than an event may take (1048576)"},
		{"more copies dropped than duplicates", func(d doc) { addNum(d, 1, "partial", "duplicates_dropped") },
			"partial.duplicates_dropped", "3, more than totals.duplicates, 2"},
		{"a sample of nothing skipped", func(d doc) {
			put(d, []any{map[string]any{"path": "x", "line": num(1), "offset": num(0), "reason": "bad"}}, "skipped_samples")
		}, "skipped_samples", "1 sample of 0 skipped records"},
		{"filters removed more than the inputs filtered", func(d doc) { addNum(d, 1, "filters", "removed", "since") },
			"filters.removed", "records add up to 1, the inputs' filtered records to 0"},
		{"filters removed a negative count", func(d doc) { put(d, num(-1), "filters", "removed", "cause") },
			"filters.removed.cause", "-1 is negative"},
		{"filters since not a time", func(d doc) { put(d, "yesterday", "filters", "since") },
			"filters.since", `"yesterday" is not an RFC 3339 time`},
		{"filters until before since", func(d doc) {
			put(d, "2026-11-25T00:00:00Z", "filters", "since")
			put(d, "2026-11-24T00:00:00Z", "filters", "until")
		}, "filters.until", "is not after since"},
		{"filters ip not a block", func(d doc) { put(d, []any{"nope"}, "filters", "ips") },
			"filters.ips[0]", `"nope" is not a CIDR block`},
		{"filters a string", func(d doc) { put(d, "none", "filters") }, "filters", "want an object"},
		{"a removed window without records removed", func(d doc) {
			put(d, map[string]any{"first": "2026-11-24T00:00:00Z", "last": "2026-11-24T01:00:00Z"}, "filters", "removed_window")
		}, "filters.removed_window", "a window without records removed"},
		{"rules fingerprint not the partial's", func(d doc) { put(d, "sha256:00", "rules_fingerprint") },
			"rules_fingerprint", "sha256:00, but partial.rules is sha256:"},
		{"a shard not its inputs'", func(d doc) { put(d, "sha256:00", "partial", "shard") },
			"partial.shard", "sha256:00, but its inputs give sha256:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := decodeDoc(t, whole)
			c.mutate(d)
			b, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			bad := filepath.Join(t.TempDir(), "day-03.json")
			if err := os.WriteFile(bad, b, 0o644); err != nil {
				t.Fatal(err)
			}
			want := "merge: " + bad + ": " + c.member
			for _, args := range [][]string{{"merge", "--format", "json", shard, bad}, {"merge", bad}} {
				out, errs, code := runCLI(t, "", args...)
				if code != 2 || !strings.Contains(errs, want) || !strings.Contains(errs, c.want) {
					t.Errorf("%v: exit %d, stderr %q, stdout %d bytes; want exit 2 and %q ... %q", args, code, errs, len(out), want, c.want)
				}
			}
			// The same file as a baseline: refused as a usage error too, except that a
			// baseline needs no partial.
			if c.member == "partial" {
				return
			}
			if _, errs, code := runCLI(t, "", "sweep", "--format", "json", "--baseline", bad, filepath.Join(samplesDir, "graph")); code != 2 || !strings.Contains(errs, c.member) {
				t.Errorf("--baseline: exit %d, stderr %q; want exit 2 naming %s", code, errs, c.member)
			}
		})
	}

	// Not JSON, or JSON followed by more, is refused as a usage error too.
	for _, c := range []struct{ name, text, want string }{
		{"truncated", `{"schema": "grantsweep.summary/v1", "totals": {`, "not a JSON summary"},
		{"two values", "", "more than one JSON value"},
		{"a member twice", "", "inputs: appears twice"},
		{"a partial member twice", "", "partial.codes: appears twice"},
	} {
		text := c.text
		if text == "" {
			b, _ := os.ReadFile(whole)
			switch c.name {
			case "a member twice": // a sweep writes each member once: which would count?
				text = strings.Replace(string(b), "{", `{"inputs": [],`, 1)
			case "a partial member twice":
				text = strings.Replace(string(b), `"partial": {`, `"partial": {"codes": [],`, 1)
			default:
				text = string(b) + "{}\n"
			}
		}
		bad := filepath.Join(dir, c.name+".json")
		os.WriteFile(bad, []byte(text), 0o644)
		if _, errs, code := runCLI(t, "", "merge", bad); code != 2 || !strings.Contains(errs, "merge: "+bad+": "+c.want) {
			t.Errorf("%s: exit %d, stderr %q", c.name, code, errs)
		}
	}
}

// TestMergeRefusesOverflowAcrossSummaries: two summaries each within INT64_MAX whose sum
// is not are refused, rather than wrapping to negative totals.
func TestMergeRefusesOverflowAcrossSummaries(t *testing.T) {
	dir := t.TempDir()
	whole := sweepJSON(t, dir, "whole.json", samplesDir)
	d := decodeDoc(t, whole)
	extra := int64(1) << 62 // records of a success code, read by the input of the first event
	with, _ := inputWithEvents(d)
	addNum(d, extra, "totals", "records")
	addNum(d, extra, "inputs", with, "records")
	addNum(d, extra, "partial", "codes", codeIndex(d, false), "records")
	delete(at(d, "partial").(map[string]any), "shard") // the inputs changed: it would not match them
	b, _ := json.Marshal(d)
	huge := filepath.Join(dir, "huge.json")
	os.WriteFile(huge, b, 0o644)
	if out, errs, code := runCLI(t, "", "merge", "--format", "json", huge); code != 0 || !strings.Contains(out, fmt.Sprintf(`"records": %d`, extra+784)) {
		t.Fatalf("one huge summary: exit %d: %s", code, errs)
	}
	// Another shard like it, of other files: the inputs' paths moved to another day.
	for i := range at(d, "inputs").([]any) {
		put(d, "day-03/"+at(d, "inputs", i, "path").(string), "inputs", i, "path")
	}
	b, _ = json.Marshal(d)
	other := filepath.Join(dir, "day-03.json")
	os.WriteFile(other, b, 0o644)
	if _, errs, code := runCLI(t, "", "merge", huge, other); code != 2 || !strings.Contains(errs, "merge: "+other+": totals:") {
		t.Errorf("merge of two: exit %d, stderr %q; want exit 2 naming %s and its totals", code, errs, other)
	}
}

// TestMergeAcceptsWhatSweepWrites: every summary sweep writes merges, with filters,
// --no-dedupe, --redact, inputs that fail or skip records, and large inputs read in
// sections; and the merge of the summaries of the parts is the summary of the whole.
func TestMergeAcceptsWhatSweepWrites(t *testing.T) {
	dir := t.TempDir()
	// An input with undecodable records, and one that cannot be read.
	broken := filepath.Join(dir, "broken", "signins.jsonl")
	os.MkdirAll(filepath.Dir(broken), 0o755)
	lines, err := os.ReadFile(filepath.Join(samplesDir, "graph", "signIns.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	ls := strings.SplitAfter(string(lines), "\n")
	os.WriteFile(broken, []byte(ls[0]+"{not json\n"+strings.Join(ls[1:4], "")+"[1,2]\n"), 0o644)

	ents, err := os.ReadDir(samplesDir)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, e := range ents {
		parts = append(parts, filepath.Join(samplesDir, e.Name()))
	}
	for _, c := range []struct {
		name  string
		flags []string
		extra []string // inputs besides samples/
		split bool     // read the JSON Lines and Parquet files in sections
	}{
		{"samples", nil, nil, false},
		{"no dedupe", []string{"--no-dedupe"}, nil, false},
		{"since", []string{"--since", "2026-11-24T10:00:00Z"}, nil, false},
		{"until and a user", []string{"--until", "2026-11-24T12:00:00Z", "--user", "*@contoso.com"}, nil, false},
		{"cause", []string{"--family", "binding"}, nil, false},
		{"redact", []string{"--redact", "--redact-key", "k"}, nil, false},
		{"skipped records", nil, []string{filepath.Dir(broken)}, false},
		{"sections", []string{"--workers", "4"}, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.split {
				old := splitAbove
				splitAbove = 1024
				defer func() { splitAbove = old }()
			}
			sweep := func(name string, paths ...string) string {
				return sweepJSON(t, dir, c.name+"-"+name, append(append([]string{}, c.flags...), paths...)...)
			}
			all := append(append([]string{}, parts...), c.extra...)
			whole := sweep("whole.json", all...)
			var shards []string
			for i, p := range all {
				shards = append(shards, sweep(fmt.Sprintf("part%02d.json", i), p))
			}
			want, err := os.ReadFile(whole)
			if err != nil {
				t.Fatal(err)
			}
			if s := validate(t, string(want)); c.extra != nil && s.Totals.Skipped == 0 {
				t.Fatalf("no record skipped: the case tests nothing")
			}
			if c.split {
				if secs, _ := parse.Split(filepath.Join(samplesDir, "graph", "signIns.jsonl"), 4, splitAbove, "auto"); len(secs) < 2 {
					t.Fatalf("signIns.jsonl in %d sections: the case tests nothing", len(secs))
				}
			}
			if got, errs, code := runCLI(t, "", "merge", "--format", "json", whole); code != 0 || got != string(want) {
				t.Errorf("merge of the whole alone: exit %d, %s; same summary: %v", code, errs, got == string(want))
			}
			got, errs, code := runCLI(t, "", append([]string{"merge", "--format", "json"}, shards...)...)
			if code != 0 {
				t.Fatalf("merge of the parts: exit %d: %s", code, errs)
			}
			if got != string(want) {
				t.Errorf("merge of the parts differs from the sweep of the whole")
			}
			if _, errs, code := runCLI(t, "", "sweep", "--baseline", whole, filepath.Join(samplesDir, "graph")); code != 0 {
				t.Errorf("as a baseline: exit %d: %s", code, errs)
			}
		})
	}
}
