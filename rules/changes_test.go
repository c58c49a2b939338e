package rules

import (
	"bufio"
	"encoding/json"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grantsweep/grantsweep/parse"
)

const day = 24 * time.Hour

// TestDefaultChanges: the five kinds of the table, in its order, with its
// activities, keys, windows and causes, and ranks that name a group after
// password_change or account_removed before session_revoke.
func TestDefaultChanges(t *testing.T) {
	set := Default()
	want := []struct {
		id, key    string
		window     time.Duration
		activities []string
		explains   []string
	}{
		{"session_revoke", KeyUser, 7 * day, []string{"Update StsRefreshTokenValidFrom Timestamp"}, []string{"revoked", "revoked_password_change"}},
		{"password_change", KeyUser, 7 * day, []string{"Change password (self-service)", "Reset password (self-service)", "Reset password (by admin)", "Change user password", "Reset user password", "Update PasswordProfile"}, []string{"revoked_password_change", "revoked"}},
		{"account_removed", KeyUser, 7 * day, []string{"Disable account", "Delete user", "Hard Delete user"}, []string{"revoked"}},
		{"device_removed", KeyDevice, 30 * day, []string{"Delete device", "Unregister device"}, []string{"device_not_found", "session_key_proof_failed"}},
		{"ca_policy_change", KeyPolicy, 30 * day, []string{"Add conditional access policy", "Update conditional access policy", "Delete conditional access policy"}, []string{"expired_signin_frequency", "token_protection_unbound", "bound_token_outside_broker", "interaction_required"}},
	}
	if len(set.Changes) != len(want) {
		t.Fatalf("default change kinds = %d, want %d", len(set.Changes), len(want))
	}
	for i, w := range want {
		k := set.Changes[i]
		if k.ID != w.id || k.Key != w.key || k.Window != w.window || !slices.Equal(k.Activities, w.activities) || !slices.Equal(k.Explains, w.explains) {
			t.Errorf("kind %d = %+v, want %+v", i, k, w)
		}
		if k.Label == "" || k.File != "default.yaml" || k.Line == 0 {
			t.Errorf("kind %s: label %q, defined at %s:%d", k.ID, k.Label, k.File, k.Line)
		}
		for _, a := range w.activities {
			if got := set.ChangeKindOf(a); got != i {
				t.Errorf("ChangeKindOf(%q) = %d, want %d", a, got, i)
			}
		}
	}
	rank := func(id string) int { return set.Changes[set.ChangeIndex(id)].Rank }
	if rank("password_change") >= rank("session_revoke") || rank("account_removed") >= rank("session_revoke") {
		t.Errorf("ranks: password_change %d, account_removed %d, session_revoke %d: want the first two below", rank("password_change"), rank("account_removed"), rank("session_revoke"))
	}
	for in, want := range map[string]string{
		"update stsrefreshtokenvalidfrom timestamp.": "session_revoke",
		"Reset password (self service)":              "password_change",
		"RESET-PASSWORD (SELF-SERVICE).":             "password_change",
		"  Delete   device ":                         "device_removed",
		"Hard_Delete_User":                           "account_removed",
		"Update user":                                "",
		"Delete devices":                             "",
		"":                                           "",
	} {
		got := ""
		if k := set.ChangeKindOf(in); k >= 0 {
			got = set.Changes[k].ID
		}
		if got != want {
			t.Errorf("ChangeKindOf(%q) = %q, want %q", in, got, want)
		}
	}
	// The same answers from a set that Load did not index.
	bare := &Set{Rules: set.Rules, Changes: set.Changes}
	if bare.ChangeKindOf("change user password.") != set.ChangeIndex("password_change") || bare.ChangeKindOf("Update user") != -1 {
		t.Error("ChangeKindOf on a set not made by Load differs")
	}
	for _, tt := range []struct {
		cause string
		want  bool
	}{{"revoked", true}, {"revoked_password_change", true}, {"device_not_found", true}, {"interaction_required", true}, {"expired_inactivity", false}, {"grant_invalid", false}} {
		if got := set.Explainable(set.RuleIndex(tt.cause)); got != tt.want {
			t.Errorf("Explainable(%s) = %v, want %v", tt.cause, got, tt.want)
		}
	}
	if set.Explainable(-1) || set.Explainable(len(set.Rules)) {
		t.Error("Explainable out of range = true")
	}
}

func TestChangeRecords(t *testing.T) {
	set := Default()
	at := time.Date(2025, 4, 11, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		a    parse.Audit
		want []string // kind id / target id of each record
	}{
		{"user targets only, by type in any case", parse.Audit{Activity: "Reset user password", Targets: []parse.Target{
			{Type: "ServicePrincipal", ID: "sp"}, {Type: "user", ID: "u1"}, {Type: "USER", UPN: "b@x"}, {Type: "User"}}},
			[]string{"password_change/u1", "password_change/"}},
		{"device", parse.Audit{Activity: "Delete device.", Targets: []parse.Target{{Type: "Device", Name: "PC-1"}, {Type: "User", ID: "u"}}}, []string{"device_removed/"}},
		{"policy without id", parse.Audit{Activity: "Update conditional access policy", Targets: []parse.Target{{Type: "Policy", Name: "p"}, {Type: "Policy", ID: "P1"}}}, []string{"ca_policy_change/P1"}},
		{"other activity", parse.Audit{Activity: "Update user", Targets: []parse.Target{{Type: "User", ID: "u"}}}, nil},
		{"failed", parse.Audit{Activity: "Delete user", Result: "Failure", Targets: []parse.Target{{Type: "User", ID: "u"}}}, nil},
		{"success", parse.Audit{Activity: "Delete user", Result: "success", Targets: []parse.Target{{Type: "User", ID: "u"}}}, []string{"account_removed/u"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.a.Time, tt.a.ID, tt.a.Actor = at, "A1", "admin@x"
			var got []string
			set.ChangeRecords(&tt.a, func(r ChangeRecord) {
				if r.Time != at || r.AuditID != "A1" || r.Actor != "admin@x" || r.Activity != tt.a.Activity {
					t.Errorf("record %+v does not carry the audit record's fields", r)
				}
				got = append(got, set.Changes[r.Kind].ID+"/"+r.Target.ID)
			})
			if !slices.Equal(got, tt.want) {
				t.Errorf("ChangeRecords = %q, want %q", got, tt.want)
			}
		})
	}
}

// rec makes a change record of a default kind.
func rec(kind, id string, at time.Time, target parse.Target) ChangeRecord {
	set := Default()
	k := set.ChangeIndex(kind)
	if target.Type == "" {
		target.Type = targetTypes[set.Changes[k].Key]
	}
	return ChangeRecord{Kind: k, Time: at, AuditID: id, Activity: set.Changes[k].Activities[0], Actor: "admin@contoso.com", Target: target}
}

func explainID(set *Set, changes []Change, f Failure) string {
	i := set.NewAttributor(changes).Explain(&f)
	if i < 0 {
		return ""
	}
	return changes[i].AuditIDs[0]
}

// TestExplain: every edge of the join, one failure against a few changes.
func TestExplain(t *testing.T) {
	set := Default()
	t0 := time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)
	cause := func(id string) int { return set.RuleIndex(id) }
	user := parse.Target{ID: "76B99F43-D354-4512-8424-30E5C33B0011", UPN: "harry@contoso.com"}
	tests := []struct {
		name string
		recs []ChangeRecord
		f    Failure
		want string // first audit id of the explaining change
	}{
		{"at the change", []ChangeRecord{rec("session_revoke", "a", t0, user)},
			Failure{Rule: cause("revoked"), Time: t0, UserID: "76b99f43-d354-4512-8424-30e5c33b0011"}, "a"},
		{"at the window's end", []ChangeRecord{rec("session_revoke", "a", t0, user)},
			Failure{Rule: cause("revoked"), Time: t0.Add(7 * day), UserID: user.ID}, "a"},
		{"just past the window", []ChangeRecord{rec("session_revoke", "a", t0, user)},
			Failure{Rule: cause("revoked"), Time: t0.Add(7*day + time.Nanosecond), UserID: user.ID}, ""},
		{"a change after the failure", []ChangeRecord{rec("session_revoke", "a", t0, user)},
			Failure{Rule: cause("revoked"), Time: t0.Add(-time.Nanosecond), UserID: user.ID}, ""},
		{"a cause the kind does not explain", []ChangeRecord{rec("session_revoke", "a", t0, user)},
			Failure{Rule: cause("expired_inactivity"), Time: t0.Add(time.Hour), UserID: user.ID}, ""},
		{"account removal explains revoked only", []ChangeRecord{rec("account_removed", "a", t0, user)},
			Failure{Rule: cause("revoked_password_change"), Time: t0.Add(time.Hour), UserID: user.ID}, ""},
		{"another user", []ChangeRecord{rec("session_revoke", "a", t0, user)},
			Failure{Rule: cause("revoked"), Time: t0.Add(time.Hour), UserID: "other-id", User: "harry@contoso.com"}, ""},
		{"UPN when the sign-in has no id", []ChangeRecord{rec("session_revoke", "a", t0, user)},
			Failure{Rule: cause("revoked"), Time: t0.Add(time.Hour), User: "harry@contoso.com"}, "a"},
		{"UPN when the target has no id", []ChangeRecord{rec("session_revoke", "a", t0, parse.Target{UPN: "harry@contoso.com"})},
			Failure{Rule: cause("revoked"), Time: t0.Add(time.Hour), UserID: user.ID, User: "harry@contoso.com"}, "a"},
		{"UPN changed, same object id", []ChangeRecord{rec("session_revoke", "a", t0, user)},
			Failure{Rule: cause("revoked"), Time: t0.Add(time.Hour), UserID: user.ID, User: "harry.potter@hogwarts.com"}, "a"},
		{"no UPN match for a UPN without ids on neither side", []ChangeRecord{rec("session_revoke", "a", t0, parse.Target{UPN: "ron@contoso.com"})},
			Failure{Rule: cause("revoked"), Time: t0.Add(time.Hour), User: "harry@contoso.com"}, ""},
		{"the latest of two", []ChangeRecord{rec("session_revoke", "a", t0, user), rec("password_change", "b", t0.Add(day), user)},
			Failure{Rule: cause("revoked"), Time: t0.Add(2 * day), UserID: user.ID}, "b"},
		{"the latest in its own window", []ChangeRecord{rec("password_change", "b", t0.Add(-6*day), user), rec("session_revoke", "a", t0, user)},
			Failure{Rule: cause("revoked_password_change"), Time: t0.Add(time.Hour), UserID: user.ID}, "a"},
		{"an earlier change when the latest explains another cause", []ChangeRecord{rec("password_change", "b", t0, user), rec("account_removed", "a", t0.Add(time.Hour), user)},
			Failure{Rule: cause("revoked_password_change"), Time: t0.Add(2 * time.Hour), UserID: user.ID}, "b"},
		{"ties: the smallest first audit id", []ChangeRecord{rec("session_revoke", "b", t0, user), rec("session_revoke", "a", t0, parse.Target{UPN: "harry@contoso.com"})},
			Failure{Rule: cause("revoked"), Time: t0.Add(time.Hour), User: "harry@contoso.com"}, "a"},
		{"ties within one key: a UPN two users had", []ChangeRecord{rec("session_revoke", "c", t0, parse.Target{ID: "u1", UPN: "harry@contoso.com"}), rec("session_revoke", "b", t0, parse.Target{ID: "u2", UPN: "harry@contoso.com"}), rec("session_revoke", "d", t0, parse.Target{ID: "u3", UPN: "harry@contoso.com"})},
			Failure{Rule: cause("revoked"), Time: t0.Add(time.Hour), User: "harry@contoso.com"}, "b"},
		{"ties within one key: a device id that is another's object id", []ChangeRecord{rec("device_removed", "b", t0, parse.Target{ID: "d1"}), rec("device_removed", "a", t0, parse.Target{ID: "obj-9", DeviceID: "d1"})},
			Failure{Rule: cause("device_not_found"), Time: t0.Add(time.Hour), DeviceID: "d1"}, "a"},
		{"device by device id", []ChangeRecord{rec("device_removed", "a", t0, parse.Target{ID: "obj-1", DeviceID: "DEV-1", Name: "PC-1"})},
			Failure{Rule: cause("device_not_found"), Time: t0.Add(29 * day), DeviceID: "dev-1"}, "a"},
		{"device by object id", []ChangeRecord{rec("device_removed", "a", t0, parse.Target{ID: "OBJ-1", Name: "PC-1"})},
			Failure{Rule: cause("session_key_proof_failed"), Time: t0.Add(30 * day), DeviceID: "obj-1"}, "a"},
		{"device past 30 days", []ChangeRecord{rec("device_removed", "a", t0, parse.Target{ID: "obj-1"})},
			Failure{Rule: cause("device_not_found"), Time: t0.Add(30*day + time.Second), DeviceID: "obj-1"}, ""},
		{"device by name when the target has no id", []ChangeRecord{rec("device_removed", "a", t0, parse.Target{Name: "PC-1"})},
			Failure{Rule: cause("device_not_found"), Time: t0.Add(day), DeviceID: "dev-9", DeviceName: "pc-1"}, "a"},
		{"device by name when the sign-in has no id", []ChangeRecord{rec("device_removed", "a", t0, parse.Target{ID: "obj-1", Name: "PC-1"})},
			Failure{Rule: cause("device_not_found"), Time: t0.Add(day), DeviceName: "pc-1"}, "a"},
		{"no name match when both have device ids", []ChangeRecord{rec("device_removed", "a", t0, parse.Target{ID: "obj-1", DeviceID: "dev-1", Name: "PC-1"})},
			Failure{Rule: cause("device_not_found"), Time: t0.Add(day), DeviceID: "dev-9", DeviceName: "PC-1"}, ""},
		{"name match when the target gives only its object id", []ChangeRecord{rec("device_removed", "a", t0, parse.Target{ID: "obj-1", Name: "PC-1"})},
			Failure{Rule: cause("device_not_found"), Time: t0.Add(day), DeviceID: "dev-9", DeviceName: "pc-1"}, "a"},
		{"another device", []ChangeRecord{rec("device_removed", "a", t0, parse.Target{ID: "obj-1", DeviceID: "dev-1", Name: "PC-1"})},
			Failure{Rule: cause("device_not_found"), Time: t0.Add(day), DeviceID: "dev-2", DeviceName: "PC-2"}, ""},
		{"a user change explains no device failure", []ChangeRecord{rec("session_revoke", "a", t0, user)},
			Failure{Rule: cause("device_not_found"), Time: t0.Add(day), UserID: user.ID}, ""},
		{"policy in the list", []ChangeRecord{rec("ca_policy_change", "a", t0, parse.Target{ID: "POL-2", Name: "Require MFA"})},
			Failure{Rule: cause("expired_signin_frequency"), Time: t0.Add(day), CAPolicies: "pol-1, pol-2,pol-3"}, "a"},
		{"policy not in the list", []ChangeRecord{rec("ca_policy_change", "a", t0, parse.Target{ID: "pol-9"})},
			Failure{Rule: cause("expired_signin_frequency"), Time: t0.Add(day), CAPolicies: "pol-1,pol-2"}, ""},
		{"a failure without policies", []ChangeRecord{rec("ca_policy_change", "a", t0, parse.Target{ID: "pol-1", Name: "pol-1"})},
			Failure{Rule: cause("interaction_required"), Time: t0.Add(day), UserID: "pol-1", User: "pol-1", DeviceID: "pol-1", DeviceName: "pol-1"}, ""},
		{"the latest policy change of those in the list", []ChangeRecord{rec("ca_policy_change", "a", t0, parse.Target{ID: "pol-1"}), rec("ca_policy_change", "b", t0.Add(time.Hour), parse.Target{ID: "pol-2"}), rec("ca_policy_change", "c", t0.Add(2*time.Hour), parse.Target{ID: "pol-3"})},
			Failure{Rule: cause("token_protection_unbound"), Time: t0.Add(day), CAPolicies: "pol-1,pol-2"}, "b"},
		{"a failure of no time", []ChangeRecord{rec("session_revoke", "a", time.Time{}, user)},
			Failure{Rule: cause("revoked"), UserID: user.ID}, ""},
		{"a rule out of range", []ChangeRecord{rec("session_revoke", "a", t0, user)},
			Failure{Rule: len(set.Rules), Time: t0, UserID: user.ID}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := explainID(set, set.Group(slices.Clone(tt.recs)), tt.f); got != tt.want {
				t.Errorf("Explain(%+v) = %q, want %q", tt.f, got, tt.want)
			}
		})
	}
}

// TestExplainMemberWindow: a change made of several kinds explains a cause when one of
// its members does, within that member's window: a session revoke grouped under a
// (custom, short-window) kind still explains revoked for its 7 days.
func TestExplainMemberWindow(t *testing.T) {
	set, err := Load([]byte(`changes:
  - {id: short, activities: [Short thing], key: user, window: 1h, explains: [revoked], rank: 0}
`), "x.yaml", Default(), ModeExtend)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)
	u := parse.Target{Type: "User", ID: "u1"}
	short := set.ChangeIndex("short")
	recs := []ChangeRecord{
		{Kind: short, Time: t0, AuditID: "a", Target: u},
		{Kind: set.ChangeIndex("session_revoke"), Time: t0.Add(time.Second), AuditID: "b", Target: u},
	}
	changes := set.Group(recs)
	if len(changes) != 1 || changes[0].Kind != short {
		t.Fatalf("Group = %+v, want one change of kind short", changes)
	}
	if got := explainID(set, changes, Failure{Rule: set.RuleIndex("revoked"), Time: t0.Add(6 * day), UserID: "u1"}); got != "a" {
		t.Errorf("a revoked failure 6 days on = %q, want the change (its session_revoke member's window)", got)
	}
	if got := explainID(set, changes, Failure{Rule: set.RuleIndex("revoked"), Time: t0.Add(7*day + time.Hour), UserID: "u1"}); got != "" {
		t.Errorf("past every member's window = %q, want none", got)
	}
}

// corpusAudits reads the shared corpus's diagnostic-settings audit records with just
// what the join needs. (The parse package's audit decoder is another helper's; this
// reads the same real bytes independently.)
func corpusAudits(t *testing.T) []parse.Audit {
	t.Helper()
	f, err := os.Open("../../shared/audit-corpus/datadog-azure-log-forwarding-orchestration/audit_logs.json")
	if err != nil {
		t.Skipf("audit corpus: %v", err)
	}
	defer f.Close()
	var out []parse.Audit
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			Properties struct {
				ActivityDateTime    time.Time
				ActivityDisplayName string
				ID                  string
				CorrelationID       string
				Result              string
				InitiatedBy         struct {
					User *struct{ UserPrincipalName string }
					App  *struct{ DisplayName string }
				}
				TargetResources []struct {
					ID, DisplayName, Type, UserPrincipalName *string
				}
			}
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		p := r.Properties
		a := parse.Audit{Time: p.ActivityDateTime.UTC(), ID: p.ID, CorrelationID: p.CorrelationID, Activity: p.ActivityDisplayName, Result: p.Result}
		if p.InitiatedBy.User != nil {
			a.Actor = strings.ToLower(p.InitiatedBy.User.UserPrincipalName)
		} else if p.InitiatedBy.App != nil {
			a.Actor = p.InitiatedBy.App.DisplayName
		}
		s := func(p *string) string {
			if p == nil {
				return ""
			}
			return *p
		}
		for _, tr := range p.TargetResources {
			a.Targets = append(a.Targets, parse.Target{Type: s(tr.Type), ID: s(tr.ID), Name: s(tr.DisplayName), UPN: strings.ToLower(s(tr.UserPrincipalName))})
		}
		out = append(out, a)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGroupCorpus: the self-service password change of the shared corpus, four audit
// records within 93 ms under two correlation ids, is one password_change change; a
// failure of its user after it is explained, before it not.
func TestGroupCorpus(t *testing.T) {
	set := Default()
	audits := corpusAudits(t)
	if len(audits) != 22 {
		t.Fatalf("corpus audit records = %d, want 22", len(audits))
	}
	var recs []ChangeRecord
	for i := range audits {
		set.ChangeRecords(&audits[i], func(r ChangeRecord) { recs = append(recs, r) })
	}
	if len(recs) != 4 {
		t.Fatalf("change records = %d, want 4 (Update PasswordProfile, Change user password, Update StsRefreshTokenValidFrom Timestamp, Change password (self-service))", len(recs))
	}
	changes := set.Group(recs)
	if len(changes) != 1 {
		t.Fatalf("changes = %+v, want one", changes)
	}
	c := changes[0]
	want := Change{
		Kind:     set.ChangeIndex("password_change"),
		Kinds:    []int{set.ChangeIndex("session_revoke"), set.ChangeIndex("password_change")},
		Time:     time.Date(2025, 4, 11, 8, 21, 37, 769836400, time.UTC),
		Activity: "Update PasswordProfile",
		Actor:    "Microsoft password reset service",
		Target:   parse.Target{Type: "User", ID: "76b99f43-d354-4512-8424-30e5c33b0011", UPN: "harry.potter@hogwarts.com", Name: "Harry Potter"},
		AuditIDs: []string{
			"Directory_a36bdeaa-ecec-4892-81a8-ef948258aa71_54TJ8_84810958",
			"Directory_a36bdeaa-ecec-4892-81a8-ef948258aa71_54TJ8_84811143",
			"Directory_a36bdeaa-ecec-4892-81a8-ef948258aa71_54TJ8_84811151",
			"SSPR_58d62eee-d37b-4b07-adb3-45d3b4449edc_N6ZU3_16191729",
		},
	}
	slices.Sort(want.Kinds)
	if !reflect.DeepEqual(c, want) {
		t.Errorf("the corpus change =\n%+v\nwant\n%+v", c, want)
	}
	att := set.NewAttributor(changes)
	for _, tt := range []struct {
		at   time.Time
		want int
	}{{c.Time.Add(time.Minute), 0}, {c.Time.Add(-time.Minute), -1}} {
		f := Failure{Rule: set.RuleIndex("revoked_password_change"), Time: tt.at, UserID: "76b99f43-d354-4512-8424-30e5c33b0011", User: "harry.potter@hogwarts.com"}
		if got := att.Explain(&f); got != tt.want {
			t.Errorf("a failure at %v: Explain = %d, want %d", tt.at, got, tt.want)
		}
	}
}

// TestGroupGap: records within GroupGap of the group's first (ends included) are one
// change; the cut is on the first record's time, not the previous one's; other targets
// and other key types are other changes.
func TestGroupGap(t *testing.T) {
	set := Default()
	t0 := time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)
	u := parse.Target{ID: "u1"}
	tests := []struct {
		name string
		recs []ChangeRecord
		want [][]string // audit ids of each change
	}{
		{"at the gap", []ChangeRecord{rec("session_revoke", "a", t0, u), rec("password_change", "b", t0.Add(GroupGap), u)}, [][]string{{"a", "b"}}},
		{"just past it", []ChangeRecord{rec("session_revoke", "a", t0, u), rec("password_change", "b", t0.Add(GroupGap+time.Nanosecond), u)}, [][]string{{"a"}, {"b"}}},
		{"cut on the first record", []ChangeRecord{rec("session_revoke", "a", t0, u), rec("session_revoke", "b", t0.Add(4*time.Second), u), rec("session_revoke", "c", t0.Add(8*time.Second), u)}, [][]string{{"a", "b"}, {"c"}}},
		{"other target", []ChangeRecord{rec("session_revoke", "a", t0, u), rec("session_revoke", "b", t0, parse.Target{ID: "u2"})}, [][]string{{"a"}, {"b"}}},
		{"same id, other key type", []ChangeRecord{rec("session_revoke", "a", t0, u), rec("device_removed", "b", t0, u)}, [][]string{{"a"}, {"b"}}},
		{"id in another case is one target", []ChangeRecord{rec("session_revoke", "a", t0, u), rec("password_change", "b", t0, parse.Target{ID: "U1"})}, [][]string{{"a", "b"}}},
		{"UPN-only and id targets are not grouped", []ChangeRecord{rec("session_revoke", "a", t0, u), rec("password_change", "b", t0, parse.Target{UPN: "x@y"})}, [][]string{{"a"}, {"b"}}},
		{"one record twice", []ChangeRecord{rec("session_revoke", "a", t0, u), rec("session_revoke", "a", t0, u)}, [][]string{{"a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [][]string
			for _, c := range set.Group(tt.recs) {
				got = append(got, c.AuditIDs)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Group = %q, want %q", got, tt.want)
			}
		})
	}
	// The most specific kind names the change, whichever came first.
	cs := set.Group([]ChangeRecord{rec("session_revoke", "a", t0, u), rec("account_removed", "b", t0.Add(time.Second), u)})
	if len(cs) != 1 || set.Changes[cs[0].Kind].ID != "account_removed" || cs[0].Activity != "Disable account" || cs[0].Time != t0 {
		t.Errorf("Group = %+v, want one account_removed change at t0 named after its Disable account record", cs)
	}
}

// TestGroupPermutation: the order records come in changes nothing, in the changes or in
// what explains a failure.
func TestGroupPermutation(t *testing.T) {
	set := Default()
	t0 := time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)
	var recs []ChangeRecord
	var failures []Failure
	rng := rand.New(rand.NewPCG(1, 2))
	kinds := []string{"session_revoke", "password_change", "account_removed", "device_removed", "ca_policy_change"}
	for i := range 300 {
		kind := kinds[rng.IntN(len(kinds))]
		target := parse.Target{ID: []string{"u1", "U1", "u2", "", "pol-1"}[rng.IntN(5)], UPN: []string{"a@x", "b@x", ""}[rng.IntN(3)], Name: []string{"PC", "pc", ""}[rng.IntN(3)]}
		at := t0.Add(time.Duration(rng.IntN(300))*time.Second + time.Duration(rng.IntN(3))*day)
		id := []string{"x", "y", "z", ""}[rng.IntN(4)] + string(rune('a'+i%7))
		recs = append(recs, rec(kind, id, at, target))
	}
	for range 300 {
		failures = append(failures, Failure{
			Rule: set.RuleIndex([]string{"revoked", "revoked_password_change", "device_not_found", "interaction_required"}[rng.IntN(4)]),
			Time: t0.Add(time.Duration(rng.IntN(20*24*3600)) * time.Second), UserID: []string{"u1", "u2", ""}[rng.IntN(3)],
			User: []string{"a@x", "b@x", ""}[rng.IntN(3)], DeviceID: []string{"u1", ""}[rng.IntN(2)], DeviceName: []string{"pc", ""}[rng.IntN(2)],
			CAPolicies: []string{"pol-1", "", "pol-2,POL-1"}[rng.IntN(3)],
		})
	}
	want := set.Group(slices.Clone(recs))
	wantExplained := explainAll(set, want, failures)
	if n := len(want); n < 20 || n > 290 {
		t.Fatalf("changes = %d: the test's records group too little or too much to say anything", n)
	}
	for i := range 20 {
		shuffled := slices.Clone(recs)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got := set.Group(shuffled)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffle %d: Group differs", i)
		}
		if e := explainAll(set, got, failures); !reflect.DeepEqual(e, wantExplained) {
			t.Fatalf("shuffle %d: Explain differs", i)
		}
	}
	if !slices.IsSortedFunc(want, func(a, b Change) int { return a.Time.Compare(b.Time) }) {
		t.Error("changes not sorted by time")
	}
}

func explainAll(set *Set, changes []Change, failures []Failure) []int {
	att := set.NewAttributor(changes)
	out := make([]int, len(failures))
	for i := range failures {
		out[i] = att.Explain(&failures[i])
	}
	return out
}

// naiveExplain is Explain's slow twin: the join as the issue states it, a scan of every
// change.
func naiveExplain(set *Set, changes []Change, f *Failure) int {
	best := -1
	if f.Rule < 0 || f.Rule >= len(set.Rules) || f.Time.IsZero() {
		return -1
	}
	cause := set.Rules[f.Rule].ID
	for i, c := range changes {
		if c.Time.IsZero() {
			continue
		}
		in := false
		for _, k := range c.Kinds {
			if slices.Contains(set.Changes[k].Explains, cause) && !f.Time.Before(c.Time) && !f.Time.After(c.Time.Add(set.Changes[k].Window)) {
				in = true
			}
		}
		if !in || !naiveMatch(set.Changes[c.Kind].Key, &c.Target, f) {
			continue
		}
		if best < 0 || c.Time.After(changes[best].Time) || (c.Time.Equal(changes[best].Time) && firstID(c.AuditIDs) < firstID(changes[best].AuditIDs)) {
			best = i
		}
	}
	return best
}

func naiveMatch(key string, t *parse.Target, f *Failure) bool {
	eq := strings.EqualFold
	switch key {
	case KeyUser:
		if t.ID != "" && f.UserID != "" {
			return eq(t.ID, f.UserID)
		}
		return t.UPN != "" && eq(t.UPN, f.User)
	case KeyDevice:
		if f.DeviceID != "" && ((t.ID != "" && eq(t.ID, f.DeviceID)) || (t.DeviceID != "" && eq(t.DeviceID, f.DeviceID))) {
			return true
		}
		// The name joins unless both sides give a device id (a target's object id is
		// not the id a sign-in gives).
		if t.DeviceID != "" && f.DeviceID != "" {
			return false
		}
		return t.Name != "" && eq(t.Name, f.DeviceName)
	case KeyPolicy:
		for _, p := range strings.Split(f.CAPolicies, ",") {
			if p = strings.TrimSpace(p); p != "" && t.ID != "" && eq(p, t.ID) {
				return true
			}
		}
	}
	return false
}

// TestExplainSlowTwin: the indexed Explain and the scan agree on every failure of a
// random mix of changes and failures.
func TestExplainSlowTwin(t *testing.T) {
	set := Default()
	t0 := time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(3, 4))
	pick := func(s ...string) string { return s[rng.IntN(len(s))] }
	kinds := []string{"session_revoke", "password_change", "account_removed", "device_removed", "ca_policy_change"}
	var recs []ChangeRecord
	for i := range 2000 {
		target := parse.Target{ID: pick("u1", "U1", "u2", "", "", "pol-1", "d1"), UPN: pick("a@x", "b@x", ""), Name: pick("PC", "pc", "", "laptop"), DeviceID: pick("", "", "d1", "D2")}
		at := t0.Add(time.Duration(rng.IntN(60*24*3600)) * time.Second)
		if rng.IntN(20) == 0 {
			at = t0 // ties
		}
		recs = append(recs, rec(kinds[rng.IntN(len(kinds))], pick("x", "y", "z", "")+string(rune('a'+i%11)), at, target))
	}
	changes := set.Group(recs)
	att := set.NewAttributor(changes)
	explained := 0
	for range 20000 {
		f := Failure{
			Rule: set.RuleIndex(pick("revoked", "revoked_password_change", "device_not_found", "session_key_proof_failed", "interaction_required", "expired_inactivity")),
			Time: t0.Add(time.Duration(rng.IntN(90*24*3600)) * time.Second), UserID: pick("u1", "u2", "", "U2"),
			User: pick("a@x", "b@x", ""), DeviceID: pick("d1", "", "u1", "d2"), DeviceName: pick("pc", "", "LAPTOP"),
			CAPolicies: pick("pol-1", "", "pol-2, POL-1", "pol-3"),
		}
		if rng.IntN(10) == 0 {
			f.Time = t0.Add(7 * day) // a window's end
		}
		got, want := att.Explain(&f), naiveExplain(set, changes, &f)
		if got != want {
			t.Fatalf("Explain(%+v) = %d, the scan says %d", f, got, want)
		}
		if got >= 0 {
			explained++
		}
	}
	if explained < 1000 {
		t.Errorf("only %d failures explained: the mix says too little", explained)
	}
}

// TestGroupNamesByAuditedRecord: a change is named after a member that has an audit id
// when one of its kind has, not after a portal row (which has none) of the same time.
func TestGroupNamesByAuditedRecord(t *testing.T) {
	set := Default()
	k := set.ChangeKindOf("Delete user")
	t0 := time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)
	target := parse.Target{Type: "User", ID: "u1"}
	recs := []ChangeRecord{
		{Kind: k, Time: t0, Activity: "Delete user.", Actor: "admin@x", Target: target},
		{Kind: k, Time: t0, AuditID: "Directory_1", Activity: "Delete user", Actor: "admin@x", Target: target},
	}
	got := set.Group(recs)
	if len(got) != 1 || got[0].Activity != "Delete user" {
		t.Fatalf("Group = %+v, want one change named Delete user", got)
	}
}
