package main

import (
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/report"
	"github.com/grantsweep/grantsweep/rules"
)

// filterOptions are the flags that select records, shared by sweep and events.
type filterOptions struct {
	since, until string
	users, apps  []string
	ips          []string
	causes       []string
	families     []string
	redact       bool
	redactKey    string
}

func (o *filterOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.since, "since", "", "only records at or after `TIME` (RFC 3339, a date, or relative: 24h, 7d, 2w)")
	fs.StringVar(&o.until, "until", "", "only records before `TIME` (as --since)")
	fs.StringArrayVar(&o.users, "user", nil, "only this `UPN` or user id (* and ? match anything; repeatable)")
	fs.StringArrayVar(&o.apps, "app", nil, "only this app `NAME` or id (* and ? match anything; repeatable)")
	fs.StringArrayVar(&o.ips, "ip", nil, "only this `ADDRESS` or CIDR block (repeatable)")
	fs.StringArrayVar(&o.causes, "cause", nil, "only in-scope events of this cause `ID` (repeatable)")
	fs.StringArrayVar(&o.families, "family", nil, "only in-scope events of this family `ID` (repeatable)")
	fs.BoolVar(&o.redact, "redact", false, "pseudonymize UPNs, user ids and IPs with a keyed hash (key from --redact-key or GRANTSWEEP_REDACT_KEY)")
	fs.StringVar(&o.redactKey, "redact-key", "", "`KEY` for --redact; the same key gives the same pseudonyms")
}

// resolve turns the flags into a filter and a redactor; a time without a zone is read in
// loc (--tz).
func (o *filterOptions) resolve(set *rules.Set, now time.Time, loc *time.Location) (*report.Filter, *report.Redactor, error) {
	var f report.Filter
	var err error
	if f.Since, err = parseWhen(o.since, now, loc); err != nil {
		return nil, nil, usageError("--since: %v", err)
	}
	if f.Until, err = parseWhen(o.until, now, loc); err != nil {
		return nil, nil, usageError("--until: %v", err)
	}
	f.Users, f.Apps = o.users, o.apps
	for _, s := range o.ips {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, nil, usageError("--ip %q: not an address or a CIDR block", s)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		f.IPs = append(f.IPs, p.Masked())
	}
	for _, c := range o.causes {
		if set.RuleIndex(c) < 0 {
			return nil, nil, usageError("--cause %q: no such cause (see grantsweep rules list)", c)
		}
	}
	for _, c := range o.families {
		if set.FamilyIndex(c) < 0 {
			return nil, nil, usageError("--family %q: no such family", c)
		}
	}
	f.Causes, f.Families = o.causes, o.families
	var red *report.Redactor
	if o.redactKey != "" && !o.redact {
		// A key alone would pseudonymize nothing: a report believed safe to hand on would
		// carry every UPN and address.
		return nil, nil, usageError("--redact-key without --redact: add --redact to pseudonymize users and IPs")
	}
	if o.redact {
		key := o.redactKey
		if key == "" {
			key = os.Getenv("GRANTSWEEP_REDACT_KEY")
		}
		if key == "" {
			return nil, nil, usageError("--redact needs --redact-key or GRANTSWEEP_REDACT_KEY, so that pseudonyms stay the same from run to run")
		}
		red = report.NewRedactor(key)
	}
	var fp *report.Filter
	if !f.Since.IsZero() || !f.Until.IsZero() || len(f.Users)+len(f.Apps)+len(f.IPs)+len(f.Causes)+len(f.Families) > 0 {
		fp = &f
	}
	return fp, red, nil
}

// whenLayouts are the times the reports for people show (the terminal's
// 2026-11-24 15:38, Markdown's 2026-11-24 15:38:19 CET), which --since takes back.
var whenLayouts = []string{"2006-01-02 15:04", "2006-01-02T15:04"}

// whenZoned are those with a zone abbreviation; it must be UTC or one of loc's.
var whenZoned = []string{"2006-01-02 15:04 MST", "2006-01-02 15:04:05 MST"}

// parseWhen reads an absolute time or one relative to now: 30m, 24h, 7d, 2w. An absolute
// time is RFC 3339, a time as the reports show it (2026-11-24 15:38, 2026-11-24 15:38:19
// CET), a date, or any format parse.ParseTime takes; one without a zone is in loc.
func parseWhen(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if n := len(s); n > 1 && strings.ContainsRune("mhdw", rune(s[n-1])) {
		if v, err := strconv.ParseFloat(s[:n-1], 64); err == nil && v >= 0 {
			unit := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[n-1]]
			return now.Add(-time.Duration(v * float64(unit))), nil
		}
	}
	for _, layout := range whenLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC(), nil
		}
	}
	for _, layout := range whenZoned {
		t, err := time.ParseInLocation(layout, s, loc)
		if err != nil {
			continue
		}
		// An abbreviation loc does not use is taken by Go as a zone of offset 0.
		if abbr, _ := t.Zone(); t.Location() != loc && abbr != "UTC" {
			return time.Time{}, fmt.Errorf("%q: %s is not a zone of --tz %s: give --tz, or an offset (2026-11-24T08:00:00+01:00)", s, abbr, loc)
		}
		return t.UTC(), nil
	}
	if t, ok := parse.ParseTimeIn(s, loc); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time: give RFC 3339 (2026-11-24T08:00:00Z), a time as the reports show it (2026-11-24 08:00, in --tz), a date, or a duration back from now (24h, 7d)", s)
}
