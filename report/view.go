package report

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// view is what every renderer shows: the summary's events de-duplicated, counted per
// cause, family and table, and sorted once with full tie-breakers.
type view struct {
	records, skipped, inScope, duplicates int64
	first, last                           time.Time
	top                                   int            // the rows kept of each breakdown (see compute)
	zone                                  *time.Location // the zone of the time breakdown's buckets

	causes   []causeView // in rule order
	families []causeView // in family order
	tables   []tableView // in tableDefs order
	codes    []codeRow

	kept []*entry // the events in scope, in input order, when computed in memory
	ext  *extView // what the partial and full tables read, when computed from spilled runs

	chg *changesView // the audit join: what the changes read explain (audit.go)
}

type causeView struct {
	id, family, label, remediation string
	events                         int64
	users, apps, ips               int
	first, last                    time.Time
}

type tableView struct {
	def      *tableDef
	rows     []row   // the first rows in order: see compute
	total    int     // rows in all
	perCause [][]row // by rule index: the rows with the most events of the cause
	pairs    int     // rows of the per-cause table in all: a row per cause and key with events
	all      []row   // every row, when computed in memory

	// bucket is by_time's size and zone of its buckets (see timeline.go); nil for the
	// other tables.
	bucket *timeBuckets
}

// top returns the rows a renderer shows: the first n (all when n is 0), or every row of
// a table sorted by key (token protection, hours). n is at most the view's top, or 10.
func (tv tableView) top(n int) []row {
	if n > 0 && !tv.def.byKey && len(tv.rows) > n {
		return tv.rows[:n]
	}
	return tv.rows
}

type row struct {
	key      []string
	events   int64
	distinct int     // users, or apps for the by-user table
	causes   []int64 // by rule index
}

type codeRow struct {
	code        int
	status      string // success, in_scope, other_failure
	records     int64
	description string
}

// tableDef describes one breakdown table: its key columns and how an event maps to them.
type tableDef struct {
	name     string
	title    string
	cols     []string
	termCols int // key columns the terminal shows (ids are too wide for 100 columns)
	numCol   int // index of a column written as a number in JSON, or -1
	key      func(ev *kept) []string
	group    func(e *entry) [2]int64 // the same for two events exactly when key is
	distinct string                  // what the distinct count counts: "users" or "apps"
	byKey    bool                    // sort by key (time) and keep every row, instead of top N by events

	// timed: key and group are the view's time buckets' (timeBuckets.key and group),
	// known once the events are counted; the table's own are nil.
	timed bool
}

var tableDefs = []tableDef{
	{name: "by_app", title: "Top apps", cols: []string{"app", "app_id"}, termCols: 1, numCol: -1, distinct: "users",
		key: func(ev *kept) []string { return []string{ev.App, ev.AppID} }, group: dims(dimApp, dimAppID)},
	{name: "by_user", title: "Top users", cols: []string{"user", "user_id"}, termCols: 1, numCol: -1, distinct: "apps",
		key: func(ev *kept) []string { return []string{ev.User, ev.UserID} }, group: dims(dimUser, dimUserID)},
	{name: "by_ip", title: "Top IP addresses", cols: []string{"ip", "country"}, numCol: -1, distinct: "users",
		key: func(ev *kept) []string { return []string{ev.IP, ev.Country} }, group: dims(dimIP, dimCountry)},
	{name: "by_client", title: "Top client apps", cols: []string{"client_app", "sign_in_type"}, numCol: -1, distinct: "users",
		key: func(ev *kept) []string { return []string{ev.ClientApp, ev.SignInType} }, group: dims(dimClientApp, dimSignInType)},
	{name: "by_os", title: "Top operating systems and browsers", cols: []string{"os", "browser"}, numCol: -1, distinct: "users",
		key: func(ev *kept) []string { return []string{ev.OS, ev.Browser} }, group: dims(dimOS, dimBrowser)},
	{name: "by_token_protection", title: "Token protection", cols: []string{"status", "code", "meaning"}, numCol: 1, distinct: "users", byKey: true,
		key: func(ev *kept) []string {
			return []string{ev.TokenProtection, strconv.Itoa(ev.TokenProtectionCode), tokenProtectionMeaning(ev.TokenProtection, ev.TokenProtectionCode)}
		},
		group: func(e *entry) [2]int64 { return [2]int64{int64(e.dims[dimTokenProtection]), int64(e.tpCode)} }},
	{name: "by_hour", title: "Failures by hour", cols: []string{"hour"}, numCol: -1, distinct: "users", byKey: true,
		key: func(ev *kept) []string {
			if ev.Time.IsZero() {
				return []string{""}
			}
			return []string{ev.Time.Truncate(time.Hour).Format(time.RFC3339)}
		},
		group: func(e *entry) [2]int64 {
			if e.nsec < 0 {
				return [2]int64{0, 0}
			}
			return [2]int64{1, e.sec - (e.sec%3600+3600)%3600}
		}},
	{name: "by_time", title: "Failures by time", cols: []string{"start", "end"}, numCol: -1, distinct: "users", byKey: true, timed: true},
}

// keyFuncs are def's key and group: the table's own, or for the time breakdown b's.
func (def *tableDef) keyFuncs(b *timeBuckets) (key func(ev *kept) []string, group func(e *entry) [2]int64) {
	if def.timed {
		return b.key, b.group
	}
	return def.key, def.group
}

// dims groups by two dimensions.
func dims(a, b int) func(e *entry) [2]int64 {
	return func(e *entry) [2]int64 { return [2]int64{int64(e.dims[a]), int64(e.dims[b])} }
}

// tokenProtectionMeaning explains a Token Protection status and status code.
func tokenProtectionMeaning(status string, code int) string {
	switch code {
	case 1002:
		return "no device state"
	case 1003:
		return "device state not satisfied (unsupported registration)"
	case 1004:
		return "macOS registration not hardware-backed"
	case 1005:
		return "unspecified"
	case 1006:
		return "OS unsupported"
	case 1007:
		return "not hardware-backed and user not the registered owner"
	case 1008:
		return "client does not use a broker"
	}
	switch strings.ToLower(status) {
	case "bound":
		return "session bound to the device"
	case "unbound":
		return "session not bound to the device"
	case "none":
		return "not evaluated"
	case "":
		return "not reported"
	}
	return ""
}

// compute builds the view, its time buckets in the zone of the last [Summary.Write] or
// [Summary.Tables] (UTC before one). Of each breakdown's rows, in order, the first
// max(top, 10) are kept (every row with top 0, and every row of a table sorted by key);
// the view is kept until the summary changes. A summary whose events were spilled is
// computed from its runs, with the same result; an error reading them is kept for
// [Summary.Err].
func (s *Summary) compute(top int) *view {
	zone := locOrUTC(s.zone)
	if c := s.cached; c != nil && c.top == top && c.zone == zone {
		return c
	}
	if s.cached != nil && s.cached.ext != nil {
		s.cached.ext.close()
	}
	v := &view{records: s.Records, skipped: s.Skipped, first: s.First, last: s.Last, top: top, zone: zone}
	// Computing in memory takes, besides the events, computeCost each and a table row for
	// about every distinct value (a row holds a count per rule).
	rowCost := int64(64 + 8*len(s.Rules.Rules))
	inMemory := s.held + int64(s.events.n)*computeCost + int64(len(s.strs))*rowCost
	if b := s.budget; s.ext == nil && b != nil && inMemory > b.Limit() && s.spillErr == nil {
		if err := s.spill(); err != nil { // computing in memory would not fit
			s.fail(err)
		}
	}
	if s.ext != nil {
		if err := errors.Join(s.spill(), s.computeExt(v)); err != nil {
			s.fail(err)
			*v = view{records: v.records, skipped: v.skipped, first: v.first, last: v.last, top: top, zone: zone, ext: v.ext}
			for ti := range tableDefs { // an empty view: Write returns the error
				tv := tableView{def: &tableDefs[ti], perCause: make([][]row, len(s.Rules.Rules))}
				if tv.def.timed {
					tv.bucket = newTimeBuckets(time.Time{}, time.Time{}, zone)
				}
				v.tables = append(v.tables, tv)
			}
			for _, r := range s.Rules.Rules {
				v.causes = append(v.causes, causeView{id: r.ID, family: r.Family, label: r.Label})
			}
			for _, f := range s.Rules.Families {
				v.families = append(v.families, causeView{id: f.ID, family: f.ID, label: f.Label})
			}
		}
	} else {
		s.computeMem(v)
	}
	if err := s.attribute(v); err != nil {
		s.fail(err)
	}
	v.duplicates += s.dropped

	// Failures by code, for context.
	for code, cs := range s.codes {
		status := "other_failure"
		switch {
		case cs.inScope:
			status = "in_scope"
		case code == 0:
			status = "success"
		}
		v.codes = append(v.codes, codeRow{code: code, status: status, records: cs.records, description: cs.description()})
	}
	slices.SortFunc(v.codes, func(a, b codeRow) int {
		return cmp.Or(cmp.Compare(b.records, a.records), cmp.Compare(a.code, b.code))
	})
	s.cached = v
	return v
}

// anyView is the view last computed, or one with the default rows kept: for what does
// not depend on rows (totals, causes, thresholds, full table counts).
func (s *Summary) anyView() *view {
	if s.cached != nil {
		return s.cached
	}
	return s.compute(10)
}

// computeCost is what computing the view in memory takes per event, besides the events:
// the order, the ids seen and the groups of every table.
const computeCost = 160

// Err reports an error that spilling or reading spilled events met: a summary with one
// cannot be shown (Write returns it).
func (s *Summary) Err() error { return s.spillErr }

// computeMem computes the view from the events in memory.
func (s *Summary) computeMem(v *view) {
	nr := len(s.Rules.Rules)

	// De-duplicate in input order: the first copy of an event id wins.
	order := make([]*entry, 0, s.events.n)
	for e := range s.events.all() {
		order = append(order, e)
	}
	slices.SortStableFunc(order, func(ea, eb *entry) int { return ea.order(eb) })
	seen := map[eventID]struct{}{}
	kept := order[:0] // filtered in place
	for _, e := range order {
		if s.Dedupe && e.id.kind != idNone {
			if _, dup := seen[e.id]; dup {
				v.duplicates++
				continue
			}
			seen[e.id] = struct{}{}
		}
		kept = append(kept, e)
	}
	seen = nil
	v.inScope = int64(len(kept))
	v.kept = kept

	// Causes and families.
	causeAcc := make([]acc, nr)
	famAcc := make([]acc, len(s.Rules.Families))
	familyOf := s.familyOf()
	for _, e := range kept {
		causeAcc[e.rule].add(e)
		if f := familyOf[e.rule]; f >= 0 {
			famAcc[f].add(e)
		}
	}
	for i, r := range s.Rules.Rules {
		v.causes = append(v.causes, causeAcc[i].view(r.ID, r.Family, r.Label, r.Remediation))
	}
	for i, f := range s.Rules.Families {
		v.families = append(v.families, famAcc[i].view(f.ID, f.ID, f.Label, ""))
	}

	// Tables: events grouped by their string-table indexes, then a row per group; the
	// time breakdown's buckets fit the span of the events.
	first, last := span(v.causes)
	buckets := newTimeBuckets(first, last, v.zone)
	for ti := range tableDefs {
		def := &tableDefs[ti]
		keyOf, groupOf := def.keyFuncs(buckets)
		type group struct {
			first    *entry
			events   int64
			causes   []int64
			distinct idSet
		}
		groups := map[[2]int64]*group{}
		var order [][2]int64
		for _, e := range kept {
			gk := groupOf(e)
			g := groups[gk]
			if g == nil {
				g = &group{first: e, causes: make([]int64, nr)}
				groups[gk] = g
				order = append(order, gk)
			}
			g.events++
			g.causes[e.rule]++
			if def.distinct == "apps" {
				g.distinct.add(e.appKey())
			} else {
				g.distinct.add(e.userKey())
			}
		}
		rows := make([]row, 0, len(order))
		for _, gk := range order {
			g := groups[gk]
			ev := s.unpack(g.first)
			rows = append(rows, row{key: keyOf(&ev), events: g.events, distinct: len(g.distinct), causes: g.causes})
		}
		slices.SortFunc(rows, def.compareRows)
		tv := tableView{def: def, all: rows}
		if def.timed {
			tv.bucket = buckets
		}
		pc := newPerCause(nr, v.top)
		for _, r := range rows {
			tv.add(r, v.top)
			pc.add(r)
		}
		tv.perCause, tv.pairs = pc.finish(), pc.pairs
		v.tables = append(v.tables, tv)
	}
}

// familyOf maps a rule index to its family's index.
func (s *Summary) familyOf() []int {
	out := make([]int, len(s.Rules.Rules))
	for i, r := range s.Rules.Rules {
		out[i] = s.Rules.FamilyIndex(r.Family)
	}
	return out
}

// compareRows orders a table's rows: the most events first, then by key; or by key only.
func (def *tableDef) compareRows(a, b row) int {
	if !def.byKey {
		if c := cmp.Compare(b.events, a.events); c != 0 {
			return c
		}
	}
	return slices.Compare(a.key, b.key)
}

// add counts the next row of the table in order, and keeps it if the view shows it.
func (tv *tableView) add(r row, top int) {
	tv.total++
	if top == 0 || tv.def.byKey || len(tv.rows) < max(top, 10) {
		tv.rows = append(tv.rows, r)
	}
}

// perCause picks, for every cause, the rows with the most events of it (ties: in the
// table's order), top of them (all with top 0), from the rows of a table in order.
type perCause struct {
	top   int
	lists [][]row
	pairs int // (cause, row) pairs with events: the per-cause table's rows in all
}

func newPerCause(nr, top int) *perCause { return &perCause{top: top, lists: make([][]row, nr)} }

func (p *perCause) add(r row) {
	for ri, n := range r.causes {
		if n == 0 {
			continue
		}
		p.pairs++
		l := append(p.lists[ri], r)
		if p.top > 0 && len(l) >= 2*p.top+16 {
			l = p.cut(l, ri)
		}
		p.lists[ri] = l
	}
}

func (p *perCause) cut(l []row, ri int) []row {
	slices.SortStableFunc(l, func(a, b row) int { return cmp.Compare(b.causes[ri], a.causes[ri]) })
	if p.top > 0 && len(l) > p.top {
		l = slices.Clip(l[:p.top])
	}
	return l
}

func (p *perCause) finish() [][]row {
	for ri, l := range p.lists {
		p.lists[ri] = p.cut(l, ri)
	}
	return p.lists
}

// acc accumulates a cause's or family's events, distinct users, apps and IPs, and span.
type acc struct {
	events           int64
	users, apps, ips idSet
	first, last      entry // the events of the earliest and the latest time
	timed            bool
}

func (a *acc) add(e *entry) {
	a.users.add(e.userKey())
	a.apps.add(e.appKey())
	a.ips.add(e.dims[dimIP])
	a.count(e)
}

// count counts an event and its time, but not its users, apps or IPs.
func (a *acc) count(e *entry) {
	a.events++
	if e.nsec >= 0 {
		if !a.timed || e.before(&a.first) {
			a.first = *e
		}
		if !a.timed || a.last.before(e) {
			a.last = *e
		}
		a.timed = true
	}
}

func (a *acc) view(id, family, label, remediation string) causeView {
	v := causeView{id: id, family: family, label: label, remediation: remediation,
		events: a.events, users: len(a.users), apps: len(a.apps), ips: len(a.ips)}
	if a.timed {
		v.first, v.last = a.first.time(), a.last.time()
	}
	return v
}

// idSet is a set of distinct non-empty strings, by their index in the summary's string
// table (equal strings have one index).
type idSet map[uint32]struct{}

func (s *idSet) add(v uint32) {
	if v == 0 {
		return
	}
	if *s == nil {
		*s = idSet{}
	}
	(*s)[v] = struct{}{}
}

// share is part/whole as a percentage, 0 when whole is 0.
func share(part, whole int64) float64 {
	if whole == 0 {
		return 0
	}
	return 100 * float64(part) / float64(whole)
}
