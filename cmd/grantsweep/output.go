package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// writeOutput runs write against path, or against stdout when path is empty. A file is
// written atomically: to a temporary file in the same directory, synced, then renamed over
// path, so that a killed run never leaves half a report. A device or a pipe (/dev/null, a
// FIFO) has nothing to replace and is written directly. An error names path, never the
// temporary file.
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		return write(stdout)
	}
	if err := writeFile(path, write); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func writeFile(path string, write func(io.Writer) error) error {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		if fi.IsDir() {
			return errors.New("is a directory")
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return bare(err, path)
		}
		return bare(writeClose(f, write, false), path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return inDir(err, filepath.Dir(path))
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	if err := writeClose(tmp, write, true); err != nil {
		return bare(err, tmp.Name())
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return bare(err, tmp.Name())
	}
	return bare(os.Rename(tmp.Name(), path), tmp.Name())
}

// bare is err without the name of the file it happened to, when that is name (the
// temporary file, or the path the message names already): "permission denied" rather
// than "open /reports/.x.json.tmp123: permission denied".
func bare(err error, name string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == name {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) && (le.Old == name || le.New == name) {
		return le.Err
	}
	return err
}

// inDir is an error creating a file in dir, said of dir: "cannot create files in
// reports: permission denied".
func inDir(err error, dir string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("cannot create files in %s: %w", dir, err)
}

// writeClose writes through a buffer into f, flushes, syncs if asked, and closes f.
func writeClose(f *os.File, write func(io.Writer) error, sync bool) error {
	bw := bufio.NewWriter(f)
	err := write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// checkOutput reports whether a report could be written to path (-o), before any input
// is read: a sweep of a month of logs must not find out at its end. A file is written
// into its directory (see writeFile), so the directory must exist and take a new file:
// a probe file is created there and removed at once. A device or a pipe is not probed
// (it is written directly, and a FIFO would block until read).
func checkOutput(path string) error {
	if path == "" || path == "-" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return fmt.Errorf("writing %s: is a directory", path)
		}
		if !fi.Mode().IsRegular() {
			return nil
		}
	}
	if err := probeDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// checkOutDir reports whether --out DIR could be written, before any input is read: DIR
// is a directory that takes new files, or can be made in the nearest directory above it
// that exists.
func checkOutDir(dir string) error {
	if dir == "" {
		return nil
	}
	at := dir
	for {
		fi, err := os.Stat(at)
		if err == nil {
			if !fi.IsDir() {
				if at == dir {
					return fmt.Errorf("--out %s: not a directory", dir)
				}
				return fmt.Errorf("--out %s: %s is not a directory", dir, at)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return fmt.Errorf("--out %s: %w", dir, bare(err, at))
		}
		up := filepath.Dir(at)
		if up == at {
			return fmt.Errorf("--out %s: %w", dir, bare(err, at))
		}
		at = up
	}
	if err := probeDir(at); err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	return nil
}

// probeDir creates a file in dir and removes it: whether the reports can be written
// there.
func probeDir(dir string) error {
	f, err := os.CreateTemp(dir, ".grantsweep-probe-*")
	if err != nil {
		return inDir(err, dir)
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return inDir(err, dir)
	}
	return nil
}
