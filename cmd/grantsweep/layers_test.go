package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestLayers enforces the architecture: imports go one way, cmd -> report -> rules ->
// parse, and parse imports nothing of ours.
func TestLayers(t *testing.T) {
	const module = "github.com/grantsweep/grantsweep/"
	allowed := map[string][]string{
		"parse":        {},
		"rules":        {"parse"},
		"report":       {"rules", "parse", "report/spill"},
		"report/spill": {},
	}
	for pkg, ok := range allowed {
		files, err := filepath.Glob(filepath.Join("..", "..", pkg, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", pkg, err)
		}
		for _, file := range files {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				ours, isOurs := strings.CutPrefix(path, module)
				if !isOurs {
					continue
				}
				if strings.HasSuffix(file, "_test.go") && strings.HasSuffix(f.Name.Name, "_test") {
					continue // external tests may use anything
				}
				if !slices.Contains(ok, ours) {
					t.Errorf("%s imports %s: %s may import only %v of ours", file, path, pkg, ok)
				}
			}
		}
	}
}
