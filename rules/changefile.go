package rules

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// changeEntry is a change kind as a rule file writes it: in extend mode an entry of a
// base kind's id gives only the fields it overrides, so every field but the id tells
// "absent" from "given".
type changeEntry struct {
	ID         string    `yaml:"id"`
	Label      *string   `yaml:"label"`
	Activities *[]string `yaml:"activities"`
	Key        *string   `yaml:"key"`
	Window     any       `yaml:"window"`
	Explains   *[]string `yaml:"explains"`
	Rank       *int      `yaml:"rank"`
}

// changeKeys are the keys a change kind may join on.
var changeKeys = []string{KeyUser, KeyDevice, KeyPolicy}

// loadChanges applies a rule file's change kinds to s, whose rules are final: an entry
// of a kind s has (from the base set in extend mode) overrides it field by field, a new
// one goes at the end. Every problem goes to problem, at the entry or field it is about:
// no id, an id twice, an unknown key, a bad window, no or an empty activity, an activity
// two kinds claim, a cause the final rules do not have.
func (s *Set) loadChanges(entries []*changeEntry, name string, pos func(string) (int, int), problem func(path, format string, args ...any)) {
	seen := map[string]bool{}
	fromFile := map[int]int{} // index in s.Changes -> the index of the entry that defined it
	for i, fe := range entries {
		path := fmt.Sprintf("$.changes[%d]", i)
		switch {
		case fe == nil: // of the wrong shape, reported
			continue
		case fe.ID == "":
			problem(path, "change kind with no id")
			continue
		case seen[fe.ID]:
			problem(path, "change kind %q defined twice in this file", fe.ID)
			continue
		}
		seen[fe.ID] = true
		idx := s.ChangeIndex(fe.ID)
		var k ChangeKind
		var missing []string // the fields a new kind must give and this one does not
		if idx >= 0 {
			k = s.Changes[idx] // an override: keep what the file does not give
		} else {
			k = ChangeKind{ID: fe.ID}
		}
		k.File = name
		k.Line, k.Col = pos(path)
		if fe.Label != nil {
			k.Label = *fe.Label
		}
		if fe.Activities != nil {
			k.Activities = nil
			if len(*fe.Activities) == 0 {
				problem(path+".activities", "change kind %q: empty activity list: it matches no audit record", fe.ID)
			}
			for j, a := range *fe.Activities {
				if NormalizeActivity(a) == "" {
					problem(fmt.Sprintf("%s.activities[%d]", path, j), "change kind %q: empty activity", fe.ID)
					continue
				}
				k.Activities = append(k.Activities, a)
			}
		} else if idx < 0 {
			missing = append(missing, "activities")
		}
		if fe.Key != nil {
			k.Key = *fe.Key
			if !slices.Contains(changeKeys, k.Key) {
				msg := fmt.Sprintf("change kind %q: unknown key %q: want user, device or policy", fe.ID, k.Key)
				if sg := Suggestions(k.Key, changeKeys); len(sg) > 0 {
					msg += fmt.Sprintf("; did you mean %q?", sg[0])
				}
				problem(path+".key", "%s", msg)
			}
		} else if idx < 0 {
			missing = append(missing, "key")
		}
		if fe.Window != nil {
			w, err := parseWindow(fe.Window)
			if err != nil {
				problem(path+".window", "change kind %q: %v", fe.ID, err)
			}
			k.Window = w
		} else if idx < 0 {
			missing = append(missing, "window")
		}
		if fe.Explains != nil {
			k.Explains = nil
			if len(*fe.Explains) == 0 {
				problem(path+".explains", "change kind %q: explains no cause", fe.ID)
			}
			causes := make([]string, len(s.Rules))
			for r := range s.Rules {
				causes[r] = s.Rules[r].ID
			}
			for j, c := range *fe.Explains {
				if s.RuleIndex(c) < 0 {
					msg := fmt.Sprintf("change kind %q: explains unknown cause %q", fe.ID, c)
					if sg := Suggestions(c, causes); len(sg) > 0 {
						msg += fmt.Sprintf("; did you mean %q?", sg[0])
					}
					problem(fmt.Sprintf("%s.explains[%d]", path, j), "%s", msg)
					continue
				}
				if !slices.Contains(k.Explains, c) {
					k.Explains = append(k.Explains, c)
				}
			}
		} else if idx < 0 {
			missing = append(missing, "explains")
		}
		if len(missing) > 0 {
			msg := fmt.Sprintf("change kind %q: a new kind needs %s; it has no %s", fe.ID, "activities, key, window and explains", orList(missing))
			ids := make([]string, len(s.Changes))
			for j := range s.Changes {
				ids[j] = s.Changes[j].ID
			}
			if sg := Suggestions(fe.ID, ids); len(sg) > 0 {
				msg += fmt.Sprintf("; did you mean to change %q?", sg[0])
			}
			problem(path, "%s", msg)
		}
		if fe.Rank != nil {
			k.Rank = *fe.Rank
		}
		if idx >= 0 {
			s.Changes[idx] = k
		} else {
			idx = len(s.Changes)
			s.Changes = append(s.Changes, k)
		}
		fromFile[idx] = i
	}
	// A kind of the base whose causes this file no longer has (a replace-mode file cannot
	// have base kinds; an extend-mode file cannot remove causes): said all the same.
	for i, k := range s.Changes {
		if _, ok := fromFile[i]; ok {
			continue
		}
		for _, c := range k.Explains {
			if s.RuleIndex(c) < 0 {
				problem("", "change kind %q (%s:%d:%d): explains unknown cause %q", k.ID, k.File, k.Line, k.Col, c)
			}
		}
	}
	// One activity, one kind. The problem is at the kind this file defines (the later of
	// two it defines), at the activity when the file gave the list.
	claimed := map[string]int{}
	for i, k := range s.Changes {
		for _, a := range k.Activities {
			n := NormalizeActivity(a)
			first, ok := claimed[n]
			if !ok {
				claimed[n] = i
				continue
			}
			if first == i {
				continue // twice in one kind: harmless
			}
			blame, other := i, first
			if _, ok := fromFile[i]; !ok {
				blame, other = first, i
			}
			at := ""
			if e, ok := fromFile[blame]; ok {
				at = fmt.Sprintf("$.changes[%d]", e)
				if given := entries[e].Activities; given != nil {
					at += fmt.Sprintf(".activities[%d]", slices.IndexFunc(*given, func(b string) bool { return NormalizeActivity(b) == n }))
				}
			}
			problem(at, "change kind %q: activity %q is also change kind %q's", s.Changes[blame].ID, a, s.Changes[other].ID)
		}
	}
}

// orList joins words as "a, b or c".
func orList(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

var daysWindow = regexp.MustCompile(`^(\d+)d(.*)$`)

// parseWindow reads a change kind's window: a Go duration (36h, 90m), days (7d), or days
// and a duration (1d12h). It must be positive.
func parseWindow(v any) (time.Duration, error) {
	s, ok := v.(string)
	if !ok {
		return 0, fmt.Errorf("bad window %v: want a duration like 7d or 36h", v)
	}
	s = strings.TrimSpace(s)
	var days time.Duration
	rest := s
	if m := daysWindow.FindStringSubmatch(s); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n > 100000 {
			return 0, fmt.Errorf("bad window %q: want a duration like 7d or 36h", s)
		}
		days, rest = time.Duration(n)*24*time.Hour, m[2]
	}
	var d time.Duration
	if rest != "" {
		var err error
		if d, err = time.ParseDuration(rest); err != nil {
			return 0, fmt.Errorf("bad window %q: want a duration like 7d or 36h", s)
		}
	}
	if days+d <= 0 {
		return 0, fmt.Errorf("bad window %q: want a positive duration like 7d or 36h", s)
	}
	return days + d, nil
}

// FormatWindow writes a change kind's window as rule files give it: whole days as "7d", else a Go
// duration.
func FormatWindow(d time.Duration) string {
	const day = 24 * time.Hour
	if d > 0 && d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	return d.String()
}

// ChangesFingerprint identifies what the change kinds join: in order, each kind's id,
// activities (as compared), key, window, causes and rank (labels do not change an
// attribution). "" for a set without kinds. It is apart from Fingerprint, which stays
// what it was over the causes, so that summaries and baselines from before the kinds
// still merge and compare.
func (s *Set) ChangesFingerprint() string {
	if len(s.Changes) == 0 {
		return ""
	}
	h := sha256.New()
	for _, k := range s.Changes {
		acts := make([]string, len(k.Activities))
		for i, a := range k.Activities {
			acts[i] = NormalizeActivity(a)
		}
		fmt.Fprintf(h, "change %q %q %q %d %q %d\n", k.ID, acts, k.Key, int64(k.Window), k.Explains, k.Rank)
	}
	return fmt.Sprintf("sha256:%x", h.Sum(nil)[:12])
}
