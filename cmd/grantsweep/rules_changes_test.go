package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grantsweep/grantsweep/rules"
)

// TestRulesListChanges: rules list shows the change kinds after the causes, whose lines
// stay what they were: the default's list is the list of its causes alone (a replace-mode
// copy of default.yaml without its changes: section), then the kinds.
func TestRulesListChanges(t *testing.T) {
	def := string(rules.DefaultYAML())
	at := strings.Index(def, "\n# Change kinds:")
	if at < 0 {
		t.Fatal("default.yaml has no change kinds section")
	}
	causesOnly := filepath.Join(t.TempDir(), "causes.yaml")
	os.WriteFile(causesOnly, []byte(def[:at]), 0o644)
	before := mustRun(t, "rules", "list", "--rules", causesOnly, "--rules-mode", "replace")
	list := mustRun(t, "rules", "list")
	kinds, ok := strings.CutPrefix(list, before)
	if !ok || strings.Contains(before, "CHANGE KIND") {
		t.Fatalf("rules list does not start with the causes' list:\n%s", list)
	}
	want := `
#   CHANGE KIND                  KEY     WINDOW  EXPLAINS
1   session_revoke               user    7d      revoked, revoked_password_change
2   password_change              user    7d      revoked_password_change, revoked
3   account_removed              user    7d      revoked
4   device_removed               device  30d     device_not_found, session_key_proof_failed
5   ca_policy_change             policy  30d     expired_signin_frequency, token_protection_unbound, bound_token_outside_broker, interaction_required
`
	if kinds != want {
		t.Errorf("rules list, after the causes:\n%s\nwant\n%s", kinds, want)
	}
	// A file's kinds, overrides and additions, are listed as the set has them.
	ext := filepath.Join(t.TempDir(), "ext.yaml")
	os.WriteFile(ext, []byte("changes:\n  - {id: session_revoke, window: 36h}\n  - {id: mfa_reset, activities: [Admin deleted security info], key: user, window: 2d, explains: [interaction_required]}\n"), 0o644)
	got := mustRun(t, "rules", "list", "--rules", ext)
	for _, line := range []string{
		"1   session_revoke               user    36h0m0s revoked, revoked_password_change\n",
		"6   mfa_reset                    user    2d      interaction_required\n",
	} {
		if !strings.Contains(got, line) {
			t.Errorf("rules list --rules ext.yaml lacks %q:\n%s", line, got)
		}
	}
}

// TestRulesShowChangeKind: rules show ID shows a change kind in full (golden), suggests
// among causes and kinds, and shows both when a file gives a kind a cause's id.
func TestRulesShowChangeKind(t *testing.T) {
	checkGolden(t, "rules-show-password_change.txt", mustRun(t, "rules", "show", "password_change"))
	_, errs, code := runCLI(t, "", "rules", "show", "pasword_change")
	if code != 2 || !strings.Contains(errs, `rules show: no rule "pasword_change"; did you mean "password_change"?`) {
		t.Errorf("rules show pasword_change: exit %d, %q", code, errs)
	}
	dir := t.TempDir()
	same := filepath.Join(dir, "same.yaml")
	os.WriteFile(same, []byte("changes:\n  - {id: revoked, label: Revocations, activities: [Revoke all sessions], key: user, window: 1d, explains: [revoked]}\n"), 0o644)
	out := mustRun(t, "rules", "show", "revoked", "--rules", same)
	cause := mustRun(t, "rules", "show", "revoked")
	kind, ok := strings.CutPrefix(out, cause+"\n")
	if !ok || !strings.HasPrefix(kind, "change kind: revoked (kind 6 of 6)\n") || !strings.Contains(kind, "defined at:  "+same+":2:6\n") {
		t.Errorf("rules show of an id both a cause and a kind have:\n%s", out)
	}
}

// TestRulesCheckChanges: rules check reports a file's change kind problems with the
// rules' ones, at their lines, and says the kinds of a file that has none.
func TestRulesCheckChanges(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte(`rules:
  - id: revoked
    remedation: Ask the desk
changes:
  - id: mfa_reset
    activities: [Delete user]
    key: users
    window: 2 days
    explains: [interaction_requird]
`), 0o644)
	want := bad + `:3:5: unknown field "remedation"; did you mean "remediation"?
` + bad + `:6:18: change kind "mfa_reset": activity "Delete user" is also change kind "account_removed"'s
` + bad + `:7:10: change kind "mfa_reset": unknown key "users": want user, device or policy; did you mean "user"?
` + bad + `:8:13: change kind "mfa_reset": bad window "2 days": want a duration like 7d or 36h
` + bad + `:9:16: change kind "mfa_reset": explains unknown cause "interaction_requird"; did you mean "interaction_required"?
`
	out, errs, code := runCLI(t, "", "rules", "check", bad)
	if code != 2 || out != "" || errs != want {
		t.Errorf("rules check: exit %d, stdout %q, stderr\n%s\nwant exit 2 and\n%s", code, out, errs, want)
	}
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("changes:\n  - {id: device_removed, window: 60d}\n"), 0o644)
	out = mustRun(t, "rules", "check", good)
	set, err := rules.Load([]byte("changes:\n  - {id: device_removed, window: 60d}\n"), good, rules.Default(), rules.ModeExtend)
	if err != nil {
		t.Fatal(err)
	}
	wantOut := good + ": ok, 21 rules in 5 families (extend mode), fingerprint " + rules.Default().Fingerprint() + "\n" +
		good + ": ok, 5 change kinds, fingerprint " + set.ChangesFingerprint() + "\n"
	if out != wantOut {
		t.Errorf("rules check good.yaml:\n%s\nwant\n%s", out, wantOut)
	}
	if set.ChangesFingerprint() == rules.Default().ChangesFingerprint() {
		t.Error("a 60d window did not change the kinds' fingerprint")
	}
}
