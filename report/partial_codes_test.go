package report

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"testing"

	"github.com/grantsweep/grantsweep/parse"
	"github.com/grantsweep/grantsweep/rules"
)

// TestPartialCodesSorted: the partial's codes are in ascending order whatever their values;
// subtracting them overflowed for codes far apart, and the order then depended on the
// order the codes map was walked in.
func TestPartialCodesSorted(t *testing.T) {
	s := New(rules.Default())
	codes := []int{math.MaxInt, 70000, 0, -1, math.MinInt, 1, math.MinInt + 1, math.MaxInt - 1}
	for _, c := range codes {
		add(s, parse.Event{ErrorCode: c})
	}
	s.Inputs = append(s.Inputs, Input{Path: "x", Records: int64(len(codes))})
	want := slices.Sorted(slices.Values(codes))
	for range 20 { // map order differs from run to run
		var b bytes.Buffer
		if err := s.Write(&b, FormatJSON, Options{GeneratedBy: "grantsweep test"}); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Partial struct{ Codes []struct{ Code int } }
		}
		if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, c := range doc.Partial.Codes {
			got = append(got, c.Code)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("partial codes %v, want %v", got, want)
		}
		if _, err := ReadSummary(&b, "codes.json", rules.Default()); err != nil {
			t.Fatalf("ReadSummary: %v", err)
		}
	}
}
