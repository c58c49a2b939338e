package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	// A soft memory limit keeps the Go heap of a sweep of any size near 48 MiB, so that
	// with the program's own pages its peak RSS stays under 64 MiB; the garbage collector
	// works harder near it. GOMEMLIMIT overrides it.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(48 << 20)
	}
	// The first Ctrl-C (or SIGTERM) cancels ctx: the jobs under way stop within a buffer
	// and nothing more is read. Handling then stops, so that a second one kills the
	// process at once, whatever it waits for.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
