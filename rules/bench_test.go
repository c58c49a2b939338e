package rules

import (
	"testing"

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
