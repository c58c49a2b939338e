// Command gensamples writes the sample sign-in exports in samples/, one file per export
// shape, with in-scope events of every cause among ordinary successes and failures, and
// samples/audit/: a directory audit log in every shape it comes in, beside sign-ins whose
// failures its changes explain or must not, labelled (-labels: testdata/audit-labels.json). The
// output is deterministic: the same flags give the same bytes (a test checks that
// samples/ is what this program writes).
//
//	go run ./cmd/gensamples -out samples
//
// With -shape and -records it writes one large file of one shape, for benchmarks:
//
//	go run ./cmd/gensamples -shape lines -records 400000 -inscope 0.03 -o big.jsonl
//
// With -distinct, the in-scope records of that file are a mass revocation after a
// tenant-wide password reset: refresh-token failures (AADSTS50173, 70008, 50133 and the
// 70000 "has been revoked"), each with a user (UPN and id), an IP address and an event id
// of its own; the out-of-scope records are as without it. -inscope 1 makes every record
// such a failure:
//
//	go run ./cmd/gensamples -shape lines -records 1000000 -inscope 1 -distinct -o revoked.jsonl
//
// With an audit shape (audit-monitor, audit-graph, ...), -records directory audit records
// of a real log's mix instead (auditbench.go), for the audit join's benchmark:
//
//	go run ./cmd/gensamples -shape audit-monitor -records 1000000 -o audit.json
//
// With -files N, -o names a directory, into which it writes N files of -records records
// each, as a diagnostic setting archives them to a storage account, one file an hour
// (DIR/y=2026/m=11/d=24/h=00/m=00/PT1H.json, then h=01 ...; .csv and .parquet for those
// shapes), the records of each file within its hour:
//
//	go run ./cmd/gensamples -shape monitor-crlf -files 50000 -records 10 -inscope 0.1 -o archive
package main

//go:generate go run . -out ../../samples -labels testdata/audit-labels.json

import (
	"bufio"
	"compress/gzip"
	"errors"
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
	flag.StringVar(&labelsPath, "labels", "", "with the sample set: also write the labels of its audit samples to this file")
	var o output
	flag.StringVar(&o.shape, "shape", "", "write one file of this shape instead of the sample set: "+strings.Join(allShapeNames(), ", "))
	flag.IntVar(&o.records, "records", 100000, "records in the file written with -shape (in each file with -files)")
	flag.Float64Var(&o.inScope, "inscope", 0.03, "share of in-scope records in the file written with -shape")
	flag.Uint64Var(&o.seed, "seed", 1, "random seed")
	flag.BoolVar(&o.distinct, "distinct", false, "with -shape: in-scope records are refresh-token failures of a mass revocation, each with its own user, IP address and event id")
	files := flag.Int("files", 0, "with -shape: write this many files (one an hour, PT1H.json) into the directory -o")
	file := flag.String("o", "", "file written with -shape (default standard output); the directory with -files")
	flag.IntVar(&rowGroupRows, "rowgroup", rowGroupRows, "rows per Parquet row group")
	flag.Parse()

	err := applyCardinality(o.seed)
	switch {
	case err != nil:
	case o.shape == "" && (o.distinct || *files != 0):
		err = errors.New("-distinct and -files need -shape")
	case strings.HasPrefix(o.shape, "audit-") && (o.distinct || *files != 0):
		err = errors.New("-distinct and -files are for sign-in shapes")
	case *files < 0:
		err = errors.New("-files must not be negative")
	case *files > 0 && *file == "":
		err = errors.New("-files needs -o DIR")
	case *files > 0:
		err = writeFiles(o, *file, *files)
	case strings.HasPrefix(o.shape, "audit-"):
		err = writeAuditBench(o, *file)
	case o.shape != "":
		err = writeOne(o, *file)
	default:
		err = writeSamples(*out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gensamples:", err)
		os.Exit(1)
	}
}

// output is what -shape writes: records of one shape, a share of them in scope, from one
// seed, distinct or not.
type output struct {
	shape    string
	records  int
	inScope  float64
	seed     uint64
	distinct bool
}

func (o output) start() (shape, *gen, error) {
	sh, ok := shapes[o.shape]
	if !ok {
		return shape{}, nil, fmt.Errorf("unknown shape %q (want %s)", o.shape, strings.Join(shapeNames(), ", "))
	}
	g := newGen(o.seed)
	g.distinct = o.distinct
	return sh, g, nil
}

// writeOne writes o to path, or to standard output when path is "".
func writeOne(o output, path string) error {
	sh, g, err := o.start()
	if err != nil {
		return err
	}
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
	if err := o.stream(bw, sh, g, true); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if f, ok := w.(*os.File); ok && path != "" {
		return f.Close()
	}
	return nil
}

// stream writes o.records records through sh in batches, so that any size fits in
// memory; with cover, the first batch covers every family (see [gen.events]).
func (o output) stream(w io.Writer, sh shape, g *gen, cover bool) error {
	const batch = 5000
	for done := 0; done < o.records; done += batch {
		n := min(batch, o.records-done)
		evs := g.events(n, o.inScope, cover && done == 0)
		if err := sh.write(w, evs, part{first: done == 0, last: done+n >= o.records}); err != nil {
			return err
		}
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
	return writeAuditSamples(dir)
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

// allShapeNames are the sign-in shapes, then the audit shapes (audit-*, for -shape).
func allShapeNames() []string {
	names := shapeNames()
	for n := range auditShapes {
		if n != "audit-eventhub" {
			names = append(names, n)
		}
	}
	slices.Sort(names[len(shapeNames()):])
	return names
}
