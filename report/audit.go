package report

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/rules"
)

// The summary side of the audit join: the directory audit records read are counted, and
// those of a change kind (rules.Set.Changes) kept as ChangeRecords, every one (never the
// groups, so that merging regroups them exactly). At view time the records are grouped
// into changes (rules.Set.Group) and every in-scope event kept is attributed to the
// change that explains it, if any (rules.Attributor.Explain).
//
// Memory: only the records of a change kind are kept, their strings in a table of their
// own (actors, activities and targets repeat), charged to the summary's budget. Other
// activities, most of an audit log, are only counted. The change records are not spilled:
// grouping needs them all at once; they are bounded by the audit records of a change kind
// read (about 200 bytes each plus their distinct strings), which the budget's accounting
// makes the events spill sooner to leave room for.

// changeRecordCost is what one kept change record takes besides its distinct strings.
const changeRecordCost = int64(unsafe.Sizeof(rules.ChangeRecord{}))

// audit counts one directory audit record of the input being read and keeps its change
// records; a is valid only during the call.
func (s *Summary) audit(a *parse.Audit) {
	s.dropView()
	s.auditRecords++
	if len(s.Rules.Changes) == 0 {
		return
	}
	s.Rules.ChangeRecords(a, s.keepChange)
}

// keepChange keeps one change record, its strings cloned and interned.
func (s *Summary) keepChange(r rules.ChangeRecord) {
	s.dropView()
	if r.AuditID != "" { // one of its own: a copy, not an entry of the string table
		r.AuditID = strings.Clone(r.AuditID)
		s.growChanges(int64(len(r.AuditID)) + stringCost)
	}
	r.Activity = s.cintern(r.Activity)
	r.Actor = s.cintern(r.Actor)
	r.Target.Type = s.cintern(r.Target.Type)
	r.Target.ID = s.cintern(r.Target.ID)
	r.Target.UPN = s.cintern(r.Target.UPN)
	r.Target.Name = s.cintern(r.Target.Name)
	r.Target.DeviceID = s.cintern(r.Target.DeviceID)
	s.changes = append(s.changes, r)
	s.growChanges(changeRecordCost)
}

// cintern returns a copy of v from the change records' string table, adding it.
func (s *Summary) cintern(v string) string {
	if v == "" {
		return ""
	}
	if c, ok := s.cstrs[v]; ok {
		return c
	}
	if s.cstrs == nil {
		s.cstrs = map[string]string{}
	}
	c := strings.Clone(v)
	s.cstrs[c] = c
	s.growChanges(int64(len(c)) + stringCost)
	return c
}

// growChanges charges the change records' memory to the budget (apart from the events'
// held, which spilling lets go).
func (s *Summary) growChanges(n int64) {
	s.changeHeld += n
	if s.budget != nil {
		s.budget.Pin(n)
	}
}

// AuditRecords is the number of directory audit records read, every activity.
func (s *Summary) AuditRecords() int64 { return s.auditRecords }

// ChangeRecords is the number of change records kept (audit records of a change kind, a
// record per target of the kind's type).
func (s *Summary) ChangeRecords() int { return len(s.changes) }

// mergeChanges moves o's change records to s.
func (s *Summary) mergeChanges(o *Summary) {
	s.auditRecords += o.auditRecords
	if len(s.changes) == 0 { // the records and their strings move, with their charge
		s.changes, s.cstrs = o.changes, o.cstrs
		s.growChanges(o.changeHeld)
		o.changes, o.cstrs = nil, nil
		o.growChanges(-o.changeHeld)
		if len(s.changes) > 0 {
			s.dropView()
		}
		return
	}
	// o's strings are copies of its own (never a decoder's buffer): its records are
	// appended as they are, their strings shared with s's table where it has them.
	s.dropView()
	s.changes = slices.Grow(s.changes, len(o.changes))
	for _, r := range o.changes {
		for _, f := range []*string{&r.Activity, &r.Actor, &r.Target.Type, &r.Target.ID, &r.Target.UPN, &r.Target.Name, &r.Target.DeviceID} {
			if c, ok := s.cstrs[*f]; ok {
				*f = c
			}
		}
		s.changes = append(s.changes, r)
	}
	s.growChanges(o.changeHeld)
	o.releaseChanges()
}

// releaseChanges lets go of the change records.
func (s *Summary) releaseChanges() {
	s.changes, s.cstrs = nil, nil
	s.growChanges(-s.changeHeld)
}

// sortedChanges returns the change records in one order whatever order they were read
// in (the partial writes them so: merge and a sweep of the same inputs write the same
// bytes): by time, audit id, kind, then the target and the rest.
func (s *Summary) sortedChanges() []rules.ChangeRecord {
	out := slices.Clone(s.changes)
	slices.SortFunc(out, compareChangeRecords)
	return out
}

func compareChangeRecords(a, b rules.ChangeRecord) int {
	return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.AuditID, b.AuditID), cmp.Compare(a.Kind, b.Kind),
		cmp.Compare(a.Target.Type, b.Target.Type), cmp.Compare(a.Target.ID, b.Target.ID), cmp.Compare(a.Target.UPN, b.Target.UPN),
		cmp.Compare(a.Target.Name, b.Target.Name), cmp.Compare(a.Target.DeviceID, b.Target.DeviceID),
		cmp.Compare(a.Activity, b.Activity), cmp.Compare(a.Actor, b.Actor))
}

// changesView is the attribution of a view's events: the changes the records make, and
// what each explains.
type changesView struct {
	changes   []rules.Change
	att       *rules.Attributor
	explained []int64  // by rule index: the cause's events a change explains
	rows      []chgRow // by_change: the changes that explain a failure, in order
	context   []chgRow // change_context: policy changes in the window that explain nothing
	// mainOf is, by rule index, the row (index in rows) that explains the most of the
	// cause's events (ties: the first in rows), -1 for none; changesOf how many rows
	// explain some.
	mainOf, changesOf []int
}

// chgRow is one change with what it explains.
type chgRow struct {
	c      *rules.Change
	index  int // in changes
	events int64
	users  int
	causes []int64 // by rule index
}

// failureOf is what the join reads of a kept event.
func failureOf(x *xevent) rules.Failure {
	return rules.Failure{Rule: x.rule, Time: x.Time, UserID: x.UserID, User: strings.ToLower(x.User),
		DeviceID: x.DeviceID, DeviceName: x.DeviceName, CAPolicies: x.CAPolicies}
}

// attribute groups the change records and attributes every in-scope event of v; nothing
// when no change record was read (a sweep without audit records does no more work).
func (s *Summary) attribute(v *view) error {
	nr := len(s.Rules.Rules)
	cv := &changesView{explained: make([]int64, nr), mainOf: make([]int, nr), changesOf: make([]int, nr)}
	v.chg = cv
	for i := range cv.mainOf {
		cv.mainOf[i] = -1
	}
	if len(s.changes) == 0 {
		return nil
	}
	cv.changes = s.Rules.Group(slices.Clone(s.changes))
	cv.att = s.Rules.NewAttributor(cv.changes)
	events := make([]int64, len(cv.changes))
	causes := make([][]int64, len(cv.changes))
	users := s.sorterOf(true, 8) // (change, user) pairs: the distinct users of each change
	defer users.Close()
	var k []byte
	err := s.eachKept(v, func(x *xevent) error {
		f := failureOf(x)
		ci := cv.att.Explain(&f)
		if ci < 0 {
			return nil
		}
		events[ci]++
		if causes[ci] == nil {
			causes[ci] = make([]int64, nr)
		}
		causes[ci][x.rule]++
		cv.explained[x.rule]++
		if u := cmp.Or(x.User, x.UserID); u != "" {
			k = binary.BigEndian.AppendUint32(k[:0], uint32(ci))
			k = append(k, u...)
			return users.Add(k, nil)
		}
		return nil
	})
	if err != nil {
		return err
	}
	nUsers := make([]int, len(cv.changes))
	if err := users.Each(func(key, _ []byte) error {
		nUsers[binary.BigEndian.Uint32(key)]++
		return nil
	}); err != nil {
		return err
	}
	first, last := span(v.causes)
	for i := range cv.changes {
		c := &cv.changes[i]
		if events[i] > 0 {
			cv.rows = append(cv.rows, chgRow{c: c, index: i, events: events[i], users: nUsers[i], causes: causes[i]})
			continue
		}
		kind := &s.Rules.Changes[c.Kind]
		if kind.Key == rules.KeyPolicy && !first.IsZero() && !c.Time.Before(first.Add(-kind.Window)) && !c.Time.After(last) {
			cv.context = append(cv.context, chgRow{c: c, index: i, causes: make([]int64, nr)})
		}
	}
	slices.SortStableFunc(cv.rows, func(a, b chgRow) int {
		return cmp.Or(cmp.Compare(b.events, a.events), a.c.Time.Compare(b.c.Time), cmp.Compare(firstID(a.c), firstID(b.c)))
	}) // the changes are in time and first id order already: stable keeps it for ties
	for ri := range nr {
		for i, r := range cv.rows {
			if r.causes[ri] == 0 {
				continue
			}
			cv.changesOf[ri]++
			if m := cv.mainOf[ri]; m < 0 || r.causes[ri] > cv.rows[m].causes[ri] {
				cv.mainOf[ri] = i
			}
		}
	}
	return nil
}

func firstID(c *rules.Change) string {
	if len(c.AuditIDs) == 0 {
		return ""
	}
	return c.AuditIDs[0]
}

// Attribution is the audit join for a reader that lists events rather than counting
// them (grantsweep events): it keeps the change records of the audit records handed to
// Audit (a [Sink] Audit), and once every input is read, Explain says which change explains
// an event. Its change records are held as the summary's are (see the top of this file).
type Attribution struct {
	set     *rules.Set
	recs    []rules.ChangeRecord
	strs    map[string]string
	changes []rules.Change
	att     *rules.Attributor
	grouped bool
	Records int64 // audit records handed to Audit
}

// NewAttribution returns an Attribution over set's change kinds.
func NewAttribution(set *rules.Set) *Attribution {
	return &Attribution{set: set, strs: map[string]string{}}
}

// Audit keeps the change records of one audit record; a is valid only during the call.
func (a *Attribution) Audit(au *parse.Audit) {
	a.Records++
	a.set.ChangeRecords(au, func(r rules.ChangeRecord) {
		in := func(v string) string {
			if c, ok := a.strs[v]; ok {
				return c
			}
			c := strings.Clone(v)
			a.strs[c] = c
			return c
		}
		r.AuditID, r.Activity, r.Actor = in(r.AuditID), in(r.Activity), in(r.Actor)
		r.Target = parse.Target{Type: in(r.Target.Type), ID: in(r.Target.ID), UPN: in(r.Target.UPN), Name: in(r.Target.Name), DeviceID: in(r.Target.DeviceID)}
		a.recs = append(a.recs, r)
		a.grouped = false
	})
}

// Explained is the change that explains an event, as the event listing shows it: its
// kind, the activity and actor of its main record, its time and its first audit id.
type Explained struct {
	Kind, Activity, Actor string
	Time                  time.Time
	AuditID               string
}

// Explain returns the change that explains an in-scope event of cause rule (an index in
// the rule set's Rules); false when none does. Call it once every input is read.
func (a *Attribution) Explain(ev *parse.Event, rule int) (Explained, bool) {
	if len(a.recs) == 0 {
		return Explained{}, false
	}
	if !a.grouped {
		a.changes = a.set.Group(a.recs)
		a.att = a.set.NewAttributor(a.changes)
		a.grouped = true
	}
	f := rules.Failure{Rule: rule, Time: ev.Time, UserID: ev.UserID, User: strings.ToLower(ev.User), DeviceID: ev.DeviceID,
		DeviceName: ev.DeviceName, CAPolicies: ev.CAPolicies}
	ci := a.att.Explain(&f)
	if ci < 0 {
		return Explained{}, false
	}
	c := &a.changes[ci]
	return Explained{Kind: a.set.Changes[c.Kind].ID, Activity: c.Activity, Actor: c.Actor, Time: c.Time, AuditID: firstID(c)}, true
}

// changeTarget is what a change's target shows: a user's UPN, a device's or a policy's
// name, else its ids.
func changeTarget(t *parse.Target) string {
	if strings.EqualFold(t.Type, "User") {
		return cmp.Or(t.UPN, t.Name, t.ID)
	}
	return cmp.Or(t.Name, t.UPN, t.DeviceID, t.ID)
}

// explained is how many of rule ri's events a change explains.
func (v *view) explained(ri int) int64 {
	if v.chg == nil {
		return 0
	}
	return v.chg.explained[ri]
}

// changeCells are a change row's cells as every renderer names them, in the order of
// changeColumns; times RFC 3339 in UTC (JSON) or for the renderer (times).
func (s *Summary) changeCells(r *chgRow, when func(time.Time) string) []string {
	c := r.c
	kind := s.Rules.Changes[c.Kind]
	return []string{kind.ID, kind.Label, c.Activity, c.Actor, changeTarget(&c.Target), c.Target.Type, when(c.Time), strings.Join(c.AuditIDs, " ")}
}

// jsonChanges is tables.by_change or tables.change_context: a row per change {kind,
// label, activity, actor, target, target_type, time, audit_ids, events, users, causes}.
type jsonChanges struct {
	s    *Summary
	rows []chgRow
}

func (t jsonChanges) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('[')
	ids := make([]string, len(t.s.Rules.Rules))
	for i, r := range t.s.Rules.Rules {
		ids[i] = r.ID
	}
	for i := range t.rows {
		r := &t.rows[i]
		if i > 0 {
			b.WriteByte(',')
		}
		cells := t.s.changeCells(r, func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) })
		b.WriteByte('{')
		for j, name := range []string{"kind", "label", "activity", "actor", "target", "target_type", "time"} {
			writeKey(&b, name)
			writeString(&b, cells[j])
			b.WriteByte(',')
		}
		writeKey(&b, "audit_ids")
		b.WriteByte('[')
		for j, id := range r.c.AuditIDs {
			if j > 0 {
				b.WriteByte(',')
			}
			writeString(&b, id)
		}
		b.WriteString("],")
		writeKey(&b, "events")
		b.WriteString(strconv.FormatInt(r.events, 10))
		b.WriteByte(',')
		writeKey(&b, "users")
		b.WriteString(strconv.Itoa(r.users))
		b.WriteByte(',')
		writeKey(&b, "causes")
		writeCounts(&b, ids, r.causes)
		b.WriteByte('}')
	}
	b.WriteByte(']')
	return b.Bytes(), nil
}

// changeColumns are the columns of the partial's change records.
var changeColumns = []string{"time", "audit_id", "kind", "activity", "actor", "target_type", "target_id", "target_upn", "target_name", "target_device_id"}

// appendChangeRecord appends a change record as a row of the partial's changes.
func (s *Summary) appendChangeRecord(b []byte, r *rules.ChangeRecord) []byte {
	b = append(b, '[', '"')
	if !r.Time.IsZero() {
		b = r.Time.UTC().AppendFormat(b, time.RFC3339Nano)
	}
	b = append(b, '"')
	for _, v := range []string{r.AuditID, s.Rules.Changes[r.Kind].ID, r.Activity, r.Actor, r.Target.Type, r.Target.ID, r.Target.UPN, r.Target.Name, r.Target.DeviceID} {
		b = append(b, ',')
		b = appendString(b, v)
	}
	return append(b, ']')
}

// readChanges checks and keeps the change records of a partial read back: of the
// active rule set's change kinds, with its columns; audit is totals.audit_records, which
// a summary with change records has some of.
func (s *Summary) readChanges(c checker, p *storedPartial, audit int64) error {
	s.auditRecords = audit
	if p.ChangeKinds == nil {
		if len(p.Changes) > 0 {
			return c.errorf("partial.change_kinds", "missing, but the partial has %s", plural(int64(len(p.Changes)), "change record"))
		}
		return nil // written before the audit join
	}
	if want := s.Rules.ChangesFingerprint(); *p.ChangeKinds != want {
		return fmt.Errorf("%s: %w (its change kinds are %s; the active ones are %s): use the same --rules", c.file, ErrRuleSet, *p.ChangeKinds, want)
	}
	if !slices.Equal(p.ChangeColumns, changeColumns) {
		return c.errorf("partial.change_columns", "%v, want %v", p.ChangeColumns, changeColumns)
	}
	if len(p.Changes) > 0 && audit == 0 {
		return c.errorf("partial.changes", "%s, but totals.audit_records is 0", plural(int64(len(p.Changes)), "change record"))
	}
	kindIndex := make(map[string]int, len(s.Rules.Changes))
	for i, k := range s.Rules.Changes {
		kindIndex[k.ID] = i
	}
	var row []json.RawMessage
	for i, raw := range p.Changes {
		row = row[:0]
		if err := json.Unmarshal(raw, &row); err != nil || len(row) != len(changeColumns) {
			return c.errorf(fmt.Sprintf("partial.changes[%d]", i), "want an array of %d values (change_columns), got %s", len(changeColumns), valueKind(raw, err == nil, len(row)))
		}
		var v [10]string
		for j := range v {
			str, err := jsonString(row[j])
			if err != nil {
				return c.errorf(fmt.Sprintf("partial.changes[%d][%d] (%s)", i, j, changeColumns[j]), "%v", err)
			}
			v[j] = str
		}
		r := rules.ChangeRecord{AuditID: v[1], Activity: v[3], Actor: v[4],
			Target: parse.Target{Type: v[5], ID: v[6], UPN: v[7], Name: v[8], DeviceID: v[9]}}
		if v[0] != "" {
			t, err := c.time(fmt.Sprintf("partial.changes[%d][0] (time)", i), &v[0])
			if err != nil {
				return err
			}
			r.Time = t
		}
		k, ok := kindIndex[v[2]]
		if !ok {
			return c.errorf(fmt.Sprintf("partial.changes[%d][2] (kind)", i), "unknown change kind %q", v[2])
		}
		r.Kind = k
		s.keepChange(r)
	}
	return nil
}
