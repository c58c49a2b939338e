package parse

import (
	"errors"
	"fmt"
	"time"
)

// Event is one sign-in record in canonical form, whatever export shape it came from.
// Every field is optional in real data; absent fields are zero.
type Event struct {
	Time          time.Time // when the sign-in happened (created time, falling back to emit/ingest time), UTC
	ID            string    // request id; the de-duplication key
	CorrelationID string

	User   string // UPN lower-cased, or the service principal name when there is no user
	UserID string

	App        string // application display name (service principal name when absent)
	AppID      string
	Resource   string
	ResourceID string
	ClientApp  string // clientAppUsed
	UserAgent  string
	IP         string
	Country    string // two-letter country or region
	OS         string
	Browser    string

	// SignInType is the log the record belongs to, as Graph names it:
	// interactiveUser, nonInteractiveUser, servicePrincipal, managedIdentity, adfs, or "".
	SignInType string

	ErrorCode         int    // 0 on success or when the record carries no code
	FailureReason     string // status.failureReason
	ResultDescription string // top-level resultDescription (Azure Monitor, Log Analytics)
	AdditionalDetails string // status.additionalDetails

	IncomingTokenType   string
	TokenProtection     string // signInSessionStatus: none, bound, unbound
	TokenProtectionCode int    // signInSessionStatusCode (1002-1008 explain "unbound")
	UniqueTokenID       string

	// What a directory change can be joined on (see Audit): the device of the sign-in
	// (deviceDetail.deviceId and displayName) and the ids of its conditional access
	// policies (appliedConditionalAccessPolicies[].id, lower-cased, sorted, de-duplicated,
	// joined by ","; "" when the record lists none).
	DeviceID   string
	DeviceName string
	CAPolicies string

	// Other is the diagnostic category of a record that is not a sign-in (AuditLogs,
	// ProvisioningLogs, RiskyUsers, ...), or "unknown" for a record that carries no
	// sign-in field and names no category; "" for a sign-in. Such records are counted
	// apart, never as sign-ins; only Other, Pos and (where the record has one) Time are set,
	// and for a directory audit record (Other "AuditLogs", in every shape) Audit, whose
	// time Time is.
	Other string

	// Audit is the directory audit record when Other is "AuditLogs" and the record is one
	// (nil otherwise). Like the rest of the Event it is valid only until the next record.
	Audit *Audit

	Pos Position // where the record starts in its input
}

// HasReason reports whether the failure reason says something: it is neither empty nor
// Graph's "Other.", which successes and many failures carry.
func (ev *Event) HasReason() bool { return ev.FailureReason != "" && ev.FailureReason != "Other." }

// Wording is what the record says of its outcome: the failure reason, or where that says
// nothing, the result description.
func (ev *Event) Wording() string {
	if ev.HasReason() {
		return ev.FailureReason
	}
	return ev.ResultDescription
}

// Position locates a record in its input: Line is 1-based (for Parquet, the 1-based row),
// Offset is the byte offset of the record's first byte in the decoded stream (0-based).
type Position struct {
	Line   int
	Offset int64
}

// RecordError reports one record that could not be decoded. It is recoverable: the
// decoder goes on with the next record. Any other error from a decoder ends its input.
type RecordError struct {
	File   string
	Line   int
	Offset int64
	Field  string // the field at fault, when known
	Err    error
}

func (e *RecordError) Error() string {
	s := fmt.Sprintf("%s:%d: offset %d", e.File, e.Line, e.Offset)
	if e.Field != "" {
		s += ": field " + e.Field
	}
	return s + ": " + e.Err.Error()
}

func (e *RecordError) Unwrap() error { return e.Err }

// Sentinel reasons carried by RecordError.Err; test with errors.Is.
var (
	ErrSyntax        = errors.New("invalid JSON")
	ErrTruncated     = errors.New("truncated record")
	ErrTooLarge      = errors.New("record too large")
	ErrNotObject     = errors.New("not a JSON object")
	ErrUnknownFormat = errors.New("unknown format")
)
