package rules

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
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
// overrides. Its entries are decoded one at a time (see Load), each from its own node.
type ruleFile struct {
	Families []familyEntry `yaml:"families"`
	Rules    []ruleEntry   `yaml:"rules"`
	Changes  []changeEntry `yaml:"changes"`
}

type familyEntry struct {
	ID    string `yaml:"id"`
	Label string `yaml:"label"`
}

type ruleEntry struct {
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
}

// Load reads a rule file and applies it to base: in ModeReplace the file is the whole
// set (base is ignored); in ModeExtend its rules override base's rules of the same id
// field by field, and new rules go after the last rule of their family (or where before:
// or after: puts them). Every problem is reported, in one pass and in the order of the
// file's lines, with file, line and column: unknown keys, entries of the wrong shape,
// ids defined twice in the file, unknown families, empty matches, bad codes, bad
// placement, and rules that can never match because an earlier rule matches everything
// they would. Only a file that is not YAML at all stops at its first problem.
func Load(data []byte, name string, base *Set, mode string) (*Set, error) {
	if mode != ModeReplace && mode != ModeExtend {
		return nil, fmt.Errorf("rules mode %q: want extend or replace", mode)
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, Problems{yamlProblem(name, err)}
	}
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
	defer func() { sortProblems(probs) }()

	// Unknown keys are found everywhere at once (strict decoding finds them one at a
	// time), and the entries are decoded without it.
	var body ast.Node
	if len(file.Docs) > 0 {
		body = file.Docs[0].Body
	}
	unknownKeys(body, reflect.TypeFor[ruleFile](), func(t *token.Token, key string, known []string) {
		msg := fmt.Sprintf("unknown field %q", key)
		if s := Suggestions(key, known); len(s) > 0 {
			msg += fmt.Sprintf("; did you mean %q?", s[0])
		}
		probs = append(probs, Problem{File: name, Line: t.Position.Line, Col: t.Position.Column, Msg: msg})
	})
	families, entries, kinds, bad := decodeEntries(body)
	for _, err := range bad {
		probs = append(probs, yamlProblem(name, err))
	}

	s := &Set{byCode: map[int][]int{}}
	if mode == ModeExtend && base != nil {
		s.Families = slices.Clone(base.Families)
		for _, r := range base.Rules {
			r.When = slices.Clone(r.When)
			s.Rules = append(s.Rules, r)
		}
		for _, k := range base.Changes {
			k.Activities, k.Explains = slices.Clone(k.Activities), slices.Clone(k.Explains)
			s.Changes = append(s.Changes, k)
		}
	}
	seenFamily := map[string]bool{}
	for i, fam := range families {
		path := fmt.Sprintf("$.families[%d]", i)
		switch {
		case fam == nil: // of the wrong shape, reported
			continue
		case fam.ID == "":
			problem(path, "family with no id")
			continue
		case seenFamily[fam.ID]:
			problem(path, "family %q defined twice in this file", fam.ID)
			continue
		}
		seenFamily[fam.ID] = true
		if j := s.FamilyIndex(fam.ID); j >= 0 {
			if fam.Label != "" {
				s.Families[j].Label = fam.Label // an override of the base's family
			}
			continue
		}
		s.Families = append(s.Families, Family{ID: fam.ID, Label: fam.Label})
	}
	seen := map[string]bool{}
	broken := map[string]bool{} // rules with a problem: they shadow nothing, and are not shadowed
	for i, fr := range entries {
		path := fmt.Sprintf("$.rules[%d]", i)
		switch {
		case fr == nil:
			continue
		case fr.ID == "":
			problem(path, "rule with no id")
			continue
		case seen[fr.ID]:
			problem(path, "rule %q defined twice in this file", fr.ID)
			continue
		}
		seen[fr.ID] = true
		rproblem := func(path, format string, args ...any) {
			broken[fr.ID] = true
			problem(path, format, args...)
		}
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
						rproblem(fmt.Sprintf("%s.when[%d]", path, j), "%v", err)
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
					rproblem(fmt.Sprintf("%s.when[%d]", path, j), "rule %q: clause %d matches nothing: give codes or text", fr.ID, j+1)
				}
				r.When = append(r.When, c)
			}
		}
		if s.FamilyIndex(r.Family) < 0 {
			rproblem(path, "rule %q: unknown family %q", fr.ID, r.Family)
		}
		if len(r.When) == 0 {
			rproblem(path, "rule %q: no when clauses: it matches nothing", fr.ID)
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
			rproblem(path, "rule %q: %v", fr.ID, err)
			at = len(s.Rules)
		}
		s.Rules = slices.Insert(s.Rules, at, r)
	}
	if len(s.Rules) == 0 {
		probs = append(probs, Problem{File: name, Msg: "no rules"})
	}
	s.loadChanges(kinds, name, pos, problem)
	// A rule with a problem of its own would shadow others for nothing: the shadows are
	// those among the rules without one.
	for _, sh := range s.shadowed(func(i int) bool { return broken[s.Rules[i].ID] }) {
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

// decodeEntries decodes the families and rules of a rule file, each entry on its own,
// so that one of the wrong shape is a problem of its own and the others are still
// checked: it is nil, and its error is in bad. One decoder reads them all, so that an
// alias in one entry finds the anchor of another.
func decodeEntries(body ast.Node) (families []*familyEntry, rules []*ruleEntry, changes []*changeEntry, bad []error) {
	if body == nil {
		return nil, nil, nil, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(nil))
	var top struct {
		Families []ast.Node `yaml:"families"`
		Rules    []ast.Node `yaml:"rules"`
		Changes  []ast.Node `yaml:"changes"`
	}
	if err := dec.DecodeFromNode(body, &top); err != nil {
		return nil, nil, nil, []error{err} // not even lists of entries
	}
	families = make([]*familyEntry, len(top.Families))
	for i, n := range top.Families {
		families[i] = new(familyEntry)
		if n == nil { // an empty entry
			continue
		}
		if err := dec.DecodeFromNode(n, families[i]); err != nil {
			families[i], bad = nil, append(bad, err)
		}
	}
	rules = make([]*ruleEntry, len(top.Rules))
	for i, n := range top.Rules {
		rules[i] = new(ruleEntry)
		if n == nil {
			continue
		}
		if err := dec.DecodeFromNode(n, rules[i]); err != nil {
			rules[i], bad = nil, append(bad, err)
		}
	}
	changes = make([]*changeEntry, len(top.Changes))
	for i, n := range top.Changes {
		changes[i] = new(changeEntry)
		if n == nil {
			continue
		}
		if err := dec.DecodeFromNode(n, changes[i]); err != nil {
			changes[i], bad = nil, append(bad, err)
		}
	}
	return families, rules, changes, bad
}

// sortProblems orders problems by line and column, those of no line (of the whole file)
// last; problems at one place keep the order they were found in.
func sortProblems(probs Problems) {
	slices.SortStableFunc(probs, func(a, b Problem) int {
		if (a.Line == 0) != (b.Line == 0) {
			if a.Line == 0 {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
}

// unknownKeys calls unknown for every key in node, wherever it is, that the type t (a
// struct, or a slice or pointer of one, with yaml tags) has no field for.
func unknownKeys(node ast.Node, t reflect.Type, unknown func(tok *token.Token, key string, known []string)) {
	for {
		switch n := node.(type) {
		case *ast.AnchorNode:
			node = n.Value
			continue
		case *ast.TagNode:
			node = n.Value
			continue
		}
		break
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice:
		if seq, ok := node.(*ast.SequenceNode); ok {
			for _, v := range seq.Values {
				unknownKeys(v, t.Elem(), unknown)
			}
		}
		return
	case reflect.Struct:
	default:
		return
	}
	var pairs []*ast.MappingValueNode
	switch n := node.(type) {
	case *ast.MappingNode:
		pairs = n.Values
	case *ast.MappingValueNode:
		pairs = []*ast.MappingValueNode{n}
	}
	for _, p := range pairs {
		tok := p.Key.GetToken()
		if tok == nil {
			continue
		}
		key := tok.Value
		if key == "<<" { // a merge key: what it merges is checked where it is defined
			continue
		}
		field, ok := yamlField(t, key)
		if !ok {
			unknown(tok, key, yamlKeys(t))
			continue
		}
		if field.Type != astNodeType {
			unknownKeys(p.Value, field.Type, unknown)
		}
	}
}

var astNodeType = reflect.TypeFor[ast.Node]()

// yamlKeys are the keys of struct type t's fields, in their order.
func yamlKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
}

// yamlField returns the field of struct type t that the yaml key names.
func yamlField(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
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
// clauses of earlier rules, so that it can never match; the rules skip says are left out
// of it, on either side.
func (s *Set) shadowed(skip func(int) bool) [][2]int {
	var out [][2]int
	for i, r := range s.Rules {
		if skip(i) {
			continue
		}
		by := -1
		all := len(r.When) > 0
		for _, c := range r.When {
			found := -1
			for j := range i {
				if skip(j) {
					continue
				}
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
