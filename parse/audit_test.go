package parse

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// wantAudits are the three directory audit records that every file of testdata/audit
// holds (in this order, which is not the order of their times), whatever its shape.
var wantAudits = []Audit{
	{
		Time: mustTime("2026-11-24T09:00:00.123Z"), ID: "Directory_c1_1", CorrelationID: "c1",
		Activity: "Update StsRefreshTokenValidFrom Timestamp", Category: "UserManagement", Service: "Core Directory", Result: "success",
		Actor: "Microsoft password reset service", ActorID: "SP-1",
		Targets: []Target{{Type: "User", ID: "U-1", UPN: "alice@contoso.com"}},
	},
	{
		Time: mustTime("2026-11-24T08:00:00Z"), ID: "Directory_c2_1", CorrelationID: "c2",
		Activity: "Delete device", Category: "Device", Service: "Core Directory", Result: "success",
		Actor: "admin@contoso.com", ActorID: "ADM-1",
		Targets: []Target{{Type: "Device", ID: "DEV-OBJ-1", Name: "LAPTOP-1", DeviceID: "D-1"}},
	},
	{
		Time: mustTime("2026-11-24T08:30:00.5Z"), ID: "IPCGraph_c3_1", CorrelationID: "c3",
		Activity: "Update conditional access policy", Category: "Policy", Service: "Conditional Access", Result: "success",
		Actor: "admin@contoso.com", ActorID: "ADM-1",
		Targets: []Target{{Type: "Other"}, {Type: "Policy", ID: "P-1", Name: "Require MFA"}},
	},
}

// wantJoinSignIn is what the sign-in mixed into some of the files gives to the join.
var wantJoinSignIn = Event{DeviceID: "D-1", DeviceName: "LAPTOP-1", CAPolicies: "p-1,p-2"}

// readAll reads a file of testdata/audit through NewInput, with or without the
// prefilter (SetCodeFilter with a filter that keeps only 70043 in scope).
func readAll(t *testing.T, path string, prefilter bool) (audits []Audit, signIns []Event) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	in, err := NewInput(f, path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if prefilter {
		in.SetCodeFilter(func(c int) bool { return c == 70043 })
		in.SetSummaryFields()
	}
	for ev, err := range in.Events() {
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		switch {
		case ev.Other == "AuditLogs":
			if ev.Audit == nil {
				t.Fatalf("%s: an AuditLogs record at line %d without its Audit", path, ev.Pos.Line)
			}
			if !ev.Time.Equal(ev.Audit.Time) {
				t.Errorf("%s: event time %v, audit time %v", path, ev.Time, ev.Audit.Time)
			}
			audits = append(audits, *ev.Audit)
		case ev.Audit != nil:
			t.Fatalf("%s: an Audit on a record of %q", path, ev.Other)
		case ev.Other == "":
			signIns = append(signIns, ev)
		}
	}
	if in.CodeMissing() {
		t.Errorf("%s (%s) said to be a table of sign-ins without a code", path, in.Format())
	}
	return audits, signIns
}

// TestAuditShapes: every JSON shape of testdata/audit decodes to the same audit records,
// with the prefilter and without, and the sign-in mixed into a batch keeps its device
// and its policies.
func TestAuditShapes(t *testing.T) {
	files, _ := filepath.Glob("testdata/audit/*")
	if len(files) < 8 {
		t.Fatalf("testdata/audit holds %d files", len(files))
	}
	for _, path := range files {
		for _, prefilter := range []bool{false, true} {
			t.Run(filepath.Base(path)+map[bool]string{false: "", true: "/prefilter"}[prefilter], func(t *testing.T) {
				audits, signIns := readAll(t, path, prefilter)
				want := wantAudits
				if strings.Contains(path, "-one.") {
					want = want[:1]
				}
				if strings.Contains(path, "-projected.") {
					// Log Analytics rows without their Category (nor Type).
					want = slices.Clone(want)
					for i := range want {
						want[i].Category = ""
					}
				}
				if strings.HasPrefix(filepath.Base(path), "AuditLogs_") {
					// The portal's download has no id column.
					want = slices.Clone(want)
					for i := range want {
						want[i].ID = ""
					}
				}
				if !reflect.DeepEqual(audits, want) {
					t.Errorf("audits:\n%+v\nwant\n%+v", audits, want)
				}
				if strings.Contains(path, "mixed") {
					if len(signIns) != 1 {
						t.Fatalf("%d sign-ins, want 1", len(signIns))
					}
					got := signIns[0]
					if got.DeviceID != wantJoinSignIn.DeviceID || got.DeviceName != wantJoinSignIn.DeviceName || got.CAPolicies != wantJoinSignIn.CAPolicies {
						t.Errorf("sign-in device %q %q policies %q, want %q %q %q", got.DeviceID, got.DeviceName, got.CAPolicies,
							wantJoinSignIn.DeviceID, wantJoinSignIn.DeviceName, wantJoinSignIn.CAPolicies)
					}
				} else if len(signIns) != 0 {
					t.Errorf("%d sign-ins in a file of audit records", len(signIns))
				}
			})
		}
	}
}

// TestAuditCorpus: the shared corpus's real diagnostic-settings capture, as it is: 22
// audit records of one user, out of time order, the self-service password change as four
// records within 93 ms.
func TestAuditCorpus(t *testing.T) {
	path := "../../shared/audit-corpus/datadog-azure-log-forwarding-orchestration/audit_logs.json"
	for _, prefilter := range []bool{false, true} {
		audits, signIns := readAll(t, path, prefilter)
		if len(audits) != 22 || len(signIns) != 0 {
			t.Fatalf("%d audit records and %d sign-ins, want 22 and 0", len(audits), len(signIns))
		}
		times := make([]time.Time, len(audits))
		for i, a := range audits {
			times[i] = a.Time
			if a.Time.IsZero() || a.ID == "" || a.Activity == "" || a.Result != "success" || a.Service == "" || a.Actor == "" {
				t.Errorf("record %d: %+v", i+1, a)
			}
			if a.Category != "UserManagement" && a.Category != "ApplicationManagement" && a.Category != "Policy" {
				t.Errorf("record %d: category %q", i+1, a.Category)
			}
		}
		if slices.IsSortedFunc(times, func(a, b time.Time) int { return a.Compare(b) }) {
			t.Error("the corpus's records read in time order; they are not")
		}
		if got := times[5]; !got.Equal(mustTime("2025-04-11T08:15:53Z")) {
			t.Errorf("record 6 at %v", got)
		}
		user := Target{Type: "User", ID: "76b99f43-d354-4512-8424-30e5c33b0011", UPN: "harry.potter@hogwarts.com"}
		var change []Audit
		for _, a := range audits {
			if a.Time.After(mustTime("2025-04-11T08:21:37Z")) {
				change = append(change, a)
			}
		}
		if len(change) != 4 {
			t.Fatalf("%d records in the password change, want 4", len(change))
		}
		want := []struct {
			activity, actor, actorID, correlation string
			time                                  string
		}{
			{"Change password (self-service)", "harry.potter@hogwarts.com", "76b99f43-d354-4512-8424-30e5c33b0011", "58d62eee-d37b-4b07-adb3-45d3b4449edc", "2025-04-11T08:21:37.8627137Z"},
			{"Update PasswordProfile", "Microsoft password reset service", "", "a36bdeaa-ecec-4892-81a8-ef948258aa71", "2025-04-11T08:21:37.7698364Z"},
			{"Change user password", "Microsoft password reset service", "", "a36bdeaa-ecec-4892-81a8-ef948258aa71", "2025-04-11T08:21:37.8538403Z"},
			{"Update StsRefreshTokenValidFrom Timestamp", "Microsoft password reset service", "", "a36bdeaa-ecec-4892-81a8-ef948258aa71", "2025-04-11T08:21:37.8548485Z"},
		}
		for i, w := range want {
			a := change[i]
			if a.Activity != w.activity || a.Actor != w.actor || a.CorrelationID != w.correlation || !a.Time.Equal(mustTime(w.time)) {
				t.Errorf("change record %d: %q by %q (%q) at %v, correlation %q; want %q by %q at %s, correlation %q",
					i+1, a.Activity, a.Actor, a.ActorID, a.Time, a.CorrelationID, w.activity, w.actor, w.time, w.correlation)
			}
			if len(a.Targets) != 1 || a.Targets[0].Type != user.Type || a.Targets[0].ID != user.ID || a.Targets[0].UPN != user.UPN {
				t.Errorf("change record %d: targets %+v, want the user %+v", i+1, a.Targets, user)
			}
			if i > 0 && a.ActorID == "" {
				t.Errorf("change record %d: the app's service principal id is missing", i+1)
			}
		}
		// The policy records: the first target has no type, the second is the policy.
		for _, a := range audits {
			if strings.HasPrefix(a.Activity, "POST UserAuthMethod") {
				if len(a.Targets) != 2 || a.Targets[0].Type != "" || a.Targets[1].Type != "Policy" || a.Targets[1].Name != "Multifactor Authentication" {
					t.Errorf("%s: targets %+v", a.Activity, a.Targets)
				}
			}
		}
	}
}

// TestAuditBadTime: an activityDateTime that is no time reads as the sign-in decoder
// reads a created time that is none: the record's other time when it has one (the
// diagnostic-settings time, never TimeGenerated), else no time; the record is still an
// audit record, and nothing fails.
func TestAuditBadTime(t *testing.T) {
	for _, tt := range []struct {
		name, raw string
		want      time.Time
	}{
		{"Graph, no time at all", `{"id":"a","activityDisplayName":"Delete user","activityDateTime":"yesterday"}`, time.Time{}},
		{"Graph, a number", `{"id":"a","activityDisplayName":"Delete user","activityDateTime":{"x":1}}`, time.Time{}},
		{"diagnostic settings", `{"time":"2026-11-24T10:00:00Z","category":"AuditLogs","properties":{"activityDisplayName":"Delete user","activityDateTime":"13/13/2026"}}`, mustTime("2026-11-24T10:00:00Z")},
		{"Log Analytics", `{"TimeGenerated":"2026-11-24T10:00:00Z","Type":"AuditLogs","ActivityDisplayName":"Delete user","ActivityDateTime":""}`, time.Time{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, prefilter := range []bool{false, true} {
				d := newJSONDecoder(strings.NewReader(tt.raw))
				if prefilter {
					d.filter = func(int) bool { return false }
				}
				n := 0
				for ev, err := range d.events("t") {
					n++
					if err != nil || ev.Audit == nil || !ev.Audit.Time.Equal(tt.want) || !ev.Time.Equal(tt.want) {
						t.Fatalf("prefilter %v: %+v (audit %+v), %v; want an audit record at %v", prefilter, ev, ev.Audit, err, tt.want)
					}
				}
				if n != 1 {
					t.Fatalf("%d items", n)
				}
			}
		})
	}
}

// TestAuditTolerant: members of an audit record in a shape not expected read as nothing,
// never as a failed record: the record is decoded as it would be without them.
func TestAuditTolerant(t *testing.T) {
	for _, raw := range []string{
		`{"activityDisplayName":"Delete user","targetResources":"not JSON [","initiatedBy":7}`,
		`{"activityDisplayName":"Delete user","targetResources":[1,"x",null,{"type":"User","modifiedProperties":{"a":1}}],"initiatedBy":{"user":"x","app":[1]}}`,
		`{"activityDisplayName":"Delete user","targetResources":"[{\"type\":\"User\",\"id\":\"u\"}]","initiatedBy":"{\"user\":{\"userPrincipalName\":\"A@B\"}}"}`,
		`{"id":"s","status":{"errorCode":70043},"appliedConditionalAccessPolicies":"[{\"id\":\"B\"},{\"id\":\"a\"},7]","deviceDetail":{"deviceId":7}}`,
	} {
		var ev Event
		if err := decodeJSONRecord([]byte(raw), &ev); err != nil {
			t.Errorf("%s: %v", raw, err)
		}
		prefilterAgrees(t, []byte(raw))
	}
	var ev Event
	decodeJSONRecord([]byte(`{"activityDisplayName":"Delete user","targetResources":[1,"x",null,{"type":"User","id":"u"}]}`), &ev)
	if got := ev.Audit.Targets; len(got) != 2 || got[0] != (Target{}) || got[1].ID != "u" {
		t.Errorf("targets %+v: want the null one and the user, in order", got)
	}
	decodeJSONRecord([]byte(`{"activityDisplayName":"x","initiatedBy":"{\"user\":{\"userPrincipalName\":\"A@B\",\"id\":\"I\"}}","targetResources":"[{\"type\":\"device\",\"modifiedProperties\":[{\"displayName\":\"DeviceId\",\"newValue\":\"\\\"d\\\"\"}]}]"}`), &ev)
	if ev.Audit.Actor != "a@b" || ev.Audit.ActorID != "I" || len(ev.Audit.Targets) != 1 || ev.Audit.Targets[0].DeviceID != "d" {
		t.Errorf("JSON text: %+v", ev.Audit)
	}
	decodeJSONRecord([]byte(`{"id":"s","status":{"errorCode":70043},"appliedConditionalAccessPolicies":"[{\"id\":\"B\"},{\"id\":\"a\"},7,{\"id\":\"b\"}]","deviceDetail":{"deviceId":7}}`), &ev)
	if ev.CAPolicies != "a,b" || ev.DeviceID != "7" {
		t.Errorf("policies %q device %q, want a,b and 7", ev.CAPolicies, ev.DeviceID)
	}
}

func TestModifiedValue(t *testing.T) {
	for in, want := range map[string]string{
		`["d-1"]`: "d-1", `[]`: "", `[""," d-2 "]`: "d-2", `"d-3"`: "d-3", `d-4`: "d-4", ` `: "", `[`: "", `"`: "", `[1]`: "1",
	} {
		if got := modifiedValue(in); got != want {
			t.Errorf("modifiedValue(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestJoinFields: a sign-in's device and conditional access policies, in each JSON shape
// that has them, with the prefilter and without.
func TestJoinFields(t *testing.T) {
	const dev, name, pols = "D-1", "LAPTOP-1", "0a-b,9f"
	for _, tt := range []struct{ name, data string }{
		{"Graph", `{"id":"1","createdDateTime":"2026-11-24T10:00:00Z","status":{"errorCode":70043},"deviceDetail":{"deviceId":"D-1","displayName":"LAPTOP-1"},"appliedConditionalAccessPolicies":[{"id":"9F","result":"success","enforcedGrantControls":["Mfa"]},{"id":"0a-B"},{"id":"9f"}]}`},
		{"diagnostic settings", `{"time":"2026-11-24T10:01:00Z","category":"SignInLogs","resultType":"70043","properties":{"id":"1","deviceDetail":{"deviceId":"D-1","displayName":"LAPTOP-1"},"appliedConditionalAccessPolicies":[{"id":"0a-b"},{"id":"9f"}]}}`},
		{"Log Analytics objects", `{"TimeGenerated":"2026-11-24T10:01:00Z","Type":"SigninLogs","ResultType":"70043","DeviceDetail":{"deviceId":"D-1","displayName":"LAPTOP-1"},"ConditionalAccessPolicies":[{"id":"0a-b"},{"id":"9f"}]}`},
		{"Log Analytics JSON text", `{"TimeGenerated":"2026-11-24T10:01:00Z","Type":"AADNonInteractiveUserSignInLogs","ResultType":"70043","DeviceDetail":"{\"deviceId\":\"D-1\",\"displayName\":\"LAPTOP-1\"}","ConditionalAccessPolicies":"[{\"id\":\"0a-b\"},{\"id\":\"9f\"}]"}`},
		{"Log Analytics AppliedConditionalAccessPolicies", `{"TimeGenerated":"2026-11-24T10:01:00Z","Type":"SigninLogs","ResultType":"70043","DeviceDetail":{"deviceId":"D-1","displayName":"LAPTOP-1"},"AppliedConditionalAccessPolicies":"[{\"id\":\"9f\"}]","ConditionalAccessPolicies":[{"id":"0a-b"}]}`},
		{"query API", `{"tables":[{"name":"PrimaryResult","columns":[{"name":"ResultType"},{"name":"DeviceDetail"},{"name":"ConditionalAccessPolicies"}],"rows":[["70043",{"deviceId":"D-1","displayName":"LAPTOP-1"},[{"id":"0a-b"},{"id":"9f"}]]]}]}`},
		{"query API, JSON text", `{"tables":[{"name":"PrimaryResult","columns":[{"name":"ResultType"},{"name":"DeviceDetail"},{"name":"ConditionalAccessPolicies"}],"rows":[["70043","{\"deviceId\":\"D-1\",\"displayName\":\"LAPTOP-1\"}","[{\"id\":\"0a-b\"},{\"id\":\"9f\"}]"]]}]}`},
	} {
		for _, prefilter := range []bool{false, true} {
			in, err := NewInput(readCloser(tt.data), "j.json")
			if err != nil {
				t.Fatal(err)
			}
			if prefilter {
				in.SetCodeFilter(func(c int) bool { return c == 70043 })
			}
			n := 0
			for ev, err := range in.Events() {
				n++
				if err != nil || ev.Other != "" || ev.ErrorCode != 70043 || ev.DeviceID != dev || ev.DeviceName != name || ev.CAPolicies != pols {
					t.Errorf("%s (prefilter %v): %v, other %q code %d device %q %q policies %q; want %q %q %q",
						tt.name, prefilter, err, ev.Other, ev.ErrorCode, ev.DeviceID, ev.DeviceName, ev.CAPolicies, dev, name, pols)
				}
			}
			if n != 1 {
				t.Errorf("%s: %d records", tt.name, n)
			}
		}
	}
	var ev Event
	decodeJSONRecord([]byte(`{"id":"1","status":{"errorCode":70043},"appliedConditionalAccessPolicies":[]}`), &ev)
	if ev.CAPolicies != "" || ev.DeviceID != "" {
		t.Errorf("no policies, no device: %q %q", ev.CAPolicies, ev.DeviceID)
	}
}

// TestAuditCorpusParquet: the shared corpus written as nested Parquet (properties, its
// initiatedBy structs, targetResources and their modifiedProperties as lists) reads as
// the JSON does, record for record.
func TestAuditCorpusParquet(t *testing.T) {
	fromJSON, _ := readAll(t, "../../shared/audit-corpus/datadog-azure-log-forwarding-orchestration/audit_logs.json", false)
	for _, prefilter := range []bool{false, true} {
		fromParquet, signIns := readAll(t, "testdata/audit-corpus/audit_logs.parquet", prefilter)
		if len(signIns) != 0 || len(fromParquet) != 22 {
			t.Fatalf("%d audit records and %d sign-ins", len(fromParquet), len(signIns))
		}
		for i := range fromJSON {
			if !reflect.DeepEqual(fromParquet[i], fromJSON[i]) {
				t.Errorf("record %d:\nParquet %+v\nJSON    %+v", i+1, fromParquet[i], fromJSON[i])
			}
		}
	}
}

// TestAuditOperationName: an audit record without activityDisplayName takes its
// operationName, properties first, in JSON and in a table.
func TestAuditOperationName(t *testing.T) {
	for _, tt := range []struct{ name, data, want string }{
		{"diagnostic settings", `{"category":"AuditLogs","operationName":"Top","properties":{"operationName":"Delete user"}}`, "Delete user"},
		{"top level", `{"Type":"AuditLogs","OperationName":"Delete user","OperationVersion":1}`, "Delete user"},
		{"a number", `{"Type":"AuditLogs","OperationName":7}`, "7"},
		{"activityDisplayName first", `{"category":"AuditLogs","operationName":"x","properties":{"activityDisplayName":"Delete user","operationName":"y"}}`, "Delete user"},
		{"query API", `{"tables":[{"name":"PrimaryResult","columns":[{"name":"Type"},{"name":"OperationName"}],"rows":[["AuditLogs","Delete user"]]}]}`, "Delete user"},
	} {
		evs := decodeAll(t, "o.json", tt.data)
		if len(evs) != 1 || evs[0].Audit == nil || evs[0].Audit.Activity != tt.want {
			t.Errorf("%s: %+v", tt.name, evs)
		}
	}
	evs := decodeAll(t, "o.csv", "Type,OperationName,ResultType\nAuditLogs,Delete user,\n")
	if len(evs) != 1 || evs[0].Audit == nil || evs[0].Audit.Activity != "Delete user" {
		t.Errorf("CSV: %+v", evs)
	}
}

// TestAuditDeviceIDFromDetails: a record of one device whose modified properties give
// no DeviceId takes it from its additionalDetails, in JSON and in a table; a record of
// two devices does not guess.
func TestAuditDeviceIDFromDetails(t *testing.T) {
	for _, tt := range []struct{ name, file, data, want string }{
		{"Graph", "d.json", `{"activityDisplayName":"Delete device","targetResources":[{"type":"Device","id":"o","displayName":"PC","modifiedProperties":[]}],"additionalDetails":[{"key":"DeviceId","value":"d-1"}]}`, "d-1"},
		{"diagnostic settings", "d.json", `{"category":"AuditLogs","properties":{"activityDisplayName":"Add device","targetResources":[{"type":"User"},{"type":"Device","id":"o"}],"additionalDetails":[{"key":"x","value":"y"},{"key":"deviceId","value":"d-1"}]}}`, "d-1"},
		{"Log Analytics CSV", "d.csv", "Type,ActivityDisplayName,TargetResources,AdditionalDetails\nAuditLogs,Delete device,\"[{\"\"type\"\":\"\"Device\"\",\"\"id\"\":\"\"o\"\"}]\",\"[{\"\"key\"\":\"\"DeviceId\"\",\"\"value\"\":\"\"d-1\"\"}]\"\n", "d-1"},
		{"two devices", "d.json", `{"activityDisplayName":"Delete device","targetResources":[{"type":"Device","id":"o"},{"type":"Device","id":"p"}],"additionalDetails":[{"key":"DeviceId","value":"d-1"}]}`, ""},
	} {
		evs := decodeAll(t, tt.file, tt.data)
		if len(evs) != 1 || evs[0].Audit == nil {
			t.Fatalf("%s: %+v", tt.name, evs)
		}
		for _, tg := range evs[0].Audit.Targets {
			if tg.Type == "Device" && tg.DeviceID != tt.want {
				t.Errorf("%s: device %+v, want device id %q", tt.name, tg, tt.want)
			}
		}
	}
}

// TestAuditSections: a JSON Lines file mixing audit records and sign-ins (the corpus and
// the mixed batch's sign-in), split into sections read apart with the prefilter on, gives
// the records the whole file gives without it, in order.
func TestAuditSections(t *testing.T) {
	corpus, err := os.ReadFile("../../shared/audit-corpus/datadog-azure-log-forwarding-orchestration/audit_logs.json")
	if err != nil {
		t.Fatal(err)
	}
	signIn := `{"time":"2026-11-24T10:02:00Z","category":"SignInLogs","resultType":"70043","properties":{"id":"s","deviceDetail":{"deviceId":"D-1"},"appliedConditionalAccessPolicies":[{"id":"P-1"}]}}` + "\n"
	success := `{"time":"2026-11-24T10:02:00Z","category":"SignInLogs","resultType":"0","properties":{"id":"z"}}` + "\n"
	var b strings.Builder
	for i := range 40 {
		b.Write(corpus)
		b.WriteString(signIn)
		if i%2 == 0 {
			b.WriteString(success)
		}
	}
	path := filepath.Join(t.TempDir(), "PT1H.json")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	digests := func(in *Input, out []string) []string {
		defer in.Close()
		for ev, err := range in.Events() {
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case ev.Audit != nil:
				out = append(out, fmt.Sprintf("%d %+v", ev.Pos.Offset, *ev.Audit))
			case ev.Other == "" && ev.ErrorCode != 0:
				out = append(out, fmt.Sprintf("%d %s %s %s", ev.Pos.Offset, ev.ID, ev.DeviceID, ev.CAPolicies))
			}
		}
		return out
	}
	whole, err := OpenWith(path, nil, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := digests(whole, nil)
	secs, err := Split(path, 4, 1, "")
	if err != nil || len(secs) < 2 {
		t.Fatalf("Split: %d sections, %v", len(secs), err)
	}
	var got []string
	for _, s := range secs {
		in, err := OpenWith(path, nil, OpenOptions{Section: &s})
		if err != nil {
			t.Fatal(err)
		}
		in.SetCodeFilter(func(c int) bool { return c == 70043 })
		got = digests(in, got)
	}
	if len(want) != 40*23 || !slices.Equal(got, want) {
		t.Fatalf("sections give %d records, the whole file %d (want %d); equal %v", len(got), len(want), 40*23, slices.Equal(got, want))
	}
}
