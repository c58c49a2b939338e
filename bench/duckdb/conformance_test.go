package main

// The proof by DuckDB that grantsweep rules export --sql asks the question sweep answers:
// the exported query, run by DuckDB over samples/'s Parquet and JSON and over generated
// files, must give the summary's in-scope events and duplicates, every cause's events,
// distinct users, apps and IPs, first and last seen, every family's events and users, and
// every row of the by_app, by_user, by_ip and by_client tables with its events per cause,
// for the default rules and for a rule file that adds and overrides rules.
//
//	cd bench/duckdb && go test -run Conformance

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

var root = filepath.Join("..", "..")

// build compiles one of grantsweep's commands into dir.
func build(t *testing.T, dir, pkg string) string {
	t.Helper()
	exe := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", exe, pkg)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return exe
}

func run(t *testing.T, exe string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(exe, args...)
	cmd.Stderr = new(strings.Builder)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(exe), strings.Join(args, " "), err, cmd.Stderr)
	}
	return out
}

// report is what both sides give, in one form: lines of text, in order.
type report struct {
	totals, causes, families []string
	tables                   map[string][]string
}

var tableKeys = map[string][2]string{
	"by_app": {"app", "app_id"}, "by_user": {"user", "user_id"}, "by_ip": {"ip", "country"}, "by_client": {"client_app", "sign_in_type"},
}

func us(s *string) string { // a time to the microsecond, DuckDB's resolution
	if s == nil {
		return "-"
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return "bad:" + *s
	}
	return t.Truncate(time.Microsecond).UTC().Format(time.RFC3339Nano)
}

func fromSummary(t *testing.T, data []byte) report {
	var s struct {
		Totals struct{ InScope, Duplicates int64 } `json:"totals"`
		Causes []struct {
			Cause            string
			Family           string
			Events           int64
			Users, Apps, IPs int
			FirstSeen        *string `json:"first_seen"`
			LastSeen         *string `json:"last_seen"`
		}
		Families []struct {
			Family string
			Events int64
			Users  int
		}
		Tables map[string][]map[string]any
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	// encoding/json matches in_scope to InScope only by tag: read the totals by name.
	var raw struct {
		Totals map[string]int64 `json:"totals"`
	}
	json.Unmarshal(data, &raw)
	r := report{tables: map[string][]string{}}
	r.totals = []string{fmt.Sprintf("in_scope %d", raw.Totals["in_scope"]), fmt.Sprintf("duplicates %d", raw.Totals["duplicates"])}
	for _, c := range s.Causes {
		r.causes = append(r.causes, fmt.Sprintf("%s/%s events %d users %d apps %d ips %d first %s last %s", c.Family, c.Cause, c.Events, c.Users, c.Apps, c.IPs, us(c.FirstSeen), us(c.LastSeen)))
	}
	for _, f := range s.Families {
		r.families = append(r.families, fmt.Sprintf("%s events %d users %d", f.Family, f.Events, f.Users))
	}
	for name, k := range tableKeys {
		for _, row := range s.Tables[name] {
			distinct := row["users"]
			if name == "by_user" {
				distinct = row["apps"]
			}
			var causes []string
			for _, c := range s.Causes { // in rule order
				if n, ok := row["causes"].(map[string]any)[c.Cause]; ok {
					causes = append(causes, fmt.Sprintf("%s=%v", c.Cause, n))
				}
			}
			r.tables[name] = append(r.tables[name], fmt.Sprintf("%q %q events %v distinct %v %s", row[k[0]], row[k[1]], row["events"], distinct, strings.Join(causes, " ")))
		}
	}
	return r
}

func fromSQL(t *testing.T, db *sql.DB, query string) report {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("DuckDB: %v", err)
	}
	defer rows.Close()
	r := report{tables: map[string][]string{}}
	type pending struct {
		head   string
		causes []string
	}
	var cur map[string]*pending
	cur = map[string]*pending{}
	var order map[string][]string = map[string][]string{}
	for rows.Next() {
		var (
			part                      int
			section                   string
			ruleOrder                 sql.NullInt64
			family, cause, key1, key2 sql.NullString
			events                    int64
			users, apps, ips          sql.NullInt64
			first, last               sql.NullTime
		)
		if err := rows.Scan(&part, &section, &ruleOrder, &family, &cause, &key1, &key2, &events, &users, &apps, &ips, &first, &last); err != nil {
			t.Fatal(err)
		}
		ts := func(v sql.NullTime) string {
			if !v.Valid {
				return "-"
			}
			return v.Time.UTC().Format(time.RFC3339Nano)
		}
		switch section {
		case "in_scope", "duplicates":
			r.totals = append(r.totals, fmt.Sprintf("%s %d", section, events))
		case "cause":
			r.causes = append(r.causes, fmt.Sprintf("%s/%s events %d users %d apps %d ips %d first %s last %s", family.String, cause.String, events, users.Int64, apps.Int64, ips.Int64, ts(first), ts(last)))
		case "family":
			r.families = append(r.families, fmt.Sprintf("%s events %d users %d", family.String, events, users.Int64))
		default:
			key := section + "\x00" + key1.String + "\x00" + key2.String
			if !cause.Valid { // the row's totals come first, in the table's order
				distinct := users.Int64
				if section == "by_user" {
					distinct = apps.Int64
				}
				cur[key] = &pending{head: fmt.Sprintf("%q %q events %d distinct %d", key1.String, key2.String, events, distinct)}
				order[section] = append(order[section], key)
				continue
			}
			p := cur[key]
			if p == nil {
				t.Fatalf("DuckDB: %s row %q %q for %s before its totals", section, key1.String, key2.String, cause.String)
			}
			p.causes = append(p.causes, fmt.Sprintf("%s=%d", cause.String, events))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for section, keys := range order {
		for _, k := range keys {
			p := cur[k]
			r.tables[section] = append(r.tables[section], strings.TrimSpace(p.head+" "+strings.Join(p.causes, " ")))
		}
	}
	return r
}

// input is a file and the table expression DuckDB reads it with.
type input struct {
	name, file, shape, from string
}

// eventHubFrom reads an Event Hub capture ({"records": [...]}) whose records DuckDB
// cannot type as one struct (they spell Level and level both): each record as JSON.
const eventHubFrom = "(SELECT r->>'time' AS time, r->>'category' AS category, r->>'resultType' AS resultType, " +
	"r->>'resultDescription' AS resultDescription, r->>'callerIpAddress' AS callerIpAddress, r->>'location' AS location, " +
	"r->'properties' AS properties FROM (SELECT unnest(records) AS r FROM read_json('%s', columns={records: 'JSON[]'})))"

func sampleInputs(gen, dir string, db *sql.DB, t *testing.T) []input {
	s := func(p string) string { return filepath.Join(root, "samples", p) }
	glob := func(p string) string {
		m, _ := filepath.Glob(s(p))
		if len(m) != 1 {
			t.Fatalf("samples/%s: %d files", p, len(m))
		}
		return m[0]
	}
	ins := []input{
		{"adx-parquet", s("adx/AADNonInteractiveUserSignInLogs.parquet"), "log-analytics", "read_parquet('%s')"},
		{"la-json-signinlogs", s("log-analytics/SigninLogs.json"), "log-analytics", "read_json('%s')"},
		{"la-json-noninteractive", s("log-analytics/AADNonInteractiveUserSignInLogs.json"), "log-analytics", "read_json('%s')"},
		{"databricks-parquet", s("databricks/signinlogs/part-00000.snappy.parquet"), "diagnostic", "read_parquet('%s')"},
		{"storage-pt1h", glob("insights-logs-signinlogs/*/*/*/*/*/*/*/*/*/*/PT1H.json"), "diagnostic", "read_json('%s', format='newline_delimited')"},
		{"storage-pt1h-noninteractive", glob("insights-logs-noninteractiveusersigninlogs/*/*/*/*/*/*/*/*/*/*/PT1H.json"), "diagnostic", "read_json('%s', format='newline_delimited')"},
		{"archive-gz", s("archive/insights-logs-noninteractiveusersigninlogs-2026-11-23T22.json.gz"), "diagnostic", "read_json('%s', format='newline_delimited')"},
		{"eventhub", s("eventhub/insights-signinlogs-batch.json"), "diagnostic", eventHubFrom},
		{"graph-jsonl", s("graph/signIns.jsonl"), "graph", "read_json('%s', format='newline_delimited')"},
		{"graph-page", s("graph/signIns-v1.0-page1.json"), "graph", "(SELECT v.* FROM (SELECT unnest(value) AS v FROM read_json('%s')))"},
	}
	// Generated: a tenant's cardinality, each shape of the benchmark.
	for _, g := range []struct{ shape, ext, kind, from string }{
		{"parquet-flat", "parquet", "log-analytics", "read_parquet('%s')"},
		{"parquet-nested", "parquet", "diagnostic", "read_parquet('%s')"},
		{"monitor", "json", "diagnostic", "read_json('%s', format='newline_delimited')"},
		{"lines", "jsonl", "graph", "read_json('%s', format='newline_delimited')"},
	} {
		f := filepath.Join(dir, "gen-"+g.shape+"."+g.ext)
		run(t, gen, "-shape", g.shape, "-records", "20000", "-inscope", "0.2", "-cardinality", "2000,150,400", "-seed", "7", "-o", f)
		ins = append(ins, input{"generated-" + g.shape, f, g.kind, g.from})
	}
	// Written by DuckDB itself, as a lake export is, in each of its writer's options: its
	// JSON text columns come as one large page a row group (grantsweep's own page reader).
	la := filepath.Join(dir, "gen-la-text.json")
	run(t, gen, "-shape", "la-text", "-records", "20000", "-inscope", "0.2", "-cardinality", "2000,150,400", "-seed", "7", "-o", la)
	for _, o := range []struct{ name, opts string }{
		{"snappy", "COMPRESSION snappy"}, {"zstd", "COMPRESSION zstd"}, {"gzip", "COMPRESSION gzip"},
		{"uncompressed", "COMPRESSION uncompressed"}, {"v2", "COMPRESSION snappy, PARQUET_VERSION v2"},
	} {
		f := filepath.Join(dir, "duckdb-"+o.name+".parquet")
		if _, err := db.Exec(fmt.Sprintf("COPY (SELECT * FROM read_json_auto('%s')) TO '%s' (FORMAT parquet, ROW_GROUP_SIZE 122880, %s)", la, f, o.opts)); err != nil {
			t.Fatal(err)
		}
		ins = append(ins, input{"duckdb-written-" + o.name, f, "log-analytics", "read_parquet('%s')"})
	}
	return ins
}

func TestConformance(t *testing.T) {
	dir := t.TempDir()
	gs := build(t, dir, "./cmd/grantsweep")
	gen := build(t, dir, "./cmd/gensamples")
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("SET TimeZone = 'UTC'"); err != nil {
		t.Fatal(err)
	}
	userRules := filepath.Join(root, "rules", "testdata", "engines-extend.yaml")
	ins := sampleInputs(gen, dir, db, t)
	// Copies: the same file twice, as an overlapping export gives it; every in-scope event is a duplicate once.
	pq := ins[0]
	ins = append(ins, input{"adx-parquet-twice", pq.file, pq.shape, "(SELECT * FROM read_parquet('%[1]s') UNION ALL SELECT * FROM read_parquet('%[1]s'))"})
	for _, in := range ins {
		for _, rs := range []struct{ name string }{{"default"}, {"user-rules"}} {
			t.Run(in.name+"/"+rs.name, func(t *testing.T) {
				var rulesArgs []string
				if rs.name == "user-rules" {
					rulesArgs = []string{"--rules", userRules}
				}
				files := []string{in.file}
				if strings.HasSuffix(in.name, "-twice") {
					dup := filepath.Join(t.TempDir(), "copy.parquet")
					data, _ := os.ReadFile(in.file)
					os.WriteFile(dup, data, 0o644)
					files = append(files, dup)
				}
				want := fromSummary(t, run(t, gs, append(append([]string{"sweep", "--format", "json", "--top", "0"}, rulesArgs...), files...)...))
				from := fmt.Sprintf(in.from, in.file)
				query := string(run(t, gs, append([]string{"rules", "export", "--sql", "--shape", in.shape, "--from", from}, rulesArgs...)...))
				got := fromSQL(t, db, query)
				compare(t, "totals", got.totals, want.totals)
				compare(t, "causes", got.causes, want.causes)
				compare(t, "families", got.families, want.families)
				for name := range tableKeys {
					compare(t, name, got.tables[name], want.tables[name])
				}
				if want.totals[0] == "in_scope 0" {
					t.Errorf("no event in scope: the comparison proves nothing")
				}
			})
		}
	}
}

func compare(t *testing.T, what string, got, want []string) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	n := max(len(got), len(want))
	shown := 0
	for i := 0; i < n && shown < 8; i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("%s[%d]:\n  DuckDB     %s\n  grantsweep %s", what, i, g, w)
			shown++
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s: DuckDB %d lines, grantsweep %d", what, len(got), len(want))
	}
}
