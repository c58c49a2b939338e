package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The audit join's fixtures: a Graph directoryAudits page (a session revoke of ron by
// admin@contoso.com, a device deletion, two policy changes of which one is in a failure's
// policy list, other activities) and sign-in failures that each explains or must not
// (one before the revoke, one of a policy not in the list). harry-signins.jsonl are two
// failures of the shared audit corpus's user, before and after its password change.
const (
	auditFixtures = "../../report/testdata/audit"
	auditPage     = auditFixtures + "/directoryAudits.json"
	auditSignIns  = auditFixtures + "/signins.jsonl"
	harrySignIns  = auditFixtures + "/harry-signins.jsonl"
)

type joinSummary struct {
	Totals struct {
		Audit int64 `json:"audit_records"`
	} `json:"totals"`
	Inputs []struct {
		Path  string `json:"path"`
		Audit int64  `json:"audit_records"`
		Error string `json:"error"`
	} `json:"inputs"`
	Causes []struct {
		Cause     string `json:"cause"`
		Events    int64  `json:"events"`
		Explained int64  `json:"explained"`
	} `json:"causes"`
	Tables struct {
		ByChange []struct {
			Kind     string           `json:"kind"`
			Activity string           `json:"activity"`
			Actor    string           `json:"actor"`
			Target   string           `json:"target"`
			Time     string           `json:"time"`
			AuditIDs []string         `json:"audit_ids"`
			Events   int64            `json:"events"`
			Users    int64            `json:"users"`
			Causes   map[string]int64 `json:"causes"`
		} `json:"by_change"`
		ChangeContext []struct {
			Kind   string `json:"kind"`
			Target string `json:"target"`
			Events int64  `json:"events"`
		} `json:"change_context"`
	} `json:"tables"`
}

func decodeJoin(t *testing.T, out string) joinSummary {
	t.Helper()
	validate(t, out)
	var j joinSummary
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatal(err)
	}
	return j
}

func (j joinSummary) explained() map[string][2]int64 {
	m := map[string][2]int64{}
	for _, c := range j.Causes {
		if c.Events > 0 {
			m[c.Cause] = [2]int64{c.Events, c.Explained}
		}
	}
	return m
}

// TestAuditJoinFixtures: the fixtures' changes explain what they must and nothing else,
// in the JSON summary, the table report and the files of --out.
func TestAuditJoinFixtures(t *testing.T) {
	out := mustRun(t, "sweep", "--format", "json", auditPage, auditSignIns)
	j := decodeJoin(t, out)
	if j.Totals.Audit != 6 || j.Inputs[0].Audit != 6 || j.Inputs[0].Error != "" || j.Inputs[1].Audit != 0 {
		t.Errorf("audit records: totals %d, inputs %+v; want 6, all of the page, no error", j.Totals.Audit, j.Inputs)
	}
	want := map[string][2]int64{"revoked": {3, 2}, "device_not_found": {1, 1}, "expired_signin_frequency": {2, 1}}
	if got := j.explained(); !equalExplained(got, want) {
		t.Errorf("events, explained by cause %v, want %v", got, want)
	}
	var kinds []string
	for _, r := range j.Tables.ByChange {
		kinds = append(kinds, fmt.Sprintf("%s %s %d", r.Kind, r.Target, r.Events))
	}
	if w := []string{"session_revoke ron.weasley@contoso.com 2", "ca_policy_change Sign-in frequency 1h 1", "device_removed LAPTOP-RON 1"}; !slices.Equal(kinds, w) {
		t.Errorf("by_change %q, want %q (by events, then time)", kinds, w)
	}
	if r := j.Tables.ByChange[0]; r.Actor != "admin@contoso.com" || r.Time != "2026-11-24T07:00:00Z" || !slices.Equal(r.AuditIDs, []string{"A-10"}) || r.Users != 1 || r.Causes["revoked"] != 2 {
		t.Errorf("by_change[0] %+v", r)
	}
	if c := j.Tables.ChangeContext; len(c) != 1 || c[0].Target != "Block legacy" || c[0].Events != 0 {
		t.Errorf("change_context %+v, want the policy change of no failure's list", c)
	}

	table := mustRun(t, "sweep", auditPage, auditSignIns)
	for _, want := range []string{"What changed before the failures\n",
		"revoked (3): 2 after Update StsRefreshTokenValidFrom Timestamp by admin@contoso.com, 1 change; 1\n    unexplained.",
		"Policy changes in the window that explain no failure:\n"} {
		if !strings.Contains(table, want) {
			t.Errorf("the table report lacks %q:\n%s", want, table)
		}
	}
	for line := range strings.Lines(table) {
		if n := len([]rune(strings.TrimSuffix(line, "\n"))); n > 100 {
			t.Errorf("a line of %d columns: %q", n, line)
		}
	}
	dir := t.TempDir()
	mustRun(t, "sweep", "--format", "csv", "-o", filepath.Join(t.TempDir(), "x.csv"), "--out", dir, auditPage, auditSignIns)
	f, err := os.Open(filepath.Join(dir, "by_change.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 4 || rows[0][6] != "time" || rows[1][6] != "2026-11-24T07:00:00Z" || rows[1][0] != "session_revoke" {
		t.Errorf("by_change.csv: %v, %q", err, rows)
	}

	// Without audit records, none of it: the reports are what they were before the join.
	plain := mustRun(t, "sweep", auditSignIns)
	if strings.Contains(plain, "What changed") || strings.Contains(plain, " after ") {
		t.Errorf("a sweep without audit records shows the audit join:\n%s", plain)
	}
	j = decodeJoin(t, mustRun(t, "sweep", "--format", "json", auditSignIns))
	if j.Totals.Audit != 0 || j.Tables.ByChange == nil || len(j.Tables.ByChange) != 0 || j.explained()["revoked"][1] != 0 {
		t.Errorf("without audit records: %+v", j)
	}
}

func equalExplained(a, b map[string][2]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestAuditJoinCorpus: the shared corpus's audit export (a self-service password change
// of harry.potter at 08:21:37, written as four records within 93 ms) swept with a failure
// of his after it explains that one as password_change, and not the one before it; the
// event listing says the same of each row.
func TestAuditJoinCorpus(t *testing.T) {
	needAudit(t)
	j := decodeJoin(t, mustRun(t, "sweep", "--format", "json", auditFile, harrySignIns))
	if got := j.explained(); !equalExplained(got, map[string][2]int64{"revoked": {2, 1}}) {
		t.Errorf("explained %v, want 1 of 2 revoked", got)
	}
	if len(j.Tables.ByChange) != 1 {
		t.Fatalf("by_change %+v, want one change", j.Tables.ByChange)
	}
	r := j.Tables.ByChange[0]
	if r.Kind != "password_change" || r.Target != "harry.potter@hogwarts.com" || !strings.HasPrefix(r.Time, "2025-04-11T08:21:37") || len(r.AuditIDs) < 2 || r.Events != 1 {
		t.Errorf("by_change[0] %+v, want the password change, of its several records", r)
	}
	out := mustRun(t, "events", "--format", "jsonl", harrySignIns, auditFile) // the audit records after the failures
	var got []string
	for line := range strings.Lines(out) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %v", rec["time"], rec["explained_by_kind"]))
	}
	if want := []string{"2025-04-11T08:10:00Z ", "2025-04-11T09:30:00Z password_change"}; !slices.Equal(got, want) {
		t.Errorf("events: %q, want %q", got, want)
	}
}

// TestAuditJoinMergeExact: merge(sweep(A), sweep(B)) writes sweep(A and B) byte for byte
// in every format when the audit log is in one shard and the failures in the other; the
// partial carries the change records, and merge regroups them. merge(B, A) attributes
// the same (its inputs are in its shards' order; sweep sorts its paths).
func TestAuditJoinMergeExact(t *testing.T) {
	dir := t.TempDir()
	a := sweepJSON(t, dir, "audit.json", auditPage)
	b := sweepJSON(t, dir, "failures.json", auditSignIns)
	for _, format := range []string{"table", "csv", "json", "markdown", "html"} {
		whole := mustRun(t, "sweep", "--format", format, auditPage, auditSignIns)
		merged := mustRun(t, "merge", "--format", format, a, b)
		if whole != merged {
			t.Errorf("%s: merge differs from the sweep of both:\n%s", format, firstDiff(merged, whole))
		}
	}
	ab := decodeJoin(t, mustRun(t, "merge", "--format", "json", a, b))
	ba := decodeJoin(t, mustRun(t, "merge", "--format", "json", b, a))
	if len(ab.Tables.ByChange) != 3 || fmt.Sprint(ab.Tables) != fmt.Sprint(ba.Tables) || !equalExplained(ab.explained(), ba.explained()) {
		t.Errorf("merge A B explains with %d changes; B A differs: %+v", len(ab.Tables.ByChange), ba.Tables)
	}
	// A partial of other change kinds is refused.
	rules := filepath.Join(dir, "rules.yaml")
	os.WriteFile(rules, []byte("changes:\n  - id: session_revoke\n    window: 1d\n"), 0o644)
	if _, errs, code := runCLI(t, "", "merge", "--rules", rules, a, b); code != 2 || !strings.Contains(errs, "change kinds") {
		t.Errorf("merge with other change kinds: exit %d, %q; want 2, naming the change kinds", code, errs)
	}
}

// TestAuditJoinSectionsAndMemory: audit records among the sign-ins of one JSON Lines
// file, read in sections or whole, and the fixtures with every event and change spilled
// (--memory 1), give the same bytes.
func TestAuditJoinSectionsAndMemory(t *testing.T) {
	audit := func(id, at, activity, user string) string {
		return `{"time":"` + at + `","category":"AuditLogs","operationName":"` + activity + `","properties":{"id":"` + id + `","activityDateTime":"` + at +
			`","activityDisplayName":"` + activity + `","result":"success","initiatedBy":{"user":{"userPrincipalName":"admin@contoso.com"}},"targetResources":[{"type":"User","id":"` + user + `","userPrincipalName":"` + user + `@contoso.com"}]}}` + "\n"
	}
	signIn := func(id, at, user string) string {
		return `{"id":"` + id + `","createdDateTime":"` + at + `","userId":"` + user + `","userPrincipalName":"` + user + `@contoso.com","status":{"errorCode":50173}}` + "\n"
	}
	var b strings.Builder
	for i := range 40 {
		u := fmt.Sprintf("u%d", i%7)
		b.WriteString(signIn(fmt.Sprintf("s%d", i), fmt.Sprintf("2026-11-24T10:%02d:00Z", i), u))
		if i%5 == 0 {
			b.WriteString(audit(fmt.Sprintf("a%d", i), fmt.Sprintf("2026-11-24T10:%02d:30Z", i), "Update StsRefreshTokenValidFrom Timestamp", u))
			b.WriteString(audit(fmt.Sprintf("o%d", i), fmt.Sprintf("2026-11-24T10:%02d:31Z", i), "Add member to group", u))
		}
	}
	p := filepath.Join(t.TempDir(), "mixed.jsonl")
	os.WriteFile(p, []byte(b.String()), 0o644)
	defer func(v int64) { splitAbove = v }(splitAbove)
	splitAbove = 1
	whole, werr, _ := runCLI(t, "", "sweep", "--format", "json", "--workers", "1", p)
	split, serr, _ := runCLI(t, "", "sweep", "--format", "json", "--workers", "4", p)
	if whole != split || werr != serr {
		t.Errorf("in sections, the summary differs:\n%s", firstDiff(split, whole))
	}
	j := decodeJoin(t, whole)
	if j.Totals.Audit != 16 || len(j.Tables.ByChange) == 0 || j.explained()["revoked"][1] == 0 {
		t.Errorf("the mixed file: %d audit records, %d changes, explained %v", j.Totals.Audit, len(j.Tables.ByChange), j.explained())
	}

	tinyMemory(t)
	for _, format := range []string{"json", "table", "markdown", "html"} {
		for _, workers := range []string{"1", "2"} {
			args := []string{"sweep", "--format", format, "--workers", workers, "--top", "0"}
			inputs := []string{auditPage, auditSignIns, p, samplesDir}
			want := mustRun(t, append(args, inputs...)...)
			got, gerr, _ := runCLI(t, "", append(append(args, "--memory", "1"), inputs...)...)
			if got != want || !strings.Contains(gerr, "spilled") {
				t.Errorf("%v: spilled (%q), the report differs:\n%s", args, gerr, firstDiff(got, want))
			}
		}
	}
}

// TestRedactAuditJoin: with --redact, no actor's or user target's UPN, no user's object id
// and no device name of the fixtures appears in any output, and the join still matches
// on the pseudonyms.
func TestRedactAuditJoin(t *testing.T) {
	ids := []string{"ron.weasley", "admin@", "secadmin", "c0ffee00-0000-4000-8000-000000000002", "laptop-ron", "ginny", "luna", "harry.potter", "76b99f43-d354"}
	inputs := []string{auditPage, auditSignIns, harrySignIns}
	if _, err := os.Stat(auditFile); err == nil {
		inputs = append(inputs, auditFile)
	}
	plain := strings.ToLower(mustRun(t, append([]string{"sweep", "--format", "json"}, inputs...)...))
	for _, id := range ids {
		if !strings.Contains(plain, id) {
			t.Fatalf("without --redact the summary lacks %q: the test would prove nothing", id)
		}
	}
	redact := []string{"--redact", "--redact-key", "k", "--top", "0"}
	outputs := map[string]string{}
	for _, format := range []string{"table", "csv", "markdown", "json", "html"} {
		outputs[format] = mustRun(t, append(append([]string{"sweep", "--format", format}, redact...), inputs...)...)
		dir := filepath.Join(t.TempDir(), "out")
		mustRun(t, append(append([]string{"sweep", "--format", format, "-o", filepath.Join(t.TempDir(), "x"), "--out", dir}, redact...), inputs...)...)
		files, _ := os.ReadDir(dir)
		for _, f := range files {
			b, _ := os.ReadFile(filepath.Join(dir, f.Name()))
			outputs[format+" --out "+f.Name()] = string(b)
		}
	}
	for _, format := range []string{"csv", "jsonl"} {
		outputs["events "+format] = mustRun(t, append([]string{"events", "--format", format, "--redact", "--redact-key", "k"}, inputs...)...)
	}
	for name, out := range outputs {
		low := strings.ToLower(out)
		for _, id := range ids {
			if strings.Contains(low, id) {
				t.Errorf("%s holds %q", name, id)
			}
		}
	}
	j := decodeJoin(t, outputs["json"])
	if got := j.explained(); got["revoked"][1] != 3 || got["device_not_found"][1] != 1 {
		t.Errorf("redacted, explained %v: the join no longer matches on the pseudonyms", got)
	}
	if r := j.Tables.ByChange[0]; !strings.HasPrefix(r.Actor, "user-") || !strings.HasSuffix(r.Actor, "@contoso.com") {
		t.Errorf("the actor %q is not a user's pseudonym", r.Actor)
	}
	if !strings.Contains(outputs["events csv"], ",session_revoke,") {
		t.Errorf("redacted events explain nothing:\n%s", outputs["events csv"])
	}
}

// TestMergeRefusesBadChanges: a partial whose change records do not give the explained
// counts it shows, or that are malformed, is refused naming the member.
func TestMergeRefusesBadChanges(t *testing.T) {
	dir := t.TempDir()
	out := mustRun(t, "sweep", "--format", "json", auditPage, auditSignIns)
	for _, tt := range []struct{ name, from, to, member string }{
		{"a kind unknown", `["2026-11-24T07:00:00Z","A-10","session_revoke",`, `["2026-11-24T07:00:00Z","A-10","no_such_kind",`, "partial.changes[3][2] (kind)"},
		{"explained not what the changes give", `"explained": 2`, `"explained": 1`, "causes[10].explained"},
		{"a change time not a time", `["2026-11-24T07:00:00Z","A-10"`, `["yesterday","A-10"`, "partial.changes[3][0] (time)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(out, tt.from) {
				t.Fatalf("the summary lacks %q", tt.from)
			}
			p := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".json")
			os.WriteFile(p, []byte(strings.Replace(out, tt.from, tt.to, 1)), 0o644)
			_, errs, code := runCLI(t, "", "merge", p)
			if code != 2 || !strings.Contains(errs, tt.member) {
				t.Errorf("exit %d, %q; want 2 naming %s", code, errs, tt.member)
			}
		})
	}
}
