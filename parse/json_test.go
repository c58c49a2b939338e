package parse

import (
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf16"
)

var update = flag.Bool("update", false, "rewrite golden files")

// read decodes all of data as an input named name.
func read(t *testing.T, name string, data []byte) (evs []Event, recErrs []*RecordError, format string, fatal error) {
	t.Helper()
	in, err := NewInput(io.NopCloser(bytes.NewReader(data)), name)
	if err != nil {
		return nil, nil, "", err
	}
	defer in.Close()
	for ev, err := range in.Events() {
		var re *RecordError
		switch {
		case errors.As(err, &re):
			recErrs = append(recErrs, re)
		case err != nil:
			fatal = err
		default:
			evs = append(evs, ev)
		}
	}
	return evs, recErrs, in.Format(), fatal
}

// digest is one line per event with every canonical field, for golden files: a
// directory audit record's, or a sign-in's (the join fields last, when it has them).
func digest(ev Event) string {
	if a := ev.Audit; a != nil {
		s := fmt.Sprintf("line=%d off=%d other=%s time=%s audit id=%s corr=%s activity=%q category=%s service=%q result=%s actor=%q actorid=%s",
			ev.Pos.Line, ev.Pos.Offset, ev.Other, a.Time.Format(time.RFC3339Nano), a.ID, a.CorrelationID, a.Activity, a.Category, a.Service, a.Result, a.Actor, a.ActorID)
		for _, t := range a.Targets {
			s += fmt.Sprintf(" target=%s/%s/%s/%q/%s", t.Type, t.ID, t.UPN, t.Name, t.DeviceID)
		}
		return s
	}
	s := fmt.Sprintf("line=%d off=%d time=%s id=%s corr=%s user=%q uid=%s app=%q appid=%s res=%q resid=%s client=%q ip=%s cc=%s os=%q browser=%q type=%s code=%d reason=%q desc=%q details=%q itt=%s tp=%s/%d uti=%s",
		ev.Pos.Line, ev.Pos.Offset, ev.Time.Format(time.RFC3339Nano), ev.ID, ev.CorrelationID, ev.User, ev.UserID, ev.App, ev.AppID,
		ev.Resource, ev.ResourceID, ev.ClientApp, ev.IP, ev.Country, ev.OS, ev.Browser, ev.SignInType, ev.ErrorCode,
		clip(ev.FailureReason), clip(ev.ResultDescription), clip(ev.AdditionalDetails), ev.IncomingTokenType, ev.TokenProtection, ev.TokenProtectionCode, ev.UniqueTokenID)
	if ev.DeviceID != "" || ev.DeviceName != "" || ev.CAPolicies != "" {
		s += fmt.Sprintf(" dev=%s devname=%q cap=%s", ev.DeviceID, ev.DeviceName, ev.CAPolicies)
	}
	if ev.Other != "" {
		s += " other=" + ev.Other
	}
	return s
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}

// TestSampleShapes decodes every file of samples/ (one per export shape) and compares the
// canonical events with golden files in testdata/samples.
func TestSampleShapes(t *testing.T) {
	var files []string
	err := filepath.WalkDir("../samples", func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 11 {
		t.Fatalf("found %d sample files, want at least 11", len(files))
	}
	for _, path := range files {
		rel, _ := filepath.Rel("../samples", path)
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			evs, recErrs, format, fatal := read(t, rel, data)
			if fatal != nil || len(recErrs) > 0 {
				t.Fatalf("fatal %v, record errors %v", fatal, recErrs)
			}
			var b strings.Builder
			fmt.Fprintf(&b, "format=%s records=%d\n", format, len(evs))
			for _, ev := range evs {
				b.WriteString(digest(ev) + "\n")
			}
			golden := filepath.Join("testdata", "samples", strings.ReplaceAll(filepath.ToSlash(rel), "/", "_")+".golden")
			checkGolden(t, golden, b.String())
		})
	}
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\ngot:  %s\nwant: %s", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s: got %d lines, want %d", path, len(gl), len(wl))
	}
}

// TestCorpus reads the public sample records in ../shared/corpus, as they are.
func TestCorpus(t *testing.T) {
	const dir = "../../shared/corpus"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("shared/corpus is not beside this checkout")
	}
	want := map[string]int{
		"datadog-azure-log-forwarding-orchestration/sign_in_logs.json":                           5,
		"datadog-azure-log-forwarding-orchestration/non_interactive_user_sign_in_logs.json":      14,
		"datadog-azure-log-forwarding-orchestration/service_principal_sign_in_logs.json":         25,
		"datadog-azure-log-forwarding-orchestration/managed_identity_sign_in_logs.json":          24,
		"elastic-integrations-azure-signinlogs/test-signinlogs-raw.log":                          5,
		"elastic-integrations-azure-signinlogs/test-alternative-time-and-duration-as-string.log": 1,
		"elastic-integrations-azure-signinlogs/test-time-formats-corner-cases.log":               11,
		"elastic-integrations-azure-signinlogs/test-invalid-time.log":                            1,
		"elastic-integrations-azure-signinlogs/test-created-datetime-timestamp.log":              2,
	}
	got := map[string][]Event{}
	for rel, n := range want {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		evs, recErrs, _, fatal := read(t, rel, data)
		if fatal != nil || len(recErrs) > 0 || len(evs) != n {
			t.Errorf("%s: %d events, record errors %v, fatal %v; want %d events and no errors", rel, len(evs), recErrs, fatal, n)
		}
		for _, ev := range evs {
			if ev.Time.IsZero() && !strings.Contains(rel, "invalid-time") {
				t.Errorf("%s:%d: no time", rel, ev.Pos.Line)
			}
		}
		got[rel] = evs
	}

	mi := got["datadog-azure-log-forwarding-orchestration/managed_identity_sign_in_logs.json"]
	var failure *Event
	for i := range mi {
		if mi[i].ErrorCode != 0 {
			failure = &mi[i]
		}
	}
	if failure == nil || failure.ErrorCode != 7000232 || failure.FailureReason != "" || failure.SignInType != "managedIdentity" {
		t.Errorf("managed identity failure = %+v, want code 7000232 with no text", failure)
	}
	ni := got["datadog-azure-log-forwarding-orchestration/non_interactive_user_sign_in_logs.json"][0]
	if ni.User != "harry.potter@hogwarts.com" || ni.TokenProtection != "unbound" || ni.TokenProtectionCode != 1002 ||
		ni.SignInType != "nonInteractiveUser" || ni.Country != "US" || ni.OS != "MacOs" {
		t.Errorf("first non-interactive record = %+v", ni)
	}
	raw := got["elastic-integrations-azure-signinlogs/test-signinlogs-raw.log"]
	if raw[0].ErrorCode != 50140 || raw[0].Time != time.Date(2019, 10, 18, 9, 45, 48, 72989300, time.UTC) {
		t.Errorf("elastic raw record 1: code %d time %v, want 50140 at 09:45:48.0729893Z (from -05:00)", raw[0].ErrorCode, raw[0].Time)
	}
	if raw[1].CorrelationID != "8a4de8b5-095c-47d0-a96f-a75130c61d53" || raw[1].AdditionalDetails != "MFA required" {
		t.Errorf("elastic raw record 2: correlation %q details %q, want the properties' correlation id and MFA required", raw[1].CorrelationID, raw[1].AdditionalDetails)
	}
	alt := got["elastic-integrations-azure-signinlogs/test-alternative-time-and-duration-as-string.log"][0]
	if alt.Time != time.Date(2025, 11, 14, 1, 46, 16, 428297500, time.UTC) || alt.SignInType != "servicePrincipal" {
		t.Errorf("alternative record: time %v type %s", alt.Time, alt.SignInType)
	}
	created := got["elastic-integrations-azure-signinlogs/test-created-datetime-timestamp.log"]
	if created[1].Time.IsZero() || created[1].Time.Equal(created[0].Time) {
		t.Errorf("record without createdDateTime should fall back to time: %v", created[1].Time)
	}
	corner := got["elastic-integrations-azure-signinlogs/test-time-formats-corner-cases.log"]
	for i, ev := range corner {
		if ev.Time.Year() != 2007 || ev.Time.Month() != 1 || ev.Time.Day() != 9 || ev.Time.Hour() != 9 || ev.Time.Minute() != 41 {
			t.Errorf("corner case %d: time %v, want 2007-01-09 09:41 UTC", i+1, ev.Time)
		}
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2023, 9, 19, 13, 45, 17, 0, time.UTC)
	for _, s := range []string{
		"2023-09-19T13:45:17Z",
		"2023-09-19T13:45:17+00:00",
		"2023-09-19T08:45:17-05:00",
		"2023-09-19T13:45:17",
		"2023-09-19 13:45:17",
		"2023-09-19 13:45:17Z",
		"9/19/2023 1:45:17 PM",
		"09/19/2023 01:45:17 PM",
		"9/19/2023, 1:45:17 PM",
		"9/19/2023 13:45:17",
		"1695131117",
		"1695131117000",
		"1695131117000000",
		"1695131117000000000",
		"/Date(1695131117000)/",
		"/Date(1695131117000+0200)/",
	} {
		got, ok := ParseTime(s)
		if !ok || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
	if got, ok := ParseTime("9/19/2023, 1:45:17.287 PM"); !ok || !got.Equal(want.Add(287*time.Millisecond)) {
		t.Errorf("Log Analytics CSV time = %v, %v", got, ok)
	}
	for _, s := range []string{"", "yesterday", "2023-13-45T00:00:00Z"} {
		if _, ok := ParseTime(s); ok {
			t.Errorf("ParseTime(%q) accepted", s)
		}
	}
}

// graphRec is a minimal Graph record with the given id and code.
func graphRec(id string, code int) string {
	return fmt.Sprintf(`{"id":"%s","createdDateTime":"2025-01-02T03:04:05Z","userPrincipalName":"A@B.example","status":{"errorCode":%d,"failureReason":"x"}}`, id, code)
}

func TestWrappers(t *testing.T) {
	r1, r2 := graphRec("1", 70000), graphRec("2", 0)
	tests := []struct {
		name   string
		in     string
		format string
		ids    string
	}{
		{"graph page", `{"@odata.context":"c","value":[` + r1 + `,` + r2 + `],"@odata.nextLink":"n"}`, "json/graph", "1,2"},
		{"graph page, link first", `{"@odata.nextLink":"n","value":[` + r1 + `]}`, "json/graph", "1"},
		{"graph page, empty", `{"@odata.context":"c","value":[]}`, "json/graph", ""},
		{"graph page, key case", `{"Value":[` + r1 + `]}`, "json/graph", "1"},
		{"event hub", `{"records":[` + r1 + `,` + r2 + `]}`, "json/eventhub", "1,2"},
		{"event hub batches", `{"records":[` + r1 + `]}` + "\n" + `{"records":[` + r2 + `]}` + "\n", "json/eventhub", "1,2"},
		{"bare array", "[\n  " + r1 + ",\n  " + r2 + "\n]\n", "json/array", "1,2"},
		{"bare object", r1, "json/object", "1"},
		{"json lines LF", r1 + "\n" + r2 + "\n", "json/lines", "1,2"},
		{"json lines CRLF no final newline", r1 + "\r\n" + r2, "json/lines", "1,2"},
		{"appended values", r1 + r2 + "[" + r1 + "]", "json/values", "1,2,1"},
		{"UTF-8 BOM", "\xEF\xBB\xBF" + r1 + "\n", "json/object", "1"},
		{"blank lines", "\n\n" + r1 + "\n\n\n" + r2 + "\n\n", "json/lines", "1,2"},
		{"value member inside a record is not a wrapper", `{"id":"3","authenticationProcessingDetails":[{"key":"k","value":"v"}],"value":"x","status":{"errorCode":0}}`, "json/object", "3"},
		{"empty", "", "json/empty", ""},
		{"only blanks", " \n\t\n", "json/empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, recErrs, format, fatal := read(t, "in", []byte(tt.in))
			if fatal != nil || len(recErrs) > 0 {
				t.Fatalf("fatal %v, record errors %v", fatal, recErrs)
			}
			var ids []string
			for _, ev := range evs {
				ids = append(ids, ev.ID)
			}
			if got := strings.Join(ids, ","); got != tt.ids || format != tt.format {
				t.Errorf("ids %q format %s, want %q %s", got, format, tt.ids, tt.format)
			}
		})
	}
}

func TestCaseInsensitiveKeysAndTypes(t *testing.T) {
	in := `{"ID":"9","CREATEDDATETIME":"2025-01-02T03:04:05Z","UserPrincipalName":"MiXed@Case.Example","STATUS":{"ERRORCODE":"70000","FailureReason":null},` +
		`"DeviceDetail":"{\"operatingSystem\":\"Ios\",\"browser\":\"Safari\"}","LocationDetails":"{\"countryOrRegion\":\"NZ\"}",` +
		`"TokenProtectionStatusDetails":"{\"signInSessionStatus\":\"unbound\",\"signInSessionStatusCode\":1008}","SignInEventTypes":"[\"nonInteractiveUser\"]"}`
	evs, recErrs, _, fatal := read(t, "in", []byte(in))
	if fatal != nil || len(recErrs) > 0 || len(evs) != 1 {
		t.Fatalf("events %d, record errors %v, fatal %v", len(evs), recErrs, fatal)
	}
	ev := evs[0]
	if ev.ID != "9" || ev.User != "mixed@case.example" || ev.ErrorCode != 70000 || ev.OS != "Ios" || ev.Browser != "Safari" ||
		ev.Country != "NZ" || ev.TokenProtection != "unbound" || ev.TokenProtectionCode != 1008 || ev.SignInType != "nonInteractiveUser" {
		t.Errorf("event = %+v", ev)
	}
}

func TestUTF16AndGzip(t *testing.T) {
	rec := graphRec("7", 70000) + "\r\n" + graphRec("8", 50173) + "\r\n"
	u := utf16.Encode([]rune(rec))
	le := []byte{0xFF, 0xFE}
	for _, c := range u {
		le = append(le, byte(c), byte(c>>8))
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(le)
	zw.Close()
	for name, data := range map[string][]byte{"utf16": le, "gzip of utf16": gz.Bytes()} {
		evs, recErrs, format, fatal := read(t, name, data)
		if fatal != nil || len(recErrs) > 0 || len(evs) != 2 || evs[1].ErrorCode != 50173 {
			t.Errorf("%s: events %d, record errors %v, fatal %v", name, len(evs), recErrs, fatal)
		}
		if !strings.Contains(format, "utf16+json/lines") {
			t.Errorf("%s: format %s", name, format)
		}
	}
}

func TestUnknownFormats(t *testing.T) {
	for name, data := range map[string]string{
		"markdown": "# Source\n\nSome text.\n",
		"binary":   "\x00\x01\x02\x03garbage",
		"csv":      "a,b,c\n1,2,3\n",
	} {
		_, _, _, err := read(t, name, []byte(data))
		if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v, want ErrUnknownFormat naming the input", name, err)
		}
	}
}

// TestMalformedJSONLines: broken lines are skipped and reported with line, offset and
// reason; every other line still counts.
func TestMalformedJSONLines(t *testing.T) {
	lines := []string{
		graphRec("1", 70000),
		`{"id":"2","status":{"errorCode":70000,"failureReason":"cut off here`, // truncated inside a string
		graphRec("3", 50173),
		`{"id":"4","status":{"errorCode":70000},`, // truncated between members
		graphRec("5", 0),
		`not json at all`,
		graphRec("6", 7000018),
		`{"id":"7","status":{"errorCode":70000}]}`, // mismatched bracket
		`{"id" 8}`,                                 // balanced but invalid
		graphRec("9", 70000),
		`{"id":"10","status":{"errorCode":`, // truncated at the end of the file
	}
	data := strings.Join(lines, "\n")
	evs, recErrs, _, fatal := read(t, "broken.jsonl", []byte(data))
	if fatal != nil {
		t.Fatalf("fatal error %v", fatal)
	}
	var ids []string
	for _, ev := range evs {
		ids = append(ids, ev.ID)
	}
	if got := strings.Join(ids, ","); got != "1,3,5,6,9" {
		t.Errorf("decoded ids %s, want 1,3,5,6,9", got)
	}
	wantLines := []int{2, 4, 6, 8, 9, 11}
	if len(recErrs) != len(wantLines) {
		t.Fatalf("record errors %v, want %d", recErrs, len(wantLines))
	}
	for i, re := range recErrs {
		wantOff := int64(0)
		for _, l := range lines[:wantLines[i]-1] {
			wantOff += int64(len(l)) + 1
		}
		if re.File != "broken.jsonl" || re.Line != wantLines[i] || re.Offset != wantOff || re.Err == nil {
			t.Errorf("record error %d = %v, want broken.jsonl line %d offset %d", i, re, wantLines[i], wantOff)
		}
	}
	if len(evs)+len(recErrs) != len(lines) {
		t.Errorf("%d decoded + %d skipped != %d lines read", len(evs), len(recErrs), len(lines))
	}
}

// TestTruncatedArray: what was read counts, and one error says where the input broke.
func TestTruncatedArray(t *testing.T) {
	data := "[\n  " + graphRec("1", 70000) + ",\n  " + graphRec("2", 70000) + ",\n  {\"id\":\"3\",\"sta"
	evs, recErrs, _, fatal := read(t, "cut.json", []byte(data))
	if len(evs) != 2 || len(recErrs) != 1 || recErrs[0].Line != 4 {
		t.Errorf("events %d, record errors %v; want 2 events and the cut record on line 4", len(evs), recErrs)
	}
	if fatal == nil || !errors.Is(fatal, ErrTruncated) || !strings.Contains(fatal.Error(), "cut.json") || !strings.Contains(fatal.Error(), "line 1") {
		t.Errorf("fatal = %v, want a truncation error naming cut.json and the array's line", fatal)
	}
}

// TestPrettyArrayResync: in a pretty-printed array a broken element is skipped and the
// next element at the same indentation is read.
func TestPrettyArrayResync(t *testing.T) {
	data := "[\n    {\n        \"id\":  \"1\",\n        \"Status\":  {\n            \"ErrorCode\":  70000\n        }\n    },\n" +
		"    {\n        \"id\":  \"2\",\n        \"Status\":  {\n            \"ErrorCode\":  70000\n        ]\n    },\n" +
		"    {\n        \"id\":  \"3\",\n        \"Status\":  {\n            \"ErrorCode\":  50173\n        }\n    }\n]\n"
	evs, recErrs, _, fatal := read(t, "pretty.json", []byte(data))
	if fatal != nil || len(evs) != 2 || evs[1].ID != "3" || len(recErrs) != 1 || recErrs[0].Line != 8 {
		t.Errorf("events %v, record errors %v, fatal %v; want ids 1 and 3 and the element at line 8 skipped", evs, recErrs, fatal)
	}
}

// TestStreamsBoundedMemory feeds a Graph page far larger than the scanner's window, made
// on the fly, and checks that the window never had to grow: wrappers are streamed.
func TestStreamsBoundedMemory(t *testing.T) {
	const n = 60000 // about 10 MB
	rec := []byte(graphRec("x", 70000))
	r := io.MultiReader(strings.NewReader(`{"@odata.context":"c","value":[`), &repeatReader{rec: rec, n: n}, strings.NewReader(`]}`))
	sc := newJSONScanner(r)
	count := 0
	for {
		_, _, err := sc.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		count++
	}
	if count != n || len(sc.buf) != scanWindow {
		t.Errorf("records %d, window %d bytes; want %d records in a %d-byte window", count, len(sc.buf), n, scanWindow)
	}
}

// repeatReader yields rec n times, comma-separated.
type repeatReader struct {
	rec  []byte
	n    int
	left []byte
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if len(r.left) == 0 {
		if r.n == 0 {
			return 0, io.EOF
		}
		r.n--
		r.left = r.rec
		if r.n > 0 {
			r.left = append(append([]byte{}, r.rec...), ',')
		}
	}
	n := copy(p, r.left)
	r.left = r.left[n:]
	return n, nil
}

func TestRecordTooLarge(t *testing.T) {
	big := `{"id":"big","pad":"` + strings.Repeat("a", 3000) + `"}`
	data := graphRec("1", 70000) + "\n" + big + "\n" + graphRec("2", 70000) + "\n"
	// The limit is checked when the window is refilled: read a byte at a time.
	d := newJSONDecoder(iotest.OneByteReader(strings.NewReader(data)))
	d.sc.maxRecord = 1024
	var ids []string
	var recErrs []error
	for ev, err := range d.events("big.jsonl") {
		if err != nil {
			recErrs = append(recErrs, err)
			continue
		}
		ids = append(ids, ev.ID)
	}
	if strings.Join(ids, ",") != "1,2" || len(recErrs) != 1 || !errors.Is(recErrs[0], ErrTooLarge) {
		t.Errorf("ids %v, errors %v; want 1,2 and one ErrTooLarge", ids, recErrs)
	}
}

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"a/y=2026/m=11/d=24/h=08/PT1H.json", "a/y=2026/m=11/d=24/h=09/PT1H.json", "a/.hidden/x.json", "b/c.csv", "top.json"} {
		full := filepath.Join(dir, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, []byte("{}"), 0o644)
	}
	rel := func(paths []string) string {
		var out []string
		for _, p := range paths {
			r, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(r))
		}
		return strings.Join(out, " ")
	}
	for _, tt := range []struct {
		args []string
		want string
		errs int
	}{
		{[]string{dir}, "a/y=2026/m=11/d=24/h=08/PT1H.json a/y=2026/m=11/d=24/h=09/PT1H.json b/c.csv top.json", 0},
		{[]string{filepath.Join(dir, "**", "PT1H.json")}, "a/y=2026/m=11/d=24/h=08/PT1H.json a/y=2026/m=11/d=24/h=09/PT1H.json", 0},
		{[]string{filepath.Join(dir, "*.json")}, "top.json", 0},
		{[]string{filepath.Join(dir, "a", ".hidden", "x.json")}, "a/.hidden/x.json", 0}, // named explicitly: read
		{[]string{filepath.Join(dir, "nope.json"), filepath.Join(dir, "*.parquet")}, "", 2},
	} {
		paths, errs := Expand(tt.args)
		if got := rel(paths); got != tt.want || len(errs) != tt.errs {
			t.Errorf("Expand(%v) = %q, %v; want %q and %d errors", tt.args, got, errs, tt.want, tt.errs)
		}
	}
	if paths, _ := Expand([]string{"-"}); len(paths) != 1 || paths[0] != "-" {
		t.Errorf("Expand(-) = %v", paths)
	}
}

// TestQueryTables reads query-API results: Log Analytics' {"tables":[{"columns","rows"}]}
// and Kusto v1's {"Tables":[{"Columns","Rows"}]}, several tables.
func TestQueryTables(t *testing.T) {
	la := `{"tables":[{"name":"PrimaryResult","columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"ResultType","type":"string"},` +
		`{"name":"UserPrincipalName","type":"string"},{"name":"Status","type":"dynamic"},{"name":"Id","type":"string"}],"rows":[` + "\n" +
		`["2025-04-11T03:19:15.332641Z","70000","A@X.example","{\"errorCode\":70000,\"failureReason\":\"Provided grant is invalid or malformed.\"}","r1"],` + "\n" +
		`["2025-04-11T03:20:15Z","0","b@x.example",{"errorCode":0},"r2"],` + "\n" +
		`["2025-04-11T03:21:15Z","50173","c@x.example",null,"r3"]` + "\n" +
		`]}]}`
	evs, recErrs, format, fatal := read(t, "la.json", []byte(la))
	if fatal != nil || len(recErrs) > 0 || len(evs) != 3 || format != "json/tables" {
		t.Fatalf("events %d, errors %v %v, format %s", len(evs), recErrs, fatal, format)
	}
	if ev := evs[0]; ev.ID != "r1" || ev.ErrorCode != 70000 || ev.User != "a@x.example" || ev.FailureReason != "Provided grant is invalid or malformed." ||
		ev.Time != time.Date(2025, 4, 11, 3, 19, 15, 332641000, time.UTC) || ev.Pos.Line != 2 {
		t.Errorf("row 1 = %+v", ev)
	}
	if evs[2].ErrorCode != 50173 {
		t.Errorf("row 3 = %+v", evs[2])
	}

	kusto := `{"Tables":[{"TableName":"Table_0","Columns":[{"ColumnName":"Id","DataType":"String"},{"ColumnName":"ResultType","DataType":"String"}],` +
		`"Rows":[["k1","70000"],["k2","0"]]},` +
		`{"TableName":"Table_1","Columns":[{"ColumnName":"Id"},{"ColumnName":"ResultType"}],"Rows":[["k3","50173"],["k4",` + "\n" + `"0"],` + "\n" + `["k5","700082"]]}]}`
	evs, recErrs, _, fatal = read(t, "kusto.json", []byte(kusto))
	var ids []string
	for _, ev := range evs {
		ids = append(ids, fmt.Sprintf("%s:%d", ev.ID, ev.ErrorCode))
	}
	if fatal != nil || strings.Join(ids, " ") != "k1:70000 k2:0 k3:50173 k4:0 k5:700082" || len(recErrs) != 0 {
		t.Errorf("kusto: %v, errors %v %v", ids, recErrs, fatal)
	}

	// A row broken mid-line is skipped; the next row is read.
	broken := `{"tables":[{"columns":[{"name":"Id"},{"name":"ResultType"}],"rows":[` + "\n" + `["a","70000"],` + "\n" + `["b","0` + "\n" + `["c","50173"]` + "\n" + `]}]}`
	evs, recErrs, _, fatal = read(t, "broken.json", []byte(broken))
	if fatal != nil || len(evs) != 2 || evs[1].ID != "c" || len(recErrs) != 1 || recErrs[0].Line != 3 {
		t.Errorf("broken row: events %+v, errors %v, fatal %v", evs, recErrs, fatal)
	}

	if _, _, _, fatal := read(t, "bad.json", []byte(`{"tables":[{"rows":[["x"]],"columns":[{"name":"Id"}]}]}`)); fatal == nil || !strings.Contains(fatal.Error(), "rows come before its columns") {
		t.Errorf("rows before columns: %v", fatal)
	}
}

// TestWrapperElementLines: records written one per line inside Graph and Event Hub
// wrappers are taken a line at a time, and a line that ends one page and opens the next
// is not mistaken for one record.
func TestWrapperElementLines(t *testing.T) {
	rec := func(id string) string {
		return `{"id":"` + id + `","createdDateTime":"2026-11-24T10:00:00Z","status":{"errorCode":70000,"failureReason":"x"},"policies":[{"a":[]}],"userAgent":"` + strings.Repeat("Mozilla ", 30) + `","riskEventTypes":[]}`
	}
	var b strings.Builder
	b.WriteString(`{"@odata.context":"c","value":[` + rec("a0") + ",\n")
	for _, id := range []string{"a1", "a2", "a3"} {
		b.WriteString(rec(id) + ",\n")
	}
	b.WriteString(rec("a4") + `]}{"value": [` + rec("b0") + ",\n") // one page ends, the next starts
	b.WriteString(rec("b1") + ",\n" + rec("b2") + ",\n" + rec("b3") + "\n]}\n")
	b.WriteString(`{"records":[` + "\n" + rec("c0") + ",\n" + rec("c1") + ",\n" + rec("c2") + "\n]}\n")
	evs, errs, _, fatal := read(t, "pages.json", []byte(b.String()))
	var ids []string
	for _, ev := range evs {
		ids = append(ids, ev.ID)
	}
	want := "a0 a1 a2 a3 a4 b0 b1 b2 b3 c0 c1 c2"
	if fatal != nil || len(errs) > 0 || strings.Join(ids, " ") != want {
		t.Errorf("ids %v, errors %v %v; want %s", ids, errs, fatal, want)
	}
	if evs[5].Pos.Line != 5 || evs[6].Pos.Line != 6 || evs[11].Pos.Line != 13 {
		t.Errorf("lines %d %d %d, want 5 6 13", evs[5].Pos.Line, evs[6].Pos.Line, evs[11].Pos.Line)
	}
}

// TestDecodeFlexibleScalars: a record with numbers, booleans, objects and nulls where text
// is expected (the fast string-only decode fails on it) is decoded by the flexible one;
// a broken record is still an error.
func TestDecodeFlexibleScalars(t *testing.T) {
	var ev Event
	raw := `{"id":12345,"createdDateTime":1732406400000,"userPrincipalName":null,"appDisplayName":{"x":1},"ipAddress":true,"status":{"errorCode":70000}}`
	if err := decodeJSONRecord([]byte(raw), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.ID != "12345" || !ev.Time.Equal(time.UnixMilli(1732406400000)) || ev.User != "" || ev.App != "" || ev.IP != "true" || ev.ErrorCode != 70000 {
		t.Errorf("flexible: %+v", ev)
	}
	ev = Event{}
	if err := decodeJSONRecord([]byte(`{"id":"a","userPrincipalName":"U@X","status":{"errorCode":"70000"}}`), &ev); err != nil || ev.ID != "a" || ev.User != "u@x" || ev.ErrorCode != 70000 {
		t.Errorf("strings: %+v, %v", ev, err)
	}
	if err := decodeJSONRecord([]byte(`{"id":"a","userPrincipalName":"U@X",}`), &ev); !errors.Is(err, ErrSyntax) {
		t.Errorf("broken record: %v, want a syntax error", err)
	}
}
