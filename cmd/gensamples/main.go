// Command gensamples writes the sample sign-in exports in samples/, one file per export
// shape, with in-scope events of every cause among ordinary successes and failures. The
// output is deterministic: the same flags give the same bytes (a test checks that
// samples/ is what this program writes).
//
//	go run ./cmd/gensamples -out samples
//
// With -shape and -records it writes one large file of one shape, for benchmarks:
//
//	go run ./cmd/gensamples -shape lines -records 400000 -inscope 0.03 -o big.jsonl
package main

//go:generate go run . -out ../../samples

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

func main() {
	out := flag.String("out", "samples", "directory to write the sample set into")
	shape := flag.String("shape", "", "write one file of this shape instead of the sample set: "+strings.Join(shapeNames(), ", "))
	records := flag.Int("records", 100000, "records in the file written with -shape")
	inScope := flag.Float64("inscope", 0.03, "share of in-scope records in the file written with -shape")
	seed := flag.Uint64("seed", 1, "random seed")
	file := flag.String("o", "", "file written with -shape (default standard output)")
	flag.IntVar(&rowGroupRows, "rowgroup", rowGroupRows, "rows per Parquet row group")
	flag.Parse()

	var err error
	if *shape != "" {
		err = writeOne(*shape, *file, *records, *inScope, *seed)
	} else {
		err = writeSamples(*out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gensamples:", err)
		os.Exit(1)
	}
}

func writeOne(shape, path string, records int, inScope float64, seed uint64) error {
	sh, ok := shapes[shape]
	if !ok {
		return fmt.Errorf("unknown shape %q (want %s)", shape, strings.Join(shapeNames(), ", "))
	}
	g := newGen(seed)
	w := io.Writer(os.Stdout)
	if path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	// Stream in batches so that any size fits in memory.
	const batch = 5000
	for done := 0; done < records; done += batch {
		n := min(batch, records-done)
		evs := g.events(n, inScope, done == 0)
		if err := sh.write(bw, evs, part{first: done == 0, last: done+n >= records}); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if f, ok := w.(*os.File); ok && path != "" {
		return f.Close()
	}
	return nil
}

// sampleFile is one file of the sample set.
type sampleFile struct {
	path    string
	shape   string
	records int
	inScope float64
	seed    uint64
}

// sampleSet is what samples/ holds. Paths use the layouts real exports have.
var sampleSet = []sampleFile{
	{"graph/signIns-v1.0-page1.json", "graph-v1", 60, 0.35, 11},
	{"graph/signIns-beta-nonInteractive.json", "graph-beta", 60, 0.4, 12},
	{"graph/signIns.jsonl", "lines", 50, 0.3, 13},
	{"powershell/Get-MgAuditLogSignIn.json", "powershell-array", 40, 0.35, 14},
	{"powershell/signins-appended.json", "powershell-appended", 30, 0.35, 15},
	{"powershell/one-signin.json", "object", 1, 1, 16},
	{"insights-logs-noninteractiveusersigninlogs/resourceId=/tenants/4f1e2d3c-5b6a-4789-8a9b-0c1d2e3f4a5b/providers/Microsoft.aadiam/y=2026/m=11/d=24/h=08/m=00/PT1H.json", "monitor-crlf", 60, 0.35, 17},
	{"insights-logs-signinlogs/resourceId=/tenants/4f1e2d3c-5b6a-4789-8a9b-0c1d2e3f4a5b/providers/Microsoft.aadiam/y=2026/m=11/d=24/h=09/m=00/PT1H.json", "monitor", 50, 0.3, 18},
	{"eventhub/insights-signinlogs-batch.json", "eventhub", 40, 0.35, 19},
	{"log-analytics/SigninLogs.json", "la-objects", 40, 0.3, 20},
	{"log-analytics/AADNonInteractiveUserSignInLogs.json", "la-text", 50, 0.4, 21},
	{"portal/NonInteractiveSignIns_2026-11-24_2026-11-25.csv", "csv-portal", 50, 0.35, 22},
	{"adx/AADNonInteractiveUserSignInLogs.parquet", "parquet-flat", 60, 0.35, 25},
	{"databricks/signinlogs/part-00000.snappy.parquet", "parquet-nested", 50, 0.35, 26},
	{"archive/insights-logs-noninteractiveusersigninlogs-2026-11-23T22.json.gz", "monitor-crlf", 40, 0.35, 24},
	{"log-analytics/AADNonInteractiveUserSignInLogs_export.csv", "csv-la", 50, 0.35, 23},
}

func writeSamples(dir string) error {
	for _, sf := range sampleSet {
		path := filepath.Join(dir, filepath.FromSlash(sf.path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		bw := bufio.NewWriter(f)
		var w io.Writer = bw
		var zw *gzip.Writer
		if strings.HasSuffix(sf.path, ".gz") {
			zw = gzip.NewWriter(bw)
			w = zw
		}
		err = shapes[sf.shape].write(w, sampleEvents(sf), part{first: true, last: true})
		if err == nil && zw != nil {
			err = zw.Close()
		}
		if err == nil {
			err = bw.Flush()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// sampleEvents returns the events of one sample file: every cause at least once when the
// file is big enough, the rest drawn at random.
func sampleEvents(sf sampleFile) []event {
	g := newGen(sf.seed)
	evs := g.events(sf.records, sf.inScope, true)
	// Overlapping hourly blobs repeat records: the second blob starts with the last two
	// in-scope records of the first, so de-duplication has something to find.
	if sf.shape == "monitor" {
		prev := sampleSet[slices.IndexFunc(sampleSet, func(s sampleFile) bool { return s.shape == "monitor-crlf" })]
		var repeat []event
		for _, e := range slices.Backward(sampleEvents(prev)) {
			if e.cause != "" && len(repeat) < 2 {
				repeat = append([]event{e}, repeat...)
			}
		}
		evs = append(repeat, evs...)
	}
	return evs
}

func shapeNames() []string {
	var names []string
	for n := range shapes {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
