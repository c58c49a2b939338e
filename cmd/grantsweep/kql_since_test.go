package main

import (
	"strings"
	"testing"
)

// TestKQLSince: rules export --kql writes --since as a Kusto literal of its own making
// (ago(14d), never ago(2w), which Kusto does not take: KS107), bound once by let and compared with TimeGenerated in each table, reads it as sweep reads --since,
// and refuses anything else, which used to go into the query as it was.
func TestKQLSince(t *testing.T) {
	tests := []struct{ since, want string }{
		{"", "ago(1d)"}, // the default
		{"2w", "ago(14d)"},
		{"7d", "ago(7d)"},
		{"24h", "ago(1d)"},
		{"36h", "ago(36h)"},
		{"1.5d", "ago(36h)"},
		{"90m", "ago(90m)"},
		{"0.5m", "ago(30s)"},
		{" 12h ", "ago(12h)"},
		{"2026-11-24", "datetime(2026-11-24T00:00:00Z)"},
		{"2026-11-24T08:00:00+01:00", "datetime(2026-11-24T07:00:00Z)"},
		{"2026-11-24T08:00:00.25Z", "datetime(2026-11-24T08:00:00.25Z)"},
		{"2026-11-24 08:00", "datetime(2026-11-24T08:00:00Z)"}, // as the reports show it, in UTC
	}
	for _, tt := range tests {
		args := []string{"rules", "export", "--kql"}
		if tt.since != "" {
			args = append(args, "--since", tt.since)
		}
		out, errs, code := runCLI(t, "", args...)
		if code != 0 || errs != "" || !strings.Contains(out, "\nlet Since = "+tt.want+"; ") {
			t.Errorf("--since %q: exit %d, stderr %q, want let Since = %s in:\n%.300s", tt.since, code, errs, tt.want, out)
		}
	}
	for _, since := range []string{`1d) | take 1 //`, "1d\n| take 1", "2 weeks", "2y", "-1d", "1e300d", "Infd", "NaNh", "soon", "", "datetime(2026-11-24)"} {
		out, errs, code := runCLI(t, "", "rules", "export", "--kql", "--since", since)
		if code != 2 || out != "" || !strings.Contains(errs, "--since") {
			t.Errorf("--since %q: exit %d, stdout %.100q, stderr %q; want a usage error and no query", since, code, out, errs)
		}
	}
	// sweep reads the same durations; a duration too long for one is no time for either.
	one := samplesDir + "/powershell/one-signin.json"
	if _, errs, code := runCLI(t, "", "sweep", "--since", "2w", one); code != 0 {
		t.Errorf("sweep --since 2w: exit %d, %s", code, errs)
	}
	if _, errs, code := runCLI(t, "", "sweep", "--since", "1e300d", one); code != 2 {
		t.Errorf("sweep --since 1e300d: exit %d, %s; want a usage error", code, errs)
	}
}
