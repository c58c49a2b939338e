package parse

import "time"

// Audit is one Entra ID directory audit record in canonical form, whatever export shape
// it came from (Graph directoryAudits, PowerShell, diagnostic-settings AuditLogs, Log
// Analytics AuditLogs rows in JSON, CSV or Parquet, the portal's audit CSV). It is
// carried by an Event whose Other is "AuditLogs"; every field is optional in real data.
type Audit struct {
	Time          time.Time // activityDateTime (the event), never TimeGenerated (ingestion); UTC
	ID            string    // the audit record's id (Graph id, Log Analytics Id)
	CorrelationID string
	Activity      string // activityDisplayName, else operationName, as written
	Category      string // the audit category: UserManagement, Device, Policy, ...
	Service       string // loggedByService
	Result        string // success, failure, ...

	// Actor is who made the change: initiatedBy.user's UPN lower-cased, else its display
	// name, else initiatedBy.app's display name (or service principal name); ActorID is
	// the user's or the service principal's object id.
	Actor   string
	ActorID string

	Targets []Target // targetResources, in record order (select by Type, not position)
}

// Target is one of an audit record's targetResources.
type Target struct {
	Type     string // User, Device, Policy, ServicePrincipal, ... as written
	ID       string // the object id
	UPN      string // userPrincipalName, lower-cased; users only
	Name     string // displayName
	DeviceID string // a device's device id (modifiedProperties DeviceId), when the record gives it
}
