package report

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/rules"
)

// Filter selects the records a report covers. Every condition given must hold; the
// cause and family conditions hold only for in-scope events of those causes.
type Filter struct {
	Since, Until time.Time      // [Since, Until); zero: open
	Users        []string       // UPNs or user ids, matched case-insensitively; * and ? match anything
	Apps         []string       // app names or ids, case-insensitively; * and ? too
	IPs          []netip.Prefix // addresses and CIDR blocks
	Causes       []string       // cause ids
	Families     []string       // family ids
}

// NeedsAllFields reports whether the filter looks at fields that decoders leave out of
// records they skip (see parse.Input.SetCodeFilter): then nothing may be skipped.
func (f *Filter) NeedsAllFields() bool {
	return f != nil && (len(f.Users) > 0 || len(f.Apps) > 0 || len(f.IPs) > 0)
}

// The conditions of a Filter, in the order [Filter.Rejects] tries them: a record the
// filter removes is counted under the first condition that removes it.
const (
	CondSince = iota
	CondUntil
	CondUser
	CondApp
	CondIP
	CondCause
	CondFamily
	NumConds
)

// condFlags are the command-line flags of the conditions, and their names in the JSON
// summary's filters.removed.
var condFlags = [NumConds]string{"since", "until", "user", "app", "ip", "cause", "family"}

// Selects reports whether the filter keeps a record; m and inScope are its classification.
func (f *Filter) Selects(ev *parse.Event, set *rules.Set, m rules.Match, inScope bool) bool {
	return f.Rejects(ev, set, m, inScope) < 0
}

// Rejects returns the first condition (CondSince ...) that removes a record, or -1 when
// the filter keeps it; m and inScope are its classification.
func (f *Filter) Rejects(ev *parse.Event, set *rules.Set, m rules.Match, inScope bool) int {
	if f == nil {
		return -1
	}
	if !f.Since.IsZero() && (ev.Time.IsZero() || ev.Time.Before(f.Since)) {
		return CondSince
	}
	if !f.Until.IsZero() && (ev.Time.IsZero() || !ev.Time.Before(f.Until)) {
		return CondUntil
	}
	if len(f.Users) > 0 && !matchAny(f.Users, ev.User, ev.UserID) {
		return CondUser
	}
	if len(f.Apps) > 0 && !matchAny(f.Apps, ev.App, ev.AppID) {
		return CondApp
	}
	if len(f.IPs) > 0 {
		addr, err := netip.ParseAddr(ev.IP)
		if err != nil || !slices.ContainsFunc(f.IPs, func(p netip.Prefix) bool { return p.Contains(addr.Unmap()) }) {
			return CondIP
		}
	}
	if len(f.Causes) > 0 && (!inScope || !slices.Contains(f.Causes, set.Rules[m.Rule].ID)) {
		return CondCause
	}
	if len(f.Families) > 0 && (!inScope || !slices.Contains(f.Families, set.Rules[m.Rule].Family)) {
		return CondFamily
	}
	return -1
}

// Removed is what a filter removed: the records each condition removed (By, see
// CondSince ...) and the span of their times.
type Removed struct {
	By          [NumConds]int64
	First, Last time.Time // zero: no removed record had a time
}

// count counts one record removed by condition c, of time t.
func (r *Removed) count(c int, t time.Time) {
	r.By[c]++
	r.span(t, t)
}

func (r *Removed) span(first, last time.Time) {
	if !first.IsZero() && (r.First.IsZero() || first.Before(r.First)) {
		r.First = first
	}
	if last.After(r.Last) {
		r.Last = last
	}
}

// Add adds what o removed.
func (r *Removed) Add(o Removed) {
	for c, n := range o.By {
		r.By[c] += n
	}
	r.span(o.First, o.Last)
}

// Total is every record removed.
func (r *Removed) Total() int64 {
	var n int64
	for _, c := range r.By {
		n += c
	}
	return n
}

// filterSpec is a filter as a summary records it, normalised so that two filters that
// select the same records are equal: times in UTC, users and apps lower-cased (they
// match case-insensitively), addresses as masked CIDR blocks, every list sorted and
// without repeats.
type filterSpec struct {
	since, until                       time.Time
	users, apps, ips, causes, families []string
	redact                             string // the --redact key's fingerprint (Redactor.Fingerprint); "" without --redact
}

// spec is the filter as a summary records it; a nil filter is none.
func (f *Filter) spec() filterSpec {
	if f == nil {
		return filterSpec{}
	}
	sp := filterSpec{since: f.Since.UTC(), until: f.Until.UTC(), causes: slices.Clone(f.Causes), families: slices.Clone(f.Families)}
	if f.Since.IsZero() {
		sp.since = time.Time{}
	}
	if f.Until.IsZero() {
		sp.until = time.Time{}
	}
	for _, u := range f.Users {
		sp.users = append(sp.users, strings.ToLower(u))
	}
	for _, a := range f.Apps {
		sp.apps = append(sp.apps, strings.ToLower(a))
	}
	for _, p := range f.IPs {
		sp.ips = append(sp.ips, p.Masked().String())
	}
	return sp.normal()
}

// normal sorts the lists and drops repeats; an empty list is nil.
func (sp filterSpec) normal() filterSpec {
	for _, l := range []*[]string{&sp.users, &sp.apps, &sp.ips, &sp.causes, &sp.families} {
		*l = slices.Compact(slices.Sorted(slices.Values(*l)))
		if len(*l) == 0 {
			*l = nil
		}
	}
	return sp
}

// flags says each condition as a command line would give it ("--cause revoked,
// expired"), "" for a condition not given; times in loc, as the reports show them.
func (sp filterSpec) flags(loc *time.Location) [NumConds]string {
	var out [NumConds]string
	when := func(t time.Time) string {
		t = t.In(locOrUTC(loc))
		if t.Second() == 0 && t.Nanosecond() == 0 {
			return t.Format("2006-01-02 15:04")
		}
		return t.Format("2006-01-02 15:04:05")
	}
	if !sp.since.IsZero() {
		out[CondSince] = "--since " + when(sp.since)
	}
	if !sp.until.IsZero() {
		out[CondUntil] = "--until " + when(sp.until)
	}
	for c, l := range map[int][]string{CondUser: sp.users, CondApp: sp.apps, CondIP: sp.ips, CondCause: sp.causes, CondFamily: sp.families} {
		if len(l) > 0 {
			out[c] = "--" + condFlags[c] + " " + strings.Join(l, ",")
		}
	}
	return out
}

// String is the filter as flags, exactly (times in RFC 3339, UTC), "" for none: equal
// strings select the same records.
func (sp filterSpec) String() string {
	var parts []string
	for c, f := range sp.flags(time.UTC) {
		switch {
		case f == "":
		case c == CondSince:
			parts = append(parts, "--since "+sp.since.Format(time.RFC3339Nano))
		case c == CondUntil:
			parts = append(parts, "--until "+sp.until.Format(time.RFC3339Nano))
		default:
			parts = append(parts, f)
		}
	}
	if sp.redact != "" {
		// Pseudonyms of another key, or none, name the same users differently.
		parts = append(parts, "--redact (key "+sp.redact+")")
	}
	return strings.Join(parts, " ")
}

// filters is the summary's filter as it records it; false when it is not known (a
// summary read back that was written before summaries recorded their filters, or a
// merge with one).
func (s *Summary) filters() (filterSpec, bool) {
	switch {
	case s.filtersUnknown:
		return filterSpec{}, false
	case s.Filter == nil && s.readFilters != nil:
		return *s.readFilters, true
	}
	sp := s.Filter.spec()
	sp.redact = s.Redactor.Fingerprint()
	return sp, true
}

// FilterFlags says the filters the summary was made with as flags, exactly (such as
// "--since 2026-11-25T00:00:00Z --cause revoked"; "" for none), so that merge can refuse
// shards made with different ones; known is false for a summary that does not record
// them (written before summaries did).
func (s *Summary) FilterFlags() (flags string, known bool) {
	sp, known := s.filters()
	return sp.String(), known
}

// EmptyHint says why a summary has no in-scope event when its filters removed records,
// and which removed what: "0 in-scope events: --since 2026-11-25 00:00 removed all
// 14,622 records (they span 2026-11-01 00:00 to 2026-11-24 23:59 UTC)". "" when there are
// in-scope events, or the filters removed nothing (or are not known). Times are in loc.
func (s *Summary) EmptyHint(loc *time.Location) string {
	sp, known := s.filters()
	v := s.anyView()
	if !known || v.inScope > 0 {
		return ""
	}
	return sp.hint(s.removed, v.records, loc)
}

// EmptyHint is [Summary.EmptyHint] for a listing of no in-scope event (grantsweep
// events): r is what the filter removed, records the records it kept.
func (f *Filter) EmptyHint(r Removed, records int64, loc *time.Location) string {
	return f.spec().hint(r, records, loc)
}

// hint says what the filters removed, when nothing in scope is left; "" when they
// removed nothing.
func (sp filterSpec) hint(r Removed, records int64, loc *time.Location) string {
	removed := r.Total()
	if removed == 0 {
		return ""
	}
	flags := sp.flags(loc)
	total := records + removed // every sign-in decoded
	var parts []string
	for c, n := range r.By {
		if n == 0 {
			continue
		}
		f := flags[c]
		if f == "" {
			f = "--" + condFlags[c]
		}
		switch {
		case n == total:
			parts = append(parts, fmt.Sprintf("%s removed all %s", f, plural(n, "record")))
		case len(parts) == 0:
			parts = append(parts, fmt.Sprintf("%s removed %s of %s", f, count(n), plural(total, "record")))
		default:
			parts = append(parts, fmt.Sprintf("%s %s", f, count(n)))
		}
	}
	b := "0 in-scope events: " + strings.Join(parts, ", ")
	if !r.First.IsZero() {
		p := termPrinter{loc: locOrUTC(loc)}
		they := "they"
		if removed < total {
			they = "the records removed"
		}
		if r.First.Equal(r.Last) {
			b += fmt.Sprintf(" (%s are at %s %s)", they, p.stamp(r.First), p.loc)
		} else {
			b += fmt.Sprintf(" (%s span %s)", they, p.span(r.First, r.Last))
		}
	}
	switch {
	case records == 1:
		b += "; the 1 record left is not an invalid-grant failure"
	case records > 1:
		b += fmt.Sprintf("; none of the %s left is an invalid-grant failure", plural(records, "record"))
	}
	return b
}

// matchAny reports whether one of the values matches one of the patterns,
// case-insensitively, with * and ? as wildcards.
func matchAny(patterns []string, values ...string) bool {
	for _, v := range values {
		if v == "" {
			continue
		}
		v = strings.ToLower(v)
		for _, p := range patterns {
			if wildcard(strings.ToLower(p), v) {
				return true
			}
		}
	}
	return false
}

// wildcard matches s against a pattern where * is any run and ? any one character.
func wildcard(p, s string) bool {
	for len(p) > 0 {
		switch p[0] {
		case '*':
			for i := len(s); i >= 0; i-- {
				if wildcard(p[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
			_, n := firstRune(s)
			p, s = p[1:], s[n:]
		default:
			if s == "" || p[0] != s[0] {
				return false
			}
			p, s = p[1:], s[1:]
		}
	}
	return s == ""
}

func firstRune(s string) (rune, int) {
	for i, r := range s {
		if i > 0 {
			return r, i
		}
	}
	return 0, len(s)
}

// jsonFilters is the filters member of the JSON summary: the filters it was made with,
// normalised (see filterSpec), and what they removed.
type jsonFilters struct {
	Since         *string     `json:"since"`
	Until         *string     `json:"until"`
	Users         []string    `json:"users"`
	Apps          []string    `json:"apps"`
	IPs           []string    `json:"ips"`
	Causes        []string    `json:"causes"`
	Families      []string    `json:"families"`
	Redact        *string     `json:"redact"` // the --redact key's fingerprint; null without --redact (or not recorded)
	Removed       jsonRemoved `json:"removed"`
	RemovedWindow jsonWindow  `json:"removed_window"`
}

// jsonRemoved is the records each condition removed (see [Filter.Rejects]).
type jsonRemoved struct {
	Since  int64 `json:"since"`
	Until  int64 `json:"until"`
	User   int64 `json:"user"`
	App    int64 `json:"app"`
	IP     int64 `json:"ip"`
	Cause  int64 `json:"cause"`
	Family int64 `json:"family"`
}

func (r *jsonRemoved) counts() [NumConds]*int64 {
	return [NumConds]*int64{&r.Since, &r.Until, &r.User, &r.App, &r.IP, &r.Cause, &r.Family}
}

// jsonFilters is the summary's filters member; nil (null) when they are not known.
func (s *Summary) jsonFilters() *jsonFilters {
	sp, known := s.filters()
	if !known {
		return nil
	}
	list := func(l []string) []string { return append([]string{}, l...) }
	f := &jsonFilters{Since: timePtr(sp.since), Until: timePtr(sp.until), Users: list(sp.users), Apps: list(sp.apps), IPs: list(sp.ips),
		Causes: list(sp.causes), Families: list(sp.families), Redact: strPtr(sp.redact), RemovedWindow: jsonWindow{First: timePtr(s.removed.First), Last: timePtr(s.removed.Last)}}
	for c, p := range f.Removed.counts() {
		*p = s.removed.By[c]
	}
	return f
}

// readFilters checks a summary's filters member as read back and returns the filters and
// what they removed.
func (c checker) readFilters(f *jsonFilters) (*filterSpec, Removed, error) {
	var sp filterSpec
	var r Removed
	var err error
	if sp.since, err = c.time("filters.since", f.Since); err != nil {
		return nil, r, err
	}
	if sp.until, err = c.time("filters.until", f.Until); err != nil {
		return nil, r, err
	}
	sp.since, sp.until = sp.since.UTC(), sp.until.UTC()
	if !sp.since.IsZero() && !sp.until.IsZero() && !sp.since.Before(sp.until) {
		return nil, r, c.errorf("filters.until", "%s is not after since, %s", *f.Until, *f.Since)
	}
	for _, l := range []struct {
		name string
		from []string
		to   *[]string
	}{{"users", f.Users, &sp.users}, {"apps", f.Apps, &sp.apps}, {"causes", f.Causes, &sp.causes}, {"families", f.Families, &sp.families}} {
		for i, v := range l.from {
			if v == "" {
				return nil, r, c.errorf(fmt.Sprintf("filters.%s[%d]", l.name, i), "empty")
			}
		}
		*l.to = slices.Clone(l.from)
	}
	for i, v := range f.IPs {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return nil, r, c.errorf(fmt.Sprintf("filters.ips[%d]", i), "%q is not a CIDR block", v)
		}
		sp.ips = append(sp.ips, p.Masked().String())
	}
	if f.Redact != nil {
		if !isFingerprint(*f.Redact) {
			return nil, r, c.errorf("filters.redact", "%q is not a key fingerprint (key- and 12 hex digits)", *f.Redact)
		}
		sp.redact = *f.Redact
	}
	for cond, p := range f.Removed.counts() {
		if err := c.add(&r.By[cond], "filters.removed."+condFlags[cond], *p); err != nil {
			return nil, r, err
		}
	}
	if r.First, err = c.time("filters.removed_window.first", f.RemovedWindow.First); err != nil {
		return nil, r, err
	}
	if r.Last, err = c.time("filters.removed_window.last", f.RemovedWindow.Last); err != nil {
		return nil, r, err
	}
	switch {
	case r.First.IsZero() != r.Last.IsZero():
		return nil, r, c.errorf("filters.removed_window", "first %s and last %s: want both times or neither", orNull(f.RemovedWindow.First), orNull(f.RemovedWindow.Last))
	case r.Last.Before(r.First):
		return nil, r, c.errorf("filters.removed_window", "last %s is before first %s", *f.RemovedWindow.Last, *f.RemovedWindow.First)
	case !r.First.IsZero() && r.Total() == 0:
		return nil, r, c.errorf("filters.removed_window", "a window without records removed")
	}
	sp = sp.normal()
	return &sp, r, nil
}

// Redactor pseudonymizes users and IP addresses with a keyed hash, so that a summary can
// be shared: the same key gives the same pseudonyms, run after run. A UPN keeps its domain.
// The failure texts are redacted too (see [Redactor.Apply]).
type Redactor struct {
	key  []byte
	macs sync.Pool // of *mac: keyed HMAC states, reset for each pseudonym
}

type mac struct {
	h   hash.Hash
	buf []byte
}

// NewRedactor returns a Redactor for key.
func NewRedactor(key string) *Redactor { return &Redactor{key: []byte(key)} }

// Fingerprint tells the key apart without giving it away: the pseudonym of a fixed
// value, "key-" and 12 hex digits. Summaries record it, so that merge refuses shards
// whose pseudonyms came from other keys (or from none). "" for a nil Redactor.
func (r *Redactor) Fingerprint() string {
	if r == nil {
		return ""
	}
	return r.pseudonym("key", "grantsweep fingerprint")
}

// isFingerprint reports whether s is one that Fingerprint returns.
func isFingerprint(s string) bool {
	h, ok := strings.CutPrefix(s, "key-")
	if !ok || len(h) != 12 {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil && strings.ToLower(h) == h
}

// strPtr is s, or nil (null) for "".
func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// pseudonym is kind-HEX, HEX the first 12 hex digits of HMAC-SHA256(key, kind:v) with v
// lower-cased.
func (r *Redactor) pseudonym(kind, v string) string {
	if v == "" {
		return ""
	}
	m, _ := r.macs.Get().(*mac)
	if m == nil {
		m = &mac{h: hmac.New(sha256.New, r.key)}
	}
	m.h.Reset()
	m.buf = append(append(append(m.buf[:0], kind...), ':'), strings.ToLower(v)...)
	m.h.Write(m.buf)
	var sum [sha256.Size]byte
	m.h.Sum(sum[:0])
	r.macs.Put(m)
	out := make([]byte, 0, len(kind)+13)
	return string(hex.AppendEncode(append(append(out, kind...), '-'), sum[:6]))
}

// user pseudonymizes a UPN's local part and keeps its domain; a user name without one is
// pseudonymized whole.
func (r *Redactor) user(v string) string {
	if local, domain, ok := strings.Cut(v, "@"); ok {
		return r.pseudonym("user", local) + "@" + domain
	}
	return r.pseudonym("user", v)
}

// ip pseudonymizes an address by its canonical form, so that 2001:DB8::1, 2001:db8:0::1
// and ::ffff:192.0.2.1 beside 192.0.2.1 get one pseudonym, in the ip column and in texts
// alike. A value that is not an address is pseudonymized as it is.
func (r *Redactor) ip(v string) string {
	if v == "" {
		return ""
	}
	if a, err := netip.ParseAddr(v); err == nil {
		v = a.Unmap().String()
	}
	return r.pseudonym("ip", v)
}

// Apply pseudonymizes ev's user, user id and IP address in place, and the same in its
// failure texts (failure reason, result description, additional details), which may
// quote them: every UPN or e-mail address (its local part, as in the user column), every
// IPv4 and IPv6 address, and every GUID (as in the user id column: a text does not say
// whose id it quotes, so the record's user id, device id, or a trace id all get the
// pseudonym of a user id). Texts are redacted from what they hold alone, never from the
// record's other fields, which the prefilter does not decode for records out of scope:
// so the summary stays the same with and without it. Classification reads the original
// texts, so call Apply after it (and see [Redactor.ApplyMatch] for the evidence it
// keeps).
func (r *Redactor) Apply(ev *parse.Event) {
	if r == nil {
		return
	}
	ev.FailureReason = r.text(ev.FailureReason)
	ev.ResultDescription = r.text(ev.ResultDescription)
	ev.AdditionalDetails = r.text(ev.AdditionalDetails)
	ev.User = r.user(ev.User)
	ev.UserID = r.pseudonym("uid", ev.UserID)
	ev.IP = r.ip(ev.IP)
	ev.DeviceName = r.device(ev.DeviceName)
}

// device pseudonymizes a device's display name (its id is no person's and stays).
func (r *Redactor) device(v string) string { return r.pseudonym("device", v) }

// ApplyAudit pseudonymizes a directory audit record in place with the functions Apply
// uses for sign-ins, so that a change still joins the failures it explains: the actor (a
// UPN as a user, keeping its domain; an app's name the same, since a record does not
// always say which it is) and its id; a user target's UPN, display name and object id;
// a device target's display name. Its Targets are changed in place: give it a copy.
func (r *Redactor) ApplyAudit(a *parse.Audit) {
	if r == nil {
		return
	}
	a.Actor = r.user(a.Actor)
	a.ActorID = r.pseudonym("uid", a.ActorID)
	for i := range a.Targets {
		t := &a.Targets[i]
		switch {
		case strings.EqualFold(t.Type, "User"):
			t.UPN = r.user(t.UPN)
			t.ID = r.pseudonym("uid", t.ID)
			t.Name = r.user(t.Name)
		case strings.EqualFold(t.Type, "Device"):
			t.Name = r.device(t.Name)
		default:
			if strings.Contains(t.UPN, "@") {
				t.UPN = r.user(t.UPN)
			}
		}
	}
}

// ApplyMatch is [Redactor.Apply] for a classified event: the evidence of m quotes the
// texts of ev as they were before redaction, and is redacted the same way.
func (r *Redactor) ApplyMatch(ev *parse.Event, m *rules.Match) {
	if r == nil {
		return
	}
	for i := range m.Evidence {
		m.Evidence[i].Value = r.text(m.Evidence[i].Value)
	}
	r.Apply(ev)
}

// text returns s with what [Redactor.Apply] redacts in texts replaced by pseudonyms. It
// reads s once; a text that holds no '@', no run of hex digits, colons and dots that
// could be an address, and no GUID, is returned as it is, without allocating.
func (r *Redactor) text(s string) string {
	t := textRedaction{r: r, s: s}
	run, colons, dots := -1, 0, 0 // the run of [0-9A-Fa-f:.] being read
	for i := 0; i <= len(s); i++ {
		if i < len(s) && addrByte(s[i]) {
			if run < 0 {
				run, colons, dots = i, 0, 0
			}
			switch s[i] {
			case ':':
				colons++
			case '.':
				dots++
			}
		} else if run >= 0 {
			if colons >= 2 || dots >= 3 {
				t.addresses(run, i)
			}
			run = -1
		}
		if i == len(s) {
			break
		}
		if i+36 <= len(s) && s[i+8] == '-' && (i == 0 || !alnum(s[i-1]) && s[i-1] != '-') && isGUID(s[i:i+36]) &&
			(i+36 == len(s) || !alnum(s[i+36]) && s[i+36] != '-') {
			t.replace(i, i+36, r.pseudonym("uid", s[i:i+36]))
			i, run = i+35, -1
			continue
		}
		if s[i] == '@' {
			if end := t.email(i); end > i {
				i, run = end-1, -1
			}
		}
	}
	return t.result()
}

// isGUID reports whether v is a GUID as Entra writes them: 8-4-4-4-12 hex digits.
func isGUID(v string) bool {
	for i := 0; i < 36; i++ {
		switch i {
		case 8, 13, 18, 23:
			if v[i] != '-' {
				return false
			}
		default:
			if c := v[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// textRedaction builds a redacted text: s[:done] is in out (once out is needed at all).
type textRedaction struct {
	r    *Redactor
	s    string
	out  []byte
	done int
}

func (t *textRedaction) replace(from, to int, with string) {
	if t.out == nil {
		t.out = make([]byte, 0, len(t.s)+32)
	}
	t.out = append(append(t.out, t.s[t.done:from]...), with...)
	t.done = to
}

func (t *textRedaction) result() string {
	if t.out == nil {
		return t.s
	}
	return string(append(t.out, t.s[t.done:]...))
}

// email replaces the e-mail address or UPN around the '@' at at, and returns where it
// ends; it returns at when there is none.
func (t *textRedaction) email(at int) int {
	s := t.s
	from := at
	for from > t.done && localByte(s[from-1]) {
		from--
	}
	for from < at && (s[from] == '.' || s[from] == '\'') { // quotes and sentence dots around it
		from++
	}
	to := at + 1
	for to < len(s) && domainByte(s[to]) {
		to++
	}
	for to > at+1 && (s[to-1] == '.' || s[to-1] == '-') {
		to--
	}
	if from == at || to == at+1 {
		return at
	}
	t.replace(from, to, t.r.user(s[from:to]))
	return to
}

// addresses replaces the IP addresses in s[from:to], a run of hex digits, colons and
// dots with at least two colons or three dots: the run itself trimmed of the punctuation
// around it ("203.0.113.5." at the end of a sentence, ":2001:db8::1" after a label), or
// else the dotted quads between its colons ("203.0.113.5:443", "de:203.0.113.5" after
// "code").
func (t *textRedaction) addresses(from, to int) {
	if from < t.done {
		return
	}
	s := t.s
	a, b := from, to
	for a < b && s[a] == '.' {
		a++
	}
	for b > a && s[b-1] == '.' {
		b--
	}
	if b-a > 1 && s[a] == ':' && s[a+1] != ':' {
		a++
	}
	if b-a > 1 && s[b-1] == ':' && s[b-2] != ':' {
		b--
	}
	if maybeAddr(s[a:b]) {
		if _, err := netip.ParseAddr(s[a:b]); err == nil {
			t.replace(a, b, t.r.ip(s[a:b]))
			return
		}
	}
	for p := from; p < to; {
		q := p
		for q < to && s[q] != ':' {
			q++
		}
		a, b := p, q
		for a < b && s[a] == '.' {
			a++
		}
		for b > a && s[b-1] == '.' {
			b--
		}
		if isDottedQuad(s[a:b]) {
			if _, err := netip.ParseAddr(s[a:b]); err == nil {
				t.replace(a, b, t.r.ip(s[a:b]))
			}
		}
		p = q + 1
	}
}

// maybeAddr is a cheap test that netip.ParseAddr may accept v (whose errors allocate): a
// dotted quad, or hex groups with "::" or with seven colons.
func maybeAddr(v string) bool {
	if isDottedQuad(v) {
		return true
	}
	colons := strings.Count(v, ":")
	return colons >= 2 && (colons == 7 || strings.Contains(v, "::"))
}

// isDottedQuad reports whether v is four runs of 1-3 decimal digits joined by dots.
func isDottedQuad(v string) bool {
	dots, digits := 0, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			if digits++; digits > 3 {
				return false
			}
		case c == '.' && digits > 0:
			dots, digits = dots+1, 0
		default:
			return false
		}
	}
	return dots == 3 && digits > 0
}

// addrByte reports whether c may be part of an IPv4 or IPv6 address as text writes it.
func addrByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.'
}

// localByte reports whether c may be part of a UPN's local part: letters, digits and
// the punctuation Entra allows there (' . - _ ! # ^ ~) and + and %, which e-mail
// addresses use.
func localByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".-_!#^~+%'", c) >= 0
}

// domainByte reports whether c may be part of a domain name.
func domainByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-'
}

func alnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }
