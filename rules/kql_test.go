package rules

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestKQLTimespan(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{14 * 24 * time.Hour, "14d"}, {36 * time.Hour, "36h"}, {90 * time.Minute, "90m"}, {30 * time.Second, "30s"},
		{1500 * time.Millisecond, "1500ms"}, {3 * time.Microsecond, "3microsecond"}, {250 * time.Nanosecond, "2tick"}, {0, "0d"},
		{-2 * time.Hour, "-2h"},
	} {
		if got := kqlTimespan(tt.d); got != tt.want {
			t.Errorf("kqlTimespan(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	var b strings.Builder
	if err := Default().WriteKQL(&b, Since{At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}); !errors.Is(err, ErrSince) || b.Len() != 0 {
		t.Errorf("WriteKQL of year 10000 = %v, wrote %d bytes; want ErrSince and nothing", err, b.Len())
	}
}

// TestKQLAudit: with change kinds, the export joins the failures with AuditLogs: every
// kind's activities (normalised), its key's target type, its window and the causes it
// explains are in the query, and the summary counts Explained; a set without kinds reads
// no AuditLogs. bench/kusto checks the query with Kusto.Language.
func TestKQLAudit(t *testing.T) {
	var b strings.Builder
	if err := Default().WriteKQL(&b, Since{Ago: 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	q := b.String()
	for _, want := range []string{"let Changes = AuditLogs\n", `"update stsrefreshtokenvalidfrom timestamp"`, `"change password (self service)"`,
		`MemberKind == "device_removed", 30d`, `MemberKind == "session_revoke", pack_array("revoked", "revoked_password_change")`,
		"row_window_session(ActivityDateTime, 5s, 5s,", "Explained = countif(isnotempty(ExplainedByKind))", "ConditionalAccessPolicies = tostring(ConditionalAccessPolicies)"} {
		if !strings.Contains(q, want) {
			t.Errorf("the export lacks %q", want)
		}
	}
	set := *Default()
	set.Changes = nil
	b.Reset()
	if err := set.WriteKQL(&b, Since{Ago: 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "AuditLogs") || strings.Contains(b.String(), "Explained") {
		t.Errorf("a set without change kinds reads AuditLogs:\n%s", b.String())
	}
}
