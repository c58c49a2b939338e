package rules

import (
	"errors"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestLoadChangesExtend: a user file adds kinds after the default ones and overrides a
// default kind by id, field by field, in extend mode.
func TestLoadChangesExtend(t *testing.T) {
	set, err := Load([]byte(`changes:
  - id: mfa_reset
    label: MFA methods deleted
    activities: [Admin deleted security info]
    key: user
    window: 36h
    explains: [interaction_required]
  - id: session_revoke
    window: 1d12h
  - id: device_removed
    label: Device gone
    activities: [Delete device, Remove registered owner from device]
    key: device
    explains: [device_not_found]
    rank: 7
`), "mine.yaml", Default(), ModeExtend)
	if err != nil {
		t.Fatal(err)
	}
	def := Default()
	if len(set.Changes) != len(def.Changes)+1 || set.Changes[len(set.Changes)-1].ID != "mfa_reset" {
		t.Fatalf("kinds = %v, want the defaults then mfa_reset", kindIDs(set))
	}
	mfa := set.Changes[set.ChangeIndex("mfa_reset")]
	if mfa.Window != 36*time.Hour || mfa.Key != KeyUser || mfa.Label != "MFA methods deleted" || mfa.File != "mine.yaml" || mfa.Line != 2 || mfa.Col != 5 || mfa.Rank != 0 {
		t.Errorf("mfa_reset = %+v", mfa)
	}
	if set.ChangeKindOf("admin deleted security info.") != set.ChangeIndex("mfa_reset") {
		t.Error("the new kind's activity is not of it")
	}
	sr, dsr := set.Changes[set.ChangeIndex("session_revoke")], def.Changes[def.ChangeIndex("session_revoke")]
	if sr.Window != 36*time.Hour || !slices.Equal(sr.Activities, dsr.Activities) || !slices.Equal(sr.Explains, dsr.Explains) || sr.Rank != dsr.Rank || sr.Label != dsr.Label || sr.File != "mine.yaml" || sr.Line != 8 {
		t.Errorf("session_revoke overridden = %+v, want the default's but its window, defined in mine.yaml:8", sr)
	}
	dr := set.Changes[set.ChangeIndex("device_removed")]
	if dr.Label != "Device gone" || dr.Rank != 7 || !slices.Equal(dr.Explains, []string{"device_not_found"}) || dr.Window != 30*day {
		t.Errorf("device_removed overridden = %+v", dr)
	}
	if set.ChangeKindOf("Unregister device") != -1 || set.ChangeKindOf("Remove registered owner from device") != set.ChangeIndex("device_removed") {
		t.Error("an override's activities do not replace the default's")
	}
	if def.Changes[def.ChangeIndex("session_revoke")].Window != 7*day || def.ChangeKindOf("Unregister device") < 0 {
		t.Error("extending changed the default set")
	}
	if set.ChangesFingerprint() == def.ChangesFingerprint() || set.Fingerprint() != def.Fingerprint() {
		t.Error("ChangesFingerprint does not follow the kinds, or Fingerprint does")
	}
}

// TestLoadChangesReplace: a replace-mode file has its own kinds, or none.
func TestLoadChangesReplace(t *testing.T) {
	const rulesPart = "families: [{id: f}]\nrules: [{id: gone, family: f, when: [{codes: [50173]}]}]\n"
	set, err := Load([]byte(rulesPart+"changes:\n  - {id: wipe, activities: [Wipe], key: device, window: 2d, explains: [gone]}\n"), "r.yaml", Default(), ModeReplace)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(kindIDs(set), []string{"wipe"}) || set.Changes[0].Window != 48*time.Hour || !set.Explainable(0) {
		t.Errorf("replace: kinds %v, %+v", kindIDs(set), set.Changes)
	}
	set, err = Load([]byte(rulesPart), "r.yaml", Default(), ModeReplace)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Changes) != 0 || set.ChangesFingerprint() != "" || set.ChangeKindOf("Delete user") != -1 {
		t.Errorf("replace without changes: %v, fingerprint %q", kindIDs(set), set.ChangesFingerprint())
	}
	// A replace-mode file naming a default cause its rules do not have.
	_, err = Load([]byte(rulesPart+"changes:\n  - {id: k, activities: [Delete user], key: user, window: 1d, explains: [revoked]}\n"), "r.yaml", Default(), ModeReplace)
	if err == nil || err.Error() != `r.yaml:4:74: change kind "k": explains unknown cause "revoked"` {
		t.Errorf("replace naming a cause it lacks: %v", err)
	}
}

// TestLoadChangesEveryProblem: every problem of a file's change kinds, at its line and
// column, with suggestions, in one pass, beside the rules' problems.
func TestLoadChangesEveryProblem(t *testing.T) {
	const file = `changes:
  - id: a
    activities: [Foo]
    key: usr
    window: 7days
    explains: [revokd, expired_inactivity]
  - id: b
    activities: []
    key: device
    window: 0s
    explains: [device_not_found]
    colour: red
  - id: c
    activities: [foo., ""]
    key: user
    window: 7
    explains: []
  - id: session_revoke
    activities: [Delete user]
  - id: a
  - activities: [x]
  - id: session_revok
    window: 1d
  - id: e
    activties: [Bar]
    key: policy
    window: -3h
    explains: [interaction_required]
  - id: password_change
    exlains: [revoked]
`
	want := []string{
		`f.yaml:4:10: change kind "a": unknown key "usr": want user, device or policy; did you mean "user"?`,
		`f.yaml:5:13: change kind "a": bad window "7days": want a duration like 7d or 36h`,
		`f.yaml:6:16: change kind "a": explains unknown cause "revokd"; did you mean "revoked"?`,
		`f.yaml:8:17: change kind "b": empty activity list: it matches no audit record`,
		`f.yaml:10:13: change kind "b": bad window "0s": want a positive duration like 7d or 36h`,
		`f.yaml:12:5: unknown field "colour"`,
		`f.yaml:14:18: change kind "c": activity "foo." is also change kind "a"'s`,
		`f.yaml:14:24: change kind "c": empty activity`,
		`f.yaml:16:13: change kind "c": bad window 7: want a duration like 7d or 36h`,
		`f.yaml:17:15: change kind "c": explains no cause`,
		`f.yaml:19:18: change kind "session_revoke": activity "Delete user" is also change kind "account_removed"'s`,
		`f.yaml:20:5: change kind "a" defined twice in this file`,
		`f.yaml:21:5: change kind with no id`,
		`f.yaml:22:5: change kind "session_revok": a new kind needs activities, key, window and explains; it has no activities, key or explains; did you mean to change "session_revoke"?`,
		`f.yaml:24:5: change kind "e": a new kind needs activities, key, window and explains; it has no activities`,
		`f.yaml:25:5: unknown field "activties"; did you mean "activities"?`,
		`f.yaml:27:13: change kind "e": bad window "-3h": want a positive duration like 7d or 36h`,
		`f.yaml:30:5: unknown field "exlains"; did you mean "explains"?`,
	}
	_, err := Load([]byte(file), "f.yaml", Default(), ModeExtend)
	var probs Problems
	if !errors.As(err, &probs) {
		t.Fatalf("Load error = %v, want Problems", err)
	}
	if got := probs.Error(); got != strings.Join(want, "\n") {
		t.Errorf("problems\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
}

func TestParseWindow(t *testing.T) {
	for _, tt := range []struct {
		in   any
		want time.Duration
		ok   bool
	}{
		{"7d", 7 * day, true}, {"30d", 30 * day, true}, {"36h", 36 * time.Hour, true}, {"90m", 90 * time.Minute, true},
		{"1d12h", 36 * time.Hour, true}, {" 2d ", 2 * day, true}, {"0d", 0, false}, {"-1h", 0, false}, {"d", 0, false},
		{"7 days", 0, false}, {"1w", 0, false}, {7, 0, false}, {"", 0, false}, {"999999999d", 0, false},
	} {
		got, err := parseWindow(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseWindow(%v) = %v, %v; want %v (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
	for _, d := range []time.Duration{7 * day, 36 * time.Hour, 90 * time.Minute} {
		if back, err := parseWindow(FormatWindow(d)); err != nil || back != d {
			t.Errorf("parseWindow(FormatWindow(%v) = %q) = %v, %v", d, FormatWindow(d), back, err)
		}
	}
}

// TestFingerprints: the rules' fingerprint is what it was before change kinds (summaries
// and baselines of earlier runs still merge and compare), whatever the kinds; the kinds
// have their own.
func TestFingerprints(t *testing.T) {
	const before = "sha256:27827e6ce7b81b564ca101bc" // Default().Fingerprint() before issue 15
	def := Default()
	if got := def.Fingerprint(); got != before {
		t.Errorf("Default().Fingerprint() = %s, want %s as before the change kinds", got, before)
	}
	fp := def.ChangesFingerprint()
	if !strings.HasPrefix(fp, "sha256:") {
		t.Fatalf("ChangesFingerprint() = %q", fp)
	}
	for _, tt := range []struct {
		name, file string
		same       bool
	}{
		{"a label", "changes: [{id: session_revoke, label: Other}]", true},
		{"an activity's case", "changes: [{id: session_revoke, activities: [update stsrefreshtokenvalidfrom timestamp.]}]", true},
		{"a window", "changes: [{id: session_revoke, window: 8d}]", false},
		{"a rank", "changes: [{id: session_revoke, rank: 9}]", false},
		{"a cause", "changes: [{id: session_revoke, explains: [revoked]}]", false},
		{"a key", "changes: [{id: ca_policy_change, key: device}]", false},
		{"an activity", "changes: [{id: session_revoke, activities: [Revoke sessions]}]", false},
		{"a kind", "changes: [{id: k, activities: [K], key: user, window: 1d, explains: [revoked]}]", false},
	} {
		set, err := Load([]byte(tt.file), "x.yaml", def, ModeExtend)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if (set.ChangesFingerprint() == fp) != tt.same || set.Fingerprint() != before {
			t.Errorf("%s: ChangesFingerprint same = %v, want %v; Fingerprint %s", tt.name, set.ChangesFingerprint() == fp, tt.same, set.Fingerprint())
		}
	}
}

func kindIDs(s *Set) []string {
	var ids []string
	for _, k := range s.Changes {
		ids = append(ids, k.ID)
	}
	return ids
}

// TestReadmeChangeKinds: the README's table of the default change kinds is the default
// set's.
func TestReadmeChangeKinds(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("^\\| `(\\w+)` \\| ([^|]+) \\| (\\w+) \\| (\\w+) \\| ([^|]+) \\|$")
	var got []string
	for line := range strings.Lines(string(data)) {
		if m := row.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			got = append(got, strings.Join(m[1:], " | "))
		}
	}
	var want []string
	for _, k := range Default().Changes {
		want = append(want, strings.Join([]string{k.ID, strings.Join(k.Activities, ", "), k.Key, FormatWindow(k.Window), strings.Join(k.Explains, ", ")}, " | "))
	}
	if !slices.Equal(got, want) {
		t.Errorf("README change kinds:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
