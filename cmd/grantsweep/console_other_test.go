//go:build !windows

package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestEnableConsoleVTOther checks the stub outside Windows: no file is a Windows console,
// so colour and the progress line decide as they did before there was a console check.
func TestEnableConsoleVTOther(t *testing.T) {
	tmp, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer tmp.Close()
	for _, f := range []*os.File{os.Stdout, os.Stderr, devNull(t), tmp} {
		if console, err := enableConsoleVT(f); console || err != nil {
			t.Errorf("enableConsoleVT(%s) = %v, %v, want false, nil", f.Name(), console, err)
		}
		if !consoleEscapes(f) {
			t.Errorf("consoleEscapes(%s) = false, want true", f.Name())
		}
	}
}
