package rules

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// SQL dialects of WriteSQL.
const (
	DialectDuckDB = "duckdb"
	DialectSpark  = "spark" // Spark SQL: Databricks, Fabric, Synapse
)

// Input shapes of WriteSQL: how the columns of the --from table are named.
const (
	// ShapeLogAnalytics is a table with Log Analytics column names (SigninLogs,
	// AADNonInteractiveUserSignInLogs), flat, its dynamic columns (Status, LocationDetails,
	// SignInEventTypes) as JSON text: an ADX or Fabric export to Parquet, a query
	// result saved as JSON.
	ShapeLogAnalytics = "log-analytics"
	// ShapeDiagnostic is the diagnostic-settings record: time, category, resultType,
	// resultDescription and callerIpAddress at the top, the sign-in in the properties
	// struct (properties.status.errorCode, ...): the storage archive's PT1H.json lines, an
	// Event Hub capture's records, or a Parquet copy of them.
	ShapeDiagnostic = "diagnostic"
	// ShapeGraph is the Graph API's signIn (and PowerShell's re-serialization of it):
	// camelCase columns, status and location as structs or JSON text: a JSON Lines dump
	// of Graph pages, a page's value array unnested.
	ShapeGraph = "graph"
)

// ErrDialect is a dialect or shape WriteSQL does not know.
var ErrDialect = errors.New("unknown SQL dialect or input shape")

// sqlDialect is what differs between the engines, a small table of function names and
// literal syntax; everything else in the query is written once.
type sqlDialect struct {
	name string
	// quote writes a string literal: DuckDB doubles a quote; Spark takes backslash
	// escapes, and reads 'a''b' as two literals, "ab".
	quote func(s string) string
	// jsonText(doc, path): a JSON member as text, from a JSON text column (or, in
	// DuckDB, a struct: anything that casts to JSON).
	jsonText string
	// asJSON(struct column): the struct as JSON text, for jsonText.
	asJSON string
	// replaceAll(text, regexp): every match of the regexp replaced by one space.
	replaceAll string
	// timestamp(x): x as a timestamp with its zone, or NULL when it is not one.
	timestamp string
	tsType    string // the timestamp type
	text      string // the text type
	// fill: columns of a Log Analytics table that the input may lack are added as NULL
	// (DuckDB's UNION ALL BY NAME); Spark SQL has no such union: its input must have them.
	fill bool
	// materialized: how a CTE read many times is computed once (DuckDB inlines a CTE
	// into each reference unless told; Spark reuses the exchange itself).
	materialized string
}

var sqlDialects = map[string]*sqlDialect{
	DialectDuckDB: {
		name: "DuckDB",
		quote: func(s string) string {
			return "'" + strings.ReplaceAll(s, "'", "''") + "'"
		},
		jsonText:   "json_extract_string(TRY_CAST(%s AS JSON), %s)",
		asJSON:     "TRY_CAST(%s AS JSON)",
		replaceAll: "regexp_replace(%s, %s, ' ', 'g')",
		timestamp:  "TRY_CAST(%s AS TIMESTAMPTZ)",
		tsType:     "TIMESTAMPTZ",
		text:       "VARCHAR",
		fill:       true,

		materialized: "MATERIALIZED ",
	},
	DialectSpark: {
		name: "Spark SQL",
		quote: func(s string) string {
			return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
		},
		jsonText:   "get_json_object(%s, %s)",
		asJSON:     "to_json(%s)",
		replaceAll: "regexp_replace(%s, %s, ' ')",
		timestamp:  "try_cast(%s AS TIMESTAMP)",
		tsType:     "TIMESTAMP",
		text:       "STRING",
	},
}

// SQLDialects are the dialect names WriteSQL takes; SQLShapes the input shapes.
var (
	SQLDialects = []string{DialectDuckDB, DialectSpark}
	SQLShapes   = []string{ShapeLogAnalytics, ShapeDiagnostic, ShapeGraph}
)

// laColumns are the Log Analytics columns the query reads (ShapeLogAnalytics).
var laColumns = []string{"Id", "CreatedDateTime", "TimeGenerated", "UserPrincipalName", "UserId", "ServicePrincipalName",
	"ServicePrincipalId", "AppDisplayName", "AppId", "IPAddress", "Location", "LocationDetails", "ClientAppUsed", "Category",
	"Type", "SignInEventTypes", "IsInteractive", "ResultType", "ResultDescription", "Status"}

// diagColumns are the top-level columns of a diagnostic-settings record the query reads
// (ShapeDiagnostic); the rest is in properties.
var diagColumns = []string{"time", "category", "resultType", "resultDescription", "callerIpAddress", "location", "properties"}

// graphColumns are the columns of a Graph signIn the query reads (ShapeGraph).
var graphColumns = []string{"id", "createdDateTime", "userPrincipalName", "servicePrincipalName", "userId", "servicePrincipalId",
	"appDisplayName", "appId", "ipAddress", "location", "clientAppUsed", "signInEventTypes", "isInteractive", "status",
	"resultDescription"}

// WriteSQL writes the rule set as one SQL query that computes, from the sign-ins of the
// table expression from (a table, a view, read_parquet('...'), a subquery in
// parentheses), what sweep --format json reports: the in-scope events and the duplicate
// copies dropped, every cause and family (events, distinct users, apps and IPs, first and
// last seen), and the by_app, by_user, by_ip and by_client tables with their events per
// cause. It classifies as Classify does: the code first, the first matching rule in order,
// text clauses on each of failure reason, result description and additional details
// normalised as Normalize does; and it counts copies of an event id once, as the summary
// does (the copy kept is the earliest, where sweep keeps the first read: copies of one
// event are alike). shape says how from's columns are named (ShapeLogAnalytics,
// ShapeDiagnostic, ShapeGraph); dialect is DialectDuckDB or DialectSpark.
//
// The result is one table in long form, ordered: part (1 in_scope, 2 duplicates, 3
// cause, 4 family, 5 by_app, 6 by_user, 7 by_ip, 8 by_client), section, rule_order (the
// cause's position in the rule set, 1-based; the family's for family rows), family,
// cause, key1 and key2 (a table row's key: app and app_id, user and user_id, ip and
// country, client_app and sign_in_type), events, users, apps, ips, first_seen,
// last_seen. A table row comes once with cause NULL (its events and distinct users, or
// apps for by_user) and once per cause with events of it.
func (s *Set) WriteSQL(w io.Writer, from, shape, dialect string) error {
	d := sqlDialects[dialect]
	if d == nil || (shape != ShapeLogAnalytics && shape != ShapeDiagnostic && shape != ShapeGraph) {
		return ErrDialect
	}
	if strings.TrimSpace(from) == "" {
		return errors.New("no table to read (--from)")
	}
	q := sqlWriter{d: d}
	var b strings.Builder
	fmt.Fprintf(&b, "-- grantsweep rules %s, as SQL (%s). Causes and families are grantsweep's ids.\n", s.Fingerprint(), d.name)
	fmt.Fprintf(&b, "-- Input: %s shape, from %s\n", shape, strings.Join(strings.Fields(from), " "))
	b.WriteString("WITH\n")

	// The rule set as data: each cause's position, id and family, and the families.
	b.WriteString("rules AS (\n  SELECT * FROM (VALUES\n")
	for i, r := range s.Rules {
		sep := ","
		if i == len(s.Rules)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "    (%d, %s, %s)%s\n", i+1, d.quote(r.ID), d.quote(r.Family), sep)
	}
	b.WriteString("  ) AS t(rule_order, cause, family)\n),\n")
	b.WriteString("families AS (\n  SELECT * FROM (VALUES\n")
	for i, f := range s.Families {
		sep := ","
		if i == len(s.Families)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "    (%d, %s)%s\n", i+1, d.quote(f.ID), sep)
	}
	b.WriteString("  ) AS t(family_order, family)\n),\n")

	// The sign-ins in grantsweep's terms (parse.Event's fields), as the decoders read them.
	cols := map[string][]string{ShapeLogAnalytics: laColumns, ShapeDiagnostic: diagColumns, ShapeGraph: graphColumns}[shape]
	if d.fill {
		b.WriteString("src AS ( -- the columns read, NULL where the input has none\n")
		fmt.Fprintf(&b, "  SELECT * FROM %s\n  UNION ALL BY NAME\n  SELECT ", from)
		for i, c := range cols {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("NULL AS " + c)
		}
		b.WriteString(" WHERE false\n),\n")
	} else {
		fmt.Fprintf(&b, "src AS (\n  SELECT * FROM %s\n),\n", from)
	}
	switch shape {
	case ShapeLogAnalytics:
		b.WriteString("signins AS (\n  SELECT\n")
		b.WriteString(q.fields(
			"Id", []string{"CreatedDateTime", "TimeGenerated"},
			"UserPrincipalName", "ServicePrincipalName", []string{"UserId", "ServicePrincipalId"},
			[]string{"AppDisplayName", "ServicePrincipalName"}, "AppId", []string{"IPAddress"},
			[]string{q.json("LocationDetails", "$.countryOrRegion"), q.t("Location")},
			"ClientAppUsed", []string{"Category", "Type"}, q.json("SignInEventTypes", "$[0]"), "IsInteractive",
			[]string{q.code(q.t("ResultType")), q.code(q.json("Status", "$.errorCode"))},
			q.json("Status", "$.failureReason"), "ResultDescription", q.json("Status", "$.additionalDetails")))
		b.WriteString("  FROM src\n),\n")
	case ShapeDiagnostic:
		p := func(path string) string {
			return fmt.Sprintf(d.jsonText, fmt.Sprintf(d.asJSON, "properties"), d.quote(path))
		}
		b.WriteString("signins AS (\n  SELECT\n")
		b.WriteString(q.fields(
			p("$.id"), []string{p("$.createdDateTime"), "time"},
			p("$.userPrincipalName"), p("$.servicePrincipalName"), []string{p("$.userId"), p("$.servicePrincipalId")},
			[]string{p("$.appDisplayName"), p("$.servicePrincipalName")}, p("$.appId"), []string{p("$.ipAddress"), "callerIpAddress"},
			[]string{p("$.location.countryOrRegion"), q.t("location")},
			p("$.clientAppUsed"), []string{"category"}, p("$.signInEventTypes[0]"), p("$.isInteractive"),
			[]string{q.code(q.t("resultType")), q.code(p("$.status.errorCode")), q.code(p("$.resultType"))},
			p("$.status.failureReason"), "resultDescription", p("$.status.additionalDetails")))
		b.WriteString("  FROM src\n")
		// Records of the other logs an archive or a stream mixes in are not sign-ins.
		others := make([]string, 0, len(otherCategoryNames))
		for _, c := range otherCategoryNames {
			others = append(others, d.quote(strings.ToLower(c)))
		}
		fmt.Fprintf(&b, "  WHERE coalesce(lower(%s), '') NOT IN (%s)\n),\n", q.t("category"), strings.Join(others, ", "))
	case ShapeGraph:
		b.WriteString("signins AS (\n  SELECT\n")
		b.WriteString(q.fields(
			"id", []string{"createdDateTime"},
			"userPrincipalName", "servicePrincipalName", []string{"userId", "servicePrincipalId"},
			[]string{"appDisplayName", "servicePrincipalName"}, "appId", []string{"ipAddress"},
			[]string{q.json("location", "$.countryOrRegion")},
			"clientAppUsed", nil, q.json("signInEventTypes", "$[0]"), "isInteractive",
			[]string{q.code(q.json("status", "$.errorCode"))},
			q.json("status", "$.failureReason"), "resultDescription", q.json("status", "$.additionalDetails")))
		b.WriteString("  FROM src\n),\n")
	}

	// Candidates: an error code some rule names (any failure when a rule needs only text),
	// with the text fields normalised as Normalize does.
	ws := "concat('[', chr(32), chr(9), chr(10), chr(11), chr(12), chr(13), chr(133), chr(160), ']+')"
	norm := func(x string) string { return "lower(" + fmt.Sprintf(d.replaceAll, "coalesce("+x+", '')", ws) + ")" }
	b.WriteString("candidates AS (\n")
	fmt.Fprintf(&b, "  SELECT *, %s AS t_reason, %s AS t_description, %s AS t_details\n", norm("failure_reason"), norm("result_description"), norm("additional_details"))
	if s.HasTextOnlyRules() {
		b.WriteString("  FROM signins WHERE code <> 0\n),\n")
	} else {
		fmt.Fprintf(&b, "  FROM signins WHERE code IN (%s)\n),\n", joinInts(s.Codes()))
	}
	// The first rule that matches, in order.
	b.WriteString("classified AS (\n  SELECT *, CASE\n")
	for i, r := range s.Rules {
		var conds []string
		for _, c := range r.When {
			conds = append(conds, q.clause(c))
		}
		fmt.Fprintf(&b, "    WHEN %s THEN %d -- %s\n", strings.Join(conds, " OR "), i+1, r.ID)
	}
	// ELSE 0, not NULL: DuckDB rewrites a filter on "CASE ... IS NOT NULL" into a far
	// larger one (a 20,000-record file took 950 MB).
	b.WriteString("    ELSE 0\n  END AS rule_order\n  FROM candidates\n),\n")
	// Copies of an event id count once; an event without an id always counts.
	b.WriteString("ranked AS (\n  SELECT *, row_number() OVER (PARTITION BY id ORDER BY event_time, rule_order) AS copy\n")
	b.WriteString("  FROM classified WHERE rule_order > 0\n),\n")
	b.WriteString("in_scope AS " + d.materialized + "(\n  SELECT r.*, k.cause, k.family FROM ranked r JOIN rules k ON k.rule_order = r.rule_order\n")
	b.WriteString("  WHERE r.id IS NULL OR r.copy = 1\n)\n")

	// The report, in long form.
	n, ts := "CAST(NULL AS BIGINT)", "CAST(NULL AS "+d.tsType+")"
	str := "CAST(NULL AS " + d.text + ")"
	out := "part, section, rule_order, family, cause, key1, key2, events, users, apps, ips, first_seen, last_seen"
	fmt.Fprintf(&b, "SELECT %s FROM (\n", out)
	fmt.Fprintf(&b, "  SELECT 1 AS part, 'in_scope' AS section, %s AS rule_order, %s AS family, %s AS cause, %s AS key1, %s AS key2,\n", n, str, str, str, str)
	b.WriteString("    count(*) AS events, count(DISTINCT user_key) AS users, count(DISTINCT app_key) AS apps, count(DISTINCT ip) AS ips,\n")
	b.WriteString("    min(event_time) AS first_seen, max(event_time) AS last_seen FROM in_scope\n")
	fmt.Fprintf(&b, "  UNION ALL SELECT 2, 'duplicates', %s, %s, %s, %s, %s, count(*), %s, %s, %s, %s, %s FROM ranked WHERE id IS NOT NULL AND copy > 1\n", n, str, str, str, str, n, n, n, ts, ts)
	fmt.Fprintf(&b, "  UNION ALL SELECT 3, 'cause', k.rule_order, k.family, k.cause, %s, %s, count(s.rule_order), count(DISTINCT s.user_key), count(DISTINCT s.app_key), count(DISTINCT s.ip), min(s.event_time), max(s.event_time)\n", str, str)
	b.WriteString("    FROM rules k LEFT JOIN in_scope s ON s.rule_order = k.rule_order GROUP BY k.rule_order, k.family, k.cause\n")
	fmt.Fprintf(&b, "  UNION ALL SELECT 4, 'family', f.family_order, f.family, %s, %s, %s, count(s.rule_order), count(DISTINCT s.user_key), count(DISTINCT s.app_key), count(DISTINCT s.ip), min(s.event_time), max(s.event_time)\n", str, str, str)
	b.WriteString("    FROM families f LEFT JOIN in_scope s ON s.family = f.family GROUP BY f.family_order, f.family\n")
	for i, t := range []struct{ name, k1, k2, distinct string }{
		{"by_app", "app", "app_id", "users"}, {"by_user", "user_name", "user_id", "apps"},
		{"by_ip", "ip", "country", "users"}, {"by_client", "client_app", "sign_in_type", "users"},
	} {
		users, apps := "count(DISTINCT user_key)", n
		if t.distinct == "apps" {
			users, apps = n, "count(DISTINCT app_key)"
		}
		k := fmt.Sprintf("coalesce(%s, ''), coalesce(%s, '')", t.k1, t.k2)
		fmt.Fprintf(&b, "  UNION ALL SELECT %d, '%s', %s, %s, %s, %s, count(*), %s, %s, %s, min(event_time), max(event_time) FROM in_scope GROUP BY %s\n",
			5+i, t.name, n, str, str, k, users, apps, n, k)
		fmt.Fprintf(&b, "  UNION ALL SELECT %d, '%s', rule_order, family, cause, %s, count(*), %s, %s, %s, min(event_time), max(event_time) FROM in_scope GROUP BY rule_order, family, cause, %s\n",
			5+i, t.name, k, n, n, n, k)
	}
	b.WriteString(") AS report\n")
	b.WriteString("ORDER BY part, CASE WHEN cause IS NULL THEN 0 ELSE 1 END, CASE WHEN part >= 5 AND cause IS NULL THEN -events ELSE 0 END, key1, key2, rule_order\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// otherCategoryNames are the diagnostic categories of the logs that are not sign-ins, as
// the decoders count them apart (parse: otherCategories).
var otherCategoryNames = []string{"AuditLogs", "ProvisioningLogs", "AADProvisioningLogs", "RiskyUsers", "AADRiskyUsers",
	"UserRiskEvents", "AADUserRiskEvents", "RiskyServicePrincipals", "AADRiskyServicePrincipals",
	"ServicePrincipalRiskEvents", "AADServicePrincipalRiskEvents", "NetworkAccessTrafficLogs", "NetworkAccessTraffic",
	"EnrichedOffice365AuditLogs", "MicrosoftGraphActivityLogs", "RemoteNetworkHealthLogs", "B2CRequestLogs"}

type sqlWriter struct{ d *sqlDialect }

// t is a column or expression as trimmed text, NULL when empty: what the decoders' first
// takes as absent.
func (q sqlWriter) t(x string) string {
	return fmt.Sprintf("NULLIF(CAST(%s AS %s), '')", x, q.d.text)
}

// json is a member of a JSON text column, NULL when empty.
func (q sqlWriter) json(col, path string) string {
	return "NULLIF(" + fmt.Sprintf(q.d.jsonText, col, q.d.quote(path)) + ", '')"
}

// code is x as an error code, NULL when it is not an integer (parse's errorCode).
func (q sqlWriter) code(x string) string {
	return fmt.Sprintf("try_cast(trim(CAST(%s AS %s)) AS BIGINT)", x, q.d.text)
}

// first is the first of xs that is not NULL or empty.
func (q sqlWriter) first(xs ...string) string {
	ts := make([]string, len(xs))
	for i, x := range xs {
		ts[i] = q.t(x)
	}
	if len(ts) == 1 {
		return ts[0]
	}
	return "coalesce(" + strings.Join(ts, ", ") + ")"
}

// fields writes the select list of the sign-ins view: parse.Event's fields that the
// report reads, each the first present of its sources, as the decoders take them.
func (q sqlWriter) fields(id string, times []string, upn, spn string, userIDs, apps []string, appID string, ips, countries []string,
	clientApp string, categories []string, eventType, interactive string, codes []string, reason, description, details string) string {
	var b strings.Builder
	line := func(expr, name string) { fmt.Fprintf(&b, "    %s AS %s,\n", expr, name) }
	line(q.t(id), "id")
	var ts []string
	for _, t := range times {
		ts = append(ts, fmt.Sprintf(q.d.timestamp, t))
	}
	line("coalesce("+strings.Join(ts, ", ")+")", "event_time")
	user := fmt.Sprintf("coalesce(lower(%s), %s)", q.t(upn), q.t(spn)) // the UPN lower-cased, else the service principal
	line(user, "user_name")
	line(q.first(userIDs...), "user_id")
	line(fmt.Sprintf("coalesce(%s, %s)", user, q.first(userIDs...)), "user_key")
	line(q.first(apps...), "app")
	line(q.t(appID), "app_id")
	line(fmt.Sprintf("coalesce(%s, %s)", q.first(apps...), q.t(appID)), "app_key")
	line(q.first(ips...), "ip")
	line("coalesce("+strings.Join(countries, ", ")+")", "country")
	line(q.t(clientApp), "client_app")
	// The log a record belongs to, as Graph names it (parse: signInType).
	var kinds []string
	for _, c := range categories {
		kinds = append(kinds, "CASE lower("+q.t(c)+") WHEN 'signinlogs' THEN 'interactiveUser' "+
			"WHEN 'noninteractiveusersigninlogs' THEN 'nonInteractiveUser' WHEN 'aadnoninteractiveusersigninlogs' THEN 'nonInteractiveUser' "+
			"WHEN 'serviceprincipalsigninlogs' THEN 'servicePrincipal' WHEN 'aadserviceprincipalsigninlogs' THEN 'servicePrincipal' "+
			"WHEN 'microsoftserviceprincipalsigninlogs' THEN 'servicePrincipal' WHEN 'managedidentitysigninlogs' THEN 'managedIdentity' "+
			"WHEN 'aadmanagedidentitysigninlogs' THEN 'managedIdentity' WHEN 'adfssigninlogs' THEN 'adfs' END")
	}
	kinds = append(kinds, "CASE lower(replace("+q.t(eventType)+", ' ', '')) WHEN 'noninteractiveuser' THEN 'nonInteractiveUser' "+
		"WHEN 'noninteractive' THEN 'nonInteractiveUser' WHEN 'interactiveuser' THEN 'interactiveUser' WHEN 'interactive' THEN 'interactiveUser' "+
		"WHEN 'serviceprincipal' THEN 'servicePrincipal' WHEN 'managedidentity' THEN 'managedIdentity' END",
		"CASE lower("+q.t(interactive)+") WHEN 'true' THEN 'interactiveUser' WHEN 'false' THEN 'nonInteractiveUser' END")
	line("coalesce("+strings.Join(kinds, ",\n      ")+")", "sign_in_type")
	line("coalesce("+strings.Join(codes, ", ")+", 0)", "code")
	line(reason, "failure_reason")
	line(q.t(description), "result_description")
	fmt.Fprintf(&b, "    %s AS additional_details\n", details)
	return b.String()
}

// clause writes a rule clause as a condition on code and the normalised text fields.
func (q sqlWriter) clause(c Clause) string {
	var parts []string
	switch len(c.Codes) {
	case 0:
		parts = append(parts, "code <> 0")
	case 1:
		parts = append(parts, fmt.Sprintf("code = %d", c.Codes[0]))
	default:
		parts = append(parts, fmt.Sprintf("code IN (%s)", joinInts(c.Codes)))
	}
	in := func(p string) string {
		l := q.d.quote(p)
		return fmt.Sprintf("instr(t_reason, %s) > 0 OR instr(t_description, %s) > 0 OR instr(t_details, %s) > 0", l, l, l)
	}
	if len(c.Text) > 0 {
		var any []string
		for _, t := range c.Text {
			any = append(any, in(t))
		}
		parts = append(parts, "("+strings.Join(any, " OR ")+")") // a phrase in any of the three fields
	}
	for _, t := range c.NotText {
		parts = append(parts, "NOT ("+in(t)+")")
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}
