package main

import (
	"bytes"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
)

// The export shapes of directory audit records: the records of one audit log written as
// each source writes them. Every shape carries every record with its id (but the portal's
// CSV, which has no id column), its time to the millisecond, its actor and its targets.

// auditShape writes audit records (and, for the Event Hub batch, sign-ins among them).
type auditShape struct {
	write func(w io.Writer, recs []auditRec, evs []event) error
}

const (
	graphTime = "2006-01-02T15:04:05.9999999Z"      // Graph, PowerShell 7, Log Analytics JSON
	diagTime  = "2006-01-02T15:04:05.0000000+00:00" // diagnostic settings' properties
	emitTime  = "2006-01-02T15:04:05.0000000Z"      // diagnostic settings' top level
	portalFmt = "2006-01-02T15:04:05.9999999Z07:00" // the portal's Date (UTC)
)

var auditShapes = map[string]auditShape{
	// A Graph v1.0 auditLogs/directoryAudits page as the API returns it: one line, a next link.
	"audit-graph": {func(w io.Writer, recs []auditRec, _ []event) error {
		var b bytes.Buffer
		b.WriteString(`{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits","value":[`)
		for i := range recs {
			if i > 0 {
				b.WriteByte(',')
			}
			encode(&b, graphAudit(&recs[i]), compact, 0)
		}
		b.WriteString(`],"@odata.nextLink":"https://graph.microsoft.com/v1.0/auditLogs/directoryAudits?$top=1000&$skiptoken=4c1f7e2a9b3d"}` + "\n")
		_, err := w.Write(b.Bytes())
		return err
	}},
	// PowerShell 7: Get-MgAuditLogDirectoryAudit -All | ConvertTo-Json -Depth 10 |
	// Out-File: PascalCase names, 2-space indentation, ISO times, no BOM.
	"audit-powershell": {func(w io.Writer, recs []auditRec, _ []event) error {
		return wrappedAudit(w, recs, indented, "[\n", "\n]\n", psAudit)
	}},
	// Diagnostic settings to a storage account (insights-logs-auditlogs/.../PT1H.json):
	// one record per line, the top level spaced as the service writes it.
	"audit-monitor": {func(w io.Writer, recs []auditRec, _ []event) error {
		var b bytes.Buffer
		for i := range recs {
			writeSpaced(&b, diagAudit(&recs[i]))
			b.WriteString("\n")
		}
		_, err := w.Write(b.Bytes())
		return err
	}},
	// Event Hub messages of a diagnostic setting that sends both categories: {"records":
	// [...]} batches, audit records and sign-ins mixed in time order (the audit samples'
	// stream: auditStreamEvents, none in scope).
	"audit-eventhub": {func(w io.Writer, recs []auditRec, evs []event) error {
		type item struct {
			t time.Time
			o obj
		}
		var items []item
		for i := range recs {
			items = append(items, item{recs[i].time, diagAudit(&recs[i])})
		}
		for i := range evs {
			items = append(items, item{evs[i].time, monitorRecord(&evs[i])})
		}
		// Sort by time, stably: records of one moment keep the audit-then-sign-in order.
		for i := 1; i < len(items); i++ {
			for j := i; j > 0 && items[j].t.Before(items[j-1].t); j-- {
				items[j], items[j-1] = items[j-1], items[j]
			}
		}
		var b bytes.Buffer
		for i := 0; i < len(items); i += 8 {
			b.WriteString(`{"records":[`)
			for j := i; j < min(i+8, len(items)); j++ {
				if j > i {
					b.WriteByte(',')
				}
				encode(&b, items[j].o, compact, 0)
			}
			b.WriteString("]}\n")
		}
		_, err := w.Write(b.Bytes())
		return err
	}},
	// Log Analytics AuditLogs exported as JSON: PascalCase columns, dynamic columns as objects.
	"audit-la-json": {func(w io.Writer, recs []auditRec, _ []event) error {
		return wrappedAudit(w, recs, indented, "[\n", "\n]\n", func(a *auditRec) obj { return laAudit(a, false) })
	}},
	// A Log Analytics CSV export of AuditLogs: " [UTC]" datetime columns, dynamic columns
	// as JSON text, times to the millisecond.
	"audit-la-csv": {func(w io.Writer, recs []auditRec, _ []event) error {
		cw := csv.NewWriter(w)
		cw.Write(laAuditHeader)
		for i := range recs {
			cw.Write(laAuditRow(&recs[i]))
		}
		cw.Flush()
		return cw.Error()
	}},
	// AuditLogs copied to Parquet: flat columns, dynamic columns as JSON text.
	"audit-la-parquet": {func(w io.Writer, recs []auditRec, _ []event) error {
		pw := parquet.NewGenericWriter[laAuditParquet](w, parquet.MaxRowsPerRowGroup(int64(rowGroupRows)), parquet.Compression(&parquet.Snappy))
		rows := make([]laAuditParquet, len(recs))
		for i := range recs {
			rows[i] = laAuditParquetRow(&recs[i])
		}
		if _, err := pw.Write(rows); err != nil {
			return err
		}
		return pw.Close()
	}},
	// The Entra portal's audit log download: a UTF-8 BOM, Target1..3 with five modified
	// properties each, additional details as key/value columns; no record id.
	"audit-portal": {func(w io.Writer, recs []auditRec, _ []event) error {
		if _, err := w.Write([]byte{0xEF, 0xBB, 0xBF}); err != nil {
			return err
		}
		cw := csv.NewWriter(w)
		cw.Write(portalAuditHeader)
		for i := range recs {
			cw.Write(portalAuditRow(&recs[i]))
		}
		cw.Flush()
		return cw.Error()
	}},
}

func wrappedAudit(w io.Writer, recs []auditRec, st style, open, close string, rec func(*auditRec) obj) error {
	var b bytes.Buffer
	b.WriteString(open)
	for i := range recs {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(st.indent)
		encode(&b, rec(&recs[i]), st, 1)
	}
	b.WriteString(close)
	_, err := w.Write(b.Bytes())
	return err
}

// writeSpaced writes a diagnostic record as storage blobs have it: `{ "k": v, ... }` at the
// top level, compact below.
func writeSpaced(b *bytes.Buffer, o obj) {
	b.WriteString("{ ")
	for i, m := range o {
		if i > 0 {
			b.WriteString(", ")
		}
		encode(b, m.k, compact, 0)
		b.WriteString(": ")
		encode(b, m.v, compact, 0)
	}
	b.WriteString("}")
}

// jsonValue is a modified property's value as JSON carries it: a string of JSON text,
// or null.
func jsonValue(s string) any { return orNil(s) }

func graphInitiator(a *auditRec) obj {
	if a.by.app {
		return obj{{"app", obj{{"appId", nil}, {"displayName", a.by.name}, {"servicePrincipalId", a.by.spID}, {"servicePrincipalName", orNil(a.by.servicePName)}}}, {"user", nil}}
	}
	return obj{{"app", nil}, {"user", obj{{"id", a.by.id}, {"displayName", orNil(a.by.name)}, {"userPrincipalName", a.by.upn}, {"ipAddress", a.by.ip}, {"userType", nil}}}}
}

// diagInitiator is initiatedBy as diagnostic settings and Log Analytics write it: only
// the member that is set.
func diagInitiator(a *auditRec) obj {
	if a.by.app {
		return obj{{"app", obj{{"appId", nil}, {"displayName", a.by.name}, {"servicePrincipalId", a.by.spID}, {"servicePrincipalName", orNil(a.by.servicePName)}}}}
	}
	return obj{{"user", obj{{"id", a.by.id}, {"displayName", orNil(a.by.name)}, {"userPrincipalName", a.by.upn}, {"ipAddress", a.by.ip}, {"roles", []any{}}}}}
}

func graphTargets(a *auditRec, admUnits bool) []any {
	out := make([]any, len(a.targets))
	for i, t := range a.targets {
		props := make([]any, len(t.props))
		for j, p := range t.props {
			props[j] = obj{{"displayName", p.name}, {"oldValue", jsonValue(p.old)}, {"newValue", jsonValue(p.new)}}
		}
		o := obj{{"id", t.id}, {"displayName", orNil(t.name)}, {"type", t.typ}, {"userPrincipalName", orNil(t.upn)}}
		if !admUnits {
			o = append(o, kv{"groupType", nil})
		}
		o = append(o, kv{"modifiedProperties", props})
		if admUnits {
			o = append(o, kv{"administrativeUnits", []any{}})
		}
		out[i] = o
	}
	return out
}

func graphDetails(a *auditRec) []any {
	out := make([]any, len(a.details))
	for i, d := range a.details {
		out[i] = obj{{"key", d[0]}, {"value", d[1]}}
	}
	return out
}

// graphAudit is a directoryAudit resource as Graph v1.0 returns it.
func graphAudit(a *auditRec) obj {
	return obj{
		{"id", a.id},
		{"category", a.category},
		{"correlationId", a.corr},
		{"result", a.result},
		{"resultReason", ""},
		{"activityDisplayName", a.activity},
		{"activityDateTime", a.time.Format(graphTime)},
		{"loggedByService", a.service},
		{"operationType", a.opType},
		{"initiatedBy", graphInitiator(a)},
		{"targetResources", graphTargets(a, false)},
		{"additionalDetails", graphDetails(a)},
	}
}

// psAudit is a MicrosoftGraphDirectoryAudit object as PowerShell 7 serializes it:
// properties in alphabetical order, AdditionalProperties beside them.
func psAudit(a *auditRec) obj {
	var by obj
	if a.by.app {
		by = obj{{"App", obj{{"AppId", nil}, {"DisplayName", a.by.name}, {"ServicePrincipalId", a.by.spID}, {"ServicePrincipalName", orNil(a.by.servicePName)}, {"AdditionalProperties", obj{}}}},
			{"User", obj{{"DisplayName", nil}, {"Id", nil}, {"IPAddress", nil}, {"UserPrincipalName", nil}, {"AdditionalProperties", obj{}}}}}
	} else {
		by = obj{{"App", obj{{"AppId", nil}, {"DisplayName", nil}, {"ServicePrincipalId", nil}, {"ServicePrincipalName", nil}, {"AdditionalProperties", obj{}}}},
			{"User", obj{{"DisplayName", orNil(a.by.name)}, {"Id", a.by.id}, {"IPAddress", a.by.ip}, {"UserPrincipalName", a.by.upn}, {"AdditionalProperties", obj{{"userType", nil}}}}}}
	}
	by = append(by, kv{"AdditionalProperties", obj{}})
	targets := make([]any, len(a.targets))
	for i, t := range a.targets {
		props := make([]any, len(t.props))
		for j, p := range t.props {
			props[j] = obj{{"DisplayName", p.name}, {"NewValue", jsonValue(p.new)}, {"OldValue", jsonValue(p.old)}, {"AdditionalProperties", obj{}}}
		}
		targets[i] = obj{{"DisplayName", orNil(t.name)}, {"GroupType", nil}, {"Id", t.id}, {"ModifiedProperties", props}, {"Type", t.typ}, {"UserPrincipalName", orNil(t.upn)}, {"AdditionalProperties", obj{}}}
	}
	details := make([]any, len(a.details))
	for i, d := range a.details {
		details[i] = obj{{"Key", d[0]}, {"Value", d[1]}, {"AdditionalProperties", obj{}}}
	}
	return obj{
		{"ActivityDateTime", a.time.Format(graphTime)},
		{"ActivityDisplayName", a.activity},
		{"AdditionalDetails", details},
		{"Category", a.category},
		{"CorrelationId", a.corr},
		{"Id", a.id},
		{"InitiatedBy", by},
		{"LoggedByService", a.service},
		{"OperationType", a.opType},
		{"Result", a.result},
		{"ResultReason", ""},
		{"TargetResources", targets},
		{"AdditionalProperties", obj{}},
	}
}

// diagAudit is an Azure Monitor resource-log record of category AuditLogs, as the shared
// corpus has them: the record under properties, the top level naming the log.
func diagAudit(a *auditRec) obj {
	props := obj{
		{"tenantId", tenantID},
		{"resultType", ""},
		{"resultDescription", ""},
		{"operationName", a.activity},
		{"identity", a.by.name},
		{"tenantGeo", "EU"},
		{"id", a.id},
		{"category", a.category},
		{"correlationId", a.corr},
		{"result", a.result},
		{"resultReason", ""},
		{"activityDisplayName", a.activity},
		{"activityDateTime", a.time.Format(diagTime)},
		{"loggedByService", a.service},
		{"operationType", a.opType},
		{"userAgent", nil},
		{"initiatedBy", diagInitiator(a)},
		{"targetResources", graphTargets(a, true)},
		{"additionalDetails", graphDetails(a)},
	}
	o := obj{
		{"time", a.time.Format(emitTime)},
		{"resourceId", "/tenants/" + tenantID + "/providers/Microsoft.aadiam"},
		{"operationName", a.activity},
		{"operationVersion", "1.0"},
		{"category", "AuditLogs"},
		{"tenantId", tenantID},
		{"resultSignature", "None"},
		{"durationMs", 0},
	}
	if a.by.ip != "" {
		o = append(o, kv{"callerIpAddress", a.by.ip})
	}
	o = append(o, kv{"correlationId", a.corr})
	if a.by.name != "" {
		o = append(o, kv{"identity", a.by.name})
	}
	return append(o, kv{"Level", 4}, kv{"properties", props})
}

// laAudit is a row of AuditLogs as a Log Analytics export gives it; with dynText the
// dynamic columns are JSON text. The activity is spelled as Log Analytics spells it.
func laAudit(a *auditRec, dynText bool) obj {
	dyn := func(v any) any {
		if dynText {
			return text(v)
		}
		return v
	}
	return obj{
		{"TenantId", tenantID},
		{"SourceSystem", "Azure AD"},
		{"TimeGenerated", a.time.Add(71 * time.Second).Format(graphTime)},
		{"ResourceId", "/tenants/" + tenantID + "/providers/Microsoft.aadiam"},
		{"OperationName", a.spelling()},
		{"OperationVersion", "1.0"},
		{"Category", a.category},
		{"ResultType", ""},
		{"ResultSignature", "None"},
		{"ResultDescription", ""},
		{"DurationMs", 0},
		{"CorrelationId", a.corr},
		{"Resource", "Microsoft.aadiam"},
		{"ResourceGroup", "Microsoft.aadiam"},
		{"ResourceProvider", ""},
		{"Identity", a.by.name},
		{"Level", "4"},
		{"Location", "EU"},
		{"AdditionalDetails", dyn(graphDetails(a))},
		{"Id", a.id},
		{"InitiatedBy", dyn(diagInitiator(a))},
		{"LoggedByService", a.service},
		{"Result", a.result},
		{"ResultReason", ""},
		{"TargetResources", dyn(graphTargets(a, true))},
		{"AADTenantId", tenantID},
		{"ActivityDisplayName", a.spelling()},
		{"ActivityDateTime", a.time.Format(graphTime)},
		{"AADOperationType", a.opType},
		{"Type", "AuditLogs"},
	}
}

var laAuditHeader = []string{"TenantId", "TimeGenerated [UTC]", "ResourceId", "OperationName", "OperationVersion", "Category",
	"ResultType", "ResultSignature", "ResultDescription", "DurationMs", "CorrelationId", "Resource", "ResourceGroup",
	"ResourceProvider", "Identity", "Level", "Location", "AdditionalDetails", "Id", "InitiatedBy", "LoggedByService",
	"Result", "ResultReason", "TargetResources", "AADTenantId", "ActivityDisplayName", "ActivityDateTime [UTC]",
	"AADOperationType", "Type"}

func laAuditRow(a *auditRec) []string {
	return laCSVRow(laAudit(a, true), laAuditHeader, map[string]string{
		"TimeGenerated [UTC]":    laTime(a.time.Add(71 * time.Second)),
		"ActivityDateTime [UTC]": laTime(a.time),
	})
}

// laAuditParquet is a row of AuditLogs copied to Parquet.
type laAuditParquet struct {
	TenantId            string `parquet:"TenantId,dict"`
	TimeGenerated       int64  `parquet:"TimeGenerated,timestamp(millisecond)"`
	OperationName       string `parquet:"OperationName,dict"`
	Category            string `parquet:"Category,dict"`
	ResultSignature     string `parquet:"ResultSignature,dict"`
	CorrelationId       string `parquet:"CorrelationId"`
	Identity            string `parquet:"Identity,dict"`
	AdditionalDetails   string `parquet:"AdditionalDetails"`
	Id                  string `parquet:"Id"`
	InitiatedBy         string `parquet:"InitiatedBy"`
	LoggedByService     string `parquet:"LoggedByService,dict"`
	Result              string `parquet:"Result,dict"`
	ResultReason        string `parquet:"ResultReason,dict"`
	TargetResources     string `parquet:"TargetResources"`
	AADTenantId         string `parquet:"AADTenantId,dict"`
	ActivityDisplayName string `parquet:"ActivityDisplayName,dict"`
	ActivityDateTime    int64  `parquet:"ActivityDateTime,timestamp(microsecond)"`
	AADOperationType    string `parquet:"AADOperationType,dict"`
	Type                string `parquet:"Type,dict"`
}

func laAuditParquetRow(a *auditRec) laAuditParquet {
	return laAuditParquet{
		TenantId: tenantID, TimeGenerated: a.time.Add(71 * time.Second).UnixMilli(), OperationName: a.spelling(),
		Category: a.category, ResultSignature: "None", CorrelationId: a.corr, Identity: a.by.name,
		AdditionalDetails: text(graphDetails(a)), Id: a.id, InitiatedBy: text(diagInitiator(a)),
		LoggedByService: a.service, Result: a.result, TargetResources: text(graphTargets(a, true)),
		AADTenantId: tenantID, ActivityDisplayName: a.spelling(), ActivityDateTime: a.time.UnixMicro(),
		AADOperationType: a.opType, Type: "AuditLogs",
	}
}

// portalAuditHeader is the header of the portal's audit log CSV download.
var portalAuditHeader = func() []string {
	h := strings.Split("Date (UTC),CorrelationId,Service,Category,Activity,Result,ResultReason,User Agent,ActorType,ActorDisplayName,ActorObjectId,ActorUserPrincipalName,IPAddress,ActorHomeTenantId,ActorHomeTenantName,ActorServicePrincipalId,ActorServicePrincipalName", ",")
	for t := 1; t <= 3; t++ {
		p := "Target" + strconv.Itoa(t)
		h = append(h, p+"Type", p+"DisplayName", p+"ObjectId", p+"UserPrincipalName")
		for m := 1; m <= 5; m++ {
			q := p + "ModifiedProperty" + strconv.Itoa(m)
			h = append(h, q+"Name", q+"OldValue", q+"NewValue")
		}
	}
	for d := 1; d <= 6; d++ {
		h = append(h, "AdditionalDetail"+strconv.Itoa(d)+"Key", "AdditionalDetail"+strconv.Itoa(d)+"Value")
	}
	return h
}()

func portalAuditRow(a *auditRec) []string {
	v := map[string]string{
		"Date (UTC)": a.time.Format(portalFmt), "CorrelationId": a.corr, "Service": a.service, "Category": a.category,
		"Activity": a.spelling(), "Result": a.result,
	}
	if a.by.app {
		v["ActorType"], v["ActorDisplayName"], v["ActorServicePrincipalId"], v["ActorServicePrincipalName"] = "Application", a.by.name, a.by.spID, a.by.servicePName
	} else {
		v["ActorType"], v["ActorDisplayName"], v["ActorObjectId"], v["ActorUserPrincipalName"], v["IPAddress"] = "User", a.by.name, a.by.id, a.by.upn, a.by.ip
		v["ActorHomeTenantId"] = tenantID
	}
	for i, t := range a.targets {
		p := "Target" + strconv.Itoa(i+1)
		v[p+"Type"], v[p+"DisplayName"], v[p+"ObjectId"], v[p+"UserPrincipalName"] = t.typ, t.name, t.id, t.upn
		for j, m := range t.props {
			q := p + "ModifiedProperty" + strconv.Itoa(j+1)
			v[q+"Name"], v[q+"OldValue"], v[q+"NewValue"] = m.name, m.old, m.new
		}
	}
	for i, d := range a.details {
		v["AdditionalDetail"+strconv.Itoa(i+1)+"Key"], v["AdditionalDetail"+strconv.Itoa(i+1)+"Value"] = d[0], d[1]
	}
	row := make([]string, len(portalAuditHeader))
	for i, h := range portalAuditHeader {
		row[i] = v[h]
	}
	return row
}

// appliedPolicies is a sign-in's appliedConditionalAccessPolicies (PascalCase for
// PowerShell): empty for the samples that do not list them.
func appliedPolicies(e *event, pascal bool) []any {
	out := []any{}
	for _, p := range e.policies {
		grant, session := []any{}, []any{}
		for _, g := range p.grant {
			grant = append(grant, g)
		}
		for _, s := range p.sessio {
			session = append(session, s)
		}
		if pascal {
			out = append(out, obj{{"DisplayName", p.name}, {"EnforcedGrantControls", grant}, {"EnforcedSessionControls", session}, {"Id", p.id}, {"Result", p.result}})
			continue
		}
		out = append(out, obj{{"id", p.id}, {"displayName", p.name}, {"enforcedGrantControls", grant}, {"enforcedSessionControls", session}, {"result", p.result}})
	}
	return out
}

// joinDevice adds the device's display name to a deviceDetail that lacks it, for the
// audit samples' sign-ins.
func joinDevice(e *event, o obj) obj {
	if e.join && e.deviceName != "" {
		o = append(o[:1:1], append(obj{{"displayName", e.deviceName}}, o[1:]...)...)
	}
	return o
}
