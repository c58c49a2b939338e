package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSectionsReadAsWhole: a file read in parallel sections gives the summary and the
// messages of the same file read whole, also where a section boundary falls next to a
// broken or unusual record (the minimized findings of FuzzPipeline: F1-F6).
func TestSectionsReadAsWhole(t *testing.T) {
	defer func(v int64) { splitAbove = v }(splitAbove)
	splitAbove = 1
	rec := func(id string, code int) string {
		return `{"id":"` + id + `","createdDateTime":"2026-11-24T10:00:0` + id + `Z","status":{"errorCode":` + itoa(code) + `}}` + "\n"
	}
	for _, tt := range []struct{ name, data string }{
		{"F1: one record in the first section", rec("1", 0) + rec("2", 70000)},
		{"F2: an array left open in the last section", rec("1", 0) + rec("2", 0) + rec("3", 70000) + "[\n"},
		{"F3: a string left open in a record that opens a section", rec("1", 0) + "{\"x\":\"}\n" + rec("3", 70000)},
		{"F3 at the end", rec("1", 0) + rec("2", 0) + "{\"x\":\"}"},
		{"F5: two records on a line that opens a section", rec("1", 0) + strings.TrimSuffix(rec("2", 70000), "\n") + rec("3", 70000)},
		{"F6: a later section that breaks at once", rec("1", 0) + rec("2", 0) + "{\"a\":[\n"},
		{"a query result after records", rec("1", 0) + rec("2", 0) + `{"tables":[{"columns":[{"name":"ResultType"}],"rows":[["70000"],["0"]]}]}` + "\n"},
		{"a record that breaks across a section boundary", rec("1", 0) + "{\"id\":\"2\",\"x\":[\n" + rec("3", 0) + rec("4", 70000) + rec("5", 0)},
		{"clean JSON Lines", rec("1", 0) + rec("2", 70000) + rec("3", 0) + rec("4", 50126)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "in.jsonl")
			if err := os.WriteFile(p, []byte(strings.Repeat(tt.data, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			whole, werr, wcode := runCLI(t, "", "sweep", "--format", "json", "--workers", "1", p)
			split, serr, scode := runCLI(t, "", "sweep", "--format", "json", "--workers", "4", p)
			if whole != split || werr != serr || wcode != scode {
				t.Errorf("whole (exit %d):\n%s\n%s\nin sections (exit %d):\n%s\n%s", wcode, werr, whole, scode, serr, split)
			}
		})
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
