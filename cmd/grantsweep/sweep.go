package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/report"
	"github.com/grantsweep/grantsweep/rules"
)

// sweepOptions are the flags of "grantsweep sweep".
type sweepOptions struct {
	format   report.Format
	output   string
	top      int
	noDedupe bool
	strict   bool
	color    string
	cpuProf  string
	memProf  string
}

func (o *sweepOptions) addFlags(fs *pflag.FlagSet) {
	fs.TextVar(&o.format, "format", report.FormatTable, "output format: table, csv or json")
	fs.StringVarP(&o.output, "output", "o", "", "write the report to `FILE` (atomically) instead of standard output")
	fs.IntVar(&o.top, "top", 10, "rows per breakdown table (0 for all)")
	fs.BoolVar(&o.noDedupe, "no-dedupe", false, "count every copy of an in-scope event, even with an id seen before")
	fs.BoolVar(&o.strict, "strict", false, "exit 4 when any record was skipped or any input could not be read")
	fs.StringVar(&o.color, "color", "auto", "colour in the table format: auto (on a terminal, unless NO_COLOR is set), always or never")
	fs.StringVar(&o.cpuProf, "cpuprofile", "", "write a CPU profile to `FILE` (for reports of slowness)")
	fs.StringVar(&o.memProf, "memprofile", "", "write a heap profile to `FILE` at the end of the run")
}

func newFlagSet(name string, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	return fs
}

func runSweep(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o sweepOptions
	fs := newFlagSet("sweep", stderr)
	o.addFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: grantsweep sweep [flags] PATH...\n\nClassify the invalid-grant failures in sign-in exports and summarize them.\nPATH is a file, a directory (walked recursively), a glob, or - for standard input.\n\nFlags:\n%s", fs.FlagUsages())
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return usageError("sweep: %v", err)
	}
	if fs.NArg() == 0 {
		return usageError("sweep: give at least one PATH (a file, directory, glob, or - for standard input)")
	}
	if o.top < 0 {
		return usageError("sweep: --top must be 0 (all) or more, not %d", o.top)
	}
	color, err := wantColor(o.color, o.output == "", stdout)
	if err != nil {
		return err
	}

	stop, err := startProfiles(o.cpuProf, o.memProf)
	if err != nil {
		return err
	}
	defer stop() // a second call does nothing

	sum := report.New(rules.Default())
	sum.Dedupe = !o.noDedupe
	failed := 0
	paths, errs := parse.Expand(fs.Args())
	for _, err := range errs {
		fmt.Fprintf(stderr, "grantsweep: %v\n", err)
		failed++
	}
	read := 0
	for _, path := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		in, err := parse.Open(path, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "grantsweep: %v (skipped)\n", err)
			sum.Failed(path, err)
			failed++
			continue
		}
		read++
		if err := sum.Read(in); err != nil {
			fmt.Fprintf(stderr, "grantsweep: %v (what was read before counts)\n", err)
			failed++
		}
		in.Close()
	}
	if read == 0 {
		return errors.New("nothing could be read")
	}
	stop() // the heap profile shows what reading keeps

	opts := report.Options{Top: o.top, GeneratedBy: "grantsweep " + versionString(), Color: color}
	if err := writeOutput(o.output, stdout, func(w io.Writer) error { return sum.Write(w, o.format, opts) }); err != nil {
		return err
	}
	if sum.Skipped > 0 {
		sk := sum.Samples[0]
		fmt.Fprintf(stderr, "grantsweep: %d records skipped as undecodable; first at %s:%d (offset %d): %s\n",
			sum.Skipped, sk.Path, sk.Line, sk.Offset, sk.Reason)
	}
	if o.strict && (sum.Skipped > 0 || failed > 0) {
		return fmt.Errorf("%w: %d records skipped, %d inputs failed", errStrict, sum.Skipped, failed)
	}
	return nil
}

// wantColor decides whether the table format may use colour.
func wantColor(mode string, toStdout bool, stdout io.Writer) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		if _, set := os.LookupEnv("NO_COLOR"); set || !toStdout {
			return false, nil
		}
		return isTerminal(stdout), nil
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
