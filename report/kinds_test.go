package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/grantsweep/grantsweep/rules"
)

// otherExport is an Azure Monitor export of 22 RiskyUsers records: records of another log
// (directory audit records are no longer "other": they are read for the audit join).
const otherExport = "testdata/risky_users.json"

// kindsJSON reads the files into one summary, as sweep does, and returns its JSON summary.
func kindsJSON(t *testing.T, paths ...string) []byte {
	t.Helper()
	if _, err := os.Stat(otherExport); err != nil {
		t.Fatal(err)
	}
	s := New(rules.Default())
	readFiles(t, s, paths...)
	var b bytes.Buffer
	if err := s.Write(&b, FormatJSON, Options{GeneratedBy: "grantsweep test"}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// kindsDoc decodes a JSON summary into maps, numbers as json.Number, for editing.
func kindsDoc(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var d map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		t.Fatal(err)
	}
	return d
}

func member(d map[string]any, path ...any) any {
	var v any = d
	for _, p := range path {
		switch k := p.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v
}

// TestOtherRecordsRoundTrip: a summary with other records (an audit export and a sign-in
// file) reads back and writes the same bytes, the audit export named as no sign-in export.
func TestOtherRecordsRoundTrip(t *testing.T) {
	in := kindsJSON(t, otherExport, "../samples/powershell/one-signin.json")
	d := kindsDoc(t, in)
	if got := member(d, "totals", "other_records"); got != json.Number("22") {
		t.Errorf("totals.other_records = %v, want 22", got)
	}
	if got := member(d, "other_records"); len(got.([]any)) != 1 || member(d, "other_records", 0, "category") != "RiskyUsers" {
		t.Errorf("other_records = %v, want RiskyUsers only", got)
	}
	if got := member(d, "inputs", 0, "error"); got != "not a sign-in export: 22 RiskyUsers records" {
		t.Errorf("inputs[0].error = %v", got)
	}
	if got := member(d, "inputs", 1, "error"); got != nil {
		t.Errorf("inputs[1].error = %v, want none: it is a sign-in export", got)
	}
	s, err := ReadSummary(bytes.NewReader(in), "in.json", rules.Default())
	if err != nil {
		t.Fatalf("ReadSummary: %v", err)
	}
	var out bytes.Buffer
	if err := s.Write(&out, FormatJSON, Options{GeneratedBy: "grantsweep test"}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(in, out.Bytes()) {
		t.Errorf("read back and written again, the summary differs")
	}
	if kinds, ok := s.Inputs[0].NotSignIn(); !ok || kinds != "22 RiskyUsers records" {
		t.Errorf("read back, NotSignIn() = %q, %v", kinds, ok)
	}
}

// TestReadSummaryOtherRecords: ReadSummary refuses other records that do not add up, and
// takes a summary written before them (no such members) as having none.
func TestReadSummaryOtherRecords(t *testing.T) {
	in := kindsJSON(t, otherExport, "../samples/powershell/one-signin.json")
	tests := []struct {
		name   string
		edit   func(d map[string]any)
		member string // "" : accepted
	}{
		{"as written", func(map[string]any) {}, ""},
		{"negative total", func(d map[string]any) { d["totals"].(map[string]any)["other_records"] = json.Number("-22") }, "totals.other_records"},
		{"total not the inputs'", func(d map[string]any) { d["totals"].(map[string]any)["other_records"] = json.Number("23") }, "inputs"},
		{"negative input", func(d map[string]any) { member(d, "inputs", 1).(map[string]any)["other_records"] = json.Number("-1") }, "inputs[1].other_records"},
		{"input count a string", func(d map[string]any) { member(d, "inputs", 1).(map[string]any)["other_records"] = "3" }, "inputs[1].other_records"},
		{"categories not the total", func(d map[string]any) { member(d, "other_records", 0).(map[string]any)["records"] = json.Number("21") }, "other_records"},
		{"category twice", func(d map[string]any) {
			d["other_records"] = []any{map[string]any{"category": "RiskyUsers", "records": json.Number("20")}, map[string]any{"category": "RiskyUsers", "records": json.Number("2")}}
		}, "other_records[1].category"},
		{"category of no records", func(d map[string]any) {
			d["other_records"] = append(d["other_records"].([]any), map[string]any{"category": "ProvisioningLogs", "records": json.Number("0")})
		}, "other_records[1].records"},
		{"category missing", func(d map[string]any) { delete(member(d, "other_records", 0).(map[string]any), "category") }, "other_records[0].category"},
		{"categories missing", func(d map[string]any) { delete(d, "other_records") }, "other_records"},
		{"not a sign-in export, with records", func(d map[string]any) {
			member(d, "inputs", 1).(map[string]any)["error"] = "not a sign-in export: 22 RiskyUsers records"
		}, "inputs[1].error"},
		{"no sign-in but no word of it", func(d map[string]any) { delete(member(d, "inputs", 0).(map[string]any), "error") }, "inputs[0].error"},
		{"written before record kinds", func(d map[string]any) {
			delete(d, "rules_fingerprint") // nor the members added after them
			delete(d, "filters")
			delete(d["partial"].(map[string]any), "shard")
			delete(d, "other_records")
			delete(d["totals"].(map[string]any), "other_records")
			for _, in := range d["inputs"].([]any) {
				delete(in.(map[string]any), "other_records")
				delete(in.(map[string]any), "error")
			}
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := kindsDoc(t, in)
			tt.edit(d)
			b, _ := json.Marshal(d)
			_, err := ReadSummary(bytes.NewReader(b), "day.json", rules.Default())
			var ie *InvalidError
			switch {
			case tt.member == "" && err != nil:
				t.Errorf("ReadSummary = %v, want it accepted", err)
			case tt.member != "" && (!errors.As(err, &ie) || ie.Member != tt.member):
				t.Errorf("ReadSummary = %v, want an InvalidError for %s", err, tt.member)
			}
			if tt.member == "" {
				if _, err := ReadBaseline(bytes.NewReader(b), "day.json", rules.Default()); err != nil {
					t.Errorf("ReadBaseline = %v, want it accepted", err)
				}
			}
		})
	}
}

// TestOtherRecordsEscaped: a category is text from the logs (or from a summary read
// back): every report for people escapes it.
func TestOtherRecordsEscaped(t *testing.T) {
	in := kindsJSON(t, otherExport, "../samples/powershell/one-signin.json")
	d := kindsDoc(t, in)
	hostile := "Audit\x1b]52;c;cHduZWQ=\x07|<b>*x*\u202e"
	member(d, "other_records", 0).(map[string]any)["category"] = hostile
	b, _ := json.Marshal(d)
	s, err := ReadSummary(bytes.NewReader(b), "day.json", rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		format Format
		want   string
	}{
		{FormatTable, "22 records of other logs counted apart: " + Escape(hostile) + " 22\n"},
		{FormatMarkdown, "22 records of other logs counted apart: " + mdEscape(hostile) + " 22.\n"},
		{FormatHTML, "<p id=\"other_records\">22 records of other logs counted apart: Audit\\x1b]52;c;cHduZWQ=\\x07|&lt;b&gt;*x*\\u202e 22.</p>"},
	} {
		var out bytes.Buffer
		if err := s.Write(&out, f.format, Options{}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), f.want) {
			t.Errorf("%s: no line %q", f.format, f.want)
		}
		if strings.ContainsAny(out.String(), "\x1b\x07\u202e") {
			t.Errorf("%s: a control character of the category came through", f.format)
		}
	}
}
