package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	// A soft memory limit of 48 MiB for the commands without a memory budget (events,
	// rules); sweep and merge set theirs from --memory (see memoryOptions.budget), and
	// GOMEMLIMIT overrides both.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(48 << 20)
	}
	// The first Ctrl-C (or SIGTERM) cancels ctx: the jobs under way stop within a buffer
	// and nothing more is read, and spilled events are removed on the way out.
	// A second one ends it there, after removing what was spilled to disk.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, func() {
		stop()
		again := make(chan os.Signal, 1)
		signal.Notify(again, os.Interrupt, syscall.SIGTERM)
		go func() {
			<-again
			cleanup()
			os.Exit(130)
		}()
	})
	runtimeLimit = true // sweep and merge set it from their memory budget
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	cleanup()
	os.Exit(code)
}
