package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/grantsweep/grantsweep/report"
)

// runMerge merges partial summaries (each from sweep --format json over a shard of the
// logs) into the summary of the whole: de-duplication and distinct counts included.
func runMerge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o outputOptions
	fs := newFlagSet("merge", stderr)
	o.addFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: grantsweep merge [flags] SUMMARY.json...\n\nMerge the JSON summaries of parts of the logs into the summary of the whole.\nThe summaries are taken in the order given.\n\nFlags:\n%s", fs.FlagUsages())
	}
	if err := parseFlags(fs, "merge", args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError("merge: give at least one SUMMARY.json")
	}
	p, err := o.prepare("merge", stdout, stderr)
	if err != nil {
		return err
	}
	defer closeBudget(p.budget)
	budget := p.budget
	var sum *report.Summary
	for _, path := range fs.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		part, err := report.ReadSummaryIn(f, path, p.set, budget)
		f.Close()
		var invalid *report.InvalidError
		if errors.As(err, &invalid) || errors.Is(err, report.ErrRuleSet) {
			// A summary sweep cannot have written, or one of another rule set: refused.
			return usageError("merge: %w", err)
		}
		if err != nil {
			return err
		}
		if sum == nil {
			sum = part
			continue
		}
		if part.Dedupe != sum.Dedupe {
			return usageError("merge: %s: made with de-duplication %v, the others with %v", path, part.Dedupe, sum.Dedupe)
		}
		// Each summary's counts were checked against MaxInt64; so is their sum. The
		// records and skipped records bound every other count that merging adds up.
		so, po := sum.OtherRecords(), part.OtherRecords()
		if sum.Records > math.MaxInt64-part.Records || sum.Skipped > math.MaxInt64-part.Skipped || so > math.MaxInt64-po ||
			sum.Records+part.Records > math.MaxInt64-sum.Skipped-part.Skipped-so-po {
			return usageError("merge: %s: totals: its records, skipped records and other records and those of the summaries before it add up to more than %d", path, int64(math.MaxInt64))
		}
		sum.Merge(part)
	}
	err = o.finish(sum, p, stdout, stderr)
	reportSpill(stderr, budget, p.memory)
	return err
}
