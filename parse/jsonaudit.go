package parse

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	gojson "github.com/goccy/go-json"
)

// auditCategory is the Other of a directory audit record, in every shape.
const auditCategory = "AuditLogs"

// The members of a directory audit record (Graph's directoryAudit, the properties of a
// diagnostic-settings AuditLogs record, a Log Analytics AuditLogs row) and of a sign-in's
// conditional access policies. Unlike the dynamic types of sign-ins, they never fail a
// record: what is not the shape expected (a list that is no list, an element that is no
// object, JSON text that is not JSON) reads as nothing, so that a record is decoded, or
// not, exactly as it was before they were read, and the prefilter, which does not walk
// them, agrees with the decoder (walkRecord).

type jsonInitiator struct {
	User jsonObject[jsonActor] `json:"user"`
	App  jsonObject[jsonActor] `json:"app"`

	actorType string // a portal audit download's ActorType (portalActor)
}

// jsonActor is initiatedBy.user or initiatedBy.app.
type jsonActor struct {
	ID                   jsonText `json:"id"`
	DisplayName          jsonText `json:"displayName"`
	UserPrincipalName    jsonText `json:"userPrincipalName"`
	AppID                jsonText `json:"appId"`
	ServicePrincipalID   jsonText `json:"servicePrincipalId"`
	ServicePrincipalName jsonText `json:"servicePrincipalName"`
}

type jsonTarget struct {
	ID                 jsonText               `json:"id"`
	DisplayName        jsonText               `json:"displayName"`
	Type               jsonText               `json:"type"`
	UserPrincipalName  jsonText               `json:"userPrincipalName"`
	ModifiedProperties jsonList[jsonModified] `json:"modifiedProperties"`
}

type jsonModified struct {
	DisplayName jsonText `json:"displayName"`
	OldValue    jsonText `json:"oldValue"`
	NewValue    jsonText `json:"newValue"`
}

type jsonKeyValue struct {
	Key   jsonText `json:"key"`
	Value jsonText `json:"value"`
}

type jsonPolicy struct {
	ID jsonText `json:"id"`
}

// textJSON is the JSON a member holds: itself, or when it is a string, its text trimmed
// (Log Analytics dynamic columns in CSV, Parquet and string-typed tables).
func textJSON(b []byte) []byte {
	if len(b) == 0 || b[0] != '"' {
		return b
	}
	var s string
	if json.Unmarshal(b, &s) != nil {
		return nil
	}
	return bytes.TrimSpace([]byte(s))
}

// jsonObject is an object, or JSON text of one; anything else is none (OK false).
type jsonObject[T any] struct {
	V  T
	OK bool
}

func (o *jsonObject[T]) UnmarshalJSON(b []byte) error {
	b = textJSON(b)
	if len(b) == 0 || b[0] != '{' {
		return nil
	}
	var v T
	if gojson.Unmarshal(b, &v) == nil {
		o.V, o.OK = v, true
	}
	return nil
}

// jsonList is a list of objects given as an array, or as JSON text of one. An element
// that is null is a zero element, one that is no object is left out: the others keep
// their order.
type jsonList[T any] []T

func (l *jsonList[T]) UnmarshalJSON(b []byte) error {
	b = textJSON(b)
	if len(b) == 0 || b[0] != '[' {
		return nil
	}
	if len(bytes.TrimSpace(b[1:])) == 1 { // [] (valid JSON: the rest is the closing bracket)
		*l = jsonList[T]{}
		return nil
	}
	var v []T
	if gojson.Unmarshal(b, &v) == nil {
		*l = v
		return nil
	}
	var elems []gojson.RawMessage
	if gojson.Unmarshal(b, &elems) != nil {
		return nil
	}
	out := make([]T, 0, len(elems))
	for _, e := range elems {
		var x T
		switch {
		case bytes.Equal(e, []byte("null")):
		case len(e) > 0 && e[0] == '{' && gojson.Unmarshal(e, &x) == nil:
		default:
			continue
		}
		out = append(out, x)
	}
	*l = out
	return nil
}

// policyIDs is Event.CAPolicies: the ids of the lists' policies, lower-cased, sorted,
// de-duplicated and joined by ",".
func policyIDs(lists ...jsonList[jsonPolicy]) string {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	if n == 0 {
		return ""
	}
	ids := make([]string, 0, n)
	for _, l := range lists {
		for _, p := range l {
			if id := strings.ToLower(strings.TrimSpace(string(p.ID))); id != "" {
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	return strings.Join(slices.Compact(ids), ",")
}

// audit is the directory audit record r holds (properties first, as for sign-ins). Its
// time is activityDateTime, or for a record without a readable one, the top-level time of
// a diagnostic-settings record; never TimeGenerated, the time of ingestion. A record
// with neither has no time, as a sign-in without one has.
func (r *record[T]) audit(p *record[T]) *Audit {
	a := &Audit{
		Time:          firstTime(string(p.ActivityDateTime), string(r.ActivityDateTime), string(r.Time)),
		ID:            first(p.ID, r.ID),
		CorrelationID: first(p.CorrelationID, r.CorrelationID),
		Activity:      first(p.ActivityDisplayName, r.ActivityDisplayName, p.OperationName, r.OperationName),
		Service:       first(p.LoggedByService, r.LoggedByService),
		Result:        first(p.Result, r.Result),
	}
	// The audit category; the top level of a diagnostic-settings record names the log.
	for _, c := range []T{p.Category, r.Category} {
		if c != "" && !strings.EqualFold(string(c), auditCategory) {
			a.Category = string(c)
			break
		}
	}
	by := p.InitiatedBy
	if by == nil || !by.OK {
		by = r.InitiatedBy
	}
	if by == nil {
		by = &jsonObject[jsonInitiator]{}
	}
	user, app := &by.V.User.V, &by.V.App.V
	switch {
	case user.UserPrincipalName != "" || user.ID != "" || user.DisplayName != "":
		a.Actor = strings.ToLower(string(user.UserPrincipalName))
		if a.Actor == "" {
			a.Actor = string(user.DisplayName)
		}
		a.ActorID = string(user.ID)
	default:
		a.Actor = first(app.DisplayName, app.ServicePrincipalName)
		a.ActorID = string(app.ServicePrincipalID)
	}
	targets := p.TargetResources
	if targets == nil {
		targets = r.TargetResources
	}
	if len(targets) > 0 {
		a.Targets = make([]Target, len(targets))
		devices, last := 0, 0
		for i, t := range targets {
			a.Targets[i] = Target{Type: string(t.Type), ID: string(t.ID), UPN: strings.ToLower(string(t.UserPrincipalName)), Name: string(t.DisplayName)}
			if strings.EqualFold(string(t.Type), "Device") {
				a.Targets[i].DeviceID = deviceIDOf(t.ModifiedProperties)
				devices, last = devices+1, i
			}
		}
		// Add device and Delete device records (Intune's among them) often give the
		// device id only among the record's additionalDetails: it is the device's when
		// the record has one device.
		if devices == 1 && a.Targets[last].DeviceID == "" {
			details := p.AdditionalDetails
			if details == nil {
				details = r.AdditionalDetails
			}
			for _, kv := range details {
				if strings.EqualFold(strings.TrimSpace(string(kv.Key)), "DeviceId") {
					if id := modifiedValue(string(kv.Value)); id != "" {
						a.Targets[last].DeviceID = id
						break
					}
				}
			}
		}
	}
	return a
}

// deviceIDOf reads a device target's device id from its modified property DeviceId,
// whose value is JSON text: ["id"], "id", or (in some exports) the bare id. The new value
// is preferred; a deleted device has only the old.
func deviceIDOf(props []jsonModified) string {
	for _, m := range props {
		if !strings.EqualFold(strings.TrimSpace(string(m.DisplayName)), "DeviceId") {
			continue
		}
		for _, v := range []jsonText{m.NewValue, m.OldValue} {
			if id := modifiedValue(string(v)); id != "" {
				return id
			}
		}
	}
	return ""
}

// modifiedValue is the text of a modified property's value: the first string of JSON
// text of an array, the string of JSON text of one, or the value itself.
func modifiedValue(v string) string {
	v = strings.TrimSpace(v)
	switch {
	case strings.HasPrefix(v, "["):
		var l []jsonText
		if json.Unmarshal([]byte(v), &l) == nil {
			for _, s := range l {
				if s := strings.TrimSpace(string(s)); s != "" {
					return s
				}
			}
		}
		return ""
	case strings.HasPrefix(v, `"`):
		var s string
		if json.Unmarshal([]byte(v), &s) == nil {
			return strings.TrimSpace(s)
		}
		return ""
	}
	return v
}
