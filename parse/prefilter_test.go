package parse

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// prefilterAgrees requires that a record the prefilter counts without decoding is one the
// decoder accepts, with the same code, time, wording and kind.
func prefilterAgrees(t *testing.T, raw []byte) {
	t.Helper()
	var light Event
	counted, lerr := lightJSON(raw, func(int) bool { return false }, &light)
	var full Event
	derr := decodeJSONRecord(raw, &full)
	// A record the walk judges JSON but is not sure of goes to the decoder, whose
	// verdict is then the one given (json.go): only the walk's own verdicts must match.
	if lerr != nil && (derr == nil || lerr.Error() != derr.Error()) || lerr == nil && derr != nil && counted {
		t.Fatalf("prefilter's verdict %v (counted %v), decoder's %v, on\n%q", lerr, counted, derr, raw)
	}
	if !counted {
		return
	}
	if err := derr; err != nil {
		t.Fatalf("prefilter counted a record the decoder rejects (%v):\n%q", err, raw)
	}
	if full.Audit != nil || light.Audit != nil {
		t.Fatalf("prefilter counted a directory audit record, which the decoder reads whole:\n%q", raw)
	}
	if light.ErrorCode != full.ErrorCode || !light.Time.Equal(full.Time) || light.Wording() != full.Wording() || light.Other != full.Other {
		t.Fatalf("prefilter and decoder disagree on\n%q\nprefilter: code %d time %v wording %q other %q\ndecoder:   code %d time %v wording %q other %q",
			raw, light.ErrorCode, light.Time, light.Wording(), light.Other, full.ErrorCode, full.Time, full.Wording(), full.Other)
	}
}

// hostileSpellings each hold an in-scope code (70008) spelt, placed or given so that a
// search of the bytes would miss it; also seeds of the walk's twin fuzzer.
var hostileSpellings = []struct{ name, raw string }{
	{"upper-case name", `{"id":"a","STATUS":{"ERRORCODE":70008}}`},
	{"escaped name", `{"id":"a","status":{"error\u0043ode":70008}}`},
	{"space before colon", `{"id":"a","status":{"errorCode" : 70008}}`},
	{"newline before colon", "{\"id\":\"a\",\"status\":{\"errorCode\"\n:70008}}"},
	{"given twice, the last counts", `{"id":"a","status":{"errorCode":0,"errorCode":70008}}`},
	{"status given twice", `{"id":"a","status":{"errorCode":0},"status":{"errorCode":70008}}`},
	{"errorCode in another object first", `{"id":"a","deviceDetail":{"errorCode":0},"status":{"errorCode":70008}}`},
	{"resultType before status", `{"id":"a","resultType":"70008","status":{"errorCode":0}}`},
	{"folded name", "{\"id\":\"a\",\"re\u017fultType\":\"70008\"}"},
	{"status as JSON text", `{"Id":"a","Status":"{\"errorCode\":70008}"}`},
	{"properties", `{"time":"2026-11-24T10:00:00Z","properties":{"status":{"errorCode":70008}}}`},
}

// TestPrefilterSpellings: each record holds an in-scope code (70008) that the decoder
// finds; the prefilter must not count it as a success, whatever the spelling.
func TestPrefilterSpellings(t *testing.T) {
	for _, tt := range hostileSpellings {
		t.Run(tt.name, func(t *testing.T) {
			var full Event
			if err := decodeJSONRecord([]byte(tt.raw), &full); err != nil || full.ErrorCode != 70008 {
				t.Fatalf("decoder: code %d, %v; want 70008", full.ErrorCode, err)
			}
			var light Event
			if counted, _ := lightJSON([]byte(tt.raw), func(c int) bool { return c == 70008 }, &light); counted {
				t.Fatalf("prefilter counted it out of scope with code %d", light.ErrorCode)
			}
		})
	}
}

// malformedRecords are records that are not JSON, each in another way; also seeds of the
// walk's twin fuzzer.
var malformedRecords = []string{
	`{"id":"a","status":{"errorCode":0,"failureReason":"Other.",},}`,
	`{"id":"a","status":{"errorCode":0}`,
	`{"id":"a","status":{"errorCode":01}}`,
	`{"id":"a","x":[1 2],"status":{"errorCode":0}}`,
	"{\"id\":\"a\",\"x\":\"tab\there\",\"status\":{\"errorCode\":0}}",
	`{"id":"a","status":{"errorCode":0}} {"id":"b"}`,
	`{"id":"a","x":tru,"status":{"errorCode":0}}`,
	`{"id":"a","x":"\x","status":{"errorCode":0}}`,
}

// TestMalformedSameEverywhere: a malformed record is skipped by the decoder and never
// counted by the prefilter (Microsoft's own Graph example has a trailing comma).
func TestMalformedSameEverywhere(t *testing.T) {
	for _, raw := range malformedRecords {
		var ev Event
		if counted, _ := lightJSON([]byte(raw), func(int) bool { return false }, &ev); counted {
			t.Errorf("prefilter counted malformed %q", raw)
		}
		if err := decodeJSONRecord([]byte(raw), &ev); err == nil {
			t.Errorf("decoder accepted malformed %q", raw)
		}
	}
}

// FuzzPrefilter: on any bytes, the prefilter agrees with the decoder (prefilterAgrees).
func FuzzPrefilter(f *testing.F) {
	for _, glob := range []string{"../samples/*/*.json*", "../../shared/corpus/*/*.json*", "../../shared/audit-corpus/*/*.json*", "testdata/audit/*.json"} {
		paths, _ := filepath.Glob(glob)
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			for line := range strings.Lines(string(data)) {
				if strings.HasPrefix(line, "{") && len(line) < 8000 {
					f.Add([]byte(strings.TrimSpace(line)))
				}
			}
		}
	}
	f.Add([]byte(`{"id":"a","STATUS":{"ERRORCODE":70008}}`))
	f.Add([]byte(`{"id":"a","category":"UserManagement","activityDisplayName":"Delete user","initiatedBy":{"user":{"id":"u"}}}`))
	f.Add([]byte(`{"Id":"a","Status":"{\"errorCode\":70008,\"failureReason\":\"x\"}","ResultType":"70008","Category":"AuditLogs"}`))
	f.Fuzz(func(t *testing.T, raw []byte) { prefilterAgrees(t, raw) })
}

// TestPrefilterAgrees: the prefilter agrees with the decoder on the walk's seeds and on
// every record of the samples, the corpora and testdata/audit (directory audit records,
// and batches that mix them with sign-ins, among them).
func TestPrefilterAgrees(t *testing.T) {
	for _, s := range allTwinSeeds() {
		prefilterAgrees(t, []byte(s))
	}
	for _, raw := range walkSamples(t) {
		prefilterAgrees(t, raw)
	}
}
