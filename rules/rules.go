// Package rules classifies in-scope sign-in failures by cause. The rule set is data: an
// ordered table (the embedded default.yaml, or a user's file) in which the first matching
// rule wins. Classify is pure: no I/O, no clock, no globals beyond the parsed default.
package rules

import (
	"crypto/sha256"
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/grantsweep/grantsweep/parse"
)

// Family groups causes; its id is a public contract.
type Family struct {
	ID    string
	Label string
}

// Rule is one cause: an id (a public contract), the family it belongs to, and the clauses
// that recognise it. A rule matches when any clause does.
type Rule struct {
	ID          string
	Family      string
	Label       string
	Remediation string
	When        []Clause

	File      string // where the rule was defined, for rules check and rules show
	Line, Col int
}

// Clause matches an event whose error code is in Codes (any non-zero code when Codes is
// empty), whose text contains one of Text (when Text is not empty), and none of NotText.
// Phrases are kept normalised: lower case, whitespace collapsed.
type Clause struct {
	Codes   []int
	Text    []string
	NotText []string
}

// Set is an ordered rule set ready to classify.
type Set struct {
	Families []Family
	Rules    []Rule
	Changes  []ChangeKind // the change kinds of the audit join, in file order

	byCode   map[int][]int // code -> indexes of the rules with a clause naming it, in order
	textOnly []int         // indexes of rules with a clause that names no code
	zero     bool          // some rule names code 0 (successes: most records)

	byActivity map[string]int // NormalizeActivity(activity) -> index in Changes
}

//go:embed default.yaml
var defaultYAML []byte

// DefaultYAML returns the text of the default rule set, the one source of its documentation.
func DefaultYAML() []byte { return slices.Clone(defaultYAML) }

var defaultSet = sync.OnceValue(func() *Set {
	s, err := Parse(defaultYAML, "default.yaml")
	if err != nil {
		panic("rules: embedded default.yaml: " + err.Error()) // a test keeps this unreachable
	}
	return s
})

// Default returns the default rule set, which encodes every row of docs/TAXONOMY.md.
func Default() *Set { return defaultSet() }

// Parse reads a whole rule set from YAML (the replace mode of Load). Every problem is
// reported, with its position.
func Parse(data []byte, name string) (*Set, error) { return Load(data, name, nil, ModeReplace) }

// codeList reads one entry of a codes list: an integer, or a range "from-to".
func codeList(v any) ([]int, error) {
	switch v := v.(type) {
	case uint64:
		return []int{int(v)}, nil
	case int64:
		return []int{int(v)}, nil
	case int:
		return []int{v}, nil
	case string:
		lo, hi, isRange := strings.Cut(v, "-")
		a, err1 := strconv.Atoi(strings.TrimSpace(lo))
		b, err2 := a, error(nil)
		if isRange {
			b, err2 = strconv.Atoi(strings.TrimSpace(hi))
		}
		if err1 != nil || err2 != nil || b < a || b-a > 10000 {
			return nil, fmt.Errorf("bad code %q: want a number or a range like 7000020-7000026", v)
		}
		out := make([]int, 0, b-a+1)
		for c := a; c <= b; c++ {
			out = append(out, c)
		}
		return out, nil
	}
	return nil, fmt.Errorf("bad code %v: want a number or a range like 7000020-7000026", v)
}

func (s *Set) index() {
	s.byActivity = map[string]int{}
	for i, k := range s.Changes {
		for _, a := range k.Activities {
			if _, ok := s.byActivity[NormalizeActivity(a)]; !ok {
				s.byActivity[NormalizeActivity(a)] = i
			}
		}
	}
	for i, r := range s.Rules {
		for _, c := range r.When {
			if len(c.Codes) == 0 && !slices.Contains(s.textOnly, i) {
				s.textOnly = append(s.textOnly, i)
			}
			for _, code := range c.Codes {
				if l := s.byCode[code]; len(l) == 0 || l[len(l)-1] != i {
					s.byCode[code] = append(l, i)
				}
				s.zero = s.zero || code == 0
			}
		}
	}
}

// Codes returns every error code some rule names, in increasing order.
func (s *Set) Codes() []int {
	out := make([]int, 0, len(s.byCode))
	for c := range s.byCode {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// MayMatch reports whether an event with this error code can be in scope: its code is
// named by a rule, or a text-only rule could match it. Decoders use it to skip work on
// the other records.
func (s *Set) MayMatch(code int) bool {
	if code == 0 {
		return s.zero
	}
	if _, ok := s.byCode[code]; ok {
		return true
	}
	return code != 0 && len(s.textOnly) > 0
}

// HasTextOnlyRules reports whether some rule can match on text alone, whatever the code;
// then the error code alone cannot rule an event out.
func (s *Set) HasTextOnlyRules() bool { return len(s.textOnly) > 0 }

// FamilyIndex returns the position of family id in s.Families, or -1.
func (s *Set) FamilyIndex(id string) int {
	return slices.IndexFunc(s.Families, func(f Family) bool { return f.ID == id })
}

// RuleIndex returns the position of cause id in s.Rules, or -1.
func (s *Set) RuleIndex(id string) int {
	return slices.IndexFunc(s.Rules, func(r Rule) bool { return r.ID == id })
}

// Evidence is one fact that decided a match: the field and its value. For a text
// condition, Phrase is the rule's phrase found in Value.
type Evidence struct {
	Field  string `json:"field"`
	Value  string `json:"value"`
	Phrase string `json:"phrase,omitempty"`
}

// Match is the outcome of classifying an in-scope event.
type Match struct {
	Rule     int // index in Set.Rules
	Evidence []Evidence
}

// textFields are the fields text conditions look at, in the order evidence names them.
var textFields = [...]string{"failureReason", "resultDescription", "additionalDetails"}

// Classify returns the first rule that matches ev, and false when the event is out of scope.
func (s *Set) Classify(ev *parse.Event) (Match, bool) {
	cands := s.byCode[ev.ErrorCode]
	if len(s.textOnly) > 0 && ev.ErrorCode != 0 {
		cands = mergeSorted(cands, s.textOnly)
	}
	if len(cands) == 0 {
		return Match{}, false
	}
	var norm [3]string
	normalized := false
	for _, ri := range cands {
		for _, c := range s.Rules[ri].When {
			if len(c.Codes) > 0 && !slices.Contains(c.Codes, ev.ErrorCode) {
				continue
			}
			if len(c.Codes) == 0 && ev.ErrorCode == 0 {
				continue
			}
			if (len(c.Text) > 0 || len(c.NotText) > 0) && !normalized {
				norm = [3]string{Normalize(ev.FailureReason), Normalize(ev.ResultDescription), Normalize(ev.AdditionalDetails)}
				normalized = true
			}
			field, phrase := -1, ""
			if len(c.Text) > 0 {
				field, phrase = findPhrase(&norm, c.Text)
				if field < 0 {
					continue
				}
			}
			if f, _ := findPhrase(&norm, c.NotText); f >= 0 {
				continue
			}
			evidence := []Evidence{{Field: "errorCode", Value: strconv.Itoa(ev.ErrorCode)}}
			if field >= 0 {
				evidence = append(evidence, Evidence{Field: textFields[field], Value: rawField(ev, field), Phrase: phrase})
			}
			return Match{Rule: ri, Evidence: evidence}, true
		}
	}
	return Match{}, false
}

// rawField returns the text field a phrase was found in, as the record had it.
func rawField(ev *parse.Event, field int) string {
	switch field {
	case 0:
		return ev.FailureReason
	case 1:
		return ev.ResultDescription
	}
	return ev.AdditionalDetails
}

// findPhrase returns which field first contains one of the phrases, and the phrase.
func findPhrase(norm *[3]string, phrases []string) (int, string) {
	for _, p := range phrases {
		for i, t := range norm {
			if strings.Contains(t, p) {
				return i, p
			}
		}
	}
	return -1, ""
}

// mergeSorted merges two increasing lists of rule indexes without duplicates.
func mergeSorted(a, b []int) []int {
	out := make([]int, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			out = append(out, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i, j = i+1, j+1
		}
	}
	return out
}

// Normalize lower-cases s and collapses each run of whitespace to one space, trimming
// both ends: the form in which text conditions compare.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range strings.ToLower(s) {
		switch r {
		case ' ', '\t', '\n', '\r', '\v', '\f', 0x85, 0xA0:
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// Fingerprint identifies what the rule set matches: its families and, in order, each
// rule's id, family and clauses (labels and remediation text do not change a count).
// Summaries carry it so that merge and baselines compare like with like.
func (s *Set) Fingerprint() string {
	h := sha256.New()
	for _, f := range s.Families {
		fmt.Fprintf(h, "family %q\n", f.ID)
	}
	for _, r := range s.Rules {
		fmt.Fprintf(h, "rule %q %q\n", r.ID, r.Family)
		for _, c := range r.When {
			fmt.Fprintf(h, "  when %v %q %q\n", c.Codes, c.Text, c.NotText)
		}
	}
	return fmt.Sprintf("sha256:%x", h.Sum(nil)[:12])
}
