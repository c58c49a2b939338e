package rules

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestSQLGolden pins the SQL export in both dialects and both input shapes: the Spark
// dialect differs from DuckDB's only by the function table (sqlDialects), which the diff
// of the two files shows. bench/duckdb runs the DuckDB one against sweep's summary.
func TestSQLGolden(t *testing.T) {
	for _, tt := range []struct{ dialect, shape, from string }{
		{DialectDuckDB, ShapeLogAnalytics, "read_parquet('signins/*.parquet')"},
		{DialectSpark, ShapeLogAnalytics, "parquet.`/lake/signins`"},
		{DialectDuckDB, ShapeDiagnostic, "read_json('PT1H.json', format='newline_delimited')"},
		{DialectSpark, ShapeDiagnostic, "signin_records"},
		{DialectDuckDB, ShapeGraph, "read_json('signIns.jsonl', format='newline_delimited')"},
	} {
		var b strings.Builder
		if err := Default().WriteSQL(&b, tt.from, tt.shape, tt.dialect); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "export-"+tt.dialect+"-"+tt.shape+".sql")
		if *updateGolden {
			if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test ./rules -run SQLGolden -update writes it)", err)
		}
		if b.String() != string(want) {
			t.Errorf("%s differs from the export (go test ./rules -run SQLGolden -update rewrites it)", path)
		}
	}
}

// TestSQLDialects: what differs between the dialects is their table, and a phrase with a
// quote or a backslash is written as each dialect reads it.
func TestSQLDialects(t *testing.T) {
	set, err := Parse([]byte("families: [{id: f, label: F}]\nrules:\n  - id: r\n    family: f\n    label: R\n    when: [{codes: [70000], text: [\"it's a \\\\ path\"]}]\n    remediation: x\n"), "q.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range SQLDialects {
		var b strings.Builder
		if err := set.WriteSQL(&b, "t", ShapeLogAnalytics, d); err != nil {
			t.Fatal(err)
		}
		out[d] = b.String()
	}
	if !strings.Contains(out[DialectDuckDB], `instr(t_reason, 'it''s a \ path')`) {
		t.Errorf("DuckDB: the phrase is not quoted by doubling:\n%s", out[DialectDuckDB])
	}
	if !strings.Contains(out[DialectSpark], `instr(t_reason, 'it\'s a \\ path')`) {
		t.Errorf("Spark: the phrase is not quoted with backslashes:\n%s", out[DialectSpark])
	}
	if strings.Contains(out[DialectSpark], "UNION ALL BY NAME") || !strings.Contains(out[DialectDuckDB], "UNION ALL BY NAME") {
		t.Errorf("only DuckDB fills absent columns with UNION ALL BY NAME")
	}
	var b strings.Builder
	for _, bad := range [][2]string{{"postgres", ShapeLogAnalytics}, {DialectDuckDB, "portal"}} {
		if err := set.WriteSQL(&b, "t", bad[1], bad[0]); !errors.Is(err, ErrDialect) {
			t.Errorf("WriteSQL(%s, %s) = %v, want ErrDialect", bad[0], bad[1], err)
		}
	}
	b.Reset()
	if err := set.WriteSQL(&b, " ", ShapeLogAnalytics, DialectDuckDB); err == nil || b.Len() != 0 {
		t.Errorf("WriteSQL with no table: %v, wrote %d bytes", err, b.Len())
	}
}
