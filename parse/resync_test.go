package parse

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"iter"
	"os"
	"slices"
	"strings"
	"testing"
)

// count decodes data and returns its records and skipped records, and the error that
// ended it early, if any.
func count(t *testing.T, data []byte) (records, skipped int, fatal error) {
	t.Helper()
	return countEvents(newJSONDecoder(bytes.NewReader(data)).events("t"))
}

// countEvents counts the records and skipped records of a decoder's events, and returns
// the error that ended them early, if any.
func countEvents(events iter.Seq2[Event, error]) (records, skipped int, fatal error) {
	for _, err := range events {
		switch {
		case err == nil:
			records++
		case isRecordError(err):
			skipped++
		default:
			fatal = err
		}
	}
	return records, skipped, fatal
}

func isRecordError(err error) bool { _, ok := err.(*RecordError); return ok }

// corrupt turns the n-th occurrence (0-based) of old after from into new.
func corrupt(t *testing.T, data []byte, from int, old, new string, n int) []byte {
	t.Helper()
	out := append([]byte(nil), data...)
	at := from
	for range n + 1 {
		i := bytes.Index(out[at:], []byte(old))
		if i < 0 {
			t.Fatalf("no %q to corrupt", old)
		}
		at += i + len(old)
	}
	copy(out[at-len(old):], new)
	return out
}

// queryResult writes records as a Log Analytics query result, rows one per line or all
// on one line.
func queryResult(t *testing.T, recs []map[string]any, perLine bool) []byte {
	t.Helper()
	var cols []string
	for k := range recs[0] {
		cols = append(cols, k)
	}
	slices.Sort(cols) // the same bytes every run: the corruption hits the same place
	var b bytes.Buffer
	b.WriteString(`{"tables":[{"name":"PrimaryResult","columns":[`)
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"name":"` + c + `","type":"string"}`)
	}
	b.WriteString(`],"rows":[`)
	for i, r := range recs {
		if i > 0 {
			b.WriteByte(',')
		}
		if perLine {
			b.WriteByte('\n')
		}
		row := make([]any, len(cols))
		for j, c := range cols {
			row[j] = r[c]
		}
		v, _ := json.Marshal(row)
		b.Write(v)
	}
	b.WriteString("]}]}\n")
	return b.Bytes()
}

// TestResyncEveryShape: one corrupt byte in one record costs that record alone, in
// every shape a file of many records comes in.
func TestResyncEveryShape(t *testing.T) {
	hub, err := os.ReadFile("../samples/eventhub/insights-signinlogs-batch.json")
	if err != nil {
		t.Fatal(err)
	}
	appended, err := os.ReadFile("../samples/powershell/signins-appended.json")
	if err != nil {
		t.Fatal(err)
	}
	la, err := os.ReadFile("../samples/log-analytics/SigninLogs.json")
	if err != nil {
		t.Fatal(err)
	}
	var recs []map[string]any
	if err := json.Unmarshal(la, &recs); err != nil {
		t.Fatal(err)
	}
	perLine, oneLine := queryResult(t, recs, true), queryResult(t, recs, false)
	secondLine := bytes.IndexByte(hub, '\n') + 1

	for _, tt := range []struct {
		name string
		good []byte
		bad  []byte
	}{
		{"event hub batches one per line", hub, corrupt(t, hub, secondLine, `","`, `"[`, 40)},
		{"event hub batches one per line, a brace", hub, corrupt(t, hub, secondLine, `":"`, `":{`, 40)},
		{"query result, rows one per line", perLine, corrupt(t, perLine, bytes.Index(perLine, []byte(`"rows"`)), `,`, `[`, 300)},
		{"query result on one line", oneLine, corrupt(t, oneLine, bytes.Index(oneLine, []byte(`"rows"`)), `,`, `[`, 300)},
		{"PowerShell appends", appended, corrupt(t, appended, len(appended)/3, `",`, `"[`, 0)},
		{"JSON Lines", []byte(strings.Repeat(`{"createdDateTime":"2026-11-24T10:00:00Z","status":{"errorCode":0}}`+"\n", 20)),
			corrupt(t, []byte(strings.Repeat(`{"createdDateTime":"2026-11-24T10:00:00Z","status":{"errorCode":0}}`+"\n", 20)), 500, `,`, `[`, 0)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want, skipped, fatal := count(t, tt.good)
			if skipped != 0 || fatal != nil || want < 10 {
				t.Fatalf("good input: %d records, %d skipped, %v", want, skipped, fatal)
			}
			got, skipped, fatal := count(t, tt.bad)
			if got != want-1 || skipped != 1 || fatal != nil {
				t.Errorf("one corrupt record: %d records, %d skipped, %v; want %d, 1, nil", got, skipped, fatal, want-1)
			}
		})
	}
}

// TestWrapperLineAfterLines: a query result on one line after JSON Lines records is a
// wrapper, whatever its name's case, not one record.
func TestWrapperLineAfterLines(t *testing.T) {
	rec := `{"createdDateTime":"2026-11-24T10:00:00Z","status":{"errorCode":0}}` + "\n"
	for _, name := range []string{"tables", "Tables", "TABLES"} {
		data := rec + rec + `{"` + name + `":[{"name":"PrimaryResult","columns":[{"name":"ResultType"},{"name":"CreatedDateTime"}],"rows":[["70000","2026-11-24T10:00:00Z"],["0","2026-11-24T10:00:01Z"],["50126","2026-11-24T10:00:02Z"]]}]}` + "\n"
		d := newJSONDecoder(strings.NewReader(data))
		var codes []int
		for ev, err := range d.events("t") {
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			codes = append(codes, ev.ErrorCode)
		}
		if len(codes) != 5 || codes[2] != 70000 || codes[4] != 50126 {
			t.Errorf("%s: codes %v, want [0 0 70000 0 50126]", name, codes)
		}
	}
}

// TestTruncatedGzipCountsItsLastRecord: a gzip stream cut within a record counts that
// record as skipped, as a plain file cut there does, and then reports the break.
func TestTruncatedGzipCountsItsLastRecord(t *testing.T) {
	data, err := os.ReadFile("../samples/graph/signIns.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	cut := len(data) / 2
	for bytes.IndexByte(data[cut-3:cut+3], '\n') >= 0 {
		cut += 7 // within a record
	}
	plainRecords, plainSkipped, _ := count(t, data[:cut])
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(data[:cut])
	zw.Close()
	// Without its trailer and last bytes the stream breaks after the content is out.
	in, err := NewInput(io.NopCloser(bytes.NewReader(z.Bytes()[:z.Len()-12])), "cut.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	records, skipped, fatal := countEvents(in.Events())
	if fatal == nil {
		t.Error("the break is not reported")
	}
	if records+skipped < plainRecords+plainSkipped-1 || skipped < 1 {
		t.Errorf("gzip cut: %d records, %d skipped; plain cut at the same place: %d, %d", records, skipped, plainRecords, plainSkipped)
	}
}

// TestBrokenFirstElementOfABatchLine: a batch written on one line whose first record is
// broken costs that record; the next batch lines are read (FuzzPipeline's F7).
func TestBrokenFirstElementOfABatchLine(t *testing.T) {
	data := "{\"records\":[{\"properties\":{\"id\":\"a\",\"status\":{\"errorCode\":70000}}}]}\n" +
		"{\"records\":[{\"properties\":{\"id\":\"c\x00\",\"status\":{\"errorCode\":70000}}},{\"properties\":{\"id\":\"d\",\"status\":{\"errorCode\":70000}}}]}\n" +
		"{\"records\":[{\"properties\":{\"id\":\"e\",\"status\":{\"errorCode\":70000}}}]}\n" +
		"{\"tables\":[{\"columns\":[{\"name\":\"Id\"},{\"name\":\"ResultType\"}],\"rows\":[[\"f\x01\",\"70000\"],[\"g\",\"70000\"]]}]}\n" +
		"{\"records\":[{\"properties\":{\"id\":\"h\",\"status\":{\"errorCode\":70000}}}]}\n"
	d := newJSONDecoder(strings.NewReader(data))
	var ids []string
	skipped := 0
	for ev, err := range d.events("t") {
		switch {
		case err == nil:
			ids = append(ids, ev.ID)
		case isRecordError(err):
			skipped++
		default:
			t.Fatalf("ended early: %v (ids so far %v)", err, ids)
		}
	}
	if got := strings.Join(ids, ","); got != "a,d,e,g,h" || skipped != 2 {
		t.Errorf("ids %s, %d skipped; want a,d,e,g,h and 2 (c, f)", got, skipped)
	}
}

// TestShortLastRow: a query result's last row of too few values is skipped and the
// result read to its end, rows one per line or all on one line.
func TestShortLastRow(t *testing.T) {
	for _, sep := range []string{"", "\n"} {
		data := `{"tables":[{"columns":[{"name":"Id"},{"name":"ResultType"}],"rows":[` + sep + `["q1","70000"],` + sep + `["q3"]` + sep + `]}]}` + "\n" +
			`{"createdDateTime":"2026-11-24T10:00:00Z","status":{"errorCode":0}}` + "\n"
		records, skipped, fatal := count(t, []byte(data))
		if records != 2 || skipped != 1 || fatal != nil {
			t.Errorf("sep %q: %d records, %d skipped, %v; want 2, 1, nil", sep, records, skipped, fatal)
		}
	}
}
