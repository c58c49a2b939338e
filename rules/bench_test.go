package rules

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/grantsweep/grantsweep/parse"
)

// BenchmarkClassify measures the default rules on a mix of events: text refinements of
// 70000, code-only causes, and out-of-scope codes.
func BenchmarkClassify(b *testing.B) {
	evs := []parse.Event{
		{ErrorCode: 70000, FailureReason: "Provided grant is invalid or malformed.", AdditionalDetails: "Developer error - the app is attempting to sign in without the necessary or correct authentication parameters."},
		{ErrorCode: 70000, FailureReason: "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid."},
		{ErrorCode: 700082},
		{ErrorCode: 50173},
		{ErrorCode: 0, FailureReason: "Other."},
		{ErrorCode: 50126, FailureReason: "Error validating credentials due to invalid username or password."},
	}
	set := Default()
	b.ReportAllocs()
	for b.Loop() {
		for i := range evs {
			set.Classify(&evs[i])
		}
	}
}

// BenchmarkExplain joins a million failures against a hundred thousand changes (users,
// devices and policies over a month) through one Attributor: one op is the million.
func BenchmarkExplain(b *testing.B) {
	set := Default()
	t0 := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(5, 6))
	kinds := []int{set.ChangeIndex("session_revoke"), set.ChangeIndex("password_change"), set.ChangeIndex("account_removed"), set.ChangeIndex("device_removed"), set.ChangeIndex("ca_policy_change")}
	recs := make([]ChangeRecord, 100_000)
	for i := range recs {
		k := kinds[rng.IntN(len(kinds))]
		n := rng.IntN(50_000)
		var t parse.Target
		switch set.Changes[k].Key {
		case KeyUser:
			t = parse.Target{Type: "User", ID: fmt.Sprintf("user-%d", n), UPN: fmt.Sprintf("u%d@contoso.com", n)}
		case KeyDevice:
			t = parse.Target{Type: "Device", ID: fmt.Sprintf("dev-%d", n), Name: fmt.Sprintf("PC-%d", n)}
		default:
			t = parse.Target{Type: "Policy", ID: fmt.Sprintf("pol-%d", n%100)}
		}
		recs[i] = ChangeRecord{Kind: k, Time: t0.Add(time.Duration(rng.Int64N(int64(30 * 24 * time.Hour)))), AuditID: fmt.Sprintf("audit-%07d", i), Target: t}
	}
	changes := set.Group(recs)
	causes := []int{set.RuleIndex("revoked"), set.RuleIndex("revoked_password_change"), set.RuleIndex("device_not_found"), set.RuleIndex("expired_signin_frequency"), set.RuleIndex("expired_inactivity")}
	failures := make([]Failure, 1_000_000)
	for i := range failures {
		n := rng.IntN(50_000)
		failures[i] = Failure{
			Rule: causes[rng.IntN(len(causes))], Time: t0.Add(time.Duration(rng.Int64N(int64(40 * 24 * time.Hour)))),
			UserID: fmt.Sprintf("user-%d", n), User: fmt.Sprintf("u%d@contoso.com", n),
			DeviceID: fmt.Sprintf("dev-%d", n), DeviceName: fmt.Sprintf("PC-%d", n),
			CAPolicies: fmt.Sprintf("pol-%d,pol-%d", n%100, (n+1)%100),
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	explained := 0
	for b.Loop() {
		att := set.NewAttributor(changes)
		explained = 0
		for i := range failures {
			if att.Explain(&failures[i]) >= 0 {
				explained++
			}
		}
	}
	b.ReportMetric(float64(explained), "explained/op")
}
