package parse

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// recordNames are the members of a JSON record as the decoder matches them (lower-cased).
func recordNames() []string {
	var names []string
	rt := reflect.TypeFor[jsonRecord]()
	for i := range rt.NumField() {
		f := rt.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag != "" && tag != "-" {
			name = tag
		}
		names = append(names, strings.ToLower(name))
	}
	return names
}

// TestOneFieldTable: the members the decoder reads, the members the prefilter's walk
// knows and the columns CSV, Parquet and query results read are one list: a member added
// to one and not the others is a test failure, not a silent loss.
func TestOneFieldTable(t *testing.T) {
	names := recordNames()
	for _, n := range names {
		if n == "properties" {
			continue // the nesting, not a column
		}
		if fieldSetters[n] == nil {
			t.Errorf("record member %q has no column setter in fieldSetters", n)
		}
	}
	for col := range fieldSetters {
		if strings.Contains(col, ".") || col == "resource" {
			continue // a member of a dynamic column, or a column of its own (setResource)
		}
		if !slices.Contains(names, col) {
			t.Errorf("column %q is not a member of the JSON record", col)
		}
	}
	for _, n := range names {
		if recordMember(n) == memberNone && !slices.Contains([]string{"id", "correlationid", "userid", "serviceprincipalname",
			"serviceprincipalid", "appdisplayname", "resourcedisplayname", "resourceid", "resourceidentity", "clientappused",
			"useragent", "ipaddress", "calleripaddress", "isinteractive", "incomingtokentype", "signintokenprotectionstatus",
			"uniquetokenidentifier",
			// Read by the decoder only: a sign-in's join fields matter for the records
			// in scope, which the prefilter leaves to it, and a directory audit record
			// (known by activityDisplayName, which the walk reads) goes to it whole.
			"appliedconditionalaccesspolicies", "conditionalaccesspolicies", "activitydatetime", "operationname",
			"loggedbyservice", "result", "initiatedby", "targetresources", "additionaldetails"}, n) {
			t.Errorf("record member %q: the prefilter's walk neither reads it nor says it need not", n)
		}
	}
}

// TestParquetRanksAreTheDecoders: the order in which Parquet prefers the columns of the
// code and of the time is the order in which the record decoder prefers the same fields.
func TestParquetRanksAreTheDecoders(t *testing.T) {
	t1, t2 := "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z"
	for a, ra := range timeRanks {
		for b, rb := range timeRanks {
			if ra >= rb {
				continue
			}
			var rec jsonRecord
			setterFor(a)(&rec, t1)
			setterFor(b)(&rec, t2)
			rec.table = true
			var ev Event
			rec.event(&ev)
			if want, _ := time.Parse(time.RFC3339, t1); !ev.Time.Equal(want) {
				t.Errorf("Parquet prefers %s to %s for the time; the decoder takes %v", a, b, ev.Time)
			}
		}
	}
	for a, ra := range codeRanks {
		for b, rb := range codeRanks {
			if a == b || ra > rb {
				continue
			}
			var rec jsonRecord
			setterFor(a)(&rec, "70000")
			setterFor(b)(&rec, "50126")
			rec.table = true
			var ev Event
			rec.event(&ev)
			if ra == rb || ev.ErrorCode != 70000 {
				t.Errorf("Parquet ranks %s %d and %s %d for the code; the decoder takes %d", a, ra, b, rb, ev.ErrorCode)
			}
		}
	}
}

// TestMemberLengths: memberLengths lets through every name the walk reads.
func TestMemberLengths(t *testing.T) {
	for _, n := range append(recordNames(), "errorcode", "failurereason", "additionaldetails") {
		if (recordMember(n) != memberNone || statusMember(n) != memberNone) && memberLengths&(1<<len(n)) == 0 {
			t.Errorf("%q (%d letters) is not in memberLengths", n, len(n))
		}
	}
}
