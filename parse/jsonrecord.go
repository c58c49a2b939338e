package parse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"
)

// record holds the members of one sign-in record in any JSON shape. Member names match
// case-insensitively, so Graph (camelCase), Azure Monitor (camelCase with a properties
// object) and Log Analytics (PascalCase) share one struct. Members whose type varies by
// shape use the flexible types below; T is the type of those that are text in every shape
// seen: jsonText (any scalar) for jsonRecord, or string for fastRecord, which decodes about
// twice as fast and is tried first (decodeJSONRecord).
type record[T ~string] struct {
	ID                   T `json:"id"`
	CorrelationID        T `json:"correlationId"`
	CreatedDateTime      T `json:"createdDateTime"`
	Time                 T `json:"time"`
	TimeGenerated        T `json:"TimeGenerated"`
	UserPrincipalName    T `json:"userPrincipalName"`
	UserID               T `json:"userId"`
	ServicePrincipalName T `json:"servicePrincipalName"`
	ServicePrincipalID   T `json:"servicePrincipalId"`
	AppDisplayName       T `json:"appDisplayName"`
	AppID                T `json:"appId"`
	ResourceDisplayName  T `json:"resourceDisplayName"`
	ResourceID           T `json:"resourceId"`
	ResourceIdentity     T `json:"ResourceIdentity"`
	ClientAppUsed        T `json:"clientAppUsed"`
	UserAgent            T `json:"userAgent"`
	IPAddress            T `json:"ipAddress"`
	CallerIPAddress      T `json:"callerIpAddress"`
	Location             jsonLocation
	LocationDetails      jsonLocation
	DeviceDetail         jsonDynamic[jsonDevice]
	Category             T        `json:"category"`
	Type                 T        `json:"Type"`
	IsInteractive        jsonText `json:"isInteractive"`
	SignInEventTypes     jsonStrings
	ResultType           jsonText `json:"resultType"`
	ResultDescription    T        `json:"resultDescription"`
	Status               jsonDynamic[jsonStatus]
	IncomingTokenType    T                                `json:"incomingTokenType"`
	TokenProtection      jsonDynamic[jsonTokenProtection] `json:"tokenProtectionStatusDetails"`
	TokenProtectionOld   T                                `json:"signInTokenProtectionStatus"`
	UniqueTokenID        T                                `json:"uniqueTokenIdentifier"`
	Properties           *record[T]                       `json:"properties"`

	// A sign-in's conditional access policies: Graph and Azure Monitor (and Log
	// Analytics' AppliedConditionalAccessPolicies text), Log Analytics.
	AppliedCAPolicies jsonList[jsonPolicy] `json:"appliedConditionalAccessPolicies"`
	CAPolicies        jsonList[jsonPolicy] `json:"conditionalAccessPolicies"`

	// A directory audit record's members (see Audit); activityDisplayName marks one
	// (kind).
	ActivityDateTime    T                          `json:"activityDateTime"`
	ActivityDisplayName T                          `json:"activityDisplayName"`
	OperationName       T                          `json:"-"` // operationName: see operationName
	LoggedByService     T                          `json:"loggedByService"`
	Result              T                          `json:"result"`
	InitiatedBy         *jsonObject[jsonInitiator] `json:"initiatedBy"` // a pointer: most records have none
	TargetResources     jsonList[jsonTarget]       `json:"targetResources"`
	AdditionalDetails   jsonList[jsonKeyValue]     `json:"additionalDetails"` // an audit record's, not status.additionalDetails

	// table marks a row of a table (CSV, Parquet, a query result) whose columns include
	// a sign-in field (evidenceColumn): the table is a sign-in log, whatever a row holds.
	table bool
}

// jsonRecord takes any scalar where text is expected; CSV, Parquet and query rows fill it
// through the column setters.
type jsonRecord = record[jsonText]

// fastRecord takes only strings (or null) where text is expected.
type fastRecord = record[string]

type jsonStatus struct {
	ErrorCode         jsonText `json:"errorCode"`
	FailureReason     jsonText `json:"failureReason"`
	AdditionalDetails jsonText `json:"additionalDetails"`
}

type jsonDevice struct {
	OperatingSystem jsonText `json:"operatingSystem"`
	Browser         jsonText `json:"browser"`
	DeviceID        jsonText `json:"deviceId"`
	DisplayName     jsonText `json:"displayName"`
}

type jsonTokenProtection struct {
	SignInSessionStatus     jsonText `json:"signInSessionStatus"`
	SignInSessionStatusCode jsonText `json:"signInSessionStatusCode"`
}

// jsonText takes any scalar: a string as its text, a number or boolean as written, null as "".
type jsonText string

func (t *jsonText) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) >= 2 && b[0] == '"':
		inner := b[1 : len(b)-1]
		// Taken as it is when there is nothing to unescape or replace; otherwise decoded
		// as the JSON library decodes a string (invalid UTF-8 becomes U+FFFD), so that a
		// text reads the same whichever struct decoded it.
		if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
			*t = jsonText(inner)
			return nil
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = jsonText(s)
	case bytes.Equal(b, []byte("null")):
		*t = ""
	case len(b) > 0 && (b[0] == '{' || b[0] == '['):
		// Not a scalar where one was expected: keep nothing rather than fail the record.
		*t = ""
	default:
		*t = jsonText(b)
	}
	return nil
}

// jsonDynamic is a Log Analytics "dynamic" column: an object, or the same object as JSON
// text (CSV, Parquet and non-interactive tables carry it as a string).
type jsonDynamic[T any] struct {
	V  T
	OK bool
}

func (d *jsonDynamic[T]) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if !strings.HasPrefix(s, "{") {
			return nil // empty or not JSON: no details
		}
		b = []byte(s)
	}
	if len(b) == 0 || b[0] != '{' {
		return nil
	}
	if err := gojson.Unmarshal(b, &d.V); err != nil {
		return err
	}
	d.OK = true
	return nil
}

// jsonLocation is a country: Graph's location object {countryOrRegion}, Azure Monitor's
// and Log Analytics' two-letter string, or LocationDetails as an object or JSON text.
type jsonLocation string

func (l *jsonLocation) UnmarshalJSON(b []byte) error {
	var obj jsonDynamic[struct {
		CountryOrRegion jsonText `json:"countryOrRegion"`
	}]
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if !strings.HasPrefix(strings.TrimSpace(s), "{") {
			*l = jsonLocation(s)
			return nil
		}
	}
	if err := obj.UnmarshalJSON(b); err != nil {
		return err
	}
	*l = jsonLocation(obj.V.CountryOrRegion)
	return nil
}

// jsonStrings is a list of strings given as an array, as JSON text of an array, or as one string.
type jsonStrings []string

func (l *jsonStrings) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if !strings.HasPrefix(strings.TrimSpace(s), "[") {
			*l = jsonStrings{s}
			return nil
		}
		b = []byte(s)
	}
	if len(b) == 0 || b[0] != '[' {
		return nil
	}
	var v []jsonText
	if err := gojson.Unmarshal(b, &v); err != nil {
		return err
	}
	out := make(jsonStrings, len(v))
	for i, s := range v {
		out[i] = string(s)
	}
	*l = out
	return nil
}

// decodeJSONRecord decodes one raw record. walkRecord judges first whether it is JSON at
// all, for this path and the prefilter alike.
func decodeJSONRecord(raw []byte, ev *Event) error {
	if err := validJSON(raw); err != nil {
		return err
	}
	return decodeValidJSON(raw, ev)
}

// decodeValidJSON decodes a record that walkRecord has judged JSON.
func decodeValidJSON(raw []byte, ev *Event) error {
	var fast fastRecord
	if gojson.Unmarshal(raw, &fast) == nil {
		fast.event(ev)
		operationName(raw, ev)
		return nil
	}
	// A number or a boolean where text was expected: the flexible struct takes it.
	var rec jsonRecord
	if err := gojson.Unmarshal(raw, &rec); err != nil {
		return fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	rec.event(ev)
	operationName(raw, ev)
	return nil
}

// operationName gives an audit record without an activityDisplayName its operationName
// (properties first) as its activity. Sign-ins of Azure Monitor carry an operationName
// too ("Sign-in activity"), so the record structs leave it (json:"-"): decoding it would
// cost every such sign-in a string, for the rare audit record that needs it.
func operationName(raw []byte, ev *Event) {
	if ev.Audit == nil || ev.Audit.Activity != "" {
		return
	}
	var op struct {
		OperationName jsonText `json:"operationName"`
		Properties    *struct {
			OperationName jsonText `json:"operationName"`
		} `json:"properties"`
	}
	if gojson.Unmarshal(raw, &op) != nil {
		return // properties that are no object: nothing more to read
	}
	if op.Properties != nil && op.Properties.OperationName != "" {
		ev.Audit.Activity = string(op.Properties.OperationName)
	} else {
		ev.Audit.Activity = string(op.OperationName)
	}
}

// event fills ev from the record: properties first (Azure Monitor), then the top level.
func (r *record[T]) event(ev *Event) {
	p := r.Properties
	if p == nil {
		p = &record[T]{}
	}
	if ev.Other = r.kind(p); ev.Other != "" {
		if ev.Other == auditCategory {
			ev.Audit = r.audit(p)
			ev.Time = ev.Audit.Time
			return
		}
		ev.Time = r.signInTime(p)
		return // not a sign-in: counted apart by category, nothing else read
	}
	ev.Time = r.signInTime(p)
	ev.ID = first(p.ID, r.ID)
	ev.CorrelationID = first(p.CorrelationID, r.CorrelationID)
	ev.User = strings.ToLower(first(p.UserPrincipalName, r.UserPrincipalName))
	if ev.User == "" {
		ev.User = first(p.ServicePrincipalName, r.ServicePrincipalName)
	}
	ev.UserID = first(p.UserID, r.UserID, p.ServicePrincipalID, r.ServicePrincipalID)
	ev.App = first(p.AppDisplayName, r.AppDisplayName, p.ServicePrincipalName, r.ServicePrincipalName)
	ev.AppID = first(p.AppID, r.AppID)
	ev.Resource = first(p.ResourceDisplayName, r.ResourceDisplayName)
	// A top-level resourceId of Azure Monitor and Log Analytics is an ARM path, not the resource.
	ev.ResourceID = first(p.ResourceID, r.ResourceIdentity, notPath(r.ResourceID))
	ev.ClientApp = first(p.ClientAppUsed, r.ClientAppUsed)
	ev.UserAgent = first(p.UserAgent, r.UserAgent)
	ev.IP = first(p.IPAddress, r.IPAddress, r.CallerIPAddress)
	ev.Country = string(firstLoc(p.Location, r.LocationDetails, p.LocationDetails, r.Location))
	dev := p.DeviceDetail
	if !dev.OK {
		dev = r.DeviceDetail
	}
	ev.OS = string(dev.V.OperatingSystem)
	ev.Browser = string(dev.V.Browser)
	ev.DeviceID = string(dev.V.DeviceID)
	ev.DeviceName = string(dev.V.DisplayName)
	ev.CAPolicies = policyIDs(p.AppliedCAPolicies, p.CAPolicies, r.AppliedCAPolicies, r.CAPolicies)
	ev.SignInType = signInType(string(r.Category), string(r.Type), p.SignInEventTypes, r.SignInEventTypes, first(p.IsInteractive, r.IsInteractive))

	st := p.Status
	if !st.OK {
		st = r.Status
	}
	ev.ErrorCode = errorCode(string(r.ResultType), string(st.V.ErrorCode), string(p.ResultType))
	ev.FailureReason = string(st.V.FailureReason)
	ev.AdditionalDetails = string(st.V.AdditionalDetails)
	ev.ResultDescription = first(r.ResultDescription, p.ResultDescription)

	ev.IncomingTokenType = first(p.IncomingTokenType, r.IncomingTokenType)
	tp := p.TokenProtection
	if !tp.OK {
		tp = r.TokenProtection
	}
	ev.TokenProtection = first(string(tp.V.SignInSessionStatus), string(p.TokenProtectionOld), string(r.TokenProtectionOld))
	ev.TokenProtectionCode, _ = strconv.Atoi(strings.TrimSpace(string(tp.V.SignInSessionStatusCode)))
	ev.UniqueTokenID = first(p.UniqueTokenID, r.UniqueTokenID)
}

// signInTime is when a sign-in happened: its created time, falling back to the time the
// record was emitted or ingested.
func (r *record[T]) signInTime(p *record[T]) time.Time {
	return firstTime(string(p.CreatedDateTime), string(r.CreatedDateTime), string(r.Time), string(r.TimeGenerated))
}

// kind is "" for a sign-in, else the category of the record (see Event.Other). A record
// is a sign-in when its category (Azure Monitor's category, Log Analytics' Category or
// Type) names a sign-in log, or, naming none of the other logs, it carries one of the
// fields that only sign-ins have: an error code (status.errorCode, resultType), a
// created time, a user principal name or an app id, at the top level or in properties.
// A record naming no log that has an activityDisplayName (Graph's directoryAudits and
// PowerShell's dumps of them, whose category is the audit category, a table of audit
// rows without a Type column) is a directory audit record, "AuditLogs", whatever else it
// has: no sign-in has that member.
// The walk of the prefilter (walkRecord) reads exactly these members.
func (r *record[T]) kind(p *record[T]) string {
	for _, c := range []string{string(r.Category), string(r.Type)} {
		if c == "" {
			continue
		}
		if strings.Contains(strings.ToLower(c), "signin") {
			return ""
		}
		if k, ok := otherCategories[strings.ToLower(c)]; ok {
			return k
		}
	}
	if p.ActivityDisplayName != "" || r.ActivityDisplayName != "" {
		return auditCategory
	}
	if r.table {
		return ""
	}
	for _, x := range []*record[T]{r, p} {
		if x.Status.V.ErrorCode != "" || x.ResultType != "" || x.CreatedDateTime != "" || x.UserPrincipalName != "" || x.AppID != "" {
			return ""
		}
	}
	// A category of its own, such as a Graph directory audit's UserManagement, keeps its
	// name when it looks like one (a PascalCase word); anything else is "unknown".
	if c := first(r.Category, r.Type); categoryName(c) {
		return c
	}
	return "unknown"
}

func categoryName(c string) bool {
	if c == "" || len(c) > 64 || c[0] < 'A' || c[0] > 'Z' {
		return false
	}
	for _, r := range c {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// evidenceColumn reports whether a column (a CSV header, a Parquet path, a query
// result's column name) holds one of the fields by which kind knows a sign-in.
func evidenceColumn(name string) bool {
	switch strings.TrimPrefix(fieldName(name), "properties.") {
	case "resulttype", "status", "status.errorcode", "createddatetime", "userprincipalname", "appid":
		return true
	}
	return false
}

// auditColumn reports whether a column is one by which kind knows a directory audit
// record (activityDisplayName, the portal's Activity being mapped to it).
func auditColumn(name string) bool {
	return strings.TrimPrefix(fieldName(name), "properties.") == "activitydisplayname"
}

// codeColumn reports whether a column gives a sign-in's error code: ResultType, the
// Status JSON text, or status.errorCode in any of its spellings.
func codeColumn(name string) bool {
	switch strings.TrimPrefix(fieldName(name), "properties.") {
	case "resulttype", "status", "status.errorcode":
		return true
	}
	return false
}

// otherCategories are the Entra ID diagnostic categories and Log Analytics tables that
// arrive beside sign-ins in storage archives and Event Hub streams, lower-cased, with the
// name they are counted under.
var otherCategories = func() map[string]string {
	m := map[string]string{}
	for _, c := range []string{"AuditLogs", "ProvisioningLogs", "AADProvisioningLogs", "RiskyUsers", "AADRiskyUsers",
		"UserRiskEvents", "AADUserRiskEvents", "RiskyServicePrincipals", "AADRiskyServicePrincipals",
		"ServicePrincipalRiskEvents", "AADServicePrincipalRiskEvents", "NetworkAccessTrafficLogs", "NetworkAccessTraffic",
		"EnrichedOffice365AuditLogs", "MicrosoftGraphActivityLogs", "RemoteNetworkHealthLogs", "B2CRequestLogs"} {
		m[strings.ToLower(c)] = c
	}
	return m
}()

func first[T ~string](vals ...T) string {
	for _, v := range vals {
		if v != "" {
			return string(v)
		}
	}
	return ""
}

func firstLoc(vals ...jsonLocation) jsonLocation {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func notPath[T ~string](v T) T {
	if strings.HasPrefix(string(v), "/") {
		return ""
	}
	return v
}

// errorCode returns the first of the candidates that is an integer, 0 if none is.
func errorCode(candidates ...string) int {
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if n, err := strconv.Atoi(strings.TrimSpace(c)); err == nil {
			return n
		}
	}
	return 0
}

// signInType maps the many spellings of "which log is this" to Graph's signInEventTypes values.
func signInType(category, table string, types1, types2 []string, interactive string) string {
	for _, c := range []string{category, table} {
		switch strings.ToLower(c) {
		case "signinlogs":
			return "interactiveUser"
		case "noninteractiveusersigninlogs", "aadnoninteractiveusersigninlogs":
			return "nonInteractiveUser"
		case "serviceprincipalsigninlogs", "aadserviceprincipalsigninlogs", "microsoftserviceprincipalsigninlogs":
			return "servicePrincipal"
		case "managedidentitysigninlogs", "aadmanagedidentitysigninlogs":
			return "managedIdentity"
		case "adfssigninlogs":
			return "adfs"
		}
	}
	for _, types := range [][]string{types1, types2} {
		for _, t := range types {
			switch strings.ToLower(strings.ReplaceAll(t, " ", "")) {
			case "noninteractiveuser", "noninteractive":
				return "nonInteractiveUser"
			case "interactiveuser", "interactive":
				return "interactiveUser"
			case "serviceprincipal":
				return "servicePrincipal"
			case "managedidentity":
				return "managedIdentity"
			}
		}
	}
	switch strings.ToLower(interactive) {
	case "true":
		return "interactiveUser"
	case "false":
		return "nonInteractiveUser"
	}
	return ""
}
