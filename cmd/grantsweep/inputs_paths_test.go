package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// runCLIWithin is runCLI that fails the test, instead of hanging it, when the run takes
// longer than limit; unblock (which may be nil) is then called to let the run end.
func runCLIWithin(t *testing.T, limit time.Duration, unblock func(), args ...string) (stdout, stderr string, code int) {
	t.Helper()
	type result struct {
		out, err string
		code     int
	}
	done := make(chan result, 1)
	go func() {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
		done <- result{out.String(), errb.String(), code}
	}()
	select {
	case r := <-done:
		return r.out, r.err, r.code
	case <-time.After(limit):
		if unblock != nil {
			unblock()
		}
		t.Fatalf("grantsweep %s did not finish within %v", strings.Join(args, " "), limit)
		return "", "", 0
	}
}

// mkfifo makes a FIFO in a temporary directory, or skips the test where there are none.
func mkfifo(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "signins.fifo")
	if err := makeFIFO(p); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	return p
}

// unblockFIFO ends a reader's wait on a FIFO whose writer is gone: it opens and closes
// the writing end (without waiting when no reader is there).
func unblockFIFO(p string) func() {
	return func() {
		if w, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	}
}

// TestSweepFIFO: a named FIFO is opened once and read as a stream (Parquet spooled),
// with several workers (which probe files to split them).
func TestSweepFIFO(t *testing.T) {
	for _, tt := range []struct{ name, sample string }{
		{"json lines", "graph/signIns.jsonl"},
		{"parquet", "adx/AADNonInteractiveUserSignInLogs.parquet"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(samplesDir, tt.sample))
			if err != nil {
				t.Fatal(err)
			}
			want := sweepTotals(t, filepath.Join(samplesDir, tt.sample))
			fifo := mkfifo(t)
			go func() {
				w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
				if err == nil {
					w.Write(data)
					w.Close()
				}
			}()
			out, errs, code := runCLIWithin(t, 20*time.Second, unblockFIFO(fifo), "sweep", "--workers", "2", "--format", "json", fifo)
			if code != 0 || errs != "" {
				t.Fatalf("exit %d, stderr %q", code, errs)
			}
			got := validate(t, out)
			if got.Totals != want.Totals {
				t.Errorf("totals from the FIFO %+v, want the file's %+v", got.Totals, want.Totals)
			}
		})
	}
}

// sweepTotals is the JSON summary of a sweep of paths.
func sweepTotals(t *testing.T, paths ...string) summary {
	t.Helper()
	out, errs, code := runCLI(t, "", append([]string{"sweep", "--format", "json"}, paths...)...)
	if code != 0 {
		t.Fatalf("sweep %v: exit %d, %s", paths, code, errs)
	}
	return validate(t, out)
}

// TestSweepSymlinks: a link to a directory given as PATH is followed; links in a walk
// too, each real file read once, unless --no-follow, which names each link on stderr.
func TestSweepSymlinks(t *testing.T) {
	graph, err := filepath.Abs(filepath.Join(samplesDir, "graph"))
	if err != nil {
		t.Fatal(err)
	}
	want := sweepTotals(t, graph)
	dir := t.TempDir()
	link := filepath.Join(dir, "dl")
	walk := filepath.Join(dir, "walk")
	os.Mkdir(walk, 0o755)
	for l, target := range map[string]string{link: graph, filepath.Join(walk, "graph"): graph, filepath.Join(walk, "again"): graph, filepath.Join(walk, "loop"): walk} {
		if err := os.Symlink(target, l); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name   string
		args   []string
		stderr []string // each must appear once
		inputs int
	}{
		{"link to a directory", []string{link}, nil, 3},
		{"links in a walk, each file once", []string{walk}, nil, 3},
		{"the directory and a link to it", []string{graph, link}, nil, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := sweepTotals(t, tt.args...)
			if got.Totals != want.Totals || len(got.Inputs) != tt.inputs {
				t.Errorf("totals %+v from %d inputs, want %+v from %d", got.Totals, len(got.Inputs), want.Totals, tt.inputs)
			}
		})
	}
	for _, cmd := range []string{"sweep", "events"} {
		t.Run(cmd+" --no-follow", func(t *testing.T) {
			os.WriteFile(filepath.Join(walk, "empty.json"), nil, 0o644)
			defer os.Remove(filepath.Join(walk, "empty.json"))
			_, errs, code := runCLI(t, "", cmd, "--no-follow", walk)
			if code != 0 {
				t.Fatalf("exit %d, stderr %s", code, errs)
			}
			for _, name := range []string{"again", "graph", "loop"} {
				msg := filepath.Join(walk, name) + ": symbolic link not followed (--no-follow)"
				if n := strings.Count(errs, msg); n != 1 {
					t.Errorf("stderr names %s %d times, want once:\n%s", name, n, errs)
				}
			}
		})
	}
}

// TestSweepNothingRead: an input that opened but broke before yielding anything was not
// read; when no input was read the exit is 1. A forced format that the bytes contradict
// is named before any decoding.
func TestSweepNothingRead(t *testing.T) {
	dir := t.TempDir()
	badFooter := filepath.Join(dir, "bad-footer.parquet")
	b := append([]byte("PAR1"), bytes.Repeat([]byte{1}, 100)...)
	b = binary.LittleEndian.AppendUint32(b, 60)
	os.WriteFile(badFooter, append(b, "PAR1"...), 0o644)
	empty := filepath.Join(dir, "empty.json")
	os.WriteFile(empty, nil, 0o644)
	one := filepath.Join(samplesDir, "graph", "signIns.jsonl")
	portal := filepath.Join(samplesDir, "portal") + "/"
	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"forced parquet on CSV", []string{"sweep", "--input-format", "parquet", portal}, 1, "not Parquet: no PAR1 magic (it looks like CSV)"},
		{"forced json on CSV", []string{"sweep", "--input-format", "json", portal}, 1, "not JSON: first byte 'D'"},
		{"Parquet whose footer is unreadable", []string{"sweep", badFooter}, 1, "nothing could be read"},
		{"same, with a good input", []string{"sweep", badFooter, one}, 0, "bad-footer.parquet"},
		{"same, --strict", []string{"sweep", "--strict", badFooter, one}, 4, "1 input failed"},
		{"an empty file is fine", []string{"sweep", empty}, 0, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, errs, code := runCLI(t, "", tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.stderr) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, errs, tt.code, tt.stderr)
			}
		})
	}
}

// TestSweepJobPanic: a panic in one input's job (a decoder bug) fails that input, named,
// and the run goes on; the stack is shown only with GRANTSWEEP_DEBUG=1.
func TestSweepJobPanic(t *testing.T) {
	one := filepath.Join(samplesDir, "graph", "signIns.jsonl")
	two := filepath.Join(samplesDir, "graph", "signIns-v1.0-page1.json")
	want := sweepTotals(t, two)
	jobHook = func(path string) {
		if path == one {
			panic("boom")
		}
	}
	defer func() { jobHook = nil }()
	for _, tt := range []struct {
		name  string
		args  []string
		debug bool
		code  int
	}{
		{"goes on", []string{"--workers", "1"}, false, 0},
		{"in parallel", []string{"--workers", "2"}, false, 0},
		{"strict", []string{"--strict"}, false, 4},
		{"debug", nil, true, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.debug {
				t.Setenv("GRANTSWEEP_DEBUG", "1")
			}
			args := append(append([]string{"sweep", "--format", "json"}, tt.args...), one, two)
			out, errs, code := runCLI(t, "", args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, errs)
			}
			if !strings.Contains(errs, one+": internal error: boom") {
				t.Errorf("stderr does not name the input and the panic:\n%s", errs)
			}
			if hasStack := strings.Contains(errs, "goroutine "); hasStack != tt.debug {
				t.Errorf("stack on stderr: %v, want %v:\n%s", hasStack, tt.debug, errs)
			}
			var got summary
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			failedListed := false
			for _, in := range got.Inputs {
				failedListed = failedListed || in.Path == one && in.Records == 0 && strings.Contains(in.Error, "internal error: boom")
			}
			if got.Totals != want.Totals || len(got.Inputs) != 2 || !failedListed {
				t.Errorf("totals %+v, inputs %+v; want the other input's %+v and the failed one listed, empty, with its error", got.Totals, got.Inputs, want.Totals)
			}
		})
	}
}

// slowReader is a standard input that gives one record every few milliseconds, forever
// (until stop).
type slowReader struct {
	line []byte
	stop atomic.Bool
	n    int
}

func (s *slowReader) Read(p []byte) (int, error) {
	if s.stop.Load() {
		return 0, fmt.Errorf("stopped")
	}
	time.Sleep(5 * time.Millisecond)
	s.n++
	return copy(p, bytes.Replace(s.line, []byte("ID"), fmt.Appendf(nil, "%d", s.n), 1)), nil
}

// TestSweepCancel: cancelling the context (Ctrl-C) stops the jobs under way within a
// second, even one reading a FIFO whose writer never finishes or a standard input that
// never ends.
func TestSweepCancel(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(samplesDir, "graph", "signIns.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	line = append(bytes.Replace(line, []byte(`"id":"`), []byte(`"id":"ID-`), 1), '\n')

	for _, tt := range []struct {
		name    string
		workers string
	}{{"fifo, one worker", "1"}, {"fifo, two workers", "2"}, {"stdin", "1"}} {
		t.Run(tt.name, func(t *testing.T) {
			stdin := &slowReader{line: line}
			defer stdin.stop.Store(true)
			path := "-"
			if tt.name != "stdin" {
				path = mkfifo(t)
				release := make(chan struct{})
				defer close(release)
				go func() {
					w, err := os.OpenFile(path, os.O_WRONLY, 0)
					if err != nil {
						return
					}
					defer w.Close()
					for range 64 << 10 / len(data) {
						w.Write(data) // more than the detection reads; then nothing, and no end
					}
					w.Write(data)
					<-release
				}()
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan int, 1)
			var errb bytes.Buffer
			go func() {
				done <- run(ctx, []string{"sweep", "--workers", tt.workers, path}, stdin, new(bytes.Buffer), &errb)
			}()
			time.Sleep(300 * time.Millisecond)
			cancel()
			select {
			case code := <-done:
				if code != exitError {
					t.Errorf("exit %d, want %d", code, exitError)
				}
			case <-time.After(time.Second):
				t.Fatal("the run went on a second after its context was cancelled")
			}
		})
	}
}
