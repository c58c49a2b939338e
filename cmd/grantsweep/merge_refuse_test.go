package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMergeRefusesMismatchedDedupe: summaries made with and without de-duplication are
// refused together as a usage error (exit 2), as any summary merge cannot take is.
func TestMergeRefusesMismatchedDedupe(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	for _, run := range []struct {
		out  string
		args []string
	}{{a, []string{"../../samples/graph"}}, {b, []string{"--no-dedupe", "../../samples/log-analytics"}}} {
		args := append([]string{"sweep", "--format", "json", "-o", run.out}, run.args...)
		if _, errs, code := runCLI(t, "", args...); code != 0 {
			t.Fatalf("sweep: exit %d: %s", code, errs)
		}
	}
	if _, err := os.Stat(b); err != nil {
		t.Fatal(err)
	}
	_, errs, code := runCLI(t, "", "merge", a, b)
	if code != 2 || !strings.Contains(errs, "de-duplication") {
		t.Errorf("merge: exit %d, %q; want 2 naming de-duplication", code, errs)
	}
}
