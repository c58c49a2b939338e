package rules

import (
	"strings"
	"time"

	"github.com/grantsweep/grantsweep/parse"
)

// The keys a change kind joins failures on: the target of its audit records that it
// selects (by the target's type) and the sign-in fields it is compared with.
const (
	KeyUser   = "user"   // a User target: object id = sign-in userId, else UPN = UPN
	KeyDevice = "device" // a Device target: object or device id = deviceDetail.deviceId, else display name
	KeyPolicy = "policy" // a Policy target: id among the sign-in's conditional access policy ids
)

// GroupGap is how close in time audit records of change kinds on one target must be to
// be one change (a password reset writes four records within a second).
const GroupGap = 5 * time.Second

// ChangeKind is one kind of directory change that can explain failures: the audit
// activities that make it, the key that joins it to failures, how long after the change
// a failure can be its consequence, and the causes it can explain. Its id is a public
// contract, like a cause's.
type ChangeKind struct {
	ID         string
	Label      string
	Activities []string      // as written in the rule file; matched by NormalizeActivity
	Key        string        // KeyUser, KeyDevice or KeyPolicy
	Window     time.Duration // a failure at most this long after the change
	Explains   []string      // cause ids
	// Rank orders kinds by how specific they are: when audit records of several kinds
	// make one change, the change is named after the kind of lowest rank (ties: the one
	// first in the set).
	Rank int

	File      string // where the kind was defined
	Line, Col int
}

// NormalizeActivity is the form in which activity names are compared: lower case,
// whitespace collapsed, dashes and underscores as spaces, a trailing "." dropped.
// "Reset password (self-service)", "reset password (self service)." and
// "Reset Password (Self-Service)" are one activity.
func NormalizeActivity(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014':
			return ' '
		}
		return r
	}, s)
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	return strings.TrimSpace(strings.TrimSuffix(s, "."))
}

// ChangeRecord is one audit record of a change kind on one of its targets (a record
// with two targets of the kind's type is two ChangeRecords).
type ChangeRecord struct {
	Kind     int // index in Set.Changes
	Time     time.Time
	AuditID  string
	Activity string
	Actor    string
	Target   parse.Target
}

// Change is one directory change: the ChangeRecords on one target (same key type and
// target key) whose times are within GroupGap of the first of them.
type Change struct {
	Kind     int       // the most specific member's kind (see ChangeKind.Rank)
	Kinds    []int     // every member's kind, increasing
	Time     time.Time // the first member's time
	Activity string    // the activity of the first member of Kind
	Actor    string    // that member's actor
	Target   parse.Target
	AuditIDs []string // every member's audit id, sorted, de-duplicated
}

// Failure is what the join reads of an in-scope failure.
type Failure struct {
	Rule       int // index in Set.Rules: the cause
	Time       time.Time
	UserID     string
	User       string // UPN, lower-cased
	DeviceID   string
	DeviceName string
	CAPolicies string // parse.Event.CAPolicies
}
