package main

// scenario is one kind of sign-in outcome the generator writes, with the cause the default
// rules must give it ("" for out of scope). Texts follow the token service's catalog
// wording as sign-in logs carry it (placeholders unfilled).
type scenario struct {
	cause      string
	code       int
	reason     string // status.failureReason / resultDescription
	details    string // status.additionalDetails
	weight     int
	nonInter   bool   // a refresh-token redemption: non-interactive log
	tpStatus   string // token protection status, if the scenario sets one
	tpCodes    []int  // signInSessionStatusCode choices
	legacyApps bool   // typical of old clients
}

const devErr = "Developer error - the app is attempting to sign in without the necessary or correct authentication parameters."

// inScope lists every cause of docs/TAXONOMY.md at least once; weights give realistic shares
// (the bare "Provided grant is invalid or malformed." dominates real tenants).
var inScope = []scenario{
	{cause: "binding_header_empty", code: 7000018, reason: "Token binding header is empty.", weight: 2, nonInter: true, legacyApps: true},
	{cause: "binding_header_empty", code: 70000, reason: "Token binding header is empty.", details: devErr, weight: 1, nonInter: true, legacyApps: true},
	{cause: "binding_hash_mismatch", code: 7000019, reason: "Token binding hash does not match.", weight: 1, nonInter: true},
	{cause: "session_key_proof_failed", code: 1000039, reason: "The request was not signed with the session key of the primary refresh token.", weight: 2, nonInter: true},
	{cause: "session_key_proof_failed", code: 70000, reason: "The provided grant is not signed with session key.", details: devErr, weight: 1, nonInter: true},
	{cause: "bound_token_outside_broker", code: 7000017, reason: "The refresh token is bound to the broker and was presented by a client that is not the broker.", weight: 1, nonInter: true},
	{cause: "token_protection_unbound", code: 530084, reason: "Access has been blocked by token protection sign-in session policy.", details: "Token Protection requires a device-bound session.", weight: 4, nonInter: true, tpStatus: "unbound", tpCodes: []int{1002, 1003, 1008, 1008, 1006}},
	{cause: "device_not_found", code: 700003, reason: "Device object was not found in the tenant '{tenantName}' directory.", weight: 2, nonInter: true},
	{cause: "expired_inactivity", code: 700082, reason: "The refresh token has expired due to inactivity. The token was issued on {issueDate} and was inactive for {time}.", weight: 6, nonInter: true},
	{cause: "expired_inactivity", code: 70000, reason: "The refresh token has expired due to inactivity.", details: devErr, weight: 1, nonInter: true},
	{cause: "expired_max_lifetime", code: 700081, reason: "The refresh token has expired due to maximum lifetime. The token was issued on {issueDate} and the maximum allowed lifetime for this request is {time}.", weight: 2, nonInter: true},
	{cause: "expired_spa_lifetime", code: 700084, reason: "The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of {time}, which can't be extended.", weight: 3, nonInter: true},
	{cause: "expired_signin_frequency", code: 70044, reason: "The session has expired or is invalid due to sign-in frequency checks by conditional access.", weight: 3, nonInter: true},
	{cause: "revoked", code: 50173, reason: "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '{authTime}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{validDate}'.", weight: 5, nonInter: true},
	{cause: "revoked", code: 70000, reason: "The refresh token has been revoked.", details: devErr, weight: 1, nonInter: true},
	{cause: "revoked_password_change", code: 50133, reason: "Session is invalid due to expiration or recent password change.", weight: 3},
	{cause: "code_invalid", code: 54005, reason: "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.", weight: 2},
	{cause: "code_invalid", code: 70000, reason: "The provided value for the 'code' parameter is not valid.", details: devErr, weight: 1},
	{cause: "scope_not_granted", code: 70000, reason: "The request was denied because one or more scopes requested are unauthorized or expired. The user must first sign in and grant the client application access to the requested scope.", details: devErr, weight: 2, nonInter: true},
	{cause: "interaction_required", code: 26000, reason: "User interaction is required.", weight: 1},
	{cause: "refresh_token_malformed", code: 70000, reason: "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid.", details: devErr, weight: 3, nonInter: true},
	{cause: "redirect_uri_mismatch", code: 70000, reason: "The provided value for the input parameter 'redirect_uri' is not valid. The expected value is a URI which matches a redirect URI registered for this client application.", details: devErr, weight: 1},
	{cause: "wrong_tenant", code: 700005, reason: "Provided Authorization Code is intended to use against other tenant, thus rejected.", weight: 1},
	{cause: "wrong_client", code: 700007, reason: "Provided grant was issued for a different client.", weight: 1},
	{cause: "grant_invalid", code: 70000, reason: "Provided grant is invalid or malformed.", details: devErr, weight: 12, nonInter: true},
	{cause: "grant_invalid", code: 70000, reason: "The refresh token isn't valid. Error might be due to the following reasons: Token binding header is empty; Token binding hash does not match", weight: 1, nonInter: true, legacyApps: true},
	{cause: "grant_invalid", code: 70000, weight: 1, nonInter: true}, // no text at all
	{cause: "invalid_grant_other", code: 7000022, reason: "The refresh token was issued to a different device.", weight: 1, nonInter: true},
	{cause: "invalid_grant_other", code: 700009, reason: "Reply address must be provided when presenting an authorization code.", weight: 1},
}

// massRevocation is what -distinct writes in scope: the refresh-token failures that follow
// a tenant-wide password reset or token revocation (AADSTS50173 above all, 70008 and
// 50133 beside it), each for a user of its own.
var massRevocation = []scenario{
	like("revoked", 50173, 6),
	like("revoked", 70000, 1),
	{cause: "expired_inactivity", code: 70008, reason: "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.", weight: 2, nonInter: true},
	like("revoked_password_change", 50133, 2),
}

// like is the scenario of inScope with this cause and code, with another weight.
func like(cause string, code, weight int) scenario {
	for _, sc := range inScope {
		if sc.cause == cause && sc.code == code {
			sc.weight = weight
			return sc
		}
	}
	panic("gensamples: no in-scope scenario " + cause)
}

// outOfScope are the ordinary outcomes around the failures: successes and other errors.
var outOfScope = []scenario{
	{code: 0, reason: "Other.", weight: 60, nonInter: true},
	{code: 0, reason: "Other.", weight: 25},
	{code: 50140, reason: "This error occurred due to 'Keep me signed in' interrupt when the user was signing-in.", weight: 4},
	{code: 50126, reason: "Error validating credentials due to invalid username or password.", weight: 3},
	{code: 50074, reason: "Strong Authentication is required.", details: "The user is required to complete MFA.", weight: 4},
	{code: 53003, reason: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", weight: 2},
	{code: 50076, reason: "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '{resource}'.", weight: 3, nonInter: true},
	{code: 700016, reason: "Application with identifier '{appIdentifier}' was not found in the directory '{tenantName}'.", weight: 1},
	{code: 7000112, reason: "Application '{appIdentifier}'({appName}) is disabled.", weight: 1, nonInter: true},
}

type app struct{ name, id string }

var apps = []app{
	{"Microsoft Office", "d3590ed6-52b3-4102-aeff-aad2292ab01c"},
	{"Microsoft Teams", "1fec8e78-bce4-4aaf-ab1b-5451cc387264"},
	{"Outlook Mobile", "27922004-5251-4030-b22d-91ecd9a37ea4"},
	{"OneDrive SyncEngine", "ab9b8c07-8f02-4f72-87fa-80105867a763"},
	{"Microsoft Authentication Broker", "29d9ed98-a469-4536-ade2-f981bc1d605e"},
	{"Azure Portal", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"},
	{"Microsoft Azure CLI", "04b07795-8ddb-461a-bbee-02f9e1bf7b46"},
	{"Contoso Expenses (SPA)", "5b8d3c1e-2f4a-4e6b-9c7d-8a1f0e2d3c4b"},
	{"Contoso Field Service", "9e2f6a4b-1c3d-4e5f-8a7b-6c5d4e3f2a1b"},
}

var legacyApps = []app{
	{"Microsoft Office 2016 (legacy client)", "d3590ed6-52b3-4102-aeff-aad2292ab01c"},
	{"Skype for Business Online", "00000004-0000-0ff1-ce00-000000000000"},
}

type resource struct{ name, id string }

var resources = []resource{
	{"Microsoft Graph", "00000003-0000-0000-c000-000000000000"},
	{"Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000"},
	{"Office 365 SharePoint Online", "00000003-0000-0ff1-ce00-000000000000"},
	{"Windows Azure Service Management API", "797f4846-ba00-4fd7-ba43-dac1f8f63013"},
}

type person struct{ upn, name, id string }

var people = []person{
	{"AdeleV@contoso.com", "Adele Vance", "3b7d2c91-5f4e-4a8b-9c1d-2e3f4a5b6c7d"},
	{"alexw@contoso.com", "Alex Wilber", "8c2e4f6a-1b3d-4e5f-a7b9-c1d3e5f7a9b1"},
	{"DiegoS@contoso.com", "Diego Siciliani", "f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b"},
	{"GradyA@contoso.com", "Grady Archie", "2a4c6e8f-0b1d-4f3e-9c5a-7b9d1f3e5a7c"},
	{"isaiahl@contoso.com", "Isaiah Langer", "6d8f0a2c-4e6b-4d8f-a1c3-e5f7a9b1c3d5"},
	{"JohannaL@contoso.com", "Johanna Lorenz", "0e2a4c6e-8f1b-4d3f-b5a7-c9e1f3a5b7d9"},
	{"LeeG@contoso.com", "Lee Gu", "4f6a8c0e-2b4d-4f6a-8c0e-2b4d6f8a0c2e"},
	{"MeganB@contoso.com", "Megan Bowen", "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"},
	{"NestorW@contoso.com", "Nestor Wilke", "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e"},
	{"PattiF@contoso.com", "Patti Fernandez", "c3d4e5f6-a7b8-4c9d-0e1f-2a3b4c5d6e7f"},
	{"svc-backup@contoso.com", "Backup Service Account", "d4e5f6a7-b8c9-4d0e-1f2a-3b4c5d6e7f80"},
	{"=HYPERLINK(\"http://x.example\")@contoso.com", "Mallory", "e5f6a7b8-c9d0-4e1f-2a3b-4c5d6e7f8091"},
}

type place struct{ ip, city, state, country string }

var places = []place{
	{"203.0.113.24", "Seattle", "Washington", "US"},
	{"203.0.113.77", "Redmond", "Washington", "US"},
	{"198.51.100.8", "London", "England", "GB"},
	{"198.51.100.142", "Dublin", "Dublin", "IE"},
	{"192.0.2.55", "Sydney", "New South Wales", "AU"},
	{"2001:db8:4f::19", "Amsterdam", "Noord-Holland", "NL"},
	{"192.0.2.201", "Sao Paulo", "Sao Paulo", "BR"},
}

type device struct{ os, browser, client, ua string }

var devices = []device{
	{"Windows10", "Rich Client 5.2.0.0", "Mobile Apps and Desktop clients", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Microsoft Office/16.0"},
	{"Windows 11", "Edge 131.0.0", "Browser", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"},
	{"MacOs", "Chrome 134.0.0", "Browser", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/134.0.0.0 Safari/537.36"},
	{"Ios", "Mobile Safari 17.4", "Mobile Apps and Desktop clients", "Outlook-iOS/2.0"},
	{"Android", "Rich Client 4.6.0", "Mobile Apps and Desktop clients", "Dalvik/2.1.0 (Linux; U; Android 14) <script>alert(1)</script> | pipe"},
	{"Linux", "Python Requests 2.31", "Other clients", "python-requests/2.31.0"},
}
