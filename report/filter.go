package report

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"slices"
	"strings"
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
type Redactor struct{ key []byte }

// NewRedactor returns a Redactor for key.
func NewRedactor(key string) *Redactor { return &Redactor{key: []byte(key)} }

func (r *Redactor) pseudonym(kind, v string) string {
	if v == "" {
		return ""
	}
	h := hmac.New(sha256.New, r.key)
	h.Write([]byte(kind + ":" + strings.ToLower(v)))
	return kind + "-" + hex.EncodeToString(h.Sum(nil))[:12]
}

// Apply pseudonymizes ev's user, user id and IP address in place.
func (r *Redactor) Apply(ev *parse.Event) {
	if r == nil {
		return
	}
	if local, domain, ok := strings.Cut(ev.User, "@"); ok {
		ev.User = r.pseudonym("user", local) + "@" + domain
	} else {
		ev.User = r.pseudonym("user", ev.User)
	}
	ev.UserID = r.pseudonym("uid", ev.UserID)
	ev.IP = r.pseudonym("ip", ev.IP)
}
