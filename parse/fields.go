package parse

import (
	"encoding/json"
	"strings"

	gojson "github.com/goccy/go-json"
)

// Columnar shapes (CSV, Parquet) name their fields by column: a Log Analytics column
// ("ResultType", "Status" holding JSON text, "TimeGenerated [UTC]"), a nested path
// ("properties.status.errorCode"), or a portal header ("Sign-in error code"). Each name
// maps to a setter that stores the column's text into a jsonRecord, so that every shape
// resolves fields the same way (jsonRecord.event).

// fieldSetter stores one value, given as text, into a record. Empty text is absent.
type fieldSetter func(r *jsonRecord, v string)

func text(f func(r *jsonRecord) *jsonText) fieldSetter {
	return func(r *jsonRecord, v string) { *f(r) = jsonText(v) }
}

// dynamic sets a Log Analytics dynamic column from its JSON text.
func dynamic[T any](f func(r *jsonRecord) *jsonDynamic[T]) fieldSetter {
	return func(r *jsonRecord, v string) {
		d := f(r)
		if strings.HasPrefix(strings.TrimSpace(v), "{") && gojson.Unmarshal([]byte(v), &d.V) == nil {
			d.OK = true
		}
	}
}

// member sets one member of a dynamic column given as its own column.
func member[T any](f func(r *jsonRecord) *jsonDynamic[T], m func(*T) *jsonText) fieldSetter {
	return func(r *jsonRecord, v string) {
		d := f(r)
		*m(&d.V) = jsonText(v)
		d.OK = true
	}
}

func status(r *jsonRecord) *jsonDynamic[jsonStatus]              { return &r.Status }
func device(r *jsonRecord) *jsonDynamic[jsonDevice]              { return &r.DeviceDetail }
func protection(r *jsonRecord) *jsonDynamic[jsonTokenProtection] { return &r.TokenProtection }
func setStatusText(r *jsonRecord, v string)                      { dynamic(status)(r, v) }
func setLocation(r *jsonRecord, v string)                        { r.Location = locationText(v) }
func setLocationDetails(r *jsonRecord, v string)                 { r.LocationDetails = locationText(v) }
func setSignInEventTypes(r *jsonRecord, v string)                { _ = r.SignInEventTypes.UnmarshalJSON(quote(v)) }
func quote(s string) []byte                                      { b, _ := gojson.Marshal(s); return b }
func setCountry(r *jsonRecord, v string)                         { r.Location = jsonLocation(v) }
func errorCodeOf(s *jsonStatus) *jsonText                        { return &s.ErrorCode }
func failureReasonOf(s *jsonStatus) *jsonText                    { return &s.FailureReason }
func additionalDetailsOf(s *jsonStatus) *jsonText                { return &s.AdditionalDetails }
func osOf(d *jsonDevice) *jsonText                               { return &d.OperatingSystem }
func browserOf(d *jsonDevice) *jsonText                          { return &d.Browser }
func sessionStatusOf(t *jsonTokenProtection) *jsonText           { return &t.SignInSessionStatus }
func sessionStatusCodeOf(t *jsonTokenProtection) *jsonText       { return &t.SignInSessionStatusCode }
func deviceIDOfDetail(d *jsonDevice) *jsonText                   { return &d.DeviceID }
func deviceNameOf(d *jsonDevice) *jsonText                       { return &d.DisplayName }

// setAdditionalDetails reads an AdditionalDetails column: an audit record's list of
// key-value pairs as JSON text (Log Analytics), or else the leaf of a sign-in's
// status.additionalDetails in a table flattened to its leaves (see leafColumns).
func setAdditionalDetails(r *jsonRecord, v string) {
	if strings.HasPrefix(strings.TrimSpace(v), "[") {
		_ = r.AdditionalDetails.UnmarshalJSON(quote(v))
		return
	}
	member(status, additionalDetailsOf)(r, v)
}

// unmarshalText sets a member whose type reads JSON text from a JSON string (jsonList,
// jsonObject) from a column's text.
func unmarshalText(f func(r *jsonRecord) json.Unmarshaler) fieldSetter {
	return func(r *jsonRecord, v string) { _ = f(r).UnmarshalJSON(quote(v)) }
}

// setResource reads a Resource column: the portal's resource display name, or in Log
// Analytics the constant resource provider of the log, which names no resource.
func setResource(r *jsonRecord, v string) {
	if !strings.EqualFold(strings.TrimSpace(v), "Microsoft.aadiam") {
		r.ResourceDisplayName = jsonText(v)
	}
}

// locationText reads a location column: JSON text of a location object, a two-letter
// code, or the portal's "City, State, CC".
func locationText(v string) jsonLocation {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "{") {
		var l jsonLocation
		if l.UnmarshalJSON(quote(v)) == nil {
			return l
		}
		return ""
	}
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = strings.TrimSpace(v[i+1:])
	}
	return jsonLocation(v)
}

// fieldSetters maps normalized column names (see normalizeName) to setters.
var fieldSetters = map[string]fieldSetter{
	"id":                              text(func(r *jsonRecord) *jsonText { return &r.ID }),
	"correlationid":                   text(func(r *jsonRecord) *jsonText { return &r.CorrelationID }),
	"createddatetime":                 text(func(r *jsonRecord) *jsonText { return &r.CreatedDateTime }),
	"time":                            text(func(r *jsonRecord) *jsonText { return &r.Time }),
	"timegenerated":                   text(func(r *jsonRecord) *jsonText { return &r.TimeGenerated }),
	"userprincipalname":               text(func(r *jsonRecord) *jsonText { return &r.UserPrincipalName }),
	"userid":                          text(func(r *jsonRecord) *jsonText { return &r.UserID }),
	"serviceprincipalname":            text(func(r *jsonRecord) *jsonText { return &r.ServicePrincipalName }),
	"serviceprincipalid":              text(func(r *jsonRecord) *jsonText { return &r.ServicePrincipalID }),
	"appdisplayname":                  text(func(r *jsonRecord) *jsonText { return &r.AppDisplayName }),
	"appid":                           text(func(r *jsonRecord) *jsonText { return &r.AppID }),
	"resourcedisplayname":             text(func(r *jsonRecord) *jsonText { return &r.ResourceDisplayName }),
	"resource":                        setResource,
	"resourceid":                      text(func(r *jsonRecord) *jsonText { return &r.ResourceID }),
	"resourceidentity":                text(func(r *jsonRecord) *jsonText { return &r.ResourceIdentity }),
	"clientappused":                   text(func(r *jsonRecord) *jsonText { return &r.ClientAppUsed }),
	"useragent":                       text(func(r *jsonRecord) *jsonText { return &r.UserAgent }),
	"ipaddress":                       text(func(r *jsonRecord) *jsonText { return &r.IPAddress }),
	"calleripaddress":                 text(func(r *jsonRecord) *jsonText { return &r.CallerIPAddress }),
	"category":                        text(func(r *jsonRecord) *jsonText { return &r.Category }),
	"type":                            text(func(r *jsonRecord) *jsonText { return &r.Type }),
	"isinteractive":                   text(func(r *jsonRecord) *jsonText { return &r.IsInteractive }),
	"resulttype":                      text(func(r *jsonRecord) *jsonText { return &r.ResultType }),
	"resultdescription":               text(func(r *jsonRecord) *jsonText { return &r.ResultDescription }),
	"incomingtokentype":               text(func(r *jsonRecord) *jsonText { return &r.IncomingTokenType }),
	"uniquetokenidentifier":           text(func(r *jsonRecord) *jsonText { return &r.UniqueTokenID }),
	"signintokenprotectionstatus":     text(func(r *jsonRecord) *jsonText { return &r.TokenProtectionOld }),
	"signineventtypes":                setSignInEventTypes,
	"location":                        setLocation,
	"locationdetails":                 setLocationDetails,
	"location.countryorregion":        setCountry,
	"locationdetails.countryorregion": setCountry,

	"status":                   setStatusText,
	"status.errorcode":         member(status, errorCodeOf),
	"status.failurereason":     member(status, failureReasonOf),
	"status.additionaldetails": member(status, additionalDetailsOf),

	"devicedetail":                 dynamic(device),
	"devicedetail.operatingsystem": member(device, osOf),
	"devicedetail.browser":         member(device, browserOf),

	"devicedetail.deviceid":    member(device, deviceIDOfDetail),
	"devicedetail.displayname": member(device, deviceNameOf),

	"appliedconditionalaccesspolicies": unmarshalText(func(r *jsonRecord) json.Unmarshaler { return &r.AppliedCAPolicies }),
	"conditionalaccesspolicies":        unmarshalText(func(r *jsonRecord) json.Unmarshaler { return &r.CAPolicies }),

	"activitydatetime":    text(func(r *jsonRecord) *jsonText { return &r.ActivityDateTime }),
	"activitydisplayname": text(func(r *jsonRecord) *jsonText { return &r.ActivityDisplayName }),
	"operationname":       text(func(r *jsonRecord) *jsonText { return &r.OperationName }),
	"loggedbyservice":     text(func(r *jsonRecord) *jsonText { return &r.LoggedByService }),
	"result":              text(func(r *jsonRecord) *jsonText { return &r.Result }),
	"initiatedby":         unmarshalText(func(r *jsonRecord) json.Unmarshaler { return initiator(r) }),
	"additionaldetails":   setAdditionalDetails,
	"targetresources":     unmarshalText(func(r *jsonRecord) json.Unmarshaler { return &r.TargetResources }),

	"tokenprotectionstatusdetails":                         dynamic(protection),
	"tokenprotectionstatusdetails.signinsessionstatus":     member(protection, sessionStatusOf),
	"tokenprotectionstatusdetails.signinsessionstatuscode": member(protection, sessionStatusCodeOf),
}

// portalColumns maps the Entra portal's CSV download headers (normalized) to field names.
var portalColumns = map[string]string{
	"date (utc)":                         "createddatetime",
	"date":                               "createddatetime",
	"request id":                         "id",
	"correlation id":                     "correlationid",
	"user id":                            "userid",
	"username":                           "userprincipalname",
	"application":                        "appdisplayname",
	"application id":                     "appid",
	"resource id":                        "resourceid",
	"ip address":                         "ipaddress",
	"location":                           "location",
	"sign-in error code":                 "status.errorcode",
	"failure reason":                     "status.failurereason",
	"additional details":                 "status.additionaldetails",
	"client app":                         "clientappused",
	"browser":                            "devicedetail.browser",
	"operating system":                   "devicedetail.operatingsystem",
	"device id":                          "devicedetail.deviceid",
	"user agent":                         "useragent",
	"incoming token type":                "incomingtokentype",
	"unique token identifier":            "uniquetokenidentifier",
	"service principal id":               "serviceprincipalid",
	"service principal name":             "serviceprincipalname",
	"token protection - sign in session": "tokenprotectionstatusdetails.signinsessionstatus",
	"token protection - sign in session statuscode": "tokenprotectionstatusdetails.signinsessionstatuscode",
}

// leafColumns maps the leaf names of nested fields to their paths, for tables whose
// writer flattened the records to their leaves: DuckDB's unnest(properties, recursive :=
// true) names status.errorCode errorCode. Without them such a file's failures read as
// records without an error code.
var leafColumns = map[string]string{
	"errorcode":               "status.errorcode",
	"failurereason":           "status.failurereason",
	"operatingsystem":         "devicedetail.operatingsystem",
	"deviceid":                "devicedetail.deviceid",
	"countryorregion":         "location.countryorregion",
	"signinsessionstatus":     "tokenprotectionstatusdetails.signinsessionstatus",
	"signinsessionstatuscode": "tokenprotectionstatusdetails.signinsessionstatuscode",
}

// fieldName is the field a column name stands for (normalized, "properties." kept): the
// name itself, a portal header's field, a path flattened with "_" (Spark and Databricks
// write status.errorCode as status_errorCode) or a nested field's leaf (leafColumns).
func fieldName(name string) string {
	n := normalizeName(name)
	if p, ok := portalColumns[n]; ok {
		return p
	}
	known := func(n string) bool { return fieldSetters[strings.TrimPrefix(n, "properties.")] != nil }
	if known(n) {
		return n
	}
	if d := strings.ReplaceAll(n, "_", "."); known(d) {
		return d
	}
	if p, ok := leafColumns[n]; ok {
		return p
	}
	return n
}

// normalizeName lower-cases a column name, collapses its whitespace and drops a Log
// Analytics unit suffix such as " [UTC]".
func normalizeName(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	if i := strings.LastIndex(s, " ["); i > 0 && strings.HasSuffix(s, "]") {
		s = s[:i]
	}
	// Sentinel's exports (its training data among them) mark dynamic columns by name:
	// DeviceDetail_dynamic, Status_dynamic.
	return strings.TrimSuffix(s, "_dynamic")
}

// setterFor returns the setter for a column name or nested path, nil when the column is
// not one grantsweep reads. "properties." paths (Azure Monitor records written as nested
// Parquet) set the record's properties.
func setterFor(name string) fieldSetter {
	n := fieldName(name)
	if f := fieldSetters[n]; f != nil {
		return skipEmpty(f)
	}
	if rest, ok := strings.CutPrefix(n, "properties."); ok {
		if f := fieldSetters[rest]; f != nil {
			return skipEmpty(func(r *jsonRecord, v string) {
				if r.Properties == nil {
					r.Properties = &jsonRecord{}
				}
				f(r.Properties, v)
			})
		}
	}
	return nil
}

func skipEmpty(f fieldSetter) fieldSetter {
	return func(r *jsonRecord, v string) {
		if v != "" {
			f(r, v)
		}
	}
}

// The portal's audit log download (AuditLogs_*.csv) has columns of its own, in which
// the targets and their modified properties are numbered: Target1Type, Target1ObjectId,
// Target1ModifiedProperty1NewValue, ..., Target3..., and the actor is spread over
// ActorType, ActorDisplayName, ActorObjectId, ActorUserPrincipalName and
// ActorServicePrincipalId/Name. Its Date (UTC) is the activity's time, not a sign-in's.

// portalAuditColumns maps its other headers (normalized) to field names.
var portalAuditColumns = map[string]string{
	"date (utc)":     "activitydatetime",
	"date":           "activitydatetime",
	"activity":       "activitydisplayname",
	"service":        "loggedbyservice",
	"id":             "id",
	"activity id":    "id",
	"correlationid":  "correlationid",
	"correlation id": "correlationid",
	"category":       "category",
	"result":         "result",
}

// isPortalAudit reports whether a CSV header is the portal's audit download: it names
// the activity and an actor or target column of that download.
func isPortalAudit(header []string) bool {
	var activity, actor bool
	for _, h := range header {
		switch n := normalizeName(strings.TrimPrefix(h, "\uFEFF")); {
		case n == "activity":
			activity = true
		case n == "actortype" || n == "target1type" || n == "actoruserprincipalname":
			actor = true
		}
	}
	return activity && actor
}

// portalAuditSetter is setterFor for a column of the portal's audit download.
func portalAuditSetter(name string) fieldSetter {
	n := normalizeName(strings.TrimPrefix(name, "\uFEFF"))
	if f, ok := portalAuditColumns[n]; ok {
		return skipEmpty(fieldSetters[f])
	}
	var f fieldSetter
	switch n {
	case "actortype":
		f = func(r *jsonRecord, v string) { initiator(r).V.actorType = v }
	case "actordisplayname":
		f = func(r *jsonRecord, v string) { initiator(r).V.User.V.DisplayName = jsonText(v) }
	case "actorobjectid":
		f = func(r *jsonRecord, v string) { initiator(r).V.User.V.ID = jsonText(v) }
	case "actoruserprincipalname":
		f = func(r *jsonRecord, v string) { initiator(r).V.User.V.UserPrincipalName = jsonText(v) }
	case "actorserviceprincipalid":
		f = func(r *jsonRecord, v string) { initiator(r).V.App.V.ServicePrincipalID = jsonText(v) }
	case "actorserviceprincipalname":
		f = func(r *jsonRecord, v string) { initiator(r).V.App.V.ServicePrincipalName = jsonText(v) }
	default:
		f = portalTargetSetter(n)
	}
	if f == nil {
		return nil
	}
	return skipEmpty(func(r *jsonRecord, v string) { f(r, v); initiator(r).OK = true })
}

// portalTargetSetter sets a numbered target column: target<i><field> or
// target<i>modifiedproperty<j><name|oldvalue|newvalue>; nil for any other name.
func portalTargetSetter(n string) fieldSetter {
	rest, ok := strings.CutPrefix(n, "target")
	if !ok {
		return nil
	}
	i, rest := leadingNumber(rest)
	if i < 1 || i > 64 {
		return nil
	}
	target := func(r *jsonRecord) *jsonTarget {
		for len(r.TargetResources) < i {
			r.TargetResources = append(r.TargetResources, jsonTarget{})
		}
		return &r.TargetResources[i-1]
	}
	switch rest {
	case "type":
		return func(r *jsonRecord, v string) { target(r).Type = jsonText(v) }
	case "displayname":
		return func(r *jsonRecord, v string) { target(r).DisplayName = jsonText(v) }
	case "objectid":
		return func(r *jsonRecord, v string) { target(r).ID = jsonText(v) }
	case "userprincipalname":
		return func(r *jsonRecord, v string) { target(r).UserPrincipalName = jsonText(v) }
	}
	rest, ok = strings.CutPrefix(rest, "modifiedproperty")
	if !ok {
		return nil
	}
	j, rest := leadingNumber(rest)
	if j < 1 || j > 64 {
		return nil
	}
	prop := func(r *jsonRecord) *jsonModified {
		t := target(r)
		for len(t.ModifiedProperties) < j {
			t.ModifiedProperties = append(t.ModifiedProperties, jsonModified{})
		}
		return &t.ModifiedProperties[j-1]
	}
	switch rest {
	case "name":
		return func(r *jsonRecord, v string) { prop(r).DisplayName = jsonText(v) }
	case "oldvalue":
		return func(r *jsonRecord, v string) { prop(r).OldValue = jsonText(v) }
	case "newvalue":
		return func(r *jsonRecord, v string) { prop(r).NewValue = jsonText(v) }
	}
	return nil
}

// leadingNumber splits the decimal number at the start of s from the rest (0 for none).
func leadingNumber(s string) (int, string) {
	n, k := 0, 0
	for k < len(s) && k < 3 && '0' <= s[k] && s[k] <= '9' {
		n = n*10 + int(s[k]-'0')
		k++
	}
	return n, s[k:]
}

// portalActor settles who a row of the portal's audit download names as its actor: an
// application (ActorType says so, or the row names a service principal and no user)
// rather than the user its display name and object id were first read as.
func portalActor(r *jsonRecord) {
	if r.InitiatedBy == nil {
		return
	}
	by := &r.InitiatedBy.V
	user, app := &by.User.V, &by.App.V
	t := strings.ToLower(by.actorType)
	isApp := strings.Contains(t, "app") || strings.Contains(t, "service")
	if !isApp && user.UserPrincipalName == "" && (app.ServicePrincipalID != "" || app.ServicePrincipalName != "") && !strings.Contains(t, "user") {
		isApp = true
	}
	if !isApp {
		return
	}
	if app.DisplayName == "" {
		app.DisplayName = user.DisplayName
	}
	if app.ServicePrincipalID == "" {
		app.ServicePrincipalID = user.ID
	}
	*user = jsonActor{}
}

// Nested Parquet (diagnostic-settings records as Spark or DuckDB write them) gives
// initiatedBy as a struct of structs, and lists (targetResources and their
// modifiedProperties, a sign-in's appliedConditionalAccessPolicies) as repeated groups.

// initiator is r's initiatedBy, made when it has none.
func initiator(r *jsonRecord) *jsonObject[jsonInitiator] {
	if r.InitiatedBy == nil {
		r.InitiatedBy = &jsonObject[jsonInitiator]{}
	}
	return r.InitiatedBy
}

func actorMember(app bool, f func(*jsonActor) *jsonText) fieldSetter {
	return func(r *jsonRecord, v string) {
		by := initiator(r)
		o := &by.V.User
		if app {
			o = &by.V.App
		}
		*f(&o.V) = jsonText(v)
		o.OK, by.OK = true, true
	}
}

func init() {
	for name, f := range map[string]func(*jsonActor) *jsonText{
		"id":                   func(a *jsonActor) *jsonText { return &a.ID },
		"displayname":          func(a *jsonActor) *jsonText { return &a.DisplayName },
		"userprincipalname":    func(a *jsonActor) *jsonText { return &a.UserPrincipalName },
		"appid":                func(a *jsonActor) *jsonText { return &a.AppID },
		"serviceprincipalid":   func(a *jsonActor) *jsonText { return &a.ServicePrincipalID },
		"serviceprincipalname": func(a *jsonActor) *jsonText { return &a.ServicePrincipalName },
	} {
		fieldSetters["initiatedby.user."+name] = actorMember(false, f)
		fieldSetters["initiatedby.app."+name] = actorMember(true, f)
	}
}

// listSetter stores one value of a repeated column into a record: idx[j] is the element
// of the list at repetition level j the value belongs to, exist the deepest level whose
// element is there (a value of an empty or null list has none), ok whether the value
// itself is (not null).
type listSetter func(r *jsonRecord, idx []int, exist int, v string, ok bool)

// listWrappers are the names writers give the levels of a Parquet LIST (list.element
// by the spec, array, bag.array_element and item of older writers).
var listWrappers = map[string]bool{"list": true, "element": true, "array": true, "bag": true, "array_element": true, "item": true}

// listPath is a repeated column's path, lower-cased, without the list's levels:
// properties.targetresources.modifiedproperties.newvalue.
func listPath(path []string) string {
	var out []string
	for _, p := range path {
		if p = strings.ToLower(p); !listWrappers[p] {
			out = append(out, p)
		}
	}
	return strings.Join(out, ".")
}

// listSetterFor returns the setter of a repeated column, by its listPath; nil for one
// grantsweep does not read.
func listSetterFor(path string) listSetter {
	rest, props := strings.CutPrefix(path, "properties.")
	f := listSetters[rest]
	if f == nil || !props {
		return f
	}
	return func(r *jsonRecord, idx []int, exist int, v string, ok bool) {
		if r.Properties == nil {
			r.Properties = &jsonRecord{}
		}
		f(r.Properties, idx, exist, v, ok)
	}
}

func targetList(set func(t *jsonTarget, v string)) listSetter {
	return func(r *jsonRecord, idx []int, exist int, v string, ok bool) {
		if exist < 1 {
			return
		}
		t := elementAt(&r.TargetResources, idx[1])
		if ok {
			set(t, v)
		}
	}
}

func modifiedList(set func(m *jsonModified, v string)) listSetter {
	return func(r *jsonRecord, idx []int, exist int, v string, ok bool) {
		if exist < 1 {
			return
		}
		t := elementAt(&r.TargetResources, idx[1])
		if exist < 2 || len(idx) < 3 {
			return
		}
		m := elementAt(&t.ModifiedProperties, idx[2])
		if ok {
			set(m, v)
		}
	}
}

func policyList(l func(r *jsonRecord) *jsonList[jsonPolicy]) listSetter {
	return func(r *jsonRecord, idx []int, exist int, v string, ok bool) {
		if exist < 1 {
			return
		}
		p := elementAt(l(r), idx[1])
		if ok {
			p.ID = jsonText(v)
		}
	}
}

// elementAt is element i of a list, which grows to hold it.
func elementAt[T any](l *jsonList[T], i int) *T {
	for len(*l) <= i {
		*l = append(*l, *new(T))
	}
	return &(*l)[i]
}

var listSetters = map[string]listSetter{
	"targetresources.id":                             targetList(func(t *jsonTarget, v string) { t.ID = jsonText(v) }),
	"targetresources.displayname":                    targetList(func(t *jsonTarget, v string) { t.DisplayName = jsonText(v) }),
	"targetresources.type":                           targetList(func(t *jsonTarget, v string) { t.Type = jsonText(v) }),
	"targetresources.userprincipalname":              targetList(func(t *jsonTarget, v string) { t.UserPrincipalName = jsonText(v) }),
	"targetresources.modifiedproperties.displayname": modifiedList(func(m *jsonModified, v string) { m.DisplayName = jsonText(v) }),
	"targetresources.modifiedproperties.oldvalue":    modifiedList(func(m *jsonModified, v string) { m.OldValue = jsonText(v) }),
	"targetresources.modifiedproperties.newvalue":    modifiedList(func(m *jsonModified, v string) { m.NewValue = jsonText(v) }),
	"appliedconditionalaccesspolicies.id":            policyList(func(r *jsonRecord) *jsonList[jsonPolicy] { return &r.AppliedCAPolicies }),
	"conditionalaccesspolicies.id":                   policyList(func(r *jsonRecord) *jsonList[jsonPolicy] { return &r.CAPolicies }),
}
