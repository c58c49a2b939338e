package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestAuditLabelsUpToDate: testdata/audit-labels.json is what the generator writes
// (TestSamplesUpToDate checks samples/audit/ itself).
func TestAuditLabelsUpToDate(t *testing.T) {
	dir := t.TempDir()
	labels := filepath.Join(dir, "labels.json")
	if err := writeAuditSamplesLabels(dir, labels); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, labels), readFile(t, "testdata/audit-labels.json")) {
		t.Error("testdata/audit-labels.json differs from what the generator writes: run go generate ./cmd/gensamples")
	}
}

// TestAuditSamplesWriteOnce: writing the audit samples twice gives the same bytes, and
// the labels name files that exist.
func TestAuditSamplesWriteOnce(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, d := range []string{a, b} {
		if err := writeAuditSamplesLabels(d, filepath.Join(d, "labels.json")); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(readFile(t, filepath.Join(a, "labels.json")), readFile(t, filepath.Join(b, "labels.json"))) {
		t.Error("the labels differ between two runs")
	}
	for _, as := range auditSampleSet {
		if _, err := os.Stat(filepath.Join(a, auditDir, filepath.FromSlash(as.path))); err != nil {
			t.Errorf("%s: %v", as.name, err)
		}
	}
}
