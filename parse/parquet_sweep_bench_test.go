package parse_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/report"
	"github.com/grantsweep/grantsweep/rules"
)

// BenchmarkParquetSweep reads the Parquet files named in GRANTSWEEP_PQ_BENCH (separated by
// the list separator) as sweep does: one summary with the default rules, the prefilter
// and the summary's fields only. It reports, besides allocations, the garbage collections
// of one read (gc/op), which load on the machine does not change, as wall time does:
//
//	GRANTSWEEP_PQ_BENCH=/tmp/duck.parquet go test -run '^$' -bench ParquetSweep -benchtime 1x ./parse/
//
// Without the variable it is skipped.
func BenchmarkParquetSweep(b *testing.B) {
	files := filepath.SplitList(os.Getenv("GRANTSWEEP_PQ_BENCH"))
	if len(files) == 0 {
		b.Skip("GRANTSWEEP_PQ_BENCH names no file")
	}
	for _, path := range files {
		b.Run(filepath.Base(path), func(b *testing.B) {
			set := rules.Default()
			b.ReportAllocs()
			var before, after runtime.MemStats
			var records int64
			gcs := uint32(0)
			for b.Loop() {
				runtime.ReadMemStats(&before)
				in, err := parse.OpenWith(path, nil, parse.OpenOptions{})
				if err != nil {
					b.Fatal(err)
				}
				s := report.New(set)
				if err := s.Read(in); err != nil {
					b.Fatal(err)
				}
				in.Close()
				runtime.ReadMemStats(&after)
				gcs += after.NumGC - before.NumGC
				records = s.Inputs[0].Records + s.Inputs[0].Filtered
				if !strings.HasPrefix(s.Inputs[0].Format, "parquet") {
					b.Fatalf("%s read as %s", path, s.Inputs[0].Format)
				}
			}
			b.ReportMetric(float64(gcs)/float64(b.N), "gc/op")
			b.ReportMetric(float64(records), "rows")
		})
	}
}
