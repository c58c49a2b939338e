package main

import (
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

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
	fs.StringVar(&o.since, "since", "", "only sign-ins at or after `TIME` (RFC 3339, a date, or relative: 24h, 7d, 2w); audit records are never filtered: a change before the window explains failures in it")
	fs.StringVar(&o.until, "until", "", "only sign-ins before `TIME` (as --since; audit records are never filtered)")
	fs.StringArrayVar(&o.users, "user", nil, "only sign-ins of this `UPN` or user id (* and ? match anything; repeatable); audit records are never filtered")
	fs.StringArrayVar(&o.apps, "app", nil, "only sign-ins to this app `NAME` or id (* and ? match anything; repeatable); audit records are never filtered")
	fs.StringArrayVar(&o.ips, "ip", nil, "only sign-ins from this `ADDRESS` or CIDR block (repeatable); audit records are never filtered")
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
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		// [since, until) holds no time at all: a mistake (--since 1d --until 2d for
		// "from two days back to one"), whatever the logs hold.
		return nil, nil, usageError("--until %s is not after --since %s: no record can be in between (swapped?)", showWhen(f.Until, loc), showWhen(f.Since, loc))
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
			return nil, nil, usageError("--cause %q: no such cause%s (see grantsweep rules list)", c, didYouMean(c, causeIDs(set), true))
		}
	}
	for _, c := range o.families {
		if set.FamilyIndex(c) < 0 {
			return nil, nil, usageError("--family %q: no such family%s", c, didYouMean(c, familyIDs(set), true))
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

// showWhen is t as a message shows a --since or --until: in loc, to the minute unless
// it has seconds.
func showWhen(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	if t.Second() != 0 || t.Nanosecond() != 0 {
		return t.Format("2006-01-02 15:04:05 MST")
	}
	return t.Format("2006-01-02 15:04 MST")
}

// parseWhen reads --since or --until (see readWhen) as a time: a duration back from now
// is now less it.
func parseWhen(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, nil
	}
	w, err := readWhen(s, loc)
	if err != nil || !w.relative {
		return w.at, err
	}
	return now.Add(-w.ago), nil
}
