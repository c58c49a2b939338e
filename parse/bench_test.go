package parse

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"testing"
)

// benchInput is a sample file repeated to about 8 MB, in memory.
func benchInput(b *testing.B, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return bytes.Repeat(data, 8<<20/len(data)+1)
}

// BenchmarkScanJSONLines measures splitting JSON Lines into records, without decoding.
func BenchmarkScanJSONLines(b *testing.B) {
	data := benchInput(b, "../samples/insights-logs-noninteractiveusersigninlogs/resourceId=/tenants/4f1e2d3c-5b6a-4789-8a9b-0c1d2e3f4a5b/providers/Microsoft.aadiam/y=2026/m=11/d=24/h=08/m=00/PT1H.json")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		sc := newJSONScanner(bytes.NewReader(data))
		for {
			if _, _, err := sc.next(); err == io.EOF {
				break
			}
		}
	}
}

// BenchmarkDecodeJSONLines measures reading every record into an Event.
func BenchmarkDecodeJSONLines(b *testing.B) {
	data := benchInput(b, "../samples/insights-logs-noninteractiveusersigninlogs/resourceId=/tenants/4f1e2d3c-5b6a-4789-8a9b-0c1d2e3f4a5b/providers/Microsoft.aadiam/y=2026/m=11/d=24/h=08/m=00/PT1H.json")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d := newJSONDecoder(bytes.NewReader(data))
		for range d.events("bench") {
		}
	}
}

// BenchmarkDecodeCSV measures the portal CSV decoder.
func BenchmarkDecodeCSV(b *testing.B) {
	data := benchInput(b, "../samples/portal/NonInteractiveSignIns_2026-11-24_2026-11-25.csv")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		in, err := NewInput(io.NopCloser(bytes.NewReader(data)), "b.csv")
		if err != nil {
			b.Fatal(err)
		}
		for range in.Events() {
		}
	}
}

// BenchmarkDecodeJSONArray measures a Log Analytics array export (structural scanning).
func BenchmarkDecodeJSONArray(b *testing.B) {
	data, err := os.ReadFile("../samples/log-analytics/AADNonInteractiveUserSignInLogs.json")
	if err != nil {
		b.Fatal(err)
	}
	inner := bytes.TrimSuffix(bytes.TrimSpace(data[1:]), []byte("]"))
	var buf bytes.Buffer
	buf.WriteString("[\n")
	for buf.Len() < 8<<20 {
		buf.Write(inner)
		buf.WriteString(",\n")
	}
	buf.Write(inner)
	buf.WriteString("\n]\n")
	data = buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d := newJSONDecoder(bytes.NewReader(data))
		for range d.events("bench") {
		}
	}
}

// BenchmarkPrefilterJSONLines measures JSON Lines with the code filter on: successes are
// counted from their bytes.
func BenchmarkPrefilterJSONLines(b *testing.B) {
	data := benchInput(b, "../samples/graph/signIns.jsonl")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	notZero := func(code int) bool { return code != 0 }
	for b.Loop() {
		d := newJSONDecoder(bytes.NewReader(data))
		d.filter = notZero
		for range d.events("bench") {
		}
	}
}

// BenchmarkDecodeParquet measures the column-wise Parquet reader on 80,000 rows in 40 row
// groups (bytes are the file's), every row decoded.
func BenchmarkDecodeParquet(b *testing.B) { benchParquet(b, nil) }

// BenchmarkPrefilterParquet is BenchmarkDecodeParquet with a code filter that selects a
// third of the rows: the others come out with their code, time and failure reason only.
func BenchmarkPrefilterParquet(b *testing.B) {
	benchParquet(b, func(code int) bool { return code == 70000 || code == 700082 })
}

func benchParquet(b *testing.B, filter func(int) bool) {
	data, rows := flatParquet(b, 40, 2000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d := &parquetDecoder{ra: bytes.NewReader(data), size: int64(len(data)), filter: filter}
		for range d.events("bench") {
		}
	}
	b.ReportMetric(float64(len(rows)*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkDecodeGzip measures about 8 MB of gzipped JSON Lines, every record decoded
// (bytes are the uncompressed content's).
func BenchmarkDecodeGzip(b *testing.B) {
	data := benchInput(b, "../samples/insights-logs-noninteractiveusersigninlogs/resourceId=/tenants/4f1e2d3c-5b6a-4789-8a9b-0c1d2e3f4a5b/providers/Microsoft.aadiam/y=2026/m=11/d=24/h=08/m=00/PT1H.json")
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(data)
	zw.Close()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		in, err := NewInput(io.NopCloser(bytes.NewReader(z.Bytes())), "b.gz")
		if err != nil {
			b.Fatal(err)
		}
		for range in.Events() {
		}
		in.Close()
	}
}
