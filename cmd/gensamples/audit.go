package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The audit samples (samples/audit/): one day of a tenant's directory audit log, written
// in every export shape the audit log comes in (auditshapes.go), beside sign-ins of the
// same users whose failures the changes of that log explain, or must not. Everything
// here is written by hand, not drawn at random, so that the labels (samples/audit/
// cmd/gensamples/testdata/audit-labels.json: for each failure the change kind and audit id that explain it, or none,
// and why) say what a person reading the two logs side by side concludes, not what the
// code under test computes.

// auditActor is who made an audit record's change: a user, or an application (app
// true: name and spID, the service principal).
type auditActor struct {
	app                bool
	upn, name, id, ip  string
	spID, servicePName string
}

var (
	itAdmin       = auditActor{upn: "it-admin@contoso.com", name: "IT Admin", id: "7d3f9a21-4c6e-4b8a-9f2d-1e5c7a9b3d4f", ip: "203.0.113.24"}
	helpdesk      = auditActor{upn: "helpdesk.kim@contoso.com", name: "Kim Helpdesk", id: "5a1c3e7b-9d2f-4e6a-8b4c-0f2e4a6c8e1d", ip: "198.51.100.8"}
	resetService  = auditActor{app: true, name: "Microsoft password reset service", spID: "cfac00a8-6b29-47fa-addd-8cc5dce7eaeb"}
	drsService    = auditActor{app: true, name: "Device Registration Service", spID: "7a9e4c2b-5d1f-4a8e-b3c6-2f0d8e6a4c1b"}
	mfaService    = auditActor{app: true, name: "Azure MFA StrongAuthenticationService", spID: "b8e2f4a6-1c3d-4e5f-9a7b-3c5d7e9f1a2b"}
	graphExplorer = auditActor{app: true, name: "Microsoft Graph Command Line Tools", spID: "e6f2a8c4-3b5d-4f7a-9c1e-5d7f9a1b3c5e"}
)

// auditProp is a modified property; its values are JSON text ("" for null), as every
// export writes them.
type auditProp struct{ name, old, new string }

type auditTarget struct {
	typ, id, name, upn string
	props              []auditProp
}

// auditRec is one directory audit record.
type auditRec struct {
	time     time.Time
	id, corr string
	// activity is the activityDisplayName as Graph, PowerShell and diagnostic settings
	// write it; variant, when set, is how the Log Analytics and portal exports of the
	// same record spell it (case, a dash, a trailing period).
	activity, variant string
	category, service string
	opType, result    string
	by                auditActor
	targets           []auditTarget
	details           [][2]string // additionalDetails key, value
	// change is the labelled change the record belongs to ("" for an activity of no
	// change kind), kind the change kind its activity is of.
	change, kind string
}

// spelling is the record's activity as Log Analytics and the portal write it.
func (a *auditRec) spelling() string {
	if a.variant != "" {
		return a.variant
	}
	return a.activity
}

// caPolicy is a conditional access policy, as a sign-in lists it when it applied.
type caPolicy struct {
	id, name      string
	grant, sessio []string
	result        string
}

var (
	polTokenProt = caPolicy{id: "0b6c1e5a-7d2f-4c8e-9a3b-5e1f2d4c6a8b", name: "CA012: Require token protection for Exchange Online", sessio: []string{"SecureSignInSession"}, result: "failure"}
	polFrequency = caPolicy{id: "3e8a5c1f-2b7d-4f9e-8c6a-1d3f5b7e9a2c", name: "CA007: Sign-in frequency 8 hours on unmanaged devices", sessio: []string{"SignInFrequency"}, result: "success"}
	polMFA       = caPolicy{id: "9c2e4a6b-8d1f-4b3e-a5c7-e9f1b3d5a7c9", name: "CA001: Require multifactor authentication for all users", grant: []string{"Mfa"}, result: "success"}
	polLegacy    = caPolicy{id: "6f4a2c8e-1b3d-4e5f-b7a9-c1e3f5a7b9d1", name: "CA020: Block legacy authentication", grant: []string{"Block"}, result: "notApplied"}
)

// auditDevice is a registered device: its object id (the directory's), its device id
// (what sign-ins carry in deviceDetail.deviceId) and its name.
type auditDevice struct{ objectID, deviceID, name string }

var (
	laptop42  = auditDevice{"1f3b5d7e-9a2c-4e6f-8b1d-3c5e7a9b2d4f", "a4c6e8f0-2b4d-4f6a-9c8e-0f2a4c6e8b1d", "CONTOSO-LT-0042"}
	desktop15 = auditDevice{"2a4c6e8b-0d2f-4a6c-9e1b-4d6f8a0c2e5b", "b5d7f9a1-3c5e-4a7b-8d9f-1a3c5e7b9d2f", "CONTOSO-DT-0815"}
	phone77   = auditDevice{"3b5d7f9c-1e3a-4b7d-a2c4-5e7a9c1d3f6b", "c6e8a0b2-4d6f-4b8c-9e0a-2b4d6f8a0c3e", "Enrico's iPhone"}
)

// The users of the audit samples: none of them is among the other samples' people, so
// that the changes below explain nothing there. The actors sign in from the samples'
// places (their addresses are the ones the sign-ins have).
var (
	henrietta = person{"HenriettaM@contoso.com", "Henrietta Mueller", "4c8e2a6f-1b3d-4f5a-9c7e-2d4f6a8c0e1b"}
	irvin     = person{"IrvinS@contoso.com", "Irvin Sayers", "5d9f3b7a-2c4e-4a6b-8d0f-3e5a7b9d1f2c"}
	lidia     = person{"LidiaH@contoso.com", "Lidia Holloway", "6e0a4c8b-3d5f-4b7c-9e1a-4f6b8c0e2a3d"}
	christie  = person{"ChristieC@contoso.com", "Christie Cline", "7f1b5d9c-4e6a-4c8d-a0f2-5a7c9d1f3b4e"}
	lynne     = person{"LynneR@contoso.com", "Lynne Robbins", "8a2c6e0d-5f7b-4d9e-b1a3-6b8d0e2a4c5f"}
	miriam    = person{"MiriamG@contoso.com", "Miriam Graham", "9b3d7f1e-6a8c-4e0f-8c2b-7c9e1f3b5d6a"}
	pradeep   = person{"PradeepG@contoso.com", "Pradeep Gupta", "0c4e8a2f-7b9d-4f1a-9d3c-8d0f2a4c6e7b"}
	enrico    = person{"EnricoC@contoso.com", "Enrico Cattaneo", "1d5f9b3a-8c0e-4a2b-ae4d-9e1a3b5d7f8c"}
	allan     = person{"AllanD@contoso.com", "Allan Deyoung", "2e6a0c4b-9d1f-4b3c-bf5e-0f2b4c6e8a9d"}
	joni      = person{"JoniS@contoso.com", "Joni Sherman", "3f7b1d5c-0e2a-4c4d-8a6f-1a3c5d7f9b0e"}
	bianca    = person{"BiancaP@contoso.com", "Bianca Pisani", "4a8c2e6d-1f3b-4d5e-9b7a-2b4d6e8a0c1f"}
	isabella  = person{"IsabellaS@contoso.com", "Isabella Simonsen", "5b9d3f7e-2a4c-4e6f-8c0a-3c5e7f9b1d2a"}
)

// at is a time of the samples' day (day+d days, h:m:s.ms), audit times to the
// millisecond, which every shape can carry (Log Analytics CSV exports stop there).
func at(d, h, m, s, ms int) time.Time {
	return day.Add(time.Duration(d)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(ms)*time.Millisecond)
}

func userTarget(p person, props ...auditProp) auditTarget {
	return auditTarget{typ: "User", id: p.id, upn: p.upn, props: props}
}

func deviceTarget(d auditDevice, props ...auditProp) auditTarget {
	return auditTarget{typ: "Device", id: d.objectID, name: d.name, props: append(props, auditProp{"DeviceId", `["` + d.deviceID + `"]`, ""})}
}

func policyTarget(p caPolicy, old, new string) auditTarget {
	return auditTarget{typ: "Policy", id: p.id, name: p.name, props: []auditProp{{"ConditionalAccessPolicy", old, new}}}
}

// policyJSON is a conditional access policy as its audit records carry it, as JSON text.
func policyJSON(p caPolicy, state string, modified time.Time) string {
	var controls obj
	if len(p.grant) > 0 {
		g := make([]any, len(p.grant))
		for i, c := range p.grant {
			g[i] = strings.ToLower(c)
		}
		controls = append(controls, kv{"grantControls", obj{{"operator", "OR"}, {"builtInControls", g}}})
	}
	if len(p.sessio) > 0 {
		switch p.sessio[0] {
		case "SignInFrequency":
			controls = append(controls, kv{"sessionControls", obj{{"signInFrequency", obj{{"value", 8}, {"type", "hours"}, {"isEnabled", true}}}}})
		default:
			controls = append(controls, kv{"sessionControls", obj{{"secureSignInSession", obj{{"isEnabled", true}}}}})
		}
	}
	return text(append(obj{
		{"id", p.id}, {"displayName", p.name},
		{"createdDateTime", day.Add(-41 * 24 * time.Hour).Format("2006-01-02T15:04:05.0000000Z")},
		{"modifiedDateTime", modified.Format("2006-01-02T15:04:05.0000000Z")},
		{"state", state},
		{"conditions", obj{{"applications", obj{{"includeApplications", []any{"All"}}}}, {"users", obj{{"includeUsers", []any{"All"}}, {"excludeUsers", []any{itAdmin.id}}}}}},
	}, controls...))
}

// auditID is an id of the form the service's records have: the service's prefix, the
// correlation id, a short tag and a number.
func auditID(prefix, corr, tag string, n int) string {
	return fmt.Sprintf("%s_%s_%s_%d", prefix, corr, tag, n)
}

// auditLog is the audit samples' log, in no particular order (exports are not in time
// order either: auditRecords shuffles it the same way every time).
func auditLog() []auditRec {
	const (
		dir  = "Core Directory"
		sspr = "Self-service Password Management"
		ca   = "Conditional Access"
		dev  = "Device Registration Service"
		am   = "Authentication Methods"
	)
	c := func(n int) string {
		return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", 0x5eed0000+n*7919, n*31, n*17&0xfff, 0x8000|n*13&0x3fff, uint64(n)*0x9e3779b97f4a&0xffffffffffff)
	}
	ts := func(p person, t time.Time) auditProp {
		return auditProp{"StsRefreshTokensValidFrom", `["` + t.Add(-9*24*time.Hour).Format("2006-01-02T15:04:05Z") + `"]`, `["` + t.Format("2006-01-02T15:04:05Z") + `"]`}
	}
	var log []auditRec
	add := func(r auditRec) { log = append(log, r) }

	// Sessions revoked by an administrator ("Revoke sessions" in the portal), once more
	// than a week before the samples' day, once that morning.
	add(auditRec{time: at(-8, 16, 41, 7, 0), corr: c(21), activity: "Update StsRefreshTokenValidFrom Timestamp", category: "UserManagement", service: dir, opType: "Update",
		by: helpdesk, targets: []auditTarget{userTarget(henrietta, ts(henrietta, at(-8, 16, 41, 7, 0)))}, change: "henrietta-old-revoke", kind: "session_revoke"})
	add(auditRec{time: at(0, 9, 2, 31, 504), corr: c(1), activity: "Update StsRefreshTokenValidFrom Timestamp", category: "UserManagement", service: dir, opType: "Update",
		by: itAdmin, targets: []auditTarget{userTarget(henrietta, ts(henrietta, at(0, 9, 2, 31, 0)), auditProp{"Included Updated Properties", "", `"StsRefreshTokensValidFrom"`})},
		change: "henrietta-revoke", kind: "session_revoke"})

	// A password reset by an administrator: three records of two services within a
	// second, two correlation ids, and an "Update user" of no change kind among them.
	add(auditRec{time: at(0, 11, 15, 42, 318), corr: c(2), activity: "Reset user password", category: "UserManagement", service: dir, opType: "Update",
		by: helpdesk, targets: []auditTarget{userTarget(irvin)}, change: "irvin-reset", kind: "password_change"})
	add(auditRec{time: at(0, 11, 15, 42, 330), corr: c(2), activity: "Update StsRefreshTokenValidFrom Timestamp", category: "UserManagement", service: dir, opType: "Update",
		by: helpdesk, targets: []auditTarget{userTarget(irvin, ts(irvin, at(0, 11, 15, 42, 0)))}, change: "irvin-reset", kind: "session_revoke"})
	add(auditRec{time: at(0, 11, 15, 42, 341), corr: c(2), activity: "Update user", category: "UserManagement", service: dir, opType: "Update",
		by: helpdesk, targets: []auditTarget{userTarget(irvin, auditProp{"ForceChangePassword", `"False"`, `"True"`}, auditProp{"Included Updated Properties", "", `"ForceChangePassword"`})}})
	add(auditRec{time: at(0, 11, 15, 42, 902), corr: c(3), activity: "Reset password (by admin)", variant: "Reset password (by admin).", category: "UserManagement", service: sspr, opType: "Update",
		by: helpdesk, targets: []auditTarget{userTarget(irvin)}, details: [][2]string{{"OnPremisesAgent", "None"}}, change: "irvin-reset", kind: "password_change"})
	// That evening the administrator revokes Irvin's sessions as well: his failures
	// after it are that change's, the latest.
	add(auditRec{time: at(0, 20, 0, 4, 77), corr: c(4), activity: "Update StsRefreshTokenValidFrom Timestamp", category: "UserManagement", service: dir, opType: "Update",
		by: itAdmin, targets: []auditTarget{userTarget(irvin, ts(irvin, at(0, 20, 0, 4, 0)))}, change: "irvin-revoke", kind: "session_revoke"})

	// A self-service password change, as the shared corpus has one: four records within
	// 93 ms, the service's three under one correlation id, the user's under another.
	add(auditRec{time: at(0, 14, 2, 7, 769), corr: c(5), activity: "Update PasswordProfile", category: "UserManagement", service: dir, opType: "Update",
		by: resetService, targets: []auditTarget{userTarget(lidia, auditProp{"ForceChangePassword", `"True"`, `"False"`}, auditProp{"Password", "", ""})}, change: "lidia-sspr", kind: "password_change"})
	add(auditRec{time: at(0, 14, 2, 7, 853), corr: c(5), activity: "Change user password", category: "UserManagement", service: dir, opType: "Update",
		by: resetService, targets: []auditTarget{userTarget(lidia)}, change: "lidia-sspr", kind: "password_change"})
	add(auditRec{time: at(0, 14, 2, 7, 854), corr: c(5), activity: "Update StsRefreshTokenValidFrom Timestamp", category: "UserManagement", service: dir, opType: "Update",
		by: resetService, targets: []auditTarget{userTarget(lidia)}, change: "lidia-sspr", kind: "session_revoke"})
	add(auditRec{time: at(0, 14, 2, 7, 862), corr: c(6), activity: "Change password (self-service)", variant: "Change password (self service)", category: "UserManagement", service: sspr, opType: "Update",
		by: auditActor{upn: lidia.upn, id: lidia.id}, targets: []auditTarget{{typ: "User", id: lidia.id, name: lidia.name, upn: lidia.upn}}, details: [][2]string{{"OnPremisesAgent", "None"}},
		change: "lidia-sspr", kind: "password_change"})

	// A forgotten password reset by its user: one record, spelled without the dash by Log
	// Analytics and the portal.
	add(auditRec{time: at(0, 16, 20, 0, 500), corr: c(22), activity: "Reset password (self-service)", variant: "Reset password (self service)", category: "UserManagement", service: sspr, opType: "Update",
		by: auditActor{upn: isabella.upn, id: isabella.id, ip: "203.0.113.77"}, targets: []auditTarget{{typ: "User", id: isabella.id, name: isabella.name, upn: isabella.upn}}, details: [][2]string{{"OnPremisesAgent", "None"}},
		change: "isabella-sspr", kind: "password_change"})

	// An account disabled, and an "Update user" that says so.
	add(auditRec{time: at(0, 15, 30, 5, 11), corr: c(7), activity: "Disable account", variant: "Disable Account", category: "UserManagement", service: dir, opType: "Update",
		by: itAdmin, targets: []auditTarget{userTarget(lynne, auditProp{"AccountEnabled", "[true]", "[false]"})}, change: "lynne-disable", kind: "account_removed"})
	add(auditRec{time: at(0, 15, 30, 5, 12), corr: c(7), activity: "Update user", category: "UserManagement", service: dir, opType: "Update",
		by: itAdmin, targets: []auditTarget{userTarget(lynne, auditProp{"AccountEnabled", "[true]", "[false]"}, auditProp{"Included Updated Properties", "", `"AccountEnabled"`})}})

	// A user deleted: the directory gives a deleted user's UPN its object id as a
	// prefix; the object id is what still matches.
	deleted := miriam
	deleted.upn = strings.ReplaceAll(miriam.id, "-", "") + miriam.upn
	add(auditRec{time: at(0, 17, 0, 12, 250), corr: c(8), activity: "Delete user", variant: "Delete user.", category: "UserManagement", service: dir, opType: "Delete",
		by: graphExplorer, targets: []auditTarget{userTarget(deleted)}, details: [][2]string{{"UserType", "Member"}}, change: "miriam-delete", kind: "account_removed"})

	// Devices: one deleted, one unregistered, one only updated.
	add(auditRec{time: at(0, 8, 5, 19, 640), corr: c(9), activity: "Delete device", category: "Device", service: dir, opType: "Delete",
		by: itAdmin, targets: []auditTarget{deviceTarget(laptop42, auditProp{"DisplayName", `["` + laptop42.name + `"]`, ""})}, change: "laptop-delete", kind: "device_removed"})
	// A record of a device that gives its object id and name but no DeviceId, as many do:
	// the name is what joins it to the sign-ins' deviceDetail.
	add(auditRec{time: at(0, 10, 20, 33, 5), corr: c(10), activity: "Unregister device", category: "Device", service: dev, opType: "Update",
		by: drsService, targets: []auditTarget{{typ: "Device", id: phone77.objectID, name: phone77.name}}, change: "phone-unregister", kind: "device_removed"})
	add(auditRec{time: at(0, 7, 0, 2, 418), corr: c(11), activity: "Update device", category: "Device", service: dir, opType: "Update",
		by: drsService, targets: []auditTarget{deviceTarget(desktop15, auditProp{"ApproximateLastLogonTimestamp", `["2026-11-20T07:00:00Z"]`, `["2026-11-24T07:00:02Z"]`})}})

	// Conditional access: a policy added, one updated, one deleted that nothing fails
	// under (the report's change context).
	add(auditRec{time: at(0, 5, 3, 44, 120), corr: c(12), activity: "Add conditional access policy", category: "Policy", service: ca, opType: "Add",
		by: itAdmin, targets: []auditTarget{policyTarget(polFrequency, "", policyJSON(polFrequency, "enabled", at(0, 5, 3, 44, 0)))}, change: "frequency-add", kind: "ca_policy_change"})
	add(auditRec{time: at(0, 6, 12, 9, 417), corr: c(13), activity: "Update conditional access policy", variant: "Update Conditional Access policy", category: "Policy", service: ca, opType: "Update",
		by: itAdmin, targets: []auditTarget{policyTarget(polTokenProt, policyJSON(polTokenProt, "enabledForReportingButNotEnforced", day.Add(-3*24*time.Hour)), policyJSON(polTokenProt, "enabled", at(0, 6, 12, 9, 0)))},
		change: "tokenprot-update", kind: "ca_policy_change"})
	add(auditRec{time: at(0, 12, 30, 0, 0), corr: c(14), activity: "Delete conditional access policy", category: "Policy", service: ca, opType: "Delete",
		by: itAdmin, targets: []auditTarget{policyTarget(polLegacy, policyJSON(polLegacy, "enabled", day.Add(-30*24*time.Hour)), "")}, change: "legacy-delete", kind: "ca_policy_change"})

	// The rest of a day's log: activities of no change kind, most of any real log.
	add(auditRec{time: at(0, 8, 30, 11, 903), corr: c(15), activity: "User registered security info", category: "UserManagement", service: am, opType: "ServiceApi",
		by: auditActor{upn: bianca.upn, name: bianca.name, id: bianca.id, ip: "192.0.2.55"}, targets: []auditTarget{{typ: "User", id: bianca.id, name: bianca.name, upn: bianca.upn}}, result: "success"})
	add(auditRec{time: at(0, 8, 30, 12, 40), corr: c(16), activity: "Update user", category: "UserManagement", service: dir, opType: "Update",
		by: mfaService, targets: []auditTarget{userTarget(bianca, auditProp{"StrongAuthenticationMethod", "[]", `[{"MethodType":6,"Default":true}]`})}})
	add(auditRec{time: at(0, 9, 45, 0, 310), corr: c(17), activity: "Add member to group", category: "GroupManagement", service: dir, opType: "Assign",
		by: itAdmin, targets: []auditTarget{userTarget(allan), {typ: "Group", id: "5b9d3f7e-2a4c-4e6b-8d0f-6a8c0e2b4d7f", name: "Exchange pilot", props: []auditProp{{"Group.DisplayName", "", `"Exchange pilot"`}}}}})
	add(auditRec{time: at(0, 13, 20, 30, 555), corr: c(18), activity: "Update user", category: "UserManagement", service: dir, opType: "Update",
		by: itAdmin, targets: []auditTarget{userTarget(christie, auditProp{"JobTitle", `["Analyst"]`, `["Senior Analyst"]`}, auditProp{"Included Updated Properties", "", `"JobTitle"`})}})
	add(auditRec{time: at(0, 16, 10, 0, 901), corr: c(19), activity: "Add app role assignment grant to user", category: "ApplicationManagement", service: dir, opType: "Assign",
		by: itAdmin, targets: []auditTarget{{typ: "ServicePrincipal", id: "6c0e4a8f-3b5d-4f7e-9a1c-7b9d1f3a5c8e", name: "Contoso Expenses (SPA)"}, userTarget(joni)}})
	add(auditRec{time: at(0, 18, 44, 2, 0), corr: c(20), activity: "Update StsRefreshTokenValidFrom Timestamp", category: "UserManagement", service: dir, opType: "Update",
		by: itAdmin, result: "failure", targets: []auditTarget{userTarget(christie)}, change: "christie-revoke-failed", kind: "session_revoke"})

	for i := range log {
		r := &log[i]
		prefix, tag := "Directory", []string{"L4422", "54TJ8", "IA7CI", "6JQRL", "X001L", "N6ZU3"}[i%6]
		switch r.service {
		case sspr:
			prefix = "SSPR"
		case am:
			prefix = "Authentication Methods"
		case ca:
			prefix = "IPCGraph"
		case dev:
			prefix = "DRS"
		}
		r.id = auditID(prefix, r.corr, tag, 30286079+i*7331)
		if r.result == "" {
			r.result = "success"
		}
	}
	// Not in time order, the same disorder every time.
	slices.SortStableFunc(log, func(a, b auditRec) int { return strings.Compare(a.corr[2:], b.corr[2:]) })
	return log
}

// labelledSignIn is a sign-in of the audit samples: a failure with the change that
// explains it (change, "" for none) and why, or a success around them.
type labelledSignIn struct {
	user     person
	time     time.Time
	cause    string
	code     int
	device   auditDevice
	policies []caPolicy
	change   string
	why      string
}

// auditSignIns are the sign-ins beside the audit log: every default change kind explains
// some failures, and some failures are not explained (and why not).
func auditSignIns() []labelledSignIn {
	return []labelledSignIn{
		{user: henrietta, time: at(0, 8, 55, 0, 0), cause: "revoked", code: 50173, why: "eight days after the older revocation, outside its 7-day window, and before that morning's"},
		{user: henrietta, time: at(0, 9, 30, 12, 0), cause: "revoked", code: 50173, change: "henrietta-revoke", why: "after the administrator revoked her sessions"},
		{user: henrietta, time: at(0, 23, 10, 0, 0), cause: "revoked", code: 70000, change: "henrietta-revoke", why: "that evening, within the 7-day window"},
		{user: irvin, time: at(0, 11, 15, 40, 0), cause: "revoked", code: 50173, why: "two seconds before the reset (a change after the failure)"},
		{user: irvin, time: at(0, 11, 50, 3, 0), cause: "revoked_password_change", code: 50133, change: "irvin-reset", why: "after the helpdesk reset his password"},
		{user: irvin, time: at(0, 12, 5, 44, 0), cause: "revoked", code: 50173, change: "irvin-reset", why: "after the reset (its three records are one change, named password_change)"},
		{user: irvin, time: at(0, 21, 0, 0, 0), cause: "revoked", code: 50173, change: "irvin-revoke", why: "after the evening's revocation, the latest of his two changes"},
		{user: lidia, time: at(0, 14, 30, 0, 0), cause: "revoked", code: 50173, change: "lidia-sspr", why: "after her self-service password change"},
		{user: christie, time: at(0, 14, 30, 1, 0), cause: "revoked", code: 50173, why: "another user: Lidia changed her password, Christie did not (and the revocation tried on her failed, later)"},
		{user: lynne, time: at(0, 15, 45, 0, 0), cause: "revoked", code: 50173, change: "lynne-disable", why: "after her account was disabled"},
		{user: isabella, time: at(0, 16, 40, 0, 0), cause: "revoked_password_change", code: 50133, change: "isabella-sspr", why: "after she reset her forgotten password"},
		{user: lynne, time: at(0, 15, 46, 0, 0), cause: "revoked_password_change", code: 50133, why: "a disabled account explains revoked, not revoked_password_change"},
		{user: miriam, time: at(0, 17, 20, 0, 0), cause: "revoked", code: 70000, change: "miriam-delete", why: "after the user was deleted (matched by object id: the deleted user's UPN changed)"},
		{user: pradeep, time: at(0, 8, 40, 0, 0), cause: "device_not_found", code: 700003, device: laptop42, change: "laptop-delete", why: "the device was deleted"},
		{user: pradeep, time: at(0, 9, 10, 0, 0), cause: "session_key_proof_failed", code: 1000039, device: laptop42, change: "laptop-delete", why: "the deleted device's session key"},
		{user: pradeep, time: at(0, 9, 20, 0, 0), cause: "device_not_found", code: 700003, device: desktop15, why: "another device, only updated, never deleted"},
		{user: enrico, time: at(0, 10, 45, 0, 0), cause: "device_not_found", code: 700003, device: phone77, change: "phone-unregister", why: "the device was unregistered (joined by its name: the record has no DeviceId)"},
		{user: allan, time: at(0, 7, 40, 0, 0), cause: "token_protection_unbound", code: 530084, device: desktop15, policies: []caPolicy{polMFA, polTokenProt}, change: "tokenprot-update", why: "the token protection policy it lists was enforced at 06:12"},
		{user: allan, time: at(0, 7, 41, 0, 0), cause: "token_protection_unbound", code: 530084, device: desktop15, why: "a sign-in without a policy list is never a policy change's"},
		{user: bianca, time: at(0, 8, 0, 0, 0), cause: "interaction_required", code: 26000, policies: []caPolicy{polTokenProt}, change: "tokenprot-update", why: "under the updated token protection policy"},
		{user: joni, time: at(0, 4, 50, 0, 0), cause: "expired_signin_frequency", code: 70044, policies: []caPolicy{polFrequency}, why: "before the sign-in frequency policy was added (a change after the failure)"},
		{user: joni, time: at(0, 13, 10, 0, 0), cause: "expired_signin_frequency", code: 70044, policies: []caPolicy{polFrequency, polMFA}, change: "frequency-add", why: "under the sign-in frequency policy added at 05:03"},
		{user: joni, time: at(0, 13, 12, 0, 0), cause: "expired_signin_frequency", code: 70044, policies: []caPolicy{polMFA}, why: "a policy not in the sign-in's list changed"},
		// Successes of the same users around the failures.
		{user: henrietta, time: at(0, 9, 35, 0, 0)},
		{user: irvin, time: at(0, 11, 58, 0, 0)},
		{user: allan, time: at(0, 7, 45, 0, 0), device: desktop15, policies: []caPolicy{polMFA, polTokenProt}},
		{user: joni, time: at(0, 13, 15, 0, 0), policies: []caPolicy{polFrequency, polMFA}},
	}
}

// auditEvents are the audit samples' sign-ins as events, in time order, with their labels.
func auditEvents() ([]event, []labelledSignIn) {
	ls := auditSignIns()
	slices.SortStableFunc(ls, func(a, b labelledSignIn) int { return a.time.Compare(b.time) })
	g := newGen(31)
	evs := make([]event, len(ls))
	for i, l := range ls {
		sc := outOfScope[0]
		if l.cause != "" {
			sc = like(l.cause, l.code, 1)
		}
		e := g.event(sc, l.time)
		e.reason, e.details, e.cause = sc.reason, sc.details, sc.cause // never the missing text event draws now and then
		e.user, e.join, e.policies = l.user, true, l.policies
		if l.device != (auditDevice{}) {
			e.deviceID, e.deviceName = l.device.deviceID, l.device.name
		} else if g.r.IntN(2) == 0 {
			e.deviceID, e.deviceName = "", "" // an unregistered device (else one of no change)
		}
		if l.cause == "" {
			e.tpStatus, e.tpCode = "none", 0
		}
		evs[i] = e
	}
	return evs, ls
}

// auditStreamEvents are the sign-ins an Event Hub carries among the audit records: the
// audit samples' users signing in around the changes, none in scope, none a copy of
// auditEvents' (so that a sweep of both reads every failure once).
func auditStreamEvents() []event {
	g := newGen(37)
	users := []person{henrietta, irvin, lidia, christie, lynne, miriam, pradeep, enrico, allan, joni, bianca, isabella}
	evs := make([]event, 0, 2*len(users))
	for i := range 2 * len(users) {
		e := g.event(weighted(g.r, outOfScope), at(0, 6+i*16/len(users)/2, (i*23)%60, (i*37)%60, 0))
		e.user, e.join = users[i%len(users)], true
		evs = append(evs, e)
	}
	slices.SortStableFunc(evs, func(a, b event) int { return a.time.Compare(b.time) })
	return evs
}
