package main

import (
	"encoding/csv"
	"io"
	"maps"
	"strconv"
	"strings"
	"time"
)

// portalHeader is the header of the Entra portal's NonInteractiveSignIns_*.csv as real
// downloads have it: 57 names, "Incoming token type" twice, trailing spaces in
// "Application ID " and "Resource ID ", a double space in "Autonomous system  number".
var portalHeader = strings.Split("Date (UTC),Request ID,User agent,Correlation ID,User ID,User,Username,User type,Cross tenant access type,Incoming token type,Authentication Protocol,Unique token identifier,Original transfer method,Client credential type,Token Protection - Sign In Session,Token Protection - Sign In Session StatusCode,Application,Application ID ,App owner tenant ID,Resource,Resource ID ,Resource tenant ID,Resource owner tenant ID,Home tenant ID,Home tenant name,IP address,Location,Status,Sign-in error code,Failure reason,Client app,Device ID,Browser,Operating System,Compliant,Managed,Join Type,Multifactor authentication result,Multifactor authentication auth method,Multifactor authentication auth detail,Authentication requirement,Sign-in identifier,Session ID,IP address (seen by resource),Through Global Secure Access,Global Secure Access IP address,Autonomous system  number,Flagged for review,Token issuer type,Incoming token type,Token issuer name,Latency,Conditional Access,Managed Identity type,Associated Resource Id,Federated Token Id,Federated Token Issuer", ",")

func portalRow(e *event) []string {
	status := "Success"
	code := ""
	if !e.success() {
		status, code = "Failure", strconv.Itoa(e.code)
	}
	v := map[string]string{
		"Date (UTC)": e.time.Format(time.RFC3339), "Request ID": e.id, "User agent": e.device.ua,
		"Correlation ID": e.correlationID, "User ID": e.user.id, "User": e.user.name, "Username": e.user.upn,
		"User type": "Member", "Cross tenant access type": "None", "Incoming token type": portalTokenType(e.incomingTokenType),
		"Authentication Protocol": "None", "Unique token identifier": e.uniqueTokenID, "Original transfer method": "None",
		"Client credential type": "None", "Token Protection - Sign In Session": e.tpStatus,
		"Token Protection - Sign In Session StatusCode": strconv.Itoa(e.tpCode),
		"Application": e.app.name, "Application ID ": e.app.id, "Resource": e.resource.name, "Resource ID ": e.resource.id,
		"Home tenant ID": tenantID, "Resource tenant ID": tenantID, "IP address": e.place.ip,
		"Location": e.place.city + ", " + e.place.state + ", " + e.place.country, "Status": status,
		"Sign-in error code": code, "Failure reason": e.reason, "Client app": e.device.client, "Device ID": e.deviceID,
		"Browser": e.device.browser, "Operating System": e.device.os, "Compliant": "FALSE", "Managed": "TRUE",
		"Join Type": "Azure AD joined", "Authentication requirement": "Single-factor authentication",
		"Token issuer type": "Azure AD", "Latency": "57", "Conditional Access": "Not Applied",
	}
	if e.success() {
		v["Failure reason"] = ""
	}
	row := make([]string, len(portalHeader))
	for i, h := range portalHeader {
		row[i] = v[h]
	}
	return row
}

func portalTokenType(t string) string {
	switch t {
	case "refreshToken":
		return "Refresh token"
	case "primaryRefreshToken":
		return "Primary Refresh Token"
	}
	return "None"
}

// laHeader is a Log Analytics / Sentinel CSV export of AADNonInteractiveUserSignInLogs:
// PascalCase columns, " [UTC]" on datetime columns, dynamic columns as JSON text.
var laHeader = []string{"TenantId", "TimeGenerated [UTC]", "OperationName", "Category", "ResultType", "ResultSignature",
	"ResultDescription", "CorrelationId", "Identity", "Location", "AppDisplayName", "AppId", "ClientAppUsed",
	"CreatedDateTime [UTC]", "DeviceDetail", "IPAddress", "IsInteractive", "LocationDetails", "ResourceDisplayName",
	"ResourceIdentity", "Status", "UserAgent", "UserDisplayName", "UserId", "UserPrincipalName", "IncomingTokenType",
	"TokenProtectionStatusDetails", "UniqueTokenIdentifier", "Id", "Type"}

// laTime is how the Log Analytics UI writes datetimes to CSV: 11/24/2026, 1:45:17.287 PM.
func laTime(t time.Time) string { return t.Format("1/2/2006, 3:04:05.000 PM") }

func laRow(e *event) []string {
	return laCSVRow(laRecord(e, true), laHeader, map[string]string{
		"TimeGenerated [UTC]":   laTime(e.time.Add(95 * time.Second)),
		"CreatedDateTime [UTC]": laTime(e.time),
	})
}

// laCSVRow is a Log Analytics record as its CSV export writes it, in header's order:
// strings as they are, dynamic values as JSON text, null as empty; times (the columns
// the export renames with " [UTC]") as given.
func laCSVRow(rec obj, header []string, times map[string]string) []string {
	vals := map[string]string{}
	for _, m := range rec {
		switch v := m.v.(type) {
		case string:
			vals[m.k] = v
		case nil:
		default:
			vals[m.k] = text(v)
		}
	}
	maps.Copy(vals, times)
	row := make([]string, len(header))
	for i, h := range header {
		row[i] = vals[h]
	}
	return row
}

func writeCSV(w io.Writer, evs []event, p part, bom bool, header []string, row func(*event) []string) error {
	if p.first && bom {
		if _, err := w.Write([]byte{0xEF, 0xBB, 0xBF}); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	if p.first {
		cw.Write(header)
	}
	for i := range evs {
		cw.Write(row(&evs[i]))
	}
	cw.Flush()
	return cw.Error()
}
