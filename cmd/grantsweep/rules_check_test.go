package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRulesCheckEveryProblem: rules check reports every problem of a file at once, in
// the order of its lines, in both modes: it used to stop at the first unknown key, and
// to report a family defined twice only in replace mode.
func TestRulesCheckEveryProblem(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tenant.yaml")
	os.WriteFile(path, []byte(`families:
  - {id: contoso, label: Contoso}
  - {id: contoso, label: Contoso again}
rules:
  - id: contoso_proxy
    family: contoso
    colour: red
    when: [{codes: [12345]}]
    remedation: Fix the proxy
`), 0o644)
	want := path + `:3:6: family "contoso" defined twice in this file
` + path + `:7:5: unknown field "colour"
` + path + `:9:5: unknown field "remedation"; did you mean "remediation"?
`
	for _, mode := range []string{"extend", "replace"} {
		out, errs, code := runCLI(t, "", "rules", "check", "--rules-mode", mode, path)
		if code != 2 || out != "" || errs != want {
			t.Errorf("%s mode: exit %d, stdout %q, stderr\n%s\nwant exit 2 and\n%s", mode, code, out, errs, want)
		}
	}
	// A sweep with it names them all too.
	_, errs, code := runCLI(t, "", "sweep", "--rules", path, samplesDir)
	if code != 2 || strings.Count(errs, path+":") != 3 {
		t.Errorf("sweep --rules: exit %d, stderr %q; want all three problems", code, errs)
	}
}
