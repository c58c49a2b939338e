package rules

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Problem is one thing wrong with a rule file, where it is.
type Problem struct {
	File      string
	Line, Col int
	Msg       string
}

func (p Problem) String() string {
	if p.Line == 0 {
		return fmt.Sprintf("%s: %s", p.File, p.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg)
}

// Problems is every problem found in a rule file; it is the error Load returns.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Modes of applying a user rule file.
const (
	ModeExtend  = "extend"  // add causes, override rules of the base set by id
	ModeReplace = "replace" // the file is the whole rule set
)

// ruleFile is a rule file as written: in extend mode an entry may give only the fields it
// overrides.
type ruleFile struct {
	Families []struct {
		ID    string `yaml:"id"`
		Label string `yaml:"label"`
	} `yaml:"families"`
	Rules []struct {
		ID          string  `yaml:"id"`
		Family      *string `yaml:"family"`
		Label       *string `yaml:"label"`
		Remediation *string `yaml:"remediation"`
		When        []struct {
			Codes   []any    `yaml:"codes"`
			Text    []string `yaml:"text"`
			NotText []string `yaml:"not_text"`
		} `yaml:"when"`
		Before string `yaml:"before"`
		After  string `yaml:"after"`
	} `yaml:"rules"`
}

// Load reads a rule file and applies it to base: in ModeReplace the file is the whole
// set (base is ignored); in ModeExtend its rules override base's rules of the same id
// field by field, and new rules go after the last rule of their family (or where before:
// or after: puts them). Every problem is reported with file, line and column: unknown
// keys, duplicate ids, unknown families, empty matches, bad codes, and rules that can
// never match because an earlier rule matches everything they would.
func Load(data []byte, name string, base *Set, mode string) (*Set, error) {
	var f ruleFile
	if err := yaml.UnmarshalWithOptions(data, &f, yaml.Strict()); err != nil {
		return nil, Problems{yamlProblem(name, err)}
	}
	file, _ := parser.ParseBytes(data, 0)
	pos := func(path string) (int, int) {
		p, err := yaml.PathString(path)
		if err != nil || file == nil {
			return 0, 0
		}
		n, err := p.FilterFile(file)
		if err != nil || n == nil {
			return 0, 0
		}
		t := n.GetToken()
		if t == nil {
			return 0, 0
		}
		if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 {
			t = m.Values[0].Key.GetToken()
		}
		return t.Position.Line, t.Position.Column
	}
	var probs Problems
	problem := func(path, format string, args ...any) {
		l, c := pos(path)
		probs = append(probs, Problem{File: name, Line: l, Col: c, Msg: fmt.Sprintf(format, args...)})
	}

	s := &Set{byCode: map[int][]int{}}
	if mode == ModeExtend && base != nil {
		s.Families = slices.Clone(base.Families)
		for _, r := range base.Rules {
			r.When = slices.Clone(r.When)
			s.Rules = append(s.Rules, r)
		}
	} else if mode != ModeReplace && mode != ModeExtend {
		return nil, fmt.Errorf("rules mode %q: want extend or replace", mode)
	}
	for i, fam := range f.Families {
		path := fmt.Sprintf("$.families[%d]", i)
		if fam.ID == "" {
			problem(path, "family with no id")
			continue
		}
		if j := s.FamilyIndex(fam.ID); j >= 0 {
			if mode == ModeReplace || s.Families[j].Label != "" && fam.Label == "" {
				if mode == ModeReplace {
					problem(path, "family %q defined twice", fam.ID)
				}
				continue
			}
			s.Families[j].Label = fam.Label
			continue
		}
		s.Families = append(s.Families, Family{ID: fam.ID, Label: fam.Label})
	}
	seen := map[string]bool{}
	for i, fr := range f.Rules {
		path := fmt.Sprintf("$.rules[%d]", i)
		if fr.ID == "" {
			problem(path, "rule with no id")
			continue
		}
		if seen[fr.ID] {
			problem(path, "rule %q defined twice in this file", fr.ID)
			continue
		}
		seen[fr.ID] = true
		line, col := pos(path)
		idx := s.RuleIndex(fr.ID)
		var r Rule
		if idx >= 0 {
			r = s.Rules[idx] // an override: keep what the file does not give
		} else {
			r = Rule{ID: fr.ID}
		}
		r.File, r.Line, r.Col = name, line, col
		if fr.Family != nil {
			r.Family = *fr.Family
		}
		if fr.Label != nil {
			r.Label = *fr.Label
		}
		if fr.Remediation != nil {
			r.Remediation = strings.TrimSpace(*fr.Remediation)
		}
		if fr.When != nil {
			r.When = nil
			for j, fc := range fr.When {
				var c Clause
				for _, v := range fc.Codes {
					codes, err := codeList(v)
					if err != nil {
						problem(fmt.Sprintf("%s.when[%d]", path, j), "%v", err)
					}
					c.Codes = append(c.Codes, codes...)
				}
				for _, t := range fc.Text {
					c.Text = append(c.Text, Normalize(t))
				}
				for _, t := range fc.NotText {
					c.NotText = append(c.NotText, Normalize(t))
				}
				if len(c.Codes) == 0 && len(c.Text) == 0 {
					problem(fmt.Sprintf("%s.when[%d]", path, j), "rule %q: clause %d matches nothing: give codes or text", fr.ID, j+1)
				}
				r.When = append(r.When, c)
			}
		}
		if s.FamilyIndex(r.Family) < 0 {
			problem(path, "rule %q: unknown family %q", fr.ID, r.Family)
		}
		if len(r.When) == 0 {
			problem(path, "rule %q: no when clauses: it matches nothing", fr.ID)
		}
		if idx >= 0 && fr.Before == "" && fr.After == "" {
			s.Rules[idx] = r
			continue
		}
		if idx >= 0 {
			s.Rules = slices.Delete(s.Rules, idx, idx+1)
		}
		at, err := s.placement(r.Family, fr.Before, fr.After)
		if err != nil {
			problem(path, "rule %q: %v", fr.ID, err)
			at = len(s.Rules)
		}
		s.Rules = slices.Insert(s.Rules, at, r)
	}
	if len(s.Rules) == 0 {
		probs = append(probs, Problem{File: name, Msg: "no rules"})
	}
	if len(probs) > 0 {
		return nil, probs // a broken rule would shadow others for nothing
	}
	for _, sh := range s.shadowed() {
		r, by := s.Rules[sh[0]], s.Rules[sh[1]]
		probs = append(probs, Problem{File: r.File, Line: r.Line, Col: r.Col,
			Msg: fmt.Sprintf("rule %q can never match: rule %q before it matches everything it would", r.ID, by.ID)})
	}
	if len(probs) > 0 {
		return nil, probs
	}
	s.index()
	return s, nil
}

// placement finds where a new rule goes: before or after a named rule, or else after the
// last rule of its family (at the end for a new family).
func (s *Set) placement(family, before, after string) (int, error) {
	switch {
	case before != "" && after != "":
		return 0, errors.New("give before or after, not both")
	case before != "":
		if i := s.RuleIndex(before); i >= 0 {
			return i, nil
		}
		return 0, fmt.Errorf("before: no rule %q", before)
	case after != "":
		if i := s.RuleIndex(after); i >= 0 {
			return i + 1, nil
		}
		return 0, fmt.Errorf("after: no rule %q", after)
	}
	at := len(s.Rules)
	for i, r := range s.Rules {
		if r.Family == family {
			at = i + 1
		}
	}
	return at, nil
}

// shadowed returns pairs (rule, earlier rule) where every clause of the rule is covered by
// clauses of earlier rules, so that it can never match.
func (s *Set) shadowed() [][2]int {
	var out [][2]int
	for i, r := range s.Rules {
		by := -1
		all := len(r.When) > 0
		for _, c := range r.When {
			found := -1
			for j := range i {
				for _, e := range s.Rules[j].When {
					if covers(e, c) {
						found = j
						break
					}
				}
				if found >= 0 {
					break
				}
			}
			if found < 0 {
				all = false
				break
			}
			by = max(by, found)
		}
		if all {
			out = append(out, [2]int{i, by})
		}
	}
	return out
}

// covers reports whether every event clause c matches is matched by clause e.
func covers(e, c Clause) bool {
	switch {
	case len(e.Codes) == 0 && len(c.Codes) > 0 && slices.Contains(c.Codes, 0):
		return false // e needs a non-zero code
	case len(e.Codes) > 0 && len(c.Codes) == 0:
		return false // c matches any non-zero code
	}
	for _, code := range c.Codes {
		if len(e.Codes) > 0 && !slices.Contains(e.Codes, code) {
			return false
		}
	}
	// e's text condition must hold whenever c's does: each of c's phrases contains one of e's.
	if len(e.Text) > 0 {
		if len(c.Text) == 0 {
			return false
		}
		for _, ct := range c.Text {
			if !slices.ContainsFunc(e.Text, func(et string) bool { return strings.Contains(ct, et) }) {
				return false
			}
		}
	}
	// e's exclusions must rule out nothing c matches: c excludes them too.
	for _, en := range e.NotText {
		if !slices.ContainsFunc(c.NotText, func(cn string) bool { return strings.Contains(en, cn) }) {
			return false
		}
	}
	return true
}

// yamlProblem turns a YAML decoding error into a positioned problem.
func yamlProblem(name string, err error) Problem {
	var se yaml.Error
	if errors.As(err, &se) {
		if t := se.GetToken(); t != nil && t.Position != nil {
			return Problem{File: name, Line: t.Position.Line, Col: t.Position.Column, Msg: se.GetMessage()}
		}
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i > 0 {
		msg = msg[:i]
	}
	return Problem{File: name, Msg: msg}
}
