package parse

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// TestEngineFlattenedColumns reads files written by another engine from the
// diagnostic-settings sample: DuckDB's unnest(properties, recursive := true) to Parquet
// (columns named by their leaf: errorCode, operatingSystem, countryOrRegion) and a CSV
// flattened as Spark and Databricks do (properties_status_errorCode). Each must give every
// event the JSON gives, with the same code, wording, user, app, place and device: a leaf
// name not recognised used to turn every failure into a record without a code.
func TestEngineFlattenedColumns(t *testing.T) {
	src := "../samples/insights-logs-signinlogs/resourceId=/tenants/4f1e2d3c-5b6a-4789-8a9b-0c1d2e3f4a5b/providers/Microsoft.aadiam/y=2026/m=11/d=24/h=09/m=00/PT1H.json"
	want := engineDigests(t, src)
	failures := 0
	for _, d := range want {
		if d.code != 0 {
			failures++
		}
	}
	if failures == 0 {
		t.Fatal("the source has no failures: the test would prove nothing")
	}
	for _, name := range []string{"testdata/engines/duckdb-unnest.parquet", "testdata/engines/spark-flattened.csv"} {
		got := engineDigests(t, name)
		if len(got) != len(want) {
			t.Errorf("%s: %d events, want %d", name, len(got), len(want))
		}
		for id, w := range want {
			if g, ok := got[id]; !ok || g != w {
				t.Errorf("%s: event %s\n got %+v\nwant %+v", name, id, g, w)
			}
		}
	}
}

type engineDigest struct {
	code                     int
	reason, details          string
	user, userID, app, appID string
	ip, country, os, client  string
	unix                     int64
}

func engineDigests(t *testing.T, name string) map[string]engineDigest {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	evs, recErrs, _, fatal := read(t, name, data)
	if fatal != nil || len(recErrs) > 0 {
		t.Fatalf("%s: %v %v", name, fatal, recErrs)
	}
	out := map[string]engineDigest{}
	for _, ev := range evs {
		out[ev.ID] = engineDigest{code: ev.ErrorCode, reason: ev.FailureReason, details: ev.AdditionalDetails,
			user: ev.User, userID: ev.UserID, app: ev.App, appID: ev.AppID,
			ip: ev.IP, country: ev.Country, os: ev.OS, client: ev.ClientApp, unix: ev.Time.UnixMicro()}
	}
	return out
}

// TestCodeMissing: a table of sign-ins in which no column gives the error code (a
// Parquet or CSV written without ResultType or Status) says so, since its failures
// would all read as records without a code; tables with a code column in any of its
// spellings do not, nor do JSON records.
func TestCodeMissing(t *testing.T) {
	type noCode struct {
		ID   string `parquet:"Id"`
		UPN  string `parquet:"UserPrincipalName"`
		When string `parquet:"CreatedDateTime"`
	}
	var pq bytes.Buffer
	w := parquet.NewGenericWriter[noCode](&pq)
	if _, err := w.Write([]noCode{{"1", "a@x", "2026-11-24T01:00:00Z"}, {"2", "b@x", "2026-11-24T02:00:00Z"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	flat, _ := flatParquet(t, 1, 6)
	for _, tt := range []struct {
		name    string
		data    []byte
		missing bool
	}{
		{"nocode.parquet", pq.Bytes(), true},
		{"nocode.csv", []byte("Id,CreatedDateTime,UserPrincipalName,AppId\n1,2026-11-24T01:00:00Z,a@x,app\n"), true},
		{"flat.parquet", flat, false},
		{"resulttype.csv", []byte("Id,ResultType,UserPrincipalName\n1,70000,a@x\n"), false},
		{"status.csv", []byte("Id,Status,UserPrincipalName\n1,\"{\"\"errorCode\"\":70000}\",a@x\n"), false},
		{"spark.csv", []byte("properties_id,properties_status_errorCode,properties_userPrincipalName\n1,70000,a@x\n"), false},
		{"records.jsonl", []byte(`{"id":"1","userPrincipalName":"a@x","createdDateTime":"2026-11-24T01:00:00Z"}` + "\n"), false},
	} {
		in, err := NewInput(io.NopCloser(bytes.NewReader(tt.data)), tt.name)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		n := 0
		for _, err := range in.Events() {
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			n++
		}
		if n == 0 || in.CodeMissing() != tt.missing {
			t.Errorf("%s: %d events, CodeMissing %v, want %v", tt.name, n, in.CodeMissing(), tt.missing)
		}
		in.Close()
	}
}

// TestEngineFlattenedDevice: DuckDB's unnest names deviceDetail.deviceId deviceId; the
// join's device comes from it as from the JSON.
func TestEngineFlattenedDevice(t *testing.T) {
	devices := func(name string) map[string]string {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		evs, _, _, _ := read(t, name, data)
		out := map[string]string{}
		for _, ev := range evs {
			out[ev.ID] = ev.DeviceID
		}
		return out
	}
	want := devices("../samples/insights-logs-signinlogs/resourceId=/tenants/4f1e2d3c-5b6a-4789-8a9b-0c1d2e3f4a5b/providers/Microsoft.aadiam/y=2026/m=11/d=24/h=09/m=00/PT1H.json")
	got := devices("testdata/engines/duckdb-unnest.parquet")
	some := 0
	for id, w := range want {
		if got[id] != w {
			t.Errorf("event %s: device %q, want %q", id, got[id], w)
		}
		if w != "" {
			some++
		}
	}
	if some == 0 {
		t.Fatal("no event of the source has a device: the test would prove nothing")
	}
}
