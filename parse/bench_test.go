package parse

import (
	"bytes"
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
