package rules

import (
	"errors"
	"strings"
	"testing"
)

// TestLoadEveryProblem: one pass finds every problem of a rule file, unknown keys
// included (strict decoding stops at the first), in the order of its lines, in both
// modes; a family given twice in the file is one of them in extend mode too.
func TestLoadEveryProblem(t *testing.T) {
	const file = `families:
  - {id: contoso, label: C}
  - {id: contoso, label: again}
  - {id: fam2, colour: red}
rules:
  - id: a
    family: contoso
    colour: red
    when: [{codes: [1], txt: [y]}]
  - id: broken
    family: contoso
    when: [{}]
  - id: b
    family: nope
    remedation: foo
    when: [{codes: [2]}]
  - id: c
    family: contoso
    when: "not a list"
  - id: d
    family: contoso
    when: [{codes: [3]}]
  - id: e
    family: contoso
    when: [{codes: [1]}]
  - id: a
    family: contoso
    when: [{codes: [4]}]
`
	want := []string{
		`f.yaml:3:6: family "contoso" defined twice in this file`,
		`f.yaml:4:16: unknown field "colour"`,
		`f.yaml:8:5: unknown field "colour"`,
		`f.yaml:9:25: unknown field "txt"; did you mean "text"?`,
		`f.yaml:12:12: rule "broken": clause 1 matches nothing: give codes or text`, // and it shadows nothing
		`f.yaml:13:5: rule "b": unknown family "nope"`,
		`f.yaml:15:5: unknown field "remedation"; did you mean "remediation"?`,
		`f.yaml:19:11: string was used where sequence is expected`,
		`f.yaml:23:5: rule "e" can never match: rule "a" before it matches everything it would`,
		`f.yaml:26:5: rule "a" defined twice in this file`,
	}
	for _, mode := range []string{ModeExtend, ModeReplace} {
		_, err := Load([]byte(file), "f.yaml", Default(), mode)
		var probs Problems
		if !errors.As(err, &probs) {
			t.Fatalf("%s: Load error = %v, want Problems", mode, err)
		}
		if got := probs.Error(); got != strings.Join(want, "\n") {
			t.Errorf("%s mode: problems\n%s\nwant\n%s", mode, got, strings.Join(want, "\n"))
		}
	}
}

// TestLoadEntries: entries decode as before the one-pass check: anchors and aliases
// across entries, empty entries, a file with no rules.
func TestLoadEntries(t *testing.T) {
	set, err := Parse([]byte("families: [{id: f}]\nrules:\n  - {id: a, family: f, when: &w [{codes: [1]}]}\n  - {id: b, family: f, when: *w}\n"), "a.yaml")
	if err == nil || !strings.Contains(err.Error(), `rule "b" can never match`) {
		t.Errorf("an alias across entries: %v, %v; want b read with a's clauses", set, err)
	}
	for _, tt := range []struct{ yaml, want string }{
		{"rules:\n  -\n", `a.yaml:2:5: rule with no id`},
		{"families:\n  -\nrules: [{id: a, family: f, when: [{codes: [1]}]}]\n", "family with no id"},
		{"rules: 5\n", "a.yaml:1:8: int was used where sequence is expected"},
		{"", "no rules"},
		{"rules: [\n", "a.yaml:"},
	} {
		if _, err := Parse([]byte(tt.yaml), "a.yaml"); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want %q", tt.yaml, err, tt.want)
		}
	}
}
