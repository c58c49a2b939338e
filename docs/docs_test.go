package docs

import (
	"bytes"
	"flag"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "copy the team's working copies into docs/, keeping each copy's header")

// root is the repository, seen from this package's folder.
const root = ".."

// shared is where the team keeps its working copies of these documents, beside the
// checkout (as for the corpus the other packages' tests read); absent, the comparison is
// skipped.
const shared = "../../shared"

// copies are the documents kept in docs/ as copies of the team's working copies.
var copies = []string{"DESIGN.md", "TAXONOMY.md"}

// header splits a copy into its header (a "> " paragraph and the blank line after it) and
// the team's text.
func header(t *testing.T, name string, data []byte) (head, body []byte) {
	t.Helper()
	first, rest, ok := bytes.Cut(data, []byte("\n\n"))
	if !ok || !bytes.HasPrefix(first, []byte("> The repository's copy")) || bytes.Contains(first, []byte("\n")) {
		t.Fatalf("docs/%s does not start with its header line (\"> The repository's copy ...\", then a blank line)", name)
	}
	return data[:len(first)+2], rest
}

// TestCopiesMatchShared fails when a copy in docs/ has drifted from the team's working
// copy: the repository's copy is what users read, so a change to one must reach the other
// (go test ./docs -update copies the working copies in, keeping the headers).
func TestCopiesMatchShared(t *testing.T) {
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("%s is not beside this checkout", shared)
	}
	for _, name := range copies {
		copyPath := filepath.Join(root, "docs", name)
		ours, err := os.ReadFile(copyPath)
		if err != nil {
			t.Fatal(err)
		}
		head, body := header(t, name, ours)
		theirs, err := os.ReadFile(filepath.Join(shared, name))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(body, theirs) {
			continue
		}
		if *update {
			if err := os.WriteFile(copyPath, append(head, theirs...), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("docs/%s differs from %s/%s below its header: bring the change over (go test ./docs -update copies theirs in)", name, shared, name)
	}
}

// mdName finds the names of Markdown documents in text: DESIGN.md, docs/TAXONOMY.md,
// [bench/RESULTS.md](bench/RESULTS.md).
var mdName = regexp.MustCompile(`[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b`)

// notDocs are names a comment may mention that are no document of the repository: each
// public fixture of the corpus beside the checkout has a SOURCE.md saying where it
// comes from.
var notDocs = map[string]bool{"SOURCE.md": true}

// TestPointersResolve fails when a Go comment, a comment in a YAML file, the Dockerfile,
// .ci/run or the README names a document that is not in the repository (as DESIGN.md and
// TAXONOMY.md once were: they lived only beside it). A comment's name resolves from the
// repository's root or from the folder of the file that names it, so a bare "DESIGN.md"
// in report/ fails: it is docs/DESIGN.md. The README's names may also be bare names of
// documents anywhere in the repository (its layout lists bench/'s files by name).
func TestPointersResolve(t *testing.T) {
	present := map[string]bool{} // base names of the repository's documents
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
		if d.IsDir() {
			if d.Name() == ".git" || rel == "bench/data" {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasSuffix(rel, ".md"):
			present[d.Name()] = true
			if rel == "README.md" {
				files = append(files, p)
			}
		case strings.HasSuffix(rel, ".go"), strings.HasSuffix(rel, ".yaml"), rel == "Dockerfile", rel == ".ci/run":
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("found only %d files to check from %s", len(files), root)
	}
	for _, p := range files {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, p)
		for _, c := range commentsOf(rel, src) {
			for _, name := range mdName.FindAllString(c.text, -1) {
				if notDocs[filepath.Base(name)] || resolves(name, filepath.Dir(p), rel == "README.md", present) {
					continue
				}
				t.Errorf("%s:%d names %s, which is not in the repository", filepath.ToSlash(rel), c.line, name)
			}
		}
	}
}

func resolves(name, dir string, anywhere bool, present map[string]bool) bool {
	for _, p := range []string{filepath.Join(root, name), filepath.Join(dir, name)} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return true
		}
	}
	return anywhere && !strings.Contains(name, "/") && present[name]
}

type comment struct {
	line int
	text string
}

// commentsOf returns the text a reader takes for prose: a Go file's comments, the comments
// of a YAML file, the Dockerfile or a shell script, and the whole of a Markdown file.
func commentsOf(name string, src []byte) []comment {
	var out []comment
	switch {
	case strings.HasSuffix(name, ".go"):
		fset := token.NewFileSet()
		file := fset.AddFile(name, -1, len(src))
		var s scanner.Scanner
		s.Init(file, src, nil, scanner.ScanComments)
		for {
			pos, tok, lit := s.Scan()
			if tok == token.EOF {
				return out
			}
			if tok == token.COMMENT {
				out = append(out, comment{fset.Position(pos).Line, lit})
			}
		}
	case strings.HasSuffix(name, ".md"):
		for i, line := range strings.Split(string(src), "\n") {
			out = append(out, comment{i + 1, line})
		}
	default:
		for i, line := range strings.Split(string(src), "\n") {
			if _, c, ok := strings.Cut(line, "#"); ok {
				out = append(out, comment{i + 1, c})
			}
		}
	}
	return out
}
