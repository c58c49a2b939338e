package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/grantsweep/grantsweep/parse"
)

// progress draws a one-line progress report on stderr, counted in bytes read, while
// inputs are read. It is drawn only on a terminal (or with --progress=always), never
// into a pipe or a file.
type progress struct {
	w      io.Writer
	total  int64        // bytes in all local inputs, 0 when unknown (stdin)
	remote atomic.Int64 // bytes in all remote inputs, from their listing (addSizes)
	stdin  bool
	read   atomic.Int64
	inputs int
	done   atomic.Int64
	stop   chan struct{}
	wg     sync.WaitGroup
}

// startProgress starts drawing when mode asks for it; it returns nil otherwise. The line
// draws with control bytes of its own ('\r', erase to the end of the line), so it writes
// to the standard error under the message writer that run wraps it in (see
// messageWriter); anything it shows from the inputs goes through report.Escape.
func startProgress(mode string, stderr io.Writer, paths []string) (*progress, error) {
	if u, ok := stderr.(interface{ Unwrap() io.Writer }); ok {
		stderr = u.Unwrap()
	}
	switch mode {
	case "never":
		return nil, nil
	case "auto":
		if !isTerminal(stderr) {
			return nil, nil
		}
	case "always":
	default:
		return nil, usageError("--progress must be auto, always or never, not %q", mode)
	}
	if !consoleEscapes(stderr) {
		return nil, nil // a Windows console without virtual-terminal processing
	}
	p := &progress{w: stderr, inputs: len(paths), stop: make(chan struct{})}
	for _, path := range paths {
		if path == parse.Stdin {
			p.total = 0
			p.stdin = true
			break
		}
		if fi, err := os.Stat(path); err == nil {
			p.total += fi.Size()
		}
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		start := time.Now()
		for {
			select {
			case <-p.stop:
				fmt.Fprint(p.w, "\r\x1b[K")
				return
			case <-tick.C:
				p.draw(time.Since(start))
			}
		}
	}()
	return p, nil
}

// addSizes adds the sizes of remote inputs, from their listing, to the total.
func (p *progress) addSizes(sizes map[string]int64) {
	if p == nil || p.stdin {
		return
	}
	for _, n := range sizes {
		p.remote.Add(n)
	}
}

func (p *progress) draw(elapsed time.Duration) {
	read, total := p.read.Load(), p.total+p.remote.Load()
	rate := float64(read) / 1e6 / max(elapsed.Seconds(), 0.001)
	line := fmt.Sprintf("grantsweep: %s read, %d of %s, %.0f MB/s", bytesText(read), p.done.Load(), plural(int64(p.inputs), "input"), rate)
	if total > 0 {
		frac := min(float64(read)/float64(total), 1)
		const width = 30
		n := int(frac * width)
		bar := ""
		for i := range width {
			if i < n {
				bar += "█"
			} else {
				bar += "░"
			}
		}
		line = fmt.Sprintf("grantsweep: %s %3.0f%%  %s of %s, %d of %s, %.0f MB/s", bar, frac*100, bytesText(read), bytesText(total), p.done.Load(), plural(int64(p.inputs), "input"), rate)
	}
	fmt.Fprint(p.w, "\r"+line+"\x1b[K")
}

// counter is where inputs count their bytes; nil when there is no progress line.
func (p *progress) counter() *atomic.Int64 {
	if p == nil {
		return nil
	}
	return &p.read
}

func (p *progress) inputDone() {
	if p != nil {
		p.done.Add(1)
	}
}

func (p *progress) finish() {
	if p == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
}

func bytesText(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%d kB", n/1000)
}
