package docs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

func readRepo(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// buildLine is the docker build command the Dockerfile's header documents, and the image
// it tags.
var buildLine = regexp.MustCompile(`(?m)^#\s+(docker build .*-t (\S+) \.)$`)

// TestDockerImage fails when the README's Kubernetes examples run an image that the
// Dockerfile does not build (as registry.example/grantsweep:latest once was), run it as
// root, or when the README no longer says how the image is built.
func TestDockerImage(t *testing.T) {
	dockerfile := readRepo(t, "Dockerfile")
	m := buildLine.FindStringSubmatch(dockerfile)
	if m == nil {
		t.Fatal("the Dockerfile's header does not document its docker build -t NAME:TAG . line")
	}
	build, image := m[1], m[2]
	readme := readRepo(t, "README.md")
	if !strings.Contains(readme, "    "+build+"\n") {
		t.Errorf("README does not show the Dockerfile's build command %q", build)
	}
	manifests := 0
	blocks, _ := codeBlocks(readme)
	for _, block := range blocks {
		if !strings.HasPrefix(block, "apiVersion:") {
			continue
		}
		manifests++
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(block), &obj); err != nil {
			t.Errorf("README manifest does not parse: %v\n%s", err, block)
			continue
		}
		pod := podSpec(obj)
		if pod == nil {
			t.Errorf("README manifest %v has no pod template", obj["kind"])
			continue
		}
		if sc, _ := pod["securityContext"].(map[string]any); sc["runAsNonRoot"] != true {
			t.Errorf("README %v: securityContext.runAsNonRoot is not true", obj["kind"])
		}
		containers, _ := pod["containers"].([]any)
		for _, c := range containers {
			c, _ := c.(map[string]any)
			if c["image"] != image {
				t.Errorf("README %v: image %v, want %s, which the Dockerfile builds", obj["kind"], c["image"], image)
			}
		}
	}
	if manifests < 2 {
		t.Errorf("README has %d Kubernetes manifests, want the CronJob and the Indexed Job", manifests)
	}
}

// podSpec digs the pod spec out of a Job (spec.template.spec) or a CronJob
// (spec.jobTemplate.spec.template.spec).
func podSpec(obj map[string]any) map[string]any {
	path := []string{"spec", "template", "spec"}
	if obj["kind"] == "CronJob" {
		path = []string{"spec", "jobTemplate", "spec", "template", "spec"}
	}
	cur := obj
	for _, key := range path {
		next, ok := cur[key].(map[string]any)
		if !ok {
			return nil
		}
		cur = next
	}
	return cur
}

// TestDockerfile checks what the README and the Kubernetes examples rely on: a static
// binary, a numeric non-root user (runAsNonRoot can check only a number), grantsweep as the
// entry point, and a build context without the history and the benchmarks' data.
func TestDockerfile(t *testing.T) {
	dockerfile := readRepo(t, "Dockerfile")
	for _, want := range []string{
		"CGO_ENABLED=0 go build -trimpath ",
		`-ldflags "-X main.version=${VERSION}"`,
		"COPY --from=build /etc/ssl/certs/ca-certificates.crt ",
		`ENTRYPOINT ["grantsweep"]`,
	} {
		if !strings.Contains(dockerfile, want) {
			t.Errorf("Dockerfile lacks %s", want)
		}
	}
	users := regexp.MustCompile(`(?m)^USER (\d+)(:\d+)?$`).FindAllStringSubmatch(dockerfile, -1)
	if len(users) == 0 || users[len(users)-1][1] == "0" {
		t.Errorf("Dockerfile's last USER is not a numeric non-root user: %v", users)
	}
	ignored := map[string]bool{}
	for line := range strings.Lines(readRepo(t, ".dockerignore")) {
		ignored[strings.TrimSpace(line)] = true
	}
	for _, want := range []string{".git", "bench/data"} {
		if !ignored[want] {
			t.Errorf(".dockerignore does not exclude %s", want)
		}
	}
}

// TestVersionVariable fails when -ldflags "-X main.version=..." (the Dockerfile, the
// README's install section) would stop working: -X sets only a package-level string
// variable of package main that is not initialized by a call, and says nothing when the
// variable is gone.
func TestVersionVariable(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(root, "cmd", "grantsweep", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.VAR {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if name.Name != "version" {
						continue
					}
					if vs.Type != nil && typeName(vs.Type) != "string" {
						t.Fatalf("main.version is a %s, want a string", typeName(vs.Type))
					}
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); !ok || lit.Kind != token.STRING {
							t.Fatalf("main.version is initialized by an expression; -X needs a string constant or nothing")
						}
					} else if vs.Type == nil {
						t.Fatalf("main.version has neither type nor value")
					}
					return
				}
			}
		}
	}
	t.Fatal("package main (cmd/grantsweep) has no variable version for -X main.version= to set")
}

func typeName(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return "non-string type"
}
