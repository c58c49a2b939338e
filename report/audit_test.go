package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/report/spill"
	"github.com/grantsweep/grantsweep/rules"
)

// joinFixture is a summary of hand-built records: a password change of harry at 08:21,
// three revoked failures of his (one before it, two after), one of another user, and a
// policy change no failure's policy list names.
func joinFixture(t *testing.T) *Summary {
	t.Helper()
	s := New(rules.Default())
	at := time.Date(2026, 11, 24, 8, 21, 37, 0, time.UTC)
	harry := parse.Target{Type: "User", ID: "76b99f43-d354-4512-8424-30e5c33b0011", UPN: "harry.potter@hogwarts.com"}
	s.audit(&parse.Audit{Time: at, ID: "a1", Activity: "Change password (self-service)", Actor: "harry.potter@hogwarts.com", Targets: []parse.Target{harry}})
	s.audit(&parse.Audit{Time: at.Add(50 * time.Millisecond), ID: "a2", Activity: "Update StsRefreshTokenValidFrom Timestamp", Actor: "harry.potter@hogwarts.com", Targets: []parse.Target{harry}})
	s.audit(&parse.Audit{Time: at.Add(time.Hour), ID: "a3", Activity: "Update conditional access policy", Actor: "admin@hogwarts.com",
		Targets: []parse.Target{{Type: "Policy", ID: "p-1", Name: "Require MFA"}}})
	s.audit(&parse.Audit{Time: at, ID: "a4", Activity: "Add member to group", Actor: "admin@hogwarts.com", Targets: []parse.Target{harry}})
	add(s,
		parse.Event{ID: "e1", ErrorCode: 50173, User: "Harry.Potter@hogwarts.com", UserID: harry.ID, Time: at.Add(-time.Minute), Pos: parse.Position{Offset: 0}},
		parse.Event{ID: "e2", ErrorCode: 50173, User: "harry.potter@hogwarts.com", UserID: harry.ID, Time: at.Add(time.Minute), Pos: parse.Position{Offset: 10}},
		parse.Event{ID: "e3", ErrorCode: 50173, User: "harry.potter@hogwarts.com", UserID: harry.ID, Time: at.Add(2 * time.Hour), CAPolicies: "p-2", Pos: parse.Position{Offset: 20}},
		parse.Event{ID: "e4", ErrorCode: 50173, User: "ron@hogwarts.com", UserID: "u-ron", Time: at.Add(time.Minute), Pos: parse.Position{Offset: 30}},
	)
	s.Inputs = append(s.Inputs, Input{Path: "x", Records: 4, Audit: 4})
	return s
}

func TestAttributionJSON(t *testing.T) {
	s := joinFixture(t)
	var b bytes.Buffer
	if err := s.Write(&b, FormatJSON, Options{}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Totals struct {
			Audit int64 `json:"audit_records"`
		} `json:"totals"`
		Causes []struct {
			Cause     string `json:"cause"`
			Events    int64  `json:"events"`
			Explained int64  `json:"explained"`
		} `json:"causes"`
		Tables struct {
			ByChange      []map[string]any `json:"by_change"`
			ChangeContext []map[string]any `json:"change_context"`
		} `json:"tables"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Totals.Audit != 4 {
		t.Errorf("audit_records %d, want 4", doc.Totals.Audit)
	}
	for _, c := range doc.Causes {
		if c.Cause == "revoked" && (c.Events != 4 || c.Explained != 2) {
			t.Errorf("revoked: %d events, %d explained; want 4 and 2 (e2, e3)", c.Events, c.Explained)
		}
	}
	if len(doc.Tables.ByChange) != 1 {
		t.Fatalf("by_change %v, want one row", doc.Tables.ByChange)
	}
	r := doc.Tables.ByChange[0]
	if r["kind"] != "password_change" || r["events"] != 2.0 || r["users"] != 1.0 || r["target"] != "harry.potter@hogwarts.com" ||
		r["time"] != "2026-11-24T08:21:37Z" || len(r["audit_ids"].([]any)) != 2 {
		t.Errorf("by_change row %v", r)
	}
	if len(doc.Tables.ChangeContext) != 1 || doc.Tables.ChangeContext[0]["kind"] != "ca_policy_change" || doc.Tables.ChangeContext[0]["events"] != 0.0 {
		t.Errorf("change_context %v, want the policy change", doc.Tables.ChangeContext)
	}
	if !strings.Contains(b.String(), `"changes": [`) {
		t.Error("the partial has no changes")
	}
}

// TestAuditMemoryBounded: a million audit records of other activities keep nothing; the
// change records kept are charged to the budget, and let go with the summary.
func TestAuditMemoryBounded(t *testing.T) {
	s := New(rules.Default())
	b := spill.NewBudget(1<<30, t.TempDir())
	defer b.Close()
	s.SetBudget(b)
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	a := parse.Audit{Activity: "Add member to group", Actor: "admin@contoso.com", Targets: []parse.Target{{Type: "User", ID: "u", UPN: "u@contoso.com"}}}
	for i := range 1_000_000 {
		a.Time = at.Add(time.Duration(i) * time.Second)
		s.audit(&a)
	}
	if s.AuditRecords() != 1_000_000 || s.ChangeRecords() != 0 || b.Used() != 0 {
		t.Fatalf("%d audit records, %d change records kept, %d bytes charged; want 1000000, 0, 0", s.AuditRecords(), s.ChangeRecords(), b.Used())
	}
	a.Activity = "Update StsRefreshTokenValidFrom Timestamp"
	for i := range 10_000 {
		a.ID = fmt.Sprintf("id-%d", i)
		s.audit(&a)
	}
	if used := b.Used(); s.ChangeRecords() != 10_000 || used < 10_000*changeRecordCost {
		t.Errorf("%d change records, %d bytes charged; want 10000, at least %d", s.ChangeRecords(), used, 10_000*changeRecordCost)
	}
	s.Close()
	if b.Used() != 0 {
		t.Errorf("closed, %d bytes still charged", b.Used())
	}
}

// TestAuditHTMLEscaped: an actor and a target that hold markup render as text in the HTML
// report (the section and the chart's markers), in Markdown and the terminal escaped too.
func TestAuditHTMLEscaped(t *testing.T) {
	s := joinFixture(t)
	evil := "<script>alert(1)</script>\x1b[31m@evil.example"
	s.audit(&parse.Audit{Time: time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC), ID: "x1", Activity: "Disable account", Actor: evil + "<b>",
		Targets: []parse.Target{{Type: "User", ID: "u-ron", UPN: "ron@hogwarts.com"}}})
	add(s, parse.Event{ID: "e9", ErrorCode: 50173, User: "ron@hogwarts.com", UserID: "u-ron", Time: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), Pos: parse.Position{Offset: 90}})
	for _, f := range []Format{FormatHTML, FormatMarkdown, FormatTable} {
		var b bytes.Buffer
		if err := s.Write(&b, f, Options{}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		markup := f != FormatTable && (strings.Contains(out, "<script>") || strings.Contains(out, "<b>")) // a terminal shows markup as text
		if markup || strings.Contains(out, "\x1b") {
			t.Errorf("%s: markup or a control byte of the audit log is written raw", f)
		}
		if !strings.Contains(out, "alert(1)") {
			t.Errorf("%s: the actor is not shown at all", f)
		}
		if f == FormatHTML && strings.Count(out, `class="change"`) < 2 {
			t.Errorf("html: %d change markers, want the changes that explain failures", strings.Count(out, `class="change"`))
		}
	}
}
