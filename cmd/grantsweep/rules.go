package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/grantsweep/grantsweep/rules"
)

// loadRules returns the active rule set: the default, extended or replaced by a file.
func loadRules(path, mode string) (*rules.Set, error) {
	if mode != rules.ModeExtend && mode != rules.ModeReplace {
		return nil, usageError("--rules-mode must be extend or replace, not %q", mode)
	}
	if path == "" {
		if mode == rules.ModeReplace {
			return nil, usageError("--rules-mode replace needs --rules FILE")
		}
		return rules.Default(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError("--rules: %v", err)
	}
	set, err := rules.Load(data, path, rules.Default(), mode)
	if err != nil {
		return nil, usageError("invalid rule file (check it with grantsweep rules check):\n%v", err)
	}
	return set, nil
}

// addRulesFlags adds --rules and --rules-mode (sweep, merge, events, rules).
func addRulesFlags(fs *pflag.FlagSet, path, mode *string) {
	fs.StringVar(path, "rules", "", "rule file `FILE` (YAML) that extends or replaces the default rules")
	choiceVar(fs, mode, "rules-mode", "MODE", rules.ModeExtend, []string{rules.ModeExtend, rules.ModeReplace}, "how --rules applies (extend: add and override rules; replace: the file is the whole set)")
}

const rulesUsage = `Usage:
  grantsweep rules list  [--rules FILE [--rules-mode extend|replace]]   the active rules, in order, then the change kinds
  grantsweep rules show ID [--rules FILE ...]                           one rule or change kind in full
  grantsweep rules check FILE [--rules-mode extend|replace]             validate a rule file
  grantsweep rules export --kql [--since 1d] [--rules FILE ...]         the rules as a Kusto query
  grantsweep rules export --sql [--dialect duckdb|spark] [--from TABLE] [--shape log-analytics|diagnostic] [--rules FILE ...]
                                                                        the rules and the summary as one SQL query
  grantsweep rules default                                              the default rules (YAML)
`

// rulesVerbs are the words after "grantsweep rules", as rulesUsage describes them.
var rulesVerbs = []struct{ name, about string }{
	{"list", "the active rules, in order, then the change kinds"},
	{"show", "one rule or change kind in full"},
	{"check", "validate a rule file"},
	{"export", "the rules as a Kusto query (--kql) or a SQL query (--sql)"},
	{"default", "the default rules (YAML)"},
}

// rulesOptions are the flags of "grantsweep rules".
type rulesOptions struct {
	rules string
	mode  string
	kql   bool
	since string
	sql   sqlExport
}

func (o *rulesOptions) addFlags(fs *pflag.FlagSet) {
	addRulesFlags(fs, &o.rules, &o.mode)
	fs.BoolVar(&o.kql, "kql", false, "export as a Kusto query (rules export)")
	fs.StringVar(&o.since, "since", "1d", "where the Kusto query starts, `TIME` as sweep's --since takes it: a duration back from now (30m, 24h, 7d, 2w), an RFC 3339 time, or a date or time without a zone, in UTC")
	o.sql.addFlags(fs)
}

func runRules(args []string, stdout, stderr io.Writer) error {
	var o rulesOptions
	fs := newFlagSet("rules", stderr)
	o.addFlags(fs)
	helpOn(fs, "rules", stdout)
	if err := parseFlags(fs, "rules", args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError("rules: give list, show ID, check FILE, export --kql, export --sql or default")
	}
	verb, rest := fs.Arg(0), fs.Args()[1:]
	if verb == "check" {
		if len(rest) != 1 {
			return usageError("rules check: give one FILE")
		}
		data, err := os.ReadFile(rest[0])
		if err != nil {
			return err
		}
		set, err := rules.Load(data, rest[0], rules.Default(), o.mode)
		var probs rules.Problems
		if errors.As(err, &probs) {
			for _, p := range probs {
				fmt.Fprintln(stderr, p)
			}
			return fmt.Errorf("%w: %w", errUsage, errReported) // exit 2, each problem printed
		}
		if err != nil {
			return usageError("%v", err)
		}
		_, err = fmt.Fprintf(stdout, "%s: ok, %s in %s (%s mode), fingerprint %s\n", rest[0], plural(int64(len(set.Rules)), "rule"), plural(int64(len(set.Families)), "family", "families"), o.mode, set.Fingerprint())
		if err == nil && len(set.Changes) > 0 {
			_, err = fmt.Fprintf(stdout, "%s: ok, %s, fingerprint %s\n", rest[0], plural(int64(len(set.Changes)), "change kind"), set.ChangesFingerprint())
		}
		return err
	}
	set, err := loadRules(o.rules, o.mode)
	if err != nil {
		return err
	}
	switch verb {
	case "list":
		return listRules(stdout, set)
	case "show":
		if len(rest) != 1 {
			return usageError("rules show: give one rule ID")
		}
		i, k := set.RuleIndex(rest[0]), set.ChangeIndex(rest[0])
		if i < 0 && k < 0 { // the message as it was before change kinds, which it suggests too
			return usageError("rules show: no rule %q%s (see grantsweep rules list)", rest[0], didYouMean(rest[0], append(causeIDs(set), changeKindIDs(set)...), true))
		}
		if i >= 0 {
			if err := showRule(stdout, set, i); err != nil || k < 0 {
				return err
			}
			if _, err := io.WriteString(stdout, "\n"); err != nil { // a kind of the same id: both
				return err
			}
		}
		return showChangeKind(stdout, set, k)
	case "export":
		if o.sql.on {
			if o.kql {
				return usageError("rules export: give --kql or --sql, not both")
			}
			return o.sql.write(stdout, set)
		}
		if !o.kql {
			return usageError("rules export: give --kql or --sql")
		}
		w, err := readWhen(o.since, time.UTC) // rules has no --tz: a time without a zone is UTC
		if err != nil {
			return usageError("rules export: --since: %v", err)
		}
		err = set.WriteKQL(stdout, rules.Since{Ago: w.ago, At: w.at})
		if errors.Is(err, rules.ErrSince) {
			return usageError("rules export: --since %s: %v", o.since, err) // a time Kusto cannot write
		}
		return err
	case "default":
		_, err := stdout.Write(rules.DefaultYAML())
		return err
	}
	var verbs []string
	for _, v := range rulesVerbs {
		verbs = append(verbs, v.name)
	}
	return usageError("rules: unknown %q: give list, show ID, check FILE, export --kql, export --sql or default%s", verb, didYouMean(verb, verbs, true))
}

// causeIDs are the cause ids of a rule set, in rule order.
func causeIDs(set *rules.Set) []string {
	ids := make([]string, len(set.Rules))
	for i, r := range set.Rules {
		ids[i] = r.ID
	}
	return ids
}

// changeKindIDs are the change kind ids of a rule set, in order.
func changeKindIDs(set *rules.Set) []string {
	ids := make([]string, len(set.Changes))
	for i, k := range set.Changes {
		ids[i] = k.ID
	}
	return ids
}

// familyIDs are the family ids of a rule set, in order.
func familyIDs(set *rules.Set) []string {
	ids := make([]string, len(set.Families))
	for i, f := range set.Families {
		ids[i] = f.ID
	}
	return ids
}

func listRules(w io.Writer, set *rules.Set) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%-3s %-28s %-13s %s\n", "#", "CAUSE", "FAMILY", "MATCHES WHEN")
	for i, r := range set.Rules {
		for j, c := range r.When {
			head := fmt.Sprintf("%-3d %-28s %-13s ", i+1, r.ID, r.Family)
			if j > 0 {
				head = fmt.Sprintf("%-3s %-28s %-13s ", "", "", "or")
			}
			b.WriteString(head + clauseText(c) + "\n")
		}
	}
	if len(set.Changes) > 0 {
		fmt.Fprintf(&b, "\n%-3s %-28s %-7s %-7s %s\n", "#", "CHANGE KIND", "KEY", "WINDOW", "EXPLAINS")
		for i, k := range set.Changes {
			fmt.Fprintf(&b, "%-3d %-28s %-7s %-7s %s\n", i+1, k.ID, k.Key, rules.FormatWindow(k.Window), strings.Join(k.Explains, ", "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// showChangeKind writes change kind k of set in full.
func showChangeKind(w io.Writer, set *rules.Set, k int) error {
	c := set.Changes[k]
	var b strings.Builder
	fmt.Fprintf(&b, "change kind: %s (kind %d of %d)\n", c.ID, k+1, len(set.Changes))
	fmt.Fprintf(&b, "label:       %s\n", c.Label)
	for j, a := range c.Activities {
		lead := "activities: "
		if j > 0 {
			lead = "            "
		}
		fmt.Fprintf(&b, "%s %s\n", lead, a)
	}
	fmt.Fprintf(&b, "key:         %s (%s)\n", c.Key, keyText[c.Key])
	fmt.Fprintf(&b, "window:      %s (a failure at most this long after the change)\n", rules.FormatWindow(c.Window))
	fmt.Fprintf(&b, "explains:    %s\n", strings.Join(c.Explains, ", "))
	fmt.Fprintf(&b, "rank:        %d (of the kinds of one change, the lowest names it)\n", c.Rank)
	if c.File != "" {
		fmt.Fprintf(&b, "defined at:  %s:%d:%d\n", c.File, c.Line, c.Col)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// keyText says what a change kind's key joins on.
var keyText = map[string]string{
	rules.KeyUser:   "the target user's object id = the sign-in's userId, else its UPN",
	rules.KeyDevice: "the target device's object or device id = the sign-in's device id, else its name",
	rules.KeyPolicy: "the target policy's id among the sign-in's conditional access policies",
}

func showRule(w io.Writer, set *rules.Set, i int) error {
	r := set.Rules[i]
	var b strings.Builder
	fmt.Fprintf(&b, "cause:       %s (rule %d of %d)\n", r.ID, i+1, len(set.Rules))
	fmt.Fprintf(&b, "family:      %s\n", r.Family)
	fmt.Fprintf(&b, "label:       %s\n", r.Label)
	for j, c := range r.When {
		lead := "matches:    "
		if j > 0 {
			lead = "         or "
		}
		fmt.Fprintf(&b, "%s %s\n", lead, clauseText(c))
	}
	fmt.Fprintf(&b, "remediation: %s\n", r.Remediation)
	if r.File != "" {
		fmt.Fprintf(&b, "defined at:  %s:%d:%d\n", r.File, r.Line, r.Col)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// clauseText says what a clause matches, in words.
func clauseText(c rules.Clause) string {
	var parts []string
	switch len(c.Codes) {
	case 0:
		parts = append(parts, "any failure code")
	case 1:
		parts = append(parts, fmt.Sprintf("code %d", c.Codes[0]))
	default:
		parts = append(parts, "codes "+codeRanges(c.Codes))
	}
	if len(c.Text) > 0 {
		parts = append(parts, "text has "+quoteAll(c.Text, " or "))
	}
	if len(c.NotText) > 0 {
		parts = append(parts, "not "+quoteAll(c.NotText, " or "))
	}
	return strings.Join(parts, " and ")
}

func quoteAll(l []string, sep string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, sep)
}

// codeRanges writes codes compactly: 7000020-7000026 for a run.
func codeRanges(codes []int) string {
	var out []string
	for i := 0; i < len(codes); {
		j := i
		for j+1 < len(codes) && codes[j+1] == codes[j]+1 {
			j++
		}
		if j-i >= 2 {
			out = append(out, fmt.Sprintf("%d-%d", codes[i], codes[j]))
		} else {
			for k := i; k <= j; k++ {
				out = append(out, fmt.Sprint(codes[k]))
			}
		}
		i = j + 1
	}
	return strings.Join(out, ", ")
}
