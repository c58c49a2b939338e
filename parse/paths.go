package parse

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// ExpandOptions say how Expand walks directories.
type ExpandOptions struct {
	// NoFollow skips the symbolic links met inside a directory walk (and in a glob's
	// traversal) instead of following them. Links named as arguments are followed either
	// way.
	NoFollow bool
	// Window, when not open, prunes the time partitions (see Window.Prunes) that cannot
	// hold a record in it: their folders are neither walked nor matched.
	Window Window
}

// Expansion is what ExpandAll found.
type Expansion struct {
	Paths      []string // the input paths, sorted
	Unfollowed []string // the symbolic links that NoFollow skipped, each once, in the order met
	Pruned     []Pruned // the partition folders that Window pruned, by argument, in argument order
	Errs       []error  // the arguments that name nothing, and what could not be read
}

// Pruned are the partition folders that a window pruned below one argument, sorted.
type Pruned struct {
	Arg     string
	Folders []string
}

// Expand turns command-line arguments into input paths, sorted: a file stands for itself, a
// directory for every file below it (recursively, skipping hidden names),
// a glob for its matches (a matching directory for the files below it), and "-" for
// standard input. Symbolic links are followed, each real file is listed once (under the
// first name met: arguments in sorted order, real names before names through links) and
// each directory walked once, so a link loop ends. Arguments that name nothing are
// returned as errors; the others are still expanded.
func Expand(args []string) ([]string, []error) {
	paths, _, errs := ExpandWith(args, ExpandOptions{})
	return paths, errs
}

// ExpandWith is Expand with options. unfollowed lists the symbolic links that NoFollow
// skipped, each once, in the order met.
func ExpandWith(args []string, opt ExpandOptions) (paths, unfollowed []string, errs []error) {
	x := ExpandAll(args, opt)
	return x.Paths, x.Unfollowed, x.Errs
}

// ExpandAll is ExpandWith that also says what the window pruned.
func ExpandAll(args []string, opt ExpandOptions) Expansion {
	e := &expander{opt: opt, files: map[fileKey]bool{}, dirs: map[fileKey]bool{}}
	var pruned []Pruned
	for _, arg := range slices.Compact(slices.Sorted(slices.Values(args))) {
		e.pruned = nil
		e.arg(arg)
		if len(e.pruned) > 0 {
			pruned = append(pruned, Pruned{Arg: arg, Folders: slices.Compact(slices.Sorted(slices.Values(e.pruned)))})
		}
	}
	// Links met in walks are followed after every real name was seen, so that a file
	// reachable both ways keeps its real name; following one may meet more.
	e.pruned = nil
	for len(e.links) > 0 {
		links := e.links
		e.links = nil
		for _, l := range links {
			e.follow(l)
		}
	}
	for _, f := range e.pruned { // below links followed after the arguments
		pruned = append(pruned, Pruned{Arg: f, Folders: []string{f}})
	}
	slices.Sort(e.paths)
	return Expansion{Paths: e.paths, Unfollowed: e.unfollowed, Pruned: pruned, Errs: e.errs}
}

type expander struct {
	opt        ExpandOptions
	files      map[fileKey]bool // real files listed
	dirs       map[fileKey]bool // real directories walked
	links      []string         // links met in walks, to follow
	paths      []string
	unfollowed []string
	pruned     []string // partition folders the window pruned below the argument at hand
	errs       []error
}

func (e *expander) arg(arg string) {
	if arg == Stdin {
		e.paths = append(e.paths, arg)
		return
	}
	fi, err := os.Stat(arg) // follows a link named
	switch {
	case err == nil:
		e.add(arg, fi)
	case strings.ContainsAny(arg, "*?[{"):
		// ** matches any number of directories: 'logs/**/PT1H.json'. A match that is a
		// directory stands for the files below it.
		var opts []doublestar.GlobOption
		if e.opt.NoFollow {
			opts = append(opts, doublestar.WithNoFollow())
		}
		matches, gerr := e.glob(arg, opts)
		if gerr != nil {
			e.errs = append(e.errs, fmt.Errorf("%s: %w", arg, gerr))
			return
		}
		if len(matches) == 0 {
			e.errs = append(e.errs, fmt.Errorf("%s: no files match", arg))
		}
		for _, m := range matches { // sorted
			if fi, err := os.Stat(m); err != nil {
				e.errs = append(e.errs, err)
			} else {
				e.add(m, fi)
			}
		}
	default:
		e.errs = append(e.errs, err)
	}
}

// glob is doublestar.FilepathGlob, except that with a window the partition folders it
// prunes are not read (nor matched): a glob over a year of hourly folders reads the
// folders of the window only.
func (e *expander) glob(arg string, opts []doublestar.GlobOption) ([]string, error) {
	if e.opt.Window.IsOpen() {
		return doublestar.FilepathGlob(arg, opts...)
	}
	pattern := filepath.ToSlash(filepath.Clean(arg))
	base, rest := doublestar.SplitPattern(pattern)
	if rest == "" || rest == "." || rest == ".." {
		return doublestar.FilepathGlob(arg, opts...)
	}
	fsys := prunedFS{FS: os.DirFS(base), base: base, e: e}
	matches, err := doublestar.Glob(fsys, rest, opts...)
	if err != nil {
		return nil, err
	}
	for i := range matches {
		matches[i] = filepath.FromSlash(path.Join(base, matches[i]))
	}
	return matches, nil
}

// prunedFS is a folder whose listings leave out the partition folders that the
// expander's window prunes (naming each as pruned).
type prunedFS struct {
	fs.FS
	base string
	e    *expander
}

func (p prunedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(p.FS, name)
	kept := entries[:0]
	for _, d := range entries {
		full := filepath.FromSlash(path.Join(p.base, name, d.Name()))
		if d.IsDir() && p.e.opt.Window.Prunes(full) {
			p.e.pruned = append(p.e.pruned, full)
			continue
		}
		kept = append(kept, d)
	}
	return kept, err
}

func (p prunedFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(p.FS, name) }

// add lists a file named (or matched), or walks a directory, unless seen before.
func (e *expander) add(p string, fi fs.FileInfo) {
	k := keyOf(p, fi)
	if fi.IsDir() && e.opt.Window.Prunes(p) {
		e.pruned = append(e.pruned, p)
		return
	}
	if fi.IsDir() {
		if !e.dirs[k] {
			e.dirs[k] = true
			e.walk(p)
		}
		return
	}
	if !e.files[k] {
		e.files[k] = true
		e.paths = append(e.paths, p)
	}
}

// walk lists the regular files below dir in lexical order, skipping hidden names and
// anything that is neither a file nor a directory (a FIFO in a log folder is not an
// input); links are kept to follow later, or named as unfollowed.
func (e *expander) walk(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		e.errs = append(e.errs, err) // the entries read before it still count
	}
	for _, d := range entries {
		if strings.HasPrefix(d.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, d.Name())
		t := d.Type()
		switch {
		case t&fs.ModeSymlink != 0:
			if e.opt.NoFollow {
				e.unfollowed = append(e.unfollowed, p)
			} else {
				e.links = append(e.links, p)
			}
		case t.IsDir(), t.IsRegular():
			fi, err := d.Info()
			if err != nil {
				e.errs = append(e.errs, err)
				continue
			}
			e.add(p, fi)
		}
	}
}

// follow lists or walks what a link met in a walk points to.
func (e *expander) follow(link string) {
	fi, err := os.Stat(link)
	switch {
	case err != nil:
		e.errs = append(e.errs, fmt.Errorf("following a symbolic link: %w", err))
	case fi.IsDir() || fi.Mode().IsRegular():
		e.add(link, fi)
	}
}

// fileKey names a real file or directory whatever the path that reaches it: its device
// and inode where the system has them (fileKeyOf), else its absolute path with links
// resolved.
type fileKey struct {
	dev, ino uint64
	path     string
}

func keyOf(p string, fi fs.FileInfo) fileKey {
	if k, ok := fileKeyOf(fi); ok {
		return k
	}
	if real, err := filepath.EvalSymlinks(p); err == nil {
		p = real
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return fileKey{path: p}
}
