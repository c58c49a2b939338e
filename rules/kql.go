package rules

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteKQL writes the rule set as a Kusto query over SigninLogs and
// AADNonInteractiveUserSignInLogs that gives each in-scope sign-in the same cause id as
// Classify and summarizes by cause, for tenants too big for files: run it in Log
// Analytics, Sentinel or Azure Data Explorer. Text conditions compare, as Classify does,
// on each of failure reason, result description and additional details, lower-cased with
// whitespace collapsed as Normalize does; copies of an event id count once, as the summary
// counts them. The query looks at the sign-ins since since, which it writes as a Kusto
// literal of its own making: nothing of the caller's text goes into it.
//
// Status, DeviceDetail, LocationDetails, ConditionalAccessPolicies and
// TokenProtectionStatusDetails are dynamic in SigninLogs and string in
// AADNonInteractiveUserSignInLogs; union keeps one column per name and type (Status_dynamic
// and Status_string), so the SigninLogs leg casts the one it reads, Status, to string
// before the union and both legs give one Status column. bench/kusto checks the query with
// Kusto.Language against both tables' schemas.
func (s *Set) WriteKQL(w io.Writer, since Since) error {
	from, err := since.kql()
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "// grantsweep rules %s, as Kusto. Causes and families are grantsweep's ids.\n", s.Fingerprint())
	fmt.Fprintf(&b, "let Since = %s; // at or after, as sweep --since\n", from)
	b.WriteString("union isfuzzy=true\n")
	b.WriteString("    (SigninLogs | where TimeGenerated >= Since | extend Status = tostring(Status)), // dynamic here, string in the other table\n")
	b.WriteString("    (AADNonInteractiveUserSignInLogs | where TimeGenerated >= Since)\n")
	b.WriteString("| extend StatusJson = parse_json(Status)\n")
	b.WriteString("| extend Code = coalesce(toint(ResultType), toint(StatusJson.errorCode), 0)\n")
	if s.HasTextOnlyRules() {
		b.WriteString("| where Code != 0\n")
	} else {
		fmt.Fprintf(&b, "| where Code in (%s)\n", joinInts(s.Codes()))
	}
	// Normalize's whitespace: space, \t, \n, \r, \v, \f, U+0085 and U+00A0.
	norm := func(x string) string {
		return `replace_regex(tolower(` + x + `), @"[ \t\n\r\x0B\f\x{85}\x{A0}]+", " ")`
	}
	fmt.Fprintf(&b, "| extend Reason = %s, Description = %s, Details = %s\n",
		norm("tostring(StatusJson.failureReason)"), norm("ResultDescription"), norm("tostring(StatusJson.additionalDetails)"))
	b.WriteString("| extend Cause = case(\n")
	for _, r := range s.Rules {
		var conds []string
		for _, c := range r.When {
			conds = append(conds, kqlClause(c))
		}
		fmt.Fprintf(&b, "    %s, %s,\n", strings.Join(conds, " or "), kqlString(r.ID))
	}
	b.WriteString("    \"\")\n")
	b.WriteString("| where Cause != \"\"\n")
	b.WriteString("| extend Family = case(\n")
	for _, f := range s.Families {
		var ids []string
		for _, r := range s.Rules {
			if r.Family == f.ID {
				ids = append(ids, kqlString(r.ID))
			}
		}
		if len(ids) > 0 {
			fmt.Fprintf(&b, "    Cause in (%s), %s,\n", strings.Join(ids, ", "), kqlString(f.ID))
		}
	}
	b.WriteString("    \"\")\n")
	// The summary's keys: the time of the sign-in, the user (UPN lower-cased, else the
	// service principal, else the user id) and the app (name, else id).
	b.WriteString("| extend Time = coalesce(CreatedDateTime, TimeGenerated), User = coalesce(tolower(UserPrincipalName), ServicePrincipalName, UserId), App = coalesce(AppDisplayName, AppId)\n")
	b.WriteString("| extend Key = iff(isempty(Id), strcat(\"row:\", tostring(new_guid())), Id) // an event without an id always counts\n")
	b.WriteString("| summarize arg_min(Time, Family, Cause, User, App, IPAddress) by Key // copies of an event id count once\n")
	b.WriteString("| summarize Events = count(), Users = dcount(User), Apps = dcount(App), IPs = dcount(IPAddress),\n")
	b.WriteString("    FirstSeen = min(Time), LastSeen = max(Time) by Family, Cause\n")
	b.WriteString("| order by Events desc, Cause asc\n")
	_, err = io.WriteString(w, b.String())
	return err
}

// ErrSince is a Since that Kusto cannot write (before year 1 or after 9999).
var ErrSince = errors.New("out of Kusto's datetime range (years 1 to 9999)")

// Since is where a Kusto query's time window starts: Ago before the query runs, or At
// when At is set.
type Since struct {
	Ago time.Duration
	At  time.Time
}

// kql writes s as a Kusto expression: ago(TIMESPAN), with the timespan in the largest
// unit that holds it whole (2w is ago(14d), 36h ago(36h), 90s ago(90s)), or
// datetime(RFC 3339 in UTC).
func (s Since) kql() (string, error) {
	if !s.At.IsZero() {
		t := s.At.UTC()
		if t.Year() < 1 || t.Year() > 9999 {
			return "", ErrSince
		}
		return "datetime(" + t.Format(time.RFC3339Nano) + ")", nil
	}
	return "ago(" + kqlTimespan(s.Ago) + ")", nil
}

// kqlTimespan writes d as a Kusto timespan literal: a whole number of days, hours,
// minutes, seconds, milliseconds, microseconds or ticks (100 ns), the largest unit that
// divides d.
func kqlTimespan(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}, {time.Millisecond, "ms"}, {time.Microsecond, "microsecond"}} {
		if d%u.unit == 0 {
			return sign + strconv.FormatInt(int64(d/u.unit), 10) + u.name
		}
	}
	return sign + strconv.FormatInt(int64(d/100), 10) + "tick" // below a tick is lost: Kusto counts no finer
}

func kqlClause(c Clause) string {
	var parts []string
	switch len(c.Codes) {
	case 0:
		parts = append(parts, "Code != 0")
	case 1:
		parts = append(parts, fmt.Sprintf("Code == %d", c.Codes[0]))
	default:
		parts = append(parts, fmt.Sprintf("Code in (%s)", joinInts(c.Codes)))
	}
	if len(c.Text) > 0 {
		var any []string
		for _, t := range c.Text {
			q := kqlString(t)
			any = append(any, "Reason contains "+q+" or Description contains "+q+" or Details contains "+q)
		}
		parts = append(parts, "("+strings.Join(any, " or ")+")") // a phrase in any of the three fields
	}
	for _, t := range c.NotText {
		q := kqlString(t)
		parts = append(parts, "Reason !contains "+q+" and Description !contains "+q+" and Details !contains "+q)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " and ") + ")"
}

// kqlString quotes s as a Kusto string literal.
func kqlString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

func joinInts(l []int) string {
	s := make([]string, len(l))
	for i, n := range l {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}
