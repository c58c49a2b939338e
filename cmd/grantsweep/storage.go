package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/spf13/pflag"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/parse/blob"
	"github.com/grantsweep/grantsweep/report"
)

// storageOptions are the flags of inputs in storage accounts (sweep, events, merge).
type storageOptions struct {
	endpoint    string
	blobTimeout time.Duration
	noPrune     bool
}

func (o *storageOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.endpoint, "storage-endpoint", "", "for az:// and abfss:// PATHs: the storage `SUFFIX` of a sovereign cloud (core.usgovcloudapi.net, core.chinacloudapi.cn), or the blob service URL to read them from (a private endpoint)")
	fs.BoolVar(&o.noPrune, "no-prune", false, "read every y=/m=/d=/h= (and Hive date=, year=...) folder, local or remote, even those --since/--until rule out (for blobs that hold records outside their folder's hour)")
	fs.DurationVar(&o.blobTimeout, "blob-timeout", 30*time.Minute, "give up a blob that is not read within `DURATION`, retries included (it is that input's error)")
}

// storageRetry, when set (by tests), replaces the SDK's delay before a retry, and
// storageRetries its count (0: the default of 5).
var (
	storageRetry   time.Duration
	storageRetries int
)

// newStore is the Store that reads the remote PATHs.
func (o *storageOptions) newStore(w parse.Window) *blob.Store {
	return blob.New(blob.Options{Endpoint: o.endpoint, Window: w, BlobTimeout: o.blobTimeout, RetryDelay: storageRetry, MaxRetries: storageRetries})
}

// expansion is what the PATH arguments stand for.
type expansion struct {
	paths  []string       // local paths, - and remote blob names
	failed int            // arguments that named nothing
	pruned []parse.Pruned // partition folders --since/--until pruned, by argument
	store  *blob.Store    // reads the remote paths; nil when there is none
	sizes  map[string]int64
}

// windowOf is the window of --since/--until, for pruning.
func windowOf(f *report.Filter) parse.Window {
	if f == nil {
		return parse.Window{}
	}
	return parse.Window{Since: f.Since, Until: f.Until}
}

// expandInputs turns the PATH arguments, local and remote in any mix, into input paths:
// local ones through parse.ExpandAll, remote ones (URLs of blobs, see blob.IsRemote)
// listed by a Store. Every argument that names nothing is named on stderr (failed counts
// them), and so is every link --no-follow skipped. A refused credential ends it (exit 1).
func expandInputs(ctx context.Context, args []string, noFollow bool, st storageOptions, w parse.Window, stderr io.Writer) (x expansion, err error) {
	if st.noPrune {
		w = parse.Window{}
	}
	var local, remote []string
	for _, a := range args {
		if blob.IsRemote(a) {
			remote = append(remote, a)
		} else {
			local = append(local, a)
		}
	}
	if len(local) > 0 {
		e := parse.ExpandAll(local, parse.ExpandOptions{NoFollow: noFollow, Window: w})
		for _, err := range e.Errs {
			fmt.Fprintf(stderr, "grantsweep: %v\n", err)
		}
		for _, l := range e.Unfollowed {
			fmt.Fprintf(stderr, "grantsweep: %s: symbolic link not followed (--no-follow)\n", l)
		}
		x.paths, x.failed, x.pruned = e.Paths, len(e.Errs), e.Pruned
	}
	if len(remote) == 0 {
		return x, nil
	}
	x.store, x.sizes = st.newStore(w), map[string]int64{}
	for _, a := range slices.Compact(slices.Sorted(slices.Values(remote))) {
		if err := ctx.Err(); err != nil {
			return x, err
		}
		blobs, pruned, err := x.store.Expand(ctx, a)
		if auth := (*blob.AuthError)(nil); errors.As(err, &auth) {
			return x, err
		}
		if err != nil {
			fmt.Fprintf(stderr, "grantsweep: %v\n", err)
			x.failed++
			continue
		}
		for _, b := range blobs {
			x.paths = append(x.paths, b.Name)
			x.sizes[b.Name] = b.Size
		}
		if len(pruned) > 0 {
			x.pruned = append(x.pruned, parse.Pruned{Arg: blob.Shown(a), Folders: pruned})
		}
	}
	return x, nil
}

// reportPruned says on stderr how many partition folders --since/--until pruned.
func reportPruned(stderr io.Writer, pruned []parse.Pruned) {
	n := 0
	for _, p := range pruned {
		n += len(p.Folders)
	}
	if n == 0 {
		return
	}
	fmt.Fprintf(stderr, "grantsweep: --since/--until pruned %s (neither listed nor opened: no record in them can be in the window), below %s; the first: %s\n",
		plural(int64(n), "partition folder"), plural(int64(len(pruned)), "argument"), pruned[0].Folders[0])
}

// prunedInputs are the PATHs below which partition folders were pruned, with their count.
func prunedInputs(pruned []parse.Pruned) map[string]int64 {
	if len(pruned) == 0 {
		return nil
	}
	m := map[string]int64{}
	for _, p := range pruned {
		m[p.Arg] += int64(len(p.Folders))
	}
	return m
}

// openInput opens one input: a blob the store listed, or a local path (or -).
func openInput(ctx context.Context, path string, stdin io.Reader, store *blob.Store, opt parse.OpenOptions) (*parse.Input, error) {
	if store != nil && opt.Section == nil {
		if b, ok := store.Lookup(path); ok {
			r, err := store.Open(ctx, b)
			if err != nil {
				return nil, err
			}
			opt.Context = ctx
			in, err := parse.OpenReader(r, path, opt)
			if err != nil {
				return nil, wrapAuth(err)
			}
			return in, nil
		}
	}
	return parse.OpenWith(path, stdin, opt)
}

// wrapAuth is err, or the *blob.AuthError inside it: a refusal is said once, not per blob.
func wrapAuth(err error) error {
	if auth := (*blob.AuthError)(nil); errors.As(err, &auth) {
		return auth
	}
	return err
}

// authOf is the *blob.AuthError in err, or nil.
func authOf(err error) error {
	if auth := (*blob.AuthError)(nil); errors.As(err, &auth) {
		return auth
	}
	return nil
}
