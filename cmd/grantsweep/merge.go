package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math"
	"os"
	"strings"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/parse/blob"
	"github.com/grantsweep/grantsweep/report"
)

// runMerge merges partial summaries (each from sweep --format json over a shard of the
// logs) into the summary of the whole: de-duplication and distinct counts included.
func runMerge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o outputOptions
	var st storageOptions
	fs := newFlagSet("merge", stderr)
	o.addFlags(fs)
	st.addFlags(fs)
	helpOn(fs, "merge", stdout)
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
	paths, store, err := mergePaths(ctx, fs.Args(), st)
	if err != nil {
		return err
	}
	var sum *report.Summary
	var seen shards
	for _, path := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := openSummary(ctx, path, store)
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
		if err := seen.add(path, part); err != nil {
			part.Close()
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

// shards are the summaries a merge has taken, so that it refuses one it has taken
// before, one that holds an input another holds (a merge of shards beside one of them),
// and one made with other filters. Each is a usage error (exit 2), as every summary
// merge refuses is: the command line named the wrong files.
type shards struct {
	ids     map[string]string // shard -> the file that had it
	inputs  map[[16]byte]string
	filters string // of the first summary that records them
	from    string // that summary's file; "" for none yet
}

func (sh *shards) add(path string, part *report.Summary) error {
	if sh.ids == nil {
		sh.ids, sh.inputs = map[string]string{}, map[[16]byte]string{}
	}
	id := part.Shard()
	if first, dup := sh.ids[id]; dup {
		return usageError("merge: %s: the same shard as %s (%s, the same inputs): merging it again would count its records twice", path, first, id)
	}
	sh.ids[id] = path
	for i := range part.Inputs {
		in := &part.Inputs[i]
		if in.Records+in.Skipped+in.Other+in.Audit == 0 {
			continue // counted nothing: nothing to count twice
		}
		k := sha256.Sum256([]byte(in.Key()))
		key := [16]byte(k[:16])
		if first, dup := sh.inputs[key]; dup {
			return usageError("merge: %s: input %s (%s) is in %s too: its records would count twice; merge shards of different inputs", path, in.Path, plural(in.Records, "record"), first)
		}
		sh.inputs[key] = path
	}
	// Summaries that do not record their filters (written before summaries did) are
	// taken to have the others'.
	flags, known := part.FilterFlags()
	switch {
	case !known:
	case sh.from == "":
		sh.filters, sh.from = flags, path
	case flags != sh.filters:
		hint := ""
		if strings.Contains(flags+" "+sh.filters, "--since ") || strings.Contains(flags+" "+sh.filters, "--until ") {
			hint = "; a relative --since or --until (24h) is resolved when each shard runs: give every shard the same absolute time"
		}
		return usageError("merge: %s: made with %s, %s with %s: shards must be swept with the same filters (their shares would mean nothing)%s", path, orNone(flags), sh.from, orNone(sh.filters), hint)
	}
	return nil
}

// mergePaths are the summaries merge reads: each local PATH as it is given, and the blobs
// each remote one names (a summary, or a glob of them), sorted.
func mergePaths(ctx context.Context, args []string, st storageOptions) (paths []string, store *blob.Store, err error) {
	for _, a := range args {
		if !blob.IsRemote(a) {
			paths = append(paths, a)
			continue
		}
		if store == nil {
			store = st.newStore(parse.Window{})
		}
		blobs, _, err := store.Expand(ctx, a)
		if err != nil {
			return nil, nil, err
		}
		for _, b := range blobs {
			paths = append(paths, b.Name)
		}
	}
	return paths, store, nil
}

// openSummary opens a summary merge reads: a blob listed by store, or a local file.
func openSummary(ctx context.Context, path string, store *blob.Store) (io.ReadCloser, error) {
	if store != nil {
		if b, ok := store.Lookup(path); ok {
			return store.Open(ctx, b)
		}
	}
	return os.Open(path)
}

func orNone(flags string) string {
	if flags == "" {
		return "no filters"
	}
	return flags
}
