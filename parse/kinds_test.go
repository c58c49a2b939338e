package parse

import (
	"os"
	"strings"
	"testing"
)

// decodeAll reads an input's bytes and returns its events; it fails on any error.
func decodeAll(t *testing.T, name, data string) []Event {
	t.Helper()
	in, err := NewInput(readCloser(data), name)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var out []Event
	for ev, err := range in.Events() {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, ev)
	}
	return out
}

func readCloser(s string) *nopCloser { return &nopCloser{strings.NewReader(s)} }

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

// TestRecordKinds: records of other logs, and records with no sign-in field, are not
// sign-ins, in every shape; sign-ins stay sign-ins.
func TestRecordKinds(t *testing.T) {
	audit, err := os.ReadFile("../../shared/audit-corpus/datadog-azure-log-forwarding-orchestration/audit_logs.json")
	if err != nil {
		t.Fatal(err)
	}
	schema, err := os.ReadFile("../report/summary.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, file, data, want string
	}{
		{"a real AuditLogs blob", "PT1H.json", string(audit), "AuditLogs"},
		{"a JSON Schema", "summary.schema.json", string(schema), "unknown"},
		{"grantsweep's own summary", "s.json", `{"schema":"grantsweep.summary/v1","totals":{"records":3,"in_scope":0}}`, "unknown"},
		{"a Graph directory audit", "a.json", `{"id":"Directory_1","category":"UserManagement","activityDisplayName":"Update user","activityDateTime":"2026-11-24T10:00:00Z"}`, "AuditLogs"},
		{"a diagnostic-settings audit naming no log", "a.json", `{"time":"2026-11-24T10:00:00Z","properties":{"activityDisplayName":"Delete user","userPrincipalName":"x"}}`, "AuditLogs"},
		{"a PowerShell directory audit", "a.json", `{"Id":"Directory_1","Category":"UserManagement","ActivityDisplayName":"Update user","ActivityDateTime":"/Date(1764000000000)/"}`, "AuditLogs"},
		{"a table of audit rows without Type", "a.csv", "ActivityDateTime,ActivityDisplayName,Category,ResultType\n2026-11-24T10:00:00Z,Delete user,UserManagement,\n", "AuditLogs"},
		{"Log Analytics AuditLogs", "a.json", `{"TimeGenerated":"2026-11-24T10:00:00Z","Type":"AuditLogs","OperationName":"Update user","ResultType":""}`, "AuditLogs"},
		{"provisioning in an Event Hub batch", "b.json", `{"records":[{"time":"2026-11-24T10:00:00Z","category":"ProvisioningLogs","resultType":"Success","properties":{}}]}`, "ProvisioningLogs"},
		{"a CSV with no sign-in column", "x.csv", "User agent,IP address\nMozilla,192.0.2.1\n", "unknown"},
		{"a Graph sign-in", "g.json", `{"id":"1","createdDateTime":"2026-11-24T10:00:00Z","status":{"errorCode":0}}`, ""},
		{"an Azure Monitor sign-in", "m.json", `{"time":"2026-11-24T10:00:00Z","category":"NonInteractiveUserSignInLogs","resultType":"0","properties":{}}`, ""},
		{"an ADFS sign-in", "m.json", `{"time":"2026-11-24T10:00:00Z","category":"ADFSSignInLogs","properties":{}}`, ""},
		{"a portal CSV row", "InteractiveSignIns_x.csv", "Date (UTC),Request ID,Sign-in error code\n2026-11-24T10:00:00Z,a,0\n", ""},
		{"a portal CSV row without a code", "InteractiveSignIns_x.csv", "Date (UTC),Request ID,Sign-in error code\n2026-11-24T10:00:00Z,a,\n", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			evs := decodeAll(t, tt.file, tt.data)
			if len(evs) == 0 {
				t.Fatal("no record")
			}
			for _, ev := range evs {
				if ev.Other != tt.want {
					t.Fatalf("Other = %q, want %q", ev.Other, tt.want)
				}
			}
		})
	}
}

// TestSentinelDynamicColumns: Log Analytics CSV exports name dynamic columns with a
// _dynamic suffix, and their constant Resource column is no resource.
func TestSentinelDynamicColumns(t *testing.T) {
	csv := "TimeGenerated [UTC],ResultType,Resource,ResourceDisplayName,DeviceDetail_dynamic,Status_dynamic\n" +
		`"9/19/2023, 1:45:17.287 PM",70000,Microsoft.aadiam,,"{""operatingSystem"":""Windows 10"",""browser"":""Edge 1""}","{""errorCode"":70000,""failureReason"":""The provided grant is invalid""}"` + "\n"
	evs := decodeAll(t, "SigninLogs.csv", csv)
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	ev := evs[0]
	if ev.OS != "Windows 10" || ev.Browser != "Edge 1" || ev.FailureReason != "The provided grant is invalid" {
		t.Errorf("OS %q browser %q reason %q: the _dynamic columns were not read", ev.OS, ev.Browser, ev.FailureReason)
	}
	if ev.Resource != "" {
		t.Errorf("Resource %q: the log's provider is no resource", ev.Resource)
	}
}
