package parse

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// FuzzJSON feeds arbitrary bytes to the JSON decoders: they must never panic or hang, and
// every record and skipped record must carry a sane position: offsets inside the input,
// increasing, and the line number of that offset.
func FuzzJSON(f *testing.F) {
	for _, path := range []string{"../samples/graph/signIns.jsonl", "../samples/eventhub/insights-signinlogs-batch.json", "../samples/powershell/signins-appended.json"} {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(data[:min(len(data), 4000)])
		}
	}
	f.Add([]byte(graphRec("1", 70000) + "\n{\"id\":\"2\",\"x\":\"cut\n" + graphRec("3", 0)))
	f.Add([]byte(`{"value":[` + graphRec("1", 70000) + `,7,"s",[1],{"a":}],"@odata.nextLink":"x"}`))
	f.Add([]byte(`{"records":[{"properties":{"status":{"errorCode":"70000"}}}]} ]]} {"a":[}`))
	f.Add([]byte(`{"tables":[{"columns":[{"name":"Id"},{"name":"ResultType"}],"rows":[` + "\n" + `["a","70000"],` + "\n" + `["b",0],["c"` + "\n" + `]]}],"x":1}`))
	f.Add([]byte("\xEF\xBB\xBF[\r\n    {\r\n        \"Id\":  \"1\"\r\n    },\r\n    {\r\n        \"Id\":  \r\n    }\r\n]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		whole := positions(t, data, bytes.NewReader(data))
		// Read a byte at a time, the scanner refills its window at every byte: it must
		// find the same records and errors at the same places.
		bytewise := positions(t, data, iotest.OneByteReader(bytes.NewReader(data)))
		if !slices.Equal(whole, bytewise) {
			t.Fatalf("positions differ when read a byte at a time:\n%v\n%v", whole, bytewise)
		}
	})
}

// positions decodes r (whose bytes are data) and checks every position reported.
func positions(t *testing.T, data []byte, r io.Reader) []string {
	var out []string
	d := newJSONDecoder(r)
	last := int64(-1)
	n := 0
	for ev, err := range d.events("fuzz") {
		{
			n++
			if n > len(data)+1 {
				t.Fatalf("more items (%d) than bytes (%d)", n, len(data))
			}
			pos, ok := itemPos(ev, err)
			if !ok {
				if errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("unexpected I/O error %v", err)
				}
				out = append(out, "end")
				continue // an error that ends the input
			}
			if pos.Offset < 0 || pos.Offset >= int64(len(data)) {
				t.Fatalf("offset %d outside the %d-byte input", pos.Offset, len(data))
			}
			if pos.Offset <= last {
				t.Fatalf("offset %d after %d: not increasing", pos.Offset, last)
			}
			last = pos.Offset
			if want := bytes.Count(data[:pos.Offset], []byte("\n")) + 1; pos.Line != want {
				t.Fatalf("offset %d reported on line %d, it is on line %d", pos.Offset, pos.Line, want)
			}
			out = append(out, fmt.Sprintf("%d:%d %s %v", pos.Line, pos.Offset, ev.ID, err != nil))
		}
	}
	return out
}

// itemPos is where an item a decoder yields starts: the event's, or the skipped record's;
// false for an error that ends the input.
func itemPos(ev Event, err error) (Position, bool) {
	var re *RecordError
	switch {
	case errors.As(err, &re):
		return Position{Line: re.Line, Offset: re.Offset}, true
	case err != nil:
		return Position{}, false
	}
	return ev.Pos, true
}

// FuzzCSV: a header the decoder knows, then arbitrary bytes: no panic, and every position
// inside the input, increasing, on the line of its offset.
func FuzzCSV(f *testing.F) {
	// Rows of the header below: a time (in the formats exports use, and broken ones), an
	// id, a code, a reason and a dynamic column as JSON text.
	f.Add([]byte("2026-11-24T10:00:00Z,r1,70000,\"Provided grant is invalid\",\"{\"\"errorCode\"\":70000}\"\n11/24/2026 10:00:00 AM,r2,0,x,\n"))
	f.Add([]byte("\"9/19/2023, 1:45:17.287 PM\",r1,70000,\"multi\nline\",\n/Date(1764000000000)/,\"r2\",50173,\"bad \"quote\",{\nr3\n"))
	f.Add([]byte("/Date(,r1,70000,x,\n/Date(-,r2,0,y,\"{\"\"errorCode\"\":\"\"\n"))
	f.Add([]byte("\"unterminated,70000,x\n"))
	const header = "Date (UTC),Request ID,Sign-in error code,Failure reason,Status\n"
	f.Fuzz(func(t *testing.T, body []byte) {
		data := append([]byte(header), body...)
		in, err := NewInput(io.NopCloser(bytes.NewReader(data)), "fuzz.csv")
		if err != nil {
			t.Fatal(err)
		}
		last := int64(-1)
		for ev, err := range in.Events() {
			pos, ok := itemPos(ev, err)
			if !ok {
				continue
			}
			if pos.Offset < int64(len(header)) || pos.Offset >= int64(len(data)) || pos.Offset <= last {
				t.Fatalf("offset %d (previous %d) outside the rows of a %d-byte input", pos.Offset, last, len(data))
			}
			last = pos.Offset
			if want := bytes.Count(data[:pos.Offset], []byte("\n")) + 1; pos.Line != want {
				t.Fatalf("offset %d reported on line %d, it is on line %d", pos.Offset, pos.Line, want)
			}
		}
	})
}

// FuzzGzip: arbitrary bytes after the gzip magic never panic; a broken stream is an error
// naming the input.
func FuzzGzip(f *testing.F) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(graphRec("1", 70000) + "\n" + graphRec("2", 0) + "\n"))
	zw.Close()
	f.Add(gz.Bytes())
	f.Add(gz.Bytes()[:gz.Len()/2])
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := NewInput(io.NopCloser(bytes.NewReader(data)), "fuzz.gz")
		if err != nil {
			return
		}
		defer in.Close()
		for _, err := range in.Events() {
			var re *RecordError
			if err != nil && !errors.As(err, &re) && !strings.Contains(err.Error(), "fuzz.gz") {
				t.Fatalf("error %v does not name the input", err)
			}
		}
	})
}

// FuzzParquet damages Parquet files: the footer scan (which parquet-go never sees whole)
// and the decoder never panic, every row group found lies within the footer, in order,
// and rows come out in order with any error naming the file.
func FuzzParquet(f *testing.F) {
	data, _ := flatParquet(f, 3, 7)
	f.Add(data)
	for _, p := range []string{"../samples/databricks/signinlogs/part-00000.snappy.parquet", "testdata/audit/diag-nested-mixed.parquet", "testdata/audit/la-mixed.parquet"} {
		if nested, err := os.ReadFile(p); err == nil {
			f.Add(nested)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if foot, err := readParquetFooter(bytes.NewReader(data), int64(len(data))); err == nil {
			at := foot.metaStart
			for _, g := range foot.groups {
				if g.start < at || g.end < g.start || g.end > foot.metaEnd || g.ordTo != 0 && (g.ordFrom < g.start || g.ordTo > g.end) {
					t.Fatalf("row group entry %+v outside the footer %d-%d or out of order", g, foot.metaStart, foot.metaEnd)
				}
				at = g.end
			}
		}
		if !bytes.HasPrefix(data, []byte("PAR1")) {
			return // another format, sniffed (FuzzJSON's, whose records may share a line)
		}
		// The fast twin (the defaults, and every chunk of plain or dictionary byte arrays
		// read by a plainCursor, every page kept, short spans) and the slow one (every
		// page through parquet-go, held whole) give the same events when both read the
		// file without an error.
		defer func(over, span, own int64) { parquetKeepOver, parquetSpan, parquetOwnOver = over, span, own }(parquetKeepOver, parquetSpan, parquetOwnOver)
		var twins [][]Event
		var failed []error
		for _, c := range []struct{ over, span, own int64 }{{math.MaxInt64, 1 << 18, math.MaxInt64}, {parquetKeepOver, parquetSpan, parquetOwnOver}, {0, 1000, 0}} {
			parquetKeepOver, parquetSpan, parquetOwnOver = c.over, c.span, c.own
			in, err := NewInput(io.NopCloser(bytes.NewReader(data)), "fuzz.parquet")
			if err != nil {
				return
			}
			last := 0
			var evs []Event
			var fail error
			for ev, err := range in.Events() {
				if err != nil {
					if !strings.Contains(err.Error(), "fuzz.parquet") {
						t.Fatalf("error %v does not name the file", err)
					}
					fail = err
					continue
				}
				if ev.Pos.Line <= last {
					t.Fatalf("row %d after row %d", ev.Pos.Line, last)
				}
				last = ev.Pos.Line
				evs = append(evs, ev)
			}
			twins, failed = append(twins, evs), append(failed, fail)
		}
		for i := 1; i < len(twins); i++ {
			if failed[0] == nil && failed[i] == nil && !reflect.DeepEqual(twins[0], twins[i]) {
				t.Fatalf("twin %d: %d events differ from parquet-go's %d", i, len(twins[i]), len(twins[0]))
			}
			if failed[0] == nil && failed[i] != nil {
				t.Fatalf("twin %d failed (%v) where parquet-go read the file", i, failed[i])
			}
		}
	})
}

// FuzzAuditCSV: the portal's audit download and Log Analytics' AuditLogs export, cut and
// damaged anywhere: no panic, and every record an audit record with its Audit, or a
// skipped record inside the input.
func FuzzAuditCSV(f *testing.F) {
	for _, p := range []string{"testdata/audit/AuditLogs_2026-11-24.csv", "testdata/audit/la-AuditLogs_export.csv"} {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
			f.Add(data[:len(data)/2])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := NewInput(io.NopCloser(bytes.NewReader(data)), "fuzz.csv")
		if err != nil {
			return
		}
		defer in.Close()
		for ev, err := range in.Events() {
			pos, ok := itemPos(ev, err)
			if ok && (pos.Offset < 0 || pos.Offset >= int64(len(data))) {
				t.Fatalf("offset %d outside the %d-byte input", pos.Offset, len(data))
			}
			if err == nil && (ev.Other == "AuditLogs") != (ev.Audit != nil) {
				t.Fatalf("Other %q with Audit %v", ev.Other, ev.Audit)
			}
		}
	})
}
