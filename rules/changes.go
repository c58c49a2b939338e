package rules

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/grantsweep/grantsweep/parse"
)

// The keys a change kind joins failures on: the target of its audit records that it
// selects (by the target's type) and the sign-in fields it is compared with.
const (
	KeyUser   = "user"   // a User target: object id = sign-in userId, else UPN = UPN
	KeyDevice = "device" // a Device target: object or device id = deviceDetail.deviceId, else display name
	KeyPolicy = "policy" // a Policy target: id among the sign-in's conditional access policy ids
)

// GroupGap is how close in time audit records of change kinds on one target must be to
// be one change (a password reset writes four records within a second).
const GroupGap = 5 * time.Second

// ChangeKind is one kind of directory change that can explain failures: the audit
// activities that make it, the key that joins it to failures, how long after the change
// a failure can be its consequence, and the causes it can explain. Its id is a public
// contract, like a cause's.
type ChangeKind struct {
	ID         string
	Label      string
	Activities []string      // as written in the rule file; matched by NormalizeActivity
	Key        string        // KeyUser, KeyDevice or KeyPolicy
	Window     time.Duration // a failure at most this long after the change
	Explains   []string      // cause ids
	// Rank orders kinds by how specific they are: when audit records of several kinds
	// make one change, the change is named after the kind of lowest rank (ties: the one
	// first in the set).
	Rank int

	File      string // where the kind was defined
	Line, Col int
}

// NormalizeActivity is the form in which activity names are compared: lower case,
// whitespace collapsed, dashes and underscores as spaces, a trailing "." dropped.
// "Reset password (self-service)", "reset password (self service)." and
// "Reset Password (Self-Service)" are one activity.
func NormalizeActivity(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014':
			return ' '
		}
		return r
	}, s)
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	return strings.TrimSpace(strings.TrimSuffix(s, "."))
}

// ChangeRecord is one audit record of a change kind on one of its targets (a record
// with two targets of the kind's type is two ChangeRecords).
type ChangeRecord struct {
	Kind     int // index in Set.Changes
	Time     time.Time
	AuditID  string
	Activity string
	Actor    string
	Target   parse.Target
}

// Change is one directory change: the ChangeRecords on one target (same key type and
// target key) whose times are within GroupGap of the first of them.
type Change struct {
	Kind     int       // the most specific member's kind (see ChangeKind.Rank)
	Kinds    []int     // every member's kind, increasing
	Time     time.Time // the first member's time
	Activity string    // the activity of the first member of Kind with an audit id (else the first)
	Actor    string    // that member's actor
	Target   parse.Target
	AuditIDs []string // every member's audit id, sorted, de-duplicated
}

// Failure is what the join reads of an in-scope failure.
type Failure struct {
	Rule       int // index in Set.Rules: the cause
	Time       time.Time
	UserID     string
	User       string // UPN, lower-cased
	DeviceID   string
	DeviceName string
	CAPolicies string // parse.Event.CAPolicies
}

// targetTypes are the audit target types each key selects (compared case-insensitively).
var targetTypes = map[string]string{KeyUser: "User", KeyDevice: "Device", KeyPolicy: "Policy"}

// ChangeIndex returns the position of change kind id in s.Changes, or -1.
func (s *Set) ChangeIndex(id string) int {
	return slices.IndexFunc(s.Changes, func(k ChangeKind) bool { return k.ID == id })
}

// ChangeKindOf returns the index in s.Changes of the kind whose activities name activity
// (compared by NormalizeActivity), or -1.
func (s *Set) ChangeKindOf(activity string) int {
	n := NormalizeActivity(activity)
	if s.byActivity != nil {
		if k, ok := s.byActivity[n]; ok {
			return k
		}
		return -1
	}
	for i, k := range s.Changes { // a set not made by Load
		if slices.ContainsFunc(k.Activities, func(a string) bool { return NormalizeActivity(a) == n }) {
			return i
		}
	}
	return -1
}

// ChangeRecords calls emit with one ChangeRecord for each target of a's of its kind's key
// type (User, Device or Policy, by Target.Type case-insensitively) when a's activity is
// of a change kind; for other activities, nothing. A record whose result is "failure"
// changed nothing and gives nothing, and so does a target with nothing to join on (a user
// of no id and no UPN, a device of no id, device id or name, a policy of no id). The
// strings of what emit gets are a's: a caller that keeps them past a's lifetime clones them.
func (s *Set) ChangeRecords(a *parse.Audit, emit func(ChangeRecord)) {
	k := s.ChangeKindOf(a.Activity)
	if k < 0 || strings.EqualFold(strings.TrimSpace(a.Result), "failure") {
		return
	}
	key := s.Changes[k].Key
	typ := targetTypes[key]
	for _, t := range a.Targets {
		if !strings.EqualFold(strings.TrimSpace(t.Type), typ) || groupKey(key, &t) == "" {
			continue
		}
		emit(ChangeRecord{Kind: k, Time: a.Time, AuditID: a.ID, Activity: a.Activity, Actor: a.Actor, Target: t})
	}
}

// groupKey is the target key audit records are grouped on: a user's object id, else its
// UPN; a device's object id, else its device id, else its name; a policy's id; lower-cased
// and tagged with which it is. "" when the target has none of them.
func groupKey(key string, t *parse.Target) string {
	switch key {
	case KeyUser:
		if t.ID != "" {
			return "id:" + strings.ToLower(t.ID)
		}
		if t.UPN != "" {
			return "upn:" + strings.ToLower(t.UPN)
		}
	case KeyDevice:
		if t.ID != "" {
			return "id:" + strings.ToLower(t.ID)
		}
		if t.DeviceID != "" {
			return "device:" + strings.ToLower(t.DeviceID)
		}
		if t.Name != "" {
			return "name:" + strings.ToLower(t.Name)
		}
	case KeyPolicy:
		if t.ID != "" {
			return "id:" + strings.ToLower(t.ID)
		}
	}
	return ""
}

// Explainable reports whether some change kind explains cause rule (an index in s.Rules).
func (s *Set) Explainable(rule int) bool {
	if rule < 0 || rule >= len(s.Rules) {
		return false
	}
	id := s.Rules[rule].ID
	return slices.ContainsFunc(s.Changes, func(k ChangeKind) bool { return slices.Contains(k.Explains, id) })
}

// Group makes changes of change records: it orders recs (key type, target key, time,
// audit id, then every other field, so that the order they came in does not matter; recs
// itself is left as it is) and cuts them into groups of one key type and target key (see
// groupKey) whose times are within GroupGap of the group's first, ends included. A change is named after its most
// specific member kind (the lowest Rank, ties the one first in s.Changes): its activity,
// actor and target are those of its first member of that kind, the target's empty fields
// filled from the other members in order. Records of a kind s does not have are left out.
// The changes are sorted by time, then first audit id, then target. Group is pure.
func (s *Set) Group(recs []ChangeRecord) []Change {
	type keyed struct {
		rec      *ChangeRecord
		typ, key string
	}
	ks := make([]keyed, 0, len(recs))
	for i := range recs {
		r := &recs[i]
		if r.Kind < 0 || r.Kind >= len(s.Changes) {
			continue
		}
		typ := s.Changes[r.Kind].Key
		ks = append(ks, keyed{r, typ, groupKey(typ, &r.Target)})
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		return cmp.Or(cmp.Compare(a.typ, b.typ), cmp.Compare(a.key, b.key), compareRecords(a.rec, b.rec))
	})
	type made struct {
		Change
		typ, key string
	}
	var out []made
	for i := 0; i < len(ks); {
		j := i + 1
		for j < len(ks) && ks[j].typ == ks[i].typ && ks[j].key == ks[i].key && ks[j].rec.Time.Sub(ks[i].rec.Time) <= GroupGap {
			j++
		}
		g := ks[i:j]
		c := Change{Time: g[0].rec.Time, Kind: g[0].rec.Kind}
		for _, m := range g {
			if k := m.rec.Kind; s.Changes[k].Rank < s.Changes[c.Kind].Rank || (s.Changes[k].Rank == s.Changes[c.Kind].Rank && k < c.Kind) {
				c.Kind = k
			}
			c.Kinds = append(c.Kinds, m.rec.Kind)
			if m.rec.AuditID != "" {
				c.AuditIDs = append(c.AuditIDs, m.rec.AuditID)
			}
		}
		slices.Sort(c.Kinds)
		c.Kinds = slices.Compact(c.Kinds)
		slices.Sort(c.AuditIDs)
		c.AuditIDs = slices.Compact(c.AuditIDs)
		// Named after the first member of its kind, preferring one that has an audit id:
		// the portal's download has none, and spells activities its own way.
		named := slices.IndexFunc(g, func(m keyed) bool { return m.rec.Kind == c.Kind && m.rec.AuditID != "" })
		if named < 0 {
			named = slices.IndexFunc(g, func(m keyed) bool { return m.rec.Kind == c.Kind })
		}
		c.Activity, c.Actor, c.Target = g[named].rec.Activity, g[named].rec.Actor, g[named].rec.Target
		for _, m := range g {
			fillTarget(&c.Target, &m.rec.Target)
		}
		out = append(out, made{c, g[0].typ, g[0].key})
		i = j
	}
	slices.SortFunc(out, func(a, b made) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(firstID(a.AuditIDs), firstID(b.AuditIDs)),
			cmp.Compare(a.typ, b.typ), cmp.Compare(a.key, b.key), cmp.Compare(a.Kind, b.Kind))
	})
	changes := make([]Change, len(out))
	for i := range out {
		changes[i] = out[i].Change
	}
	return changes
}

// compareRecords orders change records of one target: time, audit id, then every other
// field.
func compareRecords(a, b *ChangeRecord) int {
	return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.AuditID, b.AuditID), cmp.Compare(a.Kind, b.Kind),
		cmp.Compare(a.Activity, b.Activity), cmp.Compare(a.Actor, b.Actor),
		cmp.Compare(a.Target.Type, b.Target.Type), cmp.Compare(a.Target.ID, b.Target.ID), cmp.Compare(a.Target.UPN, b.Target.UPN),
		cmp.Compare(a.Target.Name, b.Target.Name), cmp.Compare(a.Target.DeviceID, b.Target.DeviceID))
}

// fillTarget gives t the fields it lacks that o has.
func fillTarget(t, o *parse.Target) {
	for _, f := range [...]struct{ to, from *string }{{&t.Type, &o.Type}, {&t.ID, &o.ID}, {&t.UPN, &o.UPN}, {&t.Name, &o.Name}, {&t.DeviceID, &o.DeviceID}} {
		if *f.to == "" {
			*f.to = *f.from
		}
	}
}

func firstID(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// Attributor finds the change that explains a failure. It indexes the changes by every
// key a failure can match them on, per cause, each list sorted by time, so that Explain
// costs a few map look-ups and binary searches, whatever the number of changes.
type Attributor struct {
	changes []Change
	lists   map[listKey]*changeList
	spaces  [][]bool // per rule: which key spaces have lists
}

// The key spaces a change is indexed under; a failure looks in those its fields allow.
const (
	spaceUserID     = iota // a user target's object id
	spaceUPNNoID           // the UPN of a user target without an object id
	spaceUPNWithID         // the UPN of a user target with one
	spaceDeviceID          // a device target's object id and device id
	spaceNameNoID          // the name of a device target with neither id
	spaceNameWithID        // the name of a device target with an id
	spacePolicy            // a policy target's id
	nSpaces
)

type listKey struct {
	rule  int
	space int
	key   string // lower-cased
}

// changeList is the changes of one list key, by time (then first audit id descending, so
// that a scan back from a time meets the smallest first); maxWindow bounds the scan.
type changeList struct {
	entries   []changeEntryAt
	maxWindow time.Duration
}

type changeEntryAt struct {
	time   time.Time
	window time.Duration // of the change's kinds for the list's cause
	index  int           // in the Attributor's changes (its first audit id: Attributor.first)
}

// first is the first audit id of the change an entry stands for.
func (a *Attributor) first(e changeEntryAt) string { return firstID(a.changes[e.index].AuditIDs) }

// NewAttributor indexes changes (from Group, on s) for Explain. Changes of no time are
// left out: nothing can be said to follow them.
func (s *Set) NewAttributor(changes []Change) *Attributor {
	a := &Attributor{changes: changes, lists: map[listKey]*changeList{}, spaces: make([][]bool, len(s.Rules))}
	// explains[k] = the rule indexes kind k explains
	explains := make([][]int, len(s.Changes))
	for k, kind := range s.Changes {
		for _, id := range kind.Explains {
			if r := s.RuleIndex(id); r >= 0 {
				explains[k] = append(explains[k], r)
			}
		}
	}
	window := map[int]time.Duration{}
	add := func(rule, space int, key string, e changeEntryAt, w time.Duration) {
		if key == "" {
			return
		}
		lk := listKey{rule, space, strings.ToLower(key)}
		l := a.lists[lk]
		if l == nil {
			l = &changeList{}
			a.lists[lk] = l
		}
		if len(l.entries) > 0 && l.entries[len(l.entries)-1].index == e.index {
			return // one change under one key twice (a device whose object id is its device id)
		}
		l.entries = append(l.entries, e)
		l.maxWindow = max(l.maxWindow, w)
		if a.spaces[rule] == nil {
			a.spaces[rule] = make([]bool, nSpaces)
		}
		a.spaces[rule][space] = true
	}
	for ci := range changes {
		c := &changes[ci]
		if c.Time.IsZero() || c.Kind < 0 || c.Kind >= len(s.Changes) {
			continue
		}
		clear(window)
		for _, k := range c.Kinds {
			if k < 0 || k >= len(s.Changes) {
				continue
			}
			for _, r := range explains[k] {
				window[r] = max(window[r], s.Changes[k].Window)
			}
		}
		t := &c.Target
		for r, w := range window {
			e := changeEntryAt{time: c.Time, window: w, index: ci}
			switch s.Changes[c.Kind].Key {
			case KeyUser:
				if t.ID != "" {
					add(r, spaceUserID, t.ID, e, w)
					add(r, spaceUPNWithID, t.UPN, e, w)
				} else {
					add(r, spaceUPNNoID, t.UPN, e, w)
				}
			case KeyDevice:
				// A device's object id is not the id sign-ins give (deviceDetail.deviceId):
				// only a target that carries the device id can be told apart by id, so
				// the name joins whenever the target lacks one.
				if t.ID != "" {
					add(r, spaceDeviceID, t.ID, e, w)
				}
				if t.DeviceID != "" && !strings.EqualFold(t.DeviceID, t.ID) {
					add(r, spaceDeviceID, t.DeviceID, e, w)
				}
				if t.DeviceID != "" {
					add(r, spaceNameWithID, t.Name, e, w)
				} else {
					add(r, spaceNameNoID, t.Name, e, w)
				}
			case KeyPolicy:
				add(r, spacePolicy, t.ID, e, w)
			}
		}
	}
	for _, l := range a.lists {
		slices.SortFunc(l.entries, func(x, y changeEntryAt) int {
			return cmp.Or(x.time.Compare(y.time), cmp.Compare(a.first(y), a.first(x)), cmp.Compare(y.index, x.index))
		})
	}
	return a
}

// Explain returns the index (in the changes the Attributor was made of) of the change
// that explains f, or -1: among the changes with a member kind that explains f's cause,
// whose target matches f, and with Time <= f.Time <= Time + that kind's window, the one of
// the latest Time, ties the smallest first audit id. A user target matches by object id
// = f.UserID (case-insensitively), and by UPN = f.User only when the target or f has no
// id; a device target by object or device id = f.DeviceID, and by name = f.DeviceName
// (case-insensitively) when the target gives no device id (its object id is not the id
// a sign-in gives) or f has none; a policy target
// when its id is among f.CAPolicies (comma-separated; none: no policy change explains f).
func (a *Attributor) Explain(f *Failure) int {
	if f.Rule < 0 || f.Rule >= len(a.spaces) || a.spaces[f.Rule] == nil || f.Time.IsZero() {
		return -1
	}
	spaces := a.spaces[f.Rule]
	best := changeEntryAt{index: -1}
	try := func(space int, key string) {
		if !spaces[space] || key == "" {
			return
		}
		l := a.lists[listKey{f.Rule, space, strings.ToLower(key)}]
		if l == nil {
			return
		}
		es := l.entries
		i, _ := slices.BinarySearchFunc(es, f.Time, func(e changeEntryAt, t time.Time) int {
			if e.time.After(t) {
				return 1
			}
			return -1 // at or before t: the search lands after the last of them
		})
		for j := i - 1; j >= 0; j-- {
			e := es[j]
			if e.time.Add(l.maxWindow).Before(f.Time) {
				break // this one and every earlier one are too long before f
			}
			if e.time.Add(e.window).Before(f.Time) {
				continue
			}
			if best.index < 0 || e.time.After(best.time) || (e.time.Equal(best.time) && (a.first(e) < a.first(best) || (a.first(e) == a.first(best) && e.index < best.index))) {
				best = e
			}
			break // the latest here, and the smallest first audit id of that time
		}
	}
	if spaces[spaceUserID] || spaces[spaceUPNNoID] || spaces[spaceUPNWithID] {
		try(spaceUserID, f.UserID)
		try(spaceUPNNoID, f.User)
		if f.UserID == "" {
			try(spaceUPNWithID, f.User)
		}
	}
	if spaces[spaceDeviceID] || spaces[spaceNameNoID] || spaces[spaceNameWithID] {
		try(spaceDeviceID, f.DeviceID)
		try(spaceNameNoID, f.DeviceName)
		if f.DeviceID == "" {
			try(spaceNameWithID, f.DeviceName)
		}
	}
	if spaces[spacePolicy] {
		for rest := f.CAPolicies; rest != ""; {
			var id string
			id, rest, _ = strings.Cut(rest, ",")
			try(spacePolicy, strings.TrimSpace(id))
		}
	}
	return best.index
}
