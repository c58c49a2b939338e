package report

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/rules"
)

// TestRedactTexts: the failure texts lose every UPN, address and the record's user id,
// each replaced by the pseudonym its column gets, and keep everything else.
func TestRedactTexts(t *testing.T) {
	r := NewRedactor("k")
	const uid = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	user := r.user("alice.secret@contoso.com")
	v4, v6 := r.ip("203.0.113.201"), r.ip("2001:db8::7")
	puid := r.pseudonym("uid", uid)
	tests := []struct{ name, in, want string }{
		{"plain", "The provided grant has expired due to it being revoked.", "The provided grant has expired due to it being revoked."},
		{"upn and ipv4", "User alice.secret@contoso.com from 203.0.113.201 presented a revoked grant.",
			"User " + user + " from " + v4 + " presented a revoked grant."},
		{"upn upper case, quoted", "The user 'Alice.Secret@contoso.com' is disabled.", "The user '" + user + "' is disabled."},
		{"upn at the end of a sentence", "Sign-in by alice.secret@contoso.com.", "Sign-in by " + user + "."},
		{"another mailbox", "Forwarded to bob+x@fabrikam.example", "Forwarded to " + r.user("bob+x@fabrikam.example")},
		{"ipv4 with port", "client 203.0.113.201:443 closed", "client " + v4 + ":443 closed"},
		{"ipv4 after a label", "IPAddress:203.0.113.201;", "IPAddress:" + v4 + ";"},
		{"ipv4 after a hex-looking word", "code:203.0.113.201", "code:" + v4},
		{"ipv6", "from 2001:db8::7, twice", "from " + v6 + ", twice"},
		{"ipv6 upper case", "from [2001:DB8::7]:443", "from [" + v6 + "]:443"},
		{"ipv6 after a label", "ip:2001:db8::7.", "ip:" + v6 + "."},
		{"ipv4-mapped ipv6 is the ipv4", "via ::ffff:203.0.113.201", "via " + v4},
		{"user id", "Account " + uid + " is locked", "Account " + puid + " is locked"},
		{"user id upper case", "Account " + strings.ToUpper(uid), "Account " + puid},
		{"any guid, as a text does not say whose", "Trace {5B8D3C1E-2f4a-4e6b-9c7d-8a1f0e2d3c4b}", "Trace {" + r.pseudonym("uid", "5b8d3c1e-2f4a-4e6b-9c7d-8a1f0e2d3c4b") + "}"},
		{"no guid", "x0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4dd",
			"x0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4dd"},
		{"times and versions stay", "at 10:00:05 with Chrome 134.0.0, trace aa:bb:cc:dd:ee:ff", "at 10:00:05 with Chrome 134.0.0, trace aa:bb:cc:dd:ee:ff"},
		{"no address in a bad quad", "version 1.2.3.4.5 and 999.1.1.1", "version 1.2.3.4.5 and 999.1.1.1"},
		{"lone at signs", "@ and x@ and @y", "@ and x@ and @y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.text(tt.in)
			if got != tt.want {
				t.Errorf("text(%q)\n = %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestRedactSameAsColumns: a text that quotes the record's own UPN, IP and user id gets
// the pseudonyms of its user, ip and user_id columns.
func TestRedactSameAsColumns(t *testing.T) {
	r := NewRedactor("k")
	ev := parse.Event{User: "alice.secret@contoso.com", UserID: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", IP: "2001:db8::7",
		FailureReason:     "User alice.secret@contoso.com (0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D) from 2001:DB8:0::7",
		ResultDescription: "same user alice.secret@contoso.com",
		AdditionalDetails: "IP 2001:db8::7"}
	r.Apply(&ev)
	want := fmt.Sprintf("User %s (%s) from %s", ev.User, ev.UserID, ev.IP)
	if ev.FailureReason != want {
		t.Errorf("FailureReason = %q, want %q", ev.FailureReason, want)
	}
	if ev.ResultDescription != "same user "+ev.User || ev.AdditionalDetails != "IP "+ev.IP {
		t.Errorf("ResultDescription = %q, AdditionalDetails = %q, want the user %s and the IP %s", ev.ResultDescription, ev.AdditionalDetails, ev.User, ev.IP)
	}
}

// TestRedactEvidence: the evidence of a match quotes the text before redaction;
// ApplyMatch redacts it as Apply redacts the event.
func TestRedactEvidence(t *testing.T) {
	set := rules.Default()
	ev := parse.Event{ErrorCode: 70000, User: "alice.secret@contoso.com", UserID: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", IP: "203.0.113.201",
		FailureReason: "The refresh token has been revoked for alice.secret@contoso.com from 203.0.113.201 (0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d)."}
	m, ok := set.Classify(&ev)
	if !ok || len(m.Evidence) < 2 {
		t.Fatalf("Classify = %+v, %v: want a text match", m, ok)
	}
	NewRedactor("k").ApplyMatch(&ev, &m)
	for _, e := range m.Evidence {
		for _, secret := range []string{"alice.secret", "203.0.113.201", "0a1b2c3d"} {
			if strings.Contains(e.Value, secret) {
				t.Errorf("evidence %s = %q still holds %q", e.Field, e.Value, secret)
			}
		}
	}
	if m.Evidence[1].Value != ev.FailureReason {
		t.Errorf("evidence value %q, want the redacted failure reason %q", m.Evidence[1].Value, ev.FailureReason)
	}
}

// TestRedactPlainTextNoAllocation: the prefilter path sends millions of records through
// Apply; a text with nothing to redact is read once and not copied.
func TestRedactPlainTextNoAllocation(t *testing.T) {
	r := NewRedactor("k")
	for _, s := range []string{"", "Other.", "Session is invalid due to expiration or recent password change.",
		"AADSTS70000: The provided grant is invalid or malformed. Timestamp: 2026-11-24 10:00:05Z, version 1.2.3"} {
		if n := testing.AllocsPerRun(100, func() { r.text(s) }); n != 0 {
			t.Errorf("text(%q): %v allocations, want 0", s, n)
		}
	}
}

// TestRedactSummaryTexts: with a Redactor, no format of the summary (the failures by code
// included, and the partial's per-code texts in JSON) quotes a UPN, address or user id
// that a record's texts held.
func TestRedactSummaryTexts(t *testing.T) {
	lines := `{"id":"e1","createdDateTime":"2026-11-24T10:00:00Z","userPrincipalName":"alice.secret@contoso.com","userId":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","ipAddress":"203.0.113.201","status":{"errorCode":50126,"failureReason":"User alice.secret@contoso.com from 203.0.113.201 gave a bad password.","additionalDetails":"Client 2001:db8::7 (0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d)"}}
{"id":"e2","createdDateTime":"2026-11-24T10:05:00Z","userPrincipalName":"alice.secret@contoso.com","userId":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","ipAddress":"203.0.113.201","status":{"errorCode":70000,"failureReason":"The refresh token has been revoked for alice.secret@contoso.com at 203.0.113.201."}}
{"id":"e3","createdDateTime":"2026-11-24T10:06:00Z","userPrincipalName":"bob@contoso.com","userId":"9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a","ipAddress":"198.51.100.9","resultDescription":"Invalid grant for user 9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a from 198.51.100.9","status":{"errorCode":70008}}
`
	s := New(rules.Default())
	s.Redactor = NewRedactor("k")
	in, err := parse.NewInput(ioNopCloser{strings.NewReader(lines)}, "texts.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Read(in); err != nil {
		t.Fatal(err)
	}
	secrets := regexp.MustCompile(`[a-z.]+@contoso\.com|\d+\.\d+\.\d+\.\d+|2001:db8::7|[0-9a-f]{8}-[0-9a-f-]{27}`).FindAllString(lines, -1)
	slices.Sort(secrets)
	secrets = slices.Compact(secrets)
	for _, f := range Formats {
		var b bytes.Buffer
		if err := s.Write(&b, f, Options{GeneratedBy: "grantsweep test"}); err != nil {
			t.Fatal(err)
		}
		out := strings.ToLower(b.String())
		for _, secret := range secrets {
			if local, _, ok := strings.Cut(secret, "@"); ok {
				secret = local + "@"
			}
			if strings.Contains(out, strings.ToLower(secret)) {
				t.Errorf("%s output holds %q", f, secret)
			}
		}
	}
}

// BenchmarkRedactorApply is the cost per record of --redact, on a record whose texts
// hold nothing to redact (most) and on one that quotes its user and address.
func BenchmarkRedactorApply(b *testing.B) {
	r := NewRedactor("k")
	base := parse.Event{User: "alice.secret@contoso.com", UserID: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", IP: "203.0.113.201"}
	for _, bc := range []struct{ name, reason string }{
		{"plain", "Session is invalid due to expiration or recent password change."},
		{"quoting", "User alice.secret@contoso.com from 203.0.113.201 presented a revoked grant."},
		{"no fields", ""},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ev := base
				if bc.name == "no fields" {
					ev = parse.Event{}
				}
				ev.FailureReason = bc.reason
				r.Apply(&ev)
			}
		})
	}
}

// TestPseudonymsStable: the same key gives the pseudonyms earlier versions gave (HMAC-SHA256
// of kind:value, lower-cased), so summaries redacted before and after merge and compare.
func TestPseudonymsStable(t *testing.T) {
	r := NewRedactor("k")
	ev := parse.Event{User: "Alice.Secret@contoso.com", UserID: "0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D", IP: "203.0.113.201"}
	r.Apply(&ev)
	if ev.User != "user-fce6b8b46a5f@contoso.com" || ev.UserID != "uid-6cabb624f553" || ev.IP != "ip-292d7c19b326" {
		t.Errorf("Apply gives %q %q %q, want user-fce6b8b46a5f@contoso.com uid-6cabb624f553 ip-292d7c19b326", ev.User, ev.UserID, ev.IP)
	}
	for _, ip := range []string{"2001:db8::7", "2001:DB8:0::7"} {
		if got := r.ip(ip); got != "ip-8def29242a48" {
			t.Errorf("ip(%q) = %q, want ip-8def29242a48", ip, got)
		}
	}
}
