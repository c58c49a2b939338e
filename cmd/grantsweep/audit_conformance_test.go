package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/grantsweep/grantsweep/rules"
)

// The audit join end to end, against the labels cmd/gensamples writes of samples/audit/
// (cmd/gensamples/testdata/audit-labels.json) and against the shared corpus's real audit
// records: what the "It must show" asks of the join.

const (
	auditSamplesDir = samplesDir + "/audit"
	auditLabelsFile = "../gensamples/testdata/audit-labels.json" // written by gensamples, beside samples/audit
)

type auditLabels struct {
	SignIns      string              `json:"sign_ins"`
	Shapes       map[string][]string `json:"shapes"`
	AuditRecords int64               `json:"audit_records"`
	Changes      []struct {
		Name     string
		Kind     string
		AuditIDs []string `json:"audit_ids"`
	}
	Explained map[string]int64
	Failures  []struct {
		EventID string `json:"event_id"`
		Cause   string
		Change  string
		Kind    string `json:"explained_by_kind"`
		AuditID string `json:"explained_by_audit_id"`
		Why     string
		User    string
		Time    string
	}
}

func readAuditLabels(t *testing.T) *auditLabels {
	t.Helper()
	b, err := os.ReadFile(auditLabelsFile)
	if err != nil {
		t.Fatal(err)
	}
	var l auditLabels
	if err := json.Unmarshal(b, &l); err != nil {
		t.Fatal(err)
	}
	if len(l.Shapes) < 8 || len(l.Failures) == 0 || len(l.Changes) == 0 {
		t.Fatalf("audit labels: %d shapes, %d failures, %d changes", len(l.Shapes), len(l.Failures), len(l.Changes))
	}
	return &l
}

// changeRow is a row of tables.by_change or change_context.
type changeRow struct {
	Kind, Label, Activity, Actor, Target string
	TargetType                           string `json:"target_type"`
	Time                                 string
	AuditIDs                             []string `json:"audit_ids"`
	Events                               int64
	Users                                int64
	Causes                               map[string]int64
}

type auditSummary struct {
	Totals struct {
		Records      int64
		InScope      int64 `json:"in_scope"`
		Skipped      int64
		AuditRecords int64 `json:"audit_records"`
	}
	Causes []struct {
		Cause     string
		Events    int64
		Explained int64
	}
	Tables struct {
		ByChange      []changeRow `json:"by_change"`
		ChangeContext []changeRow `json:"change_context"`
	}
}

func sweepAudit(t *testing.T, paths ...string) *auditSummary {
	t.Helper()
	out, errs, code := runCLI(t, "", append([]string{"sweep", "--format", "json"}, paths...)...)
	if code != 0 {
		t.Fatalf("sweep %v: exit %d: %s", paths, code, errs)
	}
	var s auditSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("sweep %v: %v", paths, err)
	}
	return &s
}

// explainedEvent is what grantsweep events --format jsonl says of an event's attribution.
type explainedEvent struct {
	EventID  string  `json:"event_id"`
	Cause    string  `json:"cause"`
	Kind     *string `json:"explained_by_kind"`
	Activity *string `json:"explained_by_activity"`
	AuditID  *string `json:"explained_by_audit_id"`
}

func eventsAudit(t *testing.T, paths ...string) []explainedEvent {
	t.Helper()
	out, errs, code := runCLI(t, "", append([]string{"events", "--format", "jsonl"}, paths...)...)
	if code != 0 {
		t.Fatalf("events %v: exit %d: %s", paths, code, errs)
	}
	var evs []explainedEvent
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		var e explainedEvent
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("events line %d: %v", i+1, err)
		}
		evs = append(evs, e)
	}
	return evs
}

// comparable is a row as every shape must give it: the activity normalised (sources
// spell it differently: case, a dash, a trailing period), the audit ids only where the
// shape has them (the portal's CSV has no id column).
func (r changeRow) comparable(ids bool) string {
	r.Activity = rules.NormalizeActivity(r.Activity)
	if !ids {
		r.AuditIDs = nil
	}
	b, _ := json.Marshal(r)
	return string(b)
}

func rowsOf(rows []changeRow, ids bool) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.comparable(ids)
	}
	return out
}

// TestAuditConformance: each audit shape's files, swept with the same sign-ins, give the
// labelled explained counts, the same by_change and change_context rows as every other
// shape, and every failure the attribution the labels give it.
func TestAuditConformance(t *testing.T) {
	l := readAuditLabels(t)
	in := func(rel string) string { return filepath.Join(auditSamplesDir, filepath.FromSlash(rel)) }
	signIns := in(l.SignIns)
	// What the labels say each change explains: the by_change rows' events and causes.
	labelled := map[string]map[string]int64{}
	for _, f := range l.Failures {
		if f.Change != "" {
			if labelled[f.Change] == nil {
				labelled[f.Change] = map[string]int64{}
			}
			labelled[f.Change][f.Cause]++
		}
	}
	names := []string{"graph"} // the reference, first
	for n := range l.Shapes {
		if n != "graph" {
			names = append(names, n)
		}
	}
	slices.Sort(names[1:])
	var ref *auditSummary
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			ids := name != "portal"
			var paths []string
			for _, f := range l.Shapes[name] {
				paths = append(paths, in(f))
			}
			if len(paths) == 0 {
				t.Fatalf("the labels have no files of shape %s", name)
			}
			paths = append(paths, signIns)
			s := sweepAudit(t, paths...)
			if s.Totals.AuditRecords != l.AuditRecords || s.Totals.Skipped != 0 {
				t.Errorf("totals.audit_records %d, skipped %d: want %d audit records, none skipped", s.Totals.AuditRecords, s.Totals.Skipped, l.AuditRecords)
			}
			got := map[string]int64{}
			for _, c := range s.Causes {
				if c.Explained > c.Events {
					t.Errorf("cause %s: %d explained of %d events", c.Cause, c.Explained, c.Events)
				}
				if c.Explained != 0 {
					got[c.Cause] = c.Explained
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(l.Explained) {
				t.Errorf("causes[].explained = %v, labels say %v", got, l.Explained)
			}
			// Every by_change row is a labelled change, with its kind, ids and what it explains.
			for _, r := range s.Tables.ByChange {
				var match string
				for _, c := range l.Changes {
					if c.Kind == r.Kind && (ids && slices.Equal(c.AuditIDs, r.AuditIDs) || !ids && labelled[c.Name] != nil && fmt.Sprint(labelled[c.Name]) == fmt.Sprint(r.Causes) && match == "") {
						match = c.Name
					}
				}
				if match == "" {
					t.Errorf("by_change row %s is no labelled change", r.comparable(ids))
					continue
				}
				want := labelled[match]
				var n int64
				for _, v := range want {
					n += v
				}
				if r.Events != n || fmt.Sprint(r.Causes) != fmt.Sprint(want) {
					t.Errorf("by_change %s: %d events %v, labels say %d %v", match, r.Events, r.Causes, n, want)
				}
			}
			if len(s.Tables.ByChange) != len(labelled) {
				t.Errorf("%d by_change rows, labels have %d changes that explain a failure", len(s.Tables.ByChange), len(labelled))
			}
			if name == "graph" {
				ref = s
				return
			}
			if ref == nil {
				t.Fatal("no reference (graph) summary")
			}
			if g, w := rowsOf(s.Tables.ByChange, ids), rowsOf(ref.Tables.ByChange, ids); !slices.Equal(g, w) {
				t.Errorf("by_change differs from the graph shape's:\n got %v\nwant %v", g, w)
			}
			if g, w := rowsOf(s.Tables.ChangeContext, ids), rowsOf(ref.Tables.ChangeContext, ids); !slices.Equal(g, w) {
				t.Errorf("change_context differs from the graph shape's:\n got %v\nwant %v", g, w)
			}
		})
		t.Run(name+"/events", func(t *testing.T) {
			var paths []string
			for _, f := range l.Shapes[name] {
				paths = append(paths, in(f))
			}
			seen := map[string]int{}
			evs := eventsAudit(t, append(paths, signIns)...)
			byID := map[string]explainedEvent{}
			for _, e := range evs {
				byID[e.EventID] = e
				seen[e.EventID]++
			}
			for _, f := range l.Failures {
				e, ok := byID[f.EventID]
				switch {
				case !ok:
					t.Errorf("failure %s (%s %s) not listed", f.EventID, f.User, f.Time)
					continue
				case seen[f.EventID] != 1:
					t.Errorf("failure %s listed %d times", f.EventID, seen[f.EventID])
				case e.Kind == nil || e.AuditID == nil || e.Activity == nil:
					t.Fatalf("event %s has no explained_by_kind, explained_by_activity or explained_by_audit_id", f.EventID)
				}
				if e.Cause != f.Cause {
					t.Errorf("failure %s: cause %s, labels say %s", f.EventID, e.Cause, f.Cause)
				}
				if *e.Kind != f.Kind {
					t.Errorf("failure %s (%s %s, %s): explained_by_kind %q, labels say %q (%s)", f.EventID, f.User, f.Time, f.Cause, *e.Kind, f.Kind, f.Why)
				}
				if name != "portal" && *e.AuditID != f.AuditID {
					t.Errorf("failure %s (%s %s): explained_by_audit_id %q, labels say %q", f.EventID, f.User, f.Time, *e.AuditID, f.AuditID)
				}
				if (*e.Activity == "") != (f.Kind == "") {
					t.Errorf("failure %s: explained_by_activity %q with explained_by_kind %q", f.EventID, *e.Activity, *e.Kind)
				}
			}
		})
	}
}

// harry is the user of the shared corpus's audit records.
const (
	harryUPN = "harry.potter@hogwarts.com"
	harryID  = "76b99f43-d354-4512-8424-30e5c33b0011"
)

// harrySignIn is a Graph sign-in record (one JSON line) of the corpus's user failing to
// redeem a refresh token at the given time.
func harrySignIn(id, at string, code int, reason string) string {
	rec := map[string]any{
		"id": id, "createdDateTime": at, "userDisplayName": "Harry Potter", "userPrincipalName": harryUPN, "userId": harryID,
		"appId": "d3590ed6-52b3-4102-aeff-aad2292ab01c", "appDisplayName": "Microsoft Office", "ipAddress": "4.211.84.149",
		"clientAppUsed": "Mobile Apps and Desktop clients", "correlationId": "c0ffee00-0000-4000-8000-" + id[len(id)-12:],
		"isInteractive": false, "resourceDisplayName": "Microsoft Graph", "resourceId": "00000003-0000-0000-c000-000000000000",
		"status":                           map[string]any{"errorCode": code, "failureReason": reason},
		"signInEventTypes":                 []string{"nonInteractiveUser"},
		"incomingTokenType":                "refreshToken",
		"appliedConditionalAccessPolicies": []any{},
	}
	b, _ := json.Marshal(rec)
	return string(b)
}

// TestAuditCorpusBoundaries extends TestAuditJoinCorpus (one failure of the corpus's
// user before its password change, one after): the shared corpus's audit records as they
// are (a self-service password change at 08:21:37, four records within 93 ms under two
// correlation ids) beside failures at the edges: in the same second but before its first
// record, a second after, 7 days and a second after, of each revoked cause and wording.
// After the change they are explained as password_change by the change of all four
// records (its first audit id, its first record's time), before it or past its window not.
func TestAuditCorpusBoundaries(t *testing.T) {
	corpus := filepath.Join(auditCorpusDir, "datadog-azure-log-forwarding-orchestration", "audit_logs.json")
	if _, err := os.Stat(corpus); err != nil {
		t.Skipf("shared audit corpus not beside the checkout: %v", err)
	}
	// The password change's records, read off the corpus file by hand.
	change := []string{
		"Directory_a36bdeaa-ecec-4892-81a8-ef948258aa71_54TJ8_84810958", // Update PasswordProfile, 08:21:37.7698364
		"Directory_a36bdeaa-ecec-4892-81a8-ef948258aa71_54TJ8_84811143", // Change user password
		"Directory_a36bdeaa-ecec-4892-81a8-ef948258aa71_54TJ8_84811151", // Update StsRefreshTokenValidFrom Timestamp
		"SSPR_58d62eee-d37b-4b07-adb3-45d3b4449edc_N6ZU3_16191729",      // Change password (self-service)
	}
	const revoked50173 = "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password."
	tests := []struct {
		id, at string
		code   int
		reason string
		cause  string
		kind   string
	}{
		{"1a2b3c4d-0000-4000-8000-000000000001", "2025-04-11T08:30:00Z", 50173, revoked50173, "revoked", "password_change"},
		{"1a2b3c4d-0000-4000-8000-000000000002", "2025-04-11T09:00:00Z", 70000, "The refresh token has been revoked.", "revoked", "password_change"},
		{"1a2b3c4d-0000-4000-8000-000000000003", "2025-04-11T08:21:38Z", 50133, "Session is invalid due to expiration or recent password change.", "revoked_password_change", "password_change"},
		{"1a2b3c4d-0000-4000-8000-000000000004", "2025-04-18T08:21:37Z", 70000, "The refresh token has been revoked.", "revoked", "password_change"}, // within 7 days
		{"1a2b3c4d-0000-4000-8000-000000000005", "2025-04-11T08:21:37Z", 50173, revoked50173, "revoked", ""},                                         // the same second, before .7698364
		{"1a2b3c4d-0000-4000-8000-000000000006", "2025-04-18T08:21:38Z", 50173, revoked50173, "revoked", ""},                                         // 7 days and a second later
	}
	var lines []string
	for _, tt := range tests {
		lines = append(lines, harrySignIn(tt.id, tt.at, tt.code, tt.reason))
	}
	signIns := filepath.Join(t.TempDir(), "harry.jsonl")
	if err := os.WriteFile(signIns, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	s := sweepAudit(t, corpus, signIns)
	if s.Totals.AuditRecords != 22 || s.Totals.InScope != int64(len(tests)) {
		t.Errorf("totals %+v: want 22 audit records, %d in scope", s.Totals, len(tests))
	}
	explained := map[string]int64{}
	for _, c := range s.Causes {
		if c.Explained != 0 {
			explained[c.Cause] = c.Explained
		}
	}
	if fmt.Sprint(explained) != "map[revoked:3 revoked_password_change:1]" {
		t.Errorf("causes[].explained = %v, want revoked 3, revoked_password_change 1", explained)
	}
	if len(s.Tables.ByChange) != 1 {
		t.Fatalf("by_change has %d rows, want the password change alone: %+v", len(s.Tables.ByChange), s.Tables.ByChange)
	}
	r := s.Tables.ByChange[0]
	if r.Kind != "password_change" || !slices.Equal(r.AuditIDs, change) || r.Events != 4 || r.Users != 1 ||
		r.Target != harryUPN || r.TargetType != "User" || r.Time != "2025-04-11T08:21:37.7698364Z" {
		t.Errorf("by_change row %+v: want password_change of %s at 2025-04-11T08:21:37.7698364Z, audit ids %v, 4 events of 1 user", r, harryUPN, change)
	}

	byID := map[string]explainedEvent{}
	for _, e := range eventsAudit(t, corpus, signIns) {
		byID[e.EventID] = e
	}
	for _, tt := range tests {
		e, ok := byID[tt.id]
		if !ok {
			t.Errorf("sign-in %s at %s not listed", tt.id, tt.at)
			continue
		}
		if e.Kind == nil || e.AuditID == nil {
			t.Fatalf("event %s has no explained_by_kind or explained_by_audit_id", tt.id)
		}
		wantID := ""
		if tt.kind != "" {
			wantID = change[0]
		}
		if e.Cause != tt.cause || *e.Kind != tt.kind || *e.AuditID != wantID {
			t.Errorf("sign-in at %s: cause %s explained by %q (%q), want %s by %q (%q)", tt.at, e.Cause, *e.Kind, *e.AuditID, tt.cause, tt.kind, wantID)
		}
	}
}

// samplesBeforeAudit are the folders of samples/ but audit/: what samples/ held before
// the audit samples, for the tests that compare with a summary of that time.
func samplesBeforeAudit(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(samplesDir)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.Name() != "audit" {
			dirs = append(dirs, filepath.Join(samplesDir, e.Name()))
		}
	}
	return dirs
}
