package report

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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

// Selects reports whether the filter keeps a record; m and inScope are its classification.
func (f *Filter) Selects(ev *parse.Event, set *rules.Set, m rules.Match, inScope bool) bool {
	if f == nil {
		return true
	}
	if !f.Since.IsZero() && (ev.Time.IsZero() || ev.Time.Before(f.Since)) {
		return false
	}
	if !f.Until.IsZero() && (ev.Time.IsZero() || !ev.Time.Before(f.Until)) {
		return false
	}
	if len(f.Users) > 0 && !matchAny(f.Users, ev.User, ev.UserID) {
		return false
	}
	if len(f.Apps) > 0 && !matchAny(f.Apps, ev.App, ev.AppID) {
		return false
	}
	if len(f.IPs) > 0 {
		addr, err := netip.ParseAddr(ev.IP)
		if err != nil || !slices.ContainsFunc(f.IPs, func(p netip.Prefix) bool { return p.Contains(addr.Unmap()) }) {
			return false
		}
	}
	if len(f.Causes) > 0 && (!inScope || !slices.Contains(f.Causes, set.Rules[m.Rule].ID)) {
		return false
	}
	if len(f.Families) > 0 && (!inScope || !slices.Contains(f.Families, set.Rules[m.Rule].Family)) {
		return false
	}
	return true
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
