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

// TestEmptyWindow: an --until that is not after --since selects nothing whatever the
// logs hold: a usage error naming both, as the swapped --since 1d --until 2d (meant: from
// two days back to one) is, not a run that removes every record and exits 0.
func TestEmptyWindow(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"swapped dates", []string{"--since", "2026-11-25", "--until", "2026-11-24"}},
		{"equal", []string{"--since", "2026-11-24T10:00", "--until", "2026-11-24 10:00"}},
		{"swapped durations", []string{"--since", "1d", "--until", "2d"}},
	} {
		for _, cmd := range []string{"sweep", "events"} {
			t.Run(tc.name+"/"+cmd, func(t *testing.T) {
				args := append(append([]string{cmd}, tc.args...), samplesDir+"/graph")
				out, errs, code := runCLI(t, "", args...)
				if code != 2 || out != "" || !strings.Contains(errs, "--until") || !strings.Contains(errs, "--since") {
					t.Fatalf("%v: exit %d, stdout %d bytes, stderr %q; want exit 2 naming --since and --until, nothing on stdout", args, code, len(out), errs)
				}
			})
		}
	}
	// A window of one minute is not empty.
	if _, errs, code := runCLI(t, "", "sweep", "--since", "2026-11-24T10:00", "--until", "2026-11-24T10:01", samplesDir+"/graph"); code != 0 {
		t.Fatalf("one minute: exit %d, stderr %q", code, errs)
	}
}

// TestMergeRefusesOtherRedaction: a shard swept with --redact and one without (or with
// another key) name the same user differently: merged, each user would count twice and
// the report would mix pseudonyms with UPNs. The summary records the redaction (a
// fingerprint of the key, not the key) and merge refuses the mix, as it refuses other
// filters; shards redacted with the same key merge.
func TestMergeRefusesOtherRedaction(t *testing.T) {
	dir := t.TempDir()
	sweep := func(name, shard string, flags ...string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		args := append(append([]string{"sweep", "--format", "json", "-o", p}, flags...), samplesDir+"/"+shard)
		if _, errs, code := runCLI(t, "", args...); code != 0 {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errs)
		}
		return p
	}
	plain := sweep("plain.json", "graph")
	k1 := sweep("k1.json", "eventhub", "--redact", "--redact-key", "k1")
	k1b := sweep("k1b.json", "graph", "--redact", "--redact-key", "k1")
	k2 := sweep("k2.json", "graph", "--redact", "--redact-key", "k2")
	data, err := os.ReadFile(k1)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), `"k1"`) {
		t.Fatalf("the summary holds the redaction key itself")
	}
	validate(t, string(data))
	for _, tc := range []struct{ name, a, b string }{{"redacted and not", plain, k1}, {"other keys", k2, k1}} {
		out, errs, code := runCLI(t, "", "merge", tc.a, tc.b)
		if code != 2 || out != "" || !strings.Contains(errs, "redact") {
			t.Errorf("%s: merge exit %d, stdout %d bytes, stderr %q; want exit 2 naming --redact", tc.name, code, len(out), errs)
		}
	}
	if _, errs, code := runCLI(t, "", "merge", "--format", "json", k1, k1b); code != 0 {
		t.Errorf("same key: merge exit %d, stderr %q", code, errs)
	}
}

// TestMergeRelativeSinceHint: shards swept with --since 24h a moment apart differ in
// their --since by that moment; merge refuses them, and says why and what to give.
func TestMergeRelativeSinceHint(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	for _, s := range []struct{ out, shard, since string }{{a, "graph", "2026-11-24T01:00:00.5Z"}, {b, "eventhub", "2026-11-24T01:00:01.2Z"}} {
		if _, errs, code := runCLI(t, "", "sweep", "--format", "json", "--since", s.since, "-o", s.out, samplesDir+"/"+s.shard); code != 0 {
			t.Fatalf("exit %d, stderr %q", code, errs)
		}
	}
	_, errs, code := runCLI(t, "", "merge", a, b)
	if code != 2 || !strings.Contains(errs, "24h") || !strings.Contains(errs, "absolute") {
		t.Fatalf("merge: exit %d, stderr %q; want exit 2 and a word on relative times", code, errs)
	}
}
