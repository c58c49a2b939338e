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
	audit := len(s.Changes) > 0
	if audit {
		b.WriteString("let Failures = ")
	}
	b.WriteString("union isfuzzy=true\n")
	if audit { // the join also reads the device and the conditional access policies
		b.WriteString("    (SigninLogs | where TimeGenerated >= Since | extend Status = tostring(Status), DeviceDetail = tostring(DeviceDetail), ConditionalAccessPolicies = tostring(ConditionalAccessPolicies)), // dynamic here, string in the other table\n")
	} else {
		b.WriteString("    (SigninLogs | where TimeGenerated >= Since | extend Status = tostring(Status)), // dynamic here, string in the other table\n")
	}
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
	if !audit {
		b.WriteString("| summarize arg_min(Time, Family, Cause, User, App, IPAddress) by Key // copies of an event id count once\n")
		b.WriteString("| summarize Events = count(), Users = dcount(User), Apps = dcount(App), IPs = dcount(IPAddress),\n")
		b.WriteString("    FirstSeen = min(Time), LastSeen = max(Time) by Family, Cause\n")
		b.WriteString("| order by Events desc, Cause asc\n")
	} else {
		b.WriteString("| extend DeviceJson = parse_json(DeviceDetail), UserId = tolower(UserId)\n")
		b.WriteString("| extend DeviceId = tolower(tostring(DeviceJson.deviceId)), DeviceName = tolower(tostring(DeviceJson.displayName))\n")
		b.WriteString("| summarize arg_min(Time, Family, Cause, User, App, IPAddress, UserId, DeviceId, DeviceName, ConditionalAccessPolicies) by Key; // copies of an event id count once\n")
		s.writeKQLAudit(&b)
		b.WriteString("Failures\n")
		b.WriteString("| join kind=leftouter Explained on Key\n")
		b.WriteString("| summarize Events = count(), Users = dcount(User), Apps = dcount(App), IPs = dcount(IPAddress),\n")
		b.WriteString("    FirstSeen = min(Time), LastSeen = max(Time), Explained = countif(isnotempty(ExplainedByKind)) by Family, Cause\n")
		b.WriteString("| order by Events desc, Cause asc\n")
	}
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

// writeKQLAudit writes the audit attribution as lets after Failures (one row per
// in-scope event: Key, Time, Cause, UserId, User, DeviceId, DeviceName and
// ConditionalAccessPolicies): Changes, the audit records of the change kinds in
// AuditLogs grouped into changes as Set.Group groups them (one target, within GroupGap of
// the first, named after the member of the lowest rank), and Explained, each failure's
// explaining change as Attributor.Explain picks it (a member kind that explains the cause,
// the target matching by the same keys, Time <= failure <= Time + window, the latest;
// ties are taken in no set order, where Explain takes the smallest audit id).
func (s *Set) writeKQLAudit(b *strings.Builder) {
	var maxWindow time.Duration
	for _, k := range s.Changes {
		maxWindow = max(maxWindow, k.Window)
	}
	byKey := func(key string) []string {
		var ids []string
		for _, k := range s.Changes {
			if k.Key == key {
				ids = append(ids, kqlString(k.ID))
			}
		}
		if len(ids) == 0 {
			return []string{`""`}
		}
		return ids
	}
	fmt.Fprintf(b, "let Changes = AuditLogs\n| where ActivityDateTime >= Since - %s // the longest window before the first failure\n", kqlTimespan(maxWindow))
	// NormalizeActivity: dashes and underscores as spaces, lower case, whitespace
	// collapsed, a trailing "." dropped.
	b.WriteString(`| extend Activity = trim(@"\s+", replace_regex(replace_regex(trim(@"\s+", replace_regex(tolower(ActivityDisplayName), @"[-_\x{2010}-\x{2014}\s]+", " ")), @"\.$", ""), @"\s+", " "))` + "\n")
	b.WriteString("| extend Kind = case(\n")
	for _, k := range s.Changes {
		var acts []string
		for _, a := range k.Activities {
			acts = append(acts, kqlString(NormalizeActivity(a)))
		}
		fmt.Fprintf(b, "    Activity in (%s), %s,\n", strings.Join(acts, ", "), kqlString(k.ID))
	}
	b.WriteString("    \"\")\n")
	b.WriteString("| where Kind != \"\" and Result !~ \"failure\" // a failed change changed nothing\n")
	fmt.Fprintf(b, "| extend JoinOn = case(Kind in (%s), \"user\", Kind in (%s), \"device\", \"policy\")\n",
		strings.Join(byKey(KeyUser), ", "), strings.Join(byKey(KeyDevice), ", "))
	b.WriteString("| mv-expand Target = TargetResources\n")
	b.WriteString("| where tostring(Target.type) =~ case(JoinOn == \"user\", \"User\", JoinOn == \"device\", \"Device\", \"Policy\") // targets by type, not position\n")
	b.WriteString("| extend TargetId = tolower(tostring(Target.id)), TargetUPN = tolower(tostring(Target.userPrincipalName)), TargetName = tolower(tostring(Target.displayName)),\n")
	// A device's device id: its modified property DeviceId, else the record's
	// additionalDetails DeviceId (parse reads the latter only for a record of one device).
	uuid := `([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`
	b.WriteString(`    TargetDeviceId = tolower(coalesce(extract(@"(?i)DeviceId[^}]*?` + uuid + `", 1, tostring(Target.modifiedProperties)),` + "\n")
	b.WriteString(`        extract(@"(?i)""key"":""DeviceId"",""value"":""` + uuid + `", 1, tostring(AdditionalDetails))))` + "\n")
	b.WriteString("| extend GroupKey = case(JoinOn == \"user\", iff(isnotempty(TargetId), strcat(\"id:\", TargetId), iff(isnotempty(TargetUPN), strcat(\"upn:\", TargetUPN), \"\")),\n")
	b.WriteString("    JoinOn == \"device\", iff(isnotempty(TargetId), strcat(\"id:\", TargetId), iff(isnotempty(TargetDeviceId), strcat(\"device:\", TargetDeviceId), iff(isnotempty(TargetName), strcat(\"name:\", TargetName), \"\"))),\n")
	b.WriteString("    iff(isnotempty(TargetId), strcat(\"id:\", TargetId), \"\"))\n")
	b.WriteString("| where GroupKey != \"\" // nothing to join on\n")
	b.WriteString("| extend Rank = case(\n")
	for i, k := range s.Changes {
		fmt.Fprintf(b, "    Kind == %s, %d,\n", kqlString(k.ID), k.Rank*1000+i) // the lowest rank, ties the first kind
	}
	b.WriteString("    999999)\n")
	b.WriteString("| extend Actor = coalesce(tostring(InitiatedBy.user.userPrincipalName), tostring(InitiatedBy.app.displayName))\n")
	b.WriteString("| project JoinOn, GroupKey, ActivityDateTime, Id, Kind, Rank, ActivityDisplayName, Actor, TargetId, TargetUPN, TargetName, TargetDeviceId\n")
	b.WriteString("| sort by JoinOn asc, GroupKey asc, ActivityDateTime asc, Id asc\n")
	fmt.Fprintf(b, "| extend ChangeTime = row_window_session(ActivityDateTime, %s, %s, JoinOn != prev(JoinOn) or GroupKey != prev(GroupKey)) // one change: one target, within %s of the first\n",
		kqlTimespan(GroupGap), kqlTimespan(GroupGap), kqlTimespan(GroupGap))
	b.WriteString("| summarize arg_min(Rank, Kind, ActivityDisplayName, Actor), Kinds = make_set(Kind), FirstAuditId = min(Id),\n")
	b.WriteString("    TargetId = max(TargetId), TargetUPN = max(TargetUPN), TargetName = max(TargetName), TargetDeviceId = max(TargetDeviceId) by JoinOn, GroupKey, ChangeTime\n")
	// Each member kind's causes, with the longest window of the kinds that explain each.
	b.WriteString("| mv-expand MemberKind = Kinds to typeof(string)\n")
	b.WriteString("| extend Explains = case(\n")
	for _, k := range s.Changes {
		var ids []string
		for _, c := range k.Explains {
			ids = append(ids, kqlString(c))
		}
		fmt.Fprintf(b, "    MemberKind == %s, pack_array(%s),\n", kqlString(k.ID), strings.Join(ids, ", "))
	}
	b.WriteString("    dynamic([])), Window = case(\n")
	for _, k := range s.Changes {
		fmt.Fprintf(b, "    MemberKind == %s, %s,\n", kqlString(k.ID), kqlTimespan(k.Window))
	}
	b.WriteString("    0s)\n")
	b.WriteString("| mv-expand Cause = Explains to typeof(string)\n")
	b.WriteString("| summarize Window = max(Window) by JoinOn, GroupKey, ChangeTime, Kind, ActivityDisplayName, Actor, FirstAuditId, TargetId, TargetUPN, TargetName, TargetDeviceId, Cause\n")
	// The keys a change is found under (Attributor's spaces).
	b.WriteString("| extend JoinKeys = case(\n")
	b.WriteString("    JoinOn == \"user\", iff(isnotempty(TargetId), pack_array(strcat(\"uid:\", TargetId), strcat(\"upnwid:\", TargetUPN)), pack_array(strcat(\"upn:\", TargetUPN))),\n")
	b.WriteString("    JoinOn == \"device\", pack_array(iff(isnotempty(TargetId), strcat(\"dev:\", TargetId), \"\"), iff(isnotempty(TargetDeviceId), strcat(\"dev:\", TargetDeviceId), \"\"),\n")
	b.WriteString("        iff(isnotempty(TargetDeviceId), strcat(\"namewid:\", TargetName), strcat(\"namenoid:\", TargetName))),\n")
	b.WriteString("    pack_array(strcat(\"pol:\", TargetId)))\n")
	b.WriteString("| mv-expand JoinKey = JoinKeys to typeof(string)\n")
	b.WriteString("| where JoinKey !in (\"\", \"upn:\", \"upnwid:\", \"namewid:\", \"namenoid:\", \"pol:\")\n")
	b.WriteString("| distinct JoinKey, Cause, ChangeTime, Window, Kind, ActivityDisplayName, Actor, FirstAuditId;\n")
	// A failure's keys: its user id, its UPN (alone when it has no id), its device id and
	// name, the ids of its conditional access policies.
	b.WriteString("let Explained = Failures\n")
	b.WriteString("| extend PolicyKeys = parse_json(ConditionalAccessPolicies)\n")
	b.WriteString("| mv-apply Policy = PolicyKeys on (summarize PolicyIds = make_set(strcat(\"pol:\", tolower(tostring(Policy.id)))))\n")
	b.WriteString("| extend UserKey = tolower(User)\n")
	b.WriteString("| extend FailureKeys = array_concat(pack_array(strcat(\"uid:\", UserId), strcat(\"upn:\", UserKey), iff(isempty(UserId), strcat(\"upnwid:\", UserKey), \"\"),\n")
	b.WriteString("    strcat(\"dev:\", DeviceId), strcat(\"namenoid:\", DeviceName), iff(isempty(DeviceId), strcat(\"namewid:\", DeviceName), \"\")), PolicyIds)\n")
	b.WriteString("| mv-expand JoinKey = FailureKeys to typeof(string)\n")
	b.WriteString("| where JoinKey !in (\"\", \"uid:\", \"upn:\", \"upnwid:\", \"dev:\", \"namewid:\", \"namenoid:\", \"pol:\")\n")
	b.WriteString("| project Key, Time, Cause, JoinKey\n")
	b.WriteString("| join kind=inner Changes on JoinKey, Cause\n")
	b.WriteString("| where ChangeTime <= Time and Time <= ChangeTime + Window\n")
	b.WriteString("| summarize arg_max(ChangeTime, Kind, ActivityDisplayName, Actor, FirstAuditId) by Key // the latest change explains\n")
	b.WriteString("| project Key, ExplainedByKind = Kind, ExplainedByActivity = ActivityDisplayName, ExplainedByActor = Actor, ExplainedByTime = ChangeTime, ExplainedByAuditId = FirstAuditId;\n")
}
