package parse

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

// BenchmarkWalkRecord measures the prefilter's walk over the successes of a sample,
// the records a real log is mostly made of: the whole prefilter (lightJSON), and the walk
// alone, fast and slow twin.
func BenchmarkWalkRecord(b *testing.B) {
	f, err := os.Open("../samples/graph/signIns.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var recs [][]byte
	var n int64
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev Event
		if decodeJSONRecord(sc.Bytes(), &ev) == nil && ev.ErrorCode == 0 {
			recs = append(recs, append([]byte(nil), sc.Bytes()...))
			n += int64(len(sc.Bytes()))
		}
	}
	b.Run("lightJSON", func(b *testing.B) {
		b.SetBytes(n)
		b.ReportAllocs()
		for b.Loop() {
			for _, r := range recs {
				var ev Event
				if counted, _ := lightJSON(r, func(c int) bool { return c != 0 }, &ev); !counted {
					b.Fatal("not sure of a success")
				}
			}
		}
	})
	for _, twin := range []struct {
		name string
		walk func([]byte, *jsonRecord) (bool, error)
	}{{"fast", walkRecord}, {"slow", walkRecordSlow}} {
		b.Run(twin.name, func(b *testing.B) {
			b.SetBytes(n)
			b.ReportAllocs()
			rec := new(jsonRecord) // one, reset, so that the walk is measured and not a fresh record
			for b.Loop() {
				for _, r := range recs {
					*rec = jsonRecord{}
					if sure, err := twin.walk(r, rec); !sure || err != nil {
						b.Fatal("not sure of a success")
					}
				}
			}
		})
	}
}

func BenchmarkValidOnly(b *testing.B) {
	data, _ := os.ReadFile("../samples/graph/signIns.jsonl")
	line := data[:bytesIndexNL(data)]
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if validJSON(line) != nil {
			b.Fatal("bad")
		}
	}
}

func BenchmarkStdValid(b *testing.B) {
	data, _ := os.ReadFile("../samples/graph/signIns.jsonl")
	line := data[:bytesIndexNL(data)]
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if !json.Valid(line) {
			b.Fatal("bad")
		}
	}
}

func bytesIndexNL(b []byte) int {
	for i, c := range b {
		if c == '\n' {
			return i
		}
	}
	return len(b)
}
