package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestEventsPanicContained: a panic inside one input's selection fails that input, named,
// and events goes on with the others; --strict makes it exit 4.
func TestEventsPanicContained(t *testing.T) {
	eventsHook = func(path string) {
		if strings.Contains(path, "signIns.jsonl") {
			panic("boom")
		}
	}
	defer func() { eventsHook = nil }()
	out, errs, code := runCLI(t, "", "events", "--strict", "../../samples/graph")
	if code != 4 || !strings.Contains(errs, "signIns.jsonl: internal error: boom") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if !strings.Contains(out, "signIns-v1.0-page1.json") {
		t.Errorf("the other inputs' events are missing:\n%s", out)
	}
}

// TestEventsCancelled: a cancelled context stops events at once.
func TestEventsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr strings.Builder
	start := time.Now()
	code := run(ctx, []string{"events", "../../samples/"}, strings.NewReader(""), &stdout, &stderr)
	if code == 0 || time.Since(start) > 5*time.Second {
		t.Errorf("exit %d after %v: %s", code, time.Since(start), stderr.String())
	}
}
