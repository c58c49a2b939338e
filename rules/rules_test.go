package rules

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/grantsweep/grantsweep/parse"
)

// The reference text Microsoft gives for AADSTS70000, naming both binding reasons at once.
const referenceText = "The refresh token isn't valid. Error might be due to the following reasons: Token binding header is empty; Token binding hash does not match"

func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		ev     parse.Event
		want   string // cause id, "" when out of scope
		field  string // evidence field of the text condition, if any
		phrase string
	}{
		// binding
		{"7000018", parse.Event{ErrorCode: 7000018}, "binding_header_empty", "", ""},
		{"70000 header empty", parse.Event{ErrorCode: 70000, FailureReason: "Token binding header is empty."}, "binding_header_empty", "failureReason", "token binding header is empty"},
		{"7000019", parse.Event{ErrorCode: 7000019}, "binding_hash_mismatch", "", ""},
		{"70000 hash mismatch", parse.Event{ErrorCode: 70000, ResultDescription: "Token binding hash does not match."}, "binding_hash_mismatch", "resultDescription", "token binding hash does not match"},
		{"70000 reference text names both", parse.Event{ErrorCode: 70000, FailureReason: referenceText}, "grant_invalid", "", ""},
		{"70000 both reasons across fields", parse.Event{ErrorCode: 70000, FailureReason: "Token binding header is empty", AdditionalDetails: "Token binding hash does not match"}, "grant_invalid", "", ""},
		{"7000016", parse.Event{ErrorCode: 7000016}, "session_key_proof_failed", "", ""},
		{"140001", parse.Event{ErrorCode: 140001}, "session_key_proof_failed", "", ""},
		{"500128", parse.Event{ErrorCode: 500128}, "session_key_proof_failed", "", ""},
		{"1400011", parse.Event{ErrorCode: 1400011}, "session_key_proof_failed", "", ""},
		{"1000026", parse.Event{ErrorCode: 1000026}, "session_key_proof_failed", "", ""},
		{"1000039", parse.Event{ErrorCode: 1000039}, "session_key_proof_failed", "", ""},
		{"70000 session key", parse.Event{ErrorCode: 70000, FailureReason: "The request was not signed with session key."}, "session_key_proof_failed", "failureReason", "not signed with session key"},
		{"7000017", parse.Event{ErrorCode: 7000017}, "bound_token_outside_broker", "", ""},
		{"7000115", parse.Event{ErrorCode: 7000115}, "bound_token_outside_broker", "", ""},
		{"1000036", parse.Event{ErrorCode: 1000036}, "bound_token_outside_broker", "", ""},
		{"530084", parse.Event{ErrorCode: 530084, TokenProtection: "unbound", TokenProtectionCode: 1002}, "token_protection_unbound", "", ""},
		{"700003", parse.Event{ErrorCode: 700003}, "device_not_found", "", ""},
		{"135011", parse.Event{ErrorCode: 135011}, "device_not_found", "", ""},
		// expired
		{"700082", parse.Event{ErrorCode: 700082}, "expired_inactivity", "", ""},
		{"70008", parse.Event{ErrorCode: 70008}, "expired_inactivity", "", ""},
		{"70000 inactivity", parse.Event{ErrorCode: 70000, FailureReason: "The refresh token has expired due to inactivity. The token was issued on {issueDate}"}, "expired_inactivity", "failureReason", "expired due to inactivity"},
		{"700081", parse.Event{ErrorCode: 700081}, "expired_max_lifetime", "", ""},
		{"700083", parse.Event{ErrorCode: 700083}, "expired_max_lifetime", "", ""},
		{"70000 max lifetime", parse.Event{ErrorCode: 70000, FailureReason: "The refresh token has expired due to maximum lifetime."}, "expired_max_lifetime", "failureReason", "expired due to maximum lifetime"},
		{"700084", parse.Event{ErrorCode: 700084}, "expired_spa_lifetime", "", ""},
		{"70000 spa", parse.Event{ErrorCode: 70000, FailureReason: "The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of {time}"}, "expired_spa_lifetime", "failureReason", "single page app (spa)"},
		{"70043", parse.Event{ErrorCode: 70043}, "expired_signin_frequency", "", ""},
		{"70044", parse.Event{ErrorCode: 70044}, "expired_signin_frequency", "", ""},
		{"70045", parse.Event{ErrorCode: 70045}, "expired_signin_frequency", "", ""},
		{"70046", parse.Event{ErrorCode: 70046}, "expired_signin_frequency", "", ""},
		{"70000 sign-in frequency", parse.Event{ErrorCode: 70000, AdditionalDetails: "The session has expired due to the Sign-in Frequency policy."}, "expired_signin_frequency", "additionalDetails", "sign-in frequency"},
		// revoked
		{"50173", parse.Event{ErrorCode: 50173}, "revoked", "", ""},
		{"70000 revoked", parse.Event{ErrorCode: 70000, FailureReason: "The refresh token has been revoked."}, "revoked", "failureReason", "revoked"},
		{"50132", parse.Event{ErrorCode: 50132}, "revoked_password_change", "", ""},
		{"50133", parse.Event{ErrorCode: 50133}, "revoked_password_change", "", ""},
		// client_error
		{"54005", parse.Event{ErrorCode: 54005}, "code_invalid", "", ""},
		{"70000 code param", parse.Event{ErrorCode: 70000, FailureReason: "The provided value for the 'code' parameter is not valid."}, "code_invalid", "failureReason", "'code' parameter is not valid"},
		{"70000 code malformed", parse.Event{ErrorCode: 70000, FailureReason: "The provided authorization code is malformed."}, "code_invalid", "failureReason", "authorization code is malformed"},
		{"70000 code expired", parse.Event{ErrorCode: 70000, FailureReason: "The code has expired."}, "code_invalid", "failureReason", "code has expired"},
		{"70000 scopes", parse.Event{ErrorCode: 70000, FailureReason: "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password."}, "revoked", "failureReason", "revoked"},
		{"70000 scopes unauthorized", parse.Event{ErrorCode: 70000, FailureReason: "The scopes requested are unauthorized or expired. The user must first sign in and grant the client application access to the requested scope."}, "scope_not_granted", "failureReason", "scopes requested are unauthorized or expired"},
		{"26000", parse.Event{ErrorCode: 26000}, "interaction_required", "", ""},
		{"70000 interaction", parse.Event{ErrorCode: 70000, FailureReason: "User interaction is required."}, "interaction_required", "failureReason", "user interaction is required"},
		{"70000 refresh_token param", parse.Event{ErrorCode: 70000, FailureReason: "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid."}, "refresh_token_malformed", "failureReason", "'refresh_token' or 'assertion' is not valid"},
		{"70000 refresh token malformed", parse.Event{ErrorCode: 70000, FailureReason: "The refresh token is malformed."}, "refresh_token_malformed", "failureReason", "refresh token is malformed"},
		{"70000 redirect_uri", parse.Event{ErrorCode: 70000, FailureReason: "The provided value for the input parameter 'redirect_uri' is not valid."}, "redirect_uri_mismatch", "failureReason", "'redirect_uri' is not valid"},
		{"7000012", parse.Event{ErrorCode: 7000012}, "wrong_tenant", "", ""},
		{"7000015", parse.Event{ErrorCode: 7000015}, "wrong_tenant", "", ""},
		{"700005", parse.Event{ErrorCode: 700005}, "wrong_tenant", "", ""},
		{"700007", parse.Event{ErrorCode: 700007}, "wrong_client", "", ""},
		{"7000220", parse.Event{ErrorCode: 7000220}, "wrong_client", "", ""},
		// unspecified
		{"70000 usual text", parse.Event{ErrorCode: 70000, FailureReason: "Provided grant is invalid or malformed.", AdditionalDetails: "Developer error - the app is attempting to sign in without the necessary or correct authentication parameters."}, "grant_invalid", "", ""},
		{"70000 no text", parse.Event{ErrorCode: 70000}, "grant_invalid", "", ""},
		{"7000011", parse.Event{ErrorCode: 7000011}, "invalid_grant_other", "", ""},
		{"7000013", parse.Event{ErrorCode: 7000013}, "invalid_grant_other", "", ""},
		{"7000014", parse.Event{ErrorCode: 7000014}, "invalid_grant_other", "", ""},
		{"7000020", parse.Event{ErrorCode: 7000020}, "invalid_grant_other", "", ""},
		{"7000023", parse.Event{ErrorCode: 7000023}, "invalid_grant_other", "", ""},
		{"7000026", parse.Event{ErrorCode: 7000026}, "invalid_grant_other", "", ""},
		{"700001", parse.Event{ErrorCode: 700001}, "invalid_grant_other", "", ""},
		{"700004", parse.Event{ErrorCode: 700004}, "invalid_grant_other", "", ""},
		{"700009", parse.Event{ErrorCode: 700009}, "invalid_grant_other", "", ""},
		// text refinements: case, whitespace, and which codes text may refine
		{"70000 text case and spaces", parse.Event{ErrorCode: 70000, FailureReason: "TOKEN  Binding\n\theader is   EMPTY"}, "binding_header_empty", "failureReason", "token binding header is empty"},
		{"text never changes another code", parse.Event{ErrorCode: 50132, FailureReason: "Token binding header is empty"}, "revoked_password_change", "", ""},
		// out of scope
		{"success", parse.Event{ErrorCode: 0, FailureReason: "Other."}, "", "", ""},
		{"other failure mentioning revoked", parse.Event{ErrorCode: 50140, FailureReason: "revoked session key"}, "", "", ""},
		{"7000027 just past the range", parse.Event{ErrorCode: 7000027}, "", "", ""},
		{"7000232 managed identity failure", parse.Event{ErrorCode: 7000232}, "", "", ""},
	}
	set := Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := set.Classify(&tt.ev)
			got := ""
			if ok {
				got = set.Rules[m.Rule].ID
			}
			if got != tt.want {
				t.Fatalf("Classify(%+v) = %q, want %q", tt.ev, got, tt.want)
			}
			if !ok {
				return
			}
			if m.Evidence[0].Field != "errorCode" || m.Evidence[0].Value != strconv.Itoa(tt.ev.ErrorCode) {
				t.Errorf("first evidence = %+v, want the error code", m.Evidence[0])
			}
			if tt.field == "" {
				if len(m.Evidence) != 1 {
					t.Errorf("evidence = %+v, want the code alone", m.Evidence)
				}
				return
			}
			if len(m.Evidence) != 2 || m.Evidence[1].Field != tt.field || m.Evidence[1].Phrase != tt.phrase {
				t.Fatalf("evidence = %+v, want %s containing %q", m.Evidence, tt.field, tt.phrase)
			}
			if !strings.Contains(Normalize(m.Evidence[1].Value), tt.phrase) {
				t.Errorf("evidence value %q does not contain %q", m.Evidence[1].Value, tt.phrase)
			}
		})
	}
}

// TestDefaultFollowsTaxonomy reads the taxonomy table in docs/TAXONOMY.md and checks
// that the default rule set has the same rows, in the same order, with the same families,
// labels and remediation, and that every code a row names classifies to that row. (The
// docs package's tests keep that copy equal to the team's working copy.)
func TestDefaultFollowsTaxonomy(t *testing.T) {
	data, err := os.ReadFile("../docs/TAXONOMY.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("^\\| (\\w+) \\| `(\\w+)` \\| ([^|]+) \\| (.+) \\| (.+) \\|$")
	codeRe := regexp.MustCompile(`\b(\d{4,8})(?:-(\d{4,8}))?\b`)
	set := Default()
	i := 0
	for line := range strings.Lines(string(data)) {
		m := row.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		family, id, label, when, remediation := m[1], m[2], strings.TrimSpace(m[3]), m[4], strings.TrimSpace(m[5])
		if i >= len(set.Rules) {
			t.Fatalf("taxonomy row %s has no rule", id)
		}
		r := set.Rules[i]
		i++
		if r.ID != id || r.Family != family || r.Label != label {
			t.Errorf("rule %d = %s/%s %q, taxonomy says %s/%s %q", i, r.Family, r.ID, r.Label, family, id, label)
		}
		if Normalize(r.Remediation) != Normalize(remediation) {
			t.Errorf("rule %s remediation = %q, taxonomy says %q", id, r.Remediation, remediation)
		}
		// Codes named before any "code 70000 and text" condition decide the cause on their own.
		codePart, _, _ := strings.Cut(when, "code 70000 and")
		for _, cm := range codeRe.FindAllStringSubmatch(codePart, -1) {
			lo, _ := strconv.Atoi(cm[1])
			hi := lo
			if cm[2] != "" {
				hi, _ = strconv.Atoi(cm[2])
			}
			for code := lo; code <= hi; code++ {
				got, ok := set.Classify(&parse.Event{ErrorCode: code})
				if !ok || set.Rules[got.Rule].ID != id {
					t.Errorf("code %d classifies as %v (in scope %v), taxonomy says %s", code, set.Rules[got.Rule].ID, ok, id)
				}
			}
		}
		// Every quoted phrase of a 70000 condition, alone in failureReason, lands here.
		if _, textPart, ok := strings.Cut(when, "code 70000 and text has"); ok {
			textPart, _, _ = strings.Cut(textPart, " and not ")
			for _, q := range regexp.MustCompile(`"([^"]+)"`).FindAllStringSubmatch(textPart, -1) {
				got, ok := set.Classify(&parse.Event{ErrorCode: 70000, FailureReason: q[1]})
				if !ok || set.Rules[got.Rule].ID != id {
					t.Errorf("70000 with %q classifies as %s, taxonomy says %s", q[1], set.Rules[got.Rule].ID, id)
				}
			}
		}
	}
	if i != len(set.Rules) || i == 0 {
		t.Errorf("taxonomy has %d rows, default rules have %d", i, len(set.Rules))
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown key", "families: [{id: a}]\nrules: [{id: x, family: a, label: X, when: [{codes: [1]}], colour: red}]", "colour"},
		{"duplicate id", "families: [{id: a}]\nrules:\n- {id: x, family: a, when: [{codes: [1]}]}\n- {id: x, family: a, when: [{codes: [2]}]}", "defined twice"},
		{"unknown family", "families: [{id: a}]\nrules: [{id: x, family: b, when: [{codes: [1]}]}]", `unknown family "b"`},
		{"empty clause", "families: [{id: a}]\nrules: [{id: x, family: a, when: [{}]}]", "matches nothing"},
		{"no clauses", "families: [{id: a}]\nrules: [{id: x, family: a}]", "no when clauses"},
		{"bad range", "families: [{id: a}]\nrules: [{id: x, family: a, when: [{codes: [\"9-1\"]}]}]", "bad code"},
		{"no rules", "families: [{id: a}]", "no rules"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "test.yaml")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestTextOnlyRule(t *testing.T) {
	set, err := Parse([]byte(`
families: [{id: f}]
rules:
  - {id: by_code, family: f, when: [{codes: [70000]}]}
  - {id: by_text, family: f, when: [{text: ["conditional access"]}]}
`), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !set.HasTextOnlyRules() {
		t.Fatal("HasTextOnlyRules() = false")
	}
	for _, tt := range []struct {
		ev   parse.Event
		want string
	}{
		{parse.Event{ErrorCode: 53003, FailureReason: "Blocked by Conditional Access"}, "by_text"},
		{parse.Event{ErrorCode: 70000, FailureReason: "Blocked by Conditional Access"}, "by_code"},
		{parse.Event{ErrorCode: 0, FailureReason: "conditional access"}, ""},
	} {
		m, ok := set.Classify(&tt.ev)
		got := ""
		if ok {
			got = set.Rules[m.Rule].ID
		}
		if got != tt.want {
			t.Errorf("Classify(%+v) = %q, want %q", tt.ev, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"  Token\tBinding \r\n Header  ": "token binding header",
		"":                               "",
		"ÄBC  déf":                       "äbc déf",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMayMatch: the codes a decoder may skip work on, successes included.
func TestMayMatch(t *testing.T) {
	def := Default()
	if def.MayMatch(0) || !def.MayMatch(70000) || def.MayMatch(50126) {
		t.Errorf("default: MayMatch(0, 70000, 50126) = %v %v %v, want false true false", def.MayMatch(0), def.MayMatch(70000), def.MayMatch(50126))
	}
	set, err := Parse([]byte(`
families: [{id: f}]
rules:
  - {id: ok, family: f, when: [{codes: [0]}]}
`), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !set.MayMatch(0) || set.MayMatch(70000) {
		t.Errorf("a rule naming code 0: MayMatch(0, 70000) = %v %v, want true false", set.MayMatch(0), set.MayMatch(70000))
	}
}
