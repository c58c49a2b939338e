package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMemprofileUnwritable: a --memprofile that cannot be created is an error before the
// sweep, as --cpuprofile is, not a heap profile silently left out.
func TestMemprofileUnwritable(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCLI(t, "", "sweep", "--memprofile", filepath.Join(notDir, "heap.out"), samplesDir+"/graph")
	if code != 1 || out != "" || !strings.Contains(errs, "--memprofile") {
		t.Fatalf("exit %d, stdout %d bytes, stderr %q; want exit 1, nothing on stdout, --memprofile named", code, len(out), errs)
	}
	heap := filepath.Join(t.TempDir(), "heap.out")
	if _, errs, code := runCLI(t, "", "sweep", "--memprofile", heap, samplesDir+"/graph"); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if fi, err := os.Stat(heap); err != nil || fi.Size() == 0 {
		t.Fatalf("heap profile: %v, %v; want a non-empty file", fi, err)
	}
}
