package report

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/grantsweep/grantsweep/report/spill"
	"github.com/grantsweep/grantsweep/rules"
)

// Threshold is one --fail-on condition, such as revoked>=50, binding>0 or
// expired_inactivity>=20%.
type Threshold struct {
	Expr    string
	kind    string // "cause", "family" or "total"
	name    string
	op      string
	value   float64
	percent bool
}

var thresholdOps = []string{">=", "<=", "==", "!=", ">", "<", "="}

var totalNames = []string{"in_scope", "records", "skipped", "duplicates"}

// ParseThreshold reads NAME OP NUMBER[%]. NAME is a cause id, a family id (a bare name
// that is both, such as revoked, means the family; write cause:revoked for the cause), or
// in_scope, records, skipped or duplicates. A percentage is a share: of in-scope events
// for causes and families, of records for in_scope, of everything read for skipped.
func ParseThreshold(expr string, set *rules.Set) (Threshold, error) {
	t := Threshold{Expr: expr}
	s := strings.ReplaceAll(expr, " ", "")
	var i int
	for _, op := range thresholdOps {
		if i = strings.Index(s, op); i > 0 {
			t.op = op
			break
		}
	}
	if t.op == "" {
		return t, fmt.Errorf("--fail-on %q: want NAME OP NUMBER, such as revoked>=50 or binding>5%%, with OP one of %s", expr, strings.Join(thresholdOps, " "))
	}
	name, num := s[:i], s[i+len(t.op):]
	if t.op == "=" {
		t.op = "=="
	}
	if n, ok := strings.CutSuffix(num, "%"); ok {
		t.percent, num = true, n
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return t, fmt.Errorf("--fail-on %q: %q is not a number", expr, num)
	}
	t.value = v
	kind, bare, prefixed := strings.Cut(name, ":")
	if !prefixed {
		bare, kind = name, ""
	}
	switch {
	case (kind == "" || kind == "family") && set.FamilyIndex(bare) >= 0:
		t.kind, t.name = "family", bare
	case (kind == "" || kind == "cause") && set.RuleIndex(bare) >= 0:
		t.kind, t.name = "cause", bare
	case kind == "" && slices.Contains(totalNames, bare):
		t.kind, t.name = "total", bare
		if t.percent && (bare == "records" || bare == "duplicates") {
			return t, fmt.Errorf("--fail-on %q: %s cannot be a percentage", expr, bare)
		}
	default:
		return t, &UnknownNameError{Expr: expr, Name: name, Names: ThresholdNames(set)}
	}
	return t, nil
}

// ThresholdNames are the names a --fail-on threshold takes with set: the totals, then
// the family ids, then the cause ids.
func ThresholdNames(set *rules.Set) []string {
	names := slices.Clone(totalNames)
	for _, f := range set.Families {
		names = append(names, f.ID)
	}
	for _, r := range set.Rules {
		names = append(names, r.ID)
	}
	return names
}

// UnknownNameError is a --fail-on NAME that is not a cause, a family or a total. Names
// are those it could be, for a suggestion.
type UnknownNameError struct {
	Expr, Name string
	Names      []string
}

func (e *UnknownNameError) Error() string {
	return fmt.Sprintf("--fail-on %q: %q is not a cause, a family, or one of %s", e.Expr, e.Name, strings.Join(totalNames, ", "))
}

// Crossed returns, for each threshold the summary crosses, a line saying so.
func (s *Summary) Crossed(ths []Threshold) []string {
	if len(ths) == 0 {
		return nil
	}
	v := s.anyView()
	var out []string
	for _, t := range ths {
		var n, whole int64
		switch t.kind {
		case "cause":
			n, whole = v.causes[s.Rules.RuleIndex(t.name)].events, v.inScope
		case "family":
			n, whole = v.families[s.Rules.FamilyIndex(t.name)].events, v.inScope
		default:
			switch t.name {
			case "in_scope":
				n, whole = v.inScope, v.records
			case "records":
				n = v.records
			case "skipped":
				n, whole = v.skipped, v.records+v.skipped
			case "duplicates":
				n = v.duplicates
			}
		}
		got := float64(n)
		shown := fmt.Sprintf("%s %s = %d", t.kind, t.name, n)
		if t.percent {
			got = share(n, whole)
			shown = fmt.Sprintf("%s %s = %.1f%% (%d of %d)", t.kind, t.name, got, n, whole)
		}
		var hit bool
		switch t.op {
		case ">=":
			hit = got >= t.value
		case "<=":
			hit = got <= t.value
		case ">":
			hit = got > t.value
		case "<":
			hit = got < t.value
		case "==":
			hit = got == t.value
		case "!=":
			hit = got != t.value
		}
		if hit {
			out = append(out, fmt.Sprintf("threshold crossed: %s (%s)", t.Expr, shown))
		}
	}
	return out
}

// Baseline is an earlier run's JSON summary to compare against.
type Baseline struct {
	Name      string
	st        *stored
	sum       *Summary // rebuilt from its partial when the rule sets match
	sameRules bool
}

// ReadBaseline reads an earlier JSON summary. One of another schema is refused; one made
// with another rule set is compared only on the cause and family ids both have.
func ReadBaseline(r io.Reader, name string, set *rules.Set) (*Baseline, error) {
	return ReadBaselineIn(r, name, set, nil)
}

// ReadBaselineIn is ReadBaseline with the baseline's events held within budget (see
// [Summary.SetBudget]); nil: in memory.
func ReadBaselineIn(r io.Reader, name string, set *rules.Set, budget *spill.Budget) (*Baseline, error) {
	st, err := readStored(r, name, budget)
	if err != nil {
		return nil, err
	}
	b := &Baseline{Name: name, st: st}
	if st.Partial != nil && st.Partial.Rules == set.Fingerprint() {
		b.sameRules = true
		if b.sum, err = fromStored(st, name, set, budget); err != nil {
			return nil, err // checked as merge checks it: its tables are rebuilt from it
		}
	} else if st.Partial != nil {
		st.Partial.Events.close() // another rule set's events are not compared
	} else if st.Rules == set.Fingerprint() {
		b.sameRules = true // a summary without its partial that says its rule set
	}
	return b, nil
}

// delta is the comparison of a view with a baseline.
type delta struct {
	name, generatedBy     string
	first, last           *string
	sameRules             bool
	notCompared           []string // ids of the active rules the baseline lacks
	gone                  []string // ids the baseline has and the active rules lack
	inScopeBefore         int64
	families, causes      []deltaRow
	newCauses             []string
	appMovers, userMovers []mover
	otherRedaction        bool // the baseline's users were pseudonymized otherwise: no user movers
}

type deltaRow struct {
	id, family            string
	before, after         int64
	shareBefore, shareAft float64
	compared              bool
}

type mover struct {
	key           string
	before, after int64
}

func (s *Summary) delta(v *view, b *Baseline) *delta {
	if b == nil {
		return nil
	}
	st := b.st
	d := &delta{name: b.Name, generatedBy: st.GeneratedBy, first: st.Window.First, last: st.Window.Last, sameRules: b.sameRules,
		inScopeBefore: st.Totals.InScope}
	before := map[string]int64{}
	for _, c := range st.Causes {
		before["cause:"+c.Cause] = c.Events
	}
	for _, f := range st.Families {
		before["family:"+f.Family] = f.Events
	}
	row := func(kind, id, family string, after int64) deltaRow {
		n, ok := before[kind+":"+id]
		return deltaRow{id: id, family: family, before: n, after: after, compared: ok,
			shareBefore: share(n, d.inScopeBefore), shareAft: share(after, v.inScope)}
	}
	for _, f := range v.families {
		r := row("family", f.id, f.id, f.events)
		d.families = append(d.families, r)
		if !r.compared {
			d.notCompared = append(d.notCompared, f.id)
		}
	}
	for _, c := range v.causes {
		r := row("cause", c.id, c.family, c.events)
		d.causes = append(d.causes, r)
		if !r.compared {
			d.notCompared = append(d.notCompared, c.id)
		} else if r.before == 0 && r.after > 0 {
			d.newCauses = append(d.newCauses, c.id)
		}
	}
	for _, c := range st.Causes {
		if s.Rules.RuleIndex(c.Cause) < 0 {
			d.gone = append(d.gone, c.Cause)
		}
	}
	// Movers: the full tables of both runs when the baseline's events are at hand,
	// otherwise the rows its tables kept.
	afterApps, afterUsers := s.tableCounts(v, "by_app"), s.tableCounts(v, "by_user")
	var beforeApps, beforeUsers map[string]int64
	if b.sum != nil {
		bv := b.sum.anyView()
		beforeApps, beforeUsers = b.sum.tableCounts(bv, "by_app"), b.sum.tableCounts(bv, "by_user")
	} else {
		beforeApps, beforeUsers = storedCounts(st.ByApp), storedCounts(st.ByUser)
	}
	d.appMovers, d.userMovers = movers(beforeApps, afterApps), movers(beforeUsers, afterUsers)
	// Users pseudonymized with another --redact key, or in one run only, are other names
	// for the same people: every one would be a mover.
	if now, ok := s.filters(); ok && st.Filters != nil && now.redact != st.Filters.redact {
		d.otherRedaction, d.userMovers = true, nil
	}
	return d
}

func storedCounts(rows []storedRow) map[string]int64 {
	out := map[string]int64{}
	for _, r := range rows {
		out[r.key] += r.events
	}
	return out
}

// movers returns the five keys whose counts changed most, largest change first.
func movers(before, after map[string]int64) []mover {
	var out []mover
	for k, a := range after {
		if a != before[k] {
			out = append(out, mover{key: k, before: before[k], after: a})
		}
	}
	for k, b := range before {
		if _, ok := after[k]; !ok && b != 0 {
			out = append(out, mover{key: k, before: b})
		}
	}
	abs := func(m mover) int64 { return max(m.after-m.before, m.before-m.after) }
	slices.SortFunc(out, func(a, b mover) int { return cmp.Or(cmp.Compare(abs(b), abs(a)), cmp.Compare(a.key, b.key)) })
	return out[:min(len(out), 5)]
}

// note says how the baseline was compared, when that needs saying.
func (d *delta) note() string {
	var notes []string
	if !d.sameRules {
		s := "baseline made with another rule set: compared only on the ids both have"
		if len(d.notCompared) > 0 {
			s += "; not in the baseline: " + strings.Join(d.notCompared, ", ")
		}
		if len(d.gone) > 0 {
			s += "; only in the baseline: " + strings.Join(d.gone, ", ")
		}
		notes = append(notes, s)
	}
	if d.otherRedaction {
		notes = append(notes, "baseline pseudonymized with another --redact key, or only one of the two runs was: users are not compared")
	}
	return strings.Join(notes, "; ")
}

// JSON form of the comparison.
type jsonBaseline struct {
	Path        string          `json:"path"`
	GeneratedBy string          `json:"generated_by"`
	Window      jsonWindow      `json:"window"`
	SameRules   bool            `json:"same_rules"`
	Note        string          `json:"note,omitempty"`
	InScope     jsonChange      `json:"in_scope"`
	Families    []jsonDeltaRow  `json:"families"`
	Causes      []jsonDeltaRow  `json:"causes"`
	NewCauses   []string        `json:"new_causes"`
	Movers      jsonMoverTables `json:"movers"`
}

type jsonChange struct {
	Before int64 `json:"before"`
	After  int64 `json:"after"`
	Change int64 `json:"change"`
}

type jsonDeltaRow struct {
	ID          string  `json:"id"`
	Compared    bool    `json:"compared"`
	Before      int64   `json:"before"`
	After       int64   `json:"after"`
	Change      int64   `json:"change"`
	ShareBefore float64 `json:"share_before_pct"`
	ShareAfter  float64 `json:"share_after_pct"`
}

type jsonMover struct {
	Key    string `json:"key"`
	Before int64  `json:"before"`
	After  int64  `json:"after"`
	Change int64  `json:"change"`
}

type jsonMoverTables struct {
	Apps  []jsonMover `json:"apps"`
	Users []jsonMover `json:"users"`
}

func (d *delta) json(inScope int64) *jsonBaseline {
	rows := func(rs []deltaRow) []jsonDeltaRow {
		out := []jsonDeltaRow{}
		for _, r := range rs {
			out = append(out, jsonDeltaRow{ID: r.id, Compared: r.compared, Before: r.before, After: r.after, Change: r.after - r.before,
				ShareBefore: round2(r.shareBefore), ShareAfter: round2(r.shareAft)})
		}
		return out
	}
	ms := func(m []mover) []jsonMover {
		out := []jsonMover{}
		for _, x := range m {
			out = append(out, jsonMover{Key: x.key, Before: x.before, After: x.after, Change: x.after - x.before})
		}
		return out
	}
	return &jsonBaseline{Path: d.name, GeneratedBy: d.generatedBy, Window: jsonWindow{First: d.first, Last: d.last},
		SameRules: d.sameRules, Note: d.note(), InScope: jsonChange{d.inScopeBefore, inScope, inScope - d.inScopeBefore},
		Families: rows(d.families), Causes: rows(d.causes), NewCauses: append([]string{}, d.newCauses...),
		Movers: jsonMoverTables{Apps: ms(d.appMovers), Users: ms(d.userMovers)}}
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

func signed(n int64) string {
	if n > 0 {
		return "+" + count(n)
	}
	if n == 0 {
		return "0"
	}
	return "-" + count(-n)
}
