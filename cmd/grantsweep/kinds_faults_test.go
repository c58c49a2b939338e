package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMergeOtherRecordsOverflow: summaries whose other records add up past INT64_MAX are
// refused, not wrapped to a negative count.
func TestMergeOtherRecordsOverflow(t *testing.T) {
	dir := t.TempDir()
	out, errs, code := runCLI(t, "", "sweep", "--format", "json", otherFile)
	if code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, errs)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	const huge = 5e18
	m["totals"].(map[string]any)["other_records"] = huge
	m["inputs"].([]any)[0].(map[string]any)["other_records"] = huge
	m["inputs"].([]any)[0].(map[string]any)["error"] = "not a sign-in export: 5000000000000000000 RiskyUsers records"
	m["other_records"].([]any)[0].(map[string]any)["records"] = huge
	delete(m["partial"].(map[string]any), "shard") // the inputs changed: it would not match them
	b, _ := json.Marshal(m)
	p := filepath.Join(dir, "big.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := runCLI(t, "", "merge", p); code != 0 {
		t.Fatalf("one such summary alone is valid: exit %d: %s", code, errs)
	}
	// Another shard like it: the same counts from another file.
	m["inputs"].([]any)[0].(map[string]any)["path"] = "another-day.json"
	b, _ = json.Marshal(m)
	p2 := filepath.Join(dir, "big2.json")
	if err := os.WriteFile(p2, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code = runCLI(t, "", "merge", "--format", "json", p, p2)
	if code != 2 || !strings.Contains(errs, "other records") {
		t.Errorf("merge of two: exit %d, %q; want 2 naming other records\n%.300s", code, errs, out)
	}
}

// TestTruncatedGzipOfOtherRecords: a cut gzip of an export of other logs counts what it
// holds (directory audit records: audit_records), as a cut sign-in export does: it was read.
func TestTruncatedGzipOfOtherRecords(t *testing.T) {
	data, err := os.ReadFile(auditFile)
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(data)
	zw.Close()
	p := filepath.Join(t.TempDir(), "audit.json.gz")
	if err := os.WriteFile(p, z.Bytes()[:z.Len()-8], 0o644); err != nil { // no trailer
		t.Fatal(err)
	}
	out, errs, code := runCLI(t, "", "sweep", "--format", "json", p)
	if code != 0 || !strings.Contains(out, `"audit_records": 22`) {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}
