package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// part says where a batch of events sits in the file being written, so that wrappers
// open before the first batch and close after the last.
type part struct{ first, last bool }

type shape struct {
	write func(w io.Writer, evs []event, p part) error
}

const tenantID = "4f1e2d3c-5b6a-4789-8a9b-0c1d2e3f4a5b"

var shapes = map[string]shape{
	// A Log Analytics table copied to Parquet (ADX, Fabric, data lake export).
	"parquet-flat": {func(w io.Writer, evs []event, p part) error {
		return writeParquet(w, evs, p, laParquetRow)
	}},
	// Diagnostic records written to Parquet by Spark: nested structs.
	"parquet-nested": {func(w io.Writer, evs []event, p part) error {
		return writeParquet(w, evs, p, diagParquetRow)
	}},
	// The Entra portal's download of non-interactive sign-ins: UTF-8 BOM, the real header.
	"csv-portal": {func(w io.Writer, evs []event, p part) error {
		for i := range evs {
			evs[i].nonInteractive = true
		}
		return writeCSV(w, evs, p, true, portalHeader, portalRow)
	}},
	// A Log Analytics CSV export.
	"csv-la": {func(w io.Writer, evs []event, p part) error {
		for i := range evs {
			evs[i].nonInteractive = true
		}
		return writeCSV(w, evs, p, false, laHeader, laRow)
	}},
	// Graph API v1.0 page as the API returns it: one line, with a next link.
	"graph-v1": {func(w io.Writer, evs []event, p part) error {
		return wrapped(w, evs, p, compact,
			`{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns","value":[`,
			`],"@odata.nextLink":"https://graph.microsoft.com/v1.0/auditLogs/signIns?$top=1000&$skiptoken=9a8b7c6d5e4f"}`+"\n",
			func(e *event) obj { return graphRecord(e, false) })
	}},
	// Graph beta page of non-interactive sign-ins, saved pretty-printed, no next link.
	"graph-beta": {func(w io.Writer, evs []event, p part) error {
		for i := range evs {
			evs[i].nonInteractive = true
		}
		return wrapped(w, evs, p, indented,
			"{\n  \"@odata.context\": \"https://graph.microsoft.com/beta/$metadata#auditLogs/signIns\",\n  \"value\": [\n",
			"\n  ]\n}\n",
			func(e *event) obj { return graphRecord(e, true) })
	}},
	// The Log Analytics query API's result: a table of columns and rows of values.
	"la-api": {func(w io.Writer, evs []event, p part) error {
		for i := range evs {
			evs[i].nonInteractive = true
		}
		var b bytes.Buffer
		if p.first {
			b.WriteString(`{"tables":[{"name":"PrimaryResult","columns":[`)
			for i, m := range laRecord(&evs[0], true) {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, `{"name":%q,"type":"string"}`, m.k)
			}
			b.WriteString("],\n\"rows\":[")
		}
		for i := range evs {
			if i > 0 || !p.first {
				b.WriteString(",")
			}
			b.WriteString("\n[")
			for j, m := range laRecord(&evs[i], true) {
				if j > 0 {
					b.WriteByte(',')
				}
				encode(&b, m.v, compact, 0)
			}
			b.WriteString("]")
		}
		if p.last {
			b.WriteString("\n]}]}\n")
		}
		_, err := w.Write(b.Bytes())
		return err
	}},
	// Graph records as one JSON array, one record per line (jq -c '.value' of many pages).
	"graph-array": {func(w io.Writer, evs []event, p part) error {
		return wrapped(w, evs, p, compact, "[\n", "\n]\n", func(e *event) obj { return graphRecord(e, true) })
	}},
	// Graph records one per line (jq -c '.value[]').
	"lines": {func(w io.Writer, evs []event, p part) error {
		return eachLine(w, evs, compact, "\n", func(e *event) obj { return graphRecord(e, true) })
	}},
	// Windows PowerShell 5.1: Get-MgAuditLogSignIn | ConvertTo-Json | Out-File -Encoding utf8:
	// a UTF-8 BOM, PascalCase names, 4-space indentation, "\/Date(ms)\/" times.
	"powershell-array": {func(w io.Writer, evs []event, p part) error {
		if p.first {
			if _, err := w.Write([]byte{0xEF, 0xBB, 0xBF}); err != nil {
				return err
			}
		}
		return wrapped(w, evs, p, ps51, "[\r\n", "\r\n]\r\n", psRecord)
	}},
	// PowerShell 7 appending page after page with Add-Content: several top-level values,
	// objects and arrays, one after another.
	"powershell-appended": {func(w io.Writer, evs []event, p part) error {
		var b bytes.Buffer
		for i := 0; i < len(evs); {
			if i%7 == 3 && i+1 < len(evs) { // now and then a page of two as an array
				b.WriteString("[\n")
				encode(&b, graphRecord(&evs[i], true), indented, 1)
				b.WriteString(",\n")
				encode(&b, graphRecord(&evs[i+1], true), indented, 1)
				b.WriteString("\n]\n")
				i += 2
				continue
			}
			encode(&b, graphRecord(&evs[i], true), indented, 0)
			b.WriteString("\n")
			i++
		}
		_, err := w.Write(b.Bytes())
		return err
	}},
	// A single record, pretty-printed: a bare object.
	"object": {func(w io.Writer, evs []event, p part) error {
		var b bytes.Buffer
		for i := range evs {
			encode(&b, graphRecord(&evs[i], false), indented, 0)
			b.WriteString("\n")
		}
		_, err := w.Write(b.Bytes())
		return err
	}},
	// Diagnostic settings to a storage account: PT1H.json, one record per line, CRLF.
	"monitor-crlf": {func(w io.Writer, evs []event, p part) error {
		for i := range evs {
			evs[i].nonInteractive = true
		}
		return eachLine(w, evs, compact, "\r\n", func(e *event) obj { return monitorRecord(e) })
	}},
	// The same for interactive sign-ins, LF.
	"monitor": {func(w io.Writer, evs []event, p part) error {
		for i := range evs {
			evs[i].nonInteractive = false
		}
		return eachLine(w, evs, compact, "\n", func(e *event) obj { return monitorRecord(e) })
	}},
	// Event Hub messages: {"records":[...]} batches, one per line.
	"eventhub": {func(w io.Writer, evs []event, p part) error {
		var b bytes.Buffer
		for i := 0; i < len(evs); i += 15 {
			b.WriteString(`{"records":[`)
			for j := i; j < min(i+15, len(evs)); j++ {
				if j > i {
					b.WriteByte(',')
				}
				encode(&b, monitorRecord(&evs[j]), compact, 0)
			}
			b.WriteString("]}\n")
		}
		_, err := w.Write(b.Bytes())
		return err
	}},
	// Log Analytics SigninLogs exported as JSON: PascalCase columns, dynamic columns as objects.
	"la-objects": {func(w io.Writer, evs []event, p part) error {
		for i := range evs {
			evs[i].nonInteractive = false
		}
		return wrapped(w, evs, p, indented, "[\n", "\n]\n", func(e *event) obj { return laRecord(e, false) })
	}},
	// AADNonInteractiveUserSignInLogs: dynamic columns arrive as JSON text.
	"la-text": {func(w io.Writer, evs []event, p part) error {
		for i := range evs {
			evs[i].nonInteractive = true
		}
		return wrapped(w, evs, p, compact, "[\n", "\n]\n", func(e *event) obj { return laRecord(e, true) })
	}},
}

// wrapped writes records between an opening and a closing text, comma-separated, one per
// line, across batches.
func wrapped(w io.Writer, evs []event, p part, st style, open, close string, rec func(*event) obj) error {
	var b bytes.Buffer
	if p.first {
		b.WriteString(open)
	}
	nl := "\n"
	if st.crlf {
		nl = "\r\n"
	}
	for i := range evs {
		if i > 0 || !p.first {
			b.WriteString("," + nl)
		}
		depth := 0
		if st.indent != "" {
			depth = 1
			if strings.Contains(open, "value") {
				depth = 2
			}
			b.WriteString(strings.Repeat(st.indent, depth))
		}
		encode(&b, rec(&evs[i]), st, depth)
	}
	if p.last {
		b.WriteString(close)
	}
	_, err := w.Write(b.Bytes())
	return err
}

func eachLine(w io.Writer, evs []event, st style, eol string, rec func(*event) obj) error {
	var b bytes.Buffer
	for i := range evs {
		encode(&b, rec(&evs[i]), st, 0)
		b.WriteString(eol)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// kv and obj keep JSON members in the order real exports write them.
type kv struct {
	k string
	v any
}

type obj []kv

// style is how a producer lays out JSON.
type style struct {
	indent string // "" for compact
	colon  string
	crlf   bool
}

var (
	compact  = style{colon: ":"}
	indented = style{indent: "  ", colon: ": "}
	ps51     = style{indent: "    ", colon: ":  ", crlf: true}
)

func encode(b *bytes.Buffer, v any, st style, depth int) {
	nl := func(d int) {
		if st.indent == "" {
			return
		}
		if st.crlf {
			b.WriteString("\r\n")
		} else {
			b.WriteByte('\n')
		}
		b.WriteString(strings.Repeat(st.indent, d))
	}
	switch v := v.(type) {
	case obj:
		if len(v) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteByte('{')
		for i, m := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			nl(depth + 1)
			q, _ := json.Marshal(m.k)
			b.Write(q)
			b.WriteString(st.colon)
			encode(b, m.v, st, depth+1)
		}
		nl(depth)
		b.WriteByte('}')
	case []any:
		if len(v) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			nl(depth + 1)
			encode(b, x, st, depth+1)
		}
		nl(depth)
		b.WriteByte(']')
	case rawJSON:
		b.WriteString(string(v))
	default:
		q, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		b.Write(q)
	}
}

type rawJSON string

// text encodes v compactly as JSON text, the way Log Analytics stores dynamic columns in
// string columns.
func text(v any) string {
	var b bytes.Buffer
	encode(&b, v, compact, 0)
	return b.String()
}

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func failureReason(e *event) any {
	if e.success() {
		return "Other."
	}
	return orNil(e.reason)
}

func graphStatus(e *event) obj {
	return obj{{"errorCode", e.code}, {"failureReason", failureReason(e)}, {"additionalDetails", orNil(e.details)}}
}

func graphDevice(e *event) obj {
	return obj{{"deviceId", e.deviceID}, {"displayName", e.deviceName}, {"operatingSystem", e.device.os},
		{"browser", e.device.browser}, {"isCompliant", e.code%2 == 0}, {"isManaged", true}, {"trustType", "Azure AD joined"}}
}

func graphLocation(e *event) obj {
	return obj{{"city", e.place.city}, {"state", e.place.state}, {"countryOrRegion", e.place.country},
		{"geoCoordinates", obj{{"altitude", nil}, {"latitude", 47.6}, {"longitude", -122.3}}}}
}

func tokenProtection(e *event) obj {
	return obj{{"signInSessionStatus", e.tpStatus}, {"signInSessionStatusCode", e.tpCode}}
}

// graphRecord is a signIn resource as Graph returns it (v1.0, or beta with its extra members).
func graphRecord(e *event, beta bool) obj {
	o := obj{
		{"id", e.id},
		{"createdDateTime", e.time.Format(time.RFC3339)},
		{"userDisplayName", e.user.name},
		{"userPrincipalName", e.user.upn},
		{"userId", e.user.id},
		{"appId", e.app.id},
		{"appDisplayName", e.app.name},
		{"ipAddress", e.place.ip},
		{"clientAppUsed", e.device.client},
		{"correlationId", e.correlationID},
		{"conditionalAccessStatus", "notApplied"},
		{"isInteractive", !e.nonInteractive},
		{"riskDetail", "none"},
		{"riskLevelAggregated", "none"},
		{"riskLevelDuringSignIn", "none"},
		{"riskState", "none"},
		{"riskEventTypes", []any{}},
		{"resourceDisplayName", e.resource.name},
		{"resourceId", e.resource.id},
		{"status", graphStatus(e)},
		{"deviceDetail", graphDevice(e)},
		{"location", graphLocation(e)},
		{"appliedConditionalAccessPolicies", appliedPolicies(e, false)},
	}
	if beta {
		o = append(o,
			kv{"signInEventTypes", []any{e.signInType()}},
			kv{"incomingTokenType", e.incomingTokenType},
			kv{"tokenProtectionStatusDetails", tokenProtection(e)},
			kv{"uniqueTokenIdentifier", e.uniqueTokenID},
			kv{"userAgent", e.device.ua},
			kv{"tokenIssuerType", "AzureAD"},
		)
	}
	return o
}

// psRecord is a MicrosoftGraphSignIn object as Windows PowerShell 5.1 serializes it.
func psRecord(e *event) obj {
	psDate := fmt.Sprintf(`"\/Date(%d)\/"`, e.time.UnixMilli())
	return obj{
		{"AppDisplayName", e.app.name},
		{"AppId", e.app.id},
		{"AppliedConditionalAccessPolicies", appliedPolicies(e, true)},
		{"ClientAppUsed", e.device.client},
		{"ConditionalAccessStatus", "notApplied"},
		{"CorrelationId", e.correlationID},
		{"CreatedDateTime", rawJSON(psDate)},
		{"DeviceDetail", obj{{"Browser", e.device.browser}, {"DeviceId", e.deviceID}, {"DisplayName", e.deviceName}, {"IsCompliant", false}, {"IsManaged", true}, {"OperatingSystem", e.device.os}, {"TrustType", "Azure AD joined"}}},
		{"Id", e.id},
		{"IPAddress", e.place.ip},
		{"IsInteractive", !e.nonInteractive},
		{"Location", obj{{"City", e.place.city}, {"CountryOrRegion", e.place.country}, {"GeoCoordinates", obj{{"Altitude", nil}, {"Latitude", 51.5}, {"Longitude", -0.1}}}, {"State", e.place.state}}},
		{"ResourceDisplayName", e.resource.name},
		{"ResourceId", e.resource.id},
		{"RiskDetail", "none"},
		{"Status", obj{{"AdditionalDetails", orNil(e.details)}, {"ErrorCode", e.code}, {"FailureReason", failureReason(e)}}},
		{"UserDisplayName", e.user.name},
		{"UserId", e.user.id},
		{"UserPrincipalName", e.user.upn},
		{"AdditionalProperties", obj{}},
	}
}

// monitorRecord is an Azure Monitor resource-log record of a diagnostic setting, with the
// variations real records show: Level as a number, a string or a lower-case level name,
// durationMs as a number or a string, resultDescription absent when there is no text,
// createdDateTime with a +00:00 offset (or absent), and an emit time 33-182 s later.
func monitorRecord(e *event) obj {
	_, category := e.logNames()
	sig := e.signature()
	variant := int(e.time.UnixNano()/1e7) % 3
	emit := e.time.Add(time.Duration(33+int(e.time.UnixNano()/1e6)%150) * time.Second)
	topCorr := e.correlationID
	if e.topCorrelationIDDiffer {
		topCorr = e.id
	}
	status := obj{{"errorCode", e.code}}
	if !e.success() && e.reason != "" {
		status = append(status, kv{"failureReason", e.reason})
		if e.details != "" {
			status = append(status, kv{"additionalDetails", e.details})
		}
	}
	props := obj{{"id", e.id}}
	if variant != 2 || e.join { // the audit samples' sign-ins keep their times in every shape
		props = append(props, kv{"createdDateTime", e.time.Format("2006-01-02T15:04:05.0000000+00:00")})
	}
	props = append(props,
		kv{"userDisplayName", e.user.name},
		kv{"userPrincipalName", e.user.upn},
		kv{"userId", e.user.id},
		kv{"appId", e.app.id},
		kv{"appDisplayName", e.app.name},
		kv{"ipAddress", e.place.ip},
		kv{"status", status},
		kv{"clientAppUsed", e.device.client},
		kv{"userAgent", e.device.ua},
		kv{"deviceDetail", joinDevice(e, obj{{"deviceId", e.deviceID}, {"operatingSystem", e.device.os}, {"browser", e.device.browser}})},
		kv{"location", obj{{"city", e.place.city}, {"state", e.place.state}, {"countryOrRegion", e.place.country}, {"geoCoordinates", obj{{"latitude", 40.7}, {"longitude", -74.0}}}}},
		kv{"correlationId", e.correlationID},
		kv{"isInteractive", !e.nonInteractive},
		kv{"resourceDisplayName", e.resource.name},
		kv{"resourceId", e.resource.id},
		kv{"incomingTokenType", e.incomingTokenType},
		kv{"tokenProtectionStatusDetails", tokenProtection(e)},
		kv{"uniqueTokenIdentifier", e.uniqueTokenID},
		kv{"sessionLifetimePolicies", []any{}},
	)
	if e.join {
		props = append(props, kv{"appliedConditionalAccessPolicies", appliedPolicies(e, false)})
	}
	o := obj{
		{"time", emit.Format("2006-01-02T15:04:05.0000000Z")},
		{"resourceId", "/tenants/" + tenantID + "/providers/Microsoft.aadiam"},
		{"operationName", "Sign-in activity"},
		{"operationVersion", "1.0"},
		{"category", category},
		{"tenantId", tenantID},
		{"resultType", strconv.Itoa(e.code)},
		{"resultSignature", sig},
	}
	if !e.success() && e.reason != "" {
		o = append(o, kv{"resultDescription", e.reason})
	}
	switch variant {
	case 0:
		o = append(o, kv{"durationMs", 0}, kv{"Level", 4})
	case 1:
		o = append(o, kv{"durationMs", "0"}, kv{"Level", "4"})
	default:
		o = append(o, kv{"durationMs", 0}, kv{"level", "Informational"})
	}
	o = append(o,
		kv{"callerIpAddress", e.place.ip},
		kv{"correlationId", topCorr},
		kv{"identity", e.user.name},
		kv{"location", e.place.country},
		kv{"properties", props},
	)
	return o
}

// laRecord is a row of SigninLogs or AADNonInteractiveUserSignInLogs as a Log Analytics
// export gives it; with dynText the dynamic columns are JSON text.
func laRecord(e *event, dynText bool) obj {
	dyn := func(v obj) any {
		if dynText {
			return text(v)
		}
		return v
	}
	table, category := e.logNames()
	sig := e.signature()
	created := e.time.Format("2006-01-02T15:04:05.0000000Z")
	o := obj{
		{"TenantId", tenantID},
		{"SourceSystem", "Azure AD"},
		{"TimeGenerated", e.time.Add(95 * time.Second).Format("2006-01-02T15:04:05.0000000Z")},
		{"ResourceId", "/tenants/" + tenantID + "/providers/Microsoft.aadiam"},
		{"OperationName", "Sign-in activity"},
		{"OperationVersion", "1.0"},
		{"Category", category},
		{"ResultType", strconv.Itoa(e.code)},
		{"ResultSignature", sig},
		{"ResultDescription", failureReason(e)},
		{"DurationMs", 0},
		{"CorrelationId", e.correlationID},
		{"Identity", e.user.name},
		{"Level", "4"},
		{"Location", e.place.country},
		{"AppDisplayName", e.app.name},
		{"AppId", e.app.id},
		{"ClientAppUsed", e.device.client},
		{"CreatedDateTime", created},
		{"DeviceDetail", dyn(joinDevice(e, obj{{"deviceId", e.deviceID}, {"operatingSystem", e.device.os}, {"browser", e.device.browser}}))},
		{"IPAddress", e.place.ip},
		{"IsInteractive", !e.nonInteractive},
		{"LocationDetails", dyn(obj{{"city", e.place.city}, {"state", e.place.state}, {"countryOrRegion", e.place.country}})},
		{"ResourceDisplayName", e.resource.name},
		{"ResourceIdentity", e.resource.id},
		{"Status", dyn(graphStatus(e))},
		{"UserAgent", e.device.ua},
		{"UserDisplayName", e.user.name},
		{"UserId", e.user.id},
		{"UserPrincipalName", e.user.upn},
		{"IncomingTokenType", e.incomingTokenType},
		{"TokenProtectionStatusDetails", text(tokenProtection(e))},
		{"UniqueTokenIdentifier", e.uniqueTokenID},
		{"Id", e.id},
		{"Type", table},
	}
	if e.join {
		var pol any = appliedPolicies(e, false)
		if dynText {
			pol = text(pol)
		}
		o = append(o[:len(o)-2:len(o)-2], kv{"ConditionalAccessPolicies", pol}, o[len(o)-2], o[len(o)-1])
	}
	return o
}
