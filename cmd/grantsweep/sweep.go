package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/parse/blob"
	"github.com/grantsweep/grantsweep/report"
	"github.com/grantsweep/grantsweep/report/spill"
	"github.com/grantsweep/grantsweep/rules"
)

// outputOptions are the flags of every command whose result is a summary (sweep, merge).
type outputOptions struct {
	format   report.Format
	output   string
	out      string
	tz       string
	top      int
	color    string
	baseline string
	needBase bool // --baseline-required
	failOn   []string
	rules    string
	mode     string
	partial  bool
	csvBOM   bool
	memoryOptions
}

func (o *outputOptions) addFlags(fs *pflag.FlagSet) {
	formatVar(fs, &o.format)
	fs.StringVarP(&o.output, "output", "o", "", "write the report to `FILE` (atomically) instead of standard output")
	fs.StringVar(&o.out, "out", "", "also write every table as its own file in `DIR` (CSV, or markdown/json/html per --format), with an index")
	fs.StringVar(&o.tz, "tz", "UTC", "time `ZONE` for display and for --since/--until without a zone: an IANA name such as Europe/Amsterdam, a Windows name such as \"W. Europe Standard Time\", or local; JSON stays UTC")
	fs.IntVar(&o.top, "top", 10, "`N` rows per breakdown table (0 for all)")
	choiceVar(fs, &o.color, "color", "WHEN", "auto", []string{"auto", "always", "never"}, "colour in the table format (auto: on a terminal, unless NO_COLOR is set)")
	fs.StringVar(&o.baseline, "baseline", "", "compare with an earlier run's JSON summary `FILE`")
	fs.BoolVar(&o.needBase, "baseline-required", false, "exit 2 when the --baseline file does not exist (by default that is a note on stderr and the report has no comparison)")
	fs.StringArrayVar(&o.failOn, "fail-on", nil, "exit 3 when `EXPR` holds, such as revoked>=50, binding>0 or expired_inactivity>=20% (repeatable)")
	addRulesFlags(fs, &o.rules, &o.mode)
	fs.BoolVar(&o.csvBOM, "csv-bom", false, "start every CSV output with a UTF-8 byte order mark, for Excel on Windows")
	fs.BoolVar(&o.partial, "partial", true, "write the partial (every in-scope event, for merge and --baseline) in the JSON summary; --partial=false for a summary that is only read")
	o.memoryOptions.addFlags(fs)
}

// sweepOptions are the flags of "grantsweep sweep".
type sweepOptions struct {
	outputOptions
	filterOptions
	storageOptions
	noDedupe bool
	strict   bool
	workers  int
	noFilter bool
	input    string
	noFollow bool
	progress string
	cpuProf  string
	memProf  string
}

func (o *sweepOptions) addFlags(fs *pflag.FlagSet) {
	o.outputOptions.addFlags(fs)
	o.filterOptions.addFlags(fs)
	fs.BoolVar(&o.noDedupe, "no-dedupe", false, "count every copy of an in-scope event, even with an id seen before")
	fs.BoolVar(&o.strict, "strict", false, "exit 4 when any record was skipped or any input could not be read")
	fs.IntVar(&o.workers, "workers", runtime.NumCPU(), "read `N` inputs at once")
	addInputFormatFlag(fs, &o.input)
	addNoFollowFlag(fs, &o.noFollow)
	o.storageOptions.addFlags(fs)
	fs.BoolVar(&o.noFilter, "no-prefilter", false, "decode every record instead of counting out-of-scope ones from their bytes (slower; the result is the same)")
	choiceVar(fs, &o.progress, "progress", "WHEN", "auto", []string{"auto", "always", "never"}, "a progress line on stderr (auto: on a terminal only; --progress alone: always)").NoOptDefVal = "always"
	fs.StringVar(&o.cpuProf, "cpuprofile", "", "write a CPU profile to `FILE` (for reports of slowness)")
	fs.StringVar(&o.memProf, "memprofile", "", "write a heap profile to `FILE` after reading")
}

// prepared is what the output flags resolve to before any input is read: bad thresholds,
// rule files and baselines are usage errors found at once.
type prepared struct {
	budget     *spill.Budget // the run's memory: the caller closes it (closeBudget)
	memory     int64         // --memory, in bytes
	set        *rules.Set
	loc        *time.Location
	thresholds []report.Threshold
	baseline   *report.Baseline
	color      bool
}

func (o *outputOptions) prepare(cmd string, stdout, stderr io.Writer) (_ *prepared, err error) {
	if o.top < 0 {
		return nil, usageError("%s: --top must be 0 (all) or more, not %d", cmd, o.top)
	}
	// Where the reports go is checked before anything is read (exit 1, as a report that
	// could not be written).
	if err := checkOutput(o.output); err != nil {
		return nil, err
	}
	if err := checkOutDir(o.out); err != nil {
		return nil, err
	}
	if o.csvBOM && !o.writesCSV() {
		return nil, usageError("%s: --csv-bom, but no output is CSV: give --format csv, or --out with --format table, csv or html", cmd)
	}
	var p prepared
	if p.budget, p.memory, err = o.budget(cmd); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			closeBudget(p.budget)
		}
	}()
	if p.color, err = wantColor(o.color, o.output == "", stdout); err != nil {
		return nil, err
	}
	if p.set, err = loadRules(o.rules, o.mode); err != nil {
		return nil, err
	}
	if p.loc, err = loadZone(o.tz); err != nil {
		return nil, err
	}
	for _, expr := range o.failOn {
		th, err := report.ParseThreshold(expr, p.set)
		if err != nil {
			return nil, usageError("%v%s", err, thresholdHint(err))
		}
		p.thresholds = append(p.thresholds, th)
	}
	if o.needBase && o.baseline == "" {
		return nil, usageError("%s: --baseline-required without --baseline", cmd)
	}
	if o.baseline != "" {
		if p.baseline, err = o.readBaseline(p, stderr); err != nil {
			return nil, err
		}
	}
	return &p, nil
}

// writesCSV reports whether any output is CSV: the report with --format csv, the files
// of --out with the table or csv format, or --out's index beside report.html.
func (o *outputOptions) writesCSV() bool {
	switch o.format {
	case report.FormatCSV:
		return true
	case report.FormatTable, report.FormatHTML:
		return o.out != ""
	}
	return false
}

// utf8BOM starts a CSV output with --csv-bom: Excel on Windows reads a CSV file without
// it in the machine's code page, and shows every non-ASCII name garbled.
const utf8BOM = "\ufeff"

// withBOM is write with the byte order mark before it when bom is set.
func withBOM(bom bool, write func(io.Writer) error) func(io.Writer) error {
	if !bom {
		return write
	}
	return func(w io.Writer) error {
		if _, err := io.WriteString(w, utf8BOM); err != nil {
			return err
		}
		return write(w)
	}
}

// readBaseline reads --baseline. A baseline that does not exist is a note on stderr and
// no comparison (nil), unless --baseline-required: the first night has no night before.
// One that exists but cannot be read, or is no summary, is a usage error.
func (o *outputOptions) readBaseline(p prepared, stderr io.Writer) (*report.Baseline, error) {
	f, err := os.Open(o.baseline)
	if errors.Is(err, fs.ErrNotExist) && !o.needBase {
		fmt.Fprintf(stderr, "grantsweep: --baseline %s: no such file; the report has no comparison (--baseline-required makes this an error)\n", o.baseline)
		return nil, nil
	}
	if err != nil {
		return nil, usageError("--baseline: %v", err)
	}
	defer f.Close()
	b, err := report.ReadBaselineIn(f, o.baseline, p.set, p.budget)
	if err != nil {
		var invalid *report.InvalidError
		if !errors.As(err, &invalid) {
			return nil, fmt.Errorf("--baseline: %w", err) // the disk it spilled to, not the file
		}
		return nil, usageError("--baseline: %v", err)
	}
	return b, nil
}

// finish writes the summary as the output flags ask, then checks the thresholds: crossing
// one is exit 3, after every report was written. The files of --out are written before
// the report, so that nothing reaches standard output when they cannot be written.
func (o *outputOptions) finish(sum *report.Summary, p *prepared, stdout, stderr io.Writer) error {
	opts := report.Options{Top: o.top, GeneratedBy: "grantsweep " + versionString(), Color: p.color, Baseline: p.baseline, TZ: p.loc, NoPartial: !o.partial}
	if o.out != "" {
		if err := writeDir(o.out, sum, o.format, opts, o.csvBOM); err != nil {
			return err
		}
	}
	write := func(w io.Writer) error { return sum.Write(w, o.format, opts) }
	if err := writeOutput(o.output, stdout, withBOM(o.csvBOM && o.format == report.FormatCSV, write)); err != nil {
		return err
	}
	if hint := sum.EmptyHint(p.loc); hint != "" {
		fmt.Fprintf(stderr, "grantsweep: %s\n", hint)
	}
	crossed := sum.Crossed(p.thresholds)
	for _, c := range crossed {
		fmt.Fprintf(stderr, "grantsweep: %s\n", c)
	}
	if len(crossed) > 0 {
		return fmt.Errorf("%w: %w", errThreshold, errReported) // each crossed one was named
	}
	return nil
}

func runSweep(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o sweepOptions
	fs := newFlagSet("sweep", stderr)
	o.addFlags(fs)
	helpOn(fs, "sweep", stdout)
	if err := parseFlags(fs, "sweep", args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError("sweep: give at least one PATH (a file, directory, glob, or - for standard input)")
	}
	if err := checkInputFormat(o.input); err != nil {
		return err
	}
	if o.workers < 1 {
		return usageError("sweep: --workers must be 1 or more, not %d", o.workers)
	}
	p, err := o.prepare("sweep", stdout, stderr)
	if err != nil {
		return err
	}
	defer closeBudget(p.budget)
	budget := p.budget
	filter, redactor, err := o.filterOptions.resolve(p.set, time.Now(), p.loc)
	if err != nil {
		return err
	}
	heapProfile, stop, err := startProfiles(o.cpuProf, o.memProf)
	if err != nil {
		return err
	}
	defer stop()

	x, err := expandInputs(ctx, fs.Args(), o.noFollow, o.storageOptions, windowOf(filter), stderr)
	if err != nil {
		return err
	}
	paths, failed := x.paths, x.failed
	reportPruned(stderr, x.pruned)
	newSummary := func() *report.Summary {
		s := report.New(p.set)
		s.Dedupe, s.Filter, s.Redactor, s.Decode = !o.noDedupe, filter, redactor, o.noFilter
		s.SetBudget(budget)
		return s
	}
	inputs := inputPaths(paths)
	prog, err := startProgress(o.progress, stderr, inputs)
	if err != nil {
		return err
	}
	prog.addSizes(x.sizes)
	src := sources{stdin: stdin, format: o.input, workers: o.workers, prog: prog, store: x.store, pruned: prunedInputs(x.pruned)}
	sum, read, bad, err := readInputs(ctx, inputPaths(append(inputs, slices.Collect(maps.Keys(src.pruned))...)), src, newSummary, stderr)
	prog.finish()
	if err != nil {
		return err
	}
	failed += bad
	if read == 0 && len(x.pruned) == 0 {
		return errors.New("nothing could be read")
	}
	// An input of audit or other logs only was read fine: it is named, not failed, and
	// what it holds is counted apart (other_records). If every input is one, the run
	// still succeeds with 0 records: the inputs were read and accounted for.
	for i := range sum.Inputs {
		if kinds, ok := sum.Inputs[i].NotSignIn(); ok {
			fmt.Fprintf(stderr, "grantsweep: %s: not a sign-in export (%s); counted apart\n", sum.Inputs[i].Path, kinds)
		}
		if in := &sum.Inputs[i]; in.CodeMissing() {
			fmt.Fprintf(stderr, "grantsweep: %s: no column gives the error code (ResultType, Status or status.errorCode): its %s read as records without one, none as a failure\n",
				in.Path, plural(in.Records+in.Filtered, "record"))
		}
	}
	if err := heapProfile(); err != nil { // what reading keeps
		return err
	}

	err = o.finish(sum, p, stdout, stderr)
	reportSpill(stderr, budget, p.memory)
	if err != nil {
		return err
	}
	if sum.Skipped > 0 {
		reportSkipped(stderr, sum.Skipped, sum.Samples[0])
	}
	if o.strict && (sum.Skipped > 0 || failed > 0) {
		return strictError(sum.Skipped, failed)
	}
	return nil
}

// strictError is the error of --strict: exit 4, saying why.
func strictError(skipped int64, failed int) error {
	return fmt.Errorf("%w: %s skipped, %s failed", errStrict, plural(skipped, "record"), plural(int64(failed), "input"))
}

// plural is n and its noun: "1 record", "2 records"; many is the plural when it is not
// noun+"s" ("1 copy", "2 copies").
func plural(n int64, noun string, many ...string) string {
	switch {
	case n == 1:
		return "1 " + noun
	case len(many) > 0:
		return fmt.Sprintf("%d %s", n, many[0])
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// inputPaths orders the inputs so that the result does not depend on the order paths
// were given in: standard input first, then the files sorted, each once.
func inputPaths(paths []string) []string {
	out := slices.Compact(slices.Sorted(slices.Values(paths)))
	if i := slices.Index(out, parse.Stdin); i > 0 {
		out = append([]string{parse.Stdin}, slices.Delete(out, i, i+1)...)
	}
	return out
}

// splitAbove is the size from which a JSON Lines or Parquet file is read in sections, in
// parallel.
var splitAbove int64 = 64 << 20

// sources says how to read the inputs: standard input, their format (--input-format),
// how many at once, and where progress goes.
type sources struct {
	stdin   io.Reader
	format  string
	workers int
	prog    *progress
	store   *blob.Store // reads the remote inputs; nil when there is none
	// pruned are the PATHs below which --since/--until pruned partition folders, with
	// their count: each is an input of format "pruned" in the summary, in path order
	// among the others, so that a merge of shards has them where the whole has them.
	pruned map[string]int64
}

// addInputFormatFlag adds --input-format; checkInputFormat checks its value.
func addInputFormatFlag(fs *pflag.FlagSet, p *string) {
	choiceVar(fs, p, "input-format", "FORMAT", "auto", parse.InputFormats, "take every input to be of this format (auto: detect each; gzip and UTF-16 are recognised either way)")
}

func checkInputFormat(f string) error {
	if !slices.Contains(parse.InputFormats, f) {
		return usageError("--input-format must be %s, not %q", strings.Join(parse.InputFormats, ", "), f)
	}
	return nil
}

// addNoFollowFlag adds --no-follow (sweep, events).
func addNoFollowFlag(fs *pflag.FlagSet, p *bool) {
	fs.BoolVar(p, "no-follow", false, "do not follow symbolic links met inside a directory walk (each is named on stderr); a link given as PATH is followed")
}

// job is one input, or one section of a large JSON Lines, JSON array or Parquet input.
type job struct {
	path    string
	section *parse.Section
	first   bool // the first job of its path
}

// jobHook, when set, is called at the start of every job, inside the boundary that
// contains a panic to that job's input. Tests set it to make one input's job panic; it
// is nil otherwise.
var jobHook func(path string)

// jobResult is what one job leaves for the merge.
type jobResult struct {
	sum   *report.Summary
	read  bool   // the input yielded something, or ended without an error
	msg   string // the input's error, for stderr
	stack []byte // a panic's stack, shown with GRANTSWEEP_DEBUG=1
	lines int
	clean bool  // a section read as the whole file reads it (parse.Input.Clean)
	fatal error // a refused credential (*blob.AuthError): it ends the run
}

// readInputs reads the inputs with up to workers at once, each input (or each section of
// a large JSON Lines file) into its own summary, and merges them in input order as they
// finish, so that the result is the same whatever the worker count. A bounded window of
// finished summaries waits for an earlier one, so that memory does not grow with the
// number of inputs. Messages about inputs go to stderr in input order too. read counts
// the inputs that yielded a record or a skip, or ended without an error (an empty file);
// an input that opened and then broke before anything came out was not read. Cancelling
// ctx stops every job under way within a buffer.
func readInputs(ctx context.Context, paths []string, src sources, newSummary func() *report.Summary, stderr io.Writer) (sum *report.Summary, read, failed int, err error) {
	// A refused credential ends the run: the jobs under way stop, the others never start.
	ctx, cancel := context.WithCancel(ctx)
	workers := src.workers
	var jobs []job
	for _, p := range paths {
		if workers > 1 && isRegular(p) { // Split opens what it probes: never a FIFO, read once
			if secs, _ := parse.Split(p, workers, splitAbove, src.format); len(secs) > 1 {
				for i := range secs {
					jobs = append(jobs, job{path: p, section: &secs[i], first: i == 0})
				}
				continue
			}
		}
		jobs = append(jobs, job{path: p, first: true})
	}
	// The window holds every section of a file (Split makes at most workers of them)
	// and the jobs under way.
	window := max(16, 2*workers+2)
	results := make([]jobResult, len(jobs))
	slots := make(chan struct{}, window) // a slot per job dispatched and not yet merged
	next := make(chan int)
	done := make(chan int, len(jobs))
	var wg sync.WaitGroup
	for range min(workers, max(len(jobs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = runJob(ctx, jobs[i], src, newSummary)
				done <- i
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range jobs {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	finished := make([]bool, len(jobs))
	stopped := make(chan struct{})
	go func() { wg.Wait(); close(stopped) }()
	// await waits until jobs [i, k) are finished; false when the run was cancelled first.
	await := func(i, k int) bool {
		for j := i; j < k; j++ {
			for !finished[j] {
				select {
				case d := <-done:
					finished[d] = true
				case <-stopped:
					select {
					case d := <-done:
						finished[d] = true
					default:
						return false
					}
				}
			}
		}
		return true
	}
	defer func() {
		// On the way out (also when cancelled), the workers stop and what they left goes.
		cancel()
		<-stopped
		for i := range results {
			if results[i].sum != nil {
				results[i].sum.Close()
			}
		}
	}()

	debug := os.Getenv("GRANTSWEEP_DEBUG") == "1"
	lineBase, pathRead := 0, false
	for i := 0; i < len(jobs); i++ {
		// A file read in sections waits for all of them.
		k := i + 1
		for k < len(jobs) && jobs[k].section != nil && !jobs[k].first {
			k++
		}
		if !await(i, k) || ctx.Err() != nil {
			return nil, 0, 0, cmp.Or(ctx.Err(), context.Canceled)
		}
		if jobs[i].section != nil && jobs[i].first && !sectionsClean(jobs[i:k], results[i:k]) {
			// Some section of this file does not read as the whole file does (a broken
			// or unusual part): the file is read again whole, which decides.
			for j := i; j < k; j++ {
				results[j].sum.Close()
				results[j] = jobResult{}
				if j > i {
					jobs[j].section = nil // merged as nothing
					<-slots
				}
			}
			results[i] = runJob(ctx, job{path: jobs[i].path, first: true}, src, newSummary)
			jobs[i].section = nil
			k = i + 1
		}
		for ; i < k; i++ {
			r, j := &results[i], jobs[i]
			if r.sum == nil { // a section whose file was read again whole
				continue
			}
			if r.fatal != nil {
				return nil, 0, 0, r.fatal
			}
			if r.msg != "" {
				fmt.Fprintf(stderr, "grantsweep: %s\n", r.msg)
				failed++
			}
			if r.stack != nil && debug {
				fmt.Fprintf(stderr, "%s\n", r.stack)
			}
			if j.first {
				pathRead = false
			}
			if r.read && !pathRead {
				pathRead = true
				read++ // a path is read when any of its sections was
			}
			switch {
			case sum == nil:
				sum = r.sum // the first input's summary becomes the whole: no copy
			case j.first:
				sum.Merge(r.sum)
			default:
				sum.MergeSection(r.sum, lineBase)
			}
			if j.section != nil && j.first && !j.section.Parquet && !j.section.Array {
				// Clean sections hold at least one record each, and only records a line at a
				// time: the whole file is JSON Lines, whatever its first section alone is.
				sum.Inputs[len(sum.Inputs)-1].Format = "json/lines"
			}
			if j.first {
				lineBase = 0
			}
			lineBase += r.lines
			*r = jobResult{}
			<-slots
		}
		i-- // the loop's i++ moves to k
	}
	if sum == nil {
		sum = newSummary()
	}
	return sum, read, failed, nil
}

// sectionsClean reports whether the sections of one file (its jobs and their results)
// all read as the whole file reads them: each clean, none with an error.
func sectionsClean(jobs []job, results []jobResult) bool {
	for k := range jobs {
		if !results[k].clean || results[k].msg != "" {
			return false
		}
	}
	return true
}

// runJob reads one input or section into a summary of its own. It is the boundary that
// contains a panic (a decoder bug) to its input: the input fails, named, with the panic
// as its error, and the other jobs go on. Nothing inside it recovers.
func runJob(ctx context.Context, j job, src sources, newSummary func() *report.Summary) (r jobResult) {
	if n, ok := src.pruned[j.path]; ok {
		r.sum = newSummary()
		r.sum.AddPruned(j.path, n)
		return r
	}
	prog := src.prog
	r.sum = newSummary()
	defer func() {
		if j.section == nil || j.first {
			prog.inputDone()
		}
	}()
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		err := fmt.Errorf("%s: internal error: %v", j.path, v)
		if r.sum != nil {
			r.sum.Close() // what it spilled goes now, not at the end of the run
		}
		r = jobResult{sum: newSummary(), msg: fmt.Sprintf("%v (skipped; please report it)", err), stack: debug.Stack()}
		r.sum.Failed(j.path, err)
	}()
	var in *parse.Input
	var err error
	if j.section != nil {
		in, err = parse.OpenWith(j.path, nil, parse.OpenOptions{Section: j.section, Count: prog.counter(), Context: ctx})
	} else {
		in, err = openInput(ctx, j.path, src.stdin, src.store, parse.OpenOptions{Format: src.format, Count: prog.counter(), Context: ctx})
	}
	if r.fatal = authOf(err); r.fatal != nil {
		return r
	}
	if err != nil {
		r.msg = fmt.Sprintf("%v (skipped)", err)
		r.sum.Failed(j.path, err)
		return r
	}
	defer in.Close()
	if jobHook != nil {
		jobHook(j.path)
	}
	err = r.sum.Read(in)
	if r.fatal = authOf(err); r.fatal != nil {
		return r
	}
	r.lines = in.Lines()
	r.clean = err == nil && in.Clean()
	got := r.sum.Inputs[len(r.sum.Inputs)-1]
	r.read = err == nil || got.Records+got.Skipped+got.Filtered+got.Other+got.Audit > 0
	if err != nil {
		r.msg = fmt.Sprintf("%v (what was read before counts)", err)
		if !r.read {
			r.msg = fmt.Sprintf("%v (nothing read)", err)
		}
	}
	return r
}

// isRegular reports whether path names a regular file (following links).
func isRegular(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// wantColor decides whether the table format may use colour.
func wantColor(mode string, toStdout bool, stdout io.Writer) (bool, error) {
	switch mode {
	case "always":
		return !toStdout || consoleEscapes(stdout), nil
	case "never":
		return false, nil
	case "auto":
		if _, set := os.LookupEnv("NO_COLOR"); set || !toStdout {
			return false, nil
		}
		return isTerminal(stdout) && consoleEscapes(stdout), nil
	}
	return false, usageError("--color must be auto, always or never, not %q", mode)
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
