package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// readCSV reads a CSV file whole, its header as a column index.
func readCSV(t *testing.T, path string) (col map[string]int, rows [][]string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	all, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), utf8BOM))).ReadAll()
	if err != nil || len(all) == 0 {
		t.Fatalf("%s: %v", path, err)
	}
	col = map[string]int{}
	for i, c := range all[0] {
		col[c] = i
	}
	return col, all[1:]
}

// TestMainCauseColumns: the CSV files write the main cause and its share as two cells
// (main_cause, main_cause_share), where the terminal packs them as "revoked (14.7%)".
func TestMainCauseColumns(t *testing.T) {
	dir := t.TempDir()
	js := mustRun(t, "sweep", "--format", "json", "--top", "0", "--out", dir, samplesDir)
	var sum struct {
		Tables map[string][]map[string]any `json:"tables"`
	}
	if err := json.Unmarshal([]byte(js), &sum); err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	mustRun(t, "sweep", "--top", "0", "--out", dir, samplesDir)
	col, rows := readCSV(t, filepath.Join(dir, "by_app.csv"))
	mc, ms := col["main_cause"], col["main_cause_share"]
	if _, ok := col["main_cause_share"]; !ok || len(rows) != len(sum.Tables["by_app"]) {
		t.Fatalf("by_app.csv: columns %v, %d rows; want main_cause_share and %d rows", col, len(rows), len(sum.Tables["by_app"]))
	}
	partial := 0
	for i, r := range rows {
		causes := sum.Tables["by_app"][i]["causes"].(map[string]any)
		events := sum.Tables["by_app"][i]["events"].(float64)
		most := causes[r[mc]].(float64)
		for _, n := range causes {
			if n.(float64) > most {
				t.Errorf("row %d: main cause %s has %v events, another %v", i, r[mc], most, n)
			}
		}
		share, err := strconv.ParseFloat(r[ms], 64)
		if err != nil || strings.Contains(r[mc], " ") || strconv.FormatFloat(100*most/events, 'f', 2, 64) != r[ms] {
			t.Errorf("row %d: main_cause %q, main_cause_share %q; want an id and %.2f", i, r[mc], r[ms], 100*most/events)
		}
		if share < 100 {
			partial++
		}
	}
	if partial == 0 {
		t.Error("a weak test: every row's main cause is all of it")
	}
	if table := mustRun(t, "sweep", samplesDir); !strings.Contains(table, "revoked (18.9%)") {
		t.Error("the terminal no longer packs the main cause and its share")
	}
}

// TestOutIndexSaysCut: the tables of --out are cut at --top (the rows beyond are not
// held, within the memory budget), and the index says so: "10 of 11", total_rows.
func TestOutIndexSaysCut(t *testing.T) {
	for _, top := range []string{"10", "0"} {
		dir := t.TempDir()
		mustRun(t, "sweep", "--top", top, "--out", dir, samplesDir)
		col, rows := readCSV(t, filepath.Join(dir, "index.csv"))
		cut := 0
		for _, r := range rows {
			_, data := readCSV(t, filepath.Join(dir, r[col["file"]]))
			n, total := atoi(r[col["rows"]]), atoi(r[col["total_rows"]])
			if n != len(data) || total < n {
				t.Errorf("--top %s: %s: %d rows, index says %d of %d", top, r[0], len(data), n, total)
			}
			if total > n {
				cut++
				if want := " (" + r[col["rows"]] + " of " + r[col["total_rows"]] + ")"; !strings.HasSuffix(r[col["title"]], want) {
					t.Errorf("--top %s: %s: title %q does not say %q", top, r[0], r[col["title"]], want)
				}
			}
			if r[col["table"]] == "by_app" && (top == "10") != (total == 11 && n == 10) {
				t.Errorf("--top %s: by_app: %d of %d rows, want 10 of 11 with --top 10", top, n, total)
			}
		}
		if (top == "10") != (cut > 0) {
			t.Errorf("--top %s: %d tables cut", top, cut)
		}
	}
}

// TestCSVBOM: --csv-bom starts every CSV output with a UTF-8 byte order mark, and only
// those; without it, none has one; with no CSV output it is a usage error.
func TestCSVBOM(t *testing.T) {
	if out := mustRun(t, "sweep", "--format", "csv", "--csv-bom", samplesDir); !strings.HasPrefix(out, utf8BOM+"family,cause,") {
		t.Errorf("--format csv --csv-bom: %.20q", out)
	}
	if out := mustRun(t, "sweep", "--format", "csv", samplesDir); strings.HasPrefix(out, utf8BOM) {
		t.Error("a BOM without --csv-bom")
	}
	if out := mustRun(t, "events", "--csv-bom", samplesDir+"/graph"); !strings.HasPrefix(out, utf8BOM+"time,event_id,") || strings.Count(out, utf8BOM) != 1 {
		t.Errorf("events --csv-bom: %.20q", out)
	}
	for _, f := range []string{"table", "csv", "html", "markdown"} {
		dir := t.TempDir()
		args := []string{"sweep", "--format", f, "--csv-bom", "--out", dir, "-o", filepath.Join(t.TempDir(), "r"), samplesDir}
		if f == "markdown" {
			if _, errs, code := runCLI(t, "", args...); code != 2 || !strings.Contains(errs, "no output is CSV") {
				t.Errorf("--format markdown --out --csv-bom: exit %d, %q", code, errs)
			}
			continue
		}
		mustRun(t, args...)
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			if strings.HasSuffix(e.Name(), ".csv") != strings.HasPrefix(string(data), utf8BOM) {
				t.Errorf("--format %s --out: %s: BOM %v", f, e.Name(), strings.HasPrefix(string(data), utf8BOM))
			}
		}
	}
	for _, args := range [][]string{{"sweep", "--format", "json", "--csv-bom"}, {"sweep", "--csv-bom"}, {"events", "--format", "jsonl", "--csv-bom"}} {
		if _, _, code := runCLI(t, "", append(args, samplesDir)...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (no CSV output)", args, code)
		}
	}
}

// TestEventsOrder: the rows of events come in the documented order, whatever order the
// paths are given in: the inputs sorted (standard input first), each input's events in
// file order (offsets rising).
func TestEventsOrder(t *testing.T) {
	paths := samplePaths(t)
	reversed := append([]string{}, paths...)
	for i, j := 0, len(reversed)-1; i < j; i, j = i+1, j-1 {
		reversed[i], reversed[j] = reversed[j], reversed[i]
	}
	a := mustRun(t, append([]string{"events"}, paths...)...)
	if b := mustRun(t, append([]string{"events"}, reversed...)...); a != b {
		t.Fatal("events rows depend on the order the paths are given in")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "e.csv"), []byte(a), 0o644)
	col, rows := readCSV(t, filepath.Join(dir, "e.csv"))
	if len(rows) < 100 {
		t.Fatalf("a weak test: %d rows", len(rows))
	}
	for i := 1; i < len(rows); i++ {
		p, r := rows[i-1], rows[i]
		pf, rf := p[col["file"]], r[col["file"]]
		switch {
		case rf < pf:
			t.Fatalf("row %d: %s after %s: inputs not in sorted order", i, rf, pf)
		case rf == pf && atoi(r[col["offset"]]) < atoi(p[col["offset"]]) && !strings.HasSuffix(rf, ".parquet"):
			t.Fatalf("row %d: %s offset %s after %s: not in file order", i, rf, r[col["offset"]], p[col["offset"]])
		}
	}
}
